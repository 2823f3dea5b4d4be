"""A session directory never reaches outside itself, and a hand-edited one is one clear line.

Every file longcli keeps in a session directory is opened without following links; a
name that is a link (dangling or not) or not a regular file is refused with one line and
exit 2, and nothing outside the directory is ever created, truncated or re-moded.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from tests.conftest import InProcess

FAKE = ("--backend", "fake")
LINK_REFUSAL = "is a symbolic link; longcli does not follow links in a session directory"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return InProcess()(*args, cwd=cwd)


def one_line_error(r: subprocess.CompletedProcess[str], code: int, *needles: str) -> None:
    assert r.returncode == code, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    assert r.stderr.startswith("longcli: ") and r.stderr.count("\n") == 1, r.stderr
    for needle in needles:
        assert needle in r.stderr, r.stderr


def chat(session: Path, message: str = "hello") -> subprocess.CompletedProcess[str]:
    return run("chat", "--memory", str(session), *FAKE, "--message", message)


def made_session(tmp_path: Path) -> Path:
    s = tmp_path / "s"
    assert chat(s).returncode == 0
    return s


def outside_file(tmp_path: Path) -> tuple[Path, bytes]:
    """A file outside the session, e.g. a ~/.bashrc, with a mode longcli must not change."""
    target = tmp_path / "bashrc"
    data = b"".join(b"export LINE_%d=1\n" % i for i in range(1500))
    target.write_bytes(data)
    target.chmod(0o644)
    return target, data


def untouched(target: Path, data: bytes) -> bool:
    return target.read_bytes() == data and stat.S_IMODE(target.stat().st_mode) == 0o644


SESSION_NAMES = [
    "journal.jsonl",
    "state.json",
    "meta.json",
    "facts.json",
    "docs.jsonl",
    "lock",
    "history",
    "kv-state.bin",
    "kv-state.json",
    "vectors.bin",
]


@pytest.mark.parametrize("name", SESSION_NAMES)
def test_a_link_in_a_session_is_refused_and_its_target_untouched(tmp_path: Path, name: str):
    s = made_session(tmp_path)
    target, data = outside_file(tmp_path)
    (s / name).unlink(missing_ok=True)
    (s / name).symlink_to(target)
    journal = (s / "journal.jsonl").read_bytes() if name != "journal.jsonl" else b""
    one_line_error(chat(s, "append me"), 2, f"{s / name} {LINK_REFUSAL}")
    assert untouched(target, data)
    assert (s / name).is_symlink()
    if name != "journal.jsonl":
        assert (s / "journal.jsonl").read_bytes() == journal  # nothing was written at all


@pytest.mark.parametrize("name", ["lock", "journal.jsonl", "state.json", "meta.json"])
def test_a_dangling_link_in_a_session_creates_nothing(tmp_path: Path, name: str):
    s = made_session(tmp_path)
    target = tmp_path / "elsewhere" / "created-by-longcli"
    target.parent.mkdir()
    (s / name).unlink()
    (s / name).symlink_to(target)
    one_line_error(chat(s), 2, LINK_REFUSAL)
    assert not target.exists() and list(target.parent.iterdir()) == []


@pytest.mark.parametrize("name", ["journal.jsonl", "state.json", "meta.json"])
def test_a_hard_link_in_a_session_is_refused_and_its_other_name_untouched(
    tmp_path: Path, name: str
):
    """A hard link is the same file under another name, maybe outside the session: appending
    to the journal would grow it there too."""
    s = made_session(tmp_path)
    target, data = outside_file(tmp_path)
    (s / name).unlink()
    os.link(target, s / name)
    one_line_error(chat(s, "append me"), 2, f"{s / name} has another name (a hard link)")
    assert untouched(target, data)


def test_a_fifo_in_a_session_is_refused_without_waiting(tmp_path: Path):
    s = made_session(tmp_path)
    (s / "journal.jsonl").unlink()
    os.mkfifo(s / "journal.jsonl")
    one_line_error(chat(s), 2, "is not a regular file")


def test_the_readline_history_is_never_written_through_a_link(tmp_path: Path):
    readline = pytest.importorskip("readline")
    from longcli.cli.repl import _save_history, _setup_history
    from longcli.errors import SessionError

    target, data = outside_file(tmp_path)
    link = tmp_path / "history"
    link.symlink_to(target)
    readline.clear_history()
    readline.add_history("a line typed in the chat")
    with pytest.raises(SessionError, match=LINK_REFUSAL):
        _setup_history(link)
    with pytest.raises(SessionError, match=LINK_REFUSAL):
        _save_history(readline, link)
    assert untouched(target, data)  # not cut to its last 1,000 lines, not made 0600
    own = tmp_path / "own-history"
    _save_history(readline, own)
    assert "a line typed in the chat" in own.read_text()
    assert stat.S_IMODE(own.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bashrc", "history", "own-history"]


def test_a_dangling_link_is_never_taken_for_a_session_name(tmp_path: Path, private_user_dirs: Path):
    (tmp_path / "notes").symlink_to(tmp_path / "gone")
    r = run("chat", "--memory", "notes", *FAKE, "--message", "hi", cwd=tmp_path)
    one_line_error(r, 2, "notes is a symbolic link to", "does not exist")
    assert not (private_user_dirs / "data" / "sessions" / "notes").exists()
    assert not (tmp_path / "gone").exists()


def test_memory_rm_on_a_linked_session_is_refused_and_deletes_nothing(tmp_path: Path):
    s = made_session(tmp_path)
    link = tmp_path / "link"
    link.symlink_to(s)
    one_line_error(run("memory", "rm", str(link), "--yes"), 2, "symbolic link", "memory rm")
    assert link.is_symlink() and (s / "journal.jsonl").exists()


def test_memory_list_with_a_dangling_link_in_a_session(private_user_dirs: Path, tmp_path: Path):
    assert run("chat", "--memory", "work", *FAKE, "--message", "hi", cwd=tmp_path).returncode == 0
    home = private_user_dirs / "data" / "sessions" / "work"
    (home / "lock").unlink()
    (home / "lock").symlink_to(tmp_path / "gone")
    r = run("memory", "list")
    assert r.returncode == 0 and LINK_REFUSAL in r.stdout, r.stderr
    assert not (tmp_path / "gone").exists()


BAD_LINES = {
    "a list": b"[1, 2]",
    "null": b"null",
    "a string": b'"hello"',
    "a huge number": b'{"user": "u", "assistant": "a", "tokens": 1e999}',
    "a huge version": b'{"v": 1e999, "user": "u", "assistant": "a"}',
    "a number for words": b'{"user": 5, "assistant": "a"}',
    "nested too deep": b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("where", ["middle", "last", "last without newline"])
@pytest.mark.parametrize("bad", list(BAD_LINES))
def test_a_hand_edited_journal_line_is_one_line_naming_it_and_never_cut(
    tmp_path: Path, bad: str, where: str
):
    s = made_session(tmp_path)
    journal = s / "journal.jsonl"
    line = BAD_LINES[bad]
    good = journal.read_bytes()
    if where == "middle":
        edited = good + line + b"\n" + good
    else:
        edited = good + line + (b"\n" if where == "last" else b"")
    journal.write_bytes(edited)
    for _ in range(2):  # refused each time: the line is never taken for a torn write
        one_line_error(chat(s, "one more"), 2, f"{journal}, line 2 is corrupt")
        one_line_error(run("memory", "show", str(s)), 2, f"{journal}, line 2")
    assert journal.read_bytes() == edited


STATE_EDITS = {
    "summary is a list": {"summary": ["a"]},
    "window_start is a huge number": {"window_start": 1e999},
    "window_start is a string": {"window_start": "3"},
    "window_start is negative": {"window_start": -2},
    "folds is true": {"folds": True},
}
META_EDITS = {
    "files is a list": {"files": ["a.txt"]},
    "files holds a number": {"files": {"a.txt": 5}},
    "system is a number": {"system": 5},
    "model is null": {"model": None},
    "format_version is a huge number": {"format_version": 1e999},
    "language_advised is a string": {"language_advised": "yes"},
}


def edit_json(path: Path, changes: dict[str, object]) -> bytes:
    data = json.loads(path.read_text()) if path.exists() else {"format_version": 1}
    data.update(changes)
    text = json.dumps(data).encode()
    path.write_bytes(text)
    return text


@pytest.mark.parametrize(
    ("name", "edit"),
    [("state.json", e) for e in STATE_EDITS] + [("meta.json", e) for e in META_EDITS],
)
def test_session_files_with_fields_of_the_wrong_type_are_one_line(
    tmp_path: Path, name: str, edit: str
):
    s = made_session(tmp_path)
    assert chat(s, "a second turn").returncode == 0  # state.json exists from here
    changes = {**STATE_EDITS, **META_EDITS}[edit]
    text = edit_json(s / name, changes)
    one_line_error(chat(s), 2, f"{s / name} is corrupt", "left untouched")
    one_line_error(run("memory", "show", str(s)), 2, f"{s / name} is corrupt")
    assert (s / name).read_bytes() == text


def test_a_session_that_cannot_be_written_names_its_file_not_a_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # As in a read-only directory (tests may run as root, whom a mode does not stop).
    s = made_session(tmp_path)

    def refused(*args: object, **kwargs: object) -> tuple[int, str]:
        tmp = str(s / ".meta.json.x1y2.tmp")
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), tmp)

    monkeypatch.setattr("tempfile.mkstemp", refused)
    r = chat(s)
    one_line_error(r, 2, f"cannot write {s / 'meta.json'}: Permission denied")
    assert ".tmp" not in r.stderr


class _Stateful:
    """Just enough of a backend that keeps its KV state (llama.cpp writes it by path)."""

    def context_tokens(self) -> list[int]:
        return [1, 2, 3]

    def save_context(self, path: Path) -> None:
        path.write_bytes(b"kv" * 100)

    def state_fingerprint(self) -> dict[str, object]:
        return {"model": "m"}


@pytest.mark.parametrize("name", ["kv-state.bin", "kv-state.json"])
def test_the_kept_kv_state_is_never_written_or_read_through_a_link(tmp_path: Path, name: str):
    from longcli.chat import kvstate
    from longcli.errors import SessionError

    target, data = outside_file(tmp_path)
    s = tmp_path / "s"
    s.mkdir()
    assert kvstate.save(_Stateful(), s) == 3
    (s / name).unlink()
    (s / name).symlink_to(target)
    with pytest.raises(SessionError, match=LINK_REFUSAL):
        kvstate.restore(_Stateful(), s)
    with pytest.raises(SessionError, match=LINK_REFUSAL):
        kvstate.save(_Stateful(), s)
    assert untouched(target, data) and (s / name).is_symlink()


def test_the_kept_vectors_are_never_written_or_read_through_a_link(tmp_path: Path):
    from longcli.backends.embedding import Memo
    from longcli.chat import vectors
    from longcli.errors import SessionError
    from tests.chat.embedders import FakeEmbedder

    target, data = outside_file(tmp_path)
    s = tmp_path / "s"
    s.mkdir()
    memo = Memo(FakeEmbedder({"home": "live"}))
    memo.embed(["I live in Leeds."])
    assert vectors.save(memo, s, "m") == 1
    (s / vectors.VECTORS_FILE).unlink()
    (s / vectors.VECTORS_FILE).symlink_to(target)
    with pytest.raises(SessionError, match=LINK_REFUSAL):
        vectors.load(Memo(FakeEmbedder({})), s, "m")
    with pytest.raises(SessionError, match=LINK_REFUSAL):
        vectors.save(memo, s, "m")
    assert untouched(target, data) and (s / vectors.VECTORS_FILE).is_symlink()
