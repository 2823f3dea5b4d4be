"""`longcli chat` and `longcli memory` through real subprocesses."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from longcli.session import Session

FAKE = ["--backend", "fake"]


def journal_users(path: Path) -> list[str]:
    with Session.open(path, create=False, writable=False) as s:
        return [e.user for e in s.load_journal()]


def test_one_shot_from_pipe_and_flag(cli, tmp_path: Path):
    s = tmp_path / "s"
    r = cli("chat", "--memory", str(s), *FAKE, input="Hello there, my name is Ada.")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() and r.stderr == ""
    r = cli("chat", "--memory", str(s), *FAKE, "-m", "Remind me of my name")
    assert r.returncode == 0, r.stderr
    assert journal_users(s) == ["Hello there, my name is Ada.", "Remind me of my name"]


def test_system_prompt_is_stored(cli, tmp_path: Path):
    s = tmp_path / "s"
    cli("chat", "--memory", str(s), *FAKE, "--system", "You are terse.", "-m", "hi")
    assert json.loads((s / "meta.json").read_text())["system"] == "You are terse."
    cli("chat", "--memory", str(s), *FAKE, "-m", "again")
    assert json.loads((s / "meta.json").read_text())["system"] == "You are terse."


def test_repl_through_stdin(cli, tmp_path: Path):
    s = tmp_path / "s"
    save = tmp_path / "out.md"
    script = f"Hi\nHow are you today?\n/memory\n/forget\n/save {save}\n/bogus\n/exit\nnever sent\n"
    r = cli("chat", "--memory", str(s), *FAKE, "--interactive", input=script)
    assert r.returncode == 0, r.stderr
    assert "memory of" in r.stderr and "2 turns folded" in r.stderr
    assert "unknown command /bogus" in r.stderr
    assert journal_users(s) == ["Hi", "How are you today?"]
    assert "**You (2):** How are you today?" in save.read_text()


def test_second_writer_gets_exit_3(cli, tmp_path: Path):
    s = tmp_path / "s"
    with Session.open(s, create=True, writable=True):
        r = cli("chat", "--memory", str(s), *FAKE, "-m", "hello")
    assert r.returncode == 3
    assert "in use by another longcli process" in r.stderr
    assert "Traceback" not in r.stderr


def test_kill_mid_reply_keeps_every_completed_turn(cli, tmp_path: Path):
    s = tmp_path / "s"
    for i in range(3):
        assert cli("chat", "--memory", str(s), *FAKE, "-m", f"question {i}").returncode == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "longcli", "chat", "--memory", str(s), *FAKE, "-m", "slow one"],
        env={**os.environ, "LONGCLI_FAKE_DELAY_S": "30"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while not (s / "lock").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert journal_users(s) == ["question 0", "question 1", "question 2"]
    r = cli("chat", "--memory", str(s), *FAKE, "-m", "after the crash")
    assert r.returncode == 0, r.stderr
    assert journal_users(s)[-1] == "after the crash"


def test_corrupt_state_is_refused_not_overwritten(cli, tmp_path: Path):
    s = tmp_path / "s"
    cli("chat", "--memory", str(s), *FAKE, "-m", "hello")
    (s / "state.json").write_text("{ not json")
    r = cli("chat", "--memory", str(s), *FAKE, "-m", "again")
    assert r.returncode == 2
    assert "state.json is corrupt" in r.stderr
    assert (s / "state.json").read_text() == "{ not json"


def test_memory_path_that_is_a_file(cli, tmp_path: Path):
    f = tmp_path / "notes.txt"
    f.write_text("mine")
    r = cli("chat", "--memory", str(f), *FAKE, "-m", "hi")
    assert r.returncode == 2 and "is a file" in r.stderr
    assert f.read_text() == "mine"


def test_memory_show_export_reset(cli, tmp_path: Path):
    s = tmp_path / "s"
    for i in range(3):
        cli("chat", "--memory", str(s), *FAKE, "-m", f"message number {i}")
    r = cli("memory", "show", str(s), "--json")
    assert r.returncode == 0, r.stderr
    view = json.loads(r.stdout)
    assert view["turns"] == 3 and view["window_turns"] == 3
    r = cli("memory", "export", str(s), "--format", "json")
    assert [e["user"] for e in json.loads(r.stdout)["exchanges"]][-1] == "message number 2"
    r = cli("memory", "export", str(s))
    assert "**You (1):** message number 0" in r.stdout
    r = cli("memory", "reset", str(s))
    assert r.returncode == 2 and "--yes" in r.stderr  # no TTY to confirm on
    assert journal_users(s) != []
    r = cli("memory", "reset", str(s), "--yes")
    assert r.returncode == 0
    assert journal_users(s) == []
    r = cli("memory", "show", str(tmp_path / "nothing"))
    assert r.returncode == 2 and "no session" in r.stderr


def test_chat_with_a_file(cli, tmp_path: Path):
    s = tmp_path / "s"
    doc = tmp_path / "report.txt"
    doc.write_text(
        "".join(f"Item {i} is routine.\n\n" for i in range(300)) + "The vault code is 7731.\n"
    )
    r = cli("chat", "--memory", str(s), *FAKE, "--file", str(doc), "-m", "What is the vault code?")
    assert r.returncode == 0, r.stderr
    assert f"added {doc}" in r.stderr
    view = json.loads(cli("memory", "show", str(s), "--json").stdout)
    assert view["documents"] == [str(doc)]
    assert view["summary"].startswith(f"Document {doc}:")


def test_config_default_system_prompt_for_new_sessions(
    cli, tmp_path: Path, private_user_dirs: Path
):
    config = private_user_dirs / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.yaml").write_text("system: Answer in French.\n")
    s = tmp_path / "s"
    assert cli("chat", "--memory", str(s), *FAKE, "-m", "hi").returncode == 0
    assert json.loads((s / "meta.json").read_text())["system"] == "Answer in French."


def test_named_sessions_live_in_the_data_dir(cli, private_user_dirs: Path, tmp_path: Path):
    assert cli("chat", "--memory", "work", *FAKE, "-m", "hello", cwd=tmp_path).returncode == 0
    assert cli("chat", "--memory", "work", *FAKE, "-m", "again", cwd=tmp_path).returncode == 0
    home = private_user_dirs / "data" / "sessions" / "work"
    assert journal_users(home) == ["hello", "again"]
    assert not (tmp_path / "work").exists()
    rows = json.loads(cli("memory", "list", "--json").stdout)
    assert [(r["name"], r["turns"]) for r in rows] == [("work", 2)]
    assert json.loads(cli("memory", "show", "work", "--json").stdout)["turns"] == 2
    assert "**You (1):** hello" in cli("memory", "export", "work").stdout
    r = cli("memory", "rm", "work")
    assert r.returncode == 2 and "--yes" in r.stderr and home.exists()
    with Session.open(home, create=False, writable=True):
        r = cli("memory", "rm", "work", "--yes")
        assert r.returncode == 3  # in use: nothing is deleted
    assert home.exists()
    assert cli("memory", "rm", "work", "--yes").returncode == 0
    assert not home.exists()
    assert "no named sessions" in cli("memory", "list").stdout


def test_paths_are_still_paths(cli, tmp_path: Path):
    (tmp_path / "existing").mkdir()
    assert cli("chat", "--memory", "existing", *FAKE, "-m", "hi", cwd=tmp_path).returncode == 0
    assert (tmp_path / "existing" / "journal.jsonl").exists()
    assert cli("chat", "--memory", "./rel", *FAKE, "-m", "hi", cwd=tmp_path).returncode == 0
    assert (tmp_path / "rel" / "journal.jsonl").exists()
    r = cli("memory", "rm", str(tmp_path / "nothing-here"), "--yes")
    assert r.returncode == 2 and "no session" in r.stderr
