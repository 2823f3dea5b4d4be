"""Zipped documents: EPUB (its spine, chapters and table of contents) and DOCX, each
archive inflated under a cap on the bytes it really unpacks to (zip bombs refused).
"""

from __future__ import annotations

import importlib
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree

from longcli.controls import strip_controls
from longcli.errors import InputError
from longcli.text.marks import Document, Mark, MarkedText, Work, spooled, title_page, work_from
from longcli.text.markup import epub_types, html_text, local_name, without_page_number

# An EPUB or DOCX is refused as a zip bomb when it inflates past these, counted on the bytes
# actually inflated as they are read (a lying directory cannot raise them) and, before that,
# on the sizes its directory declares. python-docx is handed a copy made under the same caps.
MAX_UNPACKED_BYTES = 256 << 20  # everything read from one archive, repeats included
MAX_MEMBER_BYTES = 64 << 20  # one member: a chapter, word/document.xml
MAX_UNPACK_RATIO = 200  # a member compressed more than this is a zip bomb, not a document
INFLATE_BLOCK_BYTES = 1 << 16  # inflated at a time: a lie costs one block, not the member
# The only packings EPUB (OCF) and DOCX (OPC) allow. zipfile inflates bzip2 and LZMA without
# a bound on one call's output, so an archive using them is refused, not read.
_PACKINGS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})


def _bomb(label: str) -> InputError:
    return InputError(
        f"{label} unpacks to more than {MAX_UNPACKED_BYTES >> 20} MiB (or one part to more "
        f"than {MAX_MEMBER_BYTES >> 20} MiB), or is packed {MAX_UNPACK_RATIO}:1 or more "
        "(a zip bomb?); refused"
    )


class _Unpacker:
    """An EPUB's or DOCX's zip, its members inflated block by block with a running count,
    so what is inflated stays under the caps whatever the archive declares. zipfile's own
    `read` inflates a member's whole compressed data in one call before cutting it to the
    declared size: a 4 MiB member declared as 4,000 bytes took 2 GiB of memory that way."""

    def __init__(self, path: Path, label: str) -> None:
        self.label = label
        self.inflated_bytes = 0  # every byte inflated so far, for MAX_UNPACKED_BYTES
        try:
            self.archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"{label} is damaged or not a zip archive ({exc})") from None
        try:
            self._check_declared()
        except InputError:
            self.archive.close()
            raise

    def _check_declared(self) -> None:
        """Refuse early what the directory already shows to be a zip bomb."""
        total = 0
        for info in self.archive.infolist():
            if info.compress_type not in _PACKINGS:
                raise InputError(
                    f"{self.label} packs {info.filename} with zip method {info.compress_type}, "
                    "which EPUB and DOCX do not use (only stored and deflated); refused"
                )
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if (
                total > MAX_UNPACKED_BYTES
                or info.file_size > MAX_MEMBER_BYTES
                or (info.file_size > 1 << 20 and ratio > MAX_UNPACK_RATIO)
            ):
                raise _bomb(self.label)

    def __enter__(self) -> _Unpacker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.archive.close()

    def read(self, name: str) -> bytes:
        """A member's bytes, inflated under the caps."""
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            raise InputError(f"{self.label} is damaged: {name} is missing") from None
        pieces: list[bytes] = []
        member_bytes = 0
        try:
            with self.archive.open(info) as stream:
                while block := stream.read(INFLATE_BLOCK_BYTES):
                    member_bytes += len(block)
                    self.inflated_bytes += len(block)
                    if member_bytes > MAX_MEMBER_BYTES or self.inflated_bytes > MAX_UNPACKED_BYTES:
                        raise _bomb(self.label)
                    pieces.append(block)
        except zipfile.BadZipFile as exc:
            if "CRC" in str(exc):  # zipfile stops at the declared size: a lie shows here
                raise InputError(
                    f"{self.label} is damaged: {name} does not hold what the archive's "
                    "directory declares (wrong size or checksum: a zip bomb?); refused"
                ) from None
            raise InputError(f"{self.label} is damaged ({exc})") from None
        except (OSError, EOFError, ValueError, RuntimeError, zlib.error) as exc:  # encrypted too
            raise InputError(f"{self.label} is damaged ({name}: {exc})") from None
        return b"".join(pieces)

    def checked_copy(self) -> io.BytesIO:
        """The archive rewritten from its members as read under the caps, for a library
        that unpacks on its own (python-docx): every size in the copy is true."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as copy:
            names = [i.filename for i in self.archive.infolist() if not i.is_dir()]
            for name in dict.fromkeys(names):  # a name twice is read once, as zipfile reads it
                copy.writestr(name, self.read(name))
        buffer.seek(0)
        return buffer


def _xml(data: bytes, label: str) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise InputError(f"{label} is damaged (bad XML: {exc})") from None


def read_epub(document: Document, encoding: str | None, errors: str) -> Iterator[str]:
    label = document.source.label
    with spooled(document.source) as path, _Unpacker(path, label) as archive:
        container = _xml(archive.read("META-INF/container.xml"), label)
        rootfile = next((e for e in container.iter() if local_name(e.tag) == "rootfile"), None)
        if rootfile is None or not rootfile.get("full-path"):
            raise InputError(f"{label} is damaged: no package file in container.xml")
        opf_path = PurePosixPath(rootfile.get("full-path", ""))
        package = _xml(archive.read(str(opf_path)), label)
        items = {
            e.get("id"): e for e in package.iter() if local_name(e.tag) == "item" and e.get("id")
        }
        spine = [e.get("idref") for e in package.iter() if local_name(e.tag) == "itemref"]
        toc = _epub_toc(archive, items, opf_path, label)
        out = MarkedText(document)
        number = 0
        for idref in spine:
            item = items.get(idref)
            if item is None or "html" not in (item.get("media-type") or ""):
                continue
            member = _normal_path(str(opf_path.parent / (item.get("href") or "")))
            entries = [(fragment, title) for file, fragment, title in toc if file == member]
            chapter = html_text(archive.read(member), {f for f, _ in entries})
            body, anchors = chapter.text, chapter.anchors
            if chapter.flat:
                document.warnings.append(
                    f"{label}: {member} is nested deeper than an HTML tree can hold (256 "
                    "levels): read as a stream of text, its chapters marked at its start"
                )
            if not body.strip():
                continue
            if not out.offset:
                document.work = _epub_work(package)
            if not out.offset and (cover := title_page(document.work)):
                yield out.title_page(cover)
            if entries:  # chapters as the table of contents names them
                for fragment, title in entries:
                    number += 1
                    at = anchors.get(fragment, 0) if fragment else 0
                    document.marks.append(Mark(out.offset + at, "chapter", f'{number} "{title}"'))
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


def _epub_work(package: ElementTree.Element) -> Work | None:
    """The book's title and first author from its package metadata (dc:title, dc:creator),
    the author as written, never its catalogue form ("Melville, Herman" reads "Herman
    Melville")."""
    found = {"title": "", "creator": ""}
    for element in package.iter():
        name = local_name(element.tag)
        if name in found and not found[name]:
            found[name] = "".join(element.itertext())
    return work_from(found["title"], found["creator"])


_CHAPTER_HEADING = re.compile(r"^#{1,2} (.+)$", re.M)


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
    archive: _Unpacker,
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
        root = _xml(archive.read(_normal_path(str(opf_path.parent / href))), label)
        # EPUB 3's nav document also holds the page list and landmarks: only its toc counts.
        toc = next((e for e in root.iter() if local_name(e.tag) == "nav" and _is_toc(e)), root)
        found: list[tuple[str, str, str]] = []
        for element in toc.iter():
            tag = local_name(element.tag)
            target, title = "", ""
            if tag == "a" and element.get("href"):
                target, title = element.get("href", ""), "".join(element.itertext())
            elif tag == "navPoint":
                text = next((e for e in element.iter() if local_name(e.tag) == "text"), None)
                content = next((e for e in element.iter() if local_name(e.tag) == "content"), None)
                if text is not None and content is not None:
                    target, title = content.get("src", ""), "".join(text.itertext())
            path, _, fragment = target.partition("#")
            title = without_page_number(" ".join(strip_controls(title).split()))
            if path and title:
                found.append((_normal_path(str(base / path)), fragment, title))
        if found:
            return found
    return []


def _is_toc(nav: ElementTree.Element) -> bool:
    return "toc" in epub_types(nav.attrib)


def read_docx(document: Document, encoding: str | None, errors: str) -> Iterator[str]:
    docx: Any = importlib.import_module("docx")
    label = document.source.label
    with spooled(document.source) as path:
        with _Unpacker(path, label) as archive:
            copy = archive.checked_copy()  # python-docx's own unpacking has no cap
        try:
            doc = docx.Document(copy)
        except Exception as exc:  # python-docx raises several kinds for damaged files
            raise InputError(f"{label} is not a readable DOCX ({type(exc).__name__})") from None
        out = MarkedText(document)
        properties = doc.core_properties
        document.work = work_from(properties.title or "", properties.author or "")
        if cover := title_page(document.work):
            yield out.title_page(cover)
        table_type, paragraph_type = docx.table.Table, docx.text.paragraph.Paragraph
        found = False
        for element in doc.element.body.iterchildren():
            tag = local_name(element.tag)
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


def _heading_level(style: str) -> int:
    if style == "Title":
        return 1
    match = re.match(r"Heading (\d)", style)
    return int(match.group(1)) if match else 0
