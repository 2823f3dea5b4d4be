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
same check for every format, for `longcli doctor`. Plain text and Markdown need none.
"""

from __future__ import annotations

import importlib
import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO
from xml.etree import ElementTree

from longcli.controls import strip_controls
from longcli.errors import InputError
from longcli.text.decode import Source, iter_source_text, open_binary, unreadable

SNIFF_BYTES = 4096
MAX_UNPACKED_BYTES = 256 << 20  # an EPUB or DOCX that unpacks to more is refused
MAX_UNPACK_RATIO = 200  # a member compressed more than this is a zip bomb, not a document
MAX_HTML_BYTES = 20 << 20  # larger HTML is read as plain markup-free text, with a warning
MIN_PDF_CHARS_PER_PAGE = 16  # fewer letters and digits than this: a scan with stray labels
EXTRA_INSTALL = "pip install 'longcli[docs]'"


class InputFormat(StrEnum):
    auto = "auto"
    text = "text"  # plain text and Markdown
    pdf = "pdf"
    epub = "epub"
    html = "html"
    docx = "docx"
    srt = "srt"
    vtt = "vtt"


@dataclass(frozen=True)
class Mark:
    """Where a page, chapter, section or cue starts in a document's text."""

    offset: int  # character offset in the text the reader produced
    kind: str  # page | chapter | section | time | title (a title page from metadata)
    label: str  # "12", '4 "The Storm"', "00:14:03"


@dataclass
class Document:
    """A source's text as a stream of blocks, and the marks found while reading it."""

    source: Source
    format: InputFormat
    blocks: Iterator[str]
    marks: list[Mark] = field(default_factory=list)  # filled as `blocks` is consumed
    warnings: list[str] = field(default_factory=list)

    def where(self, start: int, end: int) -> str:
        """The places a span of the text covers: "p. 3-4", 'ch. 2 "Storm"', "00:01:05"."""
        return describe_span(self.marks, start, end)


def describe_span(marks: list[Mark], start: int, end: int) -> str:
    """The marks a span covers, named by kind: the mark in force at `start` and every mark
    that begins inside the span."""
    if not marks:
        return ""
    before = [m for m in marks if m.offset <= start]
    covered = ([before[-1]] if before else []) + [m for m in marks if start < m.offset < end]
    if not covered:
        return ""
    kind = covered[0].kind
    labels = [m.label for m in covered if m.kind == kind]
    if kind == "page":
        return f"p. {labels[0]}" if len(labels) == 1 else f"p. {labels[0]}-{labels[-1]}"
    if kind == "chapter":
        return f"ch. {labels[0]}" if len(labels) == 1 else f"ch. {labels[0]} to {labels[-1]}"
    if kind == "time":
        return labels[0] if len(labels) == 1 else f"{labels[0]}-{labels[-1]}"
    return labels[0] if len(labels) == 1 else f"{labels[0]} to {labels[-1]}"


# -- the libraries each reader uses ------------------------------------------------------

# Every module a reader uses, deepest first, so that a failure names the module really at
# fault rather than the one that happened to import it.
READER_MODULES: dict[InputFormat, tuple[str, ...]] = {
    InputFormat.text: (),
    InputFormat.pdf: ("pypdfium2",),
    InputFormat.epub: ("lxml.etree", "lxml.html"),
    InputFormat.html: (
        "lxml.etree",
        "lxml.html",
        "lxml_html_clean",  # imported by lxml.html.clean, which justext imports
        "lxml.html.clean",
        "justext",  # imported by trafilatura, for pages its own extractor finds thin
        "trafilatura",
    ),
    InputFormat.docx: ("lxml.etree", "docx"),
    InputFormat.srt: ("webvtt",),
    InputFormat.vtt: ("webvtt",),
}
FORMAT_NAMES = {
    InputFormat.text: "text",
    InputFormat.pdf: "PDF",
    InputFormat.epub: "EPUB",
    InputFormat.html: "HTML",
    InputFormat.docx: "DOCX",
    InputFormat.srt: "SRT subtitles",
    InputFormat.vtt: "WebVTT subtitles",
}
# pip's name for the project that provides a module, where it is not the module's own.
_PROJECTS = {
    "lxml.html.clean": "lxml_html_clean",  # lxml >= 5.2 keeps only a stub importing it
    "docx": "python-docx",
    "webvtt": "webvtt-py",
    "pypdfium2_raw": "pypdfium2",
    "pypdfium2_cfg": "pypdfium2",
    "charset_normalizer": "charset-normalizer",
    "dateutil": "python-dateutil",
}
# Messages that name a missing module, when the ImportError itself does not (lxml's stub
# raises "lxml.html.clean module is now a separate project lxml_html_clean" without a name).
_MISSING_IN_MESSAGE = (
    re.compile(r"separate project (\w+)"),
    re.compile(r"No module named '([\w.]+)'"),
)


@dataclass(frozen=True)
class ReaderStatus:
    """Whether a format's reader can run here: every module it uses imports, or which not."""

    format: InputFormat
    modules: tuple[str, ...]  # every module the reader uses, in the order they are imported
    ok: bool
    problem: str = ""  # "lxml_html_clean is not installed", "lxml fails to import (...)"
    project: str = ""  # what to install or repair, by pip's name: "lxml_html_clean"
    install: str = ""  # the command that does it: "pip install lxml_html_clean"


def reader_status() -> list[ReaderStatus]:
    """Every format's reader, checked by importing each module it uses (for `doctor`)."""
    return [_status(fmt) for fmt in READER_MODULES]


def _status(fmt: InputFormat) -> ReaderStatus:
    modules = READER_MODULES[fmt]
    failure = _first_failure(modules)
    if failure is None:
        return ReaderStatus(fmt, modules, ok=True)
    project, which, install = _diagnose(*failure)
    return ReaderStatus(fmt, modules, False, f"{project} {which}", project, install)


def _first_failure(modules: tuple[str, ...]) -> tuple[str, Exception] | None:
    """The first module that does not import, with what it raised; None when all do."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # ImportError, or whatever a broken library raises on import
            return name, exc
    return None


def _diagnose(name: str, exc: Exception) -> tuple[str, str, str]:
    """(project at fault, what is wrong with it, the pip command that fixes it) when
    importing `name` raised `exc`: the missing module the exception, or one it arose from,
    names; else `name` itself, installed but broken."""
    missing = _missing_module(exc)
    if missing is not None:
        project = _project(missing)
        return project, "is not installed", f"pip install {project}"
    project = _project(exc.name if isinstance(exc, ImportError) and exc.name else name)
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return project, f"fails to import ({detail})", f"pip install --force-reinstall {project}"


def _missing_module(exc: BaseException) -> str | None:
    """The module an import failure says is not installed, or None for another failure.
    An ImportError that names no module (lxml's stub, a library's wrapper) is looked
    through to the one it arose from."""
    link: BaseException | None = exc
    seen: list[BaseException] = []
    while isinstance(link, ImportError) and link not in seen:
        if link.name:
            return link.name if isinstance(link, ModuleNotFoundError) else None
        for pattern in _MISSING_IN_MESSAGE:
            found = pattern.search(str(link))
            if found:
                return found.group(1)
        seen.append(link)
        link = link.__cause__ or link.__context__
    return None


def _project(module: str) -> str:
    top = module.split(".")[0]
    return _PROJECTS.get(module) or _PROJECTS.get(top) or top


def _require(fmt: InputFormat) -> None:
    """Raise an InputError naming the module that stops `fmt`'s reader, and its install."""
    failure = _first_failure(READER_MODULES[fmt])
    if failure is None:
        return
    project, which, install = _diagnose(*failure)
    raise InputError(
        f"reading {FORMAT_NAMES[fmt]} needs {project}, which {which}",
        hint=f"{install}, or {EXTRA_INSTALL}",
    )


def _checked(fmt: InputFormat, blocks: Iterator[str]) -> Iterator[str]:
    """A reader's blocks, once every module it uses imports (checked on the first block)."""
    _require(fmt)
    yield from blocks


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
    """A source as a Document of the format its bytes say (or `fmt`, when forced)."""
    if fmt == InputFormat.auto:
        head = _head(source)
        fmt = sniff(head, source.name if source.path else None)
        if fmt == InputFormat.text and head.startswith(b"PK\x03\x04"):
            raise InputError(f"{source.label} is a zip archive, but not an EPUB or a DOCX")
    if fmt == InputFormat.text:
        document = Document(source, fmt, iter(()))
        blocks = iter_source_text(source, encoding, errors)
        markdown = source.path is not None and source.path.suffix.lower() in MARKDOWN_SUFFIXES
        document.blocks = _markdown_sections(document, blocks) if markdown else blocks
        return document
    document = Document(source, fmt, iter(()))
    document.blocks = _checked(fmt, _READERS[fmt](document, encoding, errors))
    return document


def _head(source: Source) -> bytes:
    """The first bytes, without consuming them (standard input is peeked, or rewound)."""
    if source.path is None:
        stream = open_binary(source)
        peek = getattr(stream, "peek", None)
        if peek is not None:
            return bytes(peek(SNIFF_BYTES)[:SNIFF_BYTES])
        if stream.seekable():
            position = stream.tell()
            head = stream.read(SNIFF_BYTES)
            stream.seek(position)
            return head
        return b""
    try:
        with open(source.path, "rb") as f:
            return f.read(SNIFF_BYTES)
    except OSError as exc:
        raise unreadable(source.path, exc) from None


class _Text:
    """Builds a document's text block by block, keeping the offset for marks. Terminal
    controls are taken out here, as `decode` does for plain text, before offsets count."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.offset = 0

    def mark(self, kind: str, label: str) -> None:
        self.document.marks.append(Mark(self.offset, kind, strip_controls(label)))

    def block(self, text: str) -> str:
        text = strip_controls(text)
        self.offset += len(text)
        return text


def _spooled(source: Source) -> tuple[Path, bool]:
    """A path to read the document from: the file, or standard input copied to a temp
    file (pdfium and zipfile need to seek). True when the caller must delete it."""
    if source.path is not None:
        return source.path, False
    handle = tempfile.NamedTemporaryFile(prefix="longcli-", delete=False)  # noqa: SIM115
    with handle:
        shutil.copyfileobj(open_binary(source), handle)
    return Path(handle.name), True


# -- PDF ----------------------------------------------------------------------------------


def _pdf(document: Document, encoding: str | None, errors: str) -> Iterator[str]:
    pdfium: Any = importlib.import_module("pypdfium2")
    label = document.source.label
    path, temporary = _spooled(document.source)
    try:
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
            out = _Text(document)
            found_chars = 0
            for number in range(len(pdf)):
                page = pdf[number]
                try:
                    textpage = page.get_textpage()
                    raw = textpage.get_text_range()
                    textpage.close()
                finally:
                    page.close()
                text = _clean_pdf_text(raw)
                if not out.offset and text.strip():
                    meta = pdf.get_metadata_dict()
                    cover = _title_page(meta.get("Title", ""), meta.get("Author", ""), text)
                    if cover:
                        out.mark("title", "title page")
                        yield out.block(cover)
                out.mark("page", str(number + 1))
                if text.strip():
                    found_chars += sum(ch.isalnum() for ch in text)
                    yield out.block(text.rstrip() + "\n\n")
            if found_chars < MIN_PDF_CHARS_PER_PAGE * len(pdf):
                raise InputError(
                    f"{label} has no text layer ({found_chars} letters on {len(pdf)} pages: "
                    "a scan?); longcli does not read images",
                    hint="run OCR first, e.g. ocrmypdf in.pdf out.pdf",
                )
        finally:
            pdf.close()
    finally:
        if temporary:
            path.unlink(missing_ok=True)


def _clean_pdf_text(raw: str) -> str:
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    # pdfium marks a word broken at a line end with U+FFFE (or a soft hyphen): join it.
    text = re.sub(r"[\ufffe\u00ad\x02]\n?", "", text)
    return text.replace("\x00", "").replace("\f", "\n")


# -- zipped formats: EPUB and DOCX ---------------------------------------------------------


def _zip(path: Path, label: str) -> zipfile.ZipFile:
    """The archive, once its declared sizes show it is no zip bomb. Reading a member never
    yields more than its declared size (zipfile checks), so checking these is enough."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{label} is damaged or not a zip archive ({exc})") from None
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > MAX_UNPACKED_BYTES or (info.file_size > 1 << 20 and ratio > MAX_UNPACK_RATIO):
            archive.close()
            raise InputError(
                f"{label} unpacks to more than {MAX_UNPACKED_BYTES >> 20} MiB or is packed "
                f"{MAX_UNPACK_RATIO}:1 or more (a zip bomb?); refused"
            )
    return archive


def _read_member(archive: zipfile.ZipFile, name: str, label: str) -> bytes:
    try:
        return archive.read(name)
    except KeyError:
        raise InputError(f"{label} is damaged: {name} is missing") from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise InputError(f"{label} is damaged ({exc})") from None


def _xml(data: bytes, label: str) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise InputError(f"{label} is damaged (bad XML: {exc})") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _epub(document: Document, encoding: str | None, errors: str) -> Iterator[str]:
    label = document.source.label
    path, temporary = _spooled(document.source)
    try:
        with _zip(path, label) as archive:
            container = _xml(_read_member(archive, "META-INF/container.xml", label), label)
            rootfile = next((e for e in container.iter() if _local(e.tag) == "rootfile"), None)
            if rootfile is None or not rootfile.get("full-path"):
                raise InputError(f"{label} is damaged: no package file in container.xml")
            opf_path = PurePosixPath(rootfile.get("full-path", ""))
            package = _xml(_read_member(archive, str(opf_path), label), label)
            items = {
                e.get("id"): e for e in package.iter() if _local(e.tag) == "item" and e.get("id")
            }
            spine = [e.get("idref") for e in package.iter() if _local(e.tag) == "itemref"]
            toc = _epub_toc(archive, items, opf_path, label)
            out = _Text(document)
            number = 0
            for idref in spine:
                item = items.get(idref)
                if item is None or "html" not in (item.get("media-type") or ""):
                    continue
                member = _normal_path(str(opf_path.parent / (item.get("href") or "")))
                entries = [(fragment, title) for file, fragment, title in toc if file == member]
                _, body, anchors = _html_text(
                    _read_member(archive, member, label), {f for f, _ in entries}
                )
                if not body.strip():
                    continue
                if not out.offset and (cover := _title_page(*_epub_title(package), body)):
                    out.mark("title", "title page")
                    yield out.block(cover)
                if entries:  # chapters as the table of contents names them
                    for fragment, title in entries:
                        number += 1
                        at = anchors.get(fragment, 0) if fragment else 0
                        document.marks.append(
                            Mark(out.offset + at, "chapter", f'{number} "{title}"')
                        )
                    yield out.block(body + "\n\n")
                    continue
                if not body.startswith("#"):  # a chapter without a heading of its own
                    body = f"# Chapter {number + 1}\n\n{body}"
                for text, heading in _split_at_headings(body + "\n\n"):
                    if heading is not None:
                        number += 1
                        out.mark("chapter", f'{number} "{heading}"')
                    yield out.block(text)
            if not out.offset:
                raise InputError(f"{label} has no readable chapters")
    finally:
        if temporary:
            path.unlink(missing_ok=True)


def _epub_title(package: ElementTree.Element) -> tuple[str, str]:
    """The book's title and first author from its package metadata (dc:title, dc:creator)."""
    found = {"title": "", "creator": ""}
    for element in package.iter():
        name = _local(element.tag)
        if name in found and not found[name]:
            found[name] = "".join(element.itertext())
    return found["title"], found["creator"]


_FILE_TITLE = re.compile(
    r"\.(?:docx?|pdf|tex|dvi|indd|odt|rtf|txt)\b|^microsoft \w+ -|^untitled", re.I
)


def _title_page(title: str, author: str, opening: str) -> str:
    """A title page ("Title\\nby Author") from the document's metadata, for the summary's
    lead, when its text does not open with the title itself; "" when it does, or when the
    metadata holds no real title (a file name, "Untitled", a long description)."""
    title = " ".join(strip_controls(title).split())
    author = " ".join(strip_controls(author).split())
    words = title.split()
    if (
        not words
        or len(words) > 14
        or _FILE_TITLE.search(title)
        or not any(c.isalpha() for c in title)
    ):
        return ""
    if title.casefold() in " ".join(opening[:4000].split()).casefold():
        return ""
    return f"{title}\nby {author}\n\n" if author and len(author) <= 80 else f"{title}\n\n"


_CHAPTER_HEADING = re.compile(r"^#{1,2} (.+)$", re.M)
_HEADING_LINE = re.compile(r"^#{1,6} (.+)$", re.M)


def _split_at_headings(text: str) -> Iterator[tuple[str, str | None]]:
    """The text in pieces, each starting at a level-1 or -2 heading (with its title)."""
    starts = [(m.start(), m.group(1).strip()) for m in _CHAPTER_HEADING.finditer(text)]
    if not starts or starts[0][0] > 0:
        yield text[: starts[0][0] if starts else len(text)], None
    for n, (start, title) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(text)
        yield text[start:end], title


def _normal_path(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part and part != ".":
            parts.append(part)
    return "/".join(parts)


def _epub_toc(
    archive: zipfile.ZipFile,
    items: dict[Any, ElementTree.Element],
    opf_path: PurePosixPath,
    label: str,
) -> list[tuple[str, str, str]]:
    """The table of contents (EPUB 3 nav, else EPUB 2 NCX) as (file, fragment, title)."""
    nav = next((i for i in items.values() if "nav" in (i.get("properties") or "")), None)
    ncx = next(
        (i for i in items.values() if i.get("media-type") == "application/x-dtbncx+xml"), None
    )
    for entry in (nav, ncx):
        if entry is None:
            continue
        href = PurePosixPath(entry.get("href") or "")
        base = opf_path.parent / href.parent
        root = _xml(_read_member(archive, _normal_path(str(opf_path.parent / href)), label), label)
        # EPUB 3's nav document also holds the page list and landmarks: only its toc counts.
        toc = next((e for e in root.iter() if _local(e.tag) == "nav" and _is_toc(e)), root)
        found: list[tuple[str, str, str]] = []
        for element in toc.iter():
            tag = _local(element.tag)
            target, title = "", ""
            if tag == "a" and element.get("href"):
                target, title = element.get("href", ""), "".join(element.itertext())
            elif tag == "navPoint":
                text = next((e for e in element.iter() if _local(e.tag) == "text"), None)
                content = next((e for e in element.iter() if _local(e.tag) == "content"), None)
                if text is not None and content is not None:
                    target, title = content.get("src", ""), "".join(text.itertext())
            path, _, fragment = target.partition("#")
            title = " ".join(strip_controls(title).split())
            if path and title:
                found.append((_normal_path(str(base / path)), fragment, title))
        if found:
            return found
    return []


def _epub_types(attributes: Any) -> list[str]:
    """The words of an element's `epub:type` ("toc", "pagebreak"): its attribute named
    `type` in a namespace, as ElementTree ("{ns}type") or lxml.html ("epub:type") names it."""
    return [
        word
        for key, value in attributes.items()
        if _local(str(key)).rsplit(":", 1)[-1] == "type"
        for word in value.split()
    ]


def _is_toc(nav: ElementTree.Element) -> bool:
    return "toc" in _epub_types(nav.attrib)


_BLOCK_TAGS = {"p", "div", "section", "article", "li", "blockquote", "pre", "tr", "br", "dd",
               "dt", "figcaption", "table", "ul", "ol"}  # fmt: skip
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_SKIPPED = {"script", "style", "head", "nav", "noscript", "svg", "math"}


def _page_number(element: Any) -> bool:
    """A printed book's page number set in the text (EPUB `pagebreak`, `doc-pagebreak`,
    Gutenberg's `pagenum`): not part of the sentence it interrupts."""
    attributes = element.attrib
    if not attributes:
        return False
    return (
        any("pagebreak" in word for word in _epub_types(attributes))
        or attributes.get("role") == "doc-pagebreak"
        or "pagenum" in (attributes.get("class") or "").split()
    )


def _html_text(
    markup: bytes, anchors: set[str] | frozenset[str] = frozenset()
) -> tuple[str, str, dict[str, int]]:
    """(first heading, text, offsets of the `anchors` ids) of an XHTML or HTML document:
    paragraphs on lines of their own, headings as Markdown '#' lines."""
    lxml_html: Any = importlib.import_module("lxml.html")
    try:
        root = lxml_html.fromstring(markup)
    except Exception:  # lxml's ParserError and friends: an empty or broken chapter
        return "", "", {}
    lines: list[str] = []
    first_heading = ""
    wanted = [a for a in anchors if a]

    def walk(element: Any) -> None:
        nonlocal first_heading
        tag = _local(str(element.tag)).lower() if isinstance(element.tag, str) else ""
        if tag in _SKIPPED:
            return
        anchor = element.get("id") if wanted else None
        if anchor is not None and anchor in anchors:
            lines.append(f"\x00{wanted.index(anchor)}\x00")
        if _page_number(element):  # a table of contents may point at one: anchor kept
            return
        if tag in _HEADINGS:
            text = " ".join(element.text_content().split())
            if text:
                first_heading = first_heading or text
                lines.append("\n" + "#" * _HEADINGS[tag] + " " + text + "\n")
            return
        if element.text and element.text.strip():
            lines.append(element.text)
        for child in element:
            walk(child)
            if child.tail and child.tail.strip():
                lines.append(child.tail)
        if tag in _BLOCK_TAGS:
            lines.append("\n\n" if tag in ("p", "div", "section", "blockquote", "table") else "\n")

    walk(root)
    text = re.sub(r"[ \t]+", " ", "".join(lines))
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    # The anchors were left in the text as \x00<n>\x00; take them out, keeping where.
    offsets: dict[str, int] = {}
    pieces: list[str] = []
    length = 0
    for n, piece in enumerate(re.split(r"\x00(\d+)\x00", text)):
        if n % 2:
            offsets[wanted[int(piece)]] = length
        else:
            piece = strip_controls(piece)  # here, so the anchors' offsets count clean text
            pieces.append(piece)
            length += len(piece)
    return first_heading, "".join(pieces), offsets


def _docx(document: Document, encoding: str | None, errors: str) -> Iterator[str]:
    docx: Any = importlib.import_module("docx")
    label = document.source.label
    path, temporary = _spooled(document.source)
    try:
        _zip(path, label).close()  # refuse a zip bomb before python-docx unpacks it
        try:
            doc = docx.Document(str(path))
        except Exception as exc:  # python-docx raises several kinds for damaged files
            raise InputError(f"{label} is not a readable DOCX ({type(exc).__name__})") from None
        out = _Text(document)
        table_type, paragraph_type = docx.table.Table, docx.text.paragraph.Paragraph
        found = False
        for element in doc.element.body.iterchildren():
            tag = _local(element.tag)
            if tag == "p":
                paragraph = paragraph_type(element, doc)
                text = paragraph.text.strip()
                if not text:
                    continue
                level = _heading_level(paragraph.style.name if paragraph.style else "")
                if level:
                    out.mark("section", text)
                    text = "#" * level + " " + text
                found = True
                yield out.block(text + "\n\n")
            elif tag == "tbl":
                rows = [
                    " | ".join(" ".join(cell.text.split()) for cell in row.cells)
                    for row in table_type(element, doc).rows
                ]
                if rows:
                    found = True
                    yield out.block("\n".join(rows) + "\n\n")
        if not found:
            raise InputError(f"{label} has no text")
    finally:
        if temporary:
            path.unlink(missing_ok=True)


def _heading_level(style: str) -> int:
    if style == "Title":
        return 1
    match = re.match(r"Heading (\d)", style)
    return int(match.group(1)) if match else 0


# -- HTML ---------------------------------------------------------------------------------


def _html(document: Document, encoding: str | None, errors: str) -> Iterator[str]:
    label = document.source.label
    stream = open_binary(document.source)
    out = _Text(document)
    try:
        data = stream.read(MAX_HTML_BYTES + 1)
        if len(data) > MAX_HTML_BYTES:
            document.warnings.append(
                f"{label} is over {MAX_HTML_BYTES >> 20} MiB: read as text without telling "
                "the main content from menus and footers"
            )
            pieces = _streamed_html_text(data, stream)
        else:
            text = _main_content(data, encoding) or _html_text(data)[1]
            pieces = iter(line + "\n" for line in text.split("\n"))
        found = False
        for piece in pieces:
            piece = strip_controls(piece)  # first, so the headings' offsets count clean text
            for heading in _HEADING_LINE.finditer(piece):
                title = heading.group(1).strip()
                document.marks.append(Mark(out.offset + heading.start(), "section", title))
            found = found or bool(piece.strip())
            yield out.block(piece)
    finally:
        if document.source.path is not None:
            stream.close()
    if not found:
        raise InputError(f"{label} has no readable text")


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


class _TextTarget:
    """An lxml parser target turning HTML into text as it is parsed, with no tree kept."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self._skipping = 0
        self._heading: int | None = None

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        tag = tag.lower()
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag in _HEADINGS and not self._skipping:
            self._heading = _HEADINGS[tag]
            self.pieces.append("\n" + "#" * self._heading + " ")

    def end(self, tag: str) -> None:
        tag = tag.lower()
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _HEADINGS and self._heading:
            self._heading = None
            self.pieces.append("\n\n")
        elif tag in _BLOCK_TAGS and not self._skipping:
            self.pieces.append("\n\n" if tag in ("p", "div", "section", "table") else "\n")

    def data(self, text: str) -> None:
        if not self._skipping:
            self.pieces.append(" ".join(text.split()) + " " if text.strip() else "")

    def close(self) -> None:
        return None

    def take(self) -> str:
        text, self.pieces = "".join(self.pieces), []
        return re.sub(r" *\n *", "\n", re.sub(r"\n{3,}", "\n\n", text))


def _streamed_html_text(first: bytes, rest: BinaryIO) -> Iterator[str]:
    """Text of an HTML document of any size, parsed as it is read (memory stays flat)."""
    etree: Any = importlib.import_module("lxml.etree")
    target = _TextTarget()
    parser = etree.HTMLParser(target=target)
    block = first
    while block:
        parser.feed(block)
        text = target.take()
        if text:
            yield text
        block = rest.read(1 << 20)
    parser.close()
    tail = target.take()
    if tail:
        yield tail


def _main_content(data: bytes, encoding: str | None) -> str:
    """The page's main content as Markdown-ish text (headings kept), by trafilatura."""
    trafilatura: Any = importlib.import_module("trafilatura")
    markup: bytes | str = data.decode(encoding, errors="replace") if encoding else data
    text = trafilatura.extract(
        markup,
        output_format="markdown",
        include_comments=False,
        include_tables=True,
        include_links=False,
        include_images=False,
        favor_recall=True,
    )
    return text or ""


# -- subtitles ----------------------------------------------------------------------------

PARAGRAPH_GAP_S = 2.0  # a pause this long between cues starts a new paragraph


def _subtitles(document: Document, encoding: str | None, errors: str) -> Iterator[str]:
    webvtt: Any = importlib.import_module("webvtt")
    label = document.source.label
    raw = b"".join(_raw(document.source))
    text = raw.decode(encoding or "utf-8-sig", errors=errors)
    try:
        captions = webvtt.from_buffer(io.StringIO(text), format=str(document.format))
    except Exception as exc:  # webvtt-py's MalformedFileError, MalformedCaptionError
        raise InputError(f"{label} is not a readable {document.format} file ({exc})") from None
    out = _Text(document)
    previous_end = None
    found = False
    for caption in captions:
        words = " ".join(re.sub(r"<[^>]+>", " ", caption.text).split())
        if not words:
            continue
        start = caption.start_in_seconds
        if previous_end is not None and start - previous_end >= PARAGRAPH_GAP_S:
            yield out.block("\n")
        out.mark("time", caption.start.split(".")[0].split(",")[0])
        found = True
        yield out.block(words + "\n")
        previous_end = caption.end_in_seconds
    if not found:
        raise InputError(f"{label} has no subtitle text")


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
    InputFormat.epub: _epub,
    InputFormat.docx: _docx,
    InputFormat.html: _html,
    InputFormat.srt: _subtitles,
    InputFormat.vtt: _subtitles,
}
