"""The first conversation a new user has (issue 30), one test per case that was seen: the
fake model's replies are scripted as the bundled model wrote them, so what longcli shows
of them is checked exactly."""

from pathlib import Path

import pytest

from longcli.chat.conversation import Chat, ChatOptions
from longcli.chat.facts import Ledger
from longcli.chat.labels import label
from longcli.chat.session import Session
from longcli.chat.turn import NOT_TOLD
from longcli.prompts.templates import load_templates
from tests.chat.embedders import REAL_MODEL, real_embedder
from tests.support.fake_backend import FakeBackend, Scripted

TEMPLATES = load_templates()
MARIA_PIXEL = "My sister Maria lives in Lisbon and I have a dog named Pixel."


class Always(FakeBackend):
    """Answers every call with the same reply, as a small model stuck on one can."""

    def __init__(self, reply: str, n_ctx: int = 2048) -> None:
        super().__init__(n_ctx=n_ctx)
        self.reply = reply

    def _reply(self, messages, sampling):
        return self.reply, "stop"


MEANING = pytest.mark.xfail(
    strict=True,
    reason="needs meaning, not shared words (issue 30: sentence embeddings; open)",
)
# The cases that need meaning, run twice: by words (still failing: xfail) and with the
# embedding model, when this machine has one (bench/fetch_embedding_model.py).
BY_MEANING = pytest.mark.parametrize(
    "embedding",
    [
        pytest.param(False, marks=MEANING, id="words"),
        pytest.param(
            True,
            marks=pytest.mark.skipif(REAL_MODEL is None, reason="no embedding model here"),
            id="embedding",
        ),
    ],
)
# ... and one words alone pass since "now" is no thing looked up ("Where does my sister
# live now?" looked for a "now" no statement holds; a new user's walk, seventh session)
BOTH_WAYS = pytest.mark.parametrize(
    "embedding",
    [
        pytest.param(False, id="words"),
        pytest.param(
            True,
            marks=pytest.mark.skipif(REAL_MODEL is None, reason="no embedding model here"),
            id="embedding",
        ),
    ],
)


def open_chat(path: Path, backend: FakeBackend, embedding: bool = False) -> tuple[Chat, Session]:
    session = Session.open(path, create=True, writable=True)
    embedder = real_embedder() if embedding else None
    return Chat(session, backend, TEMPLATES, ChatOptions(), embedder=embedder), session


def shown_answer(text: str) -> str:
    """The model's part of a shown reply, without longcli's note."""
    return text.split("(You told me")[0]


def test_two_facts_in_one_message_are_two_statements():
    ledger = Ledger()
    ledger.add_message(MARIA_PIXEL, 0)
    assert [f.text for f in ledger.active()] == [
        "My sister Maria lives in Lisbon",
        "I have a dog named Pixel.",
    ]


def test_a_wrong_reply_about_maria_and_pixel_is_not_shown_twice_and_the_fact_is_quoted(
    tmp_path: Path,
):
    wrong = "Pixel is a beautiful and energetic dog named Maria. She loves to play a lot."
    chat, session = open_chat(tmp_path / "s", Always(wrong))
    chat.ask(MARIA_PIXEL)
    where = chat.ask("Where does my sister live?")
    name = chat.ask("What is my dog's name?")
    assert "Lisbon" in where.text  # the user's statement is shown under the reply
    assert "Pixel" in name.text
    # the same wrong reply is shown at most once over the three messages
    shown = [shown_answer(t.text) for t in (where, name)]
    assert sum(wrong.split(".")[0] in s for s in shown) <= 1
    session.close()


@pytest.mark.parametrize(
    "embedding",
    [
        pytest.param(False, marks=MEANING, id="words"),
        pytest.param(
            True,
            marks=[
                pytest.mark.skipif(REAL_MODEL is None, reason="no embedding model here"),
                pytest.mark.xfail(
                    strict=True,
                    reason="all-MiniLM-L6-v2 gives the two a cosine of 0.28, under the quote's "
                    "0.35 (chat/quotes.py QUOTE_MEANING); not 'not told' any more",
                ),
            ],
            id="embedding",
        ),
    ],
)
def test_a_job_said_as_i_teach_answers_what_i_do_for_a_living(tmp_path: Path, embedding: bool):
    chat, session = open_chat(
        tmp_path / "s", Scripted("Nice!", "Lovely.", "I am not sure."), embedding
    )
    chat.ask(MARIA_PIXEL)
    chat.ask("I teach chemistry at a high school in Leeds.")
    reply = chat.ask("What do I do for a living?")
    assert reply.answer != NOT_TOLD
    assert reply.quoted == label(1, "I teach chemistry at a high school in Leeds.")
    session.close()


@BY_MEANING
def test_a_flight_with_its_day_and_time_answers_when_do_i_fly_out(tmp_path: Path, embedding: bool):
    chat, session = open_chat(
        tmp_path / "s", Scripted("Have a good trip.", "Soon, I think."), embedding
    )
    chat.ask("My flight to Oslo leaves on Friday at 7:40.")
    reply = chat.ask("When do I fly out?")
    assert reply.answer != NOT_TOLD
    assert "7:40" in reply.text
    session.close()


@BOTH_WAYS
def test_moved_replaces_lives_in_and_now_gets_the_newest(tmp_path: Path, embedding: bool):
    chat, session = open_chat(
        tmp_path / "s",
        Scripted("Nice.", "Oh, good for her.", "Your sister Maria lives in Lisbon."),
        embedding,
    )
    chat.ask("My sister Maria lives in Lisbon.")
    chat.ask("Actually, Maria moved to Porto last month.")
    assert [f.text for f in chat.ledger.active()] == ["Actually, Maria moved to Porto last month."]
    reply = chat.ask("Where does my sister live now?")
    assert "Lisbon" not in reply.text  # the stale sentence is not shown
    assert "Porto" in reply.text
    session.close()


@BY_MEANING
def test_moved_to_toronto_answers_which_city_i_live_in_now(tmp_path: Path, embedding: bool):
    chat, session = open_chat(
        tmp_path / "s", Scripted("OK.", "Congratulations!", "Hmm."), embedding
    )
    chat.ask("I live in Montreal.")
    chat.ask("Actually, I moved to Toronto last month, I now work there.")
    reply = chat.ask("Which city do I live in now?")
    assert reply.answer != NOT_TOLD
    assert "Toronto" in reply.text and "Montreal" not in reply.text
    session.close()


def test_a_reply_in_another_language_is_retried_then_dropped(tmp_path: Path):
    tagalog = "Priya Raman ay mga kabataang nakatayada at masayang naglalaro sa bahay."
    chat, session = open_chat(tmp_path / "s", Always(tagalog))
    reply = chat.ask("Hi! My name is Priya Raman.")
    assert "kabataang" not in reply.text
    assert reply.answer  # one honest line instead
    session.close()


def test_one_short_reply_is_never_shown_for_eight_messages(tmp_path: Path):
    chat, session = open_chat(tmp_path / "s", Always("Ladripe, abositas!"))
    messages = [
        "Hi! My name is Priya Raman.",
        "What is the capital of France?",
        "I am allergic to peanuts.",
        "What is my name?",
        "Tell me a joke.",
        "How are you today?",
        "What am I allergic to?",
        "Thanks for the help.",
    ]
    shown = [shown_answer(chat.ask(m).text) for m in messages]
    assert sum("Ladripe" in s for s in shown) <= 1
    session.close()


def test_a_right_answer_to_a_new_question_is_not_dropped_as_a_repeat(tmp_path: Path):
    chat, session = open_chat(
        tmp_path / "s", Scripted("Green is a lovely colour.", "Green is a lovely colour.")
    )
    chat.ask("My favourite colour is green.")
    reply = chat.ask("What is my favourite colour?")
    assert "green" in shown_answer(reply.text).lower()
    session.close()


def test_a_number_the_user_never_said_is_not_shown_in_chinese(tmp_path: Path):
    chat, session = open_chat(tmp_path / "s", Scripted("好的。", 'The answer is "3298".'))
    chat.ask("我的储物柜密码是4471。")
    reply = chat.ask("我的储物柜密码是多少？")
    assert "3298" not in reply.text
    assert "4471" in reply.text
    session.close()


EIGHT_FACTS = [
    ("My sister Maria lives in Lisbon and my brother Tom is a dentist.", None),
    ("I work as a nurse at the city hospital.", None),
    ("I don't eat meat or fish, I'm vegetarian.", None),
    ("My flight to Berlin departs on Friday at 9:15.", None),
    ("Mein Auto ist ein blauer Golf.", None),
    ("I live in Leeds.", None),
    ("I relocated to York in March.", None),
    ("I switched careers and now I'm a software developer.", None),
]
EIGHT_QUESTIONS = [
    ("Where does my sister live?", "Lisbon", None),
    ("What does my brother do?", "dentist", None),
    ("What do I eat?", "vegetarian", None),
    ("What time is my flight?", "9:15", None),
    ("Welches Auto habe ich?", "Golf", None),
    ("Which city do I live in now?", "York", "Leeds"),
    ("What is my job now?", "developer", "nurse"),
    ("Where is my flight going?", "Berlin", None),
]


def filler(i: int) -> str:
    return f"Turn {i}: " + " ".join(f"chatter{i}x{j}" for j in range(30))


@BY_MEANING
def test_eight_plain_facts_after_thirty_filler_turns_are_answered(tmp_path: Path, embedding: bool):
    chat, session = open_chat(tmp_path / "s", FakeBackend(n_ctx=1024), embedding)
    for i, (message, _) in enumerate(EIGHT_FACTS):
        chat.ask(message)
        for j in range(4):
            chat.ask(filler(10 * i + j))
    assert chat.state.folds > 0
    right, stale = 0, 0
    for question, value, old in EIGHT_QUESTIONS:
        text = chat.ask(question).text
        right += value.lower() in text.lower()
        stale += old is not None and old.lower() in text.lower()
    assert right == len(EIGHT_QUESTIONS)
    assert stale == 0
    session.close()
