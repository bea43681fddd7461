"""The Connection tab of the business-system screen: the format, where files are fetched from
(e-mail over POP3, FTP / FTPS or SFTP) and the error-notice address, as the Kofax guide's
"Integration with a business system for sending", with its help text for the focused field.

Only the fields of the chosen protocol are shown. When the protocol, SSL or the FTPS method
changes and the port still holds the previous standard port, it becomes the new standard one.
Stored passwords and keys are never shown: the form says one is stored, a typed one replaces
it, and a checkbox removes it. Ctrl+T saves what changed and tests the connection in a worker
(the service may wait up to ~20 s for a server); Ctrl+F has the poller fetch at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.events import DescendantFocus
from textual.widgets import Button, Checkbox, Input, Select, TextArea

from backend.domain.errors import N_, DomainError
from backend.i18n import Translator
from backend.services import integration
from backend.services.integration import DEFAULT_PORTS, IntegrationForm, IntegrationView

from ..widgets.form import FormField, clear_errors, show_error
from ..widgets.safe_text import inert
from ..widgets.translated import FieldError, Msg, TButton, TCheckbox, TInput, TLabel, TSelect
from .customer_widgets import Pane
from .integration_fields import (
    CHECKBOXES,
    FORMAT_OPTIONS,
    FTP,
    FTPS_OPTIONS,
    HELP,
    PROTOCOL_HELP,
    PROTOCOL_OPTIONS,
    SFTP,
    SHOWN_FOR,
    TEXT_FIELDS,
    check_text,
    default_port,
    form_of,
)


def _number(text: str) -> int:
    """A typed whole number; 0 for anything else (the service names the field then)."""
    try:
        return int(text.strip())
    except ValueError:
        return 0


def _input(field_id: str, **kwargs: Any) -> TInput:
    return TInput(id=field_id, compact=True, **kwargs)


def _checkbox(field_id: str, label: Msg) -> FormField:
    return FormField(field_id, "", TCheckbox(label, id=field_id, compact=True))


class ConnectionPane(Pane):
    """The settings form; the screen calls ``show``, ``save``, ``test`` and ``fetch_now``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.view: IntegrationView | None = None
        self.port_default = DEFAULT_PORTS["ftp"]
        self.help_field = "enabled"
        self.busy = False
        # The remove / forget boxes of what is not stored (hidden: nothing to remove).
        self.nothing_stored = {"forget_password", "forget_private_key", "host_key"}

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="connection-form", classes="form"):
            yield TLabel("", id="connection-status", classes="pane-note")
            yield _checkbox("enabled", N_("Fetch invoice files from the business system"))
            yield FormField(
                "file_format",
                N_("Business system / format"),
                TSelect(FORMAT_OPTIONS, id="file_format", allow_blank=False, compact=True),
            )
            yield FormField(
                "protocol",
                N_("Fetch files from"),
                TSelect(PROTOCOL_OPTIONS, id="protocol", allow_blank=False, compact=True),
            )
            yield FormField("host", N_("Server"), _input("host"))
            yield FormField("port", N_("Port"), _input("port", type="integer", max_length=5))
            yield _checkbox("use_ssl", N_("SSL"))
            yield FormField(
                "ftps_mode",
                N_("FTPS security method"),
                TSelect(FTPS_OPTIONS, id="ftps_mode", allow_blank=False, compact=True),
            )
            yield FormField("username", N_("User name"), _input("username"))
            yield FormField("password", N_("Password"), _input("password", password=True), hint="")
            yield _checkbox("forget_password", N_("Remove the stored password"))
            yield FormField(
                "private_key",
                N_("Private key"),
                TextArea(id="private_key", compact=True, tab_behavior="focus", soft_wrap=False),
                hint="",
            )
            yield _checkbox("forget_private_key", N_("Remove the stored private key"))
            yield FormField("host_key", "", TCheckbox("", id="forget_host_key", compact=True))
            yield FormField("path", N_("Path on the server"), _input("path"))
            yield FormField("file_pattern", N_("File name pattern"), _input("file_pattern"))
            yield _checkbox("binary_mode", N_("Binary mode"))
            yield _checkbox("passive_mode", N_("Passive mode for transfer"))
            yield _checkbox("remove_after_polling", N_("Remove file after polling"))
            yield FormField(
                "poll_interval_minutes",
                N_("Poll interval (minutes)"),
                _input("poll_interval_minutes", type="integer", max_length=4),
            )
            yield FormField(
                "error_email",
                N_("E-mail address for error notifications"),
                _input("error_email"),
            )
            yield _checkbox("send_automatically", N_("Approve fetched invoices automatically"))
            yield FieldError(id="connection-error", classes="pane-error")
            with Horizontal(classes="buttons"):
                yield TButton(N_("Save (Ctrl+S)"), id="connection-save", compact=True)
                yield TButton(
                    N_("Test the connection (Ctrl+T)"), id="connection-test", compact=True
                )
                yield TButton(N_("Fetch now (Ctrl+F)"), id="fetch-now", compact=True)
            yield TLabel("", id="test-result")
        yield TLabel("", id="connection-help")

    # --- showing the stored settings --------------------------------------------------------

    def on_mount(self) -> None:
        self._show_fields()

    def focus_first(self) -> None:
        form = self.query_one("#connection-form")
        if not form.disabled:
            self.query_one("#enabled").focus()

    def show(self, view: IntegrationView) -> None:
        """Fill the form with what is stored (what was typed into the secrets is cleared)."""
        self.view = view
        with self.prevent(Select.Changed, Checkbox.Changed):
            for name in ("file_format", "protocol", "ftps_mode"):
                self.query_one(f"#{name}", Select).value = getattr(view, name)
            for name in TEXT_FIELDS:
                self.query_one(f"#{name}", Input).value = getattr(view, name)
            self.query_one("#port", Input).value = str(view.port)
            self.query_one("#poll_interval_minutes", Input).value = str(view.poll_interval_minutes)
            for name in CHECKBOXES:
                self.query_one(f"#{name}", Checkbox).value = getattr(view, name)
            for name in ("forget_password", "forget_private_key", "forget_host_key"):
                self.query_one(f"#{name}", Checkbox).value = False
            self.query_one("#password", Input).value = ""
            self.query_one("#private_key", TextArea).text = ""
        self.port_default = default_port(view.protocol, view.use_ssl, view.ftps_mode)
        self.query_one("#connection-form").disabled = not view.allowed
        self._show_stored(view)
        self._show_fields()
        self.query_one("#connection-status", TLabel).set_msg(self._status_msg(view))

    def _status_msg(self, view: IntegrationView) -> Msg:
        if view.last_polled_at is None:
            return N_("No files have been fetched yet.")
        when = view.last_polled_at
        return lambda t: t("Files were last fetched {when}.", when=t.datetime(when))

    def _show_stored(self, view: IntegrationView) -> None:
        """Say whether a password, a key and a server key are stored (never what they are);
        the boxes that remove them are there only when there is something to remove."""
        stored = N_("Stored (not shown). Type a new one to replace it.")
        secrets = (("password", view.password_set), ("private_key", view.private_key_set))
        self.nothing_stored = set()
        for name, is_set in secrets:
            hint = self._field(name).query_one(".form-hint", TLabel)
            hint.set_msg(stored if is_set else "")
            hint.display = is_set
            if not is_set:
                self.nothing_stored.add(f"forget_{name}")
        fingerprint = inert(view.host_key_fingerprint)
        if not fingerprint:
            self.nothing_stored.add("host_key")
        key = self.query_one("#forget_host_key", TCheckbox)
        key.msg = lambda t: t("Forget the server key {fingerprint}", fingerprint=fingerprint)
        key.translate(self.app.t)  # type: ignore[attr-defined]

    def _field(self, name: str) -> FormField:
        return next(f for f in self.query(FormField) if f.field == name)

    @property
    def protocol(self) -> str:
        value = self.query_one("#protocol", Select).value
        return value if isinstance(value, str) else FTP

    def _show_fields(self) -> None:
        protocol = self.protocol
        for field in self.query(FormField):
            shown_for = SHOWN_FOR.get(field.field)
            shown = shown_for is None or protocol in shown_for
            field.display = shown and field.field not in self.nothing_stored
        self._show_help()

    # --- help for the focused field ---------------------------------------------------------

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        field = next((a for a in event.widget.ancestors if isinstance(a, FormField)), None)
        if field is not None:
            self.help_field = field.field
            self._show_help()

    def _show_help(self) -> None:
        name = self.help_field
        msg = PROTOCOL_HELP.get((name, self.protocol), HELP.get(name, ""))
        self.query_one("#connection-help", TLabel).set_msg(msg)

    # --- the standard port ------------------------------------------------------------------

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id in ("protocol", "ftps_mode"):
            self._protocol_changed()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id == "use_ssl":
            self._protocol_changed()

    def _protocol_changed(self) -> None:
        ftps = self.query_one("#ftps_mode", Select).value
        use_ssl = self.query_one("#use_ssl", Checkbox).value
        new = default_port(self.protocol, use_ssl, ftps if isinstance(ftps, str) else "none")
        port = self.query_one("#port", Input)
        if port.value.strip() in ("", str(self.port_default)):
            port.value = str(new)
        self.port_default = new
        self._show_fields()

    # --- saving, testing, fetching ----------------------------------------------------------

    def form(self) -> IntegrationForm:
        """What the form holds, as the service takes it."""

        def value(name: str) -> str:
            select = self.query_one(f"#{name}", Select).value
            return select if isinstance(select, str) else ""

        def checked(name: str) -> bool:
            return self.query_one(f"#{name}", Checkbox).value

        def secret(typed: str, forget: str) -> str | None:
            if typed:
                return typed
            return "" if checked(forget) else None

        sftp = self.protocol == SFTP
        key = self.query_one("#private_key", TextArea).text.strip()
        private_key = None
        if sftp and key:
            private_key = key + "\n"
        elif sftp and checked("forget_private_key"):
            private_key = ""
        return IntegrationForm(
            enabled=checked("enabled"),
            file_format=value("file_format"),
            protocol=self.protocol,
            host=self.query_one("#host", Input).value,
            port=_number(self.query_one("#port", Input).value),
            username=self.query_one("#username", Input).value,
            path=self.query_one("#path", Input).value,
            file_pattern=self.query_one("#file_pattern", Input).value,
            ftps_mode=value("ftps_mode"),
            use_ssl=checked("use_ssl"),
            binary_mode=checked("binary_mode"),
            passive_mode=checked("passive_mode"),
            remove_after_polling=checked("remove_after_polling"),
            poll_interval_minutes=_number(self.query_one("#poll_interval_minutes", Input).value),
            error_email=self.query_one("#error_email", Input).value,
            send_automatically=checked("send_automatically"),
            password=secret(self.query_one("#password", Input).value, "forget_password"),
            private_key=private_key,
            forget_host_key=sftp and checked("forget_host_key"),
        )

    def _service(self) -> Callable[..., Any]:
        return self.app.service  # type: ignore[attr-defined,no-any-return]

    def _show_error(self, error: DomainError) -> None:
        form = self.query_one("#connection-form", VerticalScroll)
        field = show_error(form, error)
        if field is None or not field.display:
            self.query_one("#connection-error", FieldError).show(error)
        else:
            form.scroll_to_widget(field, animate=False)

    def _clear(self) -> None:
        clear_errors(self.query_one("#connection-form"))
        self.query_one("#connection-error", FieldError).show(None)

    async def save(self, *, quiet: bool = False) -> bool:
        """Save the form; False (the error under its field, what was typed kept) if refused."""
        self._clear()
        try:
            await self._service()(integration.save_integration, self.form())
            view = await self._service()(integration.get_integration)
        except DomainError as error:
            self._show_error(error)
            return False
        self.show(view)
        if not quiet:
            self.app.notify(self.app.t("The settings are saved."), markup=False)  # type: ignore[attr-defined]
        return True

    def _result(self, msg: Msg) -> None:
        self.query_one("#test-result", TLabel).set_msg(msg)

    async def test(self) -> None:
        """Save what changed, then connect with the stored settings and say what was found."""
        if self.busy:
            return
        self.busy = True
        button = self.query_one("#connection-test", Button)
        button.disabled = True
        try:
            changed = self.view is None or self.form() != form_of(self.view)
            if changed and not await self.save(quiet=True):
                return
            host = inert(self.view.host if self.view else "")
            self._result(lambda t: t("Testing the connection to {host}…", host=host))
            try:
                check = await self._service()(integration.test_connection)
            except DomainError as error:  # nothing saved to test yet: the field to fill in
                self._result("")
                self._show_error(error)
                return
            self._result(lambda t: check_text(check, t))
        finally:
            button.disabled = False
            self.busy = False

    async def fetch_now(self) -> None:
        self._clear()
        try:
            await self._service()(integration.fetch_now)
        except DomainError as error:
            self._show_error(error)
            return
        self._result(
            N_(
                "The portal fetches the files within a minute. The Files tab shows what became"
                " of them."
            )
        )

    def start(self, work: str) -> None:
        """Run ``work`` ("save", "test" or "fetch_now") in a worker; a test runs to its end
        (its button is disabled meanwhile), a save replaces one still running."""
        jobs = {"save": self.save, "test": self.test, "fetch_now": self.fetch_now}
        self.run_worker(jobs[work](), group=work, exclusive=work != "test")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        jobs = {"connection-save": "save", "connection-test": "test", "fetch-now": "fetch_now"}
        if event.button.id in jobs:
            event.stop()
            self.start(jobs[event.button.id])

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.start("save")

    def translate(self, t: Translator) -> None:
        """Everything here is in translated widgets; nothing to compute."""
