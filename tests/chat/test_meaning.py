"""Which statement a question means, and which an update replaces, by meaning (issue 30):
with an embedder the chat finds what shares no word with the question; without one it
behaves as it always did. The fake embedder's topics say what means the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from longcli.backends.embedding import Memo, find_embedding_model
from longcli.chat.conversation import Chat, ChatOptions
from longcli.chat.facts import Ledger
from longcli.chat.labels import label
from longcli.chat.run import chat_embedder
from longcli.chat.session import Session
from longcli.chat.turn import NOT_TOLD
from longcli.config import Settings
from longcli.errors import ModelError
from longcli.prompts.templates import load_templates
from longcli.streams import Streams
from tests.chat.embedders import REAL_MODEL, FakeEmbedder, real_embedder
from tests.support.fake_backend import Scripted

TEMPLATES = load_templates()
FLIGHT = "My flight to Oslo leaves on Friday at 7:40."
TEACH = "I teach chemistry at a high school in Leeds."
TOPICS = {
    "travel": "flight fly plane",
    "work": "teach living job",
    "home": "live relocated",
    "pet": "dog cat",
}


def open_chat(path: Path, backend: Scripted, embedder: FakeEmbedder | None) -> tuple[Chat, Session]:
    session = Session.open(path, create=True, writable=True)
    return Chat(session, backend, TEMPLATES, ChatOptions(), embedder=embedder), session


def test_the_statement_a_question_means_ranks_first_without_a_shared_word():
    ledger = Ledger()
    for turn, message in enumerate(["I had pancakes for breakfast.", FLIGHT, TEACH]):
        ledger.add_message(message, turn)
    assert all(f.text != FLIGHT for f, _ in ledger.ranked("When do I fly out?"))  # words: no
    ranked = ledger.ranked("When do I fly out?", FakeEmbedder(TOPICS))
    assert [f.text for f, _ in ranked] == [FLIGHT]


def test_a_statement_the_embedder_says_answers_is_never_not_told(tmp_path: Path):
    chat, session = open_chat(
        tmp_path / "s", Scripted("Have a good trip.", "Soon, I think."), FakeEmbedder(TOPICS)
    )
    chat.ask(FLIGHT)
    reply = chat.ask("When do I fly out?")
    assert reply.answer != NOT_TOLD
    assert reply.quoted == label(0, FLIGHT)
    session.close()


def test_a_job_said_as_i_teach_is_quoted_for_what_i_do_for_a_living(tmp_path: Path):
    chat, session = open_chat(
        tmp_path / "s", Scripted("Nice!", "Lovely.", "I am not sure."), FakeEmbedder(TOPICS)
    )
    chat.ask("My sister Maria lives in Lisbon and I have a dog named Pixel.")
    chat.ask(TEACH)
    reply = chat.ask("What do I do for a living?")
    assert reply.quoted == label(1, TEACH)
    session.close()


def test_without_an_embedder_the_chat_matches_words_as_before(tmp_path: Path):
    chat, session = open_chat(tmp_path / "s", Scripted("Have a good trip."), None)
    assert chat.embedder is None
    chat.ask(FLIGHT)
    # by words, a question naming no thing of the user's is the model's to answer: the
    # flight was said in other words (chat/questions.py thing_told)
    assert chat.ask("When do I fly out?").answer != NOT_TOLD
    session.close()


def test_an_update_in_other_words_replaces_the_statement_by_meaning():
    embedder = FakeEmbedder(TOPICS)
    ledger = Ledger()
    ledger.add_message("I live in Lisbon.", 0, embedder)
    ledger.add_message("I relocated to Porto.", 1, embedder)
    assert [f.text for f in ledger.active()] == ["I relocated to Porto."]
    words = Ledger()  # without an embedder: no word in common, both stay
    words.add_message("I live in Lisbon.", 0)
    words.add_message("I relocated to Porto.", 1)
    assert len(words.active()) == 2


def test_two_things_of_the_user_close_in_meaning_both_stay():
    embedder = FakeEmbedder(TOPICS)  # "dog" and "cat" are one topic: as close as can be
    ledger = Ledger()
    ledger.add_message("I have a dog named Pixel.", 0, embedder)
    ledger.add_message("I have a cat named Tom.", 1, embedder)
    assert len(ledger.active()) == 2
    best = ledger.ranked("What is my dog's name?", embedder)[0][0]
    assert best.text == "I have a dog named Pixel."  # the newer cat does not come first


def test_a_question_about_now_gets_the_newest_of_two_answers():
    embedder = FakeEmbedder({"car": "volvo golf car drive"})
    ledger = Ledger()  # read without it: an update too far in meaning to be seen as one
    ledger.add_message("We have a red Volvo in the garage.", 0)
    ledger.add_message("I upgraded to a blue Golf.", 3)
    assert len(ledger.active()) == 2
    best = ledger.ranked("What car do I drive now?", embedder)[0][0]
    assert best.text == "I upgraded to a blue Golf."


def test_each_text_is_embedded_once():
    fake = FakeEmbedder(TOPICS)
    memo = Memo(fake)
    memo.embed(["a", "b"])
    memo.embed(["b", "c", "a"])
    assert fake.embedded == ["a", "b", "c"]


def test_the_embedding_model_setting(tmp_path: Path):
    assert find_embedding_model("off") is None
    assert find_embedding_model(None) is None  # nothing in the (test's) data dir
    assert Settings().embedding_model == "auto"
    with pytest.raises(ModelError):
        find_embedding_model(str(tmp_path / "no-such.gguf"))
    text = tmp_path / "notes.gguf"
    text.write_text("not a model")
    with pytest.raises(ModelError):
        find_embedding_model(str(text))


def test_the_setting_comes_from_the_environment_and_off_turns_it_off(tmp_path: Path):
    from longcli.config import read_env

    assert read_env({"LONGCLI_EMBEDDING_MODEL": "off"}) == {"embedding_model": "off"}
    assert chat_embedder(Settings(embedding_model="off"), Streams.from_sys()) is None


def test_auto_finds_the_gguf_in_the_data_dir(tmp_path: Path):
    from longcli.places import data_dir

    folder = data_dir() / "embedding"
    folder.mkdir(parents=True)
    (folder / "small.gguf").write_bytes(b"GGUF" + bytes(60))
    assert find_embedding_model("auto") == folder / "small.gguf"


def test_no_embedding_model_says_nothing(capsys: pytest.CaptureFixture[str]):
    assert chat_embedder(Settings(), Streams.from_sys(verbose=True)) is None
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


@pytest.mark.skipif(REAL_MODEL is None, reason="no embedding model here (fetch_embedding_model)")
def test_the_real_model_finds_the_flight_and_keeps_dog_and_cat():
    embedder = real_embedder()
    ledger = Ledger()
    for turn, message in enumerate(["I had pancakes for breakfast.", FLIGHT, TEACH]):
        ledger.add_message(message, turn, embedder)
    assert ledger.ranked("When do I fly out?", embedder)[0][0].text == FLIGHT
    assert ledger.ranked("What do I do for a living?", embedder)[0][0].text == TEACH
    pets = Ledger()
    pets.add_message("I have a dog named Pixel.", 0, embedder)
    pets.add_message("I have a cat named Tom.", 1, embedder)
    assert len(pets.active()) == 2
    home = Ledger()
    home.add_message("I live in Lisbon.", 0, embedder)
    home.add_message("I relocated to Porto.", 1, embedder)
    assert [f.text for f in home.active()] == ["I relocated to Porto."]


def test_an_embedding_model_that_does_not_load_is_said_once_and_left_out(
    capsys: pytest.CaptureFixture[str],
):
    from longcli.places import data_dir

    folder = data_dir() / "embedding"
    folder.mkdir(parents=True)
    (folder / "broken.gguf").write_bytes(b"GGUF" + bytes(60))  # the magic, then nothing
    assert chat_embedder(Settings(), Streams.from_sys()) is None
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "broken.gguf" in err[0] and "words only" in err[0]


def test_a_greeting_alone_is_no_fact():
    """A new user's `memory facts` listed '[1] turn 1, hi: "Hi!"'."""
    from longcli.chat.statements import statements

    assert statements("Hi!") == []
    assert statements("Hi! My name is Priya Raman.") == ["My name is Priya Raman."]
    assert statements("I'm vegan.") == ["I'm vegan."]
    assert statements("我的储物柜密码是4471。") == ["我的储物柜密码是4471。"]
