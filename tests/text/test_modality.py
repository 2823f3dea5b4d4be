"""text/modality.py: what a sentence only wishes, hopes for or plans."""

import pytest

from longcli.text.modality import only_intended


@pytest.mark.parametrize(
    "sentence",
    [
        "In April I'm planning a trip to Sicily.",
        "I plan to move to Oslo next year.",
        "I'd like to move to Vienna one day.",
        "I'm thinking of selling the car.",
        "I wish John would take me away from here!",
        "We hope to adopt a dog.",
        "Maybe I'll become a teacher.",
    ],
)
def test_a_wish_or_a_plan_is_only_intended(sentence):
    assert only_intended(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "I live in Ljubljana.",
        "I fly out to Oslo on Monday at 9:15.",
        "I'll be in Bergen from next week.",
        "I work in urban planning.",
        "We moved to Bergen last weekend.",
    ],
)
def test_what_is_or_will_be_is_not_only_intended(sentence):
    assert not only_intended(sentence)
