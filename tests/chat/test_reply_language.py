"""A reply not in the message's language, short ones included, a short reply shown for
another message, and a remark in brackets about the message (issue 30, the chat walk)."""

from __future__ import annotations

from pathlib import Path

from longcli.chat.conversation import Chat, ChatOptions
from longcli.chat.guard import Checks, Dropped, Earlier, Why
from longcli.chat.session import Session
from longcli.chat.turn import NO_ANSWER_IN_LANGUAGE, no_answer
from longcli.prompts.templates import load_templates
from tests.support.fake_backend import Scripted

TEMPLATES = load_templates()

SAID = [
    "Hi! I'm Marta, I work as a nurse at the children's hospital and I live in Leipzig.",
    "My brother Tomasz is coming to visit on 14 June, and my cat Pimpek is three years old.",
    "Nice weather today, isn't it?",
]


def _checks(said: list[str] = SAID, earlier: Earlier | None = None) -> Checks:
    return Checks(said=said, earlier=earlier or Earlier(), question=said[-1])


def test_short_reply_in_letters_english_does_not_write_is_dropped() -> None:
    checks = _checks()
    assert checks.keep("Pamączem póżnie.", True) == ""
    assert checks.keep("Nahodą, zdrowie.", True) == ""
    assert [d.why for d in checks.dropped] == [Why.LANGUAGE, Why.LANGUAGE]


def test_letters_the_user_writes_and_loanwords_stay() -> None:
    checks = _checks(["My grandmother lives in Łódź.", "Where should I eat?"])
    assert checks.keep("Łódź has a lovely café.", True) == "Łódź has a lovely café."
    assert checks.keep("Try the jalapeño soup.", False) == "Try the jalapeño soup."


def test_sentence_with_more_german_stop_words_than_english_is_dropped() -> None:
    checks = _checks()
    assert checks.keep("Martha is das Leben des Weiberners.", True) == ""
    assert checks.dropped[-1].why == Why.LANGUAGE
    assert checks.keep("It is a lovely day for a walk.", True) == "It is a lovely day for a walk."


def test_remark_in_brackets_about_the_message_is_no_answer() -> None:
    checks = _checks()
    assert checks.keep("(The message is in German)", True) == ""
    assert checks.keep("(The weather is lovely today)", True) == ""
    assert checks.keep("(In German)", True) == ""
    assert {d.why for d in checks.dropped} == {Why.ASIDE}


def test_reply_left_only_with_remark_and_foreign_words_says_so() -> None:
    reasons = [Dropped(Why.ASIDE, "(The weather is lovely today)")]
    reasons.append(Dropped(Why.LANGUAGE, "Nahodą, zdrowie."))
    assert no_answer(reasons) == NO_ANSWER_IN_LANGUAGE


def test_short_reply_shown_for_another_message_is_not_shown_again() -> None:
    earlier = Earlier()
    earlier.add("Zdrowie, zwolikowne.", "I drive an old red Skoda with 212000 km on it.")
    earlier.add("Thanks, Marta!", "Nice weather today, isn't it?")
    said = [*SAID, "Haha, thanks. What's a good book for the tram?"]
    checks = _checks(said, earlier)
    assert checks.keep("Zwolikowne, zdrowie.", True) == ""  # the same two words, swapped
    assert checks.keep("Thanks, Marta!", False) == ""
    assert [d.why for d in checks.dropped] == [Why.REPEAT, Why.REPEAT]
    assert checks.keep("Try a short novel.", False) == "Try a short novel."


def test_request_to_the_assistant_is_no_statement() -> None:
    from longcli.chat.facts import Ledger

    ledger = Ledger()
    assert ledger.add_message("Summarize everything you know about me.", 1) == []
    assert ledger.add_message("I live in Leipzig.", 2) != []


def test_longclis_line_for_no_answer_is_never_the_models_turn(tmp_path) -> None:
    """A new user's walk: after "(no answer: the model did not write in the language of
    your message)", the next reply began "No, no: the model didn't write in language of
    your message." The line is the user's to read; the model is shown an empty turn."""
    from longcli.chat.conversation import Chat, ChatOptions
    from longcli.chat.session import Session
    from longcli.prompts.templates import load_templates
    from tests.support.fake_backend import Scripted

    backend = Scripted(
        "Er wohnt in Salzburg.", "Er wohnt in Salzburg.", "It is lovely.", "Teal is calm."
    )
    session = Session.open(tmp_path / "s", create=True, writable=True)
    chat = Chat(session, backend, load_templates(), ChatOptions())
    assert chat.ask("Where does my brother live and what is his job?").answer == (
        NO_ANSWER_IN_LANGUAGE
    )
    chat.ask("Nice weather today, isn't it?")
    assert chat.ask("My favourite colour is teal.").answer == "Teal is calm."
    shown = [m.content for prompt in backend.prompts[2:] for m in prompt]
    assert all("(no answer" not in text for text in shown)
    assert chat.exchanges[0].assistant == NO_ANSWER_IN_LANGUAGE  # the journal keeps it
    session.close()


def test_an_english_message_after_others_in_french_asks_for_english(tmp_path: Path):
    """A new user's walk: after two messages in French, the bundled model answered four of
    eleven English questions in French (each dropped for it): the prompt is English, and
    said nothing of the language while the turns shown were French."""
    session = Session.open(tmp_path / "s", create=True, writable=True)
    chat = Chat(session, Scripted("D'accord.", "Très bien.", "OK."), TEMPLATES, ChatOptions())
    assert chat.answer_language("Where do I live now?") == ""
    chat.ask("Ma sœur Aoife habite à Marseille depuis deux ans.")
    chat.ask("Rappelle-moi d'appeler Aoife dimanche.")
    assert chat.answer_language("Where do I live now?") == "Answer in English."
    assert chat.answer_language("Où est-ce que j'habite maintenant ?") == "Answer in French."
    session.close()
