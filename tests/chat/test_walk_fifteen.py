"""Cases from the fifteenth session's walks and the generated bench's family A (issue
30), each of its own: a value of another thing of the user's given to the thing asked
about, a clause that tells a move followed by the one that tells where to, and an update
opened by a word of discourse ("Scratch that, ...")."""

from __future__ import annotations

from pathlib import Path

import pytest

from longcli.chat.facts import Ledger
from longcli.chat.labels import label
from longcli.chat.questions import holds_shape, is_tag_question, shape_asked
from longcli.chat.statements import clauses, is_kin, things
from tests.chat.embedders import real_embedder
from tests.chat.test_family_a_misses import REAL, open_chat
from tests.support.fake_backend import Scripted

MOVED = "I've moved out of Galway, I'm in Sligo now."


@pytest.mark.parametrize("embedder", [None, pytest.param("real", marks=REAL)])
def test_the_value_of_another_thing_of_the_users_is_not_shown(tmp_path: Path, embedder):
    """ "My allergy is O negative." gives the allergy the blood type's value: a value the
    user never said of it (a new user's walk, the bundled model)."""
    backend = Scripted("OK.", "Noted.", "My allergy is O negative. Peanuts, I think.")
    chat, session = open_chat(tmp_path / "s", backend, real_embedder() if embedder else None)
    chat.ask("My allergy is peanuts.")
    chat.ask("My blood type is O negative.")
    reply = chat.ask("What am I allergic to?")
    assert "O negative" not in reply.text
    assert "Peanuts" in reply.text
    assert any("My allergy is O negative." in d for d in reply.dropped)
    session.close()


def test_a_sentence_giving_both_things_their_own_values_stays(tmp_path: Path):
    backend = Scripted(
        "OK.", "Noted.", "Your blood type is O negative and your allergy is peanuts."
    )
    chat, session = open_chat(tmp_path / "s", backend, None)
    chat.ask("My allergy is peanuts.")
    chat.ask("My blood type is O negative.")
    reply = chat.ask("What am I allergic to?")
    assert reply.text.startswith("Your blood type is O negative and your allergy is peanuts.")
    session.close()


def test_a_perfect_after_i_have_is_no_thing_of_the_users():
    assert things("I've moved out of Galway") == frozenset()
    assert things("I have decided to sell it") == frozenset()
    assert {t.words for t in things("I have a red car")} == {("red", "car")}
    assert {t.words for t in things("I've got a dog")} == {("dog",)}


def test_where_asks_for_a_place():
    assert shape_asked("Where do I live?") == "place"
    assert holds_shape("I left my keys in the kitchen drawer", "place")
    assert holds_shape("I've moved out of Galway", "place")
    assert not holds_shape("I work as a dentist.", "place")


@REAL
@pytest.mark.parametrize("reply", ["You live in Galway.", "I'm not sure."])
def test_a_move_and_where_to_in_one_message_are_quoted_together(tmp_path: Path, reply: str):
    """The clause near "Where do I live?" is the one telling the move out (0.35); the
    answer is the clause after it. Both are quoted, and a reply giving the town left is
    no answer (walk 37: no quote at all)."""
    chat, session = open_chat(tmp_path / "s", Scripted("OK.", reply), real_embedder())
    chat.ask(MOVED)
    answer = chat.ask("Where do I live?")
    assert answer.quoted == (
        label(0, "I've moved out of Galway") + "\n" + label(0, "I'm in Sligo now.")
    )
    session.close()


@REAL
def test_a_reply_giving_the_new_place_needs_no_quote(tmp_path: Path):
    backend = Scripted("OK.", "You live in Sligo.")
    chat, session = open_chat(tmp_path / "s", backend, real_embedder())
    chat.ask(MOVED)
    assert chat.ask("Where do I live?").quoted == ""
    session.close()


@REAL
def test_an_update_after_a_word_of_discourse_replaces(tmp_path: Path):
    """ "Scratch that, my landlord became Mrs Petrov." only names the landlord anew: the
    lead-in's "scratch" made it say more than a name, and it replaced nothing (family A,
    seed 41: the old landlord was quoted)."""
    ledger = Ledger()
    embedder = real_embedder()
    ledger.add_message("My landlord is Mr Haddad.", 0, embedder)
    ledger.add_message("Scratch that, my landlord became Mrs Petrov.", 2, embedder)
    assert [f.active for f in ledger.facts] == [False, True]
    assert ledger.facts[-1].kind == "update"


BROTHER = "My brother Anselm works as a paramedic at the city hospital, crazy night shifts."


@pytest.mark.parametrize("embedder", [None, pytest.param("real", marks=REAL)])
def test_a_misspelt_relative_is_asked_about_kin(tmp_path: Path, embedder):
    """ "what does my brohter do for a living?" asks about the brother, not the user:
    his statement was left unquoted as kin's for a question about oneself (walk 38)."""
    assert is_kin(["brohter"]) and not is_kin(["brochure"])
    backend = Scripted("OK.", "Noted.", "I'm not sure.")
    chat, session = open_chat(tmp_path / "s", backend, real_embedder() if embedder else None)
    chat.ask("I live in a small flat in Tromsø, up by the harbour.")
    chat.ask(BROTHER)
    reply = chat.ask("what does my brohter do for a living?")
    assert reply.quoted == label(1, BROTHER)
    session.close()


def test_a_name_the_user_never_gave_their_thing_is_not_shown(tmp_path: Path):
    """No statement is shown for "anything I can't eat?", yet the reply names the user's
    cat: with another name than the one they gave it (walk 38, the bundled model)."""
    backend = Scripted(
        "OK.", "Noted.", "Your cat's name is Luna, and she loves to play with toys. Hazelnuts."
    )
    chat, session = open_chat(tmp_path / "s", backend, None)
    chat.ask("We have a grey tabby cat called Pumpernickel, she's nine and very lazy.")
    chat.ask("I'm allergic to hazelnuts, so I have to check every dessert I order.")
    reply = chat.ask("anything I can't eat?")
    assert "Luna" not in reply.text
    assert any("Luna" in d for d in reply.dropped)
    session.close()


def test_a_part_leaning_back_on_the_statement_before_it_stays_with_it():
    """ "I always forget it." was a fact of its own in `memory facts` (walk 38)."""
    shed = "The code for the bike shed downstairs is 4471, I always forget it."
    assert clauses(shed) == [shed]
    assert clauses("I live in Leeds, I love it there.") == ["I live in Leeds, I love it there."]
    # ... not one naming something of its own, nor one after "and"
    assert clauses("I sold my car, and I miss it.") == ["I sold my car", "I miss it."]


TROMSO = "Hi! I live in a small flat in Tromsø, up by the harbour, been here about three years."
BERGEN = "Big news: we packed everything up and moved down to Bergen last month."


@REAL
@pytest.mark.parametrize(
    "reply, shown",
    [
        ("You're a helpful assistant. I'm glad to have you as my guest today!", False),
        ("Before that you lived in Tromsø.", True),
        ("Best regards, Tromsø is lovely.", True),  # the old value: an answer
    ],
)
def test_a_follow_up_naming_nothing_is_a_look_up_too(tmp_path: Path, reply: str, shown: bool):
    """ "and before that?" after "so where do I live these days?" looks up what the user
    told: filler above the quote is not shown (walk 38), the town they left is an answer
    (its statement is no longer shown to the model)."""
    backend = Scripted("OK.", "Noted.", "You live in Bergen.", reply)
    chat, session = open_chat(tmp_path / "s", backend, real_embedder())
    chat.ask(TROMSO)
    chat.ask(BERGEN)
    chat.ask("so where do I live these days?")
    answer = chat.ask("and before that?")
    assert answer.quoted == label(0, TROMSO.removeprefix("Hi! "))
    assert answer.text.startswith(reply) is shown
    session.close()


@REAL
@pytest.mark.parametrize(
    "older, newer",
    [
        ("fyi my dentist is Dr Lindqvist", "From today my dentist is Dr Okafor."),
        ("fyi my dentist is Dr Okafor", "Scratch that, my dentist became Dr Lindqvist."),
    ],
)
def test_a_title_both_write_is_no_name_both_hold(older: str, newer: str):
    """ "Dr" in both made the new dentist read as news of the old one, which only
    introduces a name, once a piece after a lead-in ("From today", "Scratch that") could
    name alone: nothing was replaced (bench/chat_generated.py's family A templates, update
    pairs: 64 -> 67 of 84 replaced, none of 84 other pairs)."""
    ledger = Ledger()
    embedder = real_embedder()
    ledger.add_message(older, 0, embedder)
    ledger.add_message(newer, 2, embedder)
    assert [f.active for f in ledger.facts] == [False, True]


@REAL
def test_a_clause_telling_only_a_doing_is_quoted_with_the_one_after_it(tmp_path: Path):
    """ "These days I retrained" is the clause near "What's my profession now?"; the job
    is in the clause after it (family A, seed 31: only the first was quoted)."""
    backend = Scripted("OK.", "Noted.", "I'm not sure.")
    chat, session = open_chat(tmp_path / "s", backend, real_embedder())
    chat.ask("I've been a dentist for years.")
    chat.ask("These days I retrained, I'm a software developer.")
    answer = chat.ask("What's my profession now?")
    assert "I'm a software developer." in answer.quoted
    session.close()


def test_a_statement_said_back_with_a_letter_changed_is_no_reply(tmp_path: Path):
    """Qwen answered "Remember that my favourite film is Amarcord." with it, spelt
    "favorite", and the question about the film later with the same words: a reply
    shown twice (the generated bench's family A, seed 31)."""
    said = "Remember that my favourite film is Amarcord."
    backend = Scripted("Remember that my favorite film is Amarcord.")
    chat, session = open_chat(tmp_path / "s", backend, None)
    reply = chat.ask(said)
    assert "Amarcord" not in reply.text
    session.close()


@REAL
@pytest.mark.parametrize(
    "older, newer, replaced",
    [
        ("I'm based in Lisbon.", "Big news: my new place is in York.", True),
        ("My home is in Toronto.", "her parents live out in Groningen, we visit them", False),
    ],
)
def test_a_place_of_ones_own_updates_where_one_lives(older: str, newer: str, replaced: bool):
    """ "my new place is in York" gives no name (a place after "in"), and may be compared
    with "I'm based in X" with the towns left out (0.59), though only one calls a thing
    the speaker's: "her parents live out in X" is someone else's, and stays apart (Qwen,
    family A seed 31, said "I'm based in Porto." above the quote of the new town)."""
    ledger = Ledger()
    embedder = real_embedder()
    ledger.add_message(older, 0, embedder)
    ledger.add_message(newer, 2, embedder)
    assert (not ledger.facts[0].active) is replaced


def test_a_lead_in_naming_nothing_does_not_make_another_thing_the_answer():
    """ "Just so you know" names no thing: the statement's only thing is the bike lock,
    another than the locker asked about (family A, seed 42: quoted for a locker code
    never told)."""
    from longcli.chat.quotes import _of_other_things

    question = "Can you tell me my locker code?"
    assert _of_other_things(question, "Just so you know, my bike lock combinaiton is 6172")
    assert not _of_other_things(question, "Just so you know, my locker code is 3390")
    assert not _of_other_things(
        "What is my occupation?", "I work as a dentist and my allergy is peanuts"
    )


LOCKER_STORY = (
    "Yesterday was chaos: the bus broke down, and when I finally got to the gym my locker "
    "code 4471 wouldn't open the locker, so I went home."
)
CORRECTION = "Oops, I got that wrong earlier, the locker code is actually 4417, not 4471."


@REAL
def test_a_correction_saying_i_got_that_wrong_is_quoted(tmp_path: Path):
    """ "I got that wrong" named a thing of the user's, "wrong earlier", another than the
    locker code asked about: the correction was never quoted (walk 40)."""
    assert things(CORRECTION) == frozenset()
    assert {t.words for t in things("I got my keys back")} == {("key",)}
    backend = Scripted("OK.", "Noted.", "I'm not sure.")
    chat, session = open_chat(tmp_path / "s", backend, real_embedder())
    chat.ask(LOCKER_STORY)
    chat.ask(CORRECTION)
    assert chat.ask("remind me of my locker code?").quoted == label(1, CORRECTION)
    session.close()


@REAL
def test_small_talk_with_a_question_tag_gets_no_quote(tmp_path: Path):
    """ "Lovely weather today, isn't it?" asks for agreement: a quote of "Yesterday was
    chaos: the bus broke down" stood under its reply (walk 40). A tag after something of
    the user's checks what they told, and is a look-up still."""
    assert is_tag_question("Lovely weather today, isn't it?")
    assert not is_tag_question("My sister lives in Porto, doesn't she?")
    assert not is_tag_question("Where do I live?")
    backend = Scripted("OK.", "Yes, a lovely day for a walk.")
    chat, session = open_chat(tmp_path / "s", backend, real_embedder())
    chat.ask(LOCKER_STORY)
    assert chat.ask("Lovely weather today, isn't it? Finally some sun.").quoted == ""
    session.close()


def test_an_opening_nearly_the_same_as_one_to_another_message_is_said_again(tmp_path: Path):
    """Qwen opened replies to statements with "The answer to your question is teal.", then
    "... is mustard." (rapidfuzz ratio 90): a reply shown twice as the generated bench
    counts it (family A, seed 30)."""
    backend = Scripted(
        "The answer to your question is teal.",
        "The answer to your question is mustard.",
        "Noted, mustard it is.",
    )
    chat, session = open_chat(tmp_path / "s", backend, None)
    chat.ask("My favourite colour is teal.")
    reply = chat.ask("Scratch that, my favourite colour became mustard.")
    assert reply.text == "Noted, mustard it is."
    session.close()


@REAL
def test_a_statement_restated_in_the_users_person_is_no_reply(tmp_path: Path):
    """Qwen answered "My bday: March 3." with "My birthday is March 3." (0.89), and the
    question about the birthday later with the same words: a reply shown twice (family
    A, seed 30). A reply of its own in the first person stays ("I love teal too!")."""
    backend = Scripted("My birthday is March 3.", "Happy early birthday!", "I love teal too!")
    chat, session = open_chat(tmp_path / "s", backend, real_embedder())
    assert chat.ask("My bday: March 3.").text == "Happy early birthday!"
    assert chat.ask("My favourite colour is teal.").text == "I love teal too!"
    session.close()


def test_a_statement_said_back_after_a_word_of_its_own_is_a_reply(tmp_path: Path):
    """ "Noted: " and the statement is longer by more than a letter or two: a reply of
    its own, not the statement said back with a letter changed."""
    said = "My name is Ada and I like the harbour of Oslo."
    chat, session = open_chat(tmp_path / "s", Scripted(f"Noted: {said}"), None)
    assert chat.ask(said).text.startswith("Noted:")
    session.close()
