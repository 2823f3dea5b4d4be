"""How the REPL shows a reply: wrapped between words on a terminal, colour only there."""

import io

import pytest

from longcli.cli.repl import WordWrap, colour_wanted
from longcli.streams import Streams


def wrapped(pieces: list[str], width: int) -> str:
    out: list[str] = []
    wrap = WordWrap(out.append, width)
    for piece in pieces:
        wrap(piece)
    wrap.finish()
    return "".join(out)


def test_a_streamed_reply_breaks_between_words_never_inside_one():
    text = "The harbour master counted every ship that came in with the morning tide today."
    pieces = [text[i : i + 3] for i in range(0, len(text), 3)]  # as a model streams it
    lines = wrapped(pieces, 24).split("\n")
    assert " ".join(lines) == text
    assert all(len(line) <= 24 for line in lines) and len(lines) > 2
    assert all(word in text.split() for line in lines for word in line.split())


def test_line_ends_and_indentation_are_kept():
    assert wrapped(["a list:\n", "  - one\n  - two"], 40) == "a list:\n  - one\n  - two"
    assert wrapped(["x" * 50, " y"], 20) == "x" * 50 + "\ny"  # a long word stays whole


def _streams(tty: bool) -> Streams:
    return Streams(io.StringIO(), io.StringIO(), io.StringIO(), tty, tty, tty)


@pytest.mark.parametrize(
    "tty,env,wanted",
    [(True, {}, True), (False, {}, False), (True, {"NO_COLOR": "1"}, False),
     (True, {"TERM": "dumb"}, False)],
)  # fmt: skip
def test_colour_only_on_a_terminal_that_wants_it(monkeypatch, tty, env, wanted):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert colour_wanted(_streams(tty)) is wanted
