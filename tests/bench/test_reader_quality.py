"""The reader's bench metrics (bench/reader_quality.py): pure functions, no model."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "reader_quality.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("reader_quality", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["reader_quality"] = module
    spec.loader.exec_module(module)
    return module


rq = _load()


@pytest.mark.parametrize(
    "sentence",
    [
        "Mara did not panic.",
        "Cob nodded.",
        "Cras non urna.",
        '"We\'re trying, Cob!" shouted Strike over the whine of the circuit.',
        "Mr. Darcy replied, with great intrepidity,-- “Miss Elizabeth Bennet.”",
        "Is there a difference between this text and some nonsense like “Huardest gefburn”?",
    ],
)
def test_whole_sentences_are_not_fragments(sentence: str) -> None:
    assert rq.fragment_reasons(sentence) == []


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("much handsomer than Mr. Bingley, and he was looked at with great", "starts lower-case"),
        ("he was looked at with great admiration for about half the", "ends on 'the'"),
        ("It streams a file of any size (text, Markdown, PDF, EPUB,", "cut mid-list"),
        (
            "On their being joined by Mr. Bingley himself, Elizabeth withdrew to Miss Lucas;",
            "no end",
        ),
        ("(Copyrighted.", "unbalanced ()"),
        ("Strike.", "1 word"),
        ("Radar Officer.", "2 words"),
        (", and then he left.", "starts with ','"),
    ],
)
def test_fragments_say_why(sentence: str, reason: str) -> None:
    assert any(r.startswith(reason) for r in rq.fragment_reasons(sentence))


def test_a_lower_case_name_starting_its_source_sentence_is_whole() -> None:
    assert rq.fragment_reasons("longcli does not.", author_lowercase=True) == []
    assert rq.fragment_reasons("longcli does not.") == ["starts lower-case"]


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("## Install pip install longcli", "heading"),
        ("It is fast. - `longcli summarize` streams a file.", "list marker"),
        ("use them when memory is the limit | Measured with the model", "table"),
        ("**Every answer is checked** against its input.", "markup"),
        ("Lydia, though you _are_ the youngest, will dance.", "markup"),
        ("[Illustration: Elizabeth was now to see Mr. Wickham.", "markup"),
        ("Run it with --words 150 for a short one.", "code"),
        ("```sh longcli summarize book.txt", "code"),
        ("`longcli models pull qwen --alias q`.", "code"),
        ("Then run `longcli summarize book.txt --words 150", "code"),
        ("See [the docs](#use-with-a-server) first.", "url"),
        ("Produced by the Online Distributed Proofreading Team at http://www.pgdp.net.", "url"),
        ("Smith, J. (2019). A study of lamps.", "reference"),
        ("As shown by Jones et al. in their study.", "reference"),
        ("Baum, L. Frank, The Wizard of Oz.", "reference"),
        ("This eBook is for the use of anyone anywhere.", "licence"),
        ("the U.S. copyright on this publication was renewed.", "licence"),
        ("It was an exam- ple of it.", "hyphenation"),
        ("\"That's true.", "stray quote"),
        ("The map f −1 is continuous.", "exponent"),
    ],
)
def test_debris_is_named(sentence: str, kind: str) -> None:
    assert kind in rq.debris_kinds(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Mara rowed to Harrowby on Sundays to buy oil, bread and news.",
        "The next variation was produced by the entrance of servants with cold meat.",
        "There should be one-- and preferably only one --obvious way to do it.",
        "It was a pre- and post-war habit.",
        '"No," said Retief.',
        "Put a `prompts.yaml` with the keys you want to change in the config directory.",
    ],
)
def test_clean_prose_has_no_debris(sentence: str) -> None:
    assert rq.debris_kinds(sentence) == []


def test_page_furniture_from_the_source() -> None:
    source = "1 Foo\nHello, here is some text.\n\n2\n\n8 Bar\nMore text here, and more.\n\n3\n"
    furniture = rq.page_furniture(source)
    assert {"2", "3"} <= furniture.page_numbers
    assert "8 Bar" in furniture.headings
    assert "heading glued on" in rq.debris_kinds(
        "8 Bar Hello, here is some text.", furniture, "8 Bar"
    )
    assert "page number" in rq.debris_kinds("3", furniture)


@pytest.mark.parametrize(
    ("short", "original", "reason"),
    [
        ("Mara did panic.", "Mara did not panic.", "drops negation 'not'"),
        ("Elias came to Gull Rock.", "Elias came to Gull Rock with 2 lamps.", None),
        ("She went home.", "She went home, but never came back.", "drops negation 'never'"),
        ("Elizabeth went to town.", "Elizabeth and Jane went to town.", "drops name 'Jane'"),
        ("The Petrel had her crew.", "The Petrel had all eleven of her crew.", "drops number"),
        ("he was looked at with great", "he was looked at with great admiration all evening.",
         "cut off mid-clause"),
    ],
)  # fmt: skip
def test_meaning_changes(short: str, original: str, reason: str | None) -> None:
    reasons = rq.meaning_changes(short, original)
    if reason is None:
        assert any(r.startswith(("drops number", "deletes mid-clause")) for r in reasons)
    else:
        assert any(r.startswith(reason) for r in reasons), reasons


@pytest.mark.parametrize(
    ("short", "original"),
    [
        ("She carried a lantern up the stairs.",
         "She carried a lantern up the stairs, and she held it in the window."),
        ("However, he left.", "However, he left, sadly, before dawn."),
        ("He saw the gun.", "Then he saw the gun."),
        ("`--repack` forces it.", "`--no-repack` skips repacking outright; `--repack` forces it."),
        ("Mara panicked.", "Mara did not panic."),  # not a shortening: not judged here
        ("Mara did not panic.", "Mara did not panic."),  # nothing deleted
    ],
)  # fmt: skip
def test_whole_clauses_deleted_keep_the_meaning(short: str, original: str) -> None:
    assert rq.meaning_changes(short, original) == []


def test_marked_deletions_show_what_went() -> None:
    marked = rq.marked_deletions("Mara did panic.", "Mara did not panic.")
    assert marked == "Mara did ⟦not⟧ panic."


def test_titles() -> None:
    assert rq.document_title("x\n\nTitle: Pride and Prejudice\n\nAuthor: Jane") == (
        "Pride and Prejudice"
    )
    assert rq.document_title("# longcli\n\nSummarize text.") == "longcli"
    story = "\n\nProduced by Greg Weeks and the Online\nDistributed Proofreading Team\nDoorway\n"
    assert rq.document_title(story) == "Doorway"
    assert rq.document_title("Contents\n1 Foo 2\n2 Bar 2\n") is None
    assert rq.title_named("A tale of pride and of prejudice.", ["Pride and Prejudice"])
    assert rq.title_named("Elizabeth meets Darcy.", ["Pride and Prejudice"]) is False
    assert rq.title_named("anything", []) is None


def test_tenths_names_and_length() -> None:
    assert rq.tenths_represented([0, 5, 99, 100], 100) == [0, 9]
    text = "Then Anna met Bob. Then Anna saw Carl. Later Carl called Anna. Anna ate. The end."
    assert rq.top_names(text, 2) == ["Anna", "Carl"]
    assert rq.names_present("Anna left.", ["Anna", "Bob"]) == ["Anna"]
    assert rq.summary_length("one two three") == 3
    assert rq.summary_length("长文本摘要工具") == 7


def test_score_summary_aligns_to_the_source() -> None:
    source = rq.SMOKE_TEXT
    summary = (
        "Mara Quill kept the lighthouse on Gull Rock for thirty years. "
        "Mara did panic. Elias Dunn saw the small light and turned his ship away from the"
    )
    score = rq.score_summary(summary, source, titles=["The Lighthouse Keeper"], words=30)
    assert score.sentences == 3
    assert [f.sentence for f in score.meaning] == ["Mara did panic."]
    assert score.meaning[0].source == "Mara did ⟦not⟧ panic."
    assert any("ends on 'the'" in f.reasons for f in score.fragments)
    assert score.from_source == 3
    assert score.tenths and score.tenths[0] == 0
    assert score.length_ratio == pytest.approx(len(summary.split()) / 30)


def test_smoke_checks_pass() -> None:
    assert rq.smoke_checks() == []


def test_missing_shared_data_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(rq, "SHARED", Path("/nonexistent/shared/data"))
    assert rq.main(["--docs", "stories"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "missing" in err


def test_deleting_the_main_clause_after_a_subordinate_one_is_flagged() -> None:
    reasons = rq.meaning_changes(
        "Harold Tate told him, and later, when Syme had taken him to his rooms.",
        "Harold Tate told him, and later, when Syme had taken him to his rooms, he showed him "
        "what was in his little black suitcase.",
    )
    assert reasons == ["leaves 'when …' without its main clause"]


@pytest.mark.parametrize(
    ("sentence", "rest"),
    [
        ("Pride and Prejudice, by Jane Austen.", ""),
        ("Jinx Ship To The Rescue, by Alfred Coppel, Jr. Strike cursed.", "Strike cursed."),
        ("Children's Tales, by L. Frank Baum.", ""),
        ("longcli: Summarize text of any length.", "Summarize text of any length."),
        ("Pride and prejudice ruled her.", None),
        ("Mara did not panic.", None),
    ],
)
def test_a_lead_naming_the_title_is_not_judged_as_a_sentence(
    sentence: str, rest: str | None
) -> None:
    titles = ["Pride and Prejudice", "Jinx Ship To The Rescue", "Children's Tales", "longcli"]
    assert rq.after_title(sentence, titles) == rest


def test_starts_mid_sentence_is_seen_through_the_alignment() -> None:
    source = (
        "Later, when every attempt had failed, the Protectorate forbade any Earthman to go "
        "near the place. And the Fir Tree thought of the forest."
    )
    score = rq.score_summary(
        "Earthman to go near the place. The Fir Tree thought of the forest.", source
    )
    assert [f.reasons for f in score.fragments] == [("starts mid-sentence",)]


def test_a_coordination_left_without_its_verb_is_flagged() -> None:
    reasons = rq.meaning_changes(
        "The Qorn greets the Terrestrials and, with reference to the squatters.",
        "The Qorn greets the Terrestrials and, with reference to the squatters, has the honor "
        "to advise that he will require his outer moon.",
    )
    assert reasons == ["leaves 'and, …' unfinished"]
    harmless = rq.meaning_changes(
        "Retief relaxed, released his hold and got to his feet.",
        "Retief relaxed, released his hold and got to his feet, breathing hard.",
    )
    assert harmless == []


def test_a_sentence_opening_with_he_after_one_that_does_not_say_who_is_leaning() -> None:
    source = (
        "Buck lived at a big house in the sun-kissed Santa Clara Valley. He was the king of "
        "the place. Manuel was one of the gardener's helpers. He sold Buck to a stranger. "
        "The dogs slept in the snow."
    )
    leaning = rq.score_summary("He sold Buck to a stranger. The dogs slept in the snow.", source)
    assert leaning.leaning == ["He sold Buck to a stranger."]
    told = rq.score_summary(
        "Manuel was one of the gardener's helpers. He sold Buck to a stranger.", source
    )
    assert told.leaning == []


def test_the_final_scene_is_the_bodys_last_hundredth() -> None:
    body = [f"Day {k} the keeper climbed the tower and lit the lamp." for k in range(300)]
    source = " ".join([*body, "At last the keeper put out the lamp and went down to the sea."])
    early = rq.score_summary("Day 290 the keeper climbed the tower and lit the lamp.", source)
    assert early.ending and not early.final  # the last 5%, not the last 1%
    last = rq.score_summary("At last the keeper put out the lamp and went down to the sea.", source)
    assert last.ending and last.final


@pytest.mark.parametrize(
    ("sentence", "talk"),
    [
        ("‘Tell me about Toad Hall,’ said she.", True),
        ('"That\'s all right," said the tall soldier as he entered.', True),
        ("'A feller named Wilson,' he ses.", True),
        ("He looked up from the letter his brother had sent from the farm and said “no”.", False),
        ("She said “no”, “never” and “not in a thousand years”.", True),
        ("And then there’s Badger, of course.", False),
        ("The Smiths’ house stood by the ‘old’ mill.", False),
        ("'tis a fine day for it, he said.", False),
    ],
)
def test_lines_of_dialogue_are_talk(sentence: str, talk: bool) -> None:
    assert rq.is_talk(sentence) is talk
