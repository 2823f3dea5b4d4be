"""The streams of the current run, and delivering a result to stdout or a file."""

from __future__ import annotations

import os
from contextvars import ContextVar
from pathlib import Path

from longcli.errors import UsageError
from longcli.storage import atomic_write_text
from longcli.streams import Streams

_current: ContextVar[Streams | None] = ContextVar("longcli_streams", default=None)


def use(streams: Streams) -> None:
    """Make `streams` the current run's (the entry point does this once per run)."""
    _current.set(streams)


def streams(quiet: bool = False, verbose: bool = False) -> Streams:
    """The current run's streams, with the command's --quiet and --verbose."""
    current = _current.get() or Streams.from_sys()
    current.quiet = current.quiet or quiet
    current.verbose = current.verbose or verbose
    return current


def deliver(text: str, output: Path | None, out: Streams) -> None:
    """The result on stdout, or written atomically to --output (honouring the umask)."""
    if output is None:
        out.result(text)
        return
    if output.is_dir():
        raise UsageError(f"--output {output} is a directory")
    umask = os.umask(0)
    os.umask(umask)
    try:
        atomic_write_text(output, text, mode=0o666 & ~umask)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror}") from None
