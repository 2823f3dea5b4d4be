"""Cases the generated bench's family A (issue 30) tripped on in the sixteenth session, on
seeds never run before (47-51), each a test of its own: an aside about someone else's
parents taken as news of the user's sister, a title taken for the answer, misspelt words
on both sides, a lead before the speaker, a value opening a second clause, a name the
update of its statement left out, a word of the question in another use, a newer doing
moved before a value, an update seen only at the question, and "they" about the user's
own trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from longcli.chat.facts import Fact
from longcli.chat.labels import label
from longcli.chat.meaning import speaks_of_another
from longcli.chat.questions import answer_states
from longcli.chat.statements import statements
from tests.chat.embedders import real_embedder, told
from tests.chat.test_family_a_misses import REAL, open_chat
from tests.support.fake_backend import Scripted


def _fact(text: str) -> Fact:
    return Fact(1, 1, "", text, "statement")


@REAL
def test_an_aside_about_their_parents_is_no_news_of_the_users_sister():
    """ "we visit them at christmas" (of "her parents live out in Groningen, ...") took the
    place of "my little sisetr Ines is visiting." by meaning: "little" stood between "my"
    and the (misspelt) kin, so the sister read as no one's."""
    ledger = told(
        "I work as a plumber and my little sisetr Ines is visiting.",
        "her parents live out in Groningen, we visit them at christmas",
    )
    sister = next(f for f in ledger.facts if "Ines" in f.text)
    assert sister.active


def test_a_title_alone_does_not_give_the_name():
    fact = _fact("From today my landlord is Mrs Petrov.")
    assert not answer_states("My landlord? you own today Mrs English.", fact, "whats my landlord?")
    assert answer_states("Your landlord is Mrs Petrov.", fact, "whats my landlord?")


def test_misspelt_words_on_both_sides_still_point_at_the_value():
    """ "favoruite colour" asks what "favourite coluor" says: the value after them, not
    the "fyi" before them, answers it."""
    fact = _fact("fyi my favourite coluor is mustard")
    asked = "whats my favoruite colour?"
    assert not answer_states("My favoruite told my fyi is", fact, asked)
    assert answer_states("It is mustard.", fact, asked)
    allergy = _fact("I'm allregic to penicillin.")
    asked = "what cant i have bceause of allergies?"
    assert not answer_states("My i allergies? you own allregic in", allergy, asked)
    assert answer_states("Penicillin.", allergy, asked)


def test_the_lead_before_the_speaker_is_no_answer():
    fact = _fact("Starting this week I am vegan.")
    assert not answer_states("My I told my Starting am had Answer", fact, "What do I eat?")
    assert answer_states("You are vegan.", fact, "What do I eat?")
    # a lead that speaks of the speaker is what the statement says
    peanuts = _fact("peanuts make me sick, I'm allergic")
    assert answer_states("Peanuts.", peanuts, "What can't I eat?")


def test_a_clause_opening_with_its_value_is_a_statement_of_its_own():
    assert statements(
        "Note this down: my favourite film is Paterson and July 19 is my birthday."
    ) == ["Note this down: my favourite film is Paterson", "July 19 is my birthday."]
    assert statements("I live in Porto and 4471 is my locker code.") == [
        "I live in Porto",
        "4471 is my locker code.",
    ]
    assert statements("I like tea and coffee is fine too.") == [
        "I like tea and coffee is fine too."
    ]


@REAL
def test_a_name_its_update_left_out_is_quoted_with_the_update(tmp_path: Path):
    """ "our dogs birthday is in May" took the place of "Our dog Juno is three years old."
    (an age, one matter by meaning); asked the dog's name, the quote was the birthday."""
    chat, session = open_chat(tmp_path / "s", Scripted("OK.", "Noted.", "Hmm."), real_embedder())
    chat.ask("Our dog Juno is three years old.")
    chat.ask("our dogs birthday is in May")
    reply = chat.ask("What is my dog's name?")
    juno, birthday = "Our dog Juno is three years old.", "our dogs birthday is in May"
    assert reply.quoted == label(0, juno) + "\n" + label(1, birthday)
    session.close()


@REAL
def test_a_word_of_the_question_in_another_use_is_no_quote(tmp_path: Path):
    """ "I earn my living as a dentist." is 0.35 from "Remind me where I live.": a noun
    there, a verb here, and no place."""
    chat, session = open_chat(tmp_path / "s", Scripted("OK.", "Hmm."), real_embedder())
    chat.ask("I earn my living as a dentist.")
    reply = chat.ask("Remind me where I live.")
    assert "dentist" not in reply.text
    session.close()


@REAL
@pytest.mark.parametrize(
    ("first", "newer", "question"),
    [
        # a doing that names no value is not put before the statement naming it
        ("My car is a white Fiat.", "I wash the car every sunday", "What car do I drive?"),
        # ... nor a statement in another language, where the model's meaning is weak
        (
            "Merk dir: mein Hund heißt Fiete.",
            "J'habite à Nantes.",
            "Erinnere mich an den Namen meines Hundes.",
        ),
    ],
)
def test_a_newer_statement_comes_first_only_as_an_update(first: str, newer: str, question: str):
    ranked, moved = told(first, newer).ranking(question, real_embedder())
    assert ranked[0][0].text == first
    assert moved is None


@REAL
def test_an_update_seen_at_the_question_makes_the_old_value_stale(tmp_path: Path):
    """ "Traded in for a red Volvo." is not seen as an update when said, but comes before
    the Fiat for "which car do i own?": a reply giving the Fiat then gives a value the
    quote under it says is gone."""
    backend = Scripted("OK.", "Noted.", "You have a white Fiat.")
    chat, session = open_chat(tmp_path / "s", backend, real_embedder())
    chat.ask("We have a white Fiat in the garage.")
    chat.ask("Traded in for a red Volvo.")
    reply = chat.ask("which car do i own?")
    assert "Fiat" not in reply.text.split("\n\n")[0]
    assert reply.quoted == label(1, "Traded in for a red Volvo.")
    assert any("Fiat" in d for d in reply.dropped)
    session.close()


def test_they_about_what_the_speaker_named_speak_of_the_speaker():
    trip = "They pushed the Oslo trip to Monday at 9:15."
    assert not speaks_of_another(trip, "I fly to Oslo on Friday at 7:40.")
    # ... not a relative's: "my mum" is someone else
    assert speaks_of_another("my mum lives in Porto now", "I live in Porto.")


@REAL
def test_they_pushed_the_trip_updates_the_flight():
    ledger = told(
        "Lena is my sister and I fly to Oslo on Friday at 7:40.",
        "They pushed the Oslo trip to Monday at 9:15.",
    )
    flight = next(f for f in ledger.facts if "Friday" in f.text)
    assert not flight.active


def test_a_date_is_given_by_its_number_too():
    """ "July" alone does not give "I celebrate my birthday on July 19." ("whens", typed
    without its apostrophe, asks a time too)."""
    fact = _fact("I celebrate my birthday on July 19.")
    asked = "whens my birthday?"
    assert not answer_states("My birthday? you own celebrate July English.", fact, asked)
    assert answer_states("It is on July 19.", fact, asked)
    # ... a name without a number gives a name as before
    city = _fact("I relocated to York in March.")
    assert answer_states("You live in York.", city, "Where do I live?")


def test_the_words_telling_a_change_give_no_value():
    fact = _fact("Actually my favourite colour changed, it is crimson these days.")
    asked = "Remind me, what is my favourite colour?"
    assert not answer_states("My what colour? you own my it days.", fact, asked)
    assert answer_states("Crimson.", fact, asked)


def test_a_small_first_clause_of_the_speaker_is_a_statement_of_its_own():
    assert statements("I'm vegetarian and just so you know, my wifi password is tulip-90.") == [
        "I'm vegetarian",
        "just so you know, my wifi password is tulip-90.",
    ]
    assert statements("I'm tired and my back hurts a lot.") == [
        "I'm tired",
        "my back hurts a lot.",
    ]
    # ... not one that leans on what follows
    assert statements("I love it and my kids love it too.") == [
        "I love it and my kids love it too."
    ]


def test_a_value_of_someone_elses_said_of_the_one_asked_about_is_not_shown(tmp_path: Path):
    """ "So he ended up on a small island off the coast of Riga, not Tallinn!" to "What
    does my brother do for a living, and where?": Riga and Tallinn were a friend's (a new
    user's walk); "he" is the brother the question asks about."""
    reply = (
        "My brother is a ferry pilot in Halifax. So he ended up on a small island off the "
        "coast of Riga, not Tallinn!"
    )
    chat, session = open_chat(tmp_path / "s", Scripted("OK.", "Noted.", reply), None)
    chat.ask("My brother Jonas works as a ferry pilot in Halifax.")
    chat.ask("My friend Thaddeus moved from Tallinn to Riga last spring.")
    answer = chat.ask("What does my brother do for a living, and where?")
    assert answer.text.startswith("My brother is a ferry pilot in Halifax.")
    assert "Riga" not in answer.text
    session.close()


def test_a_reply_saying_the_reverse_of_the_statement_is_not_shown(tmp_path: Path):
    """ "Marmalade is a cat who loves to lick the vacuum cleaner." to a statement that she
    hates the vacuum (a new user's walk): the claims check's opposites, against what the
    user said in this message."""
    reply = "Marmalade is a cat who loves to lick the vacuum cleaner. What a lovely cat!"
    chat, session = open_chat(tmp_path / "s", Scripted(reply), None)
    answer = chat.ask(
        "Our cat is called Marmalade, she's a ginger tabby who absolutely hates the vacuum."
    )
    assert "loves to lick" not in answer.text
    assert any("reverse" in d for d in answer.dropped)
    session.close()


def test_a_reply_saying_both_sides_as_the_user_did_stays(tmp_path: Path):
    reply = "You love your job but hate the long commute."
    chat, session = open_chat(tmp_path / "s", Scripted(reply), None)
    answer = chat.ask("I love my job but I hate the long commute every day.")
    assert answer.text.startswith(reply)
    session.close()
