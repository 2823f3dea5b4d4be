"""What a new user's chat showed as replies (issue 30, a second walk), one test per case:
the fake model's replies are scripted as the bundled model wrote them, so what longcli
shows of them is checked exactly."""

from pathlib import Path

from longcli.chat.conversation import Chat, ChatOptions
from longcli.chat.exchange import Author, Exchange
from longcli.chat.fold import extractive_fold
from longcli.chat.session import Session
from longcli.chat.turn import NO_ANSWER, NO_NEW_ANSWER
from longcli.prompts.templates import load_templates
from tests.support.fake_backend import FakeBackend, Scripted

TEMPLATES = load_templates()


class Always(FakeBackend):
    """Answers every call with the same reply, as a small model stuck on one can."""

    def __init__(self, reply: str) -> None:
        super().__init__(n_ctx=2048)
        self.reply = reply

    def _reply(self, messages, sampling):
        return self.reply, "stop"


def open_chat(path: Path, backend: FakeBackend) -> tuple[Chat, Session]:
    session = Session.open(path, create=True, writable=True)
    return Chat(session, backend, TEMPLATES, ChatOptions()), session


# 1. A reply with no sentence of words is no reply.


def test_a_reply_of_list_numbers_alone_is_asked_again_then_said_to_be_none(tmp_path: Path):
    backend = Scripted("1. \n2. \n3. \n4. \n5.", "2. \n3.")
    chat, session = open_chat(tmp_path / "s", backend)
    # (not a look-up of the user's facts, which none answers: the model is asked)
    reply = chat.ask("Good morning, it's a new day! What should I cook tonight?")
    assert reply.answer == NO_ANSWER and reply.by == Author.LONGCLI
    session.close()


def test_a_numbered_list_keeps_its_numbers_and_loses_its_empty_items(tmp_path: Path):
    backend = Scripted("Two ideas:\n1. Buy basil.\n2. Water it daily.\n3. \n4.")
    chat, session = open_chat(tmp_path / "s", backend)
    reply = chat.ask("Any tips for keeping herbs alive?")
    assert reply.answer == "Two ideas:\n1. Buy basil.\n2. Water it daily."
    session.close()


def test_half_english_junk_to_a_chinese_question_shows_no_english_and_no_empty_items(
    tmp_path: Path,
):
    junk = (
        "美肃语: 阴首\n1. 你可以在这里提供一个帮助用户，没有任何关系。\n"
        '   - 如果要使用中文字, you can use "zhang-zhi" in Chinese characters (哪怎么说？).\n\n'
        "2. 每一个月三十多少日，你可以在这里提供一次。\n\n3. \n4. \n5.    - 如果要使用中文字, "
        'you can use "'
    )
    chat, session = open_chat(tmp_path / "s", Always(junk))
    chat.record("我的生日是十月三日。", "好的。")
    reply = chat.ask("我的生日是哪天？")
    assert "you can use" not in reply.answer
    assert "3." not in reply.answer and "5." not in reply.answer
    session.close()


# 2. The same sentence twice, a phrase across replies, the same reply to two questions.

COFFEE = (
    "I'm so glad to hear that. It's a wonderful thing, and I always try to remember how much "
    "you love your coffee!\nIt is very special for me too - it has been my favorite drink ever "
    "since I was little. But now, when I think about all the things we have lost in the past "
    "few years because of climate change...I'm so glad that you're doing everything you can to "
    "help and support us here at home. It's a wonderful thing!\nIt is very special for me too "
    "- it has been my favorite drink ever since I was little, but now when I think about all "
    "the things we have lost in the past few years because of climate change...I'm so glad "
    "that you're doing everything to help and support us here at home. It is very special for "
    "me too - it has been my favorite drink ever since I was"
)
BOARD_GAMES = (
    "Board games are a wonderful thing, and I have always loved playing them!\nBut now when I "
    "think about all the things we've lost in the past few years because of climate change..."
    "I'm so glad that you're doing everything to help us here at home, and it's wonderful how "
    "much love you have for your community!\nIt is very special for me too - they've been my "
    "favorite game ever since I was little."
)
TOMATOES = (
    "Yes, I have a balcony that has a very beautiful garden. It's lovely to see it in the sun "
    "and enjoy fresh tomatoes on your windowsill!\nI'm so glad you're doing everything possible "
    "for our community here at home too - planting them can be such an amazing thing, "
    "especially when they've been affected by climate change...It is wonderful that we are "
    "working together with everyone around the world to make sure this isn't happening again."
)


def test_a_sentence_said_twice_in_one_reply_is_shown_once(tmp_path: Path):
    chat, session = open_chat(tmp_path / "s", Scripted(COFFEE))
    reply = chat.ask("Funny thing, I've switched to coffee now, tea just doesn't do it for me.")
    assert reply.answer.count("favorite drink ever since") == 1
    assert reply.answer.count("climate change") == 1
    session.close()


def test_a_phrase_is_not_shown_again_in_the_replies_to_other_messages(tmp_path: Path):
    chat, session = open_chat(tmp_path / "s", Scripted(COFFEE, BOARD_GAMES, TOMATOES))
    shown = [
        chat.ask("Funny thing, I've switched to coffee now, tea just doesn't do it for me.").answer,
        chat.ask("What do you think about board games?").answer,
        chat.ask("I'm thinking of planting tomatoes on the balcony.").answer,
    ]
    assert sum("so glad that you're doing everything" in s for s in shown) == 1
    assert sum("in the past few years because of climate change" in s for s in shown) == 1
    assert "Board games are a wonderful thing" in shown[1]
    session.close()


def test_the_same_reply_to_two_different_questions_is_shown_once(tmp_path: Path):
    same = (
        "I'm glad you're here, and I'll be happy to help with any questions or requests.\n"
        "You can ask me anything!"
    )
    chat, session = open_chat(tmp_path / "s", Always(same))
    chat.record("Hey, my name is Hannah and I'm a nurse in Leeds.", "Hello Hannah.")
    chat.record("My husband Tom restores old motorbikes in our garage.", "Lovely.")
    assert chat.ask("What's my husband's name?").answer == same
    assert chat.ask("What's my name?").answer == NO_NEW_ANSWER
    session.close()


# 3. A reply cut off mid-sentence.


def test_a_last_sentence_that_does_not_end_is_dropped(tmp_path: Path):
    chat, session = open_chat(tmp_path / "s", Scripted(COFFEE))
    reply = chat.ask("Funny thing, I've switched to coffee now, tea just doesn't do it for me.")
    assert reply.answer.rstrip().endswith((".", "!"))
    assert not reply.answer.endswith("ever since I was")
    session.close()


def test_an_unfinished_tail_after_a_sentence_is_dropped(tmp_path: Path):
    chat, session = open_chat(tmp_path / "s", Scripted("Here is a tip. - It is very"))
    reply = chat.ask("Any advice for a Monday?")
    assert reply.answer == "Here is a tip."
    assert [d.split(":")[0] for d in reply.dropped] == ["is cut off mid-sentence"]
    session.close()


def test_a_finished_reply_without_a_full_stop_is_kept(tmp_path: Path):
    # (its closing emoji is decoration, taken off: tests/chat/test_walk_nine.py)
    chat, session = open_chat(tmp_path / "s", Scripted("Have a lovely day 😊"))
    assert chat.ask("Bye for now!").answer == "Have a lovely day"
    session.close()


# 4. The prompt's own layout never reaches a reply or a fold.


def test_a_recalled_turn_label_never_reaches_a_reply(tmp_path: Path):
    leak = (
        "Makes me think of my latest post:\n[turn 3] User: My husband Tom restores old "
        "motorbikes in our garage."
    )
    chat, session = open_chat(tmp_path / "s", Scripted(leak))
    chat.record("My husband Tom restores old motorbikes in our garage.", "Lovely.")
    reply = chat.ask("Do you like crossword puzzles?")
    assert "[turn" not in reply.answer and "User:" not in reply.answer
    session.close()


def test_the_summary_s_quote_lead_never_reaches_a_reply(tmp_path: Path):
    leak = (
        "To add to what I mentioned earlier, it seems you're asking about puzzles.\n"
        "- The user said: \"I'm sorry for any confusion\"... that's a joke from my past!"
    )
    chat, session = open_chat(tmp_path / "s", Scripted(leak))
    reply = chat.ask("Do you like puzzles?")
    assert "The user said" not in reply.answer
    session.close()


def test_an_echo_of_the_facts_heading_and_its_list_never_reach_a_reply(tmp_path: Path):
    leak = (
        "Thank you. A little bit about yourself, in your own words:\n- I'm a wonderful person "
        "with lots of friends and family to support me through my journey!"
    )
    chat, session = open_chat(tmp_path / "s", Scripted(leak))
    reply = chat.ask("Ugh, long day. Grading forty lab reports.")
    assert reply.answer == "Thank you."
    session.close()


def test_a_fold_keeps_no_role_or_turn_label():
    exchanges = [
        Exchange(0, "Hey, my name is Hannah and I'm a nurse.", "Hello Hannah, welcome!", 20),
        Exchange(
            1,
            "Do you like crossword puzzles?",
            "Makes me think of my latest post:\n[turn 3] User: My husband Tom restores old "
            "motorbikes in our garage.",
            30,
        ),
    ]
    folded = extractive_fold("Assistant: Tom's a great guy. User: Where do I live?", exchanges, 200)
    for marker in ("User:", "Assistant:", "[turn"):
        assert marker not in folded
    assert "Hannah" in folded


# 5. A number the user never said, in a reply about their facts.


def test_a_number_the_user_never_said_is_not_shown_about_their_facts(tmp_path: Path):
    backend = Scripted("- You've been teaching chemistry for 10 years now.")
    chat, session = open_chat(tmp_path / "s", backend)
    chat.record(
        "I quit the hospital pharmacy, these days I teach chemistry at a secondary school.",
        "I'm glad to hear that.",
    )
    chat.record("We gave Bruno to my aunt.", "A wonderful thing in your community of 10 million.")
    reply = chat.ask("What do I teach these days?")
    assert "10 years" not in reply.answer
    session.close()
