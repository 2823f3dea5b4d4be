"""`longcli verify`: each sentence of any summary against its sources, with the place that
supports it or why none does.

The sources are read by the same readers as `summarize` (every format, read once) and
joined in order; each sentence of the summary goes through the support check
(grounding/support.py) against them all. A supported sentence is shown with its
evidence and where that stands (a page, a chapter, a section, a cue's times, else the
lines of a plain text); a refused one with why, and the closest place there is.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from longcli.errors import InputError
from longcli.grounding.cite import describe_place
from longcli.grounding.claims import opening_name
from longcli.grounding.support import MIN_COVERAGE, SourceIndex, Support, Why
from longcli.text.boilerplate import without_boilerplate
from longcli.text.decode import Source
from longcli.text.documents import InputFormat, Mark, open_document
from longcli.text.layout import inline
from longcli.text.sentences import split_sentences
from longcli.text.titles import title_of
from longcli.text.vocabulary import has_words

if TYPE_CHECKING:
    from longcli.backends.embedding import Embedder

SOURCE_GAP = "\n\n"  # between two sources: no sentence runs across it
_SOURCES_LIST = re.compile(r"\n[ \t]*Sources[ \t]*\n(?:[ \t]*\d+\.[ \t][^\n]*(?:\n|\Z))+\s*\Z")
_CITE_MARKER = re.compile(r"[ \t]?\[\d+(?:,[ \t]*\d+)*\]")
_LEADING_MARK = re.compile(r"^\s*(?:#{1,6}\s+|[-*+•]\s+|\d{1,3}[.)]\s+)")
_HEADING_LINE = re.compile(r"^[ \t]*#{1,6}[ \t][^\n]*$", re.M)


@dataclass(frozen=True)
class Read:
    """One source as text, with the places its reader marked."""

    label: str
    text: str
    marks: tuple[Mark, ...]

    def place(self, start: int, end: int) -> str:
        """Where a span stands: the reader's place, else its lines ("line 12", "lines
        12–14")."""
        if self.marks:
            return describe_place(self.marks, start, end)
        first = self.text.count("\n", 0, start) + 1
        last = first + self.text.count("\n", start, max(start, end - 1))
        return f"line {first}" if first == last else f"lines {first}–{last}"


@dataclass(frozen=True)
class Cited:
    """A source sentence given as evidence, and where it stands."""

    source: str  # the source's label (its path, "-", a URL)
    place: str
    text: str


@dataclass(frozen=True)
class Checked:
    """One sentence of the summary, and the verdict on it."""

    sentence: str
    why: Why
    detail: str
    coverage: float
    evidence: tuple[Cited, ...]

    @property
    def supported(self) -> bool:
        return self.why is Why.SUPPORTED


@dataclass(frozen=True)
class Verification:
    """What `verify` found: every sentence in summary order."""

    sentences: tuple[Checked, ...]
    sources: tuple[str, ...]
    min_coverage: float

    @property
    def unsupported(self) -> int:
        return sum(not c.supported for c in self.sentences)


def read_source(
    source: Source, fmt: InputFormat, encoding: str | None, errors: str
) -> tuple[Read, list[str]]:
    """A source read whole by its reader, and the reader's warnings."""
    document = open_document(source, fmt, encoding, errors)
    text = "".join(document.blocks)
    return Read(source.label, text, tuple(document.marks)), list(document.warnings)


def summary_sentences(text: str) -> list[str]:
    """The sentences of a summary to check: each with a letter or digit. What is not a
    claim is left out: Markdown headings and bullet marks, and `summarize --cite`'s markers
    ("[2]", "[1, 3]") and its closing list of Sources."""
    text = _SOURCES_LIST.sub("", text)
    text = _CITE_MARKER.sub("", _HEADING_LINE.sub("", text))
    out = []
    for sentence in split_sentences(text):
        said = sentence.text.strip().lstrip("-*•·>#").strip()
        if has_words(said):
            out.append(said)
    return out


def readable(text: str) -> str:
    """A source sentence as a reader sees it: without Markdown's emphasis, link targets
    and a heading's or list item's mark ("**48,000 euros**" reads "48,000 euros")."""
    return inline(_LEADING_MARK.sub("", text))


class Sources:
    """The sources joined in order, indexed once for the support check."""

    def __init__(self, reads: Sequence[Read], embedder: Embedder | None = None) -> None:
        self.reads = list(reads)
        self.starts: list[int] = []
        at = 0
        for read in self.reads:
            self.starts.append(at)
            at += len(read.text) + len(SOURCE_GAP)
        # What is not a source's own prose (a licence, scan credits, a transcriber's note:
        # text/boilerplate.py) is blanked, never evidence; offsets and lines stay put.
        self.index = SourceIndex(
            SOURCE_GAP.join("".join(without_boilerplate([r.text])) for r in self.reads),
            embedder=embedder,
            authors=" ".join(work.author for r in self.reads if (work := title_of(r.text))),
        )

    def cite(self, start: int, end: int, text: str) -> Cited:
        i = bisect.bisect_right(self.starts, start) - 1
        read, base = self.reads[i], self.starts[i]
        return Cited(read.label, read.place(start - base, end - base), readable(text))


def verify(
    summary: str,
    reads: Sequence[Read],
    min_coverage: float = MIN_COVERAGE,
    progress: Callable[[int, int], None] | None = None,
    embedder: Embedder | None = None,
) -> Verification:
    """Each sentence of `summary` against the sources, in order; with `embedder`, each
    compared where the sources say what it means (grounding/meaning.py)."""
    sentences = summary_sentences(summary)
    if not sentences:
        raise InputError("the summary has no sentence to check (no letters or digits)")
    if not any(has_words(r.text) for r in reads):
        raise InputError("the sources hold no text to check the summary against")
    sources = Sources(reads, embedder)
    checked: list[Checked] = []
    doer: str | None = None
    for n, sentence in enumerate(sentences, 1):
        verdict: Support = sources.index.support(sentence, min_coverage, doer)
        doer = opening_name(sentence) or doer  # whom its next "he" or "she" is taken to mean
        cited = tuple(sources.cite(e.start, e.end, e.text) for e in verdict.evidence)
        checked.append(Checked(sentence, verdict.why, verdict.detail, verdict.coverage, cited))
        if progress is not None:
            progress(n, len(sentences))
    return Verification(tuple(checked), tuple(r.label for r in reads), min_coverage)
