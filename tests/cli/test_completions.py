"""The committed shell completion scripts match what the current CLI generates."""

import subprocess
import sys
from pathlib import Path

COMPLETIONS = Path(__file__).resolve().parents[2] / "completions"


def test_committed_completion_scripts_are_current():
    r = subprocess.run(
        [sys.executable, str(COMPLETIONS / "generate.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_scripts_are_for_their_shells():
    assert (
        "complete -o default -F _longcli_completion longcli"
        in (COMPLETIONS / "longcli.bash").read_text()
    )
    assert "compdef _longcli_completion longcli" in (COMPLETIONS / "_longcli").read_text()
    assert "complete --command longcli" in (COMPLETIONS / "longcli.fish").read_text()


def test_completion_answers_from_the_cli(tmp_path):
    import os

    env = {
        **os.environ,
        "_LONGCLI_COMPLETE": "complete_bash",
        "COMP_WORDS": "longcli summarize --style ",
        "COMP_CWORD": "3",
    }
    r = subprocess.run(
        [sys.executable, "-m", "longcli"], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert r.stdout.split() == ["paragraph", "bullets", "outline"]
