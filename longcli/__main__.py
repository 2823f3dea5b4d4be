"""Entry point: runs the CLI and turns every exception into one line and an exit code."""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType


def _debug_requested(argv: list[str]) -> bool:
    return "--debug" in argv or os.environ.get("LONGCLI_DEBUG", "") not in ("", "0")


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _quiet_broken_pipe() -> None:
    # Whoever read our output has gone (e.g. `| head -1`): stop writing, say nothing.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _say(message: str) -> None:
    try:
        sys.stderr.write(f"longcli: {message}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass  # stderr is closed: the exit code still tells


def main(argv: list[str] | None = None) -> int:
    """Run longcli; returns (and, as a script, exits with) the documented exit code."""
    import click

    from longcli.errors import ExitCode, describe, exit_code_for

    args = sys.argv[1:] if argv is None else argv
    debug = _debug_requested(args)
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        from longcli.cli import app

        command = __import__("typer").main.get_command(app)
        result = command.main(args=args, prog_name="longcli", standalone_mode=False)
        code = int(result) if isinstance(result, int) else ExitCode.OK
        sys.stdout.flush()
        return code
    except click.exceptions.Abort:
        _say("interrupted")
        return ExitCode.INTERRUPTED
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        _say(exc.format_message())
        return ExitCode.USAGE
    except BrokenPipeError:
        _quiet_broken_pipe()
        return ExitCode.OK
    except BaseException as exc:  # the one place errors become exit codes
        if isinstance(exc, SystemExit):
            raise
        if debug and not isinstance(exc, KeyboardInterrupt):
            import traceback

            traceback.print_exc()
        _say(describe(exc))
        return exit_code_for(exc)


def run() -> None:
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_broken_pipe()
    sys.exit(code)


if __name__ == "__main__":
    run()
