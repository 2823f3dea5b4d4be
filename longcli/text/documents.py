"""Documents in: PDF, EPUB, HTML, DOCX, SRT and WebVTT, read into text with their places.

A format is recognised by its first bytes (the file name's extension only breaks ties),
or forced with --input-format. Each reader yields the document's text as blocks, in
reading order, and records *marks* as it goes: where each page, chapter, section or
subtitle cue starts in that text. A span of the text is then named by the marks it
covers ("p. 12-13", `ch. 4 "The Storm"`, "00:14:03"), for --cite, the JSON output and
chat recall. Pages are read one at a time; chapters and headings become headings in
the text, so the chunker cuts there first.

The libraries (pypdfium2, python-docx, trafilatura, lxml_html_clean, webvtt-py) come with
the `docs` extra. Before a reader runs, every module it uses is imported, deepest first, and
one that fails is named for what it is, with the pip command that installs it: trafilatura
imports justext, which imports lxml.html.clean, which lxml 5.2 moved out to lxml_html_clean,
and blaming the top package for that sent users round in a circle. `reader_status` does the
same check for every format, for `longcli doctor` (text/reader_libraries.py). Plain
text and Markdown need none.
"""

from __future__ import annotations

import importlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from longcli.errors import InputError
from longcli.text.aozora import aozora_body, aozora_text
from longcli.text.boilerplate import TITLE_SEARCH_CHARS
from longcli.text.decode import (
    Source,
    decode_bytes,
    iter_source_text,
    open_binary,
    peek,
    text_encoding,
)
from longcli.text.marks import (
    Document,
    InputFormat,
    Mark,
    MarkedText,
    Work,
    declared_charset,
    declared_format,
    describe_span,
    spooled,
    title_page,
    work_from,
)
from longcli.text.markup import read_html
from longcli.text.pdf_pages import cover_work, without_running_heads
from longcli.text.reader_libraries import (
    FORMAT_NAMES,
    READER_MODULES,
    ReaderStatus,
    checked,
    extra_install,
    reader_status,
)
from longcli.text.titles import title_of
from longcli.text.zipped import read_docx, read_epub

# The readers' public face: what summarize/, chat/, cli/, doctor and the tests import.
__all__ = [
    "FORMAT_NAMES", "READER_MODULES", "Document", "InputFormat", "Mark", "ReaderStatus",
    "Work", "describe_span", "extra_install", "open_document", "reader_status", "sniff",
]  # fmt: skip

SNIFF_BYTES = 4096
MIN_PDF_CHARS_PER_PAGE = 16  # fewer letters and digits than this: a scan with stray labels
MAX_PAGES_NAMED = 10  # a warning about unloadable pages names this many, then counts


# -- recognising a format ---------------------------------------------------------------

_EXTENSIONS = {
    ".pdf": InputFormat.pdf,
    ".epub": InputFormat.epub,
    ".html": InputFormat.html,
    ".htm": InputFormat.html,
    ".xhtml": InputFormat.html,
    ".docx": InputFormat.docx,
    ".srt": InputFormat.srt,
    ".vtt": InputFormat.vtt,
}
_SRT_START = re.compile(rb"^\s*\d+\s*\r?\n\s*\d\d:\d\d:\d\d[,.]\d{3}\s*-->")
_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b",
                         re.IGNORECASE | re.DOTALL)  # fmt: skip


def sniff(head: bytes, name: str | None) -> InputFormat:
    """A format from a document's first bytes, with its name's extension as a hint."""
    body = head.removeprefix(b"\xef\xbb\xbf")
    if body.startswith(b"%PDF-"):
        return InputFormat.pdf
    if body.startswith(b"PK\x03\x04"):
        if b"mimetypeapplication/epub+zip" in body[:100]:
            return InputFormat.epub
        if b"word/" in body or b"[Content_Types].xml" in body:
            hint = _EXTENSIONS.get(Path(name or "").suffix.lower())
            return hint if hint in (InputFormat.docx, InputFormat.epub) else InputFormat.docx
    if body.lstrip().startswith(b"WEBVTT"):
        return InputFormat.vtt
    if _SRT_START.match(body):
        return InputFormat.srt
    if _HTML_START.match(body):
        return InputFormat.html
    hint = _EXTENSIONS.get(Path(name or "").suffix.lower())
    if hint is InputFormat.html and b"<" in body[:1024]:
        return InputFormat.html
    return InputFormat.text


def open_document(
    source: Source,
    fmt: InputFormat = InputFormat.auto,
    encoding: str | None = None,
    errors: str = "strict",
) -> Document:
    """A source as a Document of the format its bytes (or a URL's Content-Type) say, or
    `fmt` when forced; decoded as `encoding` says, else as a URL's charset does."""
    encoding = text_encoding(encoding) or declared_charset(source)
    if fmt == InputFormat.auto:
        head = _head(source)
        fmt = declared_format(source) or sniff(head, source.name if source.path else None)
        if fmt == InputFormat.text and head.startswith(b"PK\x03\x04"):
            raise InputError(f"{source.label} is a zip archive, but not an EPUB or a DOCX")
    if fmt == InputFormat.text:
        document = Document(source, fmt, iter(()))
        blocks = iter_source_text(source, encoding, errors)
        markdown = source.path is not None and source.path.suffix.lower() in MARKDOWN_SUFFIXES
        blocks = _markdown_sections(document, blocks) if markdown else blocks
        document.blocks = _titled(document, blocks)
        return document
    document = Document(source, fmt, iter(()))
    document.blocks = checked(fmt, _READERS[fmt](document, encoding, errors))
    return document


def _titled(document: Document, blocks: Iterator[str]) -> Iterator[str]:
    """Plain text's blocks, its work found in its first pages: the title and author its
    lead names (it has no metadata to hold them), or an Aozora Bunko file's title lines
    (text/aozora.py), whose marks and notes are then taken out of its text."""
    head = ""
    for block in blocks:
        head += block
        if len(head) >= TITLE_SEARCH_CHARS:
            break
    aozora = aozora_text(head)
    if aozora is None:
        document.work = title_of(head)
        yield head
        yield from blocks
        return
    document.work = aozora.work
    out = MarkedText(document)
    yield out.title_page(title_page(aozora.work))
    for text in aozora_body(head, aozora, blocks):
        for heading in _MARKDOWN_HEADING_LINE.finditer(text):
            document.marks.append(Mark(out.offset + heading.start(), "section", heading.group(1)))
        yield out.block(text)


_MARKDOWN_HEADING_LINE = re.compile(r"^#{1,6} (.+)$", re.M)


def _head(source: Source) -> bytes:
    """The first bytes, read from the stream the reader then goes on reading: a pipe, a
    FIFO or standard input can be read only once."""
    return peek(source, SNIFF_BYTES)


# -- PDF ----------------------------------------------------------------------------------


def _pdf(document: Document, encoding: str | None, errors: str) -> Iterator[str]:
    pdfium: Any = importlib.import_module("pypdfium2")
    label = document.source.label
    with spooled(document.source) as path:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise InputError(
                    f"{label} is an encrypted PDF; longcli reads only unencrypted ones",
                    hint="decrypt it first, e.g. qpdf --decrypt --password=... in.pdf out.pdf",
                ) from None
            raise InputError(f"{label} is not a readable PDF ({exc})") from None
        try:
            out = MarkedText(document)
            found_chars = 0
            lost: list[int] = []  # pages the page tree names but pdfium cannot load

            def pages() -> Iterator[tuple[int, str]]:
                nonlocal found_chars
                for number in range(len(pdf)):
                    raw = _page_text(pdfium, pdf, number)
                    if raw is None:
                        lost.append(number + 1)
                        continue
                    text = _clean_pdf_text(raw)
                    found_chars += sum(ch.isalnum() for ch in text)
                    yield number, text

            for number, text in without_running_heads(pages()):
                if not out.offset and text.strip():
                    document.work = _pdf_work(pdfium, pdf, number)
                    if cover := title_page(document.work):
                        yield out.title_page(cover)
                out.mark("page", str(number + 1))
                if text.strip():
                    yield out.block(text.rstrip() + "\n\n")
            if lost:
                _lost_pages(document, lost, len(pdf))
            if found_chars < MIN_PDF_CHARS_PER_PAGE * (len(pdf) - len(lost)):
                raise InputError(
                    f"{label} has no text layer ({found_chars} letters on {len(pdf)} pages: "
                    "a scan?); longcli does not read images",
                    hint="run OCR first, e.g. ocrmypdf in.pdf out.pdf",
                )
        finally:
            pdf.close()


def _pdf_work(pdfium: Any, pdf: Any, number: int) -> Work | None:
    """The work a PDF's metadata names; else, or for its author, the one its cover (page
    `number`, the first with text) shows (text/pdf_pages.cover_work)."""
    meta = pdf.get_metadata_dict()
    work = work_from(meta.get("Title", ""), meta.get("Author", ""))
    if work is not None and work.author:
        return work
    try:
        page = pdf[number]
        textpage = page.get_textpage()
    except pdfium.PdfiumError:
        return work
    try:
        cover = cover_work(textpage)
    finally:
        textpage.close()
        page.close()
    if cover is None:
        return work
    if work is None:
        return cover
    same = "".join(filter(str.isalnum, work.title.lower())) == "".join(
        filter(str.isalnum, cover.title.lower())
    )
    return Work(work.title, cover.author) if same else work


def _page_text(pdfium: Any, pdf: Any, number: int) -> str | None:
    """A page's text layer, or None when its page is missing or its page tree loops (pdfium
    cannot load it): one bad page costs that page, not the document."""
    try:
        page = pdf[number]
    except pdfium.PdfiumError:
        return None
    try:
        textpage = page.get_textpage()
        try:
            return str(textpage.get_text_range())
        finally:
            textpage.close()
    except pdfium.PdfiumError:
        return None
    finally:
        page.close()


def _lost_pages(document: Document, lost: list[int], pages: int) -> None:
    """A warning naming the pages that could not be read, or the error when none could."""
    label = document.source.label
    if len(lost) == pages:
        raise InputError(
            f"{label} is damaged: none of its {pages} pages can be loaded (its page tree "
            "names missing pages or loops)"
        )
    named = ", ".join(map(str, lost[:MAX_PAGES_NAMED]))
    more = f" and {len(lost) - MAX_PAGES_NAMED:,} more" if len(lost) > MAX_PAGES_NAMED else ""
    which = "page" if len(lost) == 1 else "pages"
    document.warnings.append(
        f"{label}: {which} {named}{more} of {pages} cannot be loaded (a missing or looping "
        "page in its page tree): left out, the other pages read"
    )


def _clean_pdf_text(raw: str) -> str:
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    # pdfium marks a word broken at a line end with U+FFFE (or a soft hyphen): join it.
    text = re.sub(r"[\ufffe\u00ad\x02]\n?", "", text)
    return text.replace("\x00", "").replace("\f", "\n")


MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdx")
MARKDOWN_HEADING = re.compile(r"(#{1,6}) +(\S.*)")


def _markdown_sections(document: Document, blocks: Iterator[str]) -> Iterator[str]:
    """Markdown as it is, with a section mark at each '#' heading outside code fences."""
    pending, at, fenced = "", 0, False  # the unfinished last line, and where it starts
    for block in blocks:
        text = pending + block
        complete = text.rfind("\n") + 1
        fenced = _mark_headings(document, text[:complete], at, fenced)
        pending, at = text[complete:], at + complete
        yield block
    _mark_headings(document, pending + "\n", at, fenced)


def _mark_headings(document: Document, lines: str, at: int, fenced: bool) -> bool:
    for line in re.finditer(r"[^\n]*\n", lines):
        if line.group().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and (heading := MARKDOWN_HEADING.match(line.group())):
            title = heading.group(2).strip().rstrip("#").strip()
            document.marks.append(Mark(at + line.start(), "section", title))
    return fenced


# -- subtitles ----------------------------------------------------------------------------

PARAGRAPH_GAP_S = 2.0  # a pause this long between cues starts a new paragraph


def _subtitles(document: Document, encoding: str | None, errors: str) -> Iterator[str]:
    webvtt: Any = importlib.import_module("webvtt")
    label = document.source.label
    raw = b"".join(_raw(document.source))
    text = decode_bytes(raw, label, encoding, errors)  # the errors and hints of plain text
    if document.format == InputFormat.srt:
        text, broken = _without_broken_cues(text)
        if broken:
            document.warnings.append(f"{label}: {_broken_cues_line(broken)}")
    try:
        captions = webvtt.from_buffer(io.StringIO(text), format=str(document.format))
    except Exception as exc:  # webvtt-py's MalformedFileError, MalformedCaptionError
        raise InputError(f"{label} is not a readable {document.format} file ({exc})") from None
    out = MarkedText(document)
    previous_end = None
    found = False
    for caption in captions:
        words = " ".join(re.sub(r"<[^>]+>", " ", caption.text).split())
        if not words:
            continue
        start = caption.start_in_seconds
        if previous_end is not None and start - previous_end >= PARAGRAPH_GAP_S:
            yield out.block("\n")
        out.mark("time", _whole_seconds(caption.start), _whole_seconds(caption.end))
        found = True
        yield out.block(words + "\n")
        previous_end = caption.end_in_seconds
    if not found:
        raise InputError(f"{label} has no subtitle text")


def _whole_seconds(timestamp: str) -> str:
    """'00:14:03' for '00:14:03.250' or '00:14:03,250'."""
    return timestamp.split(".")[0].split(",")[0]


# An SRT cue's timing line, as webvtt-py reads it; a block whose timing line is not this
# would be dropped by it without a word, or glued to the cue before.
_SRT_TIMING = re.compile(r"\s*\d+:\d{1,2}:\d{1,2}[,.]\d+\s*-->\s*\d+:\d{1,2}:\d{1,2}[,.]\d+")
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")
MAX_CUES_NAMED = 5  # a warning about broken cues names this many, then counts


@dataclass(frozen=True)
class BrokenCue:
    """An SRT cue left out for its timing line: its number, line and that line."""

    number: str
    line: int
    timing: str


def _without_broken_cues(text: str) -> tuple[str, list[BrokenCue]]:
    """SRT text without its cues whose timing line cannot be read, and those cues. A cue is
    one whose first line is a timing ("-->"), or whose first line is the next cue number;
    any other block is more text of the cue before (webvtt-py's reading, kept)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept: list[str] = []
    broken: list[BrokenCue] = []
    line = 1 + len(text) - len(text.lstrip("\n"))
    number = 0  # the last cue's number
    for block, gap in _blocks(text):
        lines = block.split("\n")
        numbered = lines[0].strip().isdecimal()
        timing = lines[1] if numbered and len(lines) > 1 else lines[0]
        starts_cue = "-->" in timing or (numbered and int(lines[0]) == number + 1)
        if starts_cue and not _SRT_TIMING.match(timing):
            cue = lines[0].strip() if numbered else str(number + 1)
            broken.append(BrokenCue(cue, line + (1 if numbered else 0), timing.strip()))
        else:
            kept.append(block)
        if starts_cue:
            number = int(lines[0]) if numbered else number + 1
        line += block.count("\n") + gap.count("\n")
    return "\n\n".join(kept) + "\n", broken


def _blocks(text: str) -> Iterator[tuple[str, str]]:
    """The blocks of text between blank lines, each with the blank lines after it."""
    at = len(text) - len(text.lstrip("\n"))
    for gap in _BLANK_LINES.finditer(text, at):
        if gap.start() > at:
            yield text[at : gap.start()], gap.group()
        at = gap.end()
    if text[at:].strip():
        yield text[at:].rstrip("\n"), ""


def _broken_cues_line(broken: list[BrokenCue]) -> str:
    named = ", ".join(
        f"{cue.number} (line {cue.line}: {cue.timing[:40]!r})" for cue in broken[:MAX_CUES_NAMED]
    )
    more = f" and {len(broken) - MAX_CUES_NAMED:,} more" if len(broken) > MAX_CUES_NAMED else ""
    which = "cue" if len(broken) == 1 else "cues"
    return f"{which} {named}{more} without a readable timing line: left out"


def _raw(source: Source) -> Iterator[bytes]:
    stream: BinaryIO = open_binary(source)
    try:
        while block := stream.read(1 << 16):
            yield block
    finally:
        if source.path is not None:
            stream.close()


_READERS = {
    InputFormat.pdf: _pdf,
    InputFormat.epub: read_epub,
    InputFormat.docx: read_docx,
    InputFormat.html: read_html,
    InputFormat.srt: _subtitles,
    InputFormat.vtt: _subtitles,
}
