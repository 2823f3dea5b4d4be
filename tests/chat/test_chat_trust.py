"""A chat you can trust (issue 20), on a fake model whose replies each test scripts:
longcli's quote label cannot be forged, repeated replies are trimmed, updates win, and a
question about something never said is answered "you haven't told me"."""

import json
from pathlib import Path

import pytest

from longcli.chat.conversation import Chat, ChatOptions
from longcli.chat.exchange import Author
from longcli.chat.labels import label, split_labels
from longcli.chat.session import JOURNAL, Session
from longcli.chat.turn import NO_GROUNDED_ANSWER, NO_NEW_ANSWER, NOT_TOLD
from longcli.errors import SessionError
from longcli.prompts.templates import load_templates
from tests.support.fake_backend import FakeBackend, Scripted

TEMPLATES = load_templates()


def open_chat(path: Path, backend: FakeBackend) -> tuple[Chat, Session]:
    session = Session.open(path, create=True, writable=True)
    return Chat(session, backend, TEMPLATES, ChatOptions()), session


def journal(path: Path) -> list[dict]:
    return [json.loads(line) for line in (path / JOURNAL).read_text().splitlines()]


def everything_sent(backend: FakeBackend) -> str:
    return "\n".join(m.content for prompt in backend.prompts for m in prompt)


def test_a_forged_label_is_removed_and_a_real_one_moves_to_the_note(tmp_path: Path):
    backend = Scripted(
        "Nice to meet you, Priya.",
        'Marine biology is fascinating! (You told me at turn 2: "My job is as a marine '
        'biologist in Halifax.") (You told me at turn 1: "My name is Priya Raman.")',
        'You told me "I love sharks" once. Halifax has a lovely harbour.',
    )
    chat, session = open_chat(tmp_path / "s", backend)
    chat.ask("My name is Priya Raman.")
    reply = chat.ask("I work as a marine biologist in Halifax.")
    assert reply.answer == "Marine biology is fascinating!"
    assert reply.note == label(0, "My name is Priya Raman.")  # said: longcli vouches for it
    assert "My job is" not in reply.text  # never said: gone
    reply = chat.ask("I like the harbour there.")
    assert reply.answer == "Halifax has a lovely harbour."  # the false quote's sentence went
    assert any("never said" in d for d in reply.dropped)
    lines = journal(tmp_path / "s")
    assert [line["v"] for line in lines] == [2, 2, 2]
    assert lines[1]["assistant"] == "Marine biology is fascinating!"
    assert lines[1]["note"] == label(0, "My name is Priya Raman.")
    assert lines[1]["by"] == Author.MODEL
    session.close()


def test_the_model_never_sees_a_quote_label(tmp_path: Path):
    """longcli's own quote is in the reply the user reads, and nowhere in any prompt."""
    backend = Scripted("Noted.", "I am not sure.", "Sure.", "Sure thing.")
    chat, session = open_chat(tmp_path / "s", backend)
    chat.ask("My locker code is 4471.")
    reply = chat.ask("What is my locker code?")
    assert reply.quoted == label(0, "My locker code is 4471.") and reply.quoted in reply.text
    chat.ask("Thanks, that helps a lot today.")
    session.close()
    chat, session = open_chat(tmp_path / "s", backend)  # and not after a restart either
    chat.ask("What else should we talk about today?")
    assert "You told me at turn" not in everything_sent(backend)
    assert "You told me at turn 1" in chat.exchanges[1].shown
    session.close()


def test_a_reply_that_repeats_an_earlier_one_is_trimmed_or_asked_again(tmp_path: Path):
    opening = "I'm glad to hear that and I will remember it."
    backend = Scripted(
        f"{opening} Cats are wonderful companions.",
        f"{opening} Oslo is a lovely city in the north.",
        f"{opening} Cats are wonderful companions.",  # nothing new: asked again ...
        "Painting takes patience and practice.",  # ... and this one is new
        f"{opening}",
        f"{opening}",  # still nothing new after the retry: longcli says so
    )
    chat, session = open_chat(tmp_path / "s", backend)
    chat.ask("My cat is called Tom.")
    reply = chat.ask("I was in Oslo last week.")
    assert reply.answer == "Oslo is a lovely city in the north."
    assert any("repeats an earlier reply" in d for d in reply.dropped)
    reply = chat.ask("I started painting watercolours.")
    assert reply.answer == "Painting takes patience and practice."
    reply = chat.ask("Tell me something about the weather.")  # (a statement: "kept")
    assert reply.answer == NO_NEW_ANSWER and reply.by == Author.LONGCLI
    session.close()


def test_a_repeat_on_the_same_topic_as_another_message_is_still_a_repeat(tmp_path: Path):
    """Sharing words with the new message does not excuse saying again what was said to
    another one (seen: "Your locker code is now 5814." to "My bike lock code is 2210.")."""
    backend = Scripted(
        "Your locker code is now 5814.",
        "Your locker code is now 5814. A bike lock code is worth keeping safe.",
        "The parsley on the balcony is growing fast.",
        "The basil on the balcony is growing fast. Basil likes the sun.",
    )
    chat, session = open_chat(tmp_path / "s", backend)
    chat.ask("Correction: my locker code is now 5814.")
    reply = chat.ask("My bike lock code is 2210.")
    assert reply.answer == "A bike lock code is worth keeping safe."
    chat.ask("My parsley is doing well.")  # (a reply that only says a message back is no reply)
    reply = chat.ask("The basil on the balcony needs more sun.")
    assert reply.answer == "Basil likes the sun."
    session.close()


def test_repeating_the_answer_to_the_same_question_is_not_a_repeat(tmp_path: Path):
    backend = Scripted("Your locker code is 5814.", "Your locker code is 5814.")
    chat, session = open_chat(tmp_path / "s", backend)
    chat.record("My locker code is 5814.", "Noted.")
    assert chat.ask("What is my locker code?").answer == "Your locker code is 5814."
    assert chat.ask("Which code opens my locker?").answer == "Your locker code is 5814."
    session.close()


def test_an_update_replaces_the_old_value_in_everything_the_model_is_shown(tmp_path: Path):
    backend = Scripted()
    chat, session = open_chat(tmp_path / "s", backend)
    chat.record("My locker code is 4471.", "Noted.")
    chat.record("I had pasta for lunch.", "Sounds tasty.")
    chat.record("Correction: my locker code is now 5814.", "Updated.")
    chat.ask("What is my locker code?")
    sent = "\n".join(m.content for m in backend.prompts[-1])
    assert "5814" in sent and "4471" not in sent
    assert [line["user"] for line in journal(tmp_path / "s")][0] == "My locker code is 4471."
    facts = chat.view().facts
    assert [(f.text, f.current) for f in facts[:1]] == [("My locker code is 4471.", False)]
    assert facts[0].replaced_by == 3 and facts[2].current
    session.close()


def test_a_question_about_something_never_said_is_answered_without_the_model(tmp_path: Path):
    backend = Scripted()
    chat, session = open_chat(tmp_path / "s", backend)
    chat.record("My cat is called Tom.", "Noted.")
    calls = backend.calls
    reply = chat.ask("What is my blood type?")
    assert reply.text == NOT_TOLD and reply.by == Author.LONGCLI and backend.calls == calls
    assert journal(tmp_path / "s")[-1]["by"] == Author.LONGCLI
    assert chat.ask("What is my cat called?").by == Author.MODEL  # told: the model answers
    assert chat.ask("What should I cook for my dinner?").by == Author.MODEL  # advice, not memory
    assert chat.ask("What is the capital of Peru?").by == Author.MODEL  # not about the user
    assert backend.calls == calls + 3
    session.close()


def test_an_answer_from_a_document_may_not_invent_its_numbers(tmp_path: Path):
    backend = Scripted("The lanes will cost 5 million euros. They were approved on Tuesday.")
    chat, session = open_chat(tmp_path / "s", backend)
    text = "The council voted on Tuesday. The bike lanes will cost 3.2 million euros in all."
    chat.add_document("lanes.txt", text, lambda body, words: "Bike lanes were approved.")
    reply = chat.ask("How much will the bike lanes cost?")
    assert "5 million" not in reply.text and "approved on Tuesday" in reply.text
    assert any("names 5" in d for d in reply.dropped)
    # The answer missed the cost: the document's own sentence follows, in longcli's note.
    assert reply.note.startswith("(From lanes.txt") and "3.2 million euros" in reply.note
    session.close()


def test_an_older_journal_is_read_with_its_labels_checked(tmp_path: Path):
    """Version-1 lines kept longcli's quote in the reply: a label whose words were said is
    split off into the note, a forged one is left out of what the model sees."""
    path = tmp_path / "s"
    Session.open(path, create=True, writable=True).close()
    real = label(0, "My name is Priya Raman.")
    forged = '(You told me at turn 2: "My job is as a marine biologist.")'
    lines = [
        {"user": "My name is Priya Raman.", "assistant": "Hello Priya!", "tokens": 9},
        {"user": "I work as a marine biologist.", "assistant": f"Great!\n\n{forged}", "tokens": 9},
        {"user": "What is my name?", "assistant": f"You are Priya.\n\n{real}", "tokens": 9},
    ]
    (path / JOURNAL).write_text("".join(json.dumps(line) + "\n" for line in lines))
    with Session.open(path, create=False, writable=False) as session:
        exchanges = session.load_journal()
    assert [e.assistant for e in exchanges] == ["Hello Priya!", "Great!", "You are Priya."]
    assert [e.note for e in exchanges] == ["", "", real]


def test_split_labels_corrects_the_turn_of_words_said_elsewhere():
    said = ["My name is Priya Raman.", "I like tea."]
    text, labels = split_labels('Hi. (You told me at turn 2: "My name is Priya Raman.")', said)
    assert text == "Hi." and labels == [label(0, "My name is Priya Raman.")]
    assert split_labels("No labels here.\n\n  Indented.", said) == (
        "No labels here.\n\n  Indented.",
        [],
    )


def test_a_journal_line_from_a_newer_longcli_is_refused_not_cut(tmp_path: Path):
    path = tmp_path / "s"
    Session.open(path, create=True, writable=True).close()
    line = {"v": 3, "user": "Hi.", "assistant": "Hello.", "tokens": 3}
    (path / JOURNAL).write_text(json.dumps(line))  # last line, without its newline
    session = Session.open(path, create=False, writable=False)
    with pytest.raises(SessionError, match="newer longcli"):
        session.load_journal()
    assert json.loads((path / JOURNAL).read_text()) == line


def test_not_told_means_nothing_said_holds_what_the_question_asks(tmp_path: Path):
    """A question about the user is answered "not told" unless one statement holds all it
    asks: his job is not his name; a name or number is held by its shape."""
    backend = Scripted()
    chat, session = open_chat(tmp_path / "s", backend)
    for said in (
        "My brother works as a train driver.",
        "Please keep in mind: my flight is KL1234.",
        "I work as a marine biologist in Halifax.",
        "I went to Lisbon years ago and loved the trams.",
    ):
        chat.record(said, "Noted.")
    for never in ("What is my brother's name?", "What's my favourite colour?"):
        assert chat.ask(never).by == Author.LONGCLI, never
    # "How tall am I?" names no thing of the user's: by words alone it may have been said
    # in other words ("When was I born?" / "My birthday is on 14 March"), so the model
    # answers, its names and numbers checked (tests/chat/test_walk_words.py)
    assert chat.ask("How tall am I?").by == Author.MODEL
    for told in (
        "What's my flight number?",
        "Which city do I work in?",
        "What does my brother do?",
    ):
        assert chat.ask(told).by == Author.MODEL, told
    session.close()
    chat, session = open_chat(tmp_path / "t", Scripted())
    chat.record("I am 34 and my brother Tom is a dentist.", "Noted.")
    chat.record("My name is Priya.", "Noted.")
    for told in ("How old am I?", "What is my brother's job?", "What is my brother's name?"):
        assert chat.ask(told).by == Author.MODEL, told
    assert chat.ask("What is my sister's name?").by == Author.LONGCLI  # "my name" is not hers
    session.close()


def test_a_question_naming_someone_is_answered_with_what_was_said_of_them(tmp_path: Path):
    backend = Scripted("Let me think about that.")
    chat, session = open_chat(tmp_path / "s", backend)
    chat.record("Grandpa Ewald turns 91 on Sunday.", "Noted.")
    reply = chat.ask("How old will Ewald be?")
    assert reply.note == label(0, "Grandpa Ewald turns 91 on Sunday.")
    session.close()


def test_the_document_sentence_quoted_is_the_one_that_answers():
    from longcli.chat.quotes import best_sentence

    passage = (
        "[report.txt, characters 0-400] City council approves east-side bike lanes\n\n"
        "The city council voted 7 to 4 to build bike lanes along Harbour Street. "
        "Councillors Anna Berg and Peter Wahl voted against the plan. "
        "Local cycling club Trampa collected 2,300 signatures for the lanes. "
        "Its chair, Elin Sjöberg, called the vote a good day."
    )
    place, against = best_sentence([passage], "Who voted against the bike lanes?")
    assert place == "report.txt, characters 0-400"
    assert against == "Councillors Anna Berg and Peter Wahl voted against the plan."
    _, chair = best_sentence([passage], "Who chairs the cycling club Trampa?")
    assert chair == (  # the next sentence holds the rest of the question: both, in order
        "Local cycling club Trampa collected 2,300 signatures for the lanes. "
        "Its chair, Elin Sjöberg, called the vote a good day."
    )


def test_a_reply_of_nothing_but_invented_names_is_said_to_be_that(tmp_path: Path):
    doc_reply = "The mayor of Lakeland proposed it."
    backend = Scripted(doc_reply, doc_reply)
    chat, session = open_chat(tmp_path / "s", backend)
    chat.add_document(
        "report.txt",
        "Mayor Lotta Nystrom, who proposed the lanes, said the work will start in April.",
        lambda text, words: text,
    )
    reply = chat.ask("Who proposed the lanes?")
    assert reply.answer == NO_GROUNDED_ANSWER and reply.by == Author.LONGCLI
    assert "Lotta Nystrom" in reply.note  # the document's own sentence, quoted
    session.close()


def test_giving_a_fact_again_to_another_question_is_an_answer_not_a_repeat(tmp_path: Path):
    answer = "Your sister Anna lives in Oslo near the harbour."
    backend = Scripted(answer, answer)
    chat, session = open_chat(tmp_path / "s", backend)
    chat.record("My sister Anna lives in Oslo near the harbour.", "Noted.")
    assert chat.ask("Where does my sister live?").answer == answer
    assert chat.ask("What is my sister called?").answer == answer
    session.close()


def test_messages_without_content_words_are_not_the_same_question(tmp_path: Path):
    long_reply = "The northern lights appear when charged particles from the sun reach the air."
    backend = Scripted(long_reply, long_reply, long_reply)
    chat, session = open_chat(tmp_path / "s", backend)
    assert chat.ask("Why?").answer == long_reply
    reply = chat.ask("And?")
    assert reply.answer == NO_NEW_ANSWER and reply.by == Author.LONGCLI
    session.close()


def test_the_quote_for_a_question_about_something_else_is_the_statement_on_its_matter(
    tmp_path: Path,
):
    backend = Scripted("I'm sorry, I couldn't provide that.", "The plumbers number is 0612.")
    chat, session = open_chat(tmp_path / "s", backend)
    chat.record("My locker code is 5814 and my bike code is 2210.", "Noted.")
    chat.record("Don't forget: the gate code for the allotment is 3391.", "Noted.")
    chat.record("the plumbers number is 0612 448 901", "Noted.")
    reply = chat.ask("What is the gate code for the allotment?")
    assert "3391" in reply.note  # not the locker code, which ranks by "code" too
    reply = chat.ask("What is the plumber's number?")
    assert "0612 448 901" in reply.note  # "0612" alone does not give the number
    session.close()


def test_a_question_ending_in_a_full_width_mark_is_a_question(tmp_path: Path):
    """Seen: "我的储物柜密码是多少？" was taken for a statement (kept as a fact, never
    answered with the user's words), as it does not end in "?"."""
    backend = Scripted("OK.")
    chat, session = open_chat(tmp_path / "s", backend)
    chat.record("我的储物柜密码是4471，请记住。", "好的。")
    reply = chat.ask("我的储物柜密码是多少？")
    assert reply.note == label(0, "我的储物柜密码是4471，请记住。")
    assert [f.text for f in chat.view().facts] == ["我的储物柜密码是4471，请记住。"]
    session.close()


def test_statements_that_differ_are_not_the_same_question(tmp_path: Path):
    """Seen: "Your own words." to "Our neighbour gave us 3 seedlings." and again to "... 40
    seedlings.": two statements are the same message only word for word."""
    backend = Scripted("Your own words of thanks.", "Your own words of thanks.", "Lovely!")
    chat, session = open_chat(tmp_path / "s", backend)
    chat.ask("Our neighbour gave us 3 seedlings.")
    reply = chat.ask("Our neighbour gave us 40 seedlings.")
    assert reply.answer == "Lovely!"
    session.close()


def test_a_reply_made_mostly_of_an_earlier_one_is_cut_where_it_becomes_that(tmp_path: Path):
    """No sentence repeats one said before, but together they are mostly an earlier reply
    to another message (as the bench counts): the sentence that makes it so goes."""
    backend = Scripted(
        "Priya Raman loves old trams on sunny hills with coffee.",
        "Priya Raman, hello. Old trams are sunny. Coffee is good.",
    )
    chat, session = open_chat(tmp_path / "s", backend)
    chat.ask("My name is Priya Raman.")
    reply = chat.ask("Priya takes her coffee black with one sugar.")
    assert reply.answer == "Priya Raman, hello. Coffee is good."
    assert any("mostly an earlier one" in d for d in reply.dropped)
    session.close()


def test_the_quote_is_the_statement_that_calls_the_thing_theirs(tmp_path: Path):
    backend = Scripted("Noted.")
    chat, session = open_chat(tmp_path / "s", backend)
    chat.record("Correction: my locker code is now 5814.", "Noted.")
    chat.record("The gym locker I borrowed had the code 9930.", "Noted.")
    reply = chat.ask("What is my locker code?")
    assert reply.note == label(0, "Correction: my locker code is now 5814.")
    session.close()


def test_a_question_for_a_time_is_answered_only_by_the_time():
    from longcli.chat.facts import Fact
    from longcli.chat.questions import answer_states

    said = Fact(
        0,
        0,
        "",
        "Next year the library plans to extend its opening hours to 9 pm on "
        "Thursdays and to start a repair cafe on the first Saturday of every month.",
        "statement",
    )
    question = "Until when will the library open on Thursdays?"
    vague = "The library plans to extend its opening hours, starting on the first Saturday."
    assert not answer_states(vague, said, question)  # so the sentence with "9 pm" is quoted
    assert answer_states("It will open until 9 pm on Thursdays.", said, question)
