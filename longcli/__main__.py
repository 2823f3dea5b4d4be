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


def _guard_standard_streams() -> None:
    """Put /dev/null on closed standard descriptors, so no file we open later takes their
    number (and no log line meant for stderr lands in a session journal)."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            if fd == 1:
                from longcli.streams import CLOSED_STDOUT_ENV

                os.environ[CLOSED_STDOUT_ENV] = "1"
    if sys.stdin is None:
        sys.stdin = open(os.devnull)  # noqa: SIM115 - lives as long as the process
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115


def _say(message: str) -> None:
    from longcli.controls import strip_controls  # error text may quote a document

    try:
        sys.stderr.write(f"longcli: {strip_controls(message)}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass  # stderr is closed: the exit code still tells


_said_interrupted = False


def _interrupted() -> int:
    """Say "interrupted", once per process whichever path the Ctrl-C took; returns 130."""
    global _said_interrupted
    from longcli.errors import ExitCode

    if not _said_interrupted:
        _said_interrupted = True
        _say("interrupted")
    return ExitCode.INTERRUPTED


def _framework_exit(exc: BaseException) -> int | None:
    """Exit code for the CLI framework's own exceptions (click, or the copy typer vendors).

    Recognised by shape rather than class, since typer may or may not bundle its own click.
    """
    from longcli.errors import ExitCode

    name = type(exc).__name__
    if name == "Abort":
        return _interrupted()
    if name == "Exit" and hasattr(exc, "exit_code"):
        return int(exc.exit_code)
    if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
        if name == "NoArgsIsHelpError":
            sys.stderr.write(exc.format_message() + "\n")
        else:
            from longcli.cli.usage import bad_value

            _say(f"{bad_value(exc) or exc.format_message()} (see --help)")
        return ExitCode.USAGE if int(exc.exit_code) != 0 else ExitCode.OK
    return None


def main(argv: list[str] | None = None) -> int:
    """Run longcli; returns (and, as a script, exits with) the documented exit code."""
    from longcli.errors import ExitCode, OutputClosed, exit_code_for, one_line

    global _said_interrupted
    _said_interrupted = False  # once per run (tests run many in one process)
    args = sys.argv[1:] if argv is None else argv
    debug = _debug_requested(args)
    _guard_standard_streams()
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        import typer

        from longcli.cli.app import app
        from longcli.cli.usage import style_help

        style_help()
        command = typer.main.get_command(app)
        result = command.main(args=args, prog_name="longcli", standalone_mode=False)
        if result == ExitCode.INTERRUPTED:  # typer turns Ctrl-C into a silent return of 130
            return _interrupted()
        sys.stdout.flush()
        return int(result) if isinstance(result, int) else ExitCode.OK
    except (BrokenPipeError, OutputClosed):
        _quiet_broken_pipe()
        return ExitCode.OK
    except BaseException as exc:  # the one place errors become exit codes
        if isinstance(exc, SystemExit):
            raise
        code = _framework_exit(exc)
        if code is not None:
            return code
        if isinstance(exc, KeyboardInterrupt):
            return _interrupted()
        if debug:
            import traceback

            traceback.print_exc()
        _say(one_line(exc))
        return exit_code_for(exc)


def run() -> None:
    from longcli.backends import crashwatch

    crashwatch.enable()  # a crash in llama.cpp ends with one line, not a bare 139
    try:
        code = main()
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _quiet_broken_pipe()
    except KeyboardInterrupt:  # one arriving after main's own handler: still one line
        code = _interrupted()
    sys.exit(code)


if __name__ == "__main__":
    run()
