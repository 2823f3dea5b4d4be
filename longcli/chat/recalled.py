"""What a message recalls: document passages and folded exchanges, ranked by BM25 and cut
to their share of the prompt around the sentences that match best."""

from __future__ import annotations

import math
from dataclasses import dataclass

from longcli.backends.base import Backend
from longcli.chat.exchange import Exchange
from longcli.chat.prompt import turn_label
from longcli.chat.recall import BM25
from longcli.chat.session import Passage
from longcli.grounding.ask import truncate_to_tokens
from longcli.text.sentences import split_sentences
from longcli.text.terms import recall_terms
from longcli.text.vocabulary import LETTERS

RECALL_CANDIDATES = 6


@dataclass(frozen=True)
class Recalled:
    """One recalled entry as the model is shown it: "[label] text"."""

    text: str
    turn: int | None = None  # the folded exchange it is (journal index); None: a document's

    @property
    def from_document(self) -> bool:
        return self.turn is None


def passage_entry(passage: Passage) -> Recalled:
    return Recalled(f"{passage.label()} {passage.text}")


def exchange_entry(exchange: Exchange) -> Recalled:
    return Recalled(f"{turn_label(exchange.n)} {exchange.as_text()}", exchange.n)


class RecallIndex:
    """The index over document passages and folded exchanges, extended as turns fold."""

    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages
        # (entries, their index, exchanges indexed so far); built on first use
        self._built: tuple[list[Recalled], BM25, int] | None = None

    def replace_passages(self, passages: list[Passage]) -> None:
        self.passages = passages
        self._built = None

    def ranked(
        self, query: str, exchanges: list[Exchange], folded: int, skip_turns: frozenset[int]
    ) -> list[Recalled]:
        """The RECALL_CANDIDATES entries best matching `query`, whole, best first: document
        passages and the first `folded` exchanges, less those of `skip_turns`."""
        entries, index = self._extended(exchanges, folded)
        if not entries:
            return []
        scores = index.scores(query, fuzzy=True)
        best = sorted(
            (i for i in scores if entries[i].turn not in skip_turns),
            key=lambda i: (-scores[i], i),
        )[:RECALL_CANDIDATES]
        return [entries[i] for i in best]

    def _extended(self, exchanges: list[Exchange], folded: int) -> tuple[list[Recalled], BM25]:
        if self._built is None:
            entries = [passage_entry(p) for p in self.passages]
            self._built = (entries, BM25([e.text for e in entries]), 0)
        entries, index, done = self._built
        for exchange in exchanges[done:folded]:
            entries.append(exchange_entry(exchange))
            index.add(entries[-1].text)
        self._built = (entries, index, max(done, folded))
        return entries, index


def focus(backend: Backend, passage: str, query: str, limit: int) -> str:
    """`passage` ("[label] text") within `limit` tokens: whole if it fits, else its label
    and the run of sentences around the one sharing most terms with `query`, marked cut
    with "…" where text was left out. (A prefix would lose a fact said late in a long
    passage.)"""
    if backend.count_tokens(passage) <= limit:
        return passage
    label, sep, body = passage.partition("] ")
    if not sep:
        label, body = "", passage
    head = f"{label}{sep}"
    spans = split_sentences(body)
    sentences = [s.text for s in spans]
    if len(sentences) < 2:
        return truncate_to_tokens(backend, passage, limit)
    wanted = answer_terms(query)
    bags = [wanted & answer_terms(s) for s in sentences]
    weight = rarity(bags)
    overlap = [sum(weight[t] for t in bag) for bag in bags]
    lo = hi = overlap.index(max(overlap))

    def shown(first: int, last: int) -> str:
        before = "… " if first > 0 else ""
        after = " …" if last < len(sentences) - 1 else ""
        # the text as it stands, line breaks kept: a heading stays apart from its paragraph
        return head + before + body[spans[first].start : spans[last].end] + after

    grew = True
    while grew:  # add the next sentence, then the one before, while they fit
        grew = False
        if hi + 1 < len(sentences) and backend.count_tokens(shown(lo, hi + 1)) <= limit:
            hi, grew = hi + 1, True
        if lo > 0 and backend.count_tokens(shown(lo - 1, hi)) <= limit:
            lo, grew = lo - 1, True
    text = shown(lo, hi)
    return text if backend.count_tokens(text) <= limit else truncate_to_tokens(backend, text, limit)


# Words that stop lists drop but a question about a document turns on ("who voted
# *against*", "where is the builder *from*"): matched as they are. English hints.
_RELATIONS = frozenset("against before after between under above below without from".split())


def answer_terms(text: str) -> set[str]:
    """The recall terms of `text`, plus the relation words it holds (see _RELATIONS)."""
    words = set(LETTERS.findall(text.lower()))
    return set(recall_terms(text)) | (words & _RELATIONS)


def rarity(bags: list[set[str]]) -> dict[str, float]:
    """A weight per term by how few of `bags` hold it: the squared inverse document
    frequency, so that the question's rarest word ("cost") outweighs two common ones
    ("bike lanes", in every sentence of an article on bike lanes)."""
    count: dict[str, int] = {}
    for bag in bags:
        for term in bag:
            count[term] = count.get(term, 0) + 1
    return {t: math.log(1 + len(bags) / n) ** 2 for t, n in count.items()}
