"""Documents in: each format read in order, with its places kept, and bad ones refused."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from longcli.errors import InputError
from longcli.text.decode import Source
from longcli.text.documents import InputFormat, open_document, sniff
from tests.conftest import TEST_DATA
from tests.support.documents import make_docx, make_epub, make_html, make_pdf, make_srt, make_vtt


def read(path: Path, fmt: InputFormat = InputFormat.auto):
    document = open_document(Source(str(path), path), fmt)
    return "".join(document.blocks), document


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_formats_are_recognised_by_their_bytes_not_their_names(tmp_path: Path):
    assert sniff(make_pdf([["x"]]), "notes.txt") == InputFormat.pdf
    assert sniff(make_epub([("A", ["b"])]), "book.zip") == InputFormat.epub
    assert sniff(make_docx([("paragraph", "x")]), "a.docx") == InputFormat.docx
    assert sniff(b"<!DOCTYPE html><html><body>x</body></html>", "page") == InputFormat.html
    assert sniff(b"WEBVTT\n\n00:00.000 --> 00:01.000\nhi", None) == InputFormat.vtt
    assert sniff(make_srt([("00:00:01", "00:00:02", "hi")]).encode(), None) == InputFormat.srt
    assert sniff(b"# Title\n\nSome <b>markdown</b> text.", "notes.md") == InputFormat.text
    assert sniff(b"plain words", "page.html") == InputFormat.text  # no markup at all


def test_pdf_pages_in_order_with_page_references(tmp_path: Path):
    pages = [["Alice opened the shop (early).", "She sold tea."], ["Bob came at noon."], ["Rain."]]
    text, doc = read(write(tmp_path, "shop.pdf", make_pdf(pages)))
    assert text.index("Alice") < text.index("Bob") < text.index("Rain")
    assert [m.label for m in doc.marks] == ["1", "2", "3"]
    assert doc.where(text.index("Alice"), text.index("sold")) == "p. 1"
    assert doc.where(text.index("sold"), text.index("Rain")) == "p. 1-2"  # ends where 3 begins
    assert doc.where(text.index("sold"), text.index("Rain") + 1) == "p. 1-3"
    assert "\n\n" in text[text.index("tea.") : text.index("Bob")]  # pages are boundaries


def test_a_real_pdf_and_its_outline_pages(tmp_path: Path):
    text, doc = read(TEST_DATA / "pdflatex-outline.pdf")
    assert len(doc.marks) == 4 and "Contents" in text
    assert "\ufffe" not in text and "\r" not in text


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("imagemagick-images.pdf", "has no text layer (40 letters on 6 pages: a scan?)"),
        ("libreoffice-writer-password.pdf", "is an encrypted PDF"),
    ],
)
def test_scanned_and_encrypted_pdfs_are_refused(name: str, message: str):
    with pytest.raises(InputError, match=re.escape(message)):
        read(TEST_DATA / name)


def test_damaged_pdfs_and_thousands_of_empty_pages(tmp_path: Path):
    whole = make_pdf([["Alice opened the shop."]] * 3)
    with pytest.raises(InputError, match="is not a readable PDF"):
        read(write(tmp_path, "cut.pdf", whole[: len(whole) // 3]))
    with pytest.raises(InputError, match="no text layer .0 letters on 10000 pages"):
        read(write(tmp_path, "empty.pdf", make_pdf([[]] * 10_000)))


def test_epub_chapters_in_spine_order_with_titles(tmp_path: Path):
    book = make_epub([("The Start", ["Alice woke."]), ("The Storm", ["Rain fell.", "It stopped."])])
    text, doc = read(write(tmp_path, "book.epub", book))
    assert text == "# The Start\nAlice woke.\n\n# The Storm\nRain fell.\n\nIt stopped.\n\n"
    assert [m.label for m in doc.marks] == ['1 "The Start"', '2 "The Storm"']
    assert doc.where(text.index("Rain"), text.index("stopped")) == 'ch. 2 "The Storm"'
    assert "color" not in text  # styles are not text


def test_a_title_from_metadata_becomes_a_title_page(tmp_path: Path):
    chapters = [("The Start", ["Alice woke."])]
    book = make_epub(chapters, title="Harbour Tales", author="Ann Reed")
    text, doc = read(write(tmp_path, "book.epub", book))
    assert text.startswith("Harbour Tales\nby Ann Reed\n\n# The Start\nAlice woke.")
    assert doc.where(text.index("Alice"), text.index("woke")) == 'ch. 1 "The Start"'
    titled = make_epub(chapters, title="The Start")  # the text's own title is kept too: the
    text, doc = read(write(tmp_path, "titled.epub", titled))  # lead says it once (fragments)
    assert text.startswith("The Start\n\n# The Start\nAlice woke.")
    assert doc.work is not None and doc.work.title == "The Start"
    pages = [["Rain fell on the town all night."], ["It stopped at dawn, and the sun came out."]]
    pdf = make_pdf(pages, {"Title": "Weather Log", "Author": "Bo Li"})
    text, doc = read(write(tmp_path, "log.pdf", pdf))
    assert text.startswith("Weather Log\nby Bo Li\n\nRain fell")
    assert doc.where(text.index("stopped"), text.index("stopped") + 3) == "p. 2"
    for junk in ("Microsoft Word - notes.docx", "untitled", "report.pdf"):  # not a title
        text, _ = read(write(tmp_path, "junk.pdf", make_pdf(pages, {"Title": junk})))
        assert text.startswith("Rain fell")


def test_printed_page_numbers_inside_a_sentence_are_not_text(tmp_path: Path):
    paragraph = (
        'The merry notes of <span epub:type="pagebreak" title="241" id="Page_241">241</span> '
        'the pipes <span class="pagenum">[242]</span>sounded down into the valley.'
    )
    text, _ = read(write(tmp_path, "book.epub", make_epub([("Old Pipes", [paragraph])])))
    assert "The merry notes of the pipes sounded down into the valley." in text


def test_a_real_epub_is_chaptered_by_its_table_of_contents():
    text, doc = read(TEST_DATA / "childrens-literature.epub")
    assert doc.marks[0].kind == "title" and text.startswith("Children's Literature\nby ")
    titles = [m.label for m in doc.marks if m.kind == "chapter"]
    # The table of contents only: 22 chapters, not the page list's hundreds of numbers.
    assert len(titles) == 22 and '4 "190 A FOUR-LEAVED CLOVER"' in titles
    assert not any(t.split(" ", 1)[1].strip('"').isdigit() for t in titles)
    emperor = next(m for m in doc.marks if "EMPEROR" in m.label)
    assert "193" in text[emperor.offset : emperor.offset + 20]  # the mark is at its chapter


def test_zip_bombs_and_damaged_archives_are_refused(tmp_path: Path):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        z.writestr("OEBPS/huge.xhtml", b"\0" * (64 << 20))
    with pytest.raises(InputError, match="zip bomb"):
        read(write(tmp_path, "bomb.epub", bomb.getvalue()))
    with pytest.raises(InputError, match="a zip archive, but not an EPUB or a DOCX"):
        read(write(tmp_path, "notes.docx", b"PK\x03\x04 not really a docx"))
    docx = make_docx([("paragraph", "Some words.")])
    with pytest.raises(InputError, match="damaged"):
        read(write(tmp_path, "cut.docx", docx[: len(docx) // 2]), InputFormat.docx)


def test_docx_paragraphs_headings_and_tables_in_order(tmp_path: Path):
    blocks = [
        ("heading", (1, "Budget")),
        ("paragraph", "We spend 5 dollars."),
        ("table", [["Item", "Cost"], ["Tea", "5"]]),
        ("heading", (2, "Plans")),
        ("paragraph", "Buy more tea."),
    ]
    text, doc = read(write(tmp_path, "plan.docx", make_docx(blocks)))
    expected = (
        "# Budget\n\nWe spend 5 dollars.\n\nItem | Cost\nTea | 5\n\n## Plans\n\nBuy more tea.\n\n"
    )
    assert text == expected
    assert doc.where(text.index("Buy"), len(text)) == "Plans"


def test_html_main_content_only_with_headings(tmp_path: Path):
    page = make_html(
        "Tea report",
        [
            ("Prices", ["Tea prices rose by five percent this year across all the markets."]),
            ("Outlook", ["Growers expect a calm season with steady rain and good harvests."]),
        ],
    )
    text, doc = read(write(tmp_path, "page.html", page))
    assert "## Prices" in text and "## Outlook" in text and "five percent" in text
    for boilerplate in ("SECRET-SCRIPT", "Shop menu item", "cookie notice", "color: red"):
        assert boilerplate not in text
    assert doc.where(text.index("Growers"), len(text)) == "Outlook"


def test_huge_html_is_read_without_heuristics_and_said_so(tmp_path: Path, monkeypatch):
    from longcli.text import markup

    monkeypatch.setattr(markup, "MAX_HTML_BYTES", 10_000)
    page = make_html("Big", [("Part", ["A long paragraph about tea. " * 20])] * 30)
    text, doc = read(write(tmp_path, "big.html", page))
    assert "about tea" in text and "SECRET-SCRIPT" not in text
    assert doc.warnings and "read as text" in doc.warnings[0]


@pytest.mark.parametrize("kind", ["vtt", "srt"])
def test_subtitles_keep_cue_text_and_times(tmp_path: Path, kind: str):
    cues = [
        ("00:00:01", "00:00:03", "<v Ann>Hello there."),
        ("00:00:04", "00:00:06", "How are you?"),
        ("00:14:03", "00:14:05", "Fine, thanks."),
    ]
    data = make_vtt(cues) if kind == "vtt" else make_srt(cues)
    text, doc = read(write(tmp_path, f"call.{kind}", data))
    assert text == "Hello there.\nHow are you?\n\nFine, thanks.\n"  # a long pause: a new paragraph
    # From the first cue's start to the last cue's end, as --cite and the JSON name them.
    assert doc.where(text.index("Fine"), len(text)) == "00:14:03-00:14:05"
    assert doc.where(0, text.index("How")) == "00:00:01-00:00:03"
    assert doc.where(0, text.index("Fine")) == "00:00:01-00:00:06"
    assert "-->" not in text and "cue-" not in text


def test_a_missing_reader_names_the_extra(tmp_path: Path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pypdfium2", None)  # as if not installed
    with pytest.raises(InputError) as caught:
        read(write(tmp_path, "a.pdf", make_pdf([["Alice."]])))
    # The extra as this install names it: 'longcli[docs]', or '<its path>[docs]' from a clone.
    assert "pypdfium2" in caught.value.message and "[docs]'" in (caught.value.hint or "")


def test_subtitle_citations_name_the_time_range_of_their_cues(run, tmp_path: Path):
    sentences = [
        "The harbour committee met on Monday morning.",
        "Alice Hart read the report on the new pier.",
        "The vote on the pier passed by nine votes to two.",
        "Work on the pier starts in the spring.",
    ]
    cues = [
        (f"00:00:{4 * n + 1:02d}", f"00:00:{4 * n + 4:02d}", s) for n, s in enumerate(sentences)
    ]
    path = write(tmp_path, "meeting.srt", make_srt(cues))
    r = run("summarize", str(path), "--method", "extractive", "--words", "40", "--cite", "-q")
    assert r.returncode == 0, r.stderr
    sources = re.findall(r"^\d+\. .*meeting\.srt, (.+)$", r.stdout, re.M)
    # Each sentence is one cue here: its place is that cue's start to its end.
    assert sources == [f"{start}–{end}" for start, end, _ in cues], r.stdout


def test_an_html_heading_broken_by_br_is_one_heading(tmp_path: Path):
    """The Legend of Sleepy Hollow (Gutenberg HTML): "<h2>FOUND AMONG THE PAPERS <br />
    OF THE LATE DIEDRICH KNICKERBOCKER.</h2>" headed its outline as "Of the Late Diedrich
    Knickerbocker:"."""
    page = tmp_path / "legend.html"
    page.write_text(
        "<html><head><title>The Legend</title></head><body>"
        "<h2>FOUND AMONG THE PAPERS <br /> OF THE LATE DIEDRICH KNICKERBOCKER.</h2>"
        "<p>In the bosom of one of those spacious coves which indent the eastern shore of the "
        "Hudson, there lies a small market town which is known as Tarry Town.</p>"
        "<p>A small brook glides through it, with just murmur enough to lull one to repose."
        "</p></body></html>",
        encoding="utf-8",
    )
    document = open_document(Source("legend.html", page))
    text = "".join(document.blocks)
    sections = [m.label for m in document.marks if m.kind == "section"]
    assert "FOUND AMONG THE PAPERS OF THE LATE DIEDRICH KNICKERBOCKER." in sections, sections
    assert "FOUND AMONG THE PAPERS OF THE LATE" in text
