"""Regenerate the shell completion scripts in this folder from the current CLI.

    python completions/generate.py           # rewrite longcli.bash, _longcli (zsh), longcli.fish
    python completions/generate.py --check   # exit 1 if a committed script is stale

The scripts are what `longcli --show-completion SHELL` prints: small stubs that ask
longcli itself for candidates, so commands, options and choices stay current.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = {"bash": "longcli.bash", "zsh": "_longcli", "fish": "longcli.fish"}


def render(shell: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("_LONGCLI")}
    env["_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION"] = "1"  # take the shell we name
    out = subprocess.run(
        [sys.executable, "-m", "longcli", "--show-completion", shell],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return out.stdout


def main() -> int:
    check = "--check" in sys.argv[1:]
    stale = []
    for shell, name in SCRIPTS.items():
        text = render(shell)
        path = HERE / name
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
    if stale:
        print(f"stale completion scripts: {', '.join(stale)}; run python completions/generate.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
