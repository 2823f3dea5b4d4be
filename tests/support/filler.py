"""Quiet sentences that share no content word with a test's story: they put distance
between two places of a source without saying anything a summary sentence could match."""

from __future__ import annotations

_SCENES = [
    ("cart", "mill", "morning"),
    ("boat", "quay", "evening"),
    ("lamp", "gate", "night"),
    ("bell", "chapel", "noon"),
    ("fence", "field", "rain"),
    ("well", "square", "heat"),
    ("barn", "hill", "fog"),
    ("bridge", "river", "dusk"),
]


def filler(sentences: int) -> str:
    """The first `sentences` quiet sentences (at most 8), joined by spaces."""
    return " ".join(
        f"The {thing} by the {place} stood quiet in the {time}."
        for thing, place, time in _SCENES[:sentences]
    )
