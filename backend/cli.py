"""The ``invoice-portal`` command: database, demo data, users, keys, registry, levels, codes.

The operator at the command line acts as ``SYSTEM`` (a portal admin) through the same use cases
the screens call. Errors end in one line on stderr and a non-zero exit status.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .db.migrate import upgrade
from .db.models import Role
from .db.models.accounts import ROLE_LABELS, MembershipLevel
from .domain.errors import DomainError
from .i18n import Translator, translator
from .services import accounts, companies, directory
from .services.context import SYSTEM, Portal

EXIT_USAGE = 2
EXIT_FAILED = 1


def _operator_language(environ: dict[str, str]) -> str:
    """PORTAL_LANGUAGE, else the language of LANG (``sv_SE.UTF-8`` -> ``sv``)."""
    return environ.get("PORTAL_LANGUAGE") or environ.get("LANG", "en")[:2]


class CliError(Exception):
    """A one-line failure for the operator, already translated."""


@dataclass(frozen=True, slots=True)
class CommandOutput:
    """What a command prints and the exit status it ends with (when not simply 0)."""

    text: str
    status: int


def _environ(args: argparse.Namespace) -> dict[str, str]:
    environ = dict(os.environ)
    if args.data_dir:
        environ["PORTAL_DATA_DIR"] = args.data_dir
    return environ


def _portal(args: argparse.Namespace) -> Portal:
    return Portal.from_settings(Settings.from_env(_environ(args)))


def _company_id(portal: Portal, text: str) -> int:
    country, _, org_id = text.rpartition(":")
    return companies.find_company_id(portal, SYSTEM, org_id, country or None)


def cmd_db_upgrade(args: argparse.Namespace, t: Translator) -> str:
    upgrade(_portal(args).engine)
    return t("Database is up to date.")


def cmd_demo_data(args: argparse.Namespace, t: Translator) -> str:
    from .demo import DEMO_LOGINS, has_demo_data, load_demo_data

    portal = _portal(args)
    upgrade(portal.engine)
    if args.once and has_demo_data(portal):
        logins = DEMO_LOGINS
    else:
        logins = load_demo_data(portal, invoices=args.invoices, seed=args.seed)
    return "\n".join(
        f"login: {login.email} password: {login.password}  "
        f"({login.language}, {t(ROLE_LABELS[Role(login.role)])}, {login.company_name})"
        for login in logins
    )


def _read_password(t: Translator) -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise CliError(t("No password on standard input."))
    return password


def cmd_user_add(args: argparse.Namespace, t: Translator) -> str:
    portal = _portal(args)
    password = _read_password(t) if args.password_stdin else None
    code = companies.add_user(
        portal,
        SYSTEM,
        _company_id(portal, args.company),
        args.email,
        name=args.name or "",
        role=Role(args.role),
        may_approve=args.may_approve,
        language=args.language,
        password=password,
    )
    if code is None:
        return t("User {email} added.", email=args.email)
    return t("User {email} added. Activation code: {code}", email=args.email, code=code.code)


def cmd_user_add_key(args: argparse.Namespace, t: Translator) -> str:
    portal = _portal(args)
    try:
        text = Path(args.keyfile).read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise CliError(
            t("Cannot read {path}: {reason}", path=args.keyfile, reason=error.strerror)
        ) from None
    key = accounts.add_public_key(portal, SYSTEM, text, email=args.email)
    return t("Key {fingerprint} added for {email}.", fingerprint=key.fingerprint, email=args.email)


def cmd_registry_import(args: argparse.Namespace, t: Translator) -> str:
    portal = _portal(args)
    try:
        with open(args.file, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = {"country", "org_id", "name"} - set(reader.fieldnames or ())
            if missing:
                raise CliError(
                    t("The file lacks the column(s): {columns}", columns=", ".join(sorted(missing)))
                )
            report = directory.import_registry(portal, SYSTEM, list(reader))
    except OSError as error:
        raise CliError(
            t("Cannot read {path}: {reason}", path=args.file, reason=error.strerror)
        ) from None
    except (UnicodeDecodeError, csv.Error):
        raise CliError(t("{path} is not a UTF-8 CSV file.", path=args.file)) from None
    lines = [
        t(
            "{added} added, {updated} updated, {rejected} rejected.",
            added=report.added,
            updated=report.updated,
            rejected=len(report.rejected),
        )
    ]
    lines += [
        t(
            "line {line}: {field}: {message}",
            line=line,
            field=error.field or "-",
            message=t.error(error),
        )
        for line, error in report.rejected
    ]
    return "\n".join(lines)


def cmd_company_level(args: argparse.Namespace, t: Translator) -> str:
    portal = _portal(args)
    companies.set_membership_level(
        portal, SYSTEM, _company_id(portal, args.org_id), MembershipLevel(args.level)
    )
    return t("Membership level set to {level}.", level=args.level)


def cmd_codes_add(args: argparse.Namespace, t: Translator) -> str:
    portal = _portal(args)
    companies.add_registration_code(
        portal, SYSTEM, args.code, MembershipLevel(args.level), args.uses
    )
    return t("Registration code {code} added.", code=args.code.upper())


def cmd_validate(args: argparse.Namespace, t: Translator) -> CommandOutput:
    from .formats.validate_files import as_json, as_text, validate_files
    from .formats.xsd import schema_dir

    schemas = schema_dir(Settings.from_env(_environ(args)).data_dir)
    if schemas is None:
        print(
            t(
                "invoice-portal: the UBL 2.1 schemas are not installed, so the XSD check is "
                "skipped (set PORTAL_UBL_XSD_DIR or run 'invoice-portal schemas import ZIP')."
            ),
            file=sys.stderr,
        )
    verdicts = validate_files(args.files, rules=args.rules, schema_directory=schemas)
    text = as_json(verdicts) if args.json else as_text(verdicts, t)
    return CommandOutput(text, 0 if all(v.valid for v in verdicts) else EXIT_FAILED)


def cmd_schemas_import(args: argparse.Namespace, t: Translator) -> str:
    from .formats.schemas_import import SchemaImportError, import_schemas

    data_dir = Settings.from_env(_environ(args)).data_dir
    try:
        directory = import_schemas(Path(args.zip), data_dir)
    except SchemaImportError as error:
        raise CliError(t.error(error)) from None
    return t("UBL 2.1 schemas installed in {directory}.", directory=directory)


def cmd_serve(args: argparse.Namespace, t: Translator) -> CommandOutput:
    # The front end lives in tui/ (the backend never imports the screen at module level).
    import importlib

    ssh = importlib.import_module("tui.ssh.settings")
    server = importlib.import_module("tui.ssh.server")
    environ = _environ(args)
    try:
        ssh_settings = ssh.SSHSettings.from_env(environ).with_address(args.host, args.port)
    except ssh.SSHSettingsError as error:
        raise CliError(t("Not a number: {setting}", setting=str(error))) from None
    return CommandOutput("", server.serve(Settings.from_env(environ), ssh_settings))


def cmd_integration_poll(args: argparse.Namespace, t: Translator) -> str:
    from .integration.runner import poll_until_signalled

    count = poll_until_signalled(Settings.from_env(_environ(args)), once=args.once)
    return t.ngettext("{count} file imported.", "{count} files imported.", count).format(
        count=count
    )


def cmd_render(args: argparse.Namespace, t: Translator) -> CommandOutput:
    from .formats.csv_export import invoices_to_csv
    from .formats.pdf import render_pdf
    from .formats.ubl_reader import read_ubl

    if not args.pdf and not args.csv:
        print(t("invoice-portal render: give --pdf OUT.pdf and/or --csv OUT.csv"), file=sys.stderr)
        return CommandOutput("", EXIT_USAGE)
    try:
        data = Path(args.file).read_bytes()
    except OSError as error:
        raise CliError(
            t("Cannot read {path}: {reason}", path=args.file, reason=error.strerror)
        ) from None
    invoice = read_ubl(data).invoice  # XmlReadError (a DomainError) ends in one line
    outputs: list[tuple[str, Callable[[], bytes]]] = []
    if args.pdf:
        reader = translator(args.lang) if args.lang else t
        outputs.append((args.pdf, lambda: render_pdf(invoice, reader)))
    if args.csv:
        outputs.append((args.csv, lambda: invoices_to_csv([invoice])))
    for path, make in outputs:
        try:
            content = make()
        except ArithmeticError:  # amounts too large or too precise to compute with
            raise CliError(t("{path}: the amounts cannot be computed.", path=args.file)) from None
        try:
            Path(path).write_bytes(content)
        except OSError as error:
            raise CliError(
                t("Cannot write {path}: {reason}", path=path, reason=error.strerror)
            ) from None
    return CommandOutput("", 0)


def build_parser(t: Translator) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="invoice-portal",
        description=t(
            "Invoice Portal: e-invoicing over SSH. Settings come from PORTAL_* variables."
        ),
    )
    parser.add_argument("--data-dir", help=t("data directory (default: PORTAL_DATA_DIR or ./var)"))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = commands.add_parser("db", help=t("database schema")).add_subparsers(
        dest="action", required=True
    )
    db.add_parser("upgrade", help=t("apply the migrations")).set_defaults(run=cmd_db_upgrade)

    demo = commands.add_parser("demo-data", help=t("load demo companies, users and invoices"))
    demo.add_argument(
        "--invoices", type=int, default=200, help=t("how many invoices (default 200)")
    )
    demo.add_argument("--seed", type=int, default=1, help=t("random seed"))
    demo.add_argument(
        "--once", action="store_true", help=t("do nothing if loaded already; print the logins")
    )
    demo.set_defaults(run=cmd_demo_data)

    user = commands.add_parser("user", help=t("users and their SSH keys")).add_subparsers(
        dest="action", required=True
    )
    add = user.add_parser("add", help=t("add a user to a company"))
    add.add_argument("email")
    add.add_argument("--company", required=True, help=t("organisation id, optionally COUNTRY:ID"))
    add.add_argument("--role", default=Role.MEMBER.value, choices=[r.value for r in Role])
    add.add_argument("--name", default="")
    add.add_argument("--language", default="en", choices=["en", "nl", "sv"])
    add.add_argument("--may-approve", action="store_true", help=t("may approve invoices"))
    add.add_argument(
        "--password-stdin", action="store_true", help=t("read the password from standard input")
    )
    add.set_defaults(run=cmd_user_add)
    key = user.add_parser("add-key", help=t("let a user log in with an SSH public key"))
    key.add_argument("email")
    key.add_argument("keyfile")
    key.set_defaults(run=cmd_user_add_key)

    registry = commands.add_parser("registry", help=t("the company directory")).add_subparsers(
        dest="action", required=True
    )
    imp = registry.add_parser(
        "import",
        help=t("import a CSV file (country,org_id,name,street,postal_code,city,vat_number)"),
    )
    imp.add_argument("file")
    imp.set_defaults(run=cmd_registry_import)

    company = commands.add_parser("company", help=t("member companies")).add_subparsers(
        dest="action", required=True
    )
    level = company.add_parser("level", help=t("set the membership level"))
    level.add_argument("org_id", help=t("organisation id, optionally COUNTRY:ID"))
    level.add_argument("level", choices=[m.value for m in MembershipLevel])
    level.set_defaults(run=cmd_company_level)

    codes = commands.add_parser("codes", help=t("registration codes")).add_subparsers(
        dest="action", required=True
    )
    code = codes.add_parser("add", help=t("add a registration code"))
    code.add_argument("code")
    code.add_argument("--level", required=True, choices=[m.value for m in MembershipLevel])
    code.add_argument(
        "--uses",
        type=int,
        default=None,
        help=t("how many times it may be used (default: unlimited)"),
    )
    code.set_defaults(run=cmd_codes_add)

    check = commands.add_parser("validate", help=t("validate UBL invoices and credit notes"))
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument("--json", action="store_true", help=t("one JSON array, an object per file"))
    check.add_argument(
        "--rules",
        default="auto",
        choices=["auto", "en16931", "peppol", "nlcius"],
        help=t("rule sets (default auto: chosen from the CustomizationID)"),
    )
    check.set_defaults(run=cmd_validate)

    render = commands.add_parser("render", help=t("an invoice file as PDF and/or CSV"))
    render.add_argument("file", metavar="FILE.xml", help=t("a UBL invoice or credit note"))
    render.add_argument("--pdf", metavar="OUT.pdf", help=t("write the PDF here"))
    render.add_argument("--csv", metavar="OUT.csv", help=t("write the CSV here"))
    render.add_argument(
        "--lang",
        choices=["en", "nl", "sv"],
        help=t("language of the PDF (default: PORTAL_LANGUAGE or LANG)"),
    )
    render.set_defaults(run=cmd_render)

    serve = commands.add_parser("serve", help=t("run the SSH front end (Ctrl-C stops it)"))
    serve.add_argument(
        "--host", help=t("address to listen on (default: PORTAL_SSH_HOST or 127.0.0.1)")
    )
    serve.add_argument(
        "--port", type=int, help=t("port to listen on (default: PORTAL_SSH_PORT or 2222)")
    )
    serve.add_argument(
        "--data-dir", default=argparse.SUPPRESS, help=t("data directory (as before the command)")
    )
    serve.set_defaults(run=cmd_serve)

    from .delivery.command import add_worker_command  # the delivery worker's own options

    add_worker_command(commands, t)

    integration = commands.add_parser(
        "integration", help=t("fetching invoice files from business systems")
    ).add_subparsers(dest="action", required=True)
    poll = integration.add_parser(
        "poll", help=t("fetch and import files from every due business system (Ctrl-C stops it)")
    )
    poll.add_argument("--once", action="store_true", help=t("poll what is due now, then stop"))
    poll.add_argument(
        "--data-dir", default=argparse.SUPPRESS, help=t("data directory (as before the command)")
    )
    poll.set_defaults(run=cmd_integration_poll)

    schemas = commands.add_parser("schemas", help=t("the UBL 2.1 XSD schemas")).add_subparsers(
        dest="action", required=True
    )
    schemas_import = schemas.add_parser(
        "import", help=t("unpack the official OASIS UBL 2.1 release zip into the data directory")
    )
    schemas_import.add_argument("zip", metavar="ZIP")
    schemas_import.set_defaults(run=cmd_schemas_import)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    t = translator(_operator_language(dict(os.environ)))
    args = build_parser(t).parse_args(argv)
    run: Callable[[argparse.Namespace, Translator], str | CommandOutput] = args.run
    try:
        output = run(args, t)
    except CliError as error:
        print(f"invoice-portal: {error}", file=sys.stderr)
        return EXIT_FAILED
    except DomainError as error:
        where = f"{error.field}: " if error.field else ""
        print(f"invoice-portal: {where}{t.error(error)}", file=sys.stderr)
        return EXIT_FAILED
    if isinstance(output, CommandOutput):
        if output.text:
            print(output.text)
        return output.status
    if output:
        print(output)
    return 0
