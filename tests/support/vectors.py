"""The cosine keysentences.py compares two sentences by: its near-duplicate rule's measure."""

from __future__ import annotations

from longcli.text import keysentences
from longcli.text.keysentences import score_sentences


def sentence_cosine(a: str, b: str) -> float:
    """The cosine of `a` and `b` as key-sentence vectors of a pool holding just them."""
    va, vb = (s.vector for s in score_sentences([a, b]))
    return keysentences._dot(va, vb)
