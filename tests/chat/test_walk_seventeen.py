"""Cases two new users' walks (45 and 46) tripped on, each a test of its own: a change told
of a thing the clause only calls "it", an update calling the thing by another name ("my
slot" for the lesson), and "every" read as part of a thing's name."""

from __future__ import annotations

from pathlib import Path

from longcli.chat.facts import Fact
from longcli.chat.labels import label
from longcli.chat.questions import answer_states
from longcli.chat.statements import things
from tests.chat.embedders import real_embedder, told
from tests.chat.test_family_a_misses import REAL, open_chat
from tests.support.fake_backend import Scripted

PEUGEOT = "I still drive the old Peugeot I bought off a neighbour back in 2017."
SOLD = (
    "Oh, scratch what I said about the Peugeot, I sold it last week and now I get around "
    "in a secondhand Renault."
)
LESSON = "I have a lesson every Thursday evening."
SLOT = "My teacher had to move my slot, so it's Tuesday mornings from now on."


def test_every_is_no_word_of_a_things_name():
    """ "a lesson every Thursday evening" is the lesson: "every" made it another thing than
    the "cello lesson" asked about, and no statement was quoted (walk 45)."""
    assert {t.words for t in things(LESSON)} == {("lesson",)}


@REAL
def test_a_change_of_what_a_clause_calls_it_is_read_with_its_sentence():
    """The clause "I sold it last week and now I get around in a secondhand Renault."
    shares no word with the Peugeot statement; its sentence names the Peugeot (walk 46)."""
    ledger = told("My sister Rosalind lives up in Trondheim.", PEUGEOT, SOLD)
    old = next(f for f in ledger.facts if f.text == PEUGEOT)
    new = next(f for f in ledger.facts if "Renault" in f.text)
    assert old.replaced_by == new.id
    sister = next(f for f in ledger.facts if "Rosalind" in f.text)
    assert sister.active


@REAL
def test_a_clause_calling_its_thing_it_without_a_change_replaces_nothing():
    ledger = told(PEUGEOT, "Oh, about the Peugeot, I washed it last week.")
    assert next(f for f in ledger.facts if f.text == PEUGEOT).active


@REAL
def test_an_update_calling_the_thing_by_another_name_replaces_it(tmp_path: Path):
    """ "my slot" is the lesson: unrelated names (0.24), close statements (0.56), a change
    told; and the question about the lesson quotes the update (walk 45: no quote)."""
    chat, session = open_chat(tmp_path / "s", Scripted("OK.", "Noted.", "Hmm."), real_embedder())
    chat.ask(f"I've been learning the cello since January, {LESSON[0].lower()}{LESSON[1:]}")
    chat.ask(SLOT)
    reply = chat.ask("When is my cello lesson?")
    assert reply.quoted == label(1, SLOT)
    session.close()


@REAL
def test_a_counterpart_is_not_called_by_another_name():
    """ "my brother's job" is no other name of "my sister's job", changed or not."""
    ledger = told("My sister works as a nurse in Leeds.", "My brother is a plumber now.")
    assert all(f.active for f in ledger.facts)


@REAL
def test_taking_back_what_was_said_is_no_statement_of_the_speakers():
    """ "Scratch what I said about Dundee, Cordelia ended up taking a job in Inverness
    instead." is about Cordelia: its "I said" read it as the speaker's own, never a new
    home of "My sister Cordelia ..." (walk 47: both quoted for "Where does my sister live
    now?")."""
    dundee = "My sister Cordelia just moved up to Dundee, she got a job at the aquarium there."
    inverness = (
        "Scratch what I said about Dundee, Cordelia ended up taking a job in Inverness instead."
    )
    ledger = told(dundee, "My brother Lysander is four years older than Cordelia.", inverness)
    old = next(f for f in ledger.facts if f.text == dundee)
    assert old.replaced_by == next(f for f in ledger.facts if f.text == inverness).id
    # ... after a word before it too (walk 49)
    antwerp = "So my sister Henrietta finally moved to Antwerp last spring."
    rotterdam = (
        "Actually, scratch what I said about Antwerp, the flat there fell through and "
        "Henrietta ended up in Rotterdam instead."
    )
    ledger = told(antwerp, "I turned 31 last month.", rotterdam)
    assert ledger.facts[0].replaced_by == ledger.facts[-1].id


def test_the_kin_word_of_someone_the_question_names_gives_no_answer():
    """ "You're the one who wrote "I'm telling you, I have a brother Emeric."" said nothing
    of the three years, and the quote of "My brother Emeric is three years older than me."
    was left out for it (walk 48)."""
    fact = Fact(1, 1, "", "My brother Emeric is three years older than me.", "statement")
    asked = "Is Emeric older or younger than me?"
    reply = "You're the one who wrote \"I'm telling you, I have a brother Emeric.\""
    assert not answer_states(reply, fact, asked)
    assert answer_states("He is three years older than you.", fact, asked)
