"""Where each sentence of a summary comes from: alignment to the sentences below it.

A chunk's summary is aligned to the chunk's own sentences; a merge's to the sentences of
the summaries it merged, whose origins are already known; so every node of the tree, the
final summary included, knows the source spans behind each of its sentences. Alignment
is lexical (shared content words, weighted by rarity), with no model. Text made of
chosen sentences (extractive, hybrid) is not aligned at all: each of its sentences comes
from the chosen sentences it overlaps (`placed`), so a sentence is never given to another
file's sentence that merely shares its words.

For --cite, the spans behind a summary are numbered as *references*: one per passage,
that is per source and place (a page or page range, a chapter, a section, a range of cue
times, else the span's characters), numbered 1..k in document order (`number_references`).
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from longcli.text.documents import Mark
from longcli.text.sentences import split_sentences
from longcli.text.terms import terms

SECOND_SOURCE_SHARE = 0.7  # a second aligned sentence must score this share of the best
MIN_OVERLAP = 0.2  # share of a sentence's weighted words that must be found to align it
MAX_REFERENCES_PER_SENTENCE = 3  # shown after one sentence; the JSON keeps every span


@dataclass(frozen=True)
class Span:
    """A piece of the input: which source and chunk, and its character offsets in the
    source's normalised text."""

    source: int
    chunk: int
    start: int
    end: int


Origins = list[list[Span]]  # per sentence of a summary, the spans it comes from


def align(sentences: Sequence[str], candidates: Sequence[str]) -> list[list[int]]:
    """For each sentence, the one or two candidates it shares most weighted words with."""
    bags = [set(terms(c)) for c in candidates]
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag)
    n = len(candidates)

    def weight(term: str) -> float:
        return math.log((n + 1) / (df[term] + 0.5))

    result: list[list[int]] = []
    for sentence in sentences:
        wanted = set(terms(sentence))
        total = sum(weight(t) for t in wanted) or 1.0
        scores = [(sum(weight(t) for t in wanted & bag) / total, i) for i, bag in enumerate(bags)]
        scores.sort(key=lambda pair: (-pair[0], pair[1]))
        picked: list[int] = []
        if scores and scores[0][0] >= MIN_OVERLAP:
            best = scores[0][0]
            picked = [i for score, i in scores[:2] if score >= best * SECOND_SOURCE_SHARE]
        result.append(sorted(picked))
    return result


def trace(text: str, candidates: Sequence[str], origins: Origins) -> Origins:
    """The origins of each sentence of `text`, through the candidates it aligns with."""
    sentences = [s.text for s in split_sentences(text)]
    traced: Origins = []
    for picked in align(sentences, candidates):
        spans: list[Span] = []
        for i in picked:
            spans.extend(s for s in origins[i] if s not in spans)
        traced.append(spans)
    return traced


def with_markers(text: str, origins: Origins, label: Callable[[list[Span]], str]) -> str:
    """`text` with each sentence followed by `label` of the spans it comes from."""
    return after_sentences(text, [label(spans) if spans else "" for spans in origins])


def after_sentences(text: str, marks: Sequence[str]) -> str:
    """`text` with each sentence followed by its mark (none where the mark is empty)."""
    out: list[str] = []
    pos = 0
    for sentence, mark in zip(split_sentences(text), marks, strict=False):
        out.append(text[pos : sentence.end])
        if mark:
            out.append(" " + mark)
        pos = sentence.end
    out.append(text[pos:])
    return "".join(out)


def placed(text: str, pieces: Sequence[str], origins: Origins) -> Origins:
    """The origins of each sentence of `text`, a layout of `pieces` that have their own.

    `text` holds the pieces in order (joined, as a list, under headings, or cut short); a
    sentence comes from every piece it overlaps. A piece without end punctuation (a
    heading, a list item) runs into the next one when the text is split again, so one
    sentence of the text may hold pieces of two files; it cites both."""
    located: list[tuple[int, int, list[Span]]] = []
    pos = 0
    for piece, spans in zip(pieces, origins, strict=True):
        at = text.find(piece, pos)
        if at < 0:  # cut short to a token budget: the rest of the text is what is left of it
            at = len(text) - len(text[pos:].lstrip())
            if at >= len(text):
                break
        end = min(len(text), at + len(piece))
        located.append((at, end, spans))
        pos = end
    result: Origins = []
    for sentence in split_sentences(text):
        found: list[Span] = []
        for start, end, spans in located:
            if start < sentence.end and sentence.start < end:
                found.extend(s for s in spans if s not in found)
        result.append(found)
    return result


# -- references: what [n] and the Sources list say ------------------------------------------


@dataclass(frozen=True)
class Reference:
    """A passage of the input the summary cites: `[number]` after its sentences, and one
    line of the Sources list. `start`/`end` cover the cited text of the source in it."""

    number: int
    source: int
    start: int
    end: int
    where: str  # "pp. 7–9", 'chapter "The Ship"', 'section "Prices"', "00:01:02–00:01:30"


@dataclass(frozen=True)
class Citations:
    """The references of a summary, numbered 1..k in document order, and for each of its
    sentences the numbers it cites (ascending, at most MAX_REFERENCES_PER_SENTENCE)."""

    references: list[Reference]
    numbers: list[list[int]]  # per sentence of the summary, as `origins` is


def number_references(origins: Origins, where: Callable[[Span], str]) -> Citations:
    """Number the passages the sentences of a summary come from.

    A passage is a source and a place in it, as `where` names it, so two sentences from
    one page or one chapter cite the same number. A sentence cites its first three
    passages (spans come in source order through every merge). Only what is cited is
    numbered, in document order: [1] comes before [2] in the input, whatever order the
    summary puts them in, so a number also says where in the input a sentence is from.
    """
    cited: list[list[tuple[int, str]]] = []
    extent: dict[tuple[int, str], tuple[int, int]] = {}
    for spans in origins:
        keys: list[tuple[int, str]] = []
        for span in spans:
            key = (span.source, where(span))
            if key not in keys and len(keys) == MAX_REFERENCES_PER_SENTENCE:
                continue
            if key not in keys:
                keys.append(key)
            start, end = extent.get(key, (span.start, span.end))
            extent[key] = (min(start, span.start), max(end, span.end))
        cited.append(keys)
    order = sorted(extent, key=lambda key: (key[0], *extent[key]))
    number = {key: n for n, key in enumerate(order, 1)}
    references = [Reference(number[k], k[0], *extent[k], k[1]) for k in order]
    return Citations(references, [sorted(number[k] for k in keys) for keys in cited])


def describe_place(
    marks: Sequence[Mark],
    start: int,
    end: int,
    newlines: Sequence[int] | None = None,
    length: int = 0,
) -> str:
    """The most specific place a span of a source covers, as --cite names it: "p. 7",
    "pp. 7–9", 'chapter "The Ship"', 'section "Prices"', "00:01:02–00:01:30", or, where
    the source has no marks there (plain text), its lines when the offsets of its newlines
    are known ("lines 12–14", as `verify` names them and `sed -n 12,14p` prints them);
    elsewhere (a web page with no heading there), how far in, when the text's `length` is
    known ("about 45% in": its characters are no place a reader can find); else its
    characters: "characters 1,204–1,530"."""
    ordered = sorted(marks, key=lambda m: m.offset)
    before = [m for m in ordered if m.offset <= start]
    covered = before[-1:] + [m for m in ordered if start < m.offset < end]
    if not covered:
        return _unmarked(start, end, newlines, length)
    kind = covered[0].kind
    if kind == "text":  # after a title page, where the reader marked nothing
        covered = [m for m in covered if m.kind != "text"]
        if not covered or covered[0].offset > start:
            return _unmarked(start, end, newlines, length)
        kind = covered[0].kind
    labels = list(dict.fromkeys(m.label for m in covered if m.kind == kind))
    first, last = labels[0], labels[-1]
    if kind == "page":
        return f"p. {first}" if first == last else f"pp. {first}–{last}"
    if kind == "time":  # from the first cue's start to the last cue's end
        last = next(m.end or m.label for m in reversed(covered) if m.kind == kind)
        return first if first == last else f"{first}–{last}"
    if kind == "title":  # the title page made from the document's metadata
        return "title page"
    if kind == "chapter":
        first, last = _chapter(first), _chapter(last)
    else:
        first, last = f'section "{first}"', f'section "{last}"'
    return first if first == last else f"{first} to {last}"


def _unmarked(start: int, end: int, newlines: Sequence[int] | None, length: int = 0) -> str:
    """A span of a source with no marks: its lines (1-based), how far in, or its
    characters."""
    if newlines is None:
        if length > 0:
            share = min(100, round(100 * start / length))
            return f"about {share}% in" if share else "at the start"
        return f"characters {start:,}–{end:,}"
    first = bisect.bisect_left(newlines, start) + 1
    last = bisect.bisect_left(newlines, max(start, end - 1)) + 1
    return f"line {first}" if first == last else f"lines {first}–{last}"


_CHAPTER_LABEL = re.compile(r'(\d+) "(.*)"\Z', re.S)  # the readers' '4 "The Storm"'
_NUMBER_WORD = (
    r"\d+|[ivxlcdm]+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"\w+teen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|first|second|"
    r"third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last"
)
_OWN_NUMBER = re.compile(
    rf"(?:(?:chapter|book|part|volume|act|scene|canto|letter)\s+(?:{_NUMBER_WORD})\b"
    r"|\d+\b|[ivxlcdm]+[.:)])",
    re.I,
)


def _chapter(label: str) -> str:
    """A chapter by its title in the table of contents, with its place in the contents
    only when the title carries no number of its own: 'chapter "Chapter 16. The Ship."'
    (never "ch. 21" beside the book's own "16"), 'chapter 2 "Preface"'."""
    match = _CHAPTER_LABEL.match(label)
    if match is None:
        return f"chapter {label}"
    number, title = match.groups()
    if _OWN_NUMBER.match(title):
        return f'chapter "{title}"'
    return f'chapter {number} "{title}"'
