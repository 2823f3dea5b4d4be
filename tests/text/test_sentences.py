import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from longcli.text.sentences import (
    CJK_CHARS_PER_WORD,
    MAX_SENTENCE_CHARS,
    MAX_SENTENCE_WORDS,
    split_sentences,
)
from longcli.text.vocabulary import FORMAT_CHARS


def texts(text: str, **kwargs) -> list[str]:
    return [s.text for s in split_sentences(text, **kwargs)]


def test_abbreviations_and_initials_do_not_end_sentences():
    text = "Mr. Smith met Dr. Watson at 9 a.m. in St. Louis. Lieutenant I.V. Hendricks left."
    assert texts(text) == [
        "Mr. Smith met Dr. Watson at 9 a.m. in St. Louis.",
        "Lieutenant I.V. Hendricks left.",
    ]


def test_quotes_and_ellipses():
    text = '"It looks," he said, "like a carp." Wait... what? He paused... Then he left!'
    assert texts(text) == [
        '"It looks," he said, "like a carp."',
        "Wait... what?",
        "He paused...",
        "Then he left!",
    ]


def test_blank_lines_lists_and_short_lines_end_sentences():
    text = "A heading\n\nFirst point of the paragraph\n- one item\n- two items\nCORIOLANUS:\nSpeak."
    assert texts(text) == [
        "A heading",
        "First point of the paragraph",
        "- one item",
        "- two items",
        "CORIOLANUS:",
        "Speak.",
    ]


def test_hard_wrapped_prose_is_joined():
    text = (
        "This is a hard wrapped line of prose that goes on for quite a while and then\n"
        "continues on the next line until it ends. Another sentence."
    )
    assert len(texts(text)) == 2


def test_run_on_text_is_cut():
    text = " ".join(f"word{i}" for i in range(500))
    found = split_sentences(text, max_words=60)
    assert len(found) == 9 and all(len(s.text.split()) <= 60 for s in found)


def test_lowercase_chat_messages():
    text = "my cat is called pixel. i live in oslo. e.g. this is fine."
    assert len(texts(text)) == 1
    assert texts(text, lowercase_starts=True) == [
        "my cat is called pixel.",
        "i live in oslo.",
        "e.g. this is fine.",
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from([*"ab Cd.!?\n\"'-:;1", "Mr.", "\n\n", "e.g.", "Alice", "  "]),
        max_size=120,
    ).map("".join)
)
def test_offsets_are_ordered_and_match_the_text(text):
    previous_end = 0
    for sentence in split_sentences(text):
        assert previous_end <= sentence.start < sentence.end <= len(text)
        assert " ".join(text[sentence.start : sentence.end].split()) == sentence.text
        previous_end = sentence.end


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *"茶是。！？「」“”，；と他说 \n.?",
                "z. B.",
                "т. е.",
                "¿Qué?",
                "« Oui. »",
                "## 3. ",
                "12",
            ]
        ),
        max_size=150,
    ).map("".join)
)
def test_offsets_hold_in_every_script(text):
    previous_end = 0
    for sentence in split_sentences(text, max_words=5):
        assert previous_end <= sentence.start < sentence.end <= len(text)
        assert " ".join(text[sentence.start : sentence.end].split()) == sentence.text
        previous_end = sentence.end


def test_log_lines_are_records_but_wrapped_prose_before_a_number_is_joined():
    log = (
        "2024-05-01 12:00:01 INFO server started on port 8080 with four workers\n"
        "2024-05-01 12:00:02 WARN cache directory is missing and will be created\n"
        "12:00:03 ERROR could not open the configuration file for the service"
    )
    assert len(texts(log)) == 3
    after_prose = (
        "The service wrote these lines to its log while it was starting up today and\n"
        "2024-05-01 12:00:02 WARN cache directory is missing and will be created now"
    )
    assert len(texts(after_prose)) == 2  # the dated line is a record of its own
    for wrapped in (
        "The harbour records from the long and difficult winter show that, in all,\n"
        "42 ships were lost between November and March of that very cold year.",
        "Before the release the team asked every user of the old versions to upgrade to\n"
        "3.11.2 before the end of the month, which most of them did in time.",
    ):
        assert len(texts(wrapped)) == 1, wrapped
    prose = (
        "most of its gain is the selection, and the bundled model is mostly refused. Bring a\n"
        "1-8B instruct model for summaries in the model's own words."
    )
    assert texts(prose)[-1] == "Bring a 1-8B instruct model for summaries in the model's own words."


# -- hostile inputs (issue 33): every stage linear, nothing invisible costs a sentence ------


def test_a_sentence_then_a_run_of_periods_is_that_sentence():
    periods = "The harbour committee met on Monday" + "." * 5_000
    assert texts(periods) == ["The harbour committee met on Monday."]
    assert texts(periods + " The vote passed.") == [
        "The harbour committee met on Monday.",
        "The vote passed.",
    ]
    assert texts("Why" + "?" * 5_000 + " Because.") == ["Why?", "Because."]


def test_numbered_periods_make_short_sentences():
    numbered = " ".join(f"{i}." for i in range(2_000))
    found = split_sentences(numbered)
    assert found and all(len(s.text.split()) <= MAX_SENTENCE_WORDS for s in found)
    assert "".join(s.text.replace(" ", "") for s in found) == numbered.replace(" ", "")


def test_unpunctuated_chinese_is_cut_into_units_by_length():
    text = "".join(chr(0x4E00 + (i * 7919) % 20_000) for i in range(27_000))
    found = split_sentences(text)
    assert len(found) > 100
    assert all(len(s.text) <= CJK_CHARS_PER_WORD * MAX_SENTENCE_WORDS + 1 for s in found)
    assert "".join(s.text for s in found) == text  # every character is in one unit


def test_a_long_run_without_spaces_is_cut_but_never_inside_a_character():
    text = "e\u0301" * 3_000 + " and then the end."  # é written as e + a combining accent
    found = split_sentences(text)
    assert len(found) > 2 and all(len(s.text) <= MAX_SENTENCE_CHARS + 2 for s in found)
    assert not any(s.text.startswith("\u0301") for s in found)


@pytest.mark.parametrize("invisible", ["\u200b", "\ufeff", "\u200f", "\u202e", "\u2060"])
def test_an_invisible_character_never_hides_a_sentence_start(invisible: str):
    text = (
        f"{invisible}The harbour committee met on Monday. {invisible}The vote passed at noon.\n\n"
        f"{invisible}The mayor thanked everyone."
    )
    assert texts(text) == [
        "The harbour committee met on Monday.",
        "The vote passed at noon.",
        "The mayor thanked everyone.",
    ]
    found = split_sentences(text)
    assert all(text[s.start : s.end] == s.text for s in found)  # offsets skip it too


def test_joiners_inside_words_stay():
    text = "The family 👨\u200d👩\u200d👧 came. Она сказала می\u200cخواهم twice. Done now."
    assert texts(text) == [
        "The family 👨\u200d👩\u200d👧 came.",
        "Она сказала می\u200cخواهم twice.",
        "Done now.",
    ]


def test_format_characters_are_every_cf_character():
    import re
    import unicodedata

    format_char = re.compile(f"[{FORMAT_CHARS}]")
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        if unicodedata.category(ch) == "Cf":
            assert format_char.match(ch), f"U+{code:04X} is a format character"
    assert not format_char.match("a") and not format_char.match(" ")
