"""Meaning: the place of a source that a sentence means, by a sentence-embedding model.

The support check's words (grounding/align.py) find a paraphrase only where it keeps the
source's words; most human summaries do not ("He saves Weena from drowning" for a page
that says "I caught the poor mite and drew her safe to land"). With the optional
embedding model (backends/embedding.py: all-MiniLM-L6-v2, the chat's), a sentence (or
one of its clauses) is placed at the source sentence nearest in meaning among those the
caller names (support.py: around the places holding some of its words), each source
passage embedded once, when first compared, and kept. Not the whole source: a 346 kB
novel's every passage took 4 minutes on two CPUs before the first sentence was judged.
The slots (names, numbers, negation, opposites, quantifiers, roles) are compared there as
they are at the place the words find: a model says which place, never whether a claim
holds.

What is embedded, measured on bench/contradictions.py's tune family and The Time Machine:
- of the source, each sentence with the one before and after it (PASSAGE): a summary's
  sentence says what a scene says over several ("He saves Weena from drowning" is four
  sentences of the river scene, none of which holds it alone);
- of the sentence, itself and itself without its names, their cosines averaged: MiniLM
  weighs names heavily, so with them alone a sentence goes where its names are most
  often ("Weena was gone"); without them alone it loses names that are its content
  ("the Time Machine", "the White Sphinx"). Without its names it also places "Bert
  repairs the ship" (written for "Kane repairs the ship") where the ship is repaired, and
  the name is then not beside its evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from longcli.text.names import mentions, normal_token
from longcli.text.vocabulary import words

PASSAGE = 1  # sentences either side of each source sentence embedded with it

if TYPE_CHECKING:
    import numpy as np

    from longcli.backends.embedding import Embedder


@dataclass(frozen=True)
class Place:
    """The source sentence nearest a text in meaning, and how near (a cosine)."""

    sentence: int
    cosine: float


class Meanings:
    """A source's sentences, each with its neighbours (PASSAGE), as unit vectors: each
    passage embedded once, when a text is first compared with it, and kept."""

    def __init__(self, embedder: Embedder, sentences: Sequence[str]) -> None:
        self.embedder = embedder
        self._passages = [
            " ".join(sentences[max(0, i - PASSAGE) : i + PASSAGE + 1])
            for i in range(len(sentences))
        ]
        self._kept: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._passages)

    def _matrix(self, among: Sequence[int]) -> np.ndarray:
        """The unit vectors of the passages `among`, one row each; those not yet embedded
        are, in one call."""
        import numpy as np  # only with the model: a run without one never loads it

        missing = [i for i in dict.fromkeys(among) if i not in self._kept]
        if missing:
            vectors = self.embedder.embed([self._passages[i] for i in missing])
            for i, vector in zip(missing, vectors, strict=True):
                self._kept[i] = np.asarray(vector, dtype=np.float64)
        return np.stack([self._kept[i] for i in among])

    def nearest(
        self, text: str, names: Sequence[str] = (), among: Sequence[int] | None = None
    ) -> Place | None:
        """The source sentence nearest `text` in meaning (see `closeness`); None for a
        source without sentences or a text without words."""
        near = self.closeness(text, names, among)
        if near is None:
            return None
        best = int(near.argmax())  # the first of equals: a verdict never depends on ties
        return Place(best, float(near[best]))

    def closeness(
        self, text: str, names: Sequence[str] = (), among: Sequence[int] | None = None
    ) -> np.ndarray | None:
        """Each source sentence's closeness to `text`: the mean of its passage's cosines
        with `text` and with `text` less its names (and `names`); only the sentences
        `among` are compared when given (the rest -1, the least a cosine can be: a novel's
        every passage embedded takes minutes). None for a source without sentences or a
        text without words."""
        import numpy as np

        rows = sorted(set(range(len(self._passages)) if among is None else among))
        if not words(text) or not rows:
            return None
        said = [text, without_names(text, names)]
        if not words(said[1]):
            said = said[:1]
        vectors = np.asarray(self.embedder.embed(said), dtype=np.float64)
        near = np.full(len(self._passages), -1.0)
        near[rows] = (self._matrix(rows) @ vectors.T).mean(axis=1)
        return near


def without_names(text: str, names: Sequence[str] = ()) -> str:
    """`text` without its names (those `mentions` finds, and `names`): what it says
    happens, not to whom."""
    drop = {w for m in [*mentions(text), *names] for w in words(normal_token(m))}
    if not drop:
        return text
    kept = [t for t in text.split() if not set(words(t)) & drop]
    return " ".join(kept)
