"""Cases new users' walks (48 and 49) tripped on: a later message telling of a thing only
as "it" ("I finally sold it on Saturday, ...") left the statement it stands for quoted
alone, as if it still held."""

from __future__ import annotations

from pathlib import Path

from longcli.chat.facts import Fact, stands_for, told_since
from longcli.chat.labels import label
from tests.chat.embedders import real_embedder, told
from tests.chat.test_family_a_misses import REAL, open_chat
from tests.support.fake_backend import Scripted

CAR = "I drive a dented green Citroën to work every day."
SOLD = "I finally sold it on Saturday, so I'm taking the bus now."
BANJO = (
    "Oh, and I picked up a secondhand banjo at a flea market, and my neighbour Casimir has "
    "been teaching me to play it on Thursday evenings."
)
GAVE_UP = (
    "Honestly I gave up on it after a month, my fingertips were killing me, so I sold it to "
    "a kid down the street."
)


def test_a_word_standing_for_a_thing_told_before():
    assert stands_for(SOLD)
    assert stands_for("I gave that up and went pescatarian.")
    assert stands_for("I sold the old one and bought a white Fiat.")
    assert stands_for("Honestly I gave up on it after a month")
    # ... not where the words before it name what it is, nor "it" as a subject or "that"
    # opening a clause
    assert not stands_for("Scratch what I said about the Peugeot, I sold it last week.")
    assert not stands_for("My neighbour Casimir has been teaching me to play it.")
    assert not stands_for("Is it true that my code is 4471?")
    assert not stands_for("I think that my sister moved.")
    assert not stands_for("It's raining again.")


@REAL
def test_what_became_of_a_thing_told_as_it_is_quoted_under_it(tmp_path: Path):
    """ "What car do I drive?" quoted the Citroën alone, though the next message sold it
    (walk 48): what the user told of it since is quoted under it."""
    chat, session = open_chat(tmp_path / "s", Scripted("OK.", "Noted.", "Hmm."), real_embedder())
    chat.ask("My sister Solveig moved up to Tampere last month.")
    chat.ask("I've started learning the accordion on Tuesday evenings, it's way harder.")
    chat.ask(CAR)
    chat.ask(SOLD)
    reply = chat.ask("What car do I drive?")
    assert reply.quoted == f"{label(2, CAR)}\n{label(3, SOLD)}"
    session.close()


@REAL
def test_it_stands_for_the_statement_closest_to_its_whole_message():
    """ "Honestly I gave up on it after a month" alone is no closer to the banjo than to
    the holiday; with the rest of its message ("my fingertips were killing me") it is
    (walk 49), and it stands for nothing said after it."""
    ledger = told(BANJO, "We booked our summer holiday in Dubrovnik for August.", GAVE_UP)
    banjo, holiday = ledger.facts[0], ledger.facts[2]
    news = told_since(real_embedder(), banjo, ledger.active())
    assert [f.text for f in news] == [
        "Honestly I gave up on it after a month",
        "my fingertips were killing me, so I sold it to a kid down the street.",
    ]
    assert told_since(real_embedder(), holiday, ledger.active()) == []
    # nor is it an update: whether what it tells ends the banjo is not read
    assert banjo.active


@REAL
def test_it_stands_for_nothing_far_from_it():
    """A message far from every statement (below REFERENT_MEANING) stands for none."""
    facts = [
        Fact(1, 1, "", "I live in Oslo.", "statement"),
        Fact(2, 2, "", "My locker code is 4471.", "statement"),
        Fact(3, 3, "", "I love it.", "statement"),
    ]
    assert all(told_since(real_embedder(), f, facts) == [] for f in facts[:2])


@REAL
def test_what_goes_on_takes_nothing_away():
    """ "I wash the car every sunday" took the place of "I drive a white Fiat." (0.35,
    as close as "we sold the car"), and "i love my job most days" that of "I work as a
    nurse.": family A's asides, told in the simple present, change nothing told before."""
    for statement, aside in (
        ("I drive a white Fiat.", "I wash the car every sunday"),
        ("I work as a nurse.", "i love my job most days"),
        ("I have a dog named Biscuit.", "I walk the dog every morning"),
    ):
        ledger = told(statement, aside)
        assert ledger.facts[0].active, aside
    # ... what happened does, and so does a change told in the present
    for statement, change in (
        ("I drive a white Fiat.", "I sold the car."),
        ("I have a dog named Biscuit.", "We gave the dog away last week."),
        ("I drive a white Fiat.", "I no longer have a car."),
    ):
        ledger = told(statement, change)
        assert not ledger.facts[0].active, change


@REAL
def test_a_change_the_ledger_did_not_read_as_an_update_is_quoted_under_it(tmp_path: Path):
    """Two jobs are far apart in meaning (0.30): "These days I retrained, I'm a plumber."
    never replaced "I work as a dentist.", and "What is my job?" quoted the dentist alone;
    the change is quoted under it now. One naming another thing of the user's is not
    ("Update: my dentist is Dr Lindqvist now." under "I'm based in Montreal.")."""
    ledger = told(
        "I work as a dentist.", "I live in Leeds.", "These days I retrained, I'm a plumber."
    )
    dentist = ledger.facts[0]
    assert dentist.active
    assert [f.text for f in told_since(real_embedder(), dentist, ledger.active())] == [
        "These days I retrained, I'm a plumber."
    ]
    ledger = told("I'm based in Montreal.", "Update: my dentist is Dr Lindqvist now.")
    assert told_since(real_embedder(), ledger.facts[0], ledger.active()) == []


PHILIPPA = (
    "So my sister Philippa just moved to Ljubljana for a teaching job, she seems to love it so far."
)
IGNORE = (
    "Ignore what I told you about Philippa and Ljubljana, that job fell through and she's "
    "staying put in Kraków after all."
)


@REAL
def test_taking_back_what_was_said_tells_a_change(tmp_path: Path):
    """ "Ignore what I told you about Philippa and Ljubljana, ..." named no change a word
    of CHANGE_HINT knew: the move to Ljubljana stayed current, and "Where does my sister
    live?" quoted it (walk 50). Asked of Philippa, the quote stopped at the first clause,
    without "she's staying put in Kraków after all.": the clause going on about whom the
    first names is quoted too."""
    chat, session = open_chat(tmp_path / "s", Scripted("OK.", "Noted.", "Hmm."), real_embedder())
    chat.ask(PHILIPPA)
    chat.ask("We've got a grumpy old cat called Dumpling who hides under the bed.")
    chat.ask(IGNORE)
    first, second = IGNORE.split(" and she's")
    shown = f"{label(2, first)}\n{label(2, 'she' + chr(39) + 's' + second)}"
    assert chat.ask("Where does Philippa live now?").quoted == shown
    assert chat.ask("Where does my sister live?").quoted == shown
    session.close()


@REAL
def test_a_question_naming_a_relative_beside_me_quotes_what_was_said_of_them(tmp_path: Path):
    """ "Who is older, me or Cosmo?" asks of the user too, and a statement about a relative
    answers no question about the user ("my brother ... is a nurse" for "what do I do?"):
    no quote was shown for it (walk 50). Named in the question, the relative's statement
    is what it asks."""
    cosmo = "My brother Cosmo is three years older than me, though everyone assumes he's younger."
    chat, session = open_chat(tmp_path / "s", Scripted("OK.", "Noted.", "Hmm."), real_embedder())
    chat.ask("I work as a pharmacist in Graz.")
    chat.ask(cosmo)
    assert chat.ask("Who is older, me or Cosmo?").quoted == label(1, cosmo)
    assert chat.ask("What do I do for a living?").quoted != label(1, cosmo)
    session.close()


@REAL
def test_a_correction_naming_whom_it_speaks_of_replaces_what_it_corrects():
    """ "Oh and I got Noodle's age wrong, she's actually ten, not nine." took the place of
    "I've got a whippet called Noodle", which only gave the name, not of "she turned nine
    back in May." (walk 51: "how old is she?" quoted the nine)."""
    ledger = told(
        "I've got a whippet called Noodle, and she turned nine back in May.",
        "My sister Wilhelmina moved out to Szeged last autumn.",
        "Oh and I got Noodle's age wrong, she's actually ten, not nine.",
    )
    name, age, correction = ledger.facts[0], ledger.facts[1], ledger.facts[-1]
    assert name.active
    assert age.replaced_by == correction.id


@REAL
def test_a_question_naming_someone_quotes_what_was_said_of_them_whatever_kin_it_asks(
    tmp_path: Path,
):
    """ "Who's older, Osric or my sistr?" quoted nothing: "My brother Osric is three years
    older than Wilhelmina." speaks of a brother, and the question of a sister (walk 51)."""
    osric = "My brother Osric is three years older than Wilhelmina."
    chat, session = open_chat(tmp_path / "s", Scripted("OK.", "Noted.", "Hmm."), real_embedder())
    chat.ask("My sister Wilhelmina moved out to Szeged last autumn for a job.")
    chat.ask(osric)
    assert label(1, osric) in chat.ask("Who's older, Osric or my sistr?").quoted
    session.close()


@REAL
def test_a_statement_opening_on_another_named_person_is_no_update_of_the_first():
    """ "My best mate Tobias lives just two streets away from my sister." shares "my
    sister" and "lives" with "My sister Ottilie lives in Bruges", and took its place:
    "Ottilie packed up and moved to Lyon" then updated nothing (walk 52)."""
    ledger = told(
        "My sister Ottilie lives in Bruges, and she makes a living as a glassblower there.",
        "My best mate Tobias lives just two streets away from my sister.",
        "Ottilie packed up and moved to Lyon last month, so she's not in Bruges any more.",
    )
    bruges, tobias, lyon = ledger.facts[0], ledger.facts[2], ledger.facts[3]
    assert tobias.active and tobias.kind == "statement"
    assert bruges.replaced_by == lyon.id
