"""Where each sentence of a summary comes from: alignment to the sentences below it.

A chunk's summary is aligned to the chunk's own sentences; a merge's to the sentences of
the summaries it merged, whose origins are already known; so every node of the tree, the
final summary included, knows the source spans behind each of its sentences. Alignment
is lexical (shared content words, weighted by rarity), with no model. An extractive
sentence aligns to itself exactly.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from longcli.text.sentences import split_sentences
from longcli.text.terms import terms

SECOND_SOURCE_SHARE = 0.7  # a second aligned sentence must score this share of the best
MIN_OVERLAP = 0.2  # share of a sentence's weighted words that must be found to align it


@dataclass(frozen=True)
class Span:
    """A piece of the input: which source and chunk, and its character offsets in the
    source's normalised text."""

    source: int
    chunk: int
    start: int
    end: int

    def to_json(self) -> dict[str, int]:
        return {"source": self.source, "chunk": self.chunk, "start": self.start, "end": self.end}


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


def chunks_cited(spans: Sequence[Span]) -> list[int]:
    return sorted({s.chunk for s in spans})


def with_markers(text: str, origins: Origins, label: Callable[[list[Span]], str]) -> str:
    """`text` with each sentence followed by `label` of the spans it comes from."""
    sentences = split_sentences(text)
    out: list[str] = []
    pos = 0
    for sentence, spans in zip(sentences, origins, strict=False):
        out.append(text[pos : sentence.end])
        marks = label(spans) if spans else ""
        if marks:
            out.append(" " + marks)
        pos = sentence.end
    out.append(text[pos:])
    return "".join(out)
