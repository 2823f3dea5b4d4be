"""A new user's walk without the embedding model (issue 30): the chat decides by words
alone, and each case seen is checked exactly on the fake model, its replies scripted."""

from pathlib import Path

import pytest

from longcli.chat.conversation import Chat, ChatOptions
from longcli.chat.facts import Ledger
from longcli.chat.labels import label
from longcli.chat.session import Session
from longcli.chat.statements import subject
from longcli.chat.turn import NOT_TOLD
from longcli.prompts.templates import load_templates
from tests.support.fake_backend import FakeBackend, Scripted

TEMPLATES = load_templates()
HELLO = "Hi! I'm Tomasz, I work as a nurse at the children's hospital and I live in Leeds."
RABBIT = "We have a grey rabbit called Pickle."
BIKES = "I've got 3 bikes in the garage."


def open_chat(path: Path, backend: FakeBackend) -> tuple[Chat, Session]:
    session = Session.open(path, create=True, writable=True)
    return Chat(session, backend, TEMPLATES, ChatOptions(), embedder=None), session


def ask_after(path: Path, said: list[str], question: str, *replies: str) -> str:
    """The shown reply to `question` after the statements `said`, each answered "OK."."""
    chat, session = open_chat(path, Scripted(*(["OK."] * len(said)), *replies))
    for message in said:
        chat.ask(message)
    text = chat.ask(question).text
    session.close()
    return text


@pytest.mark.parametrize(
    ("said", "question"),
    [
        ("My birthday is on 14 March.", "When was I born?"),
        (RABBIT, "Do I still have a pet?"),
        ("I see the dentist on Thursday at 10.", "When is my dentist appointment?"),
        ("The code for the front door is 4471.", "What is my door code?"),
    ],
    ids=["birthday", "rabbit", "dentist", "door-code"],
)
def test_a_stated_fact_is_never_answered_not_told(tmp_path: Path, said: str, question: str):
    shown = ask_after(tmp_path / "s", [said], question, "Let me think.")
    assert NOT_TOLD not in shown


def test_what_was_never_said_is_still_not_told(tmp_path: Path):
    shown = ask_after(
        tmp_path / "s", [HELLO, "My sister Agata is a dentist."], "What is my wife's name?"
    )
    assert shown == NOT_TOLD
    shown = ask_after(tmp_path / "t", ["My brother is a dentist."], "What is my brother's name?")
    assert shown == NOT_TOLD


def test_a_date_never_said_is_not_shown_for_a_look_up_with_no_statement_shown(tmp_path: Path):
    """ "When was I born?" shares no word with "My birthday is on 14 March": the model
    answers, and a date it makes up is not shown."""
    shown = ask_after(
        tmp_path / "s",
        ["My birthday is on 14 March."],
        "When was I born?",
        "You were born on 2 May 1990.",
        "You were born on 2 May 1990.",
    )
    assert "1990" not in shown
    assert NOT_TOLD not in shown


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        (RABBIT, "We gave Pickle to the neighbours' kids, so no rabbit any more."),
        (BIKES, "Sold one of the bikes, so only two left now."),
        (HELLO, "I quit nursing, these days I drive a bus."),
        (HELLO, "I moved from Leeds to Bristol."),
    ],
    ids=["rabbit-given-away", "bike-sold", "job-quit", "moved-from-leeds"],
)
def test_an_update_sharing_a_word_replaces_the_statement(older: str, newer: str):
    ledger = Ledger()
    ledger.add_message(older, 0)
    before = {f.id for f in ledger.active()}
    ledger.add_message(newer, 2)
    replaced = [f for f in ledger.facts if f.id in before and not f.active]
    assert len(replaced) == 1
    assert ledger.facts[-1].kind == "update"


def test_what_is_my_name_quotes_the_name_not_the_rabbit(tmp_path: Path):
    chat, session = open_chat(
        tmp_path / "s", Scripted("Hello!", "Cute.", "What's your family name?")
    )
    chat.ask(HELLO)
    chat.ask(RABBIT)
    reply = chat.ask("What's my name?")
    assert reply.quoted == label(0, "I'm Tomasz")
    assert "Pickle" not in reply.text
    session.close()


@pytest.mark.parametrize(
    ("statement", "about"),
    [
        (RABBIT, "rabbit"),
        (BIKES, "bike"),
        ("We gave Pickle to the neighbours' kids, so no rabbit any more.", "pickle"),
        ("I quit nursing, these days I drive a bus.", "nursing"),
        ("I have a dog named Pixel.", "dog"),
        ("My cat is called Tom.", "cat"),
        ("I live in New York.", "new york"),
    ],
)
def test_a_statement_is_about_a_thing_not_its_verb_or_adjective(statement: str, about: str):
    assert subject(statement) == about


def test_a_job_question_does_not_quote_where_the_user_lives(tmp_path: Path):
    """ "for a living" shares only a stem with "I live in Leeds" (a noun there, a verb
    here): words alone cannot tell that it answers, so no quote rather than a wrong one;
    "Where do I live?" still quotes it."""
    chat, session = open_chat(tmp_path / "s", Scripted("OK.", "Something.", "Somewhere."))
    chat.ask("I live in Leeds.")
    assert chat.ask("What do I do for a living?").quoted == ""
    assert chat.ask("Where do I live?").quoted == label(0, "I live in Leeds.")
    session.close()
