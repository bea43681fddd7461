"""A real POP3 server (Twisted's twisted.mail.pop3) for one user, run as a subprocess.

    python pop3_server_main.py --maildir DIR --username U [--cert PEM] [--drop-during-retr]

The password comes from the environment (POP3_TEST_PASSWORD). The mailbox is DIR, one message
per file, oldest first by name; a file's name without ".eml" is the message's UIDL. DELE marks,
QUIT removes the marked files; a connection lost without QUIT removes nothing. Prints the port
on stdout once listening, then serves until terminated.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

from twisted.cred import checkers, portal
from twisted.internet import protocol, reactor, ssl
from twisted.mail import pop3
from zope.interface import implementer


@implementer(pop3.IMailbox)
class FolderMailbox:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files = sorted(p for p in folder.iterdir() if p.is_file())
        self.deleted: set[int] = set()

    def _bytes(self, i: int) -> bytes:
        # Twisted turns every LF into CRLF when sending: keep LF on our side
        return self.files[i].read_bytes().replace(b"\r\n", b"\n")

    def listMessages(self, i=None):
        if i is None:
            return [0 if n in self.deleted else len(self._bytes(n)) for n in range(len(self.files))]
        if i < 0 or i >= len(self.files):
            raise ValueError(i)
        return 0 if i in self.deleted else len(self._bytes(i))

    def getMessage(self, i):
        if i < 0 or i >= len(self.files) or i in self.deleted:
            raise ValueError(i)
        return io.BytesIO(self._bytes(i))

    def getUidl(self, i):
        if i < 0 or i >= len(self.files) or i in self.deleted:
            raise ValueError(i)
        return self.files[i].stem.encode()

    def deleteMessage(self, i):
        if i < 0 or i >= len(self.files):
            raise ValueError(i)
        self.deleted.add(i)

    def undeleteMessages(self):
        self.deleted.clear()

    def sync(self):
        for i in sorted(self.deleted):
            self.files[i].unlink(missing_ok=True)


@implementer(portal.IRealm)
class Realm:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def requestAvatar(self, avatar_id, mind, *interfaces):
        if pop3.IMailbox not in interfaces:
            raise NotImplementedError()
        return pop3.IMailbox, FolderMailbox(self.folder), lambda: None


class DroppingPOP3(pop3.POP3):
    """RETR sends the status line and part of the message, then hangs up."""

    def do_RETR(self, i):
        data = self.mbox.getMessage(int(i) - 1).read()
        self.successResponse(str(len(data)))
        self.transport.write(self.transformChunk(data[: max(1, len(data) // 2)]))
        self.transport.loseConnection()


class Factory(protocol.ServerFactory):
    noisy = False

    def __init__(self, the_portal: portal.Portal, proto: type) -> None:
        self.portal = the_portal
        self.protocol = proto

    def buildProtocol(self, addr):
        p = self.protocol()
        p.portal = self.portal
        p.factory = self
        return p


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--drop-during-retr", action="store_true")
    args = parser.parse_args()
    password = os.environ["POP3_TEST_PASSWORD"].encode()
    checker = checkers.InMemoryUsernamePasswordDatabaseDontUse()
    checker.addUser(args.username.encode(), password)
    the_portal = portal.Portal(Realm(Path(args.maildir)), [checker])
    factory = Factory(the_portal, DroppingPOP3 if args.drop_during_retr else pop3.POP3)
    if args.cert:
        options = ssl.PrivateCertificate.loadPEM(Path(args.cert).read_text()).options()
        port = reactor.listenSSL(0, factory, options, interface="127.0.0.1")
    else:
        port = reactor.listenTCP(0, factory, interface="127.0.0.1")
    sys.stdout.write(f"{port.getHost().port}\n")
    sys.stdout.flush()
    reactor.run()


if __name__ == "__main__":
    main()
