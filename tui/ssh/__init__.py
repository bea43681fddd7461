"""The SSH front end: authentication, limits, one process per session on a PTY (forked from a
warm zygote), and SFTP on the same port. ``server.PortalServer`` is the entry point;
``invoice-portal serve`` runs it."""
