from hypothesis import given, settings
from hypothesis import strategies as st

from longcli.text.sentences import split_sentences


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
