"""The interactive chat loop: prompt, stream replies, slash commands. Presentation only.

On a terminal the prompt is coloured and longcli's own lines dimmed (unless NO_COLOR is
set or TERM is dumb), and a reply is wrapped between words at the terminal's width as
it streams. Piped, everything is plain and unwrapped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from longcli.chat.conversation import Chat
from longcli.cli.render import export_json, export_markdown, fact_lines, render_memory
from longcli.controls import strip_controls
from longcli.errors import LongcliError
from longcli.storage import refuse_link, replace_nofollow
from longcli.streams import Streams

HELP = """Commands:
  /help         this help
  /memory       what the model sees now: summary, facts, window, budget
  /facts        the facts you told me, with their numbers
  /forget-fact N  stop using fact N (its turn stays in the journal)
  /forget       fold the whole window into the summary now
  /reset        forget the whole conversation (asks first)
  /save PATH    export the conversation (.json for JSON, else Markdown)
  /exit         leave (Ctrl-D works too)
Ctrl-C during a reply cancels it; nothing of it is stored."""


# SGR codes; \001 and \002 tell readline the prompt's codes take no room on the line.
PROMPT_COLOUR = "\001\x1b[1;36m\002you>\001\x1b[0m\002 "
DIM, RESET = "\x1b[2m", "\x1b[0m"


def colour_wanted(streams: Streams) -> bool:
    """Colour on a terminal, unless NO_COLOR (https://no-color.org) or TERM=dumb says no."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return streams.stdin_isatty and streams.stdout_isatty and streams.stderr_isatty


class WordWrap:
    """Writes a streamed reply, breaking a line between words rather than inside one.

    Pieces arrive a few characters at a time; a word is held until the space after it
    shows whether it still fits on the line. Runs of spaces (indentation) are kept, except
    at a break.
    """

    def __init__(self, write: Callable[[str], None], width: int) -> None:
        self.write = write
        self.width = max(20, width)
        self.column = 0
        self.spaces = ""
        self.word = ""

    def __call__(self, piece: str) -> None:
        for char in piece:
            if char == "\n":
                self._word()
                self.write("\n")
                self.column, self.spaces = 0, ""
            elif char.isspace():
                self._word()
                self.spaces += char
            else:
                self.word += char

    def _word(self) -> None:
        if not self.word:
            return
        if self.column and self.column + len(self.spaces) + len(self.word) > self.width:
            self.write("\n")
            self.column, self.spaces = 0, ""
        self.write(self.spaces + self.word)
        self.column += len(self.spaces) + len(self.word)
        self.spaces, self.word = "", ""

    def finish(self) -> None:
        """Write the last word (the reply ended without a space after it)."""
        self._word()


HISTORY_LINES = 1000


def _setup_history(path: Path) -> Any:
    """Load the session's readline history. readline opens the file by its path, so a
    link under that name is refused first, as every file in a session directory is."""
    try:
        import readline
    except ImportError:  # not on every platform
        return None
    refuse_link(path)
    with contextlib.suppress(OSError):
        readline.read_history_file(path)
    readline.set_history_length(HISTORY_LINES)
    return readline


def _save_history(readline: Any, path: Path) -> None:
    """Write the history into a new private file beside it, then rename it over the old
    one: readline writes (and truncates, and chmods) only a file longcli just created."""
    if readline is None:
        return
    with contextlib.suppress(OSError):
        replace_nofollow(path, readline.write_history_file)


class Repl:
    """Reads messages and slash commands; replies stream to stdout, the rest to stderr."""

    def __init__(self, chat: Chat, streams: Streams, confirm: Callable[[str], bool]) -> None:
        self.chat = chat
        self.streams = streams
        self.tty = streams.stdin_isatty
        self.confirm = confirm
        self.colour = colour_wanted(streams)

    def _say(self, text: str) -> None:
        if not self.colour:
            self.streams.plain(text)
            return
        try:
            self.streams.stderr.write(f"{DIM}{strip_controls(text)}{RESET}\n")
            self.streams.stderr.flush()
        except (OSError, ValueError):
            pass  # stderr is closed

    def _read(self) -> str | None:
        try:
            if self.tty:
                return input(PROMPT_COLOUR if self.colour else "you> ")
            line = self.streams.stdin.readline()
            if not line:
                raise EOFError
            return line.rstrip("\n")
        except EOFError:
            if self.tty:
                self._say("")  # end the prompt's line, as a shell does on Ctrl-D
            return None

    def run(self) -> None:
        readline = _setup_history(self.chat.session.history_path) if self.tty else None
        if self.tty:
            view = self.chat.view()
            self._say(f"longcli chat: {view.turns} earlier turns. /help for commands.")
        try:
            while True:
                try:
                    line = self._read()
                except KeyboardInterrupt:
                    self._say("")
                    break
                if line is None:
                    break
                line = line.strip()
                if not line:
                    continue
                if line.startswith("/"):
                    if not self._command(line):
                        break
                    continue
                self._turn(line)
        finally:
            _save_history(readline, self.chat.session.history_path)

    def _turn(self, line: str) -> None:
        show: Callable[[str], None] = self.streams.piece
        wrap = None
        if self.streams.stdout_isatty:
            wrap = WordWrap(self.streams.piece, shutil.get_terminal_size().columns - 1)
            show = wrap
        if advice := self.chat.language_advice(line):
            self._say(f"[{advice}]")
        try:
            turn = self.chat.ask(line, show)
        except KeyboardInterrupt:
            if wrap is not None:
                wrap.finish()
            self.streams.piece("\n")
            self._say("[reply cancelled; nothing stored]")
            return
        except LongcliError as exc:
            self._say(f"longcli: {exc.message}")
            return
        if wrap is not None:
            wrap.finish()
        self.streams.piece("\n")
        self.chat.settle()
        if turn.folded:
            self._say(f"[{turn.folded} older turns folded into the summary]")

    def _command(self, line: str) -> bool:
        name, _, arg = line.partition(" ")
        if name in ("/exit", "/quit"):
            return False
        if name == "/help":
            self._say(HELP)
        elif name == "/memory":
            render_memory(self.chat.view(), self.streams.stderr)
        elif name == "/facts":
            self._say(fact_lines(self.chat.view().facts) or "[no facts yet]")
        elif name == "/forget-fact":
            self._forget_fact(arg.strip())
        elif name == "/forget":
            count = self.chat.forget()
            self._say(f"[{count} turns folded into the summary]")
        elif name == "/reset":
            if self.confirm("Forget this whole conversation?"):
                self.chat.reset()
                self._say("[conversation reset]")
        elif name == "/save":
            self._save(arg.strip())
        else:
            self._say(f"unknown command {name}; /help lists them")
        return True

    def _forget_fact(self, arg: str) -> None:
        if not arg.isdigit():
            self._say("usage: /forget-fact N (the numbers are in /facts)")
            return
        fact = self.chat.forget_fact(int(arg))
        if fact is None:
            self._say(f"no fact {arg}; /facts lists them")
        else:
            self._say(f'[forgot fact {fact.id}: "{fact.text}"]')

    def _save(self, target: str) -> None:
        if not target:
            self._say("usage: /save PATH")
            return
        from longcli.cli.output import cannot_write
        from longcli.storage import umask_file_mode, write_output

        path = Path(target).expanduser()
        view = self.chat.view()
        text = (
            export_json(view, self.chat.exchanges)
            if path.suffix == ".json"
            else export_markdown(view, self.chat.exchanges)
        )
        try:  # as -o: through a symlink or into a FIFO, never replacing either
            write_output(path, text, umask_file_mode())
        except OSError as exc:
            self._say(cannot_write(path, exc).message)
            return
        self._say(f"[saved to {path}]")
