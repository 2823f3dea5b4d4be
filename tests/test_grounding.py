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
    original = "Strike cursed Space Admiral Gorman and all his ancestors with a wealth of feeling."
    assert is_shortening("Strike cursed Admiral Gorman and his ancestors with feeling.", original)
    assert not is_shortening("Gorman's family was cursed with a wealth of feeling.", original)
    assert not is_shortening("Cursed Admiral Gorman and all his ancestors with feeling.", original)
    assert not is_shortening("Strike cursed Gorman.", original)  # too little left
    assert not is_shortening(original, original)  # nothing deleted
    assert not is_shortening("Strike cursed Admiral Gorman and his ancestors with", original)
    assert not is_shortening('Strike cursed "Admiral Gorman and all his ancestors.', original)


def test_entity_precision():
    precision, missing = entity_precision("Strike met Gorman and Voldemort.", SOURCE)
    assert missing == ["Voldemort"] and abs(precision - 0.5) < 1e-9
    assert entity_precision("nothing named here.", SOURCE) == (1.0, [])
