"""A chunk's layout: its structure (headings, code, tables, rules, tables of contents, page
numbers, running heads) told from its prose and blanked out, what the headings said, where
list items start; and Markdown's inline markup removed from a line. Pure.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from longcli.text.boilerplate import (
    blank,
    heading_word,
    in_capitals,
    is_attribution,
    is_heading_line,
)
from longcli.text.vocabulary import FORMAT_CHARS

REPEATED_LINE_TIMES = 3  # a short line seen this often in a chunk is a page header or footer

# a heading after a file's second BOM (`cat a.md b.md`) or a zero-width space is one too
ATX = re.compile(rf"^[ \t]{{0,3}}[{FORMAT_CHARS}]*(#{{1,6}})[ \t]+(.*?)[ \t#]*$")
SETEXT = re.compile(r"^[ \t]{0,3}(?:={3,}|-{3,})[ \t]*$")
_RULE = re.compile(r"^[ \t]{0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_FENCE = re.compile(r"^[ \t]{0,3}(?:```|~~~)")
_TABLE = re.compile(  # | a | b |, a | b | c, |---|:--|, +---+---+
    r"^[ \t]*(?:\|.*\||\+[-=+:]{3,}\+?|:?-{3,}:?(?:[ \t]*\|[ \t]*:?-{3,}:?)+\|?)[ \t]*$"
    r"|^[^|\n]*\s\|\s[^|\n]*\s\|\s"
)
_TOC_LINE = re.compile(r"\S.*?(?:\s{3,}|\.{4,}\s*)(?:\d{1,4}|[ivxlcdm]{1,7})\s*$", re.I)
_PAGE_NUMBER = re.compile(
    r"^\s*(?:(?:page|p\.)\s*\d+(?:\s*(?:of|/)\s*\d+)?|\d{1,4}|[-–—]\s*\d{1,4}\s*[-–—])\s*$",
    re.IGNORECASE,
)
_TAG_LINE = re.compile(r"^\s*(?:<[^>\n]*>\s*)+$|^\s*<!--.*-->\s*$")
_LINK_DEFINITION = re.compile(r"^\s{0,3}\[[^\]\n]+\]:\s*\S+")
_ABSTRACT = frozenset({"abstract", "summary", "摘要", "overview", "introduction"})

ITEM = re.compile(r"^[ \t]*(?:[-*+•][ \t]+|\d{1,3}[.)][ \t]+)")
STEP = re.compile(r"^[ \t]*\d{1,3}[.)][ \t]+")  # an item of a numbered list: a step
# A line bold as a whole ("**Q1: What is it?**", "**Pros:**"): a heading in all but name.
_BOLD_LINE = re.compile(r"^(\*\*|__)(?=\S)(?:(?!\1).)+(?<=\S)\1[ \t]*[:：]?$")
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\]\n]+)\]\([^)\n]*\)")
_STRONG = re.compile(r"(?<![\w*])(?:\*\*|__)(?=\S)|(?<=\S)(?:\*\*|__)(?![\w*])")
_CODE_SPAN = re.compile(r"`+[^`\n]+?`+")
_EMPHASIS = re.compile(r"(?<![\w*])[*_](?=[^\s*_])|(?<=[^\s*_])[*_](?![\w*])")
SPACE = re.compile(r"\s+")
TERMINAL = "。！？.!?…"


@dataclass(frozen=True)
class Layout:
    """A chunk with its structure blanked out, and what that structure said."""

    text: str  # the chunk, structure turned into spaces
    headings: list[tuple[int, str]]  # (offset, heading text)
    items: frozenset[int]  # offsets of lines that start a list item
    steps: frozenset[int] = frozenset()  # those of them that start a numbered list's item
    # offsets of a number alone on a line inside a paragraph: a page number pasted into a
    # sentence, or a superscript ("csc\n3\nx dx"); no one can tell which, so the sentence
    # holding it is not read as one
    lone_numbers: frozenset[int] = frozenset()


def lines_of(text: str) -> Iterator[tuple[int, str]]:
    pos = 0
    for line in text.splitlines(keepends=True):
        yield pos, line
        pos += len(line)


def layout_of(text: str) -> Layout:
    """Blank out headings, code, tables, rules, tables of contents, page numbers (a number
    alone on the first or last line of a paragraph, that is of a page; one inside a
    paragraph is noted in `lone_numbers`) and running headers; keep headings' text and
    where list items start."""
    lines = list(lines_of(text))
    repeated = _repeated_lines(lines)
    out: list[str] = []
    headings: list[tuple[int, str]] = []
    items: set[int] = set()
    steps: set[int] = set()
    lone: set[int] = set()
    fenced = False
    previous_blank = True
    numbered = False  # the last non-blank line was a bare chapter number ("II")
    text_before = ""  # the last non-blank line
    for n, (pos, line) in enumerate(lines):
        stripped = line.strip()
        following = lines[n + 1][1] if n + 1 < len(lines) else ""
        structure = True
        if _FENCE.match(line):
            fenced = not fenced
        elif fenced:
            pass
        elif numbered and stripped and _chapter_name(stripped, following):
            # "II", blank lines, "The Machine": one heading, "II. The Machine" (issue 31)
            at, number = headings[-1]
            headings[-1] = (at, f"{number.rstrip('.')}. {stripped}")
        elif atx := ATX.match(line.rstrip("\n")):
            headings.append((pos, inline(atx.group(2))))
        elif stripped and SETEXT.match(following) and not ITEM.match(line):
            headings.append((pos, inline(stripped)))
        elif SETEXT.match(line) or _RULE.match(line):
            pass
        elif previous_blank and _bold_line(stripped, following):
            headings.append((pos, inline(stripped)))
        elif is_abstract(stripped) or (
            previous_blank
            and stripped
            and (
                (heading_word(stripped) and not _runs_on(stripped, following))
                or (
                    is_heading_line(stripped)
                    and not following.strip()
                    and not is_attribution(line, text_before)
                )
            )
        ):
            headings.append((pos, stripped))
        elif not (
            _TABLE.match(line)
            or _TAG_LINE.match(line)
            or _LINK_DEFINITION.match(line)
            or (_PAGE_NUMBER.match(line) and (previous_blank or not following.strip()))
            or (len(stripped) < 100 and _TOC_LINE.match(stripped))
            or n in repeated
        ):
            structure = False
        text_before = line if stripped else text_before
        if structure and stripped:
            out.append(blank(line))
        else:
            out.append(line)
            if ITEM.match(line):
                items.add(pos)
                if STEP.match(line):
                    steps.add(pos)
            if not fenced and _PAGE_NUMBER.match(line):
                lone.add(pos)
        previous_blank = not stripped
        if stripped:
            numbered = structure and bool(headings) and headings[-1][0] == pos
            numbered = numbered and CHAPTER_NUMBER.match(stripped) is not None
    return Layout("".join(out), headings, frozenset(items), frozenset(steps), frozenset(lone))


# A chapter's number alone on its line ("II", "12.", "Chapter IV"), its name on a line of its
# own after it; the name is short, ends without a sentence's stop and stands alone.
# (PART_NUMBER: the word and number that open such a heading, for summarize/extract.py)
PART_NUMBER = (
    r"(?:(?:chapter|book|part|kapitel|chapitre|capitolo|cap[ií]tulo|глава)\s+)?"
    r"(?:[IVXLC]+|\d{1,3})"
)
CHAPTER_NUMBER = re.compile(rf"^{PART_NUMBER}\.?$", re.IGNORECASE)
CHAPTER_NAME_WORDS = 10


_SPEECH_MARKS = "\"“”„«»‘’'‹›—–-"


def _chapter_name(stripped: str, following: str) -> bool:
    """Whether a line after a bare chapter number is the chapter's name ("The Machine",
    '"TAPS"'): not a line of speech or a sentence, however short ("“I have come back!”"
    opens the chapter)."""
    bare = stripped.rstrip(_SPEECH_MARKS)
    # a name in capitals may end as a call does ('"MIGHT I HAVE A BIT OF EARTH?"', The
    # Secret Garden's chapter XII); a line of speech in capitals opening a chapter is rare
    stops = ",;:" if in_capitals(bare) and bare[-1:] in "!?" else f"{TERMINAL},;:"
    return (
        not following.strip()
        and bool(bare)
        and len(stripped.split()) <= CHAPTER_NAME_WORDS
        and not stripped[0].islower()
        and stripped[0] not in "—–-"  # a line of dialogue; a quoted name ("TAPS") may be one
        and bare[-1] not in stops
        and not ITEM.match(stripped)
    )


def _runs_on(stripped: str, following: str) -> bool:
    """Whether a line that opens with a heading's word is the start of a paragraph: long,
    no stop at its end, and the paragraph goes on in the next line (a play's "SCENE I. In
    the Witch's Orchard. Frog-eye Fearsome drags the captive" / "Prince and Princess to
    the Ogre's tower."; taken for a heading, the sentence lost its start)."""
    return (
        bool(following.strip())
        and len(stripped.split()) > CHAPTER_NAME_WORDS
        and stripped.rstrip(_SPEECH_MARKS)[-1:] not in TERMINAL
    )


def _bold_line(stripped: str, following: str) -> bool:
    """Whether a line, a paragraph of its own or over a list, is bold as a whole: an FAQ's
    question, a "**Pros:**" over its points; a heading, never a sentence of the summary."""
    return _BOLD_LINE.match(stripped) is not None and (
        not following.strip() or ITEM.match(following) is not None
    )


def is_abstract(stripped: str) -> bool:
    name = _NUMBERED_NAME.sub("", stripped.lstrip("#").strip(" .:"))  # "I. Introduction" too
    return len(name) < 20 and name.strip(" .:").lower() in _ABSTRACT


_NUMBERED_NAME = re.compile(r"^(?:[IVXLC]+|\d{1,3})\.\s+")


def _key(stripped: str) -> str:
    return re.sub(r"\d+", "#", stripped)


def _repeated_lines(lines: list[tuple[int, str]]) -> set[int]:
    """Which lines are running heads or feet: short, not sentences, first or last in their
    paragraph (a page's), and recurring in the chunk."""
    keys: dict[int, str] = {}
    for n, (_, line) in enumerate(lines):
        s = line.strip()
        before = lines[n - 1][1].strip() if n else ""
        after = lines[n + 1][1].strip() if n + 1 < len(lines) else ""
        edge = not before or not after
        short = s and len(s) <= 80 and not s.endswith((":", *TERMINAL))
        if edge and short and not ITEM.match(line):
            keys[n] = _key(s)
    counts = Counter(keys.values())
    return {n for n, key in keys.items() if counts[key] >= REPEATED_LINE_TIMES}


def inline(text: str) -> str:
    """Markdown inline markup removed: images, link targets, emphasis markers; a code span
    (`like_this`) is kept as written."""
    spans: list[str] = []

    def hold(match: re.Match[str]) -> str:
        spans.append(match.group(0))
        return f"\x00{len(spans) - 1}\x00"

    text = _CODE_SPAN.sub(hold, text)  # controls are gone from the text by now
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _STRONG.sub("", text)
    text = _EMPHASIS.sub("", text)
    text = re.sub("\x00(\\d+)\x00", lambda m: spans[int(m.group(1))], text)
    return SPACE.sub(" ", text).strip()
