"""The REPL, driven in-process: replies on stdout, commands and notes on stderr."""

import io
import json
from pathlib import Path

from longcli.chat.conversation import Chat, ChatOptions
from longcli.chat.session import Session
from longcli.cli.repl import Repl
from longcli.prompts.templates import load_templates
from longcli.streams import Streams
from tests.support.fake_backend import FakeBackend


def streams(typed: str) -> tuple[Streams, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return Streams(io.StringIO(typed), out, err, False, False, False), out, err


def repl_run(tmp_path: Path, typed: str, answer_yes: bool = False) -> tuple[str, str, Session]:
    session = Session.open(tmp_path / "s", create=True, writable=True)
    chat = Chat(session, FakeBackend(n_ctx=1024), load_templates(), ChatOptions(reply_tokens=64))
    s, out, err = streams(typed)
    Repl(chat, s, lambda question: answer_yes).run()
    return out.getvalue(), err.getvalue(), session


def test_messages_are_answered_and_stored(tmp_path: Path):
    out, err, session = repl_run(tmp_path, "Alice lives in Oslo.\n\nWhere is Bob?\n")
    assert len(out.strip().splitlines()) == 2  # one reply line per message
    assert [e.user for e in session.load_journal()] == ["Alice lives in Oslo.", "Where is Bob?"]
    assert err == ""  # not a terminal: no banner, no prompt


def test_commands(tmp_path: Path):
    saved = tmp_path / "talk.json"
    typed = f"First message here.\n/memory\n/forget\n/save {saved}\n/bogus\n/help\n/exit\nlost\n"
    out, err, session = repl_run(tmp_path, typed)
    assert "memory of" in err and "[1 turns folded into the summary]" in err
    assert f"[saved to {saved}]" in err and "unknown command /bogus" in err
    assert "/forget" in err  # the help text
    assert json.loads(saved.read_text())["exchanges"][0]["user"] == "First message here."
    assert [e.user for e in session.load_journal()] == ["First message here."]  # /exit stopped


def test_reset_asks_first(tmp_path: Path):
    _, err, session = repl_run(tmp_path, "keep me\n/reset\n", answer_yes=False)
    assert len(session.load_journal()) == 1 and "[conversation reset]" not in err
    _, err, session = repl_run(tmp_path / "b", "forget me\n/reset\n", answer_yes=True)
    assert session.load_journal() == [] and "[conversation reset]" in err


def test_facts_and_forget_fact(tmp_path: Path):
    commands = ["/facts", "/forget-fact 1", "/forget-fact 1", "/forget-fact x", "/facts"]
    typed = "My cat is called Pixelbottom.\n" + "".join(c + "\n" for c in commands)
    _, err, session = repl_run(tmp_path, typed)
    assert '[1] turn 1, cat: "My cat is called Pixelbottom."' in err
    assert '[forgot fact 1: "My cat is called Pixelbottom."]' in err
    assert "no fact 1; /facts lists them" in err and "usage: /forget-fact N" in err
    assert err.rstrip().endswith("[no facts yet]")
    assert session.load_ledger().active() == []
