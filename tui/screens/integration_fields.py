"""What the Connection tab knows about its fields: which protocols have them, the guide's help
text for each, the standard ports, and how a connection test's outcome reads."""

from __future__ import annotations

from backend.db.models.integration import (
    FETCH_PROTOCOL_LABELS,
    FILE_FORMAT_LABELS,
    FTPS_MODE_LABELS,
    FetchProtocol,
    FtpsMode,
)
from backend.domain.errors import N_
from backend.i18n import Translator
from backend.services.integration import (
    DEFAULT_PORTS,
    MAX_POLL_MINUTES,
    MIN_POLL_MINUTES,
    ConnectionCheck,
    IntegrationForm,
    IntegrationView,
)

from ..widgets.safe_text import inert
from ..widgets.translated import Msg

POP3, FTP, SFTP = FetchProtocol.POP3.value, FetchProtocol.FTP.value, FetchProtocol.SFTP.value

# The fields that only some protocols have (the others are shown for every protocol).
SHOWN_FOR: dict[str, frozenset[str]] = {
    "use_ssl": frozenset({POP3}),
    "path": frozenset({FTP, SFTP}),
    "ftps_mode": frozenset({FTP}),
    "binary_mode": frozenset({FTP}),
    "passive_mode": frozenset({FTP}),
    "remove_after_polling": frozenset({FTP, SFTP}),
    "private_key": frozenset({SFTP}),
    "forget_private_key": frozenset({SFTP}),
    "host_key": frozenset({SFTP}),
}

# The help text of each field (the guide's, where it has one); (field, protocol) first.
HELP: dict[str, Msg] = {
    "enabled": N_(
        "When selected, the portal fetches the files at the poll interval and imports them as"
        " invoices. Free members cannot select it."
    ),
    "file_format": N_(
        "Select the business system or format that you use. CSV files follow the portal's"
        " documented CSV layout."
    ),
    "protocol": N_(
        "Select how to retrieve the files: the attachments of the e-mails in a mailbox (POP3),"
        " or files on an FTP, FTPS or SFTP server."
    ),
    "host": N_("Type the FTP server address."),
    "port": N_(
        "Type the FTP port number. Standard is 21 for FTP and explicit FTPS, 990 for implicit FTPS."
    ),
    "username": N_("Type the user name for your FTP account."),
    "password": N_(
        "Type the password for your FTP account. A stored password is never shown: leave the"
        " field empty to keep it."
    ),
    "forget_password": N_("Select to remove the stored password when you save."),
    "private_key": N_(
        "SFTP also accepts a private key instead of the password: paste an OpenSSH private key"
        " without a passphrase. A stored key is never shown."
    ),
    "forget_private_key": N_("Select to remove the stored private key when you save."),
    "host_key": N_(
        "The server's key is remembered at the first connection and a different key is then"
        " refused. Select to forget it only if the server's key was changed on purpose."
    ),
    "path": N_("Specify the path to the folder where the files are to be retrieved."),
    "file_pattern": N_(
        "Specify which files are to be retrieved from the folder. For example, to only"
        " retrieve XML invoices, type *.xml. If this box is left empty, all files are retrieved."
    ),
    "ftps_mode": N_(
        "Select a method: none for plain FTP, explicit (AUTH TLS on the FTP port) or implicit"
        " (TLS from the start, usually on port 990)."
    ),
    "use_ssl": N_("Select to enable SSL (encryption). The standard port is then 995."),
    "binary_mode": N_(
        "Select to enable binary mode: the transferred data is not converted but sent as a"
        " direct stream. If it is not selected, ASCII transfer is used instead."
    ),
    "passive_mode": N_(
        "Select to enable passive mode, which allows direct transfer without any further"
        " configuration. We recommend that you select this setting."
    ),
    "remove_after_polling": N_(
        "Select to delete files after they are transferred to the portal. The user must have"
        " the necessary file permissions for this action."
    ),
    "poll_interval_minutes": lambda t: t(
        "How often the portal looks for new files, in minutes ({low} to {high}).",
        low=MIN_POLL_MINUTES,
        high=MAX_POLL_MINUTES,
    ),
    "error_email": N_(
        "Enter the e-mail address to use when sending notifications if there are problems"
        " with a transfer."
    ),
    "send_automatically": N_(
        "When selected, fetched invoices are approved at once and sent; otherwise they wait"
        " in Approve and send (F6)."
    ),
}
PROTOCOL_HELP: dict[tuple[str, str], Msg] = {
    ("host", POP3): N_("Type the e-mail server address."),
    ("port", POP3): N_(
        "Type the e-mail port number. Standard is 110; 995 if Secure Sockets Layer (SSL) is used."
    ),
    ("port", SFTP): N_("Type the SFTP port number. Standard is 22."),
    ("username", POP3): N_("Type the user name for your e-mail account."),
    ("username", SFTP): N_("Type the user name for your SFTP account."),
    ("password", POP3): N_(
        "Type the password for your e-mail account. A stored password is never shown: leave"
        " the field empty to keep it."
    ),
    ("password", SFTP): N_(
        "Type the password for your SFTP account, or leave it empty and use a private key."
        " A stored password is never shown: leave the field empty to keep it."
    ),
    ("file_pattern", POP3): N_(
        "Specify which attachments are to be retrieved, for example *.xml. If this box is left"
        " empty, all attachments are retrieved. The e-mails are removed from the mailbox once"
        " their files are stored."
    ),
}

FORMAT_OPTIONS = [(label, fmt.value) for fmt, label in FILE_FORMAT_LABELS.items()]
PROTOCOL_OPTIONS = [(label, protocol.value) for protocol, label in FETCH_PROTOCOL_LABELS.items()]
FTPS_OPTIONS = [(label, mode.value) for mode, label in FTPS_MODE_LABELS.items()]
TEXT_FIELDS = ("host", "username", "path", "file_pattern", "error_email")
CHECKBOXES = (
    "enabled",
    "use_ssl",
    "binary_mode",
    "passive_mode",
    "remove_after_polling",
    "send_automatically",
)


def default_port(protocol: str, use_ssl: bool, ftps_mode: str) -> int:
    """The standard port of a protocol (the guide's: 110/995, 21, 22; 990 for implicit FTPS)."""
    if protocol == POP3:
        return DEFAULT_PORTS["pop3s" if use_ssl else "pop3"]
    if protocol == SFTP:
        return DEFAULT_PORTS["sftp"]
    return DEFAULT_PORTS["ftps-implicit" if ftps_mode == FtpsMode.IMPLICIT else "ftp"]


def form_of(view: IntegrationView) -> IntegrationForm:
    """The form as the stored settings would fill it (nothing typed into the secrets)."""
    return IntegrationForm(
        enabled=view.enabled,
        file_format=view.file_format,
        protocol=view.protocol,
        host=view.host,
        port=view.port,
        username=view.username,
        path=view.path,
        file_pattern=view.file_pattern,
        ftps_mode=view.ftps_mode,
        use_ssl=view.use_ssl,
        binary_mode=view.binary_mode,
        passive_mode=view.passive_mode,
        remove_after_polling=view.remove_after_polling,
        poll_interval_minutes=view.poll_interval_minutes,
        error_email=view.error_email,
        send_automatically=view.send_automatically,
    )


def check_text(check: ConnectionCheck, t: Translator) -> str:
    """What a connection test found, in ``t``'s language (server words and names inert)."""
    if not check.ok:
        problem = check.problem.render(t) if check.problem else ""
        return t("The connection failed: {problem}", problem=inert(problem))
    lines = [
        t.ngettext(
            "The connection works. {count} file is waiting to be fetched.",
            "The connection works. {count} files are waiting to be fetched.",
            check.files,
        ).format(count=t.number(check.files))
    ]
    if check.names:
        names = ", ".join(inert(name) for name in check.names)
        lines.append(t("First files: {names}", names=names))
    if check.host_key_fingerprint:
        lines.append(t("Server key: {fingerprint}", fingerprint=inert(check.host_key_fingerprint)))
    return "\n".join(lines)
