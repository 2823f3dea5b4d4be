"""A sentence whose content words are mostly in another kept sentence is a repeat to a reader,
though as vectors the two are not alike (the longer one says more): extraction keeps one."""

from __future__ import annotations

import pytest

from longcli.text import keysentences
from longcli.text.keysentences import score_sentences, select, spread
from longcli.text.vocabulary import word_count
from tests.support.vectors import sentence_cosine

# 0 and 1: the second tells again, in fewer words, what the first says (issue 31's "three
# near-identical sentences"); the rest is the story around them.
STORY = [
    "It attracted Mr. Lorry's eyes to Carton's face, which was turned to the fire all evening.",
    "Mr. Lorry's eyes were again attracted to Carton's face.",
    "Lucie Manette crossed the Channel to find her father in Paris.",
    "Madame Defarge knitted the names of the condemned into her register.",
    "Charles Darnay was tried at the Old Bailey and acquitted of treason.",
    "Sydney Carton went to the guillotine in the place of Charles Darnay.",
    "Jerry Cruncher dug up coffins at night and called it honest trade.",
]


def test_the_repeat_is_not_a_near_duplicate_as_vectors() -> None:
    assert sentence_cosine(STORY[0], STORY[1]) < keysentences.NEAR_DUPLICATE


def test_select_never_keeps_a_sentence_and_its_shorter_repeat() -> None:
    for budget in range(30, 90, 6):
        assert not {0, 1} <= set(select(STORY, budget, word_count)), budget


@pytest.mark.parametrize("overshoot", [0.0, 0.1])
def test_spread_never_keeps_a_sentence_and_its_shorter_repeat(overshoot: float) -> None:
    positions = [i / len(STORY) for i in range(len(STORY))]
    scored = score_sentences(STORY, main_names=True)
    for budget in range(30, 90, 6):
        picked = spread(STORY, budget, word_count, scored, positions, overshoot=overshoot)
        assert not {0, 1} <= set(picked), budget


def test_without_the_rule_both_were_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the rule prevents (the code before it)."""
    monkeypatch.setattr(keysentences, "CONTAINED_SHARE", 2.0)
    assert any({0, 1} <= set(select(STORY, budget, word_count)) for budget in range(30, 90, 6))


def test_short_sentences_sharing_a_name_are_not_repeats() -> None:
    """Two or fewer content words in common say different things: both may stay."""
    story = ["Lorry slept.", "Lorry woke.", "The storm broke the mast of the Petrel at dawn."]
    assert {0, 1} <= set(select(story, 40, word_count))
