"""Hostile documents: archives that lie about what they inflate to, markup nested past
what a tree holds, subtitles with broken cues, PDFs with missing or looping pages. Each is
read as far as it can be, with one line for what was left out, or refused in one line."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from longcli.errors import InputError
from longcli.text import zipped
from longcli.text.decode import Source
from longcli.text.documents import open_document
from tests.support.documents import make_docx, make_epub, make_pdf, make_srt

MiB = 1 << 20


def read(path: Path):
    document = open_document(Source(str(path), path))
    return "".join(document.blocks), document


class _CountingInflater:
    """zlib's inflater, counting every byte it hands zipfile: what was really inflated."""

    def __init__(self, counter: list[int]) -> None:
        self._inner = zlib.decompressobj(-15)
        self._counter = counter

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        out = self._inner.decompress(data, max_length)
        self._counter[0] += len(out)
        return out

    def flush(self, *args: Any) -> bytes:
        out = self._inner.flush(*args)
        self._counter[0] += len(out)
        return out

    def __getattr__(self, name: str) -> Any:  # eof, unconsumed_tail, unused_data
        return getattr(self._inner, name)


@pytest.fixture
def inflated(monkeypatch) -> list[int]:
    """A one-item list holding the bytes every deflated zip member inflated to so far."""
    counter = [0]
    original = zipfile._get_decompressor  # type: ignore[attr-defined]

    def counting(compress_type: int) -> Any:
        if compress_type == zipfile.ZIP_DEFLATED:
            return _CountingInflater(counter)
        return original(compress_type)

    monkeypatch.setattr(zipfile, "_get_decompressor", counting)
    return counter


def lie_about_size(archive: bytes, member: str, declared: int) -> bytes:
    """The zip with `member`'s uncompressed size in the central directory set to `declared`
    (what a hostile archive does: the local header and the data stay as they were)."""
    name = member.encode()
    at = 0
    while True:
        at = archive.index(b"PK\x01\x02", at)
        name_length = struct.unpack_from("<H", archive, at + 28)[0]
        if archive[at + 46 : at + 46 + name_length] == name:
            break
        at += 4
    patched = bytearray(archive)
    struct.pack_into("<I", patched, at + 24, declared)  # uncompressed size
    return bytes(patched)


def rezip(archive: bytes, replace: dict[str, bytes]) -> bytes:
    """The zip with some members' contents replaced (deflated), others copied."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            data = replace.get(info.filename, old.read(info.filename))
            packing = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            new.writestr(info.filename, data, packing)
    return out.getvalue()


def lower_caps(monkeypatch, member: int = 1 * MiB, total: int = 2 * MiB) -> None:
    monkeypatch.setattr(zipped, "MAX_MEMBER_BYTES", member)
    monkeypatch.setattr(zipped, "MAX_UNPACKED_BYTES", total)


# -- archives bounded by what they really inflate to ----------------------------------------


def test_an_epub_that_lies_about_a_members_size_stops_inflating_at_once(
    tmp_path: Path, monkeypatch, inflated: list[int]
):
    lower_caps(monkeypatch)
    chapter = "OEBPS/text/ch1.xhtml"
    bomb = b"<html><body><p>" + b"a" * (64 * MiB) + b"</p></body></html>"
    book = rezip(make_epub([("One", ["Alice woke."])]), {chapter: bomb})
    path = tmp_path / "bomb.epub"
    path.write_bytes(lie_about_size(book, chapter, 4000))
    with pytest.raises(InputError, match=r"bomb\.epub is damaged: .*ch1\.xhtml.*zip bomb"):
        read(path)
    assert inflated[0] <= 2 * MiB  # not the 64 MiB it holds (the old reader inflated all)


def test_a_chapter_read_again_and_again_counts_every_time(
    tmp_path: Path, monkeypatch, inflated: list[int]
):
    lower_caps(monkeypatch)
    paragraphs = [f"Paragraph {n} of the harbour story, told at length." * 20 for n in range(300)]
    book = make_epub([("One", paragraphs)])
    assert len(zipfile.ZipFile(io.BytesIO(book)).read("OEBPS/text/ch1.xhtml")) > 256 << 10
    opf = zipfile.ZipFile(io.BytesIO(book)).read("OEBPS/content.opf")
    repeated = opf.replace(b'<itemref idref="c1"/>', b'<itemref idref="c1"/>' * 40)
    path = tmp_path / "repeats.epub"
    path.write_bytes(rezip(book, {"OEBPS/content.opf": repeated}))
    with pytest.raises(InputError, match="unpacks to more than 2 MiB.*zip bomb"):
        read(path)
    assert inflated[0] <= 2 * MiB + zipped.INFLATE_BLOCK_BYTES + (64 << 10)


def test_a_docx_that_lies_about_a_members_size_is_refused_before_python_docx(
    tmp_path: Path, monkeypatch, inflated: list[int]
):
    lower_caps(monkeypatch)
    docx = make_docx([("paragraph", "Some words.")])
    body = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml")
    padded = body + b" " * (64 * MiB)  # white space after the root: still well-formed XML
    path = tmp_path / "bomb.docx"
    path.write_bytes(
        lie_about_size(rezip(docx, {"word/document.xml": padded}), "word/document.xml", len(body))
    )
    with pytest.raises(InputError, match=r"bomb\.docx is damaged: word/document\.xml.*zip bomb"):
        read(path)
    assert inflated[0] <= 2 * MiB


def test_honest_archives_within_the_caps_read_as_before(
    tmp_path: Path, monkeypatch, inflated: list[int]
):
    lower_caps(monkeypatch)
    book = tmp_path / "book.epub"
    book.write_bytes(make_epub([("One", ["Alice woke."]), ("Two", ["Rain fell."])]))
    assert "Rain fell." in read(book)[0]
    notes = tmp_path / "notes.docx"
    notes.write_bytes(make_docx([("heading", (1, "Plan")), ("paragraph", "Buy tea.")]))
    inflated[0] = 0
    assert read(notes)[0] == "# Plan\n\nBuy tea.\n\n"
    assert 0 < inflated[0] <= 2 * MiB  # python-docx read the checked copy, not the archive


def test_an_archive_packed_with_bzip2_is_refused(tmp_path: Path):
    book = io.BytesIO()
    with zipfile.ZipFile(book, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        z.writestr("META-INF/container.xml", b"<container/>" * 100, zipfile.ZIP_BZIP2)
    path = tmp_path / "bz.epub"
    path.write_bytes(book.getvalue())
    with pytest.raises(InputError, match="only stored and deflated"):
        read(path)


# -- markup nested deeper than a tree holds ------------------------------------------------


def deep_page(depth: int, top: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><body>{top}"
        + "<div>" * depth
        + "<p>The harbour committee met on Monday and the vote passed.</p>"
        + "</div>" * depth
        + "<p>The tail sentence comes after the deep part.</p></body></html>"
    )


@pytest.mark.parametrize("depth", [300, 50_000])
def test_html_nested_deeper_than_a_tree_is_read_whole_and_said_so(tmp_path: Path, depth: int):
    path = tmp_path / "deep.html"
    path.write_text(deep_page(depth, "<p>The top sentence is here.</p>"))
    text, document = read(path)
    assert "The top sentence" in text and "vote passed" in text and "tail sentence" in text
    assert len(document.warnings) == 1 and "nested deeper" in document.warnings[0]


def test_html_whose_only_text_is_deep_is_not_called_empty(tmp_path: Path):
    path = tmp_path / "deep.html"
    path.write_text(deep_page(50_000))
    text, document = read(path)
    assert "vote passed" in text and document.warnings


def test_html_within_the_depth_is_read_without_a_warning(tmp_path: Path):
    path = tmp_path / "shallow.html"
    path.write_text(deep_page(100, "<p>The top sentence is here.</p>"))
    text, document = read(path)
    assert "vote passed" in text and "tail sentence" in text and not document.warnings


def test_an_epub_chapter_nested_too_deep_is_read_and_said_so(tmp_path: Path):
    chapter = "OEBPS/text/ch1.xhtml"
    deep = deep_page(1000).replace("<!DOCTYPE html>", "").encode()
    book = rezip(make_epub([("One", ["Alice woke."])]), {chapter: deep})
    path = tmp_path / "deep.epub"
    path.write_bytes(book)
    text, document = read(path)
    assert "vote passed" in text and "tail sentence" in text
    assert len(document.warnings) == 1 and "ch1.xhtml is nested deeper" in document.warnings[0]


# -- subtitles with broken cues --------------------------------------------------------------


def test_an_srt_cue_with_a_broken_timing_line_is_named_and_the_rest_kept(tmp_path: Path):
    cues = [
        ("00:00:01", "00:00:03", "The harbour committee met on Monday."),
        ("00:00:04", "00:00:06", "This cue has a broken timing line."),
        ("00:00:07", "00:00:09", "The vote passed."),
        ("00:00:10", "00:00:12", "Everyone went home."),
    ]
    srt = make_srt(cues).replace("00:00:04,000 --> 00:00:06,000", "00:00:04,000 -> 00:00:0x")
    path = tmp_path / "meeting.srt"
    path.write_text(srt)
    text, document = read(path)
    assert text == "The harbour committee met on Monday.\n\nThe vote passed.\nEveryone went home.\n"
    assert document.warnings == [
        f"{path}: cue 2 (line 6: '00:00:04,000 -> 00:00:0x') without a readable timing line: "
        "left out"
    ]


def test_srt_cues_with_missing_or_garbled_timings_are_one_warning(tmp_path: Path):
    good = "1\n00:00:01,000 --> 00:00:02,000\nFirst words.\n\n"
    broken = "".join(f"{n}\nnot a time {n}\nLost words {n}.\n\n" for n in range(2, 10))
    last = "10\n00:00:30,000 --> 00:00:31,000\nLast words.\n"
    path = tmp_path / "many.srt"
    path.write_text(good + broken + last)
    text, document = read(path)
    assert text == "First words.\n\nLast words.\n" and "Lost" not in text
    assert len(document.warnings) == 1
    assert "cues 2 (line 6: 'not a time 2')" in document.warnings[0]
    assert "and 3 more without a readable timing line" in document.warnings[0]


def test_a_blank_line_inside_a_cue_is_not_a_broken_cue(tmp_path: Path):
    srt = (
        "1\n00:00:01,000 --> 00:00:04,000\nIn\n\n1999 we sailed.\n\n"
        "2\n00:00:05,000 --> 00:00:06,000\nHome.\n"
    )
    path = tmp_path / "years.srt"
    path.write_text(srt)
    text, document = read(path)
    assert "1999 we sailed." in text and "Home." in text and not document.warnings


# -- PDFs whose page tree names missing or looping pages ----------------------------------

PAGES = [
    ["Page one says the harbour committee met on Monday and voted."],
    ["Page two tells of the vote and what the committee decided."],
    ["Page three says everyone went home after the meeting ended."],
]
KIDS = b"/Kids [3 0 R 5 0 R 7 0 R]"


@pytest.mark.parametrize(
    ("kids", "lost"),
    [
        (b"/Kids [3 0 R 0 0 R 7 0 R]", "page 2 of 3"),  # object 0 is never a page: missing
        (b"/Kids [3 0 R 2 0 R 7 0 R]", "page 3 of 3"),  # the page tree holds itself: a loop
    ],
)
def test_a_pdf_with_a_missing_or_looping_page_keeps_every_readable_page(
    tmp_path: Path, kids: bytes, lost: str
):
    pdf = make_pdf(PAGES)
    path = tmp_path / "tree.pdf"
    path.write_bytes(pdf.replace(KIDS, kids))  # the same length: the xref stays right
    text, document = read(path)
    assert "Page one says" in text and "Page three says" in text
    assert len(document.warnings) == 1 and lost in document.warnings[0]
    assert "cannot be loaded" in document.warnings[0]
    assert document.where(text.index("Page three"), len(text)) in ("p. 2", "p. 3")


def test_a_pdf_none_of_whose_pages_loads_is_one_clear_error(tmp_path: Path):
    path = tmp_path / "nothing.pdf"
    path.write_bytes(make_pdf(PAGES).replace(KIDS, b"/Kids [0 0 R 0 0 R 0 0 R]"))
    with pytest.raises(InputError, match="none of its 3 pages can be loaded"):
        read(path)
