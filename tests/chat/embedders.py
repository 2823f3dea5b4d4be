"""Embedders for chat tests: a deterministic fake whose meanings a test declares, and the
real embedding model when this machine has one (tests using it are skipped otherwise)."""

from __future__ import annotations

import functools
import zlib
from collections.abc import Sequence
from pathlib import Path

from longcli.backends.embedding import Embedder, Vector, find_embedding_model, open_embedder, unit
from longcli.chat.facts import Ledger

DIMENSIONS = 64


class FakeEmbedder:
    """Texts that hold a word of the same topic point the same way: `topics` maps a topic
    to its words ("flight": "flight fly plane"). A text with none gets a direction of its
    own (from a hash of it), so it is close to nothing else. Counts the texts it embeds."""

    def __init__(self, topics: dict[str, str]) -> None:
        self.topics = {name: words.split() for name, words in topics.items()}
        self.embedded: list[str] = []

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        self.embedded += texts
        return [self._vector(t) for t in texts]

    def _vector(self, text: str) -> Vector:
        low = text.lower()
        vector = [0.0] * DIMENSIONS
        for i, words in enumerate(self.topics.values()):
            if any(w in low for w in words):
                vector[i] = 1.0
        if not any(vector):
            vector[
                len(self.topics) + zlib.crc32(low.encode()) % (DIMENSIONS - len(self.topics))
            ] = 1
        return unit(vector)


# Found at import, before the tests point the data dir at a temporary one: the model
# `python bench/fetch_embedding_model.py` wrote for this user, if any.
REAL_MODEL: Path | None = find_embedding_model(None)


@functools.cache
def real_embedder() -> Embedder:
    assert REAL_MODEL is not None
    return open_embedder(REAL_MODEL)


def told(*messages: str) -> Ledger:
    """A ledger of `messages`, one a turn from turn 1, read with the real embedding model."""
    ledger = Ledger()
    for turn, message in enumerate(messages, 1):
        ledger.add_message(message, turn, real_embedder())
    return ledger
