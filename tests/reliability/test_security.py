"""Private files, no paths from data, no prompts logged outside the chosen session."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path

from tests.conftest import InProcess


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run(*args: str) -> subprocess.CompletedProcess:
    """The command line in this process (see tests/conftest.py)."""
    return InProcess()(*args)


def test_session_and_cache_are_private(tmp_path: Path, private_user_dirs: Path):
    s = tmp_path / "s"
    assert (
        run("chat", "--memory", str(s), "--backend", "fake", "--message", "hello").returncode == 0
    )
    assert mode(s) == 0o700
    assert all(mode(p) == 0o600 for p in s.iterdir()), {p.name: oct(mode(p)) for p in s.iterdir()}
    text = tmp_path / "in.txt"
    text.write_text("Alice met Bob in Paris. " * 400)
    assert run("summarize", str(text), "--backend", "fake", "-q").returncode == 0
    cache = private_user_dirs / "cache"
    for path in [cache, *cache.rglob("*")]:
        assert mode(path) == (0o700 if path.is_dir() else 0o600), path


def test_session_metadata_cannot_point_outside(tmp_path: Path):
    s = tmp_path / "s"
    outside = tmp_path / "outside.txt"
    outside.write_text("do not touch")
    assert (
        run("chat", "--memory", str(s), "--backend", "fake", "--message", "hello").returncode == 0
    )
    meta = json.loads((s / "meta.json").read_text())
    meta["files"] = {"../outside.txt": "0" * 64, str(outside): "0" * 64}
    (s / "meta.json").write_text(json.dumps(meta))
    r = run("chat", "--memory", str(s), "--backend", "fake", "--message", "read ../outside.txt")
    assert r.returncode == 0
    assert outside.read_text() == "do not touch"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside.txt", "s"]


def test_chat_text_is_stored_only_in_the_session(tmp_path: Path, private_user_dirs: Path):
    secret = "zebra-password-0451"
    s = tmp_path / "s"
    r = run("chat", "--memory", str(s), "--backend", "fake", "--message", f"my secret is {secret}")
    assert r.returncode == 0
    for path in private_user_dirs.rglob("*"):
        if path.is_file():
            assert secret not in path.read_text(errors="replace"), path
    assert secret in (s / "journal.jsonl").read_text()
