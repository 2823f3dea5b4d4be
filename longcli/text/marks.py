"""A document as the readers produce it: its text as a stream of blocks, and the marks
(where each page, chapter, section or subtitle cue starts) that name a span's places; with
what every reader shares: the text built block by block, a seekable copy of an input that
is not a file (standard input, a pipe, a URL's body), the format a URL's Content-Type
names, a title page from metadata.
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from longcli.controls import strip_escapes
from longcli.text.decode import Source, let_go, open_binary, page
from longcli.text.fetch import AUTO


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
    kind: str  # page | chapter | section | time | title (a title page from metadata) |
    # text (the text after a title page, before any other mark: no place of its own)
    label: str  # "12", '4 "The Storm"', "00:14:03"
    end: str = ""  # where the place ends, when the reader knows: a cue's end time "00:14:05"


@dataclass
class Document:
    """A source's text as a stream of blocks, and the marks found while reading it."""

    source: Source
    format: InputFormat
    blocks: Iterator[str]
    marks: list[Mark] = field(default_factory=list)  # filled as `blocks` is consumed
    warnings: list[str] = field(default_factory=list)
    work: Work | None = None  # its title and author, once the reader has found them

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
    if kind == "text":
        return ""
    if kind == "page":
        return f"p. {labels[0]}" if len(labels) == 1 else f"p. {labels[0]}-{labels[-1]}"
    if kind == "chapter":
        return f"ch. {labels[0]}" if len(labels) == 1 else f"ch. {labels[0]} to {labels[-1]}"
    if kind == "time":  # from the first cue's start to the last cue's end
        last = next(m.end or m.label for m in reversed(covered) if m.kind == kind)
        return labels[0] if labels[0] == last else f"{labels[0]}-{last}"
    return labels[0] if len(labels) == 1 else f"{labels[0]} to {labels[-1]}"


class MarkedText:
    """Builds a document's text block by block, keeping the offset for marks. Terminal
    escapes and controls are taken out here, as `decode` does for plain text, before
    offsets count."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.offset = 0

    def mark(self, kind: str, label: str, end: str = "") -> None:
        self.document.marks.append(Mark(self.offset, kind, strip_escapes(label), end))

    def title_page(self, cover: str) -> str:
        """The title page made from metadata, as a block: marked as such, and the text
        after it marked as unplaced until the reader marks a page, chapter or section
        (else every later span would be placed on the title page)."""
        self.mark("title", "title page")
        text = self.block(cover)
        self.mark("text", "")
        return text

    def block(self, text: str) -> str:
        text = strip_escapes(text)
        self.offset += len(text)
        return text


# Copies spooled and not deleted yet. Each reader deletes its own when done; whatever ends
# the run instead (an error, Ctrl-C, SIGTERM, which __main__ turns into KeyboardInterrupt),
# these are deleted at exit. pypdfium2 wants a path to an existing file, so a copy cannot
# go nameless (unlinked at once) as a safer temp file would.
_SPOOLED: set[Path] = set()


@atexit.register
def _delete_spooled() -> None:
    for path in list(_SPOOLED):
        path.unlink(missing_ok=True)


@dataclass
class Spooled:
    """A document at a path that a library can open and seek (pdfium, zipfile): the file
    itself, or a temp copy of a stream, deleted by `close` (or at exit, whatever the exit)."""

    path: Path
    temporary: bool = False

    def close(self) -> None:
        if self.temporary:
            self.path.unlink(missing_ok=True)
            _SPOOLED.discard(self.path)

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        self.close()


def spooled(source: Source) -> Spooled:
    """The source at a seekable path: a regular file as it is, anything else copied."""
    if source.rereadable and source.path is not None:
        let_go(source)  # the library opens the file itself
        return Spooled(source.path)
    handle = tempfile.NamedTemporaryFile(prefix="longcli-", delete=False)  # noqa: SIM115
    copy = Spooled(Path(handle.name), temporary=True)
    _SPOOLED.add(copy.path)
    try:
        with handle, open_binary(source) as stream:
            shutil.copyfileobj(stream, handle)
    except BaseException:  # a signal while copying too: no copy is left behind
        copy.close()
        raise
    return copy


def declared_format(source: Source) -> InputFormat | None:
    """The format a URL's Content-Type names; None for a file, or a type that names none
    (text/plain, application/octet-stream: the first bytes tell)."""
    fetched = page(source)
    if fetched is None or fetched.format == AUTO:
        return None
    return InputFormat(fetched.format)


def declared_charset(source: Source) -> str | None:
    """The charset a URL's Content-Type names; None for a file, or when it names none."""
    fetched = page(source)
    return fetched.charset if fetched is not None else None


_FILE_TITLE = re.compile(
    r"\.(?:docx?|pdf|tex|dvi|indd|odt|rtf|txt)\b|^microsoft \w+ -|^untitled", re.I
)
TITLE_MAX_WORDS = 14  # a longer "title" in metadata is a description, not a title
AUTHOR_MAX_CHARS = 80
# "Melville, Herman" (a catalogue's sort form, as EPUB creators often are): two or three
# names before the comma, one or two after, letters only; dates after it ("1819-1891") go.
_SORTED_NAME = re.compile(r"^([^\W\d_][\w'’.-]*(?: [^\W\d_][\w'’.-]*){0,2}), "
                          r"([^\W\d_][\w'’.-]*(?: [^\W\d_][\w'’.-]*)?)(?:, [\d?-]+)?$")  # fmt: skip


# A menu, a breadcrumb trail or a footer's links ("Home | About", "News » World"): short
# items between separators; never a title, in any language.
_MENU_SEPARATOR = re.compile(r"\s[|·•»›>]\s")
MENU_ITEM_MAX_WORDS = 3


def menu_like(line: str) -> bool:
    """Whether a line is a row of navigation links rather than a title."""
    items = [item for item in _MENU_SEPARATOR.split(line.strip()) if item.strip()]
    return len(items) >= 2 and all(len(item.split()) <= MENU_ITEM_MAX_WORDS for item in items)


@dataclass(frozen=True)
class Work:
    """What a document says it is: its title and, when known, its author."""

    title: str
    author: str = ""


def work_from(title: str, author: str) -> Work | None:
    """The work a document's metadata names, or None when it names no real title (a file
    name, "Untitled", a long description, no letters)."""
    title = " ".join(strip_escapes(title).split())
    author = " ".join(strip_escapes(author).split())
    words = title.split()
    if (
        not words
        or len(words) > TITLE_MAX_WORDS
        or _FILE_TITLE.search(title)
        or not any(c.isalpha() for c in title)
        or menu_like(title)
    ):
        return None
    if (sorted_name := _SORTED_NAME.match(author)) is not None:
        author = f"{sorted_name.group(2)} {sorted_name.group(1)}"
    if len(author) > AUTHOR_MAX_CHARS or not any(c.isalpha() for c in author):
        author = ""
    return Work(title, author)


def title_page(work: Work | None) -> str:
    """A title page ("Title\\nby Author") from the document's metadata, the text the
    summary's lead is found in (text/fragments.py); "" when the metadata names no work. It
    stands even where the text opens with the title: fragments finds that repetition and
    leaves it out, so the metadata's author and whole title are kept."""
    if work is None or work.title[:1].islower() or work.title.endswith((".", ",", ";", ":")):
        return ""  # not read as a title (text/titles._title_like): it would be stray text
    return f"{work.title}\nby {work.author}\n\n" if work.author else f"{work.title}\n\n"
