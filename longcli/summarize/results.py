"""What a summary run returns: the summary, every node of its tree with where its
sentences come from, and what the run counted. The CLI renders these (text, Markdown,
JSON); nothing here chooses wording."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from longcli.config import Method
from longcli.grounding.ask import CallStats, Outcome
from longcli.grounding.cite import Citations, Origins, describe_place, number_references
from longcli.summarize.budget import Budget
from longcli.text.documents import Mark, Work


@dataclass
class ChunkRecord:
    """A chunk and its summary (the map stage)."""

    index: int
    source: int
    start: int
    end: int
    tokens: int
    summary: str
    summary_tokens: int
    outcome: Outcome = Outcome.model
    citations: Origins = field(default_factory=list)  # per sentence of the summary


@dataclass
class MergeRecord:
    """A merge of summaries of the level below; the final summary is the last level's."""

    level: int
    index: int
    inputs: list[int]  # indices into the level below
    summary: str
    summary_tokens: int
    input_tokens: int
    tightened: bool = False  # the first answer did not shrink; this one was capped at half
    outcome: Outcome = Outcome.model
    citations: Origins = field(default_factory=list)  # per sentence of the summary


@dataclass
class Stats:
    calls: int = 0
    cached_calls: int = 0
    retries: int = 0
    tightened: int = 0
    mended: int = 0  # answers kept with their failing sentences dropped
    fallbacks: int = 0  # answers replaced by an extractive selection
    shortened: int = 0  # hybrid: sentences the model shortened (others kept as they were)
    written: int = 0  # extract-abstract: sentences the model wrote that passed the check
    refused: int = 0  # extract-abstract: written sentences the check refused
    passage_tokens: int = 0  # extract-abstract: tokens of source passages the model read
    prompt_tokens: int = 0
    completion_tokens: int = 0
    input_tokens: int = 0  # tokens of the user's text
    map_seconds: float = 0.0
    reduce_seconds: float = 0.0


class Tally:
    """A run's Stats, counted from calls on several threads (--parallel)."""

    def __init__(self) -> None:
        self.stats = Stats()
        self._lock = threading.Lock()

    def count(self, calls: CallStats) -> None:
        """Add what some calls did."""
        with self.counting() as s:
            s.calls += calls.calls
            s.retries += calls.retries
            s.cached_calls += calls.cached_calls
            s.prompt_tokens += calls.prompt_tokens
            s.completion_tokens += calls.completion_tokens
            s.mended += calls.mended
            s.fallbacks += calls.fallbacks

    @contextmanager
    def counting(self) -> Iterator[Stats]:
        """The stats, for the block alone to read or change."""
        with self._lock:
            yield self.stats


@dataclass
class SummaryResult:
    summary: str
    chunks: list[ChunkRecord]
    levels: list[list[MergeRecord]]
    budget: Budget
    stats: Stats
    method: Method = Method.hybrid
    origins: Origins = field(default_factory=list)  # per sentence of the summary
    sources: list[str] = field(default_factory=list)
    places: list[list[Mark]] = field(default_factory=list)  # per source: pages, chapters
    works: list[Work | None] = field(default_factory=list)  # per source: title and author
    # per source: the offsets of a plain text's newlines (its lines for --cite), else None
    newlines: list[Sequence[int] | None] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)  # per source: its text's characters

    def where(self, source: int, start: int, end: int) -> str:
        """The most specific place a span of a source covers: "pp. 7–9", 'chapter "The
        Ship"', 'section "Prices"', "00:01:02–00:01:30", else "characters 0–1,180"."""
        marks = self.places[source] if source < len(self.places) else []
        newlines = self.newlines[source] if source < len(self.newlines) else None
        length = self.lengths[source] if source < len(self.lengths) else 0
        return describe_place(marks, start, end, newlines, length)

    def citations(self) -> Citations:
        """The passages the summary cites, numbered as --cite shows them."""
        return number_references(self.origins, lambda s: self.where(s.source, s.start, s.end))
