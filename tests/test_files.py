"""The user file area: hostile names made safe, per-user trees, no symlink ever followed."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.config import Settings
from backend.domain.errors import ValidationError
from backend.files import (
    NAME_MAX_BYTES,
    PARTIAL_PREFIX,
    STALE_PARTIAL_SECONDS,
    Area,
    UserFiles,
    checked_filename,
    is_clean_filename,
    sanitise_filename,
)
from backend.services.errors import Conflict, NotFound


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("invoice.xml", "invoice.xml"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ("/etc/passwd", "_etc_passwd"),
        ("..\\..\\boot.ini", "_.._boot.ini"),
        (".bashrc", "bashrc"),
        ("...", None),
        ("  spaced   out  name .pdf ", "spaced out name .pdf"),
        ("tab\there\nnewline", "tabherenewline"),
        ("nul\x00byte", "nulbyte"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),  # right-to-left override dropped
        ("zero\u200bwidth", "zerowidth"),
        ("e\u0301te\u0301.txt", "été.txt"),  # NFD becomes NFC
        ('a<b>c:d"e|f?g*h', "a_b_c_d_e_f_g_h"),
        ("faktura 2024-001 (kopia).pdf", "faktura 2024-001 (kopia).pdf"),
        ("name.", "name"),
        ("", None),
        ("\x01\x02", None),
    ],
)
def test_sanitise_filename(raw: str, clean: str | None) -> None:
    if clean is None:
        with pytest.raises(ValidationError):
            sanitise_filename(raw)
    else:
        assert sanitise_filename(raw) == clean


def test_long_names_are_cut_keeping_the_extension() -> None:
    name = sanitise_filename("å" * 300 + ".xml")
    assert name.endswith(".xml")
    assert len(name.encode()) <= NAME_MAX_BYTES
    assert name.startswith("åå")
    assert sanitise_filename(name) == name


@given(st.text(max_size=300))
def test_sanitise_is_idempotent_and_yields_one_safe_component(raw: str) -> None:
    try:
        clean = sanitise_filename(raw)
    except ValidationError:
        return
    assert sanitise_filename(clean) == clean
    assert "/" not in clean and "\\" not in clean and "\x00" not in clean
    assert not clean.startswith((".", " "))
    assert clean not in (".", "..")
    assert len(clean.encode()) <= NAME_MAX_BYTES
    assert all(ord(c) >= 32 for c in clean)


def test_checked_filename_refuses_with_a_suggestion() -> None:
    assert checked_filename("ok.xml") == "ok.xml"
    with pytest.raises(ValidationError) as caught:
        checked_filename("../secret.xml")
    assert caught.value.params["suggestion"] == "_secret.xml"
    assert not is_clean_filename(".part-1234")


@pytest.fixture
def files(tmp_path: Path) -> UserFiles:
    return UserFiles.for_user(tmp_path, 7)


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_tree_is_per_user_and_private(tmp_path: Path, files: UserFiles) -> None:
    assert files.downloads == tmp_path / "files" / "7" / "downloads"
    assert files.upload == tmp_path / "files" / "7" / "upload"
    for path in (files.root, files.downloads, files.upload):
        assert path.is_dir()
        assert _mode(path) & 0o077 == 0
    other = UserFiles.for_user(tmp_path, 8)
    files.write_download("mine.pdf", b"mine")
    assert other.list_downloads() == []
    with pytest.raises(ValueError):
        UserFiles.for_user(tmp_path, 0)
    with pytest.raises(ValueError):
        UserFiles.for_user(tmp_path, "../7")  # type: ignore[arg-type]


def test_limits_come_from_settings(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "PORTAL_DATA_DIR": str(tmp_path),
            "PORTAL_UPLOAD_MAX_BYTES": "1234",
            "PORTAL_UPLOAD_MAX_FILES": "3",
        }
    )
    files = UserFiles.from_settings(settings, 5)
    assert (files.max_bytes, files.max_files) == (1234, 3)
    assert files.root == tmp_path / "files" / "5"


def test_write_download_sanitises_and_never_overwrites(files: UserFiles) -> None:
    assert files.write_download("report.pdf", b"one") == "/downloads/report.pdf"
    assert files.write_download("report.pdf", b"two") == "/downloads/report (2).pdf"
    assert files.write_download("../report.pdf", b"three") == "/downloads/_report.pdf"
    assert files.write_download("README", b"x") == "/downloads/README"
    assert files.write_download("README", b"y") == "/downloads/README (2)"
    assert files.read_download("report.pdf") == b"one"
    assert files.read_download("report (2).pdf") == b"two"
    names = sorted(os.listdir(files.downloads))
    assert names == ["README", "README (2)", "_report.pdf", "report (2).pdf", "report.pdf"]
    assert all(_mode(files.downloads / n) == 0o600 for n in names)


def _put_upload(files: UserFiles, name: str, data: bytes) -> None:
    with files.opened(Area.UPLOAD) as dir_fd:
        partial, fd = files.start_partial(dir_fd)
        os.write(fd, data)
        os.close(fd)
        files.commit_partial(dir_fd, partial, name, replace=True)


def test_uploads_listed_read_and_removed(files: UserFiles) -> None:
    _put_upload(files, "b.xml", b"<b/>")
    _put_upload(files, "a.xml", b"<a/>")
    listed = files.list_uploads()
    assert [(f.name, f.size) for f in listed] == [("a.xml", 4), ("b.xml", 4)]
    assert listed[0].modified.tzinfo is not None
    assert files.read_upload("a.xml") == b"<a/>"
    files.remove_upload("a.xml")
    assert [f.name for f in files.list_uploads()] == ["b.xml"]
    with pytest.raises(NotFound):
        files.read_upload("a.xml")
    with pytest.raises(NotFound):
        files.remove_upload("a.xml")


def test_read_refuses_traversal_and_odd_names(files: UserFiles, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("secret")
    for name in ("../../../secret.txt", "../downloads/x", "/etc/passwd", ".", "..", ""):
        with pytest.raises((ValidationError, NotFound)):
            files.read_upload(name)
        with pytest.raises((ValidationError, NotFound)):
            files.remove_upload(name)
    assert (tmp_path / "secret.txt").exists()


def test_planted_symlinks_fifos_and_folders_are_never_followed(
    files: UserFiles, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (files.upload / "link.xml").symlink_to(secret)
    (files.upload / "folder").mkdir()
    os.mkfifo(files.upload / "pipe.xml")
    (files.upload / ".part-abc").write_bytes(b"half")
    _put_upload(files, "real.xml", b"real")
    assert [f.name for f in files.list_uploads()] == ["real.xml"]
    for name in ("link.xml", "folder", "pipe.xml"):
        with pytest.raises(NotFound):
            files.read_upload(name)  # the FIFO must not block: opened non-blocking
    with pytest.raises(NotFound):
        files.remove_upload("link.xml")
    assert secret.read_text() == "secret"
    assert (files.upload / "link.xml").is_symlink()


def test_an_area_that_is_a_symlink_is_refused(tmp_path: Path) -> None:
    files = UserFiles.for_user(tmp_path, 9)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    files.root.mkdir(parents=True)
    (files.root / "upload").symlink_to(elsewhere)
    with pytest.raises(OSError):
        files.list_uploads()
    with pytest.raises(OSError):
        files.open_area(Area.UPLOAD)


def test_commit_partial_limits_and_conflicts(tmp_path: Path) -> None:
    files = UserFiles.for_user(tmp_path, 3, max_files=2)
    _put_upload(files, "one.xml", b"1")
    _put_upload(files, "two.xml", b"2")
    _put_upload(files, "two.xml", b"2b")  # replacing does not count as a new file
    assert files.read_upload("two.xml") == b"2b"
    with files.opened(Area.UPLOAD) as dir_fd:
        partial, fd = files.start_partial(dir_fd)
        os.close(fd)
        with pytest.raises(Conflict):
            files.commit_partial(dir_fd, partial, "three.xml", replace=True)
        partial, fd = files.start_partial(dir_fd)
        os.close(fd)
        with pytest.raises(Conflict):
            files.commit_partial(dir_fd, partial, "one.xml", replace=False)
    assert sorted(os.listdir(files.upload)) == ["one.xml", "two.xml"]


def test_read_upload_refuses_a_file_over_the_limit(tmp_path: Path) -> None:
    files = UserFiles.for_user(tmp_path, 4, max_bytes=10)
    (files.upload / "big.xml").write_bytes(b"x" * 11)
    with pytest.raises(ValidationError):
        files.read_upload("big.xml")


def test_rename_upload(files: UserFiles) -> None:
    _put_upload(files, "a.xml.filepart", b"a")
    _put_upload(files, "b.xml", b"b")
    files.rename_upload("a.xml.filepart", "a.xml", replace=False)
    with pytest.raises(Conflict):
        files.rename_upload("a.xml", "b.xml", replace=False)
    with pytest.raises(ValidationError):
        files.rename_upload("a.xml", "../a.xml", replace=True)
    files.rename_upload("a.xml", "b.xml", replace=True)
    assert [(f.name, f.size) for f in files.list_uploads()] == [("b.xml", 1)]
    assert files.read_upload("b.xml") == b"a"


def test_stale_partials_are_swept(files: UserFiles) -> None:
    old = files.upload / f"{PARTIAL_PREFIX}old"
    new = files.upload / f"{PARTIAL_PREFIX}new"
    old.write_bytes(b"x")
    new.write_bytes(b"x")
    past = old.stat().st_mtime - STALE_PARTIAL_SECONDS - 60
    os.utime(old, (past, past))
    assert files.sweep_stale_partials() == 1
    assert not old.exists() and new.exists()
