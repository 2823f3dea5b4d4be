"""`longcli chat` and `longcli memory` through real subprocesses."""

import json
import os
import signal
import subprocess
from pathlib import Path

from longcli.chat.session import Session
from tests.conftest import LONGCLI_ON_FAKE, wait_for_trace

FAKE = ["--backend", "fake"]


def journal_users(path: Path) -> list[str]:
    with Session.open(path, create=False, writable=False) as s:
        return [e.user for e in s.load_journal()]


def test_one_shot_from_pipe_and_flag(run, tmp_path: Path):
    s = tmp_path / "s"
    r = run("chat", "--memory", str(s), *FAKE, input="Hello there, my name is Ada.")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() and r.stderr == ""
    r = run("chat", "--memory", str(s), *FAKE, "--message", "Remind me of my name")
    assert r.returncode == 0, r.stderr
    assert journal_users(s) == ["Hello there, my name is Ada.", "Remind me of my name"]


def test_system_prompt_is_stored(run, tmp_path: Path):
    s = tmp_path / "s"
    run("chat", "--memory", str(s), *FAKE, "--system", "You are terse.", "--message", "hi")
    assert json.loads((s / "meta.json").read_text())["system"] == "You are terse."
    run("chat", "--memory", str(s), *FAKE, "--message", "again")
    assert json.loads((s / "meta.json").read_text())["system"] == "You are terse."


def test_repl_through_stdin(run, tmp_path: Path):
    s = tmp_path / "s"
    save = tmp_path / "out.md"
    script = f"Hi\nHow are you today?\n/memory\n/forget\n/save {save}\n/bogus\n/exit\nnever sent\n"
    r = run("chat", "--memory", str(s), *FAKE, "--interactive", input=script)
    assert r.returncode == 0, r.stderr
    assert "memory of" in r.stderr and "2 turns folded" in r.stderr
    assert "unknown command /bogus" in r.stderr
    assert journal_users(s) == ["Hi", "How are you today?"]
    assert "**You (2):** How are you today?" in save.read_text()


def test_second_writer_gets_exit_3(run, tmp_path: Path):
    s = tmp_path / "s"
    with Session.open(s, create=True, writable=True):
        r = run("chat", "--memory", str(s), *FAKE, "--message", "hello")
    assert r.returncode == 3
    assert "in use by another longcli process" in r.stderr
    assert "Traceback" not in r.stderr


def test_kill_mid_reply_keeps_every_completed_turn(cli, tmp_path: Path):
    s, trace = tmp_path / "s", tmp_path / "trace"
    for i in range(3):
        assert cli("chat", "--memory", str(s), *FAKE, "--message", f"question {i}").returncode == 0
    held = {
        **os.environ,
        "LONGCLI_FAULT_PAUSE": "generate@1:60",
        "LONGCLI_FAULT_TRACE": str(trace),
    }
    command = [*LONGCLI_ON_FAKE, "chat", "--memory", str(s), "--message", "slow"]
    proc = subprocess.Popen(command, env=held, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_for_trace(trace, "generate")  # held while generating the reply
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL  # it was killed mid-reply, not finished
    assert journal_users(s) == ["question 0", "question 1", "question 2"]
    r = cli("chat", "--memory", str(s), *FAKE, "--message", "after the crash")
    assert r.returncode == 0, r.stderr
    assert journal_users(s)[-1] == "after the crash"


def test_corrupt_state_is_refused_not_overwritten(run, tmp_path: Path):
    s = tmp_path / "s"
    run("chat", "--memory", str(s), *FAKE, "--message", "hello")
    (s / "state.json").write_text("{ not json")
    r = run("chat", "--memory", str(s), *FAKE, "--message", "again")
    assert r.returncode == 2
    assert "state.json is corrupt" in r.stderr
    assert (s / "state.json").read_text() == "{ not json"


def test_memory_path_that_is_a_file(run, tmp_path: Path):
    f = tmp_path / "notes.txt"
    f.write_text("mine")
    r = run("chat", "--memory", str(f), *FAKE, "--message", "hi")
    assert r.returncode == 2 and "is a file" in r.stderr
    assert f.read_text() == "mine"


def test_memory_show_export_reset(run, tmp_path: Path):
    s = tmp_path / "s"
    for i in range(3):
        run("chat", "--memory", str(s), *FAKE, "--message", f"message number {i}")
    r = run("memory", "show", str(s), "--json")
    assert r.returncode == 0, r.stderr
    view = json.loads(r.stdout)
    assert view["turns"] == 3 and view["window_turns"] == 3
    r = run("memory", "export", str(s), "--format", "json")
    assert [e["user"] for e in json.loads(r.stdout)["exchanges"]][-1] == "message number 2"
    r = run("memory", "export", str(s))
    assert "**You (1):** message number 0" in r.stdout
    r = run("memory", "reset", str(s))
    assert r.returncode == 2 and "--yes" in r.stderr  # no TTY to confirm on
    assert journal_users(s) != []
    r = run("memory", "reset", str(s), "--yes")
    assert r.returncode == 0
    assert journal_users(s) == []
    r = run("memory", "show", str(tmp_path / "nothing"))
    assert r.returncode == 2 and "no session" in r.stderr


def test_chat_with_a_file(run, tmp_path: Path):
    s = tmp_path / "s"
    doc = tmp_path / "report.txt"
    doc.write_text(
        "".join(f"Item {i} is routine.\n\n" for i in range(300)) + "The vault code is 7731.\n"
    )
    r = run(
        "chat",
        "--memory",
        str(s),
        *FAKE,
        "--file",
        str(doc),
        "--message",
        "What is the vault code?",
    )
    assert r.returncode == 0, r.stderr
    assert f"added {doc}" in r.stderr
    view = json.loads(run("memory", "show", str(s), "--json").stdout)
    assert view["documents"] == [str(doc)]
    assert view["summary"].startswith(f"Document {doc}:")


def test_config_default_system_prompt_for_new_sessions(
    run, tmp_path: Path, private_user_dirs: Path
):
    config = private_user_dirs / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.yaml").write_text("system: Answer in French.\n")
    s = tmp_path / "s"
    assert run("chat", "--memory", str(s), *FAKE, "--message", "hi").returncode == 0
    assert json.loads((s / "meta.json").read_text())["system"] == "Answer in French."


def test_named_sessions_live_in_the_data_dir(run, private_user_dirs: Path, tmp_path: Path):
    assert (
        run("chat", "--memory", "work", *FAKE, "--message", "hello", cwd=tmp_path).returncode == 0
    )
    assert (
        run("chat", "--memory", "work", *FAKE, "--message", "again", cwd=tmp_path).returncode == 0
    )
    home = private_user_dirs / "data" / "sessions" / "work"
    assert journal_users(home) == ["hello", "again"]
    assert not (tmp_path / "work").exists()
    rows = json.loads(run("memory", "list", "--json").stdout)
    assert [(r["name"], r["turns"]) for r in rows] == [("work", 2)]
    assert json.loads(run("memory", "show", "work", "--json").stdout)["turns"] == 2
    assert "**You (1):** hello" in run("memory", "export", "work").stdout
    r = run("memory", "rm", "work")
    assert r.returncode == 2 and "--yes" in r.stderr and home.exists()
    with Session.open(home, create=False, writable=True):
        r = run("memory", "rm", "work", "--yes")
        assert r.returncode == 3  # in use: nothing is deleted
    assert home.exists()
    assert run("memory", "rm", "work", "--yes").returncode == 0
    assert not home.exists()
    assert "no named sessions" in run("memory", "list").stdout


def test_paths_are_still_paths(run, tmp_path: Path):
    (tmp_path / "existing").mkdir()
    assert (
        run("chat", "--memory", "existing", *FAKE, "--message", "hi", cwd=tmp_path).returncode == 0
    )
    assert (tmp_path / "existing" / "journal.jsonl").exists()
    assert run("chat", "--memory", "./rel", *FAKE, "--message", "hi", cwd=tmp_path).returncode == 0
    assert (tmp_path / "rel" / "journal.jsonl").exists()
    r = run("memory", "rm", str(tmp_path / "nothing-here"), "--yes")
    assert r.returncode == 2 and "no session" in r.stderr
