"""The ``invoice-portal`` command against a real SQLite file in a temporary data directory."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from backend.cli import main
from backend.config import Settings
from backend.db.models import Company, DirectoryEntry, RegistrationCode, User
from backend.db.models.accounts import CompanyStatus, MembershipLevel
from backend.services.context import Portal

ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl anna"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PORTAL_DATABASE_URL", raising=False)
    monkeypatch.setenv("PORTAL_LANGUAGE", "en")
    assert main(["db", "upgrade"]) == 0
    with _portal(tmp_path).sessions.begin() as session:
        session.add(Company(country="SE", org_id="5560360793", name="Acme AB"))
    return tmp_path


def _portal(data_dir: Path) -> Portal:
    return Portal.from_settings(Settings.from_env({"PORTAL_DATA_DIR": str(data_dir)}))


def _run(
    argv: list[str], capsys: pytest.CaptureFixture[str], stdin: str = ""
) -> tuple[int, str, str]:
    sys.stdin = io.StringIO(stdin)
    try:
        code = main(argv)
    finally:
        sys.stdin = sys.__stdin__
    out, err = capsys.readouterr()
    return code, out, err


def test_user_add_with_password_then_key(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(
        [
            "user",
            "add",
            "Anna@Acme.se",
            "--company",
            "SE:5560360793",
            "--role",
            "company_admin",
            "--may-approve",
            "--language",
            "sv",
            "--password-stdin",
        ],
        capsys,
        stdin="hemligt123\n",
    )
    assert code == 0 and "anna@acme.se" in out.lower()
    key = data_dir / "id.pub"
    key.write_text(ED25519 + "\n")
    code, out, _ = _run(["user", "add-key", "anna@acme.se", str(key)], capsys)
    assert code == 0 and "SHA256:" in out
    with _portal(data_dir).sessions() as session:
        user = session.scalars(select(User)).one()
        assert (user.email, user.language, user.may_approve, user.active) == (
            "anna@acme.se",
            "sv",
            True,
            True,
        )
        assert len(user.keys) == 1


def test_user_add_without_password_prints_an_activation_code(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(["user", "add", "bo@acme.se", "--company", "5560360793"], capsys)
    assert code == 0 and "Activation code:" in out


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (
            ["user", "add", "x@acme.se", "--company", "999", "--password-stdin"],
            "abc12345\n",
            "organisation id 999",
        ),
        (
            ["user", "add", "x@acme.se", "--company", "5560360793", "--password-stdin"],
            "short\n",
            "at least 8",
        ),
        (["user", "add", "not-an-address", "--company", "5560360793"], "", "not an e-mail address"),
        (["user", "add-key", "nobody@acme.se", "/nonexistent/key.pub"], "", "Cannot read"),
        (["codes", "add", "bad code!", "--level", "plus"], "", "registration code"),
        (["registry", "import", "/nonexistent.csv"], "", "Cannot read"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line(
    data_dir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], stdin: str, message: str
) -> None:
    code, out, err = _run(argv, capsys, stdin)
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and message in err


def test_registry_import_reports_bad_rows_and_keeps_good_ones(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_file = data_dir / "registry.csv"
    csv_file.write_text(
        "country,org_id,name,street,postal_code,city,vat_number\n"
        "SE,202100-5489,Volvo AB,Gropegårdsgatan 2,417 15,Göteborg,SE202100548901\n"
        "SE,5560360794,Broken checksum AB,,,,\n"
        "NL,12345678,Bakker BV,Dam 1,1012 JS,Amsterdam,\n",
        encoding="utf-8",
    )
    code, out, _ = _run(["registry", "import", str(csv_file)], capsys)
    assert code == 0
    assert out.splitlines()[0] == "2 added, 0 updated, 1 rejected."
    assert "line 3: org_id:" in out
    with _portal(data_dir).sessions() as session:
        names = session.scalars(select(DirectoryEntry.name).order_by(DirectoryEntry.name)).all()
    assert names == ["Bakker BV", "Volvo AB"]


def test_company_level_and_codes(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["company", "level", "5560360793", "premium"], capsys)[0] == 0
    assert _run(["codes", "add", "partner-2026", "--level", "plus", "--uses", "5"], capsys)[0] == 0
    with _portal(data_dir).sessions() as session:
        assert session.scalars(select(Company.level)).one() is MembershipLevel.PREMIUM
        code = session.scalars(select(RegistrationCode)).one()
        assert (code.code, code.level, code.uses_left) == ("PARTNER-2026", MembershipLevel.PLUS, 5)


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["db"],
        ["db", "upgrade"],
        ["demo-data"],
        ["user", "add"],
        ["user", "add-key"],
        ["registry", "import"],
        ["company", "level"],
        ["codes", "add"],
        ["integration", "poll"],
    ],
)
def test_every_subcommand_has_help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    assert exit_.value.code == 0
    assert "usage: invoice-portal" in capsys.readouterr().out


def test_console_script_is_installed_and_fails_cleanly(tmp_path: Path) -> None:
    script = shutil.which("invoice-portal", path=str(Path(sys.executable).parent))
    assert script is not None
    result = subprocess.run(
        [script, "--data-dir", str(tmp_path), "company", "level", "1", "gold"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2  # argparse: invalid choice
    assert "invalid choice" in result.stderr


def test_demo_data_once_loads_then_only_prints_the_logins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PORTAL_DATABASE_URL", raising=False)
    monkeypatch.setenv("PORTAL_LANGUAGE", "en")
    code, out, _ = _run(["demo-data", "--invoices", "40", "--once"], capsys)
    assert code == 0
    logins = [line for line in out.splitlines() if line.startswith("login: ")]
    assert len(logins) >= 6
    assert any(line.startswith("login: anna@acme.example password: demo2026") for line in logins)
    assert _run(["demo-data", "--once"], capsys)[1].splitlines() == out.splitlines()
    code, out, err = _run(["demo-data"], capsys)
    assert (code, out) == (1, "") and "already" in err


def test_settings_never_show_their_passwords() -> None:
    settings = Settings.from_env(
        {
            "PORTAL_DATA_DIR": "/srv/portal",
            "PORTAL_DATABASE_URL": "postgresql://portal:dbsecret@db.internal/portal",
            "PORTAL_SMTP_URL": "smtp://mailer:mailsecret@mail.internal:587",
        }
    )
    shown = repr(settings)
    assert "dbsecret" not in shown and "mailsecret" not in shown
    assert "/srv/portal" in shown


def test_integration_poll_once_imports_what_is_due(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.integration.integration_world import add_nordisk, enable_integration, invoice_file
    from tests.integration.servers import sftp_server

    portal = _portal(data_dir)
    with portal.sessions.begin() as session:
        acme = session.query(Company).one()
        acme.level, acme.status = MembershipLevel.PLUS, CompanyStatus.ACTIVE
        acme.org_id, acme.country, acme.vat_number = "5560360793", "SE", "SE556036079301"
        acme_id = acme.id
    add_nordisk(portal, acme_id)
    remote = data_dir / "erp"
    remote.mkdir()
    (remote / "CLI-1.xml").write_bytes(invoice_file("CLI-1"))
    with sftp_server(remote) as server:
        enable_integration(portal, acme_id, server)
        code, out, _err = _run(["integration", "poll", "--once"], capsys)
    assert (code, out.strip()) == (0, "1 file imported.")
    assert list(remote.iterdir()) == []
