"""--cite: one format for every input and output format, and every sentence cites the file
and the place it really comes from.

`[n]` after each sentence (several: `[2, 5]`, at most three, ascending), then a list
"Sources" whose line n names the file and the most specific place the input has.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest

from longcli.grounding.cite import (
    MAX_REFERENCES_PER_SENTENCE,
    Span,
    describe_place,
    number_references,
    placed,
)
from longcli.text.documents import Mark
from longcli.text.sentences import split_sentences
from tests.conftest import TEST_DATA
from tests.support.documents import make_docx, make_epub, make_html, make_pdf, make_srt, make_vtt

UNITS = range(1, 7)  # pages, chapters, sections or minutes of cues, one per unit
MARK = re.compile(r" \[(\d+(?:, \d+)*)\]")
SOURCE_LINE = re.compile(r"^(\d+)\. (.+?), (.+)$")


def sentences(u: int) -> list[str]:
    """Prose about unit u, each sentence naming Town{u} so its place can be checked."""
    return [
        f"In Town{u} the baker Alice Hart sold {u * 7} loaves of rye to Person{u} at dawn.",
        f"The harbour of Town{u} stayed closed for {u} days while storm number {u} passed.",
        f"Fishermen from Town{u} mended {u + 2} nets and counted {u * 3} boats afterwards.",
    ]


@dataclass(frozen=True)
class Input:
    name: str
    data: bytes | str
    place: str  # the pattern every place in the Sources list matches

    def unit_of(self, place: str, source: str) -> set[int]:
        """The units a place covers: its numbers (pages, chapters, sections, minutes), or
        for characters, the units whose sentences lie in that range of the text."""
        if place.startswith("characters "):
            start, end = (int(n.replace(",", "")) for n in re.findall(r"[\d,]+", place))
            return {int(u) for u in re.findall(r"Town(\d+)", source[start:end])}
        if place.startswith("line"):  # a plain text's lines, 1-based
            first, last = ([int(n.replace(",", "")) for n in re.findall(r"[\d,]+", place)] * 2)[:2]
            held = "\n".join(source.split("\n")[first - 1 : last])
            return {int(u) for u in re.findall(r"Town(\d+)", held)}
        if re.match(r"\d\d:", place):
            return {int(m) for m in re.findall(r"\d\d:(\d\d):\d\d", place)}
        numbers = [int(n) for n in re.findall(r"\d+", place)]
        return set(range(numbers[0], numbers[-1] + 1)) if numbers else set()


def _text_input() -> Input:
    body = "\n\n".join(" ".join(sentences(u)) for u in UNITS) + "\n"
    return Input("notes.txt", body, r"lines? [\d,]+(?:–[\d,]+)?")


def _markdown_input() -> Input:
    body = "".join(f"## Harbour {u}\n\n" + " ".join(sentences(u)) + "\n\n" for u in UNITS)
    return Input("notes.md", "# Harbour notes\n\n" + body, r'section "Harbour (?:\d+|notes)"')


def _cues() -> list[tuple[str, str, str]]:
    return [
        (f"00:{u:02d}:{k * 10:02d}", f"00:{u:02d}:{k * 10 + 8:02d}", sentence)
        for u in UNITS
        for k, sentence in enumerate(sentences(u))
    ]


TIMES = r"00:\d\d:\d\d(?:–00:\d\d:\d\d)?"
INPUTS: dict[str, Callable[[], Input]] = {
    "text": _text_input,
    "markdown": _markdown_input,
    "pdf": lambda: Input(
        "paper.pdf", make_pdf([sentences(u) for u in UNITS]), r"p\. \d+|pp\. \d+–\d+"
    ),
    "epub": lambda: Input(
        "book.epub",
        make_epub([(f"Harbour {u}", sentences(u)) for u in UNITS]),
        r'chapter \d+ "Harbour \d+"',  # no number of its own: its place in the contents
    ),
    "html": lambda: Input(
        "page.html",
        make_html("Harbour notes", [(f"Harbour {u}", sentences(u)) for u in UNITS]),
        r'section "Harbour (?:\d+|notes)"|title page',
    ),
    "docx": lambda: Input(
        "notes.docx",
        make_docx(
            [("heading", (1, "Harbour notes"))]
            + [
                b
                for u in UNITS
                for b in (("heading", (2, f"Harbour {u}")), ("paragraph", " ".join(sentences(u))))
            ]
        ),
        r'section "Harbour (?:\d+|notes)"',
    ),
    "srt": lambda: Input("talk.srt", make_srt(_cues()), TIMES),
    "vtt": lambda: Input("talk.vtt", make_vtt(_cues()), TIMES),
}


def write(tmp_path: Path, item: Input) -> Path:
    path = tmp_path / item.name
    if isinstance(item.data, bytes):
        path.write_bytes(item.data)
    else:
        path.write_text(item.data, encoding="utf-8")
    return path


@dataclass
class Cited:
    body: str
    marks: list[list[int]]  # per marked sentence
    sentences: list[str]  # the marked sentences, without their marks
    sources: dict[int, tuple[str, str]]  # n -> (file, place)


def parse(stdout: str, markdown: bool = False) -> Cited:
    """The summary, its marks and its Sources list, checking their shape on the way."""
    heading = "\n\n## Sources\n\n" if markdown else "\n\nSources\n"
    assert stdout.count(heading) == 1, stdout
    body, listed = stdout.rstrip("\n").split(heading)
    if markdown:
        assert body.startswith("# Summary of ")
        body = body.split("\n\n", 1)[1]
    lines = [SOURCE_LINE.match(line) for line in listed.split("\n")]
    assert all(lines), listed
    sources = {int(m[1]): (m[2], m[3]) for m in lines if m}
    assert list(sources) == list(range(1, len(sources) + 1))  # numbered 1..k, in order
    marks, texts, pos = [], [], 0
    for match in MARK.finditer(body):
        numbers = [int(n) for n in match[1].split(", ")]
        assert numbers == sorted(set(numbers)) and len(numbers) <= MAX_REFERENCES_PER_SENTENCE
        assert not body[match.start() - 1].isspace(), body  # right after its sentence
        marks.append(numbers)
        texts.append(body[pos : match.start()].strip().lstrip("- "))
        pos = match.end()
    plain = MARK.sub("", body)
    assert len(marks) == len(split_sentences(plain)), body  # every sentence has its [n]
    assert {n for m in marks for n in m} == set(sources)  # exactly the cited are listed
    return Cited(body, marks, texts, sources)


@pytest.mark.parametrize(
    "kind",
    INPUTS,
)
def test_one_format_for_every_input_type(run, tmp_path: Path, kind: str):
    item = INPUTS[kind]()
    path = write(tmp_path, item)
    base = ["summarize", path.name, "--method", "extractive", "--words", "60", "--cite", "-q"]
    r = run(*base, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    cited = parse(r.stdout)
    assert len(cited.marks) >= 2
    source = item.data if isinstance(item.data, str) else ""
    for n, (file, place) in cited.sources.items():
        assert file == item.name and re.fullmatch(item.place, place), (n, place)
    for at, (sentence, numbers) in enumerate(zip(cited.sentences, cited.marks, strict=True)):
        town = re.search(r"Town(\d+)", sentence)
        if town is None:  # the title leads alone, over the first section's heading
            assert (at, sentence) == (0, "Harbour notes."), cited.body
            continue
        unit = int(town[1])
        for n in numbers:  # each place cited holds the sentence, or a heading run into it
            place = cited.sources[n][1]
            title = re.search(r'"(.+)"', place)
            held = unit in item.unit_of(place, source) or (title and title[1] in sentence)
            assert held, (sentence, n, place)
    markdown = run(*base, "--format", "markdown", cwd=tmp_path)
    assert parse(markdown.stdout, markdown=True).sources == cited.sources  # the same lines


def test_numbers_follow_document_order_and_json_agrees(run, tmp_path: Path):
    path = write(tmp_path, INPUTS["pdf"]())
    base = ["summarize", path.name, "--method", "extractive", "--words", "80", "-q"]
    text = parse(run(*base, "--cite", cwd=tmp_path).stdout)
    data = json.loads(run(*base, "-f", "json", cwd=tmp_path).stdout)
    references = data["references"]
    assert [r["n"] for r in references] == list(range(1, len(references) + 1))
    assert [(r["source"], r["start"]) for r in references] == sorted(
        (r["source"], r["start"]) for r in references
    )  # [1] comes first in the input
    assert {r["n"]: (r["file"], r["where"]) for r in references} == text.sources
    assert [c for c in data["cites"] if c] == text.marks  # JSON has the numbers [n] shows
    assert len(data["cites"]) == len(data["citations"])
    for numbers, spans in zip(data["cites"], data["citations"], strict=True):
        wheres = {s["where"] for s in spans}  # every span still there, with its place
        assert {references[n - 1]["where"] for n in numbers} <= wheres


def _words(text: str) -> str:
    """Text as its words only: no markup, punctuation, heading marks or list dashes."""
    return " ".join(re.findall(r"\w+", re.sub(r"<[^>]+>", " ", text).lower()))


def test_each_sentence_cites_the_file_that_holds_it(run, tmp_path: Path):
    (tmp_path / "page.html").write_text(
        "<html><head><title>Harbour shop</title></head><body><article>"
        "<h1>The harbour shop</h1><p>The baker Alice Hart opened a new shop on the harbour "
        "road this spring. Her sourdough sold out before noon on the first day, and the "
        "queue reached the fish market.</p><h2>What she sells</h2><ul>"
        "<li>Sourdough loaves baked before dawn every morning</li>"
        "<li>Rye bread with caraway seeds from the valley farms</li>"
        "<li>Cinnamon buns on Saturdays only</li></ul></article></body></html>"
    )
    (tmp_path / "b.md").write_text(
        "# Weather report\n\nThe storm reached the coast of Wexford late on Tuesday night and "
        "closed the harbour road.\n\nFishing boats stayed in port for three days while the "
        "wind blew from the east.\n\nTwo roofs in the village of Kilmore were torn off by the "
        "wind, and the bakery lost its sign.\n\nThe council promised repairs within a week.\n"
        "\nOn the harbour road, a new shop was opened this spring by Alice Hart the baker.\n"
    )  # the last sentence has the words of one of page.html, in another order
    files = {name: _words((tmp_path / name).read_text()) for name in ("page.html", "b.md")}
    for words in (40, 60, 80):
        r = run(
            "summarize", "page.html", "b.md", "--method", "extractive", "--words", str(words),
            "--cite", "-q", cwd=tmp_path,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
        cited = parse(r.stdout)
        for sentence, numbers in zip(cited.sentences, cited.marks, strict=True):
            named = {cited.sources[n][0] for n in numbers}
            tokens = _words(sentence).split()
            for end in (" ".join(tokens[:5]), " ".join(tokens[-5:])):
                holders = {name for name, text in files.items() if end in text}
                assert holders and holders <= named, (sentence, named)  # its files are cited
            windows = {" ".join(tokens[i : i + 5]) for i in range(max(1, len(tokens) - 4))}
            for name in named:  # and only files that hold some of it
                assert any(w in files[name] for w in windows), (sentence, name)


def test_a_heading_run_into_the_next_file_cites_both():
    """Extracted sentences are placed by position: a heading (no end punctuation) runs
    into the next file's sentence when the summary is split again, and the joined sentence
    cites both files, not the one lexical alignment liked better."""
    pieces = ["Her bread sold out at noon.", "Prices", "Boats stayed in port for three days."]
    origins = [[Span(0, 0, 10, 29)], [Span(0, 0, 40, 49)], [Span(1, 1, 0, 36)]]
    text = " ".join(pieces)
    assert placed(text, pieces, origins) == [origins[0], origins[1] + origins[2]]
    cut = text[: text.index("for")].rstrip()  # cut short to a token budget
    assert placed(cut, pieces, origins) == [origins[0], origins[1] + origins[2]]
    bullets = "\n".join(f"- {p}" for p in pieces[::2])
    assert placed(bullets, pieces[::2], origins[::2]) == [origins[0], origins[2]]


def test_references_are_numbered_in_document_order_at_most_three_a_sentence():
    spans = [Span(0, 0, 500 - 100 * i, 550 - 100 * i) for i in range(5)]
    where = {s: f"p. {5 - i}" for i, s in enumerate(spans)}
    origins = [[spans[0]], spans, [spans[4], Span(0, 0, 10, 20)]]
    cited = number_references(origins, lambda s: where.get(s, "p. 1"))
    # p. 1 holds spans[4] and the span at 10: one passage, its extent both
    assert [(r.number, r.where, r.start, r.end) for r in cited.references] == [
        (1, "p. 1", 10, 150), (2, "p. 3", 300, 350), (3, "p. 4", 400, 450),
        (4, "p. 5", 500, 550),
    ]  # fmt: skip
    assert cited.numbers == [[4], [2, 3, 4], [1]]  # p. 2 is beyond the three: not listed


def test_places_are_named_by_kind():
    pages = [Mark(0, "page", "7"), Mark(100, "page", "8"), Mark(200, "page", "9")]
    assert describe_place(pages, 10, 50) == "p. 7"
    assert describe_place(pages, 10, 250) == "pp. 7–9"
    chapters = [Mark(0, "chapter", '1 "Preface"'), Mark(90, "chapter", '2 "Chapter 1. The Ship."')]
    assert describe_place(chapters, 5, 20) == 'chapter 1 "Preface"'
    assert describe_place(chapters, 95, 99) == 'chapter "Chapter 1. The Ship."'
    times = [Mark(0, "time", "00:01:02"), Mark(30, "time", "00:01:30")]
    assert describe_place(times, 2, 40) == "00:01:02–00:01:30"
    assert describe_place([Mark(0, "section", "Prices")], 3, 9) == 'section "Prices"'
    assert describe_place([], 1204, 1530) == "characters 1,204–1,530"
    assert describe_place(pages[1:], 10, 50) == "characters 10–50"  # before the first mark
    # a plain text whose newlines are known: its lines ("line 2": after the first newline)
    assert describe_place([], 12, 30, newlines=[10, 40, 80]) == "line 2"
    assert describe_place([], 0, 45, newlines=[10, 40, 80]) == "lines 1–3"
    # a web page with no heading there: how far in (its characters are no place to find)
    assert describe_place([], 500, 600, length=1000) == "about 50% in"


def _epub_contents(path: Path) -> list[str]:
    """The titles of the EPUB's own table of contents (the nav's toc, nested entries too)."""
    with zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist() if n.endswith("nav.xhtml"))
        root = ElementTree.fromstring(z.read(name))
    ops = "{http://www.idpf.org/2007/ops}type"
    toc = next(e for e in root.iter() if e.tag.endswith("nav") and e.get(ops) == "toc")
    return [" ".join("".join(a.itertext()).split()) for a in toc.iter() if a.tag.endswith("}a")]


def test_epub_chapters_are_the_books_own(run):
    book = TEST_DATA / "childrens-literature.epub"
    r = run("summarize", str(book), "--method", "extractive", "--words", "120", "--cite", "-q")
    assert r.returncode == 0, r.stderr
    contents = _epub_contents(book)
    places = [place for _, place in parse(r.stdout).sources.values()]
    assert places[0] == "title page"  # the lead: the book's title and author, from metadata
    for place in places[1:]:
        match = re.fullmatch(r'chapter (?:(\d+) )?"(.+)"', place)
        assert match and match[2] in contents, place
        # the number, if any, is the title's place in the contents; a title with its own
        # number ("195 THE FIR TREE") is shown without another
        own_number = re.match(r"\d|[IVXLC]+\.|Chapter \d", match[2]) is not None
        assert own_number != bool(match[1]), place
        assert not match[1] or contents[int(match[1]) - 1] == match[2]


def test_epub_titles_with_their_own_number_get_no_other(run, tmp_path: Path):
    chapters = [("Preface", sentences(1))] + [
        (f"Chapter {u - 1}. Harbour {u}", sentences(u)) for u in range(2, 5)
    ]
    (tmp_path / "book.epub").write_bytes(make_epub(chapters))
    r = run(
        "summarize", "book.epub", "--method", "extractive", "--words", "80", "--cite", "-q",
        cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    places = {place for _, place in parse(r.stdout).sources.values()}
    allowed = {'chapter 1 "Preface"'} | {f'chapter "{t}"' for t, _ in chapters[1:]}
    assert places and places <= allowed
