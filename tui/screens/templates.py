"""Invoice templates ("Sparade fakturamallar"): the company's list, and the template editor.

The list: ``ctrl+n`` new, ``enter`` open, ``r`` rename, ``u`` use (the invoice form opens with
the template filled in), ``delete`` delete after a question. The editor is the invoice editor
in template mode: required fields may stay empty and nothing stops saving. At most ten
templates per company: the limit is said before a new one is started and when saving.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input

from backend.db.models.templates import MAX_TEMPLATES_PER_COMPANY
from backend.domain.errors import N_, DomainError
from backend.files import UserFiles
from backend.i18n import Translator
from backend.services import customers, invoices, templates
from backend.services.invoices import InvoiceStart
from backend.services.templates import TemplateView

from ..widgets.form import FormField, clear_errors, show_error
from ..widgets.invoice_dialogs import ConfirmOverlay, NameOverlay
from ..widgets.invoice_editor import InvoiceEditor
from ..widgets.invoice_fields import required
from ..widgets.safe_text import error_text, inert
from ..widgets.translated import FieldError, Msg, TButton, TInput, TLabel
from .base import MainScreen, PortalScreen

LIMIT_MESSAGE = N_("You can save at most {max} templates. Delete one to make room for a new one.")


class TemplateTable(DataTable[str]):
    """The list of templates; its letter keys act only while the list has the cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", N_("Open")),
        Binding("r", "screen.rename", N_("Rename")),
        Binding("u", "screen.use", N_("Use for an invoice")),
        Binding("delete", "screen.delete", N_("Delete")),
    ]


class TemplatesScreen(MainScreen):
    NAV_ID = "templates"
    TITLE_MSG = N_("Templates")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "new", N_("New template"), priority=True),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[TemplateView] = []
        self.customer_names: dict[int, str] = {}
        self.message: Msg = ""

    def compose_content(self) -> ComposeResult:
        yield TLabel(
            lambda t: t(
                "Save the fields that recur on your invoices as a template; up to {max}.",
                max=MAX_TEMPLATES_PER_COMPANY,
            ),
            id="templates-intro",
        )
        yield TLabel("", id="templates-message")
        yield TemplateTable(id="templates-table", cursor_type="row", zebra_stripes=True)
        yield TLabel("", id="templates-empty")
        yield TLabel("", id="templates-count")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#templates-table", TemplateTable).focus()

    def on_screen_resume(self, event: object) -> None:
        super().on_screen_resume(event)  # type: ignore[arg-type]
        if self.is_mounted:
            self.reload()

    def reload(self, select: int | None = None) -> None:
        self.run_worker(self._load(select), group="templates")

    async def _load(self, select: int | None = None) -> None:
        service = self.app.service  # type: ignore[attr-defined]
        current = self.current()
        wanted = select if select is not None else current.id if current else None
        self.items = await service(templates.list_templates)
        self.customer_names = {c.id: c.name for c in await service(customers.list_customers)}
        self.translate(self.app.t)  # type: ignore[attr-defined]
        table = self.query_one("#templates-table", TemplateTable)
        for index, view in enumerate(self.items):
            if view.id == wanted:
                table.move_cursor(row=index)

    def translate(self, t: Translator) -> None:
        table = self.query_one("#templates-table", TemplateTable)
        row = table.cursor_row
        table.clear(columns=True)
        table.add_column(Text(t("Name")), key="name")
        table.add_column(Text(t("Customer")), key="customer")
        table.add_column(Text(t("Lines")), key="lines")
        table.add_column(Text(t("Changed")), key="changed")
        for view in self.items:
            customer = self.customer_names.get(view.fields.get("customer_id"), "")  # type: ignore[arg-type]
            lines = view.fields.get("lines")
            # rich Text, not str: the table would read a str as markup (names are data).
            table.add_row(
                Text(inert(view.name)),
                Text(inert(customer)),
                Text(t.number(len(lines) if isinstance(lines, list) else 0)),
                Text(t.date(view.updated_at.date())),
                key=str(view.id),
            )
        if self.items:
            table.move_cursor(row=min(row, len(self.items) - 1))
        table.display = bool(self.items)
        self.query_one("#templates-empty", TLabel).set_msg(
            "" if self.items else N_("There are no templates yet. Press Ctrl+N to make one.")
        )
        count = len(self.items)
        self.query_one("#templates-count", TLabel).set_msg(
            lambda t: t(
                "{count} of {max} templates.", count=t.number(count), max=MAX_TEMPLATES_PER_COMPANY
            )
        )
        self.query_one("#templates-message", TLabel).set_msg(self.message)
        self.query_one("#templates-message").display = bool(self.message)

    def _say_error(self, error: DomainError) -> None:
        self._say(lambda t: error_text(t, error))

    def _say(self, message: Msg) -> None:
        self.message = message
        self.translate(self.app.t)  # type: ignore[attr-defined]

    def current(self) -> TemplateView | None:
        table = self.query_one("#templates-table", TemplateTable)
        if not self.items or table.cursor_row < 0 or table.cursor_row >= len(self.items):
            return None
        return self.items[table.cursor_row]

    # --- actions ----------------------------------------------------------------------------

    def action_new(self) -> None:
        if len(self.items) >= MAX_TEMPLATES_PER_COMPANY:
            self._say(lambda t: t(LIMIT_MESSAGE, max=MAX_TEMPLATES_PER_COMPANY))
            return
        self._say("")
        self.app.push_screen(TemplateEditorScreen(None), self._edited)

    def action_open(self) -> None:
        view = self.current()
        if view is not None:
            self._say("")
            self.app.push_screen(TemplateEditorScreen(view), self._edited)

    def _edited(self, saved: TemplateView | None) -> None:
        if saved is not None:
            name = inert(saved.name)
            self._say(lambda t: t("The template {name} is saved.", name=name))
            self.reload(select=saved.id)

    def action_rename(self) -> None:
        view = self.current()
        if view is not None:
            self.run_worker(self._rename(view), group="templates-change")

    async def _rename(self, view: TemplateView) -> None:
        name = await self.app.push_screen_wait(NameOverlay(N_("New name"), view.name))
        if not name:
            return
        try:
            renamed = await self.app.service(templates.rename_template, view.id, name)  # type: ignore[attr-defined]
        except DomainError as error:
            self._say_error(error)
            return
        new = inert(renamed.name)
        self._say(lambda t: t("The template is now called {name}.", name=new))
        self.reload(select=renamed.id)

    def action_delete(self) -> None:
        view = self.current()
        if view is not None:
            self.run_worker(self._delete(view), group="templates-change")

    async def _delete(self, view: TemplateView) -> None:
        name = inert(view.name)
        yes = await self.app.push_screen_wait(
            ConfirmOverlay(lambda t: t("Delete the template {name}?", name=name))
        )
        if not yes:
            return
        try:
            await self.app.service(templates.delete_template, view.id)  # type: ignore[attr-defined]
        except DomainError as error:
            self._say_error(error)
            return
        self._say(lambda t: t("The template {name} is deleted.", name=name))
        self.reload()

    def action_use(self) -> None:
        view = self.current()
        if view is not None:
            self.run_worker(self._use(view.id), group="templates-change")

    async def _use(self, template_id: int) -> None:
        from .invoice_form import InvoiceFormScreen

        if not any(item.id == "new_invoice" for item in self.app.nav_items):  # type: ignore[attr-defined]
            return
        await self.app.switch_mode("new_invoice")
        screen = self.app.screen
        if isinstance(screen, InvoiceFormScreen):
            screen.use_template(template_id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open", "rename", "use", "delete"):
            return bool(self.items)
        return True


class TemplateEditorScreen(PortalScreen):
    """One template: its name and the invoice editor in template mode. Ctrl+S saves and
    returns to the list; Escape returns without saving."""

    TITLE_MSG = N_("Template")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", N_("Save template"), priority=True),
        Binding("ctrl+n", "add_line", N_("Add line"), priority=True),
        Binding("escape", "close", N_("Back to the list")),
    ]

    def __init__(self, view: TemplateView | None) -> None:
        super().__init__()
        self.view = view
        self.busy = False

    def compose_body(self) -> ComposeResult:
        with Vertical(id="template-editor", classes="form"):
            yield TLabel(
                N_(
                    "Fill in what recurs on this kind of invoice. Required invoice fields may"
                    " stay empty in a template."
                ),
                id="template-intro",
            )
            yield FormField(
                "name",
                required(N_("Template name")),
                TInput(value=self.view.name if self.view else "", id="template-name", compact=True),
            )
            yield InvoiceEditor(template_mode=True, id="editor")
            yield FieldError(id="form-error")
            with Horizontal(classes="buttons"):
                yield TButton(
                    N_("Save template (Ctrl+S)"), id="save", variant="primary", compact=True
                )
                yield TButton(N_("Back (Escape)"), id="back", compact=True)

    @property
    def editor(self) -> InvoiceEditor:
        return self.query_one("#editor", InvoiceEditor)

    def translate(self, t: Translator) -> None:
        """Nothing computed to re-render: the translated widgets do it themselves."""

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#template-name", Input).focus()
        self.run_worker(self._open(), group="template")

    async def _open(self) -> None:
        service = self.app.service  # type: ignore[attr-defined]
        self.editor.set_customers(await service(customers.list_customers))
        user_id = self.app.actor.user_id  # type: ignore[attr-defined]
        files = UserFiles.from_settings(self.app.portal.settings, user_id)  # type: ignore[attr-defined]
        self.editor.read_upload = files.read_upload
        if self.view is None:
            start = InvoiceStart(await service(invoices.new_invoice), None)
        else:
            start = await service(templates.start_from_template, self.view.id)
        await self.editor.load(start)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "back":
            self.action_close()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "template-name":
            event.stop()
            self.editor.focus_next()

    def action_add_line(self) -> None:
        if self.editor.base is not None:
            self.run_worker(self.editor.add_line(), group="template")

    def action_close(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        if not self.busy and self.editor.base is not None:
            self.busy = True
            self.run_worker(self._save(), group="template")

    async def _save(self) -> None:
        try:
            clear_errors(self)
            self.query_one("#form-error", FieldError).show(None)
            result = self.editor.read()
            name = self.query_one("#template-name", Input).value
            try:
                saved = await self.app.service(  # type: ignore[attr-defined]
                    templates.save_template,
                    self.view.id if self.view else None,
                    name,
                    result.invoice,
                    customer_id=result.customer_id,
                    due_days=result.due_days,
                )
            except DomainError as error:
                if show_error(self, error) is None:
                    self.query_one("#form-error", FieldError).show(error)
                return
            self.dismiss(saved)
        finally:
            self.busy = False
