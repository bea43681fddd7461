"""Submit a support case: subject, case type, description, the type's further fields, and
attachments from the user's SFTP ``/upload/``.

Modelled on the support portal guide: the type of case decides what else support needs (the
invoice id, the coding rows, the column Transferred, ...); those fields appear when the type is
chosen, required ones marked with an asterisk. Pushed from the support screen, and from an
invoice's Support key with the invoice id filled in. A refused case keeps everything typed and
names the field; a submitted one shows its case number.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, ContentSwitcher, Input, Select, TextArea

from backend.domain.errors import N_, DomainError, ValidationError
from backend.services import tickets
from backend.services.tickets import CASE_TYPES, INVOICE_FIELD, CaseField

from ..widgets.form import FormField, clear_errors, show_error
from ..widgets.translated import FieldError, Msg, TButton, TInput, TLabel
from .base import PortalScreen
from .support_widgets import PromptSelect, UploadPicker, case_number

NO_TYPE = N_("Choose the type of case")

# Every further field of any case type, once, in the order the types list them. A field that
# several types ask for (the invoice id, the coding rows) is one input, so what was typed stays
# when the type changes.
ALL_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys(f.name for case in CASE_TYPES.values() for f in case.fields)
)


def field_key(name: str) -> str:
    """The ``error.field`` of a case type's field: ``invoice_id`` or ``fields.<name>``."""
    return name if name == INVOICE_FIELD else f"fields.{name}"


# The first declaration of each field: its label until a type is chosen.
FIRST_FIELDS: dict[str, CaseField] = {}
for _case in CASE_TYPES.values():
    for _field in _case.fields:
        FIRST_FIELDS.setdefault(_field.name, _field)


def required(msgid: str) -> Msg:
    """The label of a required field: translated, then marked with an asterisk."""
    return lambda t: t(msgid) + " *"


def _label(field: CaseField, one_of: tuple[str, ...]) -> Msg:
    return required(field.label) if field.required or field.name in one_of else field.label


def parse_invoice_id(text: str) -> int | None:
    value = text.strip().lstrip("#")
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 12:  # "²".isdigit()
        raise ValidationError(
            N_("The invoice id is a number, as shown in the invoice view."), field=INVOICE_FIELD
        )
    return int(value)


class NewCaseScreen(PortalScreen):
    TITLE_MSG = N_("Submit a case")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", N_("Submit")),
        Binding("escape", "back", N_("Back")),
    ]

    def __init__(self, invoice_id: int | None = None) -> None:
        super().__init__()
        self.invoice_id = invoice_id
        self.busy = False
        self.submitted: int | None = None

    # --- layout -----------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with ContentSwitcher(initial="new-case-form", id="new-case"):
            with VerticalScroll(id="new-case-form", classes="form"):
                yield TLabel(
                    N_(
                        "Describe the problem as accurately as possible. The type of case"
                        " decides what else support needs to know; fields marked * are"
                        " required."
                    ),
                    classes="support-intro",
                )
                yield FormField(
                    "subject", required(N_("Subject")), TInput(id="subject", compact=True)
                )
                yield FormField(
                    "case_type",
                    required(N_("Type of case")),
                    PromptSelect(
                        [(case.label, name) for name, case in CASE_TYPES.items()],
                        NO_TYPE,
                        self.app.t,  # type: ignore[attr-defined]
                        id="case-type",
                        compact=True,
                        **({"value": "invoice"} if self.invoice_id is not None else {}),
                    ),
                )
                yield FormField(
                    "body",
                    required(N_("Description")),
                    TextArea(id="body", compact=True, tab_behavior="focus"),
                )
                with Vertical(id="case-fields"):
                    for name in ALL_FIELDS:
                        control = TInput(id=f"field-{name}", compact=True)
                        if name == INVOICE_FIELD and self.invoice_id is not None:
                            control.value = str(self.invoice_id)
                        yield FormField(field_key(name), FIRST_FIELDS[name].label, control, hint="")
                yield FormField("attachments", N_("Attachments"), UploadPicker(id="attachments"))
                yield FieldError(id="form-error")
                with Horizontal(classes="buttons"):
                    yield TButton(N_("Submit"), id="submit", variant="primary", compact=True)
                    yield TButton(N_("Cancel"), id="cancel", compact=True)
            with Vertical(id="new-case-done"):
                yield TLabel("", id="done-text")
                with Horizontal(classes="buttons"):
                    yield TButton(N_("Back"), id="done-back", variant="primary", compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self._show_type_fields()
        self.query_one("#subject", Input).focus()

    # --- the type's fields ------------------------------------------------------------------

    def case_type(self) -> str | None:
        value = self.query_one("#case-type", Select).value
        return value if isinstance(value, str) else None

    def _show_type_fields(self) -> None:
        case = CASE_TYPES.get(self.case_type() or "")
        asked = {f.name: f for f in case.fields} if case is not None else {}
        for form_field in self.query_one("#case-fields").query(FormField):
            name = form_field.field.removeprefix("fields.")
            field = asked.get(name)
            form_field.display = field is not None
            if field is None or case is None:
                continue
            form_field.query_one(".form-label", TLabel).set_msg(_label(field, case.one_of))
            hint = form_field.query(".form-hint")
            if hint:
                hint.first(TLabel).set_msg(field.hint or "")
                hint.first().display = field.hint is not None

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "case-type":
            self._show_type_fields()

    # --- submitting -------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "submit":
            self.action_submit()
        elif event.button.id in ("cancel", "done-back"):
            self.action_back()

    def action_back(self) -> None:
        self.dismiss(self.submitted)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit":
            return self.submitted is None
        return True

    def action_submit(self) -> None:
        if self.busy or self.submitted is not None:
            return
        clear_errors(self)
        self.query_one("#form-error", FieldError).show(None)
        try:
            request = self._request()
        except DomainError as error:
            self._show_error(error)
            return
        self.busy = True
        self.run_worker(self._submit(request), name="submit-case", exclusive=True)

    def _value(self, name: str) -> str:
        return self.query_one(f"#field-{name}", Input).value

    def _request(self) -> dict[str, Any]:
        case_type = self.case_type() or ""
        case = CASE_TYPES.get(case_type)
        asked = [f.name for f in case.fields] if case is not None else []
        invoice_id = (
            parse_invoice_id(self._value(INVOICE_FIELD)) if INVOICE_FIELD in asked else None
        )
        return {
            "case_type": case_type,
            "subject": self.query_one("#subject", Input).value,
            "body": self.query_one("#body", TextArea).text,
            "invoice_id": invoice_id,
            "fields": {name: self._value(name) for name in asked if name != INVOICE_FIELD},
            "upload_names": self.query_one(UploadPicker).selected,
        }

    async def _submit(self, request: dict[str, Any]) -> None:
        service = self.app.service  # type: ignore[attr-defined]
        try:
            view = await service(
                tickets.open_ticket,
                request["case_type"],
                request["subject"],
                request["body"],
                invoice_id=request["invoice_id"],
                fields=request["fields"],
                upload_names=request["upload_names"],
            )
        except DomainError as error:
            self._show_error(error)
            return
        finally:
            self.busy = False
        self.submitted = view.id
        number = case_number(view.id)
        self.query_one("#done-text", TLabel).set_msg(
            lambda t: t(
                "Thank you. Your case {number} has been submitted. Support will answer it"
                " here and tell you by e-mail; you can follow it under Support (F10).",
                number=number,
            )
        )
        self.query_one("#new-case", ContentSwitcher).current = "new-case-done"
        self.query_one("#done-back", Button).focus()
        self.refresh_bindings()

    def _show_error(self, error: DomainError) -> None:
        if show_error(self.query_one("#new-case-form"), error) is None:
            self.query_one("#form-error", FieldError).show(error)
