"""Text from documents, models and session files never drives the terminal.

C0 controls but tab and newline, DEL and the C1 controls are taken out of every document as
it is decoded (`longcli.controls`, used by `text.decode` and the document readers) and again
from everything written through `Streams`, so an OSC title, a CSI clear-screen, a BEL or a
one-character C1 CSI in a web page, a subtitle, a model's reply or an edited session file
never reaches stdout or stderr. Real text (emoji, RTL and bidi marks, combining marks, CJK,
zero-width joiners) survives everywhere, -o files included.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from longcli.controls import has_controls, strip_controls
from longcli.streams import Streams
from longcli.text.decode import iter_text
from tests.support.documents import make_docx, make_epub, make_html, make_srt, make_vtt

# The definition under test, written out independently of longcli.controls.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ATTACKS = {
    "osc title": "\x1b]0;pwned\x07",
    "csi clear": "\x1b[2J",
    "bell": "\x07",
    "c1 csi": "\x9b31m",
    "del": "\x7f",
}
# Real text that must come through exactly, character for character.
REAL = " ".join(
    [
        "caf\u00e9 e\u0301",  # precomposed, and a combining acute
        "\u05e9\u05dc\u05d5\u05dd\u200f",  # Hebrew with a right-to-left mark
        "\U0001f469\u200d\U0001f467",  # emoji joined by a zero-width joiner
        "\u65e5\u672c\u8a9e",  # CJK
    ]
)
EVIL_SENTENCE = (
    "Alice \x1b]0;pwned\x07met Bob \x1b[2J in Paris\x9b31m on day {i}\x7f with "
    + REAL
    + " and\x07 tea."
)
FAKE = ["--backend", "fake"]


def assert_clean(*outputs: str) -> None:
    for output in outputs:
        found = FORBIDDEN.findall(output)
        assert not found, f"terminal controls reached the output: {found!r}"


def evil_text(paragraphs: int = 30) -> str:
    """Paragraphs whose every sentence carries each attack and the real text."""
    return "".join(
        EVIL_SENTENCE.format(i=i) + "\x0cThe next page starts here for Bob.\n\n"
        for i in range(paragraphs)
    )


@pytest.fixture
def evil_file(tmp_path: Path) -> Path:
    path = tmp_path / "evil.txt"
    path.write_text(evil_text(), encoding="utf-8")
    return path


# -- the sanitizer --------------------------------------------------------------------------


def test_strip_controls_removes_every_control_and_keeps_real_text():
    text = "a\tb\nc " + REAL + " \u202ertl override\u202c \u00a0nbsp \ufeffbom-like"
    assert strip_controls(text) == text  # nothing to take out: the very same text
    for name, attack in ATTACKS.items():
        cleaned = strip_controls(f"before {attack} after\t{REAL}\n")
        assert not FORBIDDEN.search(cleaned), name
        assert cleaned.endswith(f" after\t{REAL}\n"), name
    every = "".join(chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)])
    assert strip_controls(every) == "\t\n\n\n\n\n"  # tab, LF, VT, FF, CR, NEL
    # Line-break controls become one newline each, so words do not glue together.
    assert strip_controls("a\r\nb\rc\x0bd\x0ce\x85f") == "a\nb\nc\nd\ne\nf"


def test_has_controls_agrees_with_the_definition_on_every_code_point():
    disagree = [c for c in range(0x110000) if has_controls(chr(c)) != bool(FORBIDDEN.match(chr(c)))]
    assert not disagree, [hex(c) for c in disagree[:10]]
    assert has_controls("x" * 1000 + "\x9b") and has_controls("\u65e5" * 1000 + "\x1b")
    assert not has_controls("x" * 1000 + REAL)


@pytest.mark.parametrize("block_bytes", [1, 2, 3, 7, 4096])
def test_decoding_removes_controls_at_any_block_size(block_bytes: int):
    raw = ("x\r\n" + evil_text(3) + "\r").encode("utf-8")  # C1 is two bytes in UTF-8
    text = "".join(iter_text(io.BytesIO(raw), "t", block_bytes=block_bytes))
    expected = (
        "x\n"
        + "".join(
            f"Alice met Bob  in Paris on day {i} with {REAL} and tea."  # whole escapes gone
            "\nThe next page starts here for Bob.\n\n"
            for i in range(3)
        )
        + "\n"
    )
    assert text == expected


def test_utf16_input_is_cleaned_too():
    raw = ("\ufeff" + "a\x00b\x1b[2Jc\x0cd " + REAL).encode("utf-16-le")
    assert "".join(iter_text(io.BytesIO(raw), "t")) == "abc\nd " + REAL


# -- summaries ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
@pytest.mark.parametrize("cite", [False, True])
def test_extractive_summary_prints_no_controls(run, evil_file: Path, fmt: str, cite: bool):
    args = ["summarize", str(evil_file), "--method", "extractive", "--words", "60"]
    r = run(*args, "--format", fmt, *(["--cite"] if cite else []), "--verbose")
    assert r.returncode == 0, r.stderr
    assert_clean(r.stdout, r.stderr)
    body = json.loads(r.stdout)["summary"] if fmt == "json" else r.stdout
    assert "Alice met Bob in Paris on day" in body  # a document's escapes go whole
    assert REAL in body
    assert "tea.The" not in body  # a form feed (page break) became a line end, not nothing


def test_output_file_lacks_controls_and_keeps_real_text_exactly(run, evil_file: Path):
    out = evil_file.with_name("summary.txt")
    args = ["summarize", str(evil_file), "--method", "extractive", "--words", "60", "-q"]
    r = run(*args, "--cite", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert_clean(r.stdout, r.stderr)
    written = out.read_text(encoding="utf-8")
    assert_clean(written)
    assert f"Paris on day 0 with {REAL} and tea." in written  # byte for byte
    out_json = evil_file.with_name("summary.json")
    r = run(*args, "--format", "json", "-o", str(out_json))
    assert r.returncode == 0, r.stderr
    raw = out_json.read_text(encoding="utf-8")
    assert_clean(raw)
    assert "\\u001b" not in raw and "\\u0007" not in raw  # not even escaped in the JSON
    assert REAL in json.loads(raw)["summary"]


def test_a_real_process_prints_no_controls(cli, evil_file: Path):
    r = cli("summarize", str(evil_file), "--method", "extractive", "--words", "40", "--cite")
    assert r.returncode == 0, r.stderr
    assert_clean(r.stdout, r.stderr)
    assert REAL in r.stdout


def test_a_model_writing_escapes_reaches_neither_screen_nor_file(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from longcli.calls import Message, Sampling
    from tests.support.fake_backend import FakeBackend

    reply = FakeBackend._reply
    attack = ATTACKS["osc title"] + ATTACKS["c1 csi"][0] + ATTACKS["del"]  # no new words

    def escaping(self: FakeBackend, messages: list[Message], sampling: Sampling) -> tuple[str, str]:
        text, reason = reply(self, messages, sampling)
        return text.replace(". ", "." + attack + " "), reason

    monkeypatch.setattr(FakeBackend, "_reply", escaping)
    source = tmp_path / "in.txt"
    source.write_text(
        "".join(f"Paragraph {i} tells how Alice met person{i} in town{i}.\n\n" for i in range(60))
    )
    out = tmp_path / "summary.md"
    args = ["summarize", str(source), *FAKE, "--ctx", "1024", "--method", "abstractive"]
    copy = {"LONGCLI_FAKE_MODE": "copy"}  # sentences of its input, which the check accepts
    r = run(*args, "--format", "json", "--verbose", env=copy)
    assert r.returncode == 0, r.stderr
    assert_clean(r.stdout, r.stderr)
    assert json.loads(r.stdout)["stats"]["fallbacks"] == 0  # the model's own words were kept
    r = run(*args, "--verbose", env=copy)
    assert_clean(r.stdout, r.stderr)
    assert "]0;pwned" in r.stdout  # what is left of the escape: visible, and inert
    assert run(*args, "--format", "markdown", "-o", str(out), env=copy).returncode == 0
    assert_clean(out.read_text(encoding="utf-8"))


def _documents(tmp_path: Path) -> dict[str, Path]:
    # XML (DOCX, EPUB) cannot hold C0 controls; C1 and DEL it can.
    c1 = "Alice met Bob \x9b31m in Paris\x7f\x85on a day with " + REAL + " and tea."
    cues = [(f"00:00:0{i}", f"00:00:0{i + 1}", EVIL_SENTENCE.format(i=i)) for i in range(5)]
    files = {
        "a.srt": make_srt(cues).encode(),
        "a.vtt": make_vtt(cues).encode(),
        "a.html": make_html(
            "Title\x1b]0;x\x07", [("Section\x1b[2J", [EVIL_SENTENCE.format(i=i) for i in range(5)])]
        ).encode(),
        "a.docx": make_docx([("heading", (1, "Head\x9bing")), *[("paragraph", c1)] * 5]),
        "a.epub": make_epub([("Chap\x9bter", [c1] * 3)]),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = tmp_path / name
        paths[name].write_bytes(data)
    return paths


@pytest.mark.parametrize("name", ["a.srt", "a.vtt", "a.html", "a.docx", "a.epub"])
def test_document_formats_print_no_controls(run, tmp_path: Path, name: str):
    path = _documents(tmp_path)[name]
    for fmt in ("text", "json"):
        args = ["summarize", str(path), "--method", "extractive", "--words", "40", "--cite"]
        r = run(*args, "--format", fmt, "-q")
        assert r.returncode == 0, r.stderr
        assert_clean(r.stdout, r.stderr)
        assert "\\u001b" not in r.stdout and "\\u0007" not in r.stdout  # nor in JSON strings
        if name != "a.html":  # trafilatura drops zero-width characters of its own accord
            assert REAL in r.stdout


@pytest.mark.parametrize("name", ["a.srt", "a.vtt", "a.html", "a.docx", "a.epub"])
def test_readers_hand_on_clean_text_and_places(tmp_path: Path, name: str):
    from longcli.text.decode import Source
    from longcli.text.documents import open_document

    path = _documents(tmp_path)[name]
    document = open_document(Source(str(path), path))
    text = "".join(document.blocks)
    assert_clean(text, *(m.label for m in document.marks))
    assert document.marks
    for mark in document.marks:  # offsets count the cleaned text: each mark is where it says
        if mark.kind in ("chapter", "section"):
            title = mark.label.split('"')[1] if '"' in mark.label else mark.label
            assert text[mark.offset :].lstrip("# \n").startswith(title), mark


# -- the output channel ---------------------------------------------------------------------


def test_streams_remove_controls_from_every_channel():
    out, err = io.StringIO(), io.StringIO()
    s = Streams(io.StringIO(), out, err, False, False, False, verbose=True)
    for attack in ATTACKS.values():
        s.result(f"r{attack}\t{REAL}\n")
        s.piece(f"p{attack}")
        s.warn(f"w{attack}")
        s.note(f"n{attack}")
        s.detail(f"d{attack}")
        s.plain(f"x{attack}")
    assert_clean(out.getvalue(), err.getvalue())
    assert out.getvalue().startswith(f"r]0;pwned\t{REAL}\np]0;pwnedr[2J\t{REAL}\n")
    assert "longcli: warning: w[2J\n" in err.getvalue()
    s.result('{"a": "\\u001b\\t"}\n')  # JSON's own escapes are text, kept as they are
    assert out.getvalue().endswith('{"a": "\\u001b\\t"}\n')


def test_rich_progress_still_writes_its_own_codes_to_a_terminal():
    from longcli.cli.render import Progress
    from longcli.summarize.progress import ProgressEvent

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Terminal()
    s = Streams(io.StringIO(), io.StringIO(), err, False, False, True)
    with Progress(s) as progress:
        progress(ProgressEvent("map", 1, 4, 10, 100))
    assert "\x1b[" in err.getvalue()  # rich's cursor and colour codes are not filtered


# -- chat: a model's replies and session files ----------------------------------------------


def test_a_reply_full_of_escapes_is_shown_without_them(run, tmp_path: Path):
    s = tmp_path / "s"
    # the fake model replies with the message's words, escapes too (a reply that is only
    # the message said back is dropped: chat/guard.py)
    echo = {"LONGCLI_FAKE_MODE": "answer"}
    message = "My name is Ada " + "".join(ATTACKS.values()) + " and I like " + REAL
    r = run("chat", "--memory", str(s), *FAKE, "--message", message, env=echo)
    assert r.returncode == 0, r.stderr
    assert_clean(r.stdout, r.stderr)
    assert REAL in r.stdout
    journal = (s / "journal.jsonl").read_text(encoding="utf-8")
    assert "\\u001b]0;pwned" in journal  # the model really did reply with the escapes
    # words of its own, so that the echo is no repeat of the first reply (chat/guard.py)
    script = (
        f"Hello {ATTACKS['osc title']} again {ATTACKS['c1 csi']} from the harbour of Oslo, "
        "where the boats came in early\n/memory\n/facts\n/exit\n"
    )
    r = run("chat", "--memory", str(s), *FAKE, "--interactive", input=script, env=echo)
    assert r.returncode == 0, r.stderr
    assert_clean(r.stdout, r.stderr)
    assert "Hello ]0;pwned again 31m" in r.stdout and "memory of" in r.stderr


def _poison(session: Path) -> None:
    """Edit a session's files as an attacker (or an old longcli) might: escapes everywhere."""
    bad = "".join(ATTACKS.values()) + " [/bold] "
    lines = (session / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    for record in records:
        record["user"] += bad
        record["assistant"] += bad
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    (session / "journal.jsonl").write_text(text, encoding="utf-8")
    state = json.loads((session / "state.json").read_text(encoding="utf-8"))
    state["summary"] = f"User: my name is Ada.{bad}{REAL}"
    (session / "state.json").write_text(json.dumps(state), encoding="utf-8")
    facts = json.loads((session / "facts.json").read_text(encoding="utf-8"))
    for fact in facts["facts"]:
        fact["text"] += bad
    (session / "facts.json").write_text(json.dumps(facts), encoding="utf-8")


def test_an_edited_session_shows_no_escapes(run, tmp_path: Path):
    s = tmp_path / "s"
    r = run("chat", "--memory", str(s), *FAKE, "--message", "My name is Ada and I live in Paris.")
    assert r.returncode == 0, r.stderr
    _poison(s)
    for command in (
        ["memory", "show", str(s)],
        ["memory", "show", str(s), "--json"],
        ["memory", "facts", str(s)],
        ["memory", "facts", str(s), "--json"],
        ["memory", "export", str(s)],
        ["memory", "export", str(s), "--format", "json"],
    ):
        r = run(*command)
        assert r.returncode == 0, (command, r.stderr)
        assert_clean(r.stdout, r.stderr)
    r = run("memory", "show", str(s))
    assert "[/bold]" in r.stdout  # session text is shown as text, never read as rich markup
    assert REAL in r.stdout.replace("\n", "")  # the table may wrap, but keeps every character
    exported = tmp_path / "export.md"
    assert run("memory", "export", str(s), "-o", str(exported)).returncode == 0
    assert_clean(exported.read_text(encoding="utf-8"))
    script = "/memory\n/facts\nWhat is my name?\n/exit\n"
    r = run("chat", "--memory", str(s), *FAKE, "--interactive", input=script)
    assert r.returncode == 0, r.stderr
    assert_clean(r.stdout, r.stderr)
