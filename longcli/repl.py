"""The interactive chat loop: prompt, stream replies, slash commands. Presentation only."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from longcli.chat import Chat
from longcli.errors import LongcliError

HELP = """Commands:
  /help         this help
  /memory       what the model sees now: summary, window, budget
  /forget       fold the whole window into the summary now
  /reset        forget the whole conversation (asks first)
  /save PATH    export the conversation (.json for JSON, else Markdown)
  /exit         leave (Ctrl-D works too)
Ctrl-C during a reply cancels it; nothing of it is stored."""


def _setup_history(path: Path) -> Any:
    try:
        import readline
    except ImportError:  # not on every platform
        return None
    with contextlib.suppress(OSError):
        readline.read_history_file(path)
    readline.set_history_length(1000)
    return readline


def _save_history(readline: Any, path: Path) -> None:
    if readline is None:
        return
    with contextlib.suppress(OSError):
        readline.write_history_file(path)
        path.chmod(0o600)


def render_memory(view: dict[str, Any], out: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=out)
    table = Table(title=f"memory of {view['session']}", show_header=False)
    table.add_row(
        "turns",
        f"{view['turns']} ({view['folded_turns']} folded, "
        f"{view['window_turns']} verbatim in the window, {view['folds']} folds)",
    )
    budget = view.get("budget")
    if budget:
        table.add_row(
            "context",
            f"{budget['n_ctx']} tokens: window {view['window_tokens']}"
            f"/{budget['window']}, summary cap {budget['summary_cap']}, recall "
            f"{budget['recall']}, reply {budget['reply']}, fixed {budget['fixed']}",
        )
    else:
        table.add_row("window", f"{view['window_tokens']} tokens")
    if view["documents"]:
        table.add_row("documents", ", ".join(view["documents"]))
    table.add_row("summary", view["summary"] or "(empty)")
    console.print(table)


def export_markdown(view: dict[str, Any], exchanges: list[Any]) -> str:
    lines = [f"# Conversation {view['session']}", ""]
    if view["summary"]:
        lines += ["## Running summary", "", view["summary"], ""]
    lines += ["## Turns", ""]
    for e in exchanges:
        lines += [f"**You ({e.n + 1}):** {e.user}", "", f"**Assistant:** {e.assistant}", ""]
    return "\n".join(lines)


def export_json(view: dict[str, Any], exchanges: list[Any]) -> str:
    data = {
        **view,
        "exchanges": [{"n": e.n, "user": e.user, "assistant": e.assistant} for e in exchanges],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


class Repl:
    def __init__(self, chat: Chat, interactive_tty: bool, confirm: Any) -> None:
        self.chat = chat
        self.tty = interactive_tty
        self.confirm = confirm
        self.out = sys.stdout
        self.err = sys.stderr

    def _say(self, text: str) -> None:
        self.err.write(text + "\n")
        self.err.flush()

    def _read(self) -> str | None:
        try:
            return input("you> " if self.tty else "")
        except EOFError:
            if self.tty:
                self._say("")  # end the prompt's line, as a shell does on Ctrl-D
            return None

    def run(self) -> None:
        readline = _setup_history(self.chat.session.history_path) if self.tty else None
        if self.tty:
            view = self.chat.view()
            self._say(f"longcli chat: {view['turns']} earlier turns. /help for commands.")
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
        def show(piece: str) -> None:
            self.out.write(piece)
            self.out.flush()

        try:
            reply = self.chat.ask(line, show)
        except KeyboardInterrupt:
            self.out.write("\n")
            self._say("[reply cancelled; nothing stored]")
            return
        except LongcliError as exc:
            self._say(f"longcli: {exc.message}")
            return
        self.out.write("\n")
        self.out.flush()
        self.chat.settle()
        if reply.folded:
            self._say(f"[{reply.folded} older turns folded into the summary]")

    def _command(self, line: str) -> bool:
        name, _, arg = line.partition(" ")
        if name in ("/exit", "/quit"):
            return False
        if name == "/help":
            self._say(HELP)
        elif name == "/memory":
            render_memory(self.chat.view(), self.err)
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

    def _save(self, target: str) -> None:
        if not target:
            self._say("usage: /save PATH")
            return
        from longcli.storage import atomic_write_text

        path = Path(target).expanduser()
        view = self.chat.view()
        text = (
            export_json(view, self.chat.exchanges)
            if path.suffix == ".json"
            else export_markdown(view, self.chat.exchanges)
        )
        try:
            atomic_write_text(path, text)
        except OSError as exc:
            self._say(f"cannot write {path}: {exc.strerror}")
            return
        self._say(f"[saved to {path}]")
