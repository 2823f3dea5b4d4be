"""A summary of a long work is not one sentence after another about the same person: a
sentence whose main names are already in most kept sentences loses to one about someone
else (issue 31: twenty sentences about "князь Андрей", Natasha never named)."""

from __future__ import annotations

import pytest

from longcli.text import keysentences
from longcli.text.keysentences import score_sentences, select, spread
from longcli.text.vocabulary import word_count

STORY = [
    "Prince Andrei rode along the road to the regiment at the front in the morning.",
    "Prince Andrei looked at the sky above the field of the battle at Austerlitz.",
    "Prince Andrei came back to the estate at Bald Hills to his father and his sister.",
    "Prince Andrei spoke to his father about the war and the army and the regiment.",
    "Prince Andrei rode through the wood and saw the old oak on the road in spring.",
    "Prince Andrei went to the ball and danced with a girl at the ball in the evening.",
    "Natasha Rostova sang at the house of her family and Pierre listened to her song.",
    "Pierre Bezukhov married Helene and lived with her in the house in the city.",
    "Natasha Rostova danced with Prince Andrei at her first ball in the city.",
]
MENTIONS = ("Andrei", "Natasha", "Pierre")


def _named(picked: list[int]) -> set[str]:
    return {name for i in picked for name in MENTIONS if name in STORY[i]}


def test_select_names_more_than_the_most_frequent_one() -> None:
    scored = score_sentences(STORY, main_names=True)
    assert _named(select(STORY, 60, word_count, scored)) >= {"Andrei", "Natasha", "Pierre"}


@pytest.mark.parametrize("overshoot", [0.0, 0.1])
def test_spread_names_more_than_the_most_frequent_one(overshoot: float) -> None:
    scored = score_sentences(STORY, main_names=True)
    positions = [i / len(STORY) for i in range(len(STORY))]
    picked = spread(STORY, 60, word_count, scored, positions, overshoot=overshoot)
    assert _named(picked) >= {"Andrei", "Natasha", "Pierre"}


def test_without_the_rule_the_most_frequent_name_filled_the_summary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(keysentences, "NAME_SATURATION", 0.0)
    scored = score_sentences(STORY, main_names=True)
    assert "Pierre" not in _named(select(STORY, 60, word_count, scored))


def test_sentences_without_main_names_are_not_penalised() -> None:
    scored = score_sentences(["The rain fell on the field.", "The wind rose."], main_names=True)
    likeness = keysentences._Likeness()
    likeness.add(scored[0])
    assert likeness.saturation(scored[1]) == 0.0
