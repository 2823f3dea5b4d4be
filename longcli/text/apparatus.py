"""What on a web page is not its article, taken out of the page's tree before its main
content is read: navigation (`<nav>`, role=navigation: menus, navigation boxes, sidebars),
footnote markers (`<sup>[117]</sup>`, role=doc-noteref), reference lists (ol.references,
role=doc-bibliography or doc-endnotes, and any list whose items read as citations by their
form), and a closing section (References, See also, External links...) whose items are
citations or bare links. Pure, on an lxml tree.

The structure and the citation's form decide, never a heading's words alone: a section
headed "Notes" that holds prose is kept.
"""

from __future__ import annotations

import re
from typing import Any

# Elements that are never the article, by what they say they are.
_ROLES = frozenset({"navigation", "doc-noteref", "doc-bibliography", "doc-endnotes",
                    "doc-backlink", "search", "menu", "menubar"})  # fmt: skip
_TAGS = frozenset({"nav", "menu"})
_CLASSES = frozenset({"references", "reference", "mw-editsection", "navbox", "reflist"})
# A footnote marker's text: "[117]", "[a]", "[note 3]", "[citation needed]"; or, when it
# links to a place in the page, "12" or "*" (a bare "2" is an exponent: km², 10⁶).
_BRACKETED = re.compile(r"^\s*\[[^\[\]]{1,24}\]\s*$")
_LINKED_MARKER = re.compile(r"^\s*(?:\d{1,3}|[a-z]|[*†‡§])\s*$")
_YEAR = r"(?:1[5-9]|20)\d\d"
# The marks of a citation, by form: each one counts once.
_CITATION_MARKS = (
    re.compile(r"\b(?:Retrieved|Archived|Accessed|abgerufen|consulté|consultado)\b", re.I),
    re.compile(r"\b(?:ISBN|ISSN|doi|OCLC|PMID|arXiv|Bibcode)\b|https?://|www\.", re.I),
    # a publication date: "(2006)", "8 September 2016", "2016-09-08"
    re.compile(rf"\({_YEAR}[a-z]?\)|\b\d{{1,2}} \w+ {_YEAR}\b|\b{_YEAR}-\d\d-\d\d\b"),
    re.compile(r"[\"“][^\"“”]{3,200}[\"”]\s*[.,]"),  # a quoted title, then its full stop
    re.compile(r"^\s*\^|\bpp?\.\s*\d"),  # a backlink caret; a page reference
)
CITATION_MARKS_NEEDED = 2
LIST_SHARE = 0.6  # this share of a list's items are citations (or bare links): a listing
MIN_LIST_ITEMS = 3
LINK_SHARE = 0.8  # an item whose text is this much link text is a link, not a sentence
LINK_ITEM_WORDS = 12  # an item this short holding a link is that link with a gloss
# Headings of the sections that close an article with its apparatus, in the main languages.
_CLOSING = frozenset(
    (
        "references", "citations", "notes", "footnotes", "sources", "bibliography",
        "works cited", "further reading", "external links", "see also", "notes and references",
        "literatur", "einzelnachweise", "weblinks", "siehe auch", "anmerkungen",
        "références", "notes et références", "liens externes", "voir aussi", "bibliographie",
        "referencias", "enlaces externos", "véase también", "notas", "bibliografía",
        "note", "bibliografia", "collegamenti esterni", "voci correlate",
        "примечания", "литература", "ссылки", "см. также",
        "参考文献", "脚注", "外部链接", "外部リンク", "参见", "関連項目", "注释",
    )
)  # fmt: skip
_HEADING = re.compile(r"^h([1-6])$")
# ... and the back matter of a book or report, by its heading's first words: what comes
# after the body's end ("Appendix F—Print and Online Resources" of a NIST report)
_BACK_MATTER = re.compile(
    r"^\W*(?:appendix|appendices|annex|glossary|index|acronyms|abbreviations|endnotes|"
    r"anhang|annexe|apéndice|appendice|приложение|附录|付録)\b",
    re.IGNORECASE,
)


def back_matter(heading: str) -> bool:
    """Whether a section `heading` names what follows a text's body: an appendix, a
    glossary, an index, or a closing section (references, notes, see also ...)."""
    name = heading.strip().lower().strip(" :.")
    return bool(name) and (name in _CLOSING or _BACK_MATTER.match(name) is not None)


def without_apparatus(root: Any) -> Any:
    """The page's tree with its navigation, footnote markers, reference lists and closing
    apparatus sections removed (each removed element's tail text kept)."""
    doomed = [element for element in root.iter() if _apparatus(element)]
    for element in doomed:
        _drop(element)
    for heading in [e for e in root.iter() if _level(e)]:
        if _closing_section(heading):
            for element in [heading, *_section(heading)]:
                _drop(element)
    for script in [e for e in root.iter("sup", "sub")]:
        _flatten(script)
    return root


_SUPERSCRIPTS = str.maketrans("0123456789+-−=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿ")
_SUBSCRIPTS = str.maketrans("0123456789+-−=()", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎")


def _flatten(script: Any) -> None:
    """A superscript or subscript left (km², H₂O) as plain text: its digits in Unicode's
    raised or lowered forms, other text as it is; the text extractor would otherwise keep
    the tags themselves ("km<sup>2</sup>")."""
    text = _text(script)
    table = _SUPERSCRIPTS if _tag(script) == "sup" else _SUBSCRIPTS
    raised = text.translate(table)
    flat = raised if all(not ch.isascii() for ch in raised.replace(" ", "")) else text
    parent = script.getparent()
    if parent is None:
        return
    script.tail = flat + (script.tail or "")
    _drop(script)


def _tag(element: Any) -> str:
    return str(element.tag).rsplit("}", 1)[-1].lower() if isinstance(element.tag, str) else ""


def _level(element: Any) -> int:
    found = _HEADING.match(_tag(element))
    return int(found.group(1)) if found else 0


def _apparatus(element: Any) -> bool:
    tag = _tag(element)
    if not tag:
        return False
    roles = set((element.get("role") or "").split())
    classes = set((element.get("class") or "").split())
    if tag in _TAGS or roles & _ROLES:
        return True
    if tag == "sup":
        return bool(classes & _CLASSES) or _marker(element)
    if tag in ("ol", "ul", "dl"):
        return "references" in classes or _listing(element)
    return tag in ("div", "span", "table") and bool(classes & _CLASSES)


def _marker(sup: Any) -> bool:
    """Whether a superscript is a footnote marker by its form: bracketed, or a short
    number or sign linking to a place in the page (its note)."""
    text = sup.text_content()
    if _BRACKETED.match(text):
        return True
    linked = any((a.get("href") or "").startswith("#") for a in sup.iter("a"))
    return linked and _LINKED_MARKER.match(text) is not None


def _drop(element: Any) -> None:
    """Remove an element, keeping the text after it (lxml's drop_tree, for any tree)."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def citation(text: str) -> bool:
    """Whether a list item reads as a bibliographic citation: two or more of a retrieval
    note, an identifier or URL, a publication date, a quoted title, a page reference."""
    return sum(1 for mark in _CITATION_MARKS if mark.search(text)) >= CITATION_MARKS_NEEDED


def _text(element: Any) -> str:
    """An element's text, spaces collapsed; "" for a comment or processing instruction."""
    return " ".join(element.text_content().split()) if isinstance(element.tag, str) else ""


def _link_text_share(element: Any) -> float:
    text = _text(element)
    if not text:
        return 1.0
    linked = sum(len(_text(a)) for a in element.iter("a"))
    return linked / len(text)


def _link_item(element: Any, text: str) -> bool:
    """An item that is a link: mostly link text, or a short gloss around one ("Definitions
    from Wiktionary", "New Zealand at Curlie")."""
    if next(element.iter("a"), None) is None:
        return False
    return _link_text_share(element) >= LINK_SHARE or len(text.split()) <= LINK_ITEM_WORDS


def _listing(element: Any) -> bool:
    """Whether a list's items are citations (a bibliography wherever it stands)."""
    items = [item for item in element if _tag(item) in ("li", "dd")]
    if len(items) < MIN_LIST_ITEMS:
        return False
    cited = sum(1 for item in items if citation(_text(item)))
    return cited >= LIST_SHARE * len(items)


def _section(heading: Any) -> list[Any]:
    """The elements after a heading up to the next heading of its level or higher."""
    level = _level(heading)
    out = []
    for sibling in heading.itersiblings():
        other = _level(sibling) or _first_heading_level(sibling)
        if other and other <= level:
            break
        out.append(sibling)
    return out


def _first_heading_level(element: Any) -> int:
    """A section wrapper's heading level (`<section><h2>...`), else 0."""
    if _tag(element) not in ("section", "div"):
        return 0
    for child in element.iter():
        if level := _level(child):
            return level
    return 0


def _heading_name(heading: Any) -> str:
    text = _text(heading).lower()
    return re.sub(r"\s*\[\s*(?:edit|bearbeiten|modifier|editar)[^\]]*\]\s*$", "", text).strip(" :")


def _closing_section(heading: Any) -> bool:
    """A closing section, by its heading's name AND its items' form: what is left of it is
    citations or bare links (or nothing), with no paragraph of prose."""
    if _heading_name(heading) not in _CLOSING:
        return False
    blocks: list[Any] = []
    for element in _section(heading):
        items = [e for e in element.iter() if _tag(e) in ("li", "dd", "p")]
        blocks.extend(items or [element])
    # weighed by length: a list's one-word labels ("Government", "Travel") weigh little
    total = listed = 0
    for block in blocks:
        text = _text(block)
        total += len(text)
        if citation(text) or _link_item(block, text):
            listed += len(text)
    return listed >= LIST_SHARE * total
