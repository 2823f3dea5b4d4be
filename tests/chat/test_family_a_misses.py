"""The misses of the generated bench's family A (issue 30, bench/chat_generated.py, seed
30), each a case of its own: a small clause split from what it speaks of, an update of a
misspelt thing of the user's, and "not told" for a question about one clause of two."""

from __future__ import annotations

from pathlib import Path

import pytest

from longcli.backends.embedding import Embedder
from longcli.chat.conversation import Chat, ChatOptions
from longcli.chat.facts import Fact, Ledger
from longcli.chat.labels import label
from longcli.chat.meaning import asks_reminders
from longcli.chat.questions import answer_states
from longcli.chat.session import Session
from longcli.chat.statements import apart, clauses, content_words, is_question, parts, things
from longcli.chat.turn import NOT_TOLD
from longcli.prompts.templates import load_templates
from tests.chat.embedders import REAL_MODEL, real_embedder
from tests.support.fake_backend import FakeBackend, Scripted

TEMPLATES = load_templates()
REAL = pytest.mark.skipif(REAL_MODEL is None, reason="no embedding model here")
PEANUTS = "peanuts make me sick, I'm allergic and fyi my favourite colour is mustard"


def open_chat(path: Path, backend: FakeBackend, embedder: Embedder | None) -> tuple[Chat, Session]:
    session = Session.open(path, create=True, writable=True)
    return Chat(session, backend, TEMPLATES, ChatOptions(), embedder=embedder), session


def test_a_small_clause_stays_with_the_statement_before_it():
    assert clauses(PEANUTS) == [
        "peanuts make me sick, I'm allergic",
        "fyi my favourite colour is mustard",
    ]
    # opening the sentence, a greeting still goes with the statement after it
    assert clauses("Hi, my name is Tomasz and I live in Gdansk.") == [
        "Hi, my name is Tomasz",
        "I live in Gdansk.",
    ]


@pytest.mark.parametrize("embedder", [None, pytest.param("real", marks=REAL)])
def test_an_allergy_question_quotes_what_the_user_is_allergic_to(
    tmp_path: Path, embedder: str | None
):
    chat, session = open_chat(
        tmp_path / "s",
        Scripted("OK.", "Sorry for the confusion."),
        real_embedder() if embedder else None,
    )
    chat.ask(PEANUTS)
    reply = chat.ask("What is my allergy?")
    assert reply.quoted == label(0, "peanuts make me sick, I'm allergic")
    session.close()


def test_a_misspelt_thing_of_the_users_is_updated():
    """ "my locekr code" is "my locker code" misspelt: one thing of the user's."""
    ledger = Ledger()
    ledger.add_message("Remember that my locekr code is 8812.", 0)
    ledger.add_message("Actually my locker code changed, it is 2045 these days.", 2)
    assert [f.active for f in ledger.facts] == [False, True]
    assert ledger.facts[-1].kind == "update"


def test_things_of_the_user_not_alike_stay_apart():
    assert apart(things("my cat"), things("my car"))
    assert not apart(things("my locker code"), things("my locekr code"))
    assert not apart(set(), things("my car"))


def test_a_statement_of_two_is_cut_into_its_clauses_for_meaning():
    assert parts("My allergy is shellfish and I'm vegetarian.") == [
        "My allergy is shellfish",
        "I'm vegetarian.",
    ]


@REAL
def test_a_question_about_one_clause_of_two_is_never_answered_not_told(tmp_path: Path):
    """ "What diet do I follow?" is 0.22 from the whole statement (all-MiniLM-L6-v2), 0.32
    from its clause "I'm vegetarian."."""
    chat, session = open_chat(
        tmp_path / "s", Scripted("OK.", "OK.", "Let me think."), real_embedder()
    )
    chat.ask("My allergy is shellfish and I'm vegetarian.")
    chat.ask("I gave that up and went pescatarian.")
    assert chat.ask("what diet do i follow?").answer != NOT_TOLD
    session.close()


# -- Qwen2.5-Coder-0.5B on family A: replies that say the user's words back ----------------


def test_a_reply_that_says_the_statement_back_is_no_reply(tmp_path: Path):
    """Seen: "My favourite colour is teal." answered "My favourite colour is teal.", so
    that the later answer from it was a reply shown twice."""
    said = "My favourite colour is teal."
    chat, session = open_chat(tmp_path / "s", Scripted(said, "Teal is a calm colour."), None)
    assert chat.ask(said).answer == "Teal is a calm colour."
    session.close()


def test_an_earlier_message_said_back_answers_only_a_question_about_it(tmp_path: Path):
    sister = "Remind me what my sister is called."
    backend = Scripted("OK.", "Lena.", sister, "Your birthday is March 3.", sister)
    chat, session = open_chat(tmp_path / "s", backend, None)
    chat.ask("My sister is called Lena and my birthday is March 3.")
    chat.ask(sister)
    assert chat.ask("What date is my birthday?").answer == "Your birthday is March 3."
    session.close()
    statement = "From today my wifi password is larch-77."
    chat, session = open_chat(tmp_path / "t", Scripted("Noted.", statement), None)
    chat.ask(statement)
    assert chat.ask("whats my wifi password?").answer == statement
    session.close()


def test_the_question_said_back_under_a_heading_is_no_reply(tmp_path: Path):
    """Seen (Qwen): "Your message: What cant I have becuase of allergies?"."""
    backend = Scripted("OK.", "Your message: What can I not eat?", "Not shellfish.")
    chat, session = open_chat(tmp_path / "s", backend, None)
    chat.ask("My allergy is shellfish.")
    assert chat.ask("What can I not eat?").answer == "Not shellfish."
    session.close()


def test_a_common_word_of_the_statement_is_no_answer(tmp_path: Path):
    """Seen: "I can only suggest that you avoid it and make sure ..." for "What is my
    allergy?" was taken to give "peanuts make me sick, I'm allergic" by "make"."""
    reply = "I can only suggest that you avoid it and make sure not to cross over."
    chat, session = open_chat(tmp_path / "s", Scripted("OK.", reply), None)
    chat.ask("peanuts make me sick, I'm allergic")
    assert chat.ask("What is my allergy?").quoted == label(0, "peanuts make me sick, I'm allergic")
    session.close()


def test_an_update_with_a_new_value_is_the_same_matter_by_words():
    """Seen without the embedding model: "Scratch that, my wifi password became ember-12."
    shares 2 words with "fyi my wifi password is tulip-90", under half of 5 only because
    the values were counted."""
    ledger = Ledger()
    ledger.add_message("fyi my wifi password is tulip-90 and fyi my lokcer code is 8812", 0)
    ledger.add_message("Scratch that, my wifi password became ember-12.", 2)
    assert [f.active for f in ledger.facts] == [False, True, True]
    # a name is a value too, and what is left must still be one matter
    ledger = Ledger()
    ledger.add_message("My sister Maria lives in Lisbon.", 0)
    ledger.add_message("My sister is called Ana.", 2)
    assert all(f.active for f in ledger.facts)


# -- twelfth session: requests in other languages, light verbs -----------------------------


@pytest.mark.parametrize(
    "request_",
    [
        "Erinnere mich an den Namen meines Hundes.",
        "Sag mir, wo ich wohne.",
        "Rappelle-moi où j'habite.",
        "Dis-moi mon métier.",
        "Recuérdame mi comida favorita.",
        "Dime dónde vivo.",
        "Ricordami il nome del mio cane.",
        "Lembra-me onde moro.",
        "Herinner me aan mijn adres.",
        "请提醒我我的储物柜密码。",
        "私の犬の名前を教えて。",
    ],
)
def test_a_request_to_be_reminded_in_another_language_is_a_question(request_):
    """Without a "?" these were statements: kept as something told, and unanswered (three
    of 18 misses on family A, seed 31, were the German one)."""
    assert is_question(request_)


@pytest.mark.parametrize(
    "statement",
    [
        "Dimenticavo, ho un cane.",
        "Sagen wir, ich wohne in Bern.",
        "Dishes are done.",
        "Mich mag ich.",
    ],
)
def test_a_statement_opening_like_a_request_is_none(statement):
    assert not is_question(statement)


def test_a_request_in_german_is_not_kept_as_something_told(tmp_path: Path):
    chat, session = open_chat(tmp_path / "s", Scripted("OK.", "Bello."), None)
    chat.ask("Der Name meines Hundes ist Bello.")
    chat.ask("Erinnere mich an den Namen meines Hundes.")
    assert [f.text for f in chat.ledger.facts] == ["Der Name meines Hundes ist Bello."]
    session.close()


@REAL
@pytest.mark.parametrize(
    ("said", "asked"),
    [
        ("der Name meines Hundes ist Bello", "Erinnere mich an den Namen meines Hundes."),
        # a reminder is kept, and found ("Erinnere mich bitte daran, am Freitag den
        # Zahnarzt anzurufen" was lost, a new user's walk)
        (
            "Remind me to call the dentist on Friday.",
            "What did I ask you to remind me to do on Friday?",
        ),
    ],
)
def test_a_request_quotes_the_statement_it_asks_about(tmp_path: Path, said: str, asked: str):
    chat, session = open_chat(tmp_path / "s", Scripted("OK.", "OK.", "Gut."), real_embedder())
    chat.ask(said)
    chat.ask("I live in Leeds.")
    # (the reminder as a quote, or as the list of reminders asked for)
    assert label(0, said) in chat.ask(asked).note
    session.close()


def test_a_light_verb_is_no_content_word():
    assert [w.stem for w in content_words("I gave that up and went pescatarian.")] == [
        "pescatarian"
    ]


@pytest.mark.parametrize("embedder", [None, pytest.param("real", marks=REAL)])
def test_updates_that_share_only_a_light_verb_replace_nothing_by_it(embedder: str | None):
    """ "I gave that up and went pescatarian" took "We packed up and went to Lisbon" away
    by "went" (family A, seed 31; 0.39 in meaning, over WORDS_MEANING): the city was lost."""
    ledger = Ledger()
    embedded = real_embedder() if embedder else None
    ledger.add_message("We packed up and went to Lisbon.", 0, embedded)
    ledger.add_message("I'm vegan.", 1, embedded)
    ledger.add_message("I gave that up and went pescatarian.", 2, embedded)
    assert ledger.facts[0].active


@pytest.mark.parametrize("embedder", [None, pytest.param("real", marks=REAL)])
def test_a_plan_replaces_no_statement_of_what_is(embedder: str | None):
    """A new user's walk: "In April I'm planning a trip to Sicily" took the place of "I
    live in Ljubljana" (0.63 with both places left out, as close as a move)."""
    embedded = real_embedder() if embedder else None
    ledger = Ledger()
    ledger.add_message("I live in Ljubljana.", 0, embedded)
    ledger.add_message("In April I'm planning a trip to Sicily.", 1, embedded)
    ledger.add_message("I'd like to move to Vienna one day.", 2, embedded)
    assert [f.active for f in ledger.facts] == [True, True, True]
    # ... nor one plan another ("I'd like to move to Vienna" took the trip away, 0.65);
    # a move is still one
    ledger.add_message("Correction: I live in Maribor now.", 3, embedded)
    assert [f.active for f in ledger.facts] == [False, True, True, True]


@pytest.mark.parametrize(
    "reminder",
    [
        "Remind me to call the dentist on Friday.",
        "Erinnere mich bitte daran, am Freitag den Zahnarzt anzurufen",
        "Rappelle-moi de payer le loyer.",
        "Recuérdame llamar a mi madre.",
        "Ricordami di comprare il latte.",
    ],
)
def test_a_reminder_to_do_something_is_kept_not_asked(reminder):
    """A new user's walk: "Erinnere mich bitte daran, am Freitag den Zahnarzt anzurufen"
    was read as a question and lost ("What did I ask you to remind me to do on Friday?")."""
    assert not is_question(reminder)
    ledger = Ledger()
    ledger.add_message("My dentist is Dr Okafor and my mother lives in Leeds.", 0)
    ledger.add_message(reminder, 1)
    assert [f.active for f in ledger.facts] == [True, True, True]
    assert ledger.facts[-1].text.startswith(reminder.rstrip("."))


@pytest.mark.parametrize("embedder", [None, pytest.param("real", marks=REAL)])
def test_a_second_question_that_names_nothing_is_read_with_the_first(
    tmp_path: Path, embedder: str | None
):
    """A new user's walk: "What's my bike lock code? And what was the old one?" quoted the
    new code only; the old one was asked for and never given."""
    chat, session = open_chat(
        tmp_path / "s",
        Scripted("OK.", "OK.", "OK.", "Sure."),
        real_embedder() if embedder else None,
    )
    chat.ask("The code for my bike lock is 5182.")
    chat.ask("I live in Leeds.")
    chat.ask("I changed the bike lock code, it's 9037 now.")
    reply = chat.ask("What's my bike lock code? And what was the old one?")
    assert reply.quoted == "\n\n".join(
        [
            label(2, "I changed the bike lock code, it's 9037 now."),
            label(0, "The code for my bike lock is 5182."),
        ]
    )
    session.close()


def test_a_statement_said_back_in_the_users_words_is_no_reply(tmp_path: Path):
    """The generated bench (bundled model): "- fyi my favourite colour is crimson" to
    "Scratch that, my favourite colour became crimson.", then the same to "Remind me, what
    is my favourite colour?": a right answer shown twice."""
    backend = Scripted(
        "OK.",
        "- fyi my favourite colour is crimson",
        "Crimson is a bold choice.",
        "Your favourite colour is crimson.",
    )
    chat, session = open_chat(tmp_path / "s", backend, None)
    chat.ask("peanuts make me sick, I'm allergic and fyi my favourite colour is mustard")
    assert chat.ask("Scratch that, my favourite colour became crimson.").answer == (
        "Crimson is a bold choice."
    )
    assert chat.ask("Remind me, what is my favourite colour?").answer == (
        "Your favourite colour is crimson."
    )
    session.close()


def test_a_reminder_to_do_something_is_never_answered_not_told(tmp_path: Path):
    """A new user's walk: "Remind me to renew my passport before the end of March." got
    "You haven't told me that." (it asks nothing: it is kept)."""
    chat, session = open_chat(tmp_path / "s", Scripted("OK.", "I will keep it in mind."), None)
    chat.ask("I live in Nantes.")
    reply = chat.ask("Remind me to renew my passport before the end of March.")
    assert reply.answer == "I will keep it in mind."
    assert chat.ledger.facts[-1].text == "Remind me to renew my passport before the end of March."
    session.close()


@REAL
def test_the_old_value_of_a_change_said_in_two_clauses_is_quoted(tmp_path: Path):
    """A new user's walk: "They reassigned lockers at my new gym, my code is 9032 now." (its
    first clause took "The code for my gym locker is 4471" away), then "What's my locker
    code? And the old one?" quoted 9032 only."""
    chat, session = open_chat(tmp_path / "s", Scripted(*(["OK."] * 4)), real_embedder())
    chat.ask("The code for my gym locker is 4471, in case I forget it.")
    chat.ask("I live in Nantes.")
    chat.ask("They reassigned lockers at my new gym, my code is 9032 now.")
    quoted = chat.ask("What's my locker code? And the old one?").quoted
    assert quoted == "\n\n".join(
        [
            label(2, "my code is 9032 now."),
            label(0, "The code for my gym locker is 4471, in case I forget it."),
        ]
    )
    session.close()


@pytest.mark.parametrize("embedder", [None, pytest.param("real", marks=REAL)])
def test_a_bday_is_a_birthday(tmp_path: Path, embedder: str | None):
    """Family A: "My bday: July 19." was another thing than "my birthday" (its stem "bda"),
    so "whens my birthday?" quoted nothing (Qwen, seed 30, and the fake model, seed 42)."""
    chat, session = open_chat(
        tmp_path / "s", Scripted("OK.", "OK.", "Hm."), real_embedder() if embedder else None
    )
    chat.ask("My bday: July 19.")
    chat.ask("I live in Leeds.")
    assert chat.ask("whens my birthday?").quoted == label(0, "My bday: July 19.")
    session.close()


@pytest.mark.parametrize("embedder", [None, pytest.param("real", marks=REAL)])
def test_a_question_of_its_own_that_names_nothing_is_read_with_the_one_before(
    tmp_path: Path, embedder: str | None
):
    """A new user's walk: "and the old one?" sent as a message of its own, after "What's my
    locker code?", got no quote; inside one message it is read with the question before."""
    chat, session = open_chat(
        tmp_path / "s",
        Scripted(*(["OK."] * 5)),
        real_embedder() if embedder else None,
    )
    chat.ask("The code for my bike lock is 5182.")
    chat.ask("I live in Leeds.")
    chat.ask("I changed the bike lock code, it's 9037 now.")
    chat.ask("What's my bike lock code?")
    reply = chat.ask("and the old one?")
    assert reply.quoted == label(0, "The code for my bike lock is 5182.")
    assert reply.answer != NOT_TOLD
    session.close()


@pytest.mark.parametrize("embedder", [None, pytest.param("real", marks=REAL)])
def test_a_question_for_the_reminders_lists_the_reminders_alone(
    tmp_path: Path, embedder: str | None
):
    """A new user's walk: "What did I ask you to remind me of?" listed every statement
    still held (0.46 from "What do you know about me?"), not the reminder."""
    chat, session = open_chat(
        tmp_path / "s", Scripted(*(["OK."] * 4)), real_embedder() if embedder else None
    )
    chat.ask("I live in Nantes and my sister is called Ada.")
    chat.ask("Remind me to call the dentist on Friday.")
    chat.ask("My bike is a red Brompton.")
    reply = chat.ask("What did I ask you to remind me of?")
    assert reply.answer == "Here is what you asked me to remind you of:"
    assert reply.note == label(1, "Remind me to call the dentist on Friday.")
    # ... and the rest of what was told is still listed for everything
    assert "Nantes" in chat.ask("What do you know about me?").note
    session.close()


@pytest.mark.parametrize("embedder", [None, pytest.param("real", marks=REAL)])
def test_reminders_asked_for_when_there_are_none(tmp_path: Path, embedder: str | None):
    chat, session = open_chat(
        tmp_path / "s", Scripted(*(["OK."] * 2)), real_embedder() if embedder else None
    )
    chat.ask("I live in Nantes.")
    reply = chat.ask("Did I ask you to remind me of anything?")
    assert reply.answer == "You haven't asked me to remind you of anything."
    # "Remind me, ..." opens a look-up, not a question for the reminders
    assert not asks_reminders(None, "Remind me, what is my favourite colour?")
    session.close()


@pytest.mark.parametrize("embedder", [None, pytest.param("real", marks=REAL)])
def test_a_name_opening_the_update_is_whom_it_speaks_of(embedder: str | None):
    """A new user's walk: "Lotte switched jobs too, she's at a dental clinic in Graz now."
    took "Big news: we moved to Graz last weekend." away (both name Graz) and left
    "My girlfriend Lotte works as a nurse ..." current: "Lotte" opening the sentence was
    not read as a name."""
    ledger = Ledger()
    embedded = real_embedder() if embedder else None
    ledger.add_message(
        "My girlfriend Lotte works as a nurse at the university hospital.", 0, embedded
    )
    ledger.add_message("Big news: we moved to Graz last weekend.", 1, embedded)
    ledger.add_message(
        "Lotte switched jobs too, she's at a dental clinic in Graz now.", 2, embedded
    )
    assert [f.active for f in ledger.facts] == [False, True, True]


@REAL
def test_a_reply_off_the_point_of_a_statement_is_not_shown(tmp_path: Path):
    """The generated bench (bundled model): "Lena just started a pottery class." got "I'm
    sorry for the confusion, but I can help you with that.", "My denitst is Dr Lindqvist."
    got "Please be assured of my code.": asked again, then longcli's honest line."""
    from longcli.chat.turn import NOTED

    backend = Scripted(
        "I'm sorry for the confusion, but I can help you with that.",
        "Please be assured of my code.",
        "Biscuit is a wonderful name for your furry friend.",
        "What a wonderful challenge! Knitting is a skill anyone can learn.",
        "OK.",
    )
    chat, session = open_chat(tmp_path / "s", backend, real_embedder())
    assert chat.ask("Lena just started a pottery class.").answer == NOTED
    assert chat.ask("I have a dog named Biscuit.").answer == (
        "Biscuit is a wonderful name for your furry friend."
    )
    # what comes before the first sentence near the message goes; what follows it stays
    assert chat.ask("I'm thinking about learning to knit.").answer == (
        "Knitting is a skill anyone can learn."
    )
    assert chat.ask("My sister is called Lena.").answer == "OK."  # too short to be off
    session.close()


@REAL
def test_a_reply_about_another_statement_than_the_message_is_not_shown(tmp_path: Path):
    """The generated bench (bundled model): "My sister's birthday is on 14 March." got
    "It's a story about Lena, who is your sister." (0.32 from the message, 0.76 from "My
    sister is called Lena."); asked again, the next reply is about the message."""
    backend = Scripted(
        "Lena is a lovely name.",
        "It's a story about Lena, who is your sister.",
        "A birthday in March, right at the start of spring.",
    )
    chat, session = open_chat(tmp_path / "s", backend, real_embedder())
    chat.ask("My sister is called Lena.")
    reply = chat.ask("My sister's birthday is on 14 March.")
    assert reply.answer == "A birthday in March, right at the start of spring."
    session.close()


@REAL
def test_a_newer_reminder_is_no_update_of_an_older_plan():
    """A new user's walk: "What are we planning for April?" quoted "Remind me to renew my
    passport before the end of February." (0.37), newer than "In April we want to go
    hiking in the Burren for a long weekend." (0.43): the newer statement nearly as close
    was put first as an update in other words, but a reminder or a plan updates nothing."""
    ledger = Ledger()
    embedder = real_embedder()
    ledger.add_message(
        "In April we want to go hiking in the Burren for a long weekend.", 0, embedder
    )
    ledger.add_message("Remind me to renew my passport before the end of February.", 1, embedder)
    ranked = ledger.ranked("What are we planning for April?", embedder)
    assert ranked[0][0].text.startswith("In April we want to go hiking")


@REAL
def test_a_question_about_kin_never_quotes_a_statement_about_the_speaker_alone(tmp_path: Path):
    """A new user's walk: "Where does my sister live?" (told only in French) quoted "I'm in
    Sligo now, a little house near the harbour.", the user's own home."""
    chat, session = open_chat(tmp_path / "s", Scripted(*(["OK."] * 4)), real_embedder())
    chat.ask(
        "Big news: I've moved out of Galway, I'm in Sligo now, a little house near the harbour."
    )
    chat.ask("Ma sœur Aoife habite à Marseille et travaille dans une librairie.")
    reply = chat.ask("Where does my sister live?")
    assert "Sligo" not in reply.quoted
    session.close()


@REAL
def test_a_statement_holding_the_shape_asked_is_quoted_a_little_further(tmp_path: Path):
    """A new user's walk: "Remind me which town I live in?" quoted "Also, we moved flats on
    Saturday" (0.35, no town in it) over "I just moved to Tromsø last month" (0.31)."""
    chat, session = open_chat(tmp_path / "s", Scripted(*(["OK."] * 5)), real_embedder())
    chat.ask("Hi there. I just moved to Tromsø last month, it's freezing but beautiful.")
    chat.ask("Oh and my flat is number 47, on the fourth floor, no lift unfortunately.")
    chat.ask("Also, we moved flats on Saturday, we're in number 112 now, second floor.")
    quoted = chat.ask("Remind me which town I live in?").quoted
    assert quoted == label(0, "I just moved to Tromsø last month, it's freezing but beautiful.")
    session.close()


@REAL
def test_a_misspelt_relative_is_no_statement_about_the_speaker_alone(tmp_path: Path):
    """The generated bench (seed 42): "Who is my sister?" lost "I have a sisetr named
    Lena." once a statement about the speaker alone was no answer about kin."""
    chat, session = open_chat(tmp_path / "s", Scripted(*(["OK."] * 3)), real_embedder())
    chat.ask("I have a sisetr named Lena.")
    chat.ask("My sister's birthday is on 14 March.")
    assert chat.ask("Who is my sister?").quoted == label(0, "I have a sisetr named Lena.")
    session.close()


@REAL
def test_a_question_about_the_past_is_quoted_whatever_the_reply_says(tmp_path: Path):
    """A new user's walk: "and before that?" after the brother's new job got "Håkon left
    the ferries, he's now driving a snowplough for the municipality." and no quote: the
    reply names the old job as one it left, which read as giving it."""
    backend = Scripted(
        "Noted.",
        "Got it.",
        "He drives a snowplough now.",
        "Your brother Håkon left the ferries, and he drives a snowplough.",
    )
    chat, session = open_chat(tmp_path / "s", backend, real_embedder())
    chat.ask("My older brother Håkon works as a ferry captain on the coastal route.")
    chat.ask("Small update: Håkon quit the ferries, he's now driving a snowplough.")
    chat.ask("What does my brother do for a living these days?")
    reply = chat.ask("and before that?")
    assert "ferries" in reply.answer  # the reply names the old job as one he left
    assert reply.quoted.startswith(
        label(0, "My older brother Håkon works as a ferry captain on the coastal route.")
    )
    session.close()


@pytest.mark.parametrize("embedder", [None, pytest.param("real", marks=REAL)])
def test_a_new_number_said_after_we_updates_the_flat_number(embedder: str | None):
    """A new user's walk: "we're in number 112 now, second floor." left "my flat is number
    47, on the fourth floor" current: "number" after "we're in" was read as something the
    speaker does or owns, apart from the flat."""
    ledger = Ledger()
    embedded = real_embedder() if embedder else None
    flat = "Oh and my flat is number 47, on the fourth floor, no lift unfortunately."
    ledger.add_message(flat, 0, embedded)
    moved = "Also, we moved flats on Saturday, we're in number 112 now, second floor."
    ledger.add_message(moved, 1, embedded)
    assert not ledger.facts[0].active
    assert ledger.facts[-1].text == "we're in number 112 now, second floor."


@REAL
def test_a_newer_statement_ranked_before_a_close_one_is_quoted(tmp_path: Path):
    """The generated bench (seeds 31, 41): "New chapter: I started as a nurse." (0.34 from
    "What is my job?") came after "I'm a dentist by trade." (0.40); the ranking put the
    newer first, yet only the older was close enough to quote, and the stale job was."""
    chat, session = open_chat(tmp_path / "s", Scripted(*(["OK."] * 3)), real_embedder())
    chat.ask("I'm a dentist by trade.")
    chat.ask("New chapter: I started as a nurse.")
    assert chat.ask("What is my job?").quoted == label(1, "New chapter: I started as a nurse.")
    session.close()


def test_a_reply_echoing_a_statements_label_does_not_give_its_answer():
    """A word of the label opening a statement ("New chapter:") in the reply is no answer:
    the fake model's "... New as I ..." had hidden the quote of the nurse."""
    nurse = Fact(1, 1, "", "New chapter: I started as a nurse.", "statement")
    assert not answer_states("My told my New as I chemistry.", nurse, "What is my job?")
    assert answer_states("You started as a nurse.", nurse, "What is my job?")
    # a value after the label is still one ("My bday: March 3 ...")
    bday = Fact(2, 1, "", "My bday: March 3 and my favourite film is Paterson.", "statement")
    assert not answer_states("It is on the 3rd.", bday, "What date is my birthday?")
    assert answer_states("Your birthday is March 3.", bday, "What date is my birthday?")


@REAL
def test_filler_above_the_users_own_words_is_not_shown(tmp_path: Path):
    """A new user's walk (bundled model): "What's the code for my bike lock?" got "you have
    a knack for finding the answer." above the right quote, "Where am I living these
    days?" got "Your response is incomplete.". A reply to a question looking up what the
    user told opens on a sentence that gives their value or is near the question or a
    statement shown; filler before it goes, and with none left longcli says so, without
    asking again (the user's words are quoted under it; a second reply more often gave a
    value they never said)."""
    from longcli.chat.turn import NO_ANSWER

    backend = Scripted(
        "Noted, a new code.",
        "you have a knack for finding the answer.",
        "Good question! Your bike lock code is 4082.",
    )
    chat, session = open_chat(tmp_path / "s", backend, real_embedder())
    chat.ask("my bike lock code is 4082 now")
    reply = chat.ask("What's the code for my bike lock?")
    assert reply.answer == NO_ANSWER
    assert reply.quoted == label(0, "my bike lock code is 4082 now")
    assert backend.script == ["Good question! Your bike lock code is 4082."]  # asked once
    # the sentence that gives the value stays, and what came before it goes
    assert chat.ask("Remind me of my bike lock code?").answer == "Your bike lock code is 4082."
    session.close()


def test_the_question_said_back_with_a_letter_changed_is_not_shown(tmp_path: Path):
    """The generated bench (bundled model): "What is my locker code?" got "What is my lokcer
    code?", the question with the spelling of the statement shown."""
    backend = Scripted("OK.", "What is my lokcer code?", "What is my lokcer code?")
    chat, session = open_chat(tmp_path / "s", backend, None)
    chat.ask("fyi my lokcer code is 8812")
    reply = chat.ask("What is my locker code?")
    assert "lokcer code?" not in reply.answer
    assert reply.quoted == label(0, "fyi my lokcer code is 8812")
    session.close()


@REAL
def test_a_value_of_another_thing_of_the_users_is_no_answer_shown_again(tmp_path: Path):
    """The generated bench (Qwen2.5-Coder-0.5B): "What is my locker code?" got "From today
    my WiFi password is larch-77.", the reply it had just given to the wifi question: a
    value of another thing of the user's (both are codes) was taken for an answer, which
    may be given again, and was shown twice."""
    backend = Scripted(
        "OK.",
        "OK, noted.",
        "From today my WiFi password is larch-77.",
        "From today my WiFi password is larch-77.",
        "From today my WiFi password is larch-77.",
    )
    chat, session = open_chat(tmp_path / "s", backend, real_embedder())
    chat.ask("fyi my lokcer code is 8812")
    chat.ask("From today my wifi password is larch-77.")
    assert "larch-77" in chat.ask("whats my wifi password?").answer
    reply = chat.ask("What is my locker code?")
    assert "larch-77" not in reply.answer
    assert reply.quoted == label(0, "fyi my lokcer code is 8812")
    session.close()
