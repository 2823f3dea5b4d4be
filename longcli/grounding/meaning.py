"""Meaning: the place of a source that a sentence means, by a sentence-embedding model.

The support check's words (grounding/align.py) find a paraphrase only where it keeps the
source's words; most human summaries do not ("He saves Weena from drowning" for a page
that says "I caught the poor mite and drew her safe to land"). With the optional
embedding model (backends/embedding.py: all-MiniLM-L6-v2, the chat's), every source
sentence is embedded once, in one batch, the first time a sentence is checked against it;
a sentence (or one of its clauses) is then placed at the source sentence nearest in
meaning. The slots (names, numbers, negation, opposites, quantifiers, roles)
are compared there as they are at the place the words find: a model says which place,
never whether a claim holds.

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
    """A source's sentences, each with its neighbours (PASSAGE), as unit vectors: embedded
    once, lazily, in one batch."""

    def __init__(self, embedder: Embedder, sentences: Sequence[str]) -> None:
        self.embedder = embedder
        self._passages = [
            " ".join(sentences[max(0, i - PASSAGE) : i + PASSAGE + 1])
            for i in range(len(sentences))
        ]
        self._matrix: np.ndarray | None = None

    def _vectors(self) -> np.ndarray:
        import numpy as np  # only with the model: a run without one never loads it

        if self._matrix is None:
            if not self._passages:  # a source whose every line was boilerplate
                self._matrix = np.zeros((0, 0))
            else:
                vectors = self.embedder.embed(self._passages)
                self._matrix = np.asarray(vectors, dtype=np.float64).reshape(len(vectors), -1)
        return self._matrix

    def nearest(self, text: str, names: Sequence[str] = ()) -> Place | None:
        """The source sentence nearest `text` in meaning (see `closeness`); None for a
        source without sentences or a text without words."""
        near = self.closeness(text, names)
        if near is None:
            return None
        best = int(near.argmax())  # the first of equals: a verdict never depends on ties
        return Place(best, float(near[best]))

    def closeness(self, text: str, names: Sequence[str] = ()) -> np.ndarray | None:
        """Each source sentence's closeness to `text`: the mean of its passage's cosines
        with `text` and with `text` less its names (and `names`); None for a source
        without sentences or a text without words."""
        import numpy as np

        matrix = self._vectors()
        if not words(text) or matrix.shape[0] == 0:
            return None
        said = [text, without_names(text, names)]
        if not words(said[1]):
            said = said[:1]
        vectors = np.asarray(self.embedder.embed(said), dtype=np.float64)
        return (matrix @ vectors.T).mean(axis=1)


def without_names(text: str, names: Sequence[str] = ()) -> str:
    """`text` without its names (those `mentions` finds, and `names`): what it says
    happens, not to whom."""
    drop = {w for m in [*mentions(text), *names] for w in words(normal_token(m))}
    if not drop:
        return text
    kept = [t for t in text.split() if not set(words(t)) & drop]
    return " ".join(kept)
