"""Splitting text into sentences with their character offsets. Pure, no model.

Used by extraction (which sentences to keep), the grounding check (which sentences of
an answer to drop) and citations (which source sentences an answer sentence comes from).

Boundaries, strongest first: blank lines (unless the text runs on across one, from a word
to a lower-case word); line breaks before a list item or heading, after a heading, a
colon, or a short line (verse, speaker labels, log lines); sentence punctuation followed
by a capital, digit or quote, unless the word before it is a known abbreviation or an
initial ("Dr. Watson", "I.V. Hendricks"); and 。！？ followed by anything. Hard-wrapped
prose lines are joined, and so are the lines of a list item, however it wraps. A sentence
longer than `max_words` is cut at semicolons, line breaks, then every `max_words` words,
so one run-on line can never become one giant sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_SENTENCE_WORDS = 60
SHORT_LINE_CHARS = 50  # a line shorter than this ends its sentence (verse, labels, logs)

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st jr sr gen col lt capt cmdr cmdre sgt maj adm gov sen rep rev hon
    fr mt ft vs etc al no nos vol vols fig figs ch pp approx inc ltd co corp dept est jan feb
    mar apr jun jul aug sep sept oct nov dec e.g i.e cf viz ca""".split()
)
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
_NEXT_STARTS_SENTENCE = re.compile(r"\s+[\"'“‘(\[]*[A-Z0-9À-ÖØ-Þ]")
_NEXT_STARTS_ANY = re.compile(r"\s+[\"'“‘(\[]*\w")
_CJK_END = re.compile(r"[。！？]+[」』”’）)]*")
_LIST_OR_HEADING = re.compile(r"[ \t]*(?:[-*•+][ \t]|\d{1,3}[.)][ \t]|#{1,6}[ \t]|>)")
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*•+][ \t]|\d{1,3}[.)][ \t])")
_HEADING = re.compile(r"[ \t]{0,3}#{1,6}[ \t]")
_UNDERLINE = re.compile(r"[ \t]{0,3}(?:={3,}|-{3,})[ \t]*(?:\n|$)")
_NON_SPACE = re.compile(r"\S")
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Sentence:
    """One sentence: its offsets in the text it came from, and its text on one line."""

    start: int
    end: int
    text: str


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the period at `dot` ends an abbreviation or an initial, not a sentence."""
    match = _WORD_BEFORE.search(text, max(0, dot - 12), dot)
    if not match:
        return False
    word = match.group(1)
    last = word.rsplit(".", 1)[-1] if not word.endswith(".") else word
    if len(last) == 1 and last.isupper():
        return True  # an initial: "J. Smith", "I.V. Hendricks"
    return word.lower().rstrip(".") in _ABBREVIATIONS or last.lower() in _ABBREVIATIONS


def _line_cuts(block: str, base: int) -> Iterator[int]:
    """Offsets where a single line break inside a paragraph ends a sentence."""
    pos = 0
    in_item = False  # the line belongs to a list item, whose wrapped lines are one unit
    while True:
        nl = block.find("\n", pos)
        if nl < 0:
            return
        line = block[pos:nl].strip()
        in_item = in_item or _LIST_ITEM.match(block, pos) is not None
        ahead = _NON_SPACE.search(block, nl + 1)
        following = ahead.group(0) if ahead else ""
        cut = False
        if line and following:
            starts_unit = _LIST_OR_HEADING.match(block, nl + 1) is not None
            if _HEADING.match(block, pos) or _UNDERLINE.match(block, pos):
                cut = True  # a heading (or its underline) is never part of a sentence
            elif _UNDERLINE.match(block, nl + 1):
                cut = True
            elif in_item and not starts_unit and (block[nl + 1] in " \t" or following.islower()):
                cut = False  # an indented (or lower-case) line goes on with its list item
            else:
                breaks = (
                    starts_unit
                    or line.endswith(":")
                    or len(line) < SHORT_LINE_CHARS
                    or following.isdigit()
                )
                joins = following.islower() and not line.endswith(":")
                cut = breaks and not joins
        if cut:
            in_item = False
            yield base + nl + 1
        pos = nl + 1


def _punctuation_cuts(block: str, base: int, lowercase_starts: bool) -> Iterator[int]:
    follows = _NEXT_STARTS_ANY if lowercase_starts else _NEXT_STARTS_SENTENCE
    for match in _SENTENCE_END.finditer(block):
        end = match.end()
        if not follows.match(block, end):
            continue
        lone_dot = block[match.start()] == "." and match.end() - match.start() == 1
        if lone_dot and _is_abbreviation(block, match.start()):
            continue
        yield base + end
    for match in _CJK_END.finditer(block):
        if match.end() < len(block):
            yield base + match.end()


def _runs_on(text: str, before: int, after: int) -> bool:
    """Whether a blank line between `before` and `after` falls inside a sentence: the text
    before ends on a word or comma, not on a heading or list item, and goes on in lower case."""
    if after >= len(text) or not text[after].islower():
        return False
    while before > 0 and text[before - 1] in " \t":
        before -= 1
    if before == 0 or not (text[before - 1].isalnum() or text[before - 1] == ","):
        return False
    line_start = text.rfind("\n", 0, before) + 1
    return _LIST_OR_HEADING.match(text, line_start) is None


def _spans(text: str, lowercase_starts: bool) -> list[tuple[int, int]]:
    cuts = {0, len(text)}
    pos = 0
    for gap in [*_BLANK_LINES.finditer(text), None]:
        stop = gap.start() if gap else len(text)
        block = text[pos:stop]
        cuts.update(_line_cuts(block, pos))
        cuts.update(_punctuation_cuts(block, pos, lowercase_starts))
        if gap:
            if not _runs_on(text, gap.start(), gap.end()):
                cuts.add(gap.start())
                cuts.add(gap.end())
            pos = gap.end()
    ordered = sorted(cuts)
    return list(zip(ordered, ordered[1:], strict=False))


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cut_long(text: str, start: int, end: int, max_words: int) -> Iterator[tuple[int, int]]:
    """A run-on span cut at semicolons, then line breaks, then every max_words words."""
    if len(text[start:end].split()) <= max_words:
        yield start, end
        return
    for separator in ("; ", "\n"):
        pieces = text[start:end].split(separator)
        if len(pieces) > 1:
            pos = start
            for piece in pieces:
                piece_end = pos + len(piece) + (len(separator) if separator == "; " else 0)
                piece_end = min(piece_end, end)
                s, e = _trimmed(text, pos, piece_end)
                if e > s:
                    yield from _cut_long(text, s, e, max_words)
                pos = pos + len(piece) + len(separator)
            return
    words = list(re.finditer(r"\S+", text[start:end]))
    for i in range(0, len(words), max_words):
        group = words[i : i + max_words]
        yield start + group[0].start(), start + group[-1].end()


def split_sentences(
    text: str, *, max_words: int = MAX_SENTENCE_WORDS, lowercase_starts: bool = False
) -> list[Sentence]:
    """The sentences of `text`, in order, with offsets into `text`.

    `lowercase_starts`: also end a sentence before a lower-case word (chat messages,
    where "my cat is Tom. i live in Oslo" is two statements).
    """
    sentences: list[Sentence] = []
    for raw_start, raw_end in _spans(text, lowercase_starts):
        start, end = _trimmed(text, raw_start, raw_end)
        if end <= start:
            continue
        for s, e in _cut_long(text, start, end, max_words):
            body = _SPACE.sub(" ", text[s:e]).strip()
            if any(ch.isalnum() for ch in body):
                sentences.append(Sentence(s, e, body))
    return sentences


def sentence_texts(text: str, **kwargs: int | bool) -> list[str]:
    """Just the sentences' text, for callers that do not need offsets."""
    return [s.text for s in split_sentences(text, **kwargs)]  # type: ignore[arg-type]
