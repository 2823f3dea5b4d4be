"""Issue 30, a new user's walk through the fact ledger: small talk is never a fact and never
takes a fact's place; a message of two facts keeps both when one is changed."""

from __future__ import annotations

import pytest

from longcli.chat.facts import Ledger
from longcli.chat.statements import statements
from tests.chat.embedders import REAL_MODEL, real_embedder

REAL = pytest.mark.skipif(REAL_MODEL is None, reason="no embedding model here")


@pytest.mark.parametrize("message", ["Hi there.", "Funny thing", "Ugh, long day.", "Good morning!"])
def test_small_talk_is_not_a_fact(message: str):
    assert statements(message) == []


def test_a_short_statement_about_the_user_is_kept():
    assert statements("Allergic to nuts.") == ["Allergic to nuts."]
    assert statements("I'm vegan.") == ["I'm vegan."]
    assert statements("Grading forty lab reports.") == ["Grading forty lab reports."]


@REAL
def test_a_short_clause_about_the_person_just_named_is_kept():
    # a new user's walk: "she teaches maths." was dropped as small talk (three words)
    said = statements("My sister Priya lives in Bristol and she teaches maths.")
    assert said == ["My sister Priya lives in Bristol", "she teaches maths."]


def test_funny_thing_never_replaces_the_tea_the_switch_does():
    ledger = Ledger()
    tea = "I'd always pick tea over coffee, strong with a splash of milk."
    ledger.add_message(tea, 0, real_embedder())
    ledger.add_message(
        "Funny thing, I've switched to coffee now, tea just doesn't do it.", 1, real_embedder()
    )
    assert not any(f.text == "Funny thing" for f in ledger.facts)
    tea = ledger.facts[0]
    assert tea.replaced_by is not None
    assert ledger.facts[tea.replaced_by - 1].text.startswith("I've switched to coffee")


def test_a_name_said_with_a_job_outlives_the_job():
    ledger = Ledger()
    ledger.add_message("Hi there. I'm Marek and I work as a pharmacist at a hospital in Graz.", 0)
    ledger.add_message("I quit the hospital pharmacy, these days I teach chemistry.", 1)
    assert "I'm Marek" in [f.text for f in ledger.active()]


@REAL
@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("I keep forgetting to water the plants.", "The kettle broke this morning, what a start."),
        ("I'm vegan.", "Keep in mind I react badly to peanuts."),
        ("Keep in mind I react badly to shellfish.", "I watched a documentary about octopuses."),
        ("I live in Leeds.", "I was born on March 3."),
        ("Mein Bruder Jonas wohnt seit drei Jahren in Hamburg.", "Je joue du violoncelle."),
        ("Merk dir: mein Hund heißt Bello.", "J'habite à Nantes."),
    ],
)
def test_small_talk_never_replaces_a_fact_with_the_real_model(older: str, newer: str):
    ledger = Ledger()
    ledger.add_message(older, 0, real_embedder())
    ledger.add_message(newer, 1, real_embedder())
    assert [f.text for f in ledger.active()][0] == older


@REAL
def test_the_car_sold_still_replaces_the_car_driven_with_the_real_model():
    ledger = Ledger()
    ledger.add_message("I drive a blue Honda Civic.", 0, real_embedder())
    ledger.add_message("I sold the car.", 1, real_embedder())
    assert [f.text for f in ledger.active()] == ["I sold the car."]
