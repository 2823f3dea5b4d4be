"""Where longcli's output goes: one object for stdout, stderr and how to talk to them.

The CLI makes one `Streams` per run (from the process's standard streams, or from a test's
buffers) and hands it to the command. Everything a command says goes through it: the
result on stdout, warnings and notes on stderr, details only when verbose, so a command
can be run in-process by a test and its output read back, and the answer stays on stdout
while the chatter stays on stderr.

Whatever is written through it passes `strip_controls` first: a model's reply, an old
session file or a document name can then not retitle, clear or script the terminal.
Tab and newline survive, and JSON is unaffected (json.dumps escapes the C0 controls; a DEL
or C1 character it leaves raw is dropped from inside a string, which stays valid JSON).
Rich's progress bars write their own escape codes to the raw `stderr`, not through here.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TextIO

from longcli.controls import strip_controls
from longcli.errors import OutputClosed, UsageError

CLOSED_STDOUT_ENV = "LONGCLI_STDOUT_CLOSED"  # set by __main__ when fd 1 was closed at start


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass
class Streams:
    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    stdin_isatty: bool
    stdout_isatty: bool
    stderr_isatty: bool
    quiet: bool = False  # no progress bar and no notes (warnings still show)
    verbose: bool = False  # details: run statistics, where the numbers came from
    llama_log: bool = False  # llama.cpp's own log, thousands of lines (--debug)

    @classmethod
    def from_sys(
        cls, quiet: bool = False, verbose: bool = False, llama_log: bool = False
    ) -> Streams:
        return cls(
            sys.stdin,
            sys.stdout,
            sys.stderr,
            _isatty(sys.stdin),
            _isatty(sys.stdout),
            _isatty(sys.stderr),
            quiet,
            verbose,
            llama_log,
        )

    def result(self, text: str) -> None:
        """The answer, on stdout. A reader that went away (`| head`) ends the run quietly."""
        if os.environ.get(CLOSED_STDOUT_ENV):
            raise UsageError("standard output is closed", hint="use --output FILE")
        try:
            self.stdout.write(strip_controls(text))
            self.stdout.flush()
        except BrokenPipeError:
            raise OutputClosed from None

    def piece(self, text: str) -> None:
        """Part of a streamed answer (a chat reply as it is generated)."""
        self.result(text)

    def _say(self, text: str) -> None:
        try:
            self.stderr.write(strip_controls(text) + "\n")
            self.stderr.flush()
        except (OSError, ValueError):
            pass  # stderr is closed: the exit code still tells

    def warn(self, message: str) -> None:
        self._say(f"longcli: warning: {message}")

    def note(self, message: str) -> None:
        """Something the user may want to know (a document added, an alias set)."""
        if not self.quiet:
            self._say(f"longcli: {message}")

    def detail(self, message: str) -> None:
        """Run statistics and the like, shown with --verbose."""
        if self.verbose:
            self._say(f"longcli: {message}")

    def plain(self, text: str) -> None:
        """Text on stderr as it is (the REPL's own messages, help)."""
        self._say(text)
