"""Add a customer that is not a portal member: it receives its invoices by e-mail. The service
checks the identifiers; an error is shown under its field and everything typed stays."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input

from backend.domain.errors import N_, DomainError
from backend.services import customers

from ..widgets.form import FormField, clear_errors, show_error
from ..widgets.translated import FieldError, Msg, TButton, TInput, TLabel
from .customer_widgets import CustomerAdded, Pane

# (service argument and field name, label, hint)
FIELDS: tuple[tuple[str, Msg, Msg | None], ...] = (
    ("name", N_("Name"), None),
    ("email", N_("E-mail address"), N_("Required: the invoices are sent to this address.")),
    ("country", N_("Country"), N_("Two letters, e.g. SE or NL.")),
    ("org_id", N_("Organisation number"), None),
    ("vat_number", N_("VAT number"), None),
    ("peppol_id", N_("Peppol id"), N_("Scheme and number, e.g. 0007:5560360793.")),
    ("customer_number", N_("Your customer number"), None),
)


class ExternalPane(Pane):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "add", N_("Add customer")),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.busy = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="external-form"):
            yield TLabel(
                N_(
                    "Customers that are not members of the portal receive your invoices by"
                    " e-mail, as a PDF with the e-invoice attached."
                ),
                classes="pane-note",
            )
            for field, label, hint in FIELDS:
                yield FormField(
                    field, label, TInput(id=f"external-{field}", compact=True), hint=hint
                )
            yield FieldError(id="external-error", classes="pane-error")
            with Horizontal(classes="buttons"):
                yield TButton(
                    N_("Add customer"), id="external-add", variant="primary", compact=True
                )

    def focus_first(self) -> None:
        self.query_one("#external-name").focus()

    def _value(self, field: str) -> str:
        return self.query_one(f"#external-{field}", Input).value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter moves to the next field; on the last one it adds the customer."""
        event.stop()
        inputs = list(self.query(Input))
        position = inputs.index(event.input)
        if position + 1 < len(inputs):
            inputs[position + 1].focus()
        else:
            self.action_add()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "external-add":
            self.action_add()

    def action_add(self) -> None:
        if self.busy:
            return
        self.busy = True
        values = {field: self._value(field) for field, _label, _hint in FIELDS}
        self.run_worker(self._add(values), group="external", exclusive=True)

    async def _add(self, values: dict[str, str]) -> None:
        clear_errors(self)
        self.query_one("#external-error", FieldError).show(None)
        try:
            view = await self.app.service(  # type: ignore[attr-defined]
                customers.add_external_customer,
                values["name"],
                values["email"],
                values["customer_number"],
                country=values["country"],
                org_id=values["org_id"],
                vat_number=values["vat_number"],
                peppol_id=values["peppol_id"],
            )
        except DomainError as error:
            if show_error(self, error) is None:
                self.query_one("#external-error", FieldError).show(error)
            return
        finally:
            self.busy = False
        for field, _label, _hint in FIELDS:
            self.query_one(f"#external-{field}", Input).value = ""
        self.post_message(CustomerAdded(view))
