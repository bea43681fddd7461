"""POP3 (or POP3 over SSL) with poplib: every matching attachment of every message is a file.

A message is marked for deletion only when all of its files were removed, and POP3 deletes
marked messages only on QUIT: the picker sends QUIT when the ``async with`` ends normally and
just closes the connection otherwise, so a failed poll deletes nothing.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import hashlib
import poplib
from collections.abc import Sequence
from email.message import EmailMessage

from backend.integration.pickers.base import (
    ConnectionSettings,
    PickerError,
    PickerErrorKind,
    RemoteFile,
)
from backend.integration.pickers.matching import matches
from backend.integration.pickers.threaded import ThreadedPicker, tls_context


class _Message:
    def __init__(self, number: int, raw: bytes) -> None:
        self.number = number
        self.raw = raw
        self._parsed: EmailMessage | None = None

    def parts(self) -> list[tuple[int, EmailMessage]]:
        """(index, part) for every part that carries a file name, in the message's order."""
        if self._parsed is None:
            parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            self._parsed = parsed
        return [
            (index, part)
            for index, part in enumerate(self._parsed.walk())
            if not part.is_multipart() and part.get_filename()
        ]


# poplib refuses lines over 2048 bytes, which real mails (long HTML lines, unfolded headers)
# have; the whole listing failed on one such mail. The limit is a module global of poplib.
poplib._MAXLINE = max(poplib._MAXLINE, 1 << 20)


class Pop3Picker(ThreadedPicker):
    ERRORS = (poplib.error_proto, OSError, EOFError, ValueError)

    def __init__(self, settings: ConnectionSettings) -> None:
        super().__init__()
        self._settings = settings
        self._pop: poplib.POP3 | None = None
        self._messages: dict[str, _Message] = {}  # by UIDL, for this connection
        self._listed: dict[str, set[str]] = {}  # UIDL -> refs of the files listed from it
        self._marked: set[str] = set()

    def _connect(self) -> None:
        s = self._settings
        if s.use_ssl:
            context = tls_context(s.ca_file)
            self._pop = poplib.POP3_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            self._pop = poplib.POP3(s.host, s.port, timeout=s.timeout)

    def _login(self) -> None:
        assert self._pop is not None
        self._pop.user(self._settings.username)
        self._pop.pass_(self._settings.password)

    def _finish(self, commit: bool) -> None:
        if self._pop is None:
            return
        if commit:
            try:
                self._pop.quit()  # the server deletes the marked messages now
                return
            except (poplib.error_proto, OSError, EOFError):
                pass
        self._close()  # no QUIT: the server keeps every message

    def _close(self) -> None:
        if self._pop is not None:
            with contextlib.suppress(OSError):
                self._pop.close()

    # --- listing

    async def list(self) -> list[RemoteFile]:
        return await self._run(PickerErrorKind.TRANSFER, self._list)

    def _list(self) -> list[RemoteFile]:
        pop = self._pop
        assert pop is not None
        _, lines, _ = pop.list()
        numbers = [int(line.split()[0]) for line in lines if line.strip()]
        uidls = self._uidls()
        found: list[RemoteFile] = []
        for number in sorted(numbers):
            raw = self._retr(number)
            uidl = uidls.get(number) or "sha256-" + hashlib.sha256(raw).hexdigest()
            message = _Message(number, raw)
            self._messages[uidl] = message
            try:
                files = [
                    RemoteFile(
                        name=str(part.get_filename()),
                        ref=f"{uidl}/{index}",
                        size=None,
                        group=uidl,
                    )
                    for index, part in message.parts()
                    if matches(str(part.get_filename()), self._settings.pattern)
                ]
            except Exception:  # a mail the email package cannot take apart: offered whole
                files = []
            if not files:
                files = [
                    RemoteFile(
                        name=f"{uidl}.eml",
                        ref=uidl,
                        size=len(raw),
                        group=uidl,
                        whole_message=True,
                    )
                ]
            self._listed[uidl] = {f.ref for f in files}
            found.extend(files)
        return found

    def _uidls(self) -> dict[int, str]:
        assert self._pop is not None
        try:
            _, lines, _ = self._pop.uidl()
        except poplib.error_proto:
            return {}  # no UIDL: the messages are known by their content's hash
        uidls = {}
        for line in lines:
            fields = line.decode("ascii", "replace").split()
            if len(fields) == 2 and fields[0].isdigit():
                uidls[int(fields[0])] = fields[1]
        return uidls

    def _retr(self, number: int) -> bytes:
        assert self._pop is not None
        # poplib raises on a connection that ends before the terminating "." line
        _, lines, _ = self._pop.retr(number)
        return b"\r\n".join(lines) + b"\r\n"

    # --- fetching and removing

    async def fetch(self, remote: RemoteFile) -> bytes:
        message = self._messages.get(remote.group)
        if message is None:
            raise PickerError(PickerErrorKind.TRANSFER, f"no message {remote.group} was listed")
        if remote.whole_message:
            return message.raw
        for index, part in message.parts():
            if remote.ref == f"{remote.group}/{index}":
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    return payload
        raise PickerError(PickerErrorKind.TRANSFER, f"no attachment {remote.ref} in the message")

    async def remove(self, files: Sequence[RemoteFile]) -> None:
        given: dict[str, set[str]] = {}
        for remote in files:
            given.setdefault(remote.group, set()).add(remote.ref)
        numbers = []
        for uidl, refs in given.items():
            listed = self._listed.get(uidl)
            if uidl in self._marked or not listed or not listed <= refs:
                continue  # some file of the message is not safe yet: keep the message
            numbers.append((uidl, self._messages[uidl].number))
        await self._run(PickerErrorKind.TRANSFER, self._dele, numbers)

    def _dele(self, numbers: list[tuple[str, int]]) -> None:
        assert self._pop is not None
        for uidl, number in numbers:
            self._pop.dele(number)
            self._marked.add(uidl)
