"""Every input is read exactly once, whatever it is: a named FIFO, a pipe reached as
/dev/fd/N (a shell's process substitution), standard input. The format is sniffed from
the bytes already read, so none is lost, and a FIFO whose writer has gone is not waited on
again. A copy spooled for a PDF reader never outlives the process, even on SIGTERM.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from longcli.errors import InputError
from longcli.text.decode import open_binary, resolve_sources
from longcli.text.documents import open_document
from tests.conftest import longcli_command
from tests.support.documents import make_pdf

HANG_GUARD_S = 60  # not a timing: only so that a reader stuck on a FIFO fails the test
SHORT = "The harbour committee met on Monday. The vote passed.\n"
# 16,941 characters, as in the report: far more than the 4,096 bytes a sniff reads.
LONG = "".join(f"Line {n:05d} of the minutes tells what the committee did. \n" for n in range(287))
LONG = LONG + "x" * (16_941 - len(LONG))

needs_fifos = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
needs_dev_fd = pytest.mark.skipif(not Path("/dev/fd").is_dir(), reason="no /dev/fd here")


def in_thread(work: Callable[[], Any]) -> Any:
    """`work()`'s result, run in a daemon thread: a hang fails the test instead of the run."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(HANG_GUARD_S)
    assert not thread.is_alive(), "reading the input hung"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def write_then_close(path: str, data: bytes) -> threading.Thread:
    """A writer that opens `path` (waiting for a reader, as a FIFO's does), writes, closes."""

    def target() -> None:
        try:
            with open(path, "wb") as f:
                f.write(data)
        except BrokenPipeError:
            pass  # the reader went away early: what it read tells the test

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def read_whole(name: str) -> str:
    source = resolve_sources([name], stdin_is_tty=True)[0]
    return "".join(open_document(source).blocks)


@needs_fifos
@pytest.mark.parametrize("text", [LONG, SHORT], ids=["long", "short-then-closed"])
def test_a_named_fifo_is_read_whole_and_once(tmp_path: Path, text: str):
    fifo = tmp_path / "notes.fifo"
    os.mkfifo(fifo)
    write_then_close(str(fifo), text.encode())
    assert in_thread(lambda: read_whole(str(fifo))) == text


@needs_dev_fd
def test_a_pipe_reached_as_dev_fd_is_read_whole():
    read_end, write_end = os.pipe()

    def writer() -> None:
        try:
            with os.fdopen(write_end, "wb") as f:
                f.write(LONG.encode())
        except BrokenPipeError:
            pass

    threading.Thread(target=writer, daemon=True).start()
    try:
        assert in_thread(lambda: read_whole(f"/dev/fd/{read_end}")) == LONG
    finally:
        os.close(read_end)


@needs_fifos
def test_a_pdf_through_a_fifo_is_read_and_leaves_no_copy(tmp_path: Path, monkeypatch):
    import tempfile

    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    fifo = tmp_path / "paper.fifo"
    os.mkfifo(fifo)
    write_then_close(str(fifo), make_pdf([["The harbour committee met on Monday."]]))
    assert "harbour committee" in in_thread(lambda: read_whole(str(fifo)))
    assert list(spool.iterdir()) == []


@needs_fifos
def test_a_fifo_read_already_is_refused_not_read_as_empty(tmp_path: Path):
    fifo = tmp_path / "once.fifo"
    os.mkfifo(fifo)
    write_then_close(str(fifo), SHORT.encode())
    source = resolve_sources([str(fifo)], stdin_is_tty=True)[0]
    assert in_thread(lambda: "".join(open_document(source).blocks)) == SHORT
    with pytest.raises(InputError, match="was read already"):
        open_binary(source)


@pytest.mark.skipif(
    not Path("/dev/fd").is_dir() or shutil.which("bash") is None, reason="no bash <(...) here"
)
def test_process_substitution_in_a_shell_is_summarized(tmp_path: Path):
    command = shlex.join([*longcli_command(), "summarize"])
    script = f"{command} <(printf %s {shlex.quote(SHORT)}) --method extractive"
    r = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, timeout=HANG_GUARD_S * 5
    )
    assert r.returncode == 0, r.stderr
    assert "harbour committee met on Monday" in r.stdout


def _spooling_into(pid: int, directory: Path) -> bool:
    """Whether the process holds a file of `directory` open (a copy being spooled)."""
    fds = Path(f"/proc/{pid}/fd")
    try:
        links = [os.readlink(fd) for fd in fds.iterdir()]
    except OSError:
        return False  # a descriptor closed while listing: look again
    return any(link.startswith(str(directory)) for link in links)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_sigterm_while_a_piped_pdf_is_spooled_leaves_no_copy(tmp_path: Path):
    spool = tmp_path / "tmp"
    spool.mkdir()
    env = {**os.environ, "TMPDIR": str(spool)}
    proc = subprocess.Popen(
        [*longcli_command(env), "summarize", "-", "--method", "extractive"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdin is not None
    try:
        # More than a sniff reads, and the pipe stays open: the copy is under way, unfinished.
        proc.stdin.write(make_pdf([["Page one."]]) + b"%" * (1 << 16))
        proc.stdin.flush()
        waited = 0.0
        while not _spooling_into(proc.pid, spool):
            assert proc.poll() is None, proc.communicate()
            assert waited < HANG_GUARD_S, "the process never started spooling"
            threading.Event().wait(0.05)
            waited += 0.05
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=HANG_GUARD_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert err.decode().endswith("longcli: interrupted\n")
    assert list(spool.iterdir()) == []


def test_standard_input_is_sniffed_and_read_once(run):
    r = run("summarize", "-", "--method", "extractive", "--words", "400", input=LONG)
    assert r.returncode == 0, r.stderr
    assert "Line 00000 of the minutes" in r.stdout  # the first 4,096 bytes were not lost


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX paths")
def test_a_regular_file_is_opened_once_for_its_sniff_and_its_text(tmp_path: Path, monkeypatch):
    import builtins

    path = tmp_path / "notes.txt"
    path.write_text(LONG)
    opened: list[str] = []
    real_open = builtins.open

    def counting_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file) == str(path):
            opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting_open)
    assert read_whole(str(path)) == LONG
    assert len(opened) == 1
