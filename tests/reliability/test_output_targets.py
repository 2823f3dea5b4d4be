"""Where `-o`/`--output` writes, as coreutils' `sort -o` and `cp` would.

An output that is one of the inputs is refused before any work; a device, FIFO or socket
is written into, never replaced by a regular file; a symlink is written through to its
target; a full disk is an error and the old file stays. RELIABILITY.md lists these rows.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

FAKE = ["--backend", "fake", "-q"]
NO_MODEL = ["--model", "/nonexistent/model.gguf"]  # any work at all would fail on this
TEXT = "Alice went to the market. She bought apples and pears. Bob stayed home and read. " * 20


def one_line_error(r: subprocess.CompletedProcess[str], code: int, *needles: str) -> None:
    assert r.returncode == code, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith("longcli: ") and r.stderr.count("\n") == 1, r.stderr
    for needle in needles:
        assert needle in r.stderr, r.stderr


def notes(tmp_path: Path, name: str = "notes.txt") -> Path:
    path = tmp_path / name
    path.write_text(TEXT)
    return path


def leftovers(*directories: Path) -> list[str]:
    """Temp files an atomic write left behind."""
    return [p.name for d in directories for p in d.iterdir() if p.name.endswith(".tmp")]


def summary_on_stdout(run, source: Path) -> str:
    r = run("summarize", str(source), *FAKE)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.parametrize("alias", ["itself", "a symlink to it", "a hard link to it"])
def test_output_onto_its_own_input_is_refused_before_any_work(run, tmp_path: Path, alias: str):
    source = notes(tmp_path)
    output = {"itself": source, "a symlink to it": tmp_path / "link.txt"}.get(alias)
    if alias == "a symlink to it":
        os.symlink("notes.txt", tmp_path / "link.txt")
    elif alias == "a hard link to it":
        output = tmp_path / "hard.txt"
        os.link(source, output)
    assert output is not None
    r = run("summarize", str(source), "-o", str(output), *NO_MODEL)
    one_line_error(r, 2, f"--output {output} is one of the inputs; write the summary elsewhere")
    assert source.read_text() == TEXT
    assert leftovers(tmp_path) == []


def test_output_onto_standard_input_redirected_from_it_is_refused(tmp_path: Path):
    source = notes(tmp_path)
    with open(source, "rb") as stdin:
        r = subprocess.run(
            [sys.executable, "-m", "longcli", "summarize", "-", "-o", str(source), *NO_MODEL],
            stdin=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
    one_line_error(r, 2, "is one of the inputs")
    assert source.read_text() == TEXT


def test_each_output_dir_where_a_summary_would_be_an_input_is_refused(run, tmp_path: Path):
    folder = tmp_path / "notes"
    folder.mkdir()
    clash, other = notes(folder, "a.md"), notes(folder, "c.txt")
    r = run("summarize", "--each", str(clash), str(other), "--output-dir", str(folder), *NO_MODEL)
    one_line_error(r, 2, f"--output-dir {folder}: a.md is one of the inputs")
    assert clash.read_text() == TEXT
    assert sorted(p.name for p in folder.iterdir()) == ["a.md", "c.txt"]  # c.md not written


def test_memory_export_onto_a_file_of_its_session_is_refused(run, tmp_path: Path):
    session = tmp_path / "s"
    chat = run("chat", "--memory", str(session), "--backend", "fake", "--message", "hello")
    assert chat.returncode == 0, chat.stderr
    victim = sorted(p for p in session.iterdir() if p.is_file())[0]
    before = victim.read_bytes()
    r = run("memory", "export", str(session), "-o", str(victim))
    one_line_error(r, 2, "is one of the inputs; write the export elsewhere")
    assert victim.read_bytes() == before


def drain(fifo: Path) -> tuple[threading.Thread, list[bytes]]:
    """A reader for `fifo` in a thread: everything it receives, until the writer closes."""
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as f:
            received.append(f.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread, received


def test_a_fifo_receives_the_summary_and_stays_a_fifo(run, tmp_path: Path):
    source = notes(tmp_path)
    expected = summary_on_stdout(run, source)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader, received = drain(fifo)
    r = run("summarize", str(source), "-o", str(fifo), *FAKE)
    reader.join(timeout=30)
    if reader.is_alive():  # never opened for writing: let the reader go, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert r.returncode == 0, r.stderr
    assert received == [expected.encode()]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def char_device(path: Path, minor: int) -> Path:
    """A character device of our own (1, minor: 3 is null, 7 is full); never /dev's."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    except PermissionError:
        pytest.skip("making a device node needs CAP_MKNOD (root), which this runner lacks")
    try:
        os.close(os.open(path, os.O_WRONLY))
    except PermissionError:
        pytest.skip(f"{path.parent} is mounted nodev: device nodes there cannot be opened")
    return path


def test_a_null_device_is_written_into_and_stays_a_device(run, tmp_path: Path):
    null = char_device(tmp_path / "null", 3)
    r = run("summarize", str(notes(tmp_path)), "-o", str(null), *FAKE)
    assert r.returncode == 0, r.stderr
    assert stat.S_ISCHR(os.lstat(null).st_mode) and os.lstat(null).st_rdev == os.makedev(1, 3)
    assert leftovers(tmp_path) == []


def test_a_full_device_is_a_one_line_error(run, tmp_path: Path):
    full = char_device(tmp_path / "full", 7)
    r = run("summarize", str(notes(tmp_path)), "-o", str(full), *FAKE)
    one_line_error(r, 1, f"cannot write {full}: No space left on device")
    assert stat.S_ISCHR(os.lstat(full).st_mode)


def test_a_unix_socket_is_a_one_line_error(run, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a short relative name: socket paths are limited to ~100 bytes
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind("s.sock")
        r = run("summarize", str(notes(tmp_path)), "-o", "s.sock", *FAKE)
    one_line_error(r, 2, "cannot write s.sock", "socket")
    assert stat.S_ISSOCK(os.lstat(tmp_path / "s.sock").st_mode)


def test_a_symlink_is_written_through_to_its_target(run, tmp_path: Path):
    source = notes(tmp_path)
    expected = summary_on_stdout(run, source)
    links, targets = tmp_path / "links", tmp_path / "targets"
    links.mkdir()
    targets.mkdir()
    target = targets / "summary.md"
    target.write_text("old summary\n")
    target.chmod(0o640)
    link = links / "latest.md"
    os.symlink("../targets/summary.md", link)
    r = run("summarize", str(source), "-o", str(link), *FAKE)
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == "../targets/summary.md"
    assert target.read_text() == expected
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert leftovers(links, targets) == []


def test_a_regular_file_is_replaced_atomically_keeping_its_mode(run, tmp_path: Path):
    source = notes(tmp_path)
    expected = summary_on_stdout(run, source)
    old = tmp_path / "old.md"
    old.write_text("old summary\n")
    old.chmod(0o604)
    before = os.stat(old).st_ino
    assert run("summarize", str(source), "-o", str(old), *FAKE).returncode == 0
    assert old.read_text() == expected and os.stat(old).st_ino != before  # renamed into place
    assert stat.S_IMODE(old.stat().st_mode) == 0o604
    umask = os.umask(0o027)
    try:
        assert run("summarize", str(source), "-o", str(tmp_path / "new.md"), *FAKE).returncode == 0
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o640  # as the umask says


def test_a_full_disk_is_an_error_and_the_old_file_stays(run, tmp_path: Path, monkeypatch):
    source = notes(tmp_path)
    output = tmp_path / "out.md"
    output.write_text("old summary\n")
    temp_prefix = os.path.realpath(tmp_path / ".out.md.")
    real_fsync = os.fsync

    def fsync_on_a_full_disk(fd: int) -> None:
        if os.readlink(f"/proc/self/fd/{fd}").startswith(temp_prefix):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc to tell the output's temp file from other writes")
    monkeypatch.setattr(os, "fsync", fsync_on_a_full_disk)
    r = run("summarize", str(source), "-o", str(output), *FAKE)
    one_line_error(r, 1, f"cannot write {output}: No space left on device")
    assert output.read_text() == "old summary\n"
    assert leftovers(tmp_path) == []
