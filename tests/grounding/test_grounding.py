import pytest

from longcli.grounding.check import (
    Grounds,
    check,
    entity_precision,
    is_shortening,
    mentions,
    meta_sentences,
    repeated_phrases,
)

SOURCE = (
    "Brevet Lieutenant Commander Strykalski stood in the mud of Venusport. He had 3 "
    "engines and forty men. Strike cursed Admiral Gorman's name. The first part of the "
    "voyage was calm."
)


def kinds(verdict):
    return sorted({p.kind for p in verdict.problems})


def test_mentions_are_names_and_numbers_not_sentence_starts():
    text = "Strike met Ivy Hendricks. The ship's 12 engines failed: The crew fled. I left."
    assert mentions(text) == ["Ivy", "Hendricks", "12"]


def test_a_faithful_answer_passes():
    answer = "Strykalski stood at Venusport with 3 engines and 40 men. He cursed Gorman."
    assert check(answer, Grounds([SOURCE])).ok


def test_invented_names_and_numbers_are_unsupported():
    verdict = check("Strike met Grim Voldemort on Mars in 2087.", Grounds([SOURCE]))
    assert kinds(verdict) == ["unsupported"]
    assert "Voldemort" in verdict.reason() and "2087" in verdict.reason()


def test_possessives_hyphens_case_and_number_words_are_supported():
    answer = "They saw Gorman's ship and Venusport-base. It had three engines and 40 men."
    source = SOURCE.replace("3 engines", "three engines")
    assert check(answer, Grounds([source, "Venusport base"])).ok


def test_meta_commentary_fails_unless_the_source_says_it():
    for answer in (
        "I've rewritten the text to make it more concise and engaging.",
        "The second part has too many simple actions that don't add much depth.",
        "This text describes a ship.",
        "The author uses vivid language.",
    ):
        assert "meta" in kinds(check(answer, Grounds(["a ship"]))), answer
    # "the first part" occurs in the source: content, not commentary
    assert check("The first part of the voyage was calm.", Grounds([SOURCE])).ok
    # a narrative time phrase is not commentary
    assert meta_sentences("As the passage ends, they flee.") == []


def test_repeats_and_loops():
    repeat = (
        "Strike stood in the mud of Venusport and cursed. "
        "Then Strike stood in the mud of Venusport and cursed again."
    )
    verdict = check(repeat, Grounds([SOURCE]))
    assert [p.kind for p in verdict.problems] == ["repeat"]
    assert verdict.failing() == {1}
    assert verdict.kept_text() == "Strike stood in the mud of Venusport and cursed."
    loop = "He ran. " * 5
    assert "loop" in kinds(check(loop, Grounds(["He ran."])))
    phrases = "and then the king said and then the king said and then the king said " * 3
    assert "loop" in kinds(check(phrases, Grounds([phrases])))
    assert repeated_phrases(repeat) == 2  # two 8-word runs in a 9-word repeat
    assert repeated_phrases("one two three four five six seven eight nine") == 0


def test_whole_answer_failures():
    assert kinds(check("", Grounds([SOURCE]))) == ["empty"]
    assert kinds(check("Strike left.", Grounds([SOURCE]), min_words=10)) == ["short"]
    echo = "Strike cursed Admiral Gorman's name in the mud of Venusport today."
    assert "echo" in kinds(check(echo, Grounds([SOURCE], context=echo)))
    assert "uncompressed" in kinds(check(SOURCE, Grounds([SOURCE], compress_from=SOURCE)))
    # copying a sentence or two is fine
    copied = "Strike cursed Admiral Gorman's name."
    assert check(copied, Grounds([SOURCE], compress_from=SOURCE)).ok


def test_invented_quotations():
    source = 'Strike said, "It looks like a pregnant carp." Then he left.'
    real = 'Strike said, "It looks like a pregnant carp."'
    assert check(real, Grounds([source])).ok
    made_up = 'Strike said, "We are going to save the whole fleet."'
    assert kinds(check(made_up, Grounds([source]))) == ["quote"]
    assert check('He called it "a carp".', Grounds([source])).ok  # under four words


def test_a_shortening_only_deletes_words():
    original = (
        "Strike cursed Space Admiral Gorman and all his ancestors, who had sent him "
        "there, with a wealth of feeling."
    )
    short = "Strike cursed Space Admiral Gorman and all his ancestors with a wealth of feeling."
    assert is_shortening(short, original)
    assert not is_shortening("Gorman's family was cursed with a wealth of feeling.", original)
    assert not is_shortening(short.replace("Strike cursed", "Cursed"), original)
    assert not is_shortening("Strike cursed Gorman.", original)  # too little left
    assert not is_shortening(original, original)  # nothing deleted
    assert not is_shortening(short.replace(" feeling.", ""), original)
    assert not is_shortening(short.replace("Strike cursed", 'Strike cursed "'), original)


@pytest.mark.parametrize(
    ("original", "short"),
    [
        # What the old rule let through (seen in Moby-Dick and a news page):
        (
            "Good people all,—the Greenland whale is deposed,—the great sperm whale now reigneth!",
            "Good people all,—the Greenland whale now reigneth.",
        ),
        (
            "The council approved a new 90-space parking lot behind the library, which "
            "will open in September, after a long debate.",
            "The council approved a new 90-space parking lot behind the library in September.",
        ),
        # Words out of the middle of a clause, a negation, a number, a name:
        (
            "Strike cursed Space Admiral Gorman and all his ancestors with a wealth of feeling.",
            "Strike cursed Admiral Gorman and his ancestors with feeling.",
        ),
        (
            "The captain, who was not a patient man, did not see the whale that morning.",
            "The captain did see the whale that morning.",
        ),
        (
            "The ship sailed on, with 40 men aboard, toward the cape that night.",
            "The ship sailed on toward the cape that night.",
        ),
        (
            "The old sailor, a friend of Queequeg, told the story again and again.",
            "The old sailor told the story again and again.",
        ),
    ],
)
def test_a_shortening_never_changes_what_the_sentence_says(original: str, short: str):
    assert not is_shortening(short, original)


def test_whole_asides_may_go():
    original = "The captain, however, did not see the whale that morning, and the crew went below."
    assert is_shortening("The captain did not see the whale that morning.", original)
    assert is_shortening(
        "He left the quiet room in a hurry.",
        "He left the quiet room in a hurry, slamming the door.",
    )
    assert is_shortening(
        "The letter arrived on the morning of the wedding.",
        "The letter (which had been sent weeks before) arrived on the morning of the wedding.",
    )


def test_entity_precision():
    precision, missing = entity_precision("Strike met Gorman and Voldemort.", SOURCE)
    assert missing == ["Voldemort"] and abs(precision - 0.5) < 1e-9
    assert entity_precision("nothing named here.", SOURCE) == (1.0, [])


def test_a_pronouns_contraction_is_no_name():
    text = "Jinx Ship to the Rescue, by ALFRED COPPEL, JR. You'd think it was easy."
    assert "You'd" not in mentions(text) and "COPPEL" in mentions(text)
    assert entity_precision(text, "Jinx Ship to the Rescue, by Alfred Coppel, Jr.")[0] == 1.0


def test_an_assistant_talking_to_the_reader_is_refused():
    source = "The captain sold the ship in Lisbon and went home to his farm."
    for said in (
        "I'm definitely going to agree with you on this point.",
        "I think it shows a lot of respect for their unique culture.",
        "You can see that the captain sold the ship.",
    ):
        assert [p.kind for p in check(said, Grounds([source])).problems] == ["assistant"]
    talk = "I think we should sell the ship, you said."
    assert check("I think we should sell the ship.", Grounds([talk])).ok  # said in the input


def test_a_summary_never_retells_a_licence_note():
    note = (
        "Transcriber's Note: Extensive research did not uncover any evidence that the U.S. "
        "copyright on this publication was renewed."
    )
    said = "The U.S. copyright on this publication was renewed."
    assert [p.kind for p in check(said, Grounds([note], summary=True)).problems] == ["licence"]
    assert check(said, Grounds([note])).ok  # a chat about licences may say so


def test_an_answer_in_another_language_than_its_passages_is_held_to_names_and_numbers():
    """--language en on a German text: content words cannot match across languages, so a
    faithful translation passes; a name or number not in the passages still fails."""
    from longcli.grounding.check import Grounds, check_written

    passages = ["Seit 2021 gehört die Herstellung von Christbaumschmuck in Lauscha zum Kulturerbe."]
    grounds = Grounds(passages, language="en")
    good = "Since 2021, making glass ornaments in Lauscha has been part of the heritage."
    assert not check_written(good, passages, grounds).problems
    bad = "Since 1990, making glass ornaments in Berlin has been part of the heritage."
    assert check_written(bad, passages, grounds).problems
    same = Grounds(passages, language="de")  # German from German: claims are compared
    assert check_written("Seit 2021 bauen die Leute in Lauscha Autos.", passages, same).problems


def test_an_initial_is_not_a_negation_and_a_contraction_is():
    """ "Conan T. Troy" holds no "n't": a written sentence naming the author is not refused
    as negating its passage (SQuALITY 63916's title lead was), while "didn't" still is."""
    from longcli.grounding.check import Grounds, check_written

    passages = [
        "The Conjurer of Venus, by Conan T. Troy.",
        "Johnson found the missing scientist on Venus.",
    ]
    grounds = Grounds(passages, summary=True)
    said = "In the story by Conan T. Troy, Johnson found the missing scientist on Venus."
    assert check_written(said, passages, grounds).ok
    for denied in ("Johnson didn't find the missing scientist.", "Johnson DIDN’T find him."):
        kinds = [p.kind for p in check_written(denied, passages, grounds).problems]
        assert "negation" in kinds, denied


def test_names_a_clause_puts_together_must_be_together_in_a_passage():
    """Qwen2.5-Coder-0.5B wrote "When Kriere and Lethla were filled with Rice" (SQuALITY
    63041) from one sentence about Kriere and Lethla and another about Rice: every word is
    in the passages, the relation in none. Names from different passages in different
    clauses are fine."""
    from longcli.grounding.check import Grounds, check_written

    passages = [
        "And what more proper than that Kriere and Lethla should fill them?",
        "Burnett turned to Lethla with an intent scowl.",
        "Rice turned swiftly as Burnett dragged himself up the ladder.",
    ]
    grounds = Grounds(passages, summary=True)
    invented = "When Kriere and Lethla were filled with Rice, Burnett turned to Lethla."
    assert [p.kind for p in check_written(invented, passages, grounds).problems] == ["apart"]
    faithful = "Kriere and Lethla should fill them; Burnett turned to Lethla."
    assert check_written(faithful, passages, grounds).ok
