"""Two "I ..." statements with different verbs are two matters unless the newer says it
changes something, and then only by a shared thing, not one's verb (issue 30 review)."""

from __future__ import annotations

import pytest

from longcli.chat.facts import Ledger

PAIRS = [
    (
        "I work at the children's hospital in Leeds.",
        "I live near the children's hospital in Leeds.",
    ),
    ("I walk the dog in the park every morning.", "I run in the park every morning."),
    ("I drive a bus to work.", "I hate the bus to work."),
    ("Hi! I'm Marta and I live in Leipzig.", "I sold the Skoda, I bike to work now."),
    ("I work as a nurse.", "I bike to work now."),
]


@pytest.mark.parametrize(("older", "newer"), PAIRS)
def test_unrelated_i_statements_do_not_replace_each_other(older: str, newer: str) -> None:
    ledger = Ledger()
    ledger.add_message(older, 0)
    ledger.add_message(newer, 1)
    assert all(f.active for f in ledger.facts if f.turn == 0), [
        (f.text, f.replaced_by) for f in ledger.facts
    ]


def test_a_hinted_change_of_doing_still_replaces() -> None:
    ledger = Ledger()
    ledger.add_message("I work as a pharmacist at a hospital in Graz.", 0)
    ledger.add_message("I quit the hospital pharmacy, these days I teach chemistry.", 1)
    assert not [f for f in ledger.facts if f.turn == 0 and f.active]
