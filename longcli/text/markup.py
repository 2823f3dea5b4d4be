"""HTML and XHTML into text: a web page's main content (trafilatura), a page too large for
it streamed through lxml's parser, and the XHTML walk that EPUB chapters share (paragraphs
on lines of their own, headings as Markdown '#' lines, printed page numbers left out).
"""

from __future__ import annotations

import importlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from longcli.controls import strip_controls
from longcli.errors import InputError
from longcli.text.apparatus import without_apparatus
from longcli.text.decode import open_binary
from longcli.text.marks import Document, Mark, MarkedText, Work, title_page, work_from

MAX_HTML_BYTES = 20 << 20  # larger HTML is read as plain markup-free text, with a warning
DEEP_MARKUP_WARNING = (
    "its markup is nested deeper than an HTML tree can hold (256 levels): read as text "
    "without telling the main content from menus and footers"
)
_HEADING_LINE = re.compile(r"^#{1,6} (.+)$", re.M)
# A printed book's page number after a title, as a table of contents sets it: after the
# title's own full stop ("Loomings. 7"), dot leaders ("Loomings ...... 7") or a tab. A
# number that is the title's own ("Chapter 7", "Part 2") follows none of these.
_PAGE_NUMBER_AFTER = re.compile(
    r"(?:(?<=[^\W\d_][.!?:;)\]…”’])[ \t]+|[ \t]*(?:\.[ \t]?){2,}[ \t]*|[ \t]*…+[ \t]*|\t+)"
    r"(?:\d{1,4}|[ivxlc]{1,7})$"
)


def without_page_number(title: str) -> str:
    """A chapter title without the page number a table of contents put after it."""
    return _PAGE_NUMBER_AFTER.sub("", title).rstrip() or title


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def epub_types(attributes: Any) -> list[str]:
    """The words of an element's `epub:type` ("toc", "pagebreak"): its attribute named
    `type` in a namespace, as ElementTree ("{ns}type") or lxml.html ("epub:type") names it."""
    return [
        word
        for key, value in attributes.items()
        if local_name(str(key)).rsplit(":", 1)[-1] == "type"
        for word in value.split()
    ]


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
        any("pagebreak" in word for word in epub_types(attributes))
        or attributes.get("role") == "doc-pagebreak"
        or "pagenum" in (attributes.get("class") or "").split()
    )


@dataclass(frozen=True)
class HtmlText:
    """An XHTML or HTML document's text, with its first heading and where its anchors are."""

    heading: str
    text: str
    anchors: dict[str, int]  # offset in `text` of each id asked for and found
    flat: bool = False  # nested past the tree parser's limit: read as a stream, anchors lost


def cut_by_depth(parser: Any) -> bool:
    """Whether libxml2 stopped building the tree at one of its limits in the last parse:
    at 256 levels of nesting (2048 with huge_tree) it drops everything deeper, in silence."""
    return any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log)


def too_deep_for_a_tree(markup: bytes) -> bool:
    """Whether a tree parse of this HTML would lose what is nested past libxml2's limit."""
    etree: Any = importlib.import_module("lxml.etree")
    parser = etree.HTMLParser()
    try:
        etree.fromstring(markup, parser)
    except Exception:  # lxml's XMLSyntaxError and friends: no tree at all, nothing cut
        return False
    return cut_by_depth(parser)


def html_text(markup: bytes, anchors: set[str] | frozenset[str] = frozenset()) -> HtmlText:
    """The text of an XHTML or HTML document, with its first heading and the offsets of
    the `anchors` ids: paragraphs on lines of their own, headings as Markdown '#' lines.
    Markup nested too deep for a tree is read as a stream instead (`flat`), never cut."""
    lxml_html: Any = importlib.import_module("lxml.html")
    parser = lxml_html.HTMLParser()
    try:
        root = lxml_html.fromstring(markup, parser=parser)
    except Exception:  # lxml's ParserError and friends: an empty or broken chapter
        return HtmlText("", "", {})
    if cut_by_depth(parser):
        text = strip_controls("".join(_streamed_html_text(markup, io.BytesIO())).strip())
        heading = _HEADING_LINE.search(text)
        return HtmlText(heading.group(1).strip() if heading else "", text, {}, flat=True)
    lines: list[str] = []
    first_heading = ""
    wanted = [a for a in anchors if a]

    def walk(element: Any) -> None:
        nonlocal first_heading
        tag = local_name(str(element.tag)).lower() if isinstance(element.tag, str) else ""
        if tag in _SKIPPED:
            return
        anchor = element.get("id") if wanted else None
        if anchor is not None and anchor in anchors:
            lines.append(f"\x00{wanted.index(anchor)}\x00")
        if _page_number(element):  # a table of contents may point at one: anchor kept
            return
        if tag in _HEADINGS:
            text = without_page_number(" ".join(element.text_content().split()))
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
    return HtmlText(first_heading, "".join(pieces), offsets)


def read_html(document: Document, encoding: str | None, errors: str) -> Iterator[str]:
    label = document.source.label
    stream = open_binary(document.source)
    out = MarkedText(document)
    try:
        data = stream.read(MAX_HTML_BYTES + 1)
        if len(data) > MAX_HTML_BYTES:
            document.warnings.append(
                f"{label} is over {MAX_HTML_BYTES >> 20} MiB: read as text without telling "
                "the main content from menus and footers"
            )
            pieces = _streamed_html_text(data, stream, encoding)
        elif too_deep_for_a_tree(data):  # trafilatura's tree would end at that depth
            document.warnings.append(f"{label}: {DEEP_MARKUP_WARNING}")
            pieces = _streamed_html_text(data, stream, encoding)
        else:
            document.work = page_work(data, encoding)
            article = _article(data, encoding)
            text = _main_content(article, encoding) or html_text(data).text
            pieces = iter(line + "\n" for line in text.split("\n"))
        if cover := title_page(document.work):
            yield out.title_page(cover)
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


# Where a page's heading is not its own: navigation, menus, sidebars, footers.
_NOT_CONTENT = frozenset({"nav", "menu", "aside", "footer"})
# "Budget approved - City News": the page's name, then the site's.
_SITE_SUFFIX = re.compile(r"\s+(?:[|·•»›—–-]|::)\s+")


def page_work(markup: bytes, encoding: str | None = None) -> Work | None:
    """A web page's title: its first `<h1>` outside navigation, menus and footers, else
    its `<title>` (less a site name after a separator). A `<title>` often names the site
    as well as the page; the `<h1>` names the page alone."""
    lxml_html: Any = importlib.import_module("lxml.html")
    try:
        parser = lxml_html.HTMLParser(encoding=encoding)
        root = lxml_html.fromstring(markup, parser=parser)
    except Exception:  # lxml's ParserError and friends: no title, the text is still read
        return None
    for heading in root.iter("h1"):
        if any(str(up.tag).lower() in _NOT_CONTENT for up in heading.iterancestors()):
            continue
        if work := work_from(heading.text_content(), ""):
            return work
    title = root.find(".//title")
    if title is None:
        return None
    return work_from(_SITE_SUFFIX.split(title.text_content().strip())[0], "")


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


def _streamed_html_text(first: bytes, rest: BinaryIO, encoding: str | None = None) -> Iterator[str]:
    """Text of an HTML document of any size or depth, parsed as it is read (memory stays
    flat; a parser target builds no tree, so libxml2's nesting limit cuts nothing)."""
    etree: Any = importlib.import_module("lxml.etree")
    target = _TextTarget()
    parser = etree.HTMLParser(target=target, encoding=encoding)
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


def _article(data: bytes, encoding: str | None) -> bytes | str:
    """The page without what is not its article: navigation, footnote markers, reference
    lists, closing apparatus sections (text/apparatus.py), as text decoded once (its
    charset declaration no longer applies); as it was when it cannot be parsed."""
    lxml_html: Any = importlib.import_module("lxml.html")
    try:
        root = lxml_html.fromstring(data, parser=lxml_html.HTMLParser(encoding=encoding))
    except Exception:  # lxml's ParserError and friends: trafilatura reads it as it is
        return data
    # a heading broken by <br> is one heading ("FOUND AMONG THE PAPERS <br/> OF THE LATE
    # DIEDRICH KNICKERBOCKER.": the outline was headed by its second line alone)
    for heading in root.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        try:
            for br in list(heading.iter("br")):
                br.tail = " " + (br.tail or "")
                br.drop_tag()
            heading.text = re.sub(r"\s+", " ", heading.text or "")
        except ValueError:  # a control character lxml read but will not be given back
            continue
    return str(lxml_html.tostring(without_apparatus(root), encoding="unicode"))


def _main_content(data: bytes | str, encoding: str | None) -> str:
    """The page's main content as Markdown-ish text (headings kept), by trafilatura."""
    trafilatura: Any = importlib.import_module("trafilatura")
    markup = (
        data.decode(encoding, errors="replace") if encoding and isinstance(data, bytes) else data
    )
    text = trafilatura.extract(
        markup,
        output_format="markdown",
        include_comments=False,
        include_tables=True,
        include_links=False,
        include_images=False,
        favor_recall=True,
    )
    # Markdown's escaped brackets ("Aotearoa \\[aɔˈtɛaɾɔa\\]") are the page's own brackets
    return _ESCAPED_BRACKET.sub(r"\1", text or "")


_ESCAPED_BRACKET = re.compile(r"\\([\[\]])")
