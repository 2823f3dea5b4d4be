"""The streams of the current run, and delivering a result to stdout or a file."""

from __future__ import annotations

import stat
from pathlib import Path

from longcli.errors import LongcliError, OutputError, UsageError
from longcli.storage import overwrites_input, umask_file_mode, write_failed, write_output
from longcli.streams import Streams


def streams(quiet: bool = False, verbose: bool = False, debug: bool = False) -> Streams:
    """The run's streams (the process's, as they are now), with --quiet, --verbose and
    --debug (which also shows llama.cpp's log)."""
    return Streams.from_sys(quiet, verbose, llama_log=debug)


def deliver(text: str, output: Path | None, out: Streams) -> None:
    """The result on stdout, or written to --output (see storage.write_output)."""
    if output is None:
        out.result(text)
        return
    if output.is_dir():
        raise UsageError(f"--output {output} is a directory")
    try:
        write_output(output, text, umask_file_mode())
    except OSError as exc:
        raise cannot_write(output, exc) from None


def refuse_input_as_output(
    output: Path | None, inputs: list[Path | None], out: Streams, what: str = "the summary"
) -> None:
    """Refuse, before any work, an --output that is one of the inputs (None: standard input)."""
    if output is None:
        return
    files: list[Path | int] = [path for path in inputs if path is not None]
    stdin = _stdin_fd(out) if None in inputs else None
    if stdin is not None:
        files.append(stdin)  # `summarize - -o notes.txt < notes.txt`
    if overwrites_input(output, files):
        raise UsageError(f"--output {output} is one of the inputs; write {what} elsewhere")


def cannot_write(path: Path, exc: OSError) -> LongcliError:
    """One line for an output that failed: the path refused (exit 2) or the bytes lost (1)."""
    message = f"cannot write {path}: {exc.strerror or exc}"
    if write_failed(exc):
        return OutputError(message)
    return UsageError(message, hint="it is a socket" if _is_socket(path) else None)


def _is_socket(path: Path) -> bool:
    try:
        return stat.S_ISSOCK(path.stat().st_mode)
    except OSError:
        return False


def _stdin_fd(out: Streams) -> int | None:
    try:
        return out.stdin.fileno()
    except (OSError, ValueError, AttributeError):  # a test's buffer has no descriptor
        return None


def confirm(yes: bool, out: Streams, command: str, question: str) -> None:
    """Go on with a destructive command: --yes, or the user says so at a terminal."""
    import typer

    if yes:
        return
    if not out.stdin_isatty:
        raise UsageError(f"{command} asks for confirmation; pass --yes in scripts")
    if not typer.confirm(question, err=True):
        raise typer.Exit(1)
