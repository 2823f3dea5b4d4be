"""`longcli verify SUMMARY SOURCE...`: every input format, both output formats, each exit
status, and the place each verdict names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from longcli.errors import ExitCode
from tests.support.documents import make_docx, make_epub, make_html, make_pdf, make_srt, make_vtt

FACTS = [
    "The harbour council met on Tuesday to discuss the new ferry.",
    "Mayor Okafor proposed a second ferry for the winter months.",
    "The council did not approve the budget for the pier.",
    "Repairs to the old pier will cost 40,000 euros.",
]
TRUE = "Mayor Okafor proposed a second ferry for the winter months."
FALSE = "The council approved the budget for the pier."


def write(tmp_path: Path, name: str, data: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return str(path)


def test_every_sentence_supported_exits_0_and_names_lines(run, tmp_path: Path):
    source = write(tmp_path, "minutes.txt", "\n".join(FACTS) + "\n")
    summary = write(
        tmp_path, "summary.md", f"- {TRUE}\n- Repairs to the old pier cost 40,000 euros.\n"
    )
    r = run("verify", summary, source)
    assert r.returncode == ExitCode.OK, r.stderr
    assert "2 of 2 sentences supported" in r.stdout
    assert "line 2" in r.stdout and "line 4" in r.stdout
    assert "Traceback" not in r.stderr


def test_an_unsupported_sentence_exits_5_and_says_why(run, tmp_path: Path):
    source = write(tmp_path, "minutes.txt", "\n".join(FACTS))
    summary = write(tmp_path, "summary.txt", f"{TRUE} {FALSE}")
    r = run("verify", summary, source)
    assert r.returncode == ExitCode.UNSUPPORTED == 5
    assert "1 of 2 sentences supported" in r.stdout
    assert "[NOT SUPPORTED] The council approved" in r.stdout
    assert "negation" in r.stdout
    assert "not supported" in r.stderr


def test_json_is_a_list_of_sentences_with_evidence(run, tmp_path: Path):
    source = write(tmp_path, "minutes.txt", "\n".join(FACTS))
    summary = write(tmp_path, "summary.txt", f"{TRUE} {FALSE}")
    r = run("verify", summary, source, "--format", "json")
    assert r.returncode == 5
    items = json.loads(r.stdout)
    assert [i["supported"] for i in items] == [True, False]
    assert items[0]["sentence"] == TRUE
    assert items[0]["evidence"][0] == {"source": source, "place": "line 2", "text": FACTS[1]}
    assert items[1]["why"] == "negation"
    assert set(items[1]) >= {"sentence", "supported", "evidence", "why", "detail", "coverage"}


def _documents(tmp_path: Path) -> list[tuple[str, str]]:
    """Each format with the place its reader gives the sentence TRUE."""
    pdf = make_pdf([FACTS[:1], FACTS[1:]])
    epub = make_epub([("Harbour", FACTS[:1]), ("Ferries", FACTS[1:])])
    html = make_html("Minutes", [("Ferries", FACTS)])
    docx = make_docx([("heading", (1, "Ferries")), *[("paragraph", f) for f in FACTS]])
    cues = [(f"00:00:{10 * n:02d}", f"00:00:{10 * n + 9:02d}", f) for n, f in enumerate(FACTS)]
    return [
        (write(tmp_path, "m.pdf", pdf), "p. 2"),
        (write(tmp_path, "m.epub", epub), "Ferries"),
        (write(tmp_path, "m.html", html), "Ferries"),
        (write(tmp_path, "m.docx", docx), "Ferries"),
        (write(tmp_path, "m.srt", make_srt(cues)), "00:00:10"),
        (write(tmp_path, "m.vtt", make_vtt(cues)), "00:00:10"),
        (write(tmp_path, "m.md", "# Ferries\n\n" + "\n\n".join(FACTS)), "Ferries"),
    ]


@pytest.mark.parametrize("kind", ["pdf", "epub", "html", "docx", "srt", "vtt", "md"])
def test_every_format_is_read_and_placed(run, tmp_path: Path, kind: str):
    pytest.importorskip("pypdfium2")
    source, place = next((s, p) for s, p in _documents(tmp_path) if s.endswith(f".{kind}"))
    summary = write(tmp_path, "summary.txt", f"{TRUE} {FALSE}")
    r = run("verify", summary, source, "--format", "json")
    assert r.returncode == 5, r.stderr
    items = json.loads(r.stdout)
    assert items[0]["supported"] and not items[1]["supported"]
    assert place in items[0]["evidence"][0]["place"]


def test_the_summary_from_standard_input_and_several_sources(run, tmp_path: Path):
    a = write(tmp_path, "a.txt", "\n".join(FACTS[:2]))
    b = write(tmp_path, "b.txt", "\n".join(FACTS[2:]))
    r = run("verify", "-", a, b, input=f"{TRUE} Repairs to the old pier will cost 40,000 euros.")
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"{a}, line 2" in r.stdout and f"{b}, line 2" in r.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["verify", "{summary}"], "SOURCE"),
        (["verify", "{summary}", "{missing}"], "missing.txt"),
        (["verify", "{empty}", "{source}"], "empty"),
        (["verify", "{symbols}", "{source}"], "no sentence"),
        (["verify", "{summary}", "{source}", "--min-coverage", "2"], "--min-coverage"),
        (["verify", "{summary}", "{source}", "-o", "{source}"], "one of the inputs"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(run, tmp_path: Path, args: list[str], message: str):
    paths = {
        "summary": write(tmp_path, "summary.txt", TRUE),
        "source": write(tmp_path, "minutes.txt", "\n".join(FACTS)),
        "empty": write(tmp_path, "empty.txt", ""),
        "symbols": write(tmp_path, "symbols.txt", "— … —"),
        "missing": str(tmp_path / "missing.txt"),
    }
    r = run(*[a.format(**paths) for a in args])
    assert r.returncode == ExitCode.USAGE, r.stdout + r.stderr
    assert message in r.stderr
    assert "Traceback" not in r.stderr
    assert Path(paths["source"]).read_text(encoding="utf-8") == "\n".join(FACTS)


def test_output_file_and_progress_lines(run, tmp_path: Path, monkeypatch):
    from longcli.cli.commands import verify as command

    monkeypatch.setattr(command, "PROGRESS_EVERY_S", 0.0)  # a line per sentence
    monkeypatch.setattr(command, "LONG_SOURCES_CHARS", 10)  # and the sources said
    source = write(tmp_path, "minutes.txt", "\n".join(FACTS))
    summary = write(tmp_path, "summary.txt", f"{TRUE} {TRUE.replace('second', 'third')} {TRUE}")
    out = tmp_path / "verdicts.json"
    r = run("verify", summary, source, "-f", "json", "-o", str(out))
    assert r.returncode == 5
    assert r.stdout == ""
    assert [i["supported"] for i in json.loads(out.read_text())] == [True, False, True]
    assert "checking sentences 1/3" in r.stderr
    assert "indexing 221 characters of sources" in r.stderr


def test_a_cited_summary_of_longcli_is_checked_without_its_markers_and_sources(run, tmp_path):
    source = write(tmp_path, "minutes.txt", "\n".join(FACTS))
    cited = (
        f"# Summary\n\n{FACTS[0]} [1] {TRUE} [2]\n\nSources\n"
        f"1. {source}, characters 0–60\n2. {source}, characters 61–120\n"
    )
    r = run("verify", "-", source, "--format", "json", input=cited)
    assert r.returncode == 0, r.stdout
    assert [i["sentence"] for i in json.loads(r.stdout)] == [FACTS[0], TRUE]


def test_a_web_page_without_headings_is_not_all_its_title_page(run, tmp_path: Path):
    """A new user's HTML report (its <h2> lost by the main-content reader) placed every
    sentence on the "title page" made from its <title>; --cite did the same."""
    page = write(
        tmp_path,
        "report.html",
        "<html><head><title>Harbour Minutes</title></head><body><article>"
        + "".join(f"<p>{f}</p>" for f in FACTS)
        + "</article></body></html>",
    )
    summary = write(tmp_path, "summary.txt", TRUE)
    r = run("verify", summary, page, "--format", "json")
    assert r.returncode == 0, r.stdout + r.stderr
    place = json.loads(r.stdout)[0]["evidence"][0]["place"]
    assert place != "title page" and place.startswith("characters")


def test_evidence_reads_without_markdown_marks(run, tmp_path: Path):
    """A new user's evidence read '"- The south lighthouse was *not* restored..."'."""
    source = write(
        tmp_path,
        "notes.md",
        "# Repairs\n\n- The south lighthouse was *not* restored.\n"
        "- Repairs to the old pier will cost **40,000 euros**.\n",
    )
    summary = write(tmp_path, "summary.txt", "Repairs to the old pier will cost 40,000 euros.")
    r = run("verify", summary, source, "--format", "json")
    assert r.returncode == 0, r.stdout + r.stderr
    text = json.loads(r.stdout)[0]["evidence"][0]["text"]
    assert text == "Repairs to the old pier will cost 40,000 euros."


def test_a_summary_longer_than_its_sources_is_said_to_come_first(run, tmp_path: Path):
    # a new user gave the book first and their five sentences second: 913 sentences were
    # checked against the five before anything said the order was the other way round
    book = write(tmp_path, "book.txt", " ".join(FACTS * 40))
    summary = write(tmp_path, "summary.txt", f"{TRUE}\n")
    r = run("verify", book, summary)
    assert "is longer than its sources" in r.stderr and "SUMMARY SOURCE" in r.stderr
    assert "longer than its sources" not in run("verify", summary, book).stderr
    short = write(tmp_path, "short.txt", "The council met.")
    assert "longer" not in run("verify", summary, short).stderr  # short: never said
