"""What the support screens share: labels of case types and states, the /upload/ file picker,
the message thread, and mailing support's answer to the user who opened the case."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import SelectionList, Static
from textual.widgets.selection_list import Selection

from backend.domain.errors import DomainError
from backend.domain.states import TICKET_STATES, TicketState
from backend.files import StoredFile, UserFiles
from backend.i18n import Translator
from backend.mail import Mailer
from backend.mail.messages import sftp_command
from backend.mail.ticket_mail import answer_mail, case_number
from backend.services.tickets import CASE_TYPES, MAX_ATTACHMENTS, SupportAnswer, TicketDetail

from ..session import log_exception
from ..widgets.safe_text import inert
from ..widgets.translated import Msg, Translatable, TSelect, render

V = TypeVar("V")

__all__ = ["case_number"]


def state_label(t: Translator, state: TicketState) -> str:
    return t(TICKET_STATES.label(state))


def type_label(t: Translator, case_type: str) -> str:
    case = CASE_TYPES.get(case_type)
    return t(case.label) if case is not None else inert(case_type)


def file_size(t: Translator, size: int) -> str:
    if size < 1024:
        return t("{size} bytes", size=t.number(size))
    if size < 1024 * 1024:
        return t("{size} KB", size=t.number(size / 1024, 1))
    return t("{size} MB", size=t.number(size / (1024 * 1024), 1))


class PromptSelect(TSelect[V], Generic[V]):
    """A TSelect that may be blank, with a translated prompt. Built with the session's
    translator ``t``: the prompt is drawn before the first ``translate`` could change it."""

    def __init__(
        self, options: Iterable[tuple[Msg, V]], prompt_msg: Msg, t: Translator, **kwargs: Any
    ) -> None:
        super().__init__(options, allow_blank=True, prompt=render(prompt_msg, t), **kwargs)
        self.prompt_msg = prompt_msg

    def translate(self, t: Translator) -> None:
        self.prompt = render(self.prompt_msg, t)
        super().translate(t)


class UploadPicker(Vertical, Translatable):
    """The files of the user's SFTP ``/upload/`` area to attach (space marks one), or how to
    put files there when it is empty."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(classes="upload-picker", **kwargs)
        self.files: list[StoredFile] | None = None

    def compose(self) -> ComposeResult:
        yield SelectionList[str](classes="upload-list", compact=True)
        yield Static(classes="upload-hint", markup=False)

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.run_worker(self._load(), group="uploads", exclusive=True)

    async def _load(self) -> None:
        app: Any = self.app
        area = UserFiles.from_settings(app.portal.settings, app.actor.user_id)
        self.files = await asyncio.to_thread(area.list_uploads)
        self.translate(app.t)

    @property
    def selected(self) -> list[str]:
        return list(self.query_one(SelectionList).selected)

    def clear(self) -> None:
        self.query_one(SelectionList).deselect_all()

    def translate(self, t: Translator) -> None:
        if self.files is None:
            return
        listing = self.query_one(SelectionList)
        chosen = set(listing.selected)
        highlighted = listing.highlighted
        listing.clear_options()
        listing.add_options(
            Selection(
                Content(f"{inert(f.name)}  ({file_size(t, f.size)})"), f.name, f.name in chosen
            )
            for f in self.files
        )
        if self.files:  # something highlighted, so space marks a file at once
            keep = highlighted is not None and highlighted < len(self.files)
            listing.highlighted = highlighted if keep else 0
        listing.display = bool(self.files)
        app: Any = self.app
        start = app.start
        login = inert(app.profile.email if app.profile is not None else start.login)
        command = sftp_command(login, start.ssh_host, start.ssh_port)
        if self.files:
            hint = t(
                "Space marks a file to attach (at most {max}). Files are put in /upload/ with:"
                " {command}",
                max=MAX_ATTACHMENTS,
                command=command,
            )
        else:
            hint = t(
                "No files in /upload/. To attach screenshots or files, upload them first:"
                " {command}",
                command=command,
            )
        self.query_one(".upload-hint", Static).update(Content(hint))


def thread_content(t: Translator, detail: TicketDetail) -> Content:
    """The messages of a case, oldest first: who and when in bold, the text, the attachments.
    Everything people wrote is shown inert, line by line."""
    parts: list[str | Content | tuple[str, str]] = []
    for index, message in enumerate(detail.messages):
        if index:
            parts.append("\n\n")
        author = inert(message.author_name)
        who = t("{name} (support)", name=author) if message.by_support else author
        parts.append((f"{who} · {t.datetime(message.created_at)}", "bold"))
        for line in message.body.split("\n"):
            parts.append("\n" + inert(line))
        if message.attachments:
            names = ", ".join(
                f"{inert(a.filename)} ({file_size(t, a.size)})" for a in message.attachments
            )
            parts.append(("\n" + t("Attachments: {files}", files=names), "italic"))
    return Content.assemble(*parts)


async def send_answer_mail(app: Any, answer: SupportAnswer) -> bool | None:
    """Mail support's answer to the user who opened the case, in their language: True if sent,
    False if it failed (logged), None if there is nobody to tell."""
    if answer.notify is None:
        return None
    settings = app.portal.settings
    try:
        message = answer_mail(
            answer.notify,
            answer.ticket,
            answer.answer,
            ssh_host=app.start.ssh_host,
            ssh_port=app.start.ssh_port,
            sender=settings.mail_from,
        )
        await Mailer.from_settings(settings).send(message)
    except (DomainError, ValueError) as error:
        log_exception(settings.data_dir, error, start=app.start)
        return False
    return True
