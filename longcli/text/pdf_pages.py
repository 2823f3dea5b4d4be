"""A PDF's pages as a reader sees them: the running head or foot repeated at the edge of
many pages (a title in capitals, "1-1", "iii") is layout, not text, and is left out; and a
cover's title, set larger than anything else on it, with the authors' names under it,
names the work when the metadata does not ("Microsoft Word - SP800-84.doc").
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from typing import Any

from longcli.text.boilerplate import heading_word, matter_heading
from longcli.text.layout import TERMINAL
from longcli.text.marks import AUTHOR_MAX_CHARS, Work, work_from

EDGE_LINES = 2  # a running head or foot is among a page's first or last two lines
RUNNING_TIMES = 3  # seen at the edge of this many pages: a running head
LOOKAHEAD_PAGES = 8  # pages read ahead, so a head is known before its first page passes
RUNNING_MAX_CHARS = 100
TITLE_SIZE_RATIO = 1.3  # a cover's title is set this much larger than its median line
TITLE_LINE_SHARE = 0.85  # lines this near the largest size belong to the title
AUTHOR_SEARCH_LINES = 8  # the authors stand within this many lines under the title
_NUMBER = re.compile(r"\d+|\b[ivxlc]{1,7}\b")
_NAME_WORD = re.compile(r"^(?:[A-Z]\.|[A-Z][a-z'’-]+\.?)$")
_NAME_SEPARATOR = re.compile(r",\s*|\s+and\s+|\s*&\s*")


def _key(line: str) -> str:
    return _NUMBER.sub("#", " ".join(line.lower().split()))


def _edges(text: str) -> list[str]:
    """The lines at a page's edges that may be a running head or foot: short, and no
    sentence (one ending like a sentence is the page's text, even where pages repeat it)."""
    lines = [line for line in text.split("\n") if line.strip()]
    edge = lines[:EDGE_LINES] + lines[-EDGE_LINES:]
    return [
        line
        for line in edge
        if len(line.strip()) <= RUNNING_MAX_CHARS
        and line.strip()[-1] not in TERMINAL
        # "Chapter 2" atop its page is the chapter's heading, though "Chapter 1" and
        # "Chapter 3" atop theirs give it the same key
        and not heading_word(line.strip())
    ]


def without_running_heads(pages: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """Each (number, text) page with the lines at its edges that recur at the edges of
    RUNNING_TIMES pages or more taken out, reading LOOKAHEAD_PAGES pages ahead."""
    seen: Counter[str] = Counter()
    ahead: deque[tuple[int, str]] = deque()
    for page in pages:
        seen.update({_key(line) for line in _edges(page[1])})
        ahead.append(page)
        if len(ahead) > LOOKAHEAD_PAGES:
            yield _stripped(ahead.popleft(), seen)
    while ahead:
        yield _stripped(ahead.popleft(), seen)


def _stripped(page: tuple[int, str], seen: Counter[str]) -> tuple[int, str]:
    number, text = page
    edges = {line for line in _edges(text) if seen[_key(line)] >= RUNNING_TIMES}
    if not edges:
        return page
    lines = text.split("\n")
    filled = [n for n, line in enumerate(lines) if line.strip()]
    at_edge = set(filled[:EDGE_LINES] + filled[-EDGE_LINES:])
    kept = [line for n, line in enumerate(lines) if n not in at_edge or line not in edges]
    return number, "\n".join(kept)


def _sized_lines(textpage: Any, text: str) -> list[tuple[str, float]]:
    """The page's lines, each with its size: the tallest box among its letters (a capital's
    or an ascender's; the median would follow how many short letters a line has)."""
    lines: list[tuple[str, float]] = []
    line, heights = "", list[float]()
    for index, ch in enumerate(text + "\n"):
        if ch in "\r\n":
            if line.strip():
                lines.append((line.strip(), max(heights, default=0.0)))
            line, heights = "", list[float]()
            continue
        line += ch
        if ch.isalpha():
            left, bottom, right, top = textpage.get_charbox(index)
            heights.append(top - bottom)
    return lines


def _names(line: str) -> list[str]:
    """The people a line names ("Tim Grance, Tamara Nolan,"), or [] when it is not names."""
    parts = [part.strip() for part in _NAME_SEPARATOR.split(line.strip().rstrip(",")) if part]
    if not parts:
        return []
    for part in parts:
        words = part.split()
        if not 2 <= len(words) <= 4 or not all(_NAME_WORD.match(word) for word in words):
            return []
    return parts


def cover_work(textpage: Any) -> Work | None:
    """The work a cover names: its largest lines as the title, the names under them as
    the authors; None when no line stands out by size (a page of text, not a cover)."""
    text = str(textpage.get_text_range())
    if len(text) != textpage.count_chars():
        return None  # the text does not line up with the characters' boxes
    lines = _sized_lines(textpage, text)
    sizes = [size for _, size in lines if size > 0]
    if not sizes:
        return None
    largest = max(sizes)
    if largest < TITLE_SIZE_RATIO * statistics.median(sizes):
        return None
    first = next(n for n, (_, size) in enumerate(lines) if size >= TITLE_LINE_SHARE * largest)
    end = first
    while end < len(lines) and lines[end][1] >= TITLE_LINE_SHARE * largest:
        end += 1
    title = " ".join(line for line, _ in lines[first:end])
    if matter_heading(title) or heading_word(title):
        return None  # "Contents", "Chapter 1": a page of the book, not its cover
    names: list[str] = []
    for line, _ in lines[end : end + AUTHOR_SEARCH_LINES]:
        found = _names(line)
        if not found and names:
            break
        names.extend(found)
    work = work_from(title, "")
    if work is None:
        return None
    # every name, as the cover lists them (not through work_from: "Ann Reed, Tom Baker" is
    # two people, not a catalogue's "Surname, Given"); the first "et al." past the cap
    author = ", ".join(names)
    if len(author) > AUTHOR_MAX_CHARS:
        author = f"{names[0]} et al."
    return Work(work.title, author)
