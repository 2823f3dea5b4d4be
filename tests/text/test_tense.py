"""What goes on (the simple present) and what happened, by LemmInflect's forms."""

from __future__ import annotations

import pytest

from longcli.text.tense import simple_present


@pytest.mark.parametrize(
    "sentence",
    [
        "I wash the car every sunday",
        "i love my job most days",
        "I still drive the old Peugeot",
        "We usually walk the dog at six.",
    ],
)
def test_what_goes_on(sentence: str):
    assert simple_present(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "I sold the car.",
        "We gave the dog away last week.",
        "sadly we had to rehome pierogi",
        "I've sold it",
        "I'm vegan",
        "I don't have the car anymore",
        # a form that may be a past one too, and a word the lexicon does not know
        "I quit my job",
        "on sundays i just read and bake",
        "we rehomed him",
        # no speaker
        "The car needs new tyres.",
    ],
)
def test_what_happened_or_cannot_be_told(sentence: str):
    assert not simple_present(sentence)
