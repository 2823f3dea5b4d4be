"""The nodes of a summary tree and the sentences a node is chosen from.

A chunk's pool is its readable sentences (text/fragments.py), each with its source span; a
merge's pool is the sentences of the nodes below it, which know their spans already. Key
sentences are picked from a pool within a budget: the lead first, then every part of the
text in proportion to its length (text/keysentences.spread).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from longcli.config import Settings
from longcli.errors import ModelError
from longcli.grounding.ask import Outcome
from longcli.grounding.cite import Origins, Span
from longcli.streams import Streams
from longcli.text import fragments, retrieval
from longcli.text.apparatus import back_matter
from longcli.text.chunks import Chunk
from longcli.text.decode import Source
from longcli.text.keysentences import (
    COVER_NAMES,
    Scored,
    most_named,
    name_counts,
    score_sentences,
    spread,
)
from longcli.text.sentences import split_sentences
from longcli.text.vocabulary import word_count

if TYPE_CHECKING:  # numpy is loaded only by a run that embeds
    from longcli.backends.embedding import Embedder

LENGTH_OVERSHOOT = 0.05  # --words may be passed by this share when that ends nearer it
LEAD_GROUP = -1  # in Pool.groups: the document's lead (title, introduction), chosen first
# A chunk whose units hold less than this share of its characters (one sentence, then
# 100,000 periods; a table) costs its units by their share of its tokens.
NOISE_SHARE = 0.5
# -i: a sentence's score is multiplied by 1 + RETRIEVAL_WEIGHT x its relevance (0 to 1),
# so the passages that answer come first (tuned on bench/question_focus.py's even half)
RETRIEVAL_WEIGHT = 8.0
ANSWER_SHARE = 0.5  # -i: the best matches are chosen first, within this share of the budget
ANSWER_MIN = 0.5  # ... those scoring at least this share of the best match
# -i about the ending ("how does it end?"): the summary is chosen from the text's last
# part, with at least this many times its length to choose from, the most important first
ENDING_PART = 0.2
CLOSING_PART = 0.03  # a whole text's summary takes a sentence of its last 3% (its ending)
# ... weighed toward the text's very end: a sentence's importance times CLOSING_FLOOR at
# the start of that part, rising to 1 at its end (the square of the way through). The
# most important of the last 3% was A Tale of Two Cities' fight with Madame Defarge and
# Frankenstein's letters to Margaret, not the final scenes; the last 1% alone gave a
# report's reference list.
# Chosen on the reader bench's works-tune half: a sentence from the body's last 1% in 6
# of 10 summaries (2 before); 0.3 gave 4, a power of 4 gave 5.
CLOSING_FLOOR = 0.1
CLOSING_WORDS = 6
CLOSING_POWER = 2
ENDING_POOL = 1.5
# A sentence that ends as prose does (its mark, a closing quote or bracket maybe): the
# closing sentence is one ("Carmilla and Other Classic Tales of Mystery", an item of the
# book's "Other books by" list after its last paragraph, is not).
_ENDS = re.compile(r"[.!?。！？…][\"'”’»)\]]*\s*$")
# -i with an embedding model, for a question that names no one ("describe the setting"):
# relevance is this share cosine (above the pool's median, as a share of the best) and
# the rest BM25 (as a share of the best). On the tuning half it raised -i's mean gain
# over the blind summary from +0.8 to +1.4 ROUGE-Lsum (held out: +1.6 to +1.8); the
# cosine blended into questions about someone too lost 0.3 (the names are what find
# them), so those are left to BM25 and cost no embedding.
MEANING_SHARE = 0.7
# ... for texts up to this size (2.5 times the longest bench story): every sentence is
# embedded once, about 20 ms each on two busy cores (Pride and Prejudice, 600 kB, took
# 111 s against 8 s by words alone; its first 140 kB 31 s against 4 s), so a longer
# text, or one of unknown length (a pipe, a URL), is searched by its words only.
MEANING_MAX_BYTES = 100_000


@dataclass
class Node:
    """A summary at some level of the tree, with the source spans behind each sentence."""

    text: str
    tokens: int
    origins: Origins
    outcome: Outcome = Outcome.model
    units: Pool | None = None  # chosen without a model: the sentences it is made of


@dataclass(frozen=True)
class Pool:
    """Sentences to select from, each with its source spans and an estimated cost."""

    sentences: list[str]
    origins: Origins
    tokens_per_word: float

    groups: list[int]  # for each sentence, which node of the level below it came from
    focus: str | None = None  # --instructions: sentences sharing its words count more
    scored: list[Scored] | None = None  # importance, when not that of these sentences
    sections: list[str] | None = None  # for each sentence, the heading it is under, or ""
    rough: frozenset[int] = frozenset()  # no reader could use these alone: chosen only
    # when nothing else is left (a chunk of code, a list of names)
    meaning: Embedder | None = None  # -i: sentences found by meaning too (see _matches)
    # how many sentences of the whole text behind the pool name each name: a merge's pool
    # holds chosen sentences only, and who the main people are is the text's to say
    names: Counter[str] | None = None
    closes: bool = False  # it holds a text's ending (its last chunk): see `_closing`
    # the headings its text shows, in order (its chosen sentences' and the others'): the
    # next node's first sentences go on under the last, whichever of these were chosen
    headings: tuple[str, ...] = ()

    @property
    def ends_under(self) -> str:
        """The heading the pool's text ends under, "" when it shows none."""
        return self.headings[-1] if self.headings else ""

    def cost(self, sentence: str) -> int:
        return max(1, math.ceil(word_count(sentence) * self.tokens_per_word))

    def indices(
        self,
        budget: int,
        by_words: bool = False,
        skip: frozenset[int] = frozenset(),
        reader_length: bool = False,
        whole: bool = False,
    ) -> list[int]:
        """The key sentences within a budget (of tokens, or words), in source order: the
        lead first, then every part of the text in proportion to its length. `whole`: the
        pool spans the whole text (the final choice), so its last part is the text's end."""
        cost = word_count if by_words else self.cost
        # -i: the question says whom it is about; the main names (whole-text counts, each
        # met in the summary) are for a summary of the whole work
        known = None if self.focus else self.names
        scored = self.scored or score_sentences(
            self.sentences, self.focus, main_names=True, counts=known
        )
        positions = self.positions()
        readable = len(self.sentences) - len(self.rough | skip) > 0
        excluded = skip | self.rough if readable else skip
        leads = [i for i, g in enumerate(self.groups) if g == LEAD_GROUP]
        if self.focus:  # BM25 over the sentences once, for both uses of it
            q = retrieval.query(self.focus)
            raw = self._matches(q, positions)
            # "how does it end?", no word to search for: the end, after the title alone,
            # its key sentences first ("he has never returned"), not merely its last ones
            # (issue 31); "what happens to Ahab at the end?" is answered where Ahab is
            ending = q.ending and whole and not retrieval.answers(q, self.sentences)
            if ending:
                leads = leads[:1] if len(leads) > 1 else leads  # not the introduction's
                excluded = excluded | self._before_end(positions, budget, cost, excluded, leads)
            answering = _weighed(raw, scored) if ending else raw
            scored, positions = self._retrieved(raw, scored, positions)
            taken = excluded | set(leads)
            answers = self._answers(answering, budget, cost, taken)
            closing = self._last(taken) if q.ending and (whole or self.closes) else []
            if set(closing) - set(answers):
                # "what happens to Miles at the end?": the sentences naming Miles stop
                # before the text's last, "... and his little heart, dispossessed, had
                # stopped.": it follows them, its room kept from theirs (leads are taken
                # in order while they fit)
                kept = sum(cost(self.sentences[i]) for i in closing)
                answers = self._answers(answering, budget - kept, cost, taken | set(closing))
            else:
                closing = []
            leads = [*leads, *answers, *closing]
        else:
            closing = (
                self._closing(scored, positions, excluded | set(leads))
                if whole or self.closes
                else []
            )
            leads = sorted(leads + closing)
        overshoot = LENGTH_OVERSHOOT if reader_length else 0.0  # --words, not a context
        cover = most_named(known, COVER_NAMES) if known is not None else []
        return spread(
            self.sentences,
            budget,
            cost,
            scored,
            positions,
            leads,
            excluded,
            overshoot,
            cover,
            closing,
        )

    def _matches(self, q: retrieval.Query, positions: list[float]) -> list[float]:
        """-i: how well each sentence answers the query: BM25; blended with the cosine of
        meaning for a question that names no one, where an embedding model is at hand;
        weighed toward the end for a question about the ending."""
        raw = retrieval.scores(q, self.sentences)
        if self.meaning is not None and not q.names and q.question and self.sentences:
            raw = _by_meaning(self.meaning, q.text, raw, self.sentences)
        return retrieval.toward_end(raw, positions) if q.ending else raw

    def _closing(
        self, scored: Sequence[Scored], positions: Sequence[float], taken: Collection[int]
    ) -> list[int]:
        """The whole text's summary, and its last chunk's: its most important sentence in
        the last CLOSING_PART of the text, chosen as the lead is. The tenths each get a
        sentence, but the last tenth's best may stand before its end: Ethan Frome's
        summary stopped at "He drew her back to him.", before the sled crash and the
        epilogue that are its ending."""
        prose = [
            s for s in scored if s.index not in taken and _ENDS.search(self.sentences[s.index])
        ]
        if not prose:
            return []
        # the part before the last sentence of prose: a list may follow it ("Other books by
        # J. Sheridan LeFanu" after Carmilla's last paragraph)
        # ... of the body: not an appendix's or the references' (a NIST report's summary
        # closed on "Resources, Appendix III, Security of Federal Automated Information
        # Systems, February 8, 1996.")
        sections = self.sections
        prose = [s for s in prose if not (sections and back_matter(sections[s.index]))] or prose
        last = max(positions[s.index] for s in prose)
        final = max(prose, key=lambda s: positions[s.index])
        if word_count(self.sentences[final.index]) >= CLOSING_WORDS:
            return [final.index]
        end = last - CLOSING_PART
        late = [s for s in prose if positions[s.index] >= end]

        def weighed(s: Scored) -> float:
            way = (positions[s.index] - end) / CLOSING_PART
            return s.score * (CLOSING_FLOOR + (1 - CLOSING_FLOOR) * way**CLOSING_POWER)

        return [max(late, key=weighed).index]

    def closing_of(self, picked: Sequence[int]) -> list[int]:
        """Of `picked`, the sentence that closes the text: the last that ends as prose (a
        list may follow it); [] when none does."""
        prose = [i for i in picked if _ENDS.search(self.sentences[i])]
        return [max(prose)] if prose else []

    def _last(self, taken: Collection[int]) -> list[int]:
        """The text's last sentence that may be chosen and ends as prose: how a story ends."""
        last = next(
            (
                i
                for i in reversed(range(len(self.sentences)))
                if i not in taken and _ENDS.search(self.sentences[i])
            ),
            None,
        )
        return [] if last is None else [last]

    def _before_end(
        self,
        positions: Sequence[float],
        budget: int,
        cost: Callable[[str], int],
        excluded: Collection[int],
        leads: Collection[int],
    ) -> set[int]:
        """-i about the ending: the sentences before the text's end, which is its last
        ENDING_PART (in this pool of the whole text), or more of its last sentences where
        those do not hold ENDING_POOL times the budget."""
        late = sorted(range(len(self.sentences)), key=lambda i: -positions[i])
        kept, used = set(leads), 0
        for i in late:
            if used >= ENDING_POOL * budget and positions[i] < 1 - ENDING_PART:
                break
            if i not in excluded:
                kept.add(i)
                used += cost(self.sentences[i])
        return set(range(len(self.sentences))) - kept

    def _answers(
        self,
        raw: Sequence[float],
        budget: int,
        cost: Callable[[str], int],
        taken: Collection[int],
    ) -> list[int]:
        """-i: the sentences that match it best (at least ANSWER_MIN of the best score),
        best first, within ANSWER_SHARE of the budget: chosen before any other, as the
        lead is, because the answer is often a sentence the rest of the text does not echo
        (the Pequod sinking), which no weighting of centrality brings in."""
        hits = retrieval.hits(raw)
        room, chosen = ANSWER_SHARE * budget, list[int]()
        for hit in hits:
            if hit.score < ANSWER_MIN * hits[0].score:
                break
            size = cost(self.sentences[hit.index])
            # the best answer may fill the whole budget: at --words 40 a 35-word answer
            # is the summary asked for, not a sentence to leave out
            fits = size <= room or (not chosen and size <= budget)
            if hit.index in taken or not fits:
                continue
            chosen.append(hit.index)
            room -= size
        return chosen

    def _retrieved(
        self, raw: Sequence[float], scored: list[Scored], positions: list[float]
    ) -> tuple[list[Scored], list[float]]:
        """-i: the key-sentence scores raised where a sentence (or its neighbour) answers
        the query; and, when it matches anywhere, one part, so the answer is not crowded
        out by every tenth of the text taking its share."""
        relevance = retrieval.spread_relevance(raw)
        if not any(relevance):
            return scored, positions
        raised = [Scored(s.index, s.score * (1 + RETRIEVAL_WEIGHT * relevance[s.index]),
                         s.vector) for s in scored]  # fmt: skip
        # Every part of the text kept its share cost 0.3-0.5 ROUGE-Lsum points on the
        # tuning half: an answer stands in one place, so -i drops the spread by position.
        # (Keeping it where the matches stand all through the text, a main character, was
        # within the bench's noise and let "what happened on Monday" go unanswered.)
        return raised, [0.0] * len(positions)

    def positions(self) -> list[float]:
        """Where each sentence comes from, 0 (start) to 1 (end) of the text this pool
        covers, several sources taken in order."""
        firsts = [min(spans, key=lambda s: (s.source, s.start)) if spans else None
                  for spans in self.origins]  # fmt: skip
        extent: dict[int, tuple[int, int]] = {}
        for spans in self.origins:
            for s in spans:
                low, high = extent.get(s.source, (s.start, s.end))
                extent[s.source] = (min(low, s.start), max(high, s.end))
        base, offset = {}, 0
        for source in sorted(extent):
            base[source] = offset - extent[source][0]
            offset += extent[source][1] - extent[source][0]
        positions: list[float] = []
        for first in firsts:
            if first is None:
                positions.append(positions[-1] if positions else 0.0)
            else:
                positions.append((base[first.source] + first.start) / max(offset, 1))
        return positions


def _weighed(raw: Sequence[float], scored: Sequence[Scored]) -> list[float]:
    """Each sentence's match times its importance (as a share of the best)."""
    top = max((s.score for s in scored), default=0.0) or 1.0
    importance = [0.0] * len(raw)
    for s in scored:
        importance[s.index] = s.score / top
    return [x * w for x, w in zip(raw, importance, strict=True)]


def question_meaning(
    settings: Settings, streams: Streams, sources: Sequence[Source]
) -> Embedder | None:
    """-i's embedding model (the `embedding_model` setting: the chat's), loaded only for a
    question that names no one (the only one it serves, see MEANING_SHARE) about texts of
    at most MEANING_MAX_BYTES; None without one, or when it fails to load (said once: the
    question is then searched by words)."""
    from longcli.backends.embedding import find_embedding_model, open_or_say

    q = retrieval.query(settings.instructions) if settings.instructions else None
    if q is None or q.names or not q.question:
        return None
    try:
        path = find_embedding_model(settings.embedding_model)
        if path is None:
            return None
        if any(s.path is None or not s.rereadable for s in sources) or (
            sum(s.path.stat().st_size for s in sources if s.path) > MEANING_MAX_BYTES
        ):
            streams.detail(
                f"embedding model {path} not used: -i is searched for by its words in a text "
                f"over {MEANING_MAX_BYTES // 1000} kB or of unknown length (embedding every "
                "sentence would take minutes)"
            )
            return None
    except ModelError as exc:  # a setting that names no GGUF
        streams.warn(f"{exc}; -i is searched for by its words only")
        return None
    return open_or_say(
        path,
        streams,
        serves="-i's passages found by meaning too",
        without="-i is searched for by its words only",
    )


def _by_meaning(
    embedder: Embedder, question: str, raw: Sequence[float], sentences: Sequence[str]
) -> list[float]:
    """BM25 `raw` blended with each sentence's cosine to the question (MEANING_SHARE),
    both as shares of the pool's best; a cosine at or below the pool's median counts 0."""
    from longcli.backends.embedding import cosines

    vectors = embedder.embed([question, *sentences])
    near = cosines(vectors[0], vectors[1:])
    top, floor = max(near), sorted(near)[len(near) // 2]
    meant = [max(0.0, (c - floor) / (top - floor)) if top > floor else 0.0 for c in near]
    best = max(raw, default=0.0)
    said = [x / best if best > 0 else 0.0 for x in raw]
    return [(1 - MEANING_SHARE) * w + MEANING_SHARE * m for w, m in zip(said, meant, strict=True)]


def chunk_pool(chunk: Chunk, focus: str | None, meaning: Embedder | None = None) -> Pool:
    """A chunk's readable sentences, each with its span of the source."""
    reading = fragments.read_chunk(chunk.text, chunk.start == 0)
    units = [u for u in reading.units if u.text]
    spans = [[Span(chunk.source, chunk.index, chunk.start + u.start, chunk.start + u.end)]
             for u in units]  # fmt: skip
    ratio = chunk.tokens / max(word_count(chunk.text), 1)
    shown = len(chunk.text) - chunk.text.count(" ")
    held = sum(len(u.text) for u in units)
    if held < NOISE_SHARE * shown:  # the chunk's tokens are mostly in no unit: count
        ratio *= held / max(shown, 1)  # the units' share, or no sentence ever fits
    groups = [LEAD_GROUP if u.lead else 0 for u in units]
    rough = frozenset(i for i, u in enumerate(units) if not u.readable)
    sections = [u.section for u in units]
    texts = [u.text for u in units]
    counts = name_counts(texts)
    return Pool(
        texts,
        spans,
        ratio,
        groups,
        focus,
        None,
        sections,
        rough,
        meaning,
        counts,
        chunk.closes,
        _one_each(reading.headings),
    )


def nodes_pool(nodes: Sequence[Node], focus: str | None, meaning: Embedder | None = None) -> Pool:
    """The sentences of the nodes of a level, in order: as chosen, where no model wrote
    the node, else as split from its text."""
    sentences: list[str] = []
    origins: Origins = []
    groups: list[int] = []
    sections: list[str] = []
    rough: set[int] = set()
    counts: Counter[str] | None = Counter()
    shown: list[str] = []  # the headings the nodes' texts show
    # a node's first sentences go on under the heading the node before ends under (not
    # that of its last chosen sentence: Ethan Frome's chapter III, met in the first node
    # of a merge, was put under II because no sentence of III was chosen before it)
    under = ""
    for g, node in enumerate(nodes):
        start = len(sentences)
        if node.units is not None:  # chosen without a model: its sentences as they were
            units = node.units
            shown.extend(units.headings)
            if counts is not None and units.names is not None:
                counts.update(units.names)
            else:  # a node whose text's names are not known: these sentences' own
                counts = None
            rough.update(len(sentences) + i for i in units.rough)
            sentences.extend(units.sentences)
            origins.extend(units.origins)
            groups.extend(LEAD_GROUP if x == LEAD_GROUP else g for x in units.groups)
            sections.extend(units.sections or [""] * len(units.sentences))
        else:
            found = [s.text for s in split_sentences(node.text)]
            counts = None
            sentences.extend(found)
            origins.extend(
                node.origins[i] if i < len(node.origins) else [] for i in range(len(found))
            )
            groups.extend([g] * len(found))
            sections.extend([""] * len(found))
        for i in range(start, len(sections)):
            sections[i] = sections[i] or under
            under = sections[i]
        under = (node.units.ends_under if node.units is not None else "") or under
    tokens = sum(n.tokens for n in nodes)
    ratio = tokens / max(sum(word_count(n.text) for n in nodes), 1)
    # a node that holds the text's ending (the last with prose: a list may follow it):
    # so does the merge (-i about the ending keeps its last sentence up the tree)
    closes = any(n.units is not None and n.units.closes for n in nodes)
    return Pool(
        sentences,
        origins,
        ratio,
        groups,
        focus,
        None,
        sections,
        frozenset(rough),
        meaning,
        counts,
        closes,
        _one_each(shown),
    )


def _one_each(headings: Sequence[str]) -> tuple[str, ...]:
    """`headings` in order, a heading repeated next to itself once (a node's text and
    the next may both show it); apart, twice ("Chapter I." of Part I and of Part II)."""
    return tuple(h for i, h in enumerate(headings) if h and (i == 0 or headings[i - 1] != h))
