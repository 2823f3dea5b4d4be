"""The support check (grounding/support.py): what a source says passes, what contradicts it
is refused, each with the evidence. Sources here are short passages of Moby-Dick (Herman
Melville, 1851, public domain) and small texts built for one rule each; the bench
(bench/contradictions.py) measures the rates on SQuALITY's human summaries."""

from __future__ import annotations

import pytest

from longcli.grounding.support import SourceIndex, Why
from longcli.grounding.verify import Read, verify

LOOMINGS = (
    "Call me Ishmael. Some years ago—never mind how long precisely—having little or no money "
    "in my purse, and nothing particular to interest me on shore, I thought I would sail about "
    "a little and see the watery part of the world. Why did the poor poet of Tennessee, upon "
    "suddenly receiving two handfuls of silver, deliberate whether to buy him a coat, which he "
    "sadly needed, or invest his money in a pedestrian trip to Rockaway Beach? Why is almost "
    "every robust healthy boy with a robust healthy soul in him, at some time or other crazy "
    "to go to sea? And still deeper the meaning of that story of Narcissus, who because he "
    "could not grasp the tormenting, mild image he saw in the fountain, plunged into it and "
    "was drowned. But that same image, we ourselves see in all rivers and oceans. It is the "
    "image of the ungraspable phantom of life; and this is the key to it all."
)
CARPET_BAG = (
    "Moving on, I at last came to a dim sort of light not far from the docks, and heard a "
    "forlorn creaking in the air. It seemed the great Black Parliament sitting in Tophet. A "
    "hundred black faces turned round in their rows to peer; and beyond, a black Angel of Doom "
    "was beating a book in a pulpit. It was a negro church; and the preacher's text was about "
    "the blackness of darkness, and the weeping and wailing and teeth-gnashing there."
)
THE_SHIP = (
    "He's a queer man, Captain Ahab—so some think—but a good one. He's a grand, ungodly, "
    "god-like man, Captain Ahab; doesn't speak much; but, when he does speak, then you may "
    "well listen. Ahab's been in colleges, as well as 'mong the cannibals; been used to deeper "
    "wonders than the waves; fixed his fiery lance in mightier, stranger foes than whales. "
    "The Pequod was a ship of the old school, rather small if anything; her old hull's "
    "complexion was darkened like a French grenadier's, who has alike fought in Egypt and "
    "Siberia. Long seasoned and weather-stained in the typhoons and calms of all four oceans, "
    "she had been on the seas for a long time."
)
WHALES = (
    "Again, the Right Whale has two external spout-holes, the Sperm Whale only one. "
    "Look your last, now, on these venerable hooded heads, while they yet lie together; for "
    "one will soon sink, unrecorded, in the sea; the other will not be very long in following."
)
BAKERY = (
    "The bakery on Elm Street opened in 1998. Bob manages the front of the shop. Alice runs "
    "the kitchen with her brother Tom. Alice plans to replace the deck oven next spring. Tom "
    "does not bake bread; he keeps the books. Both ovens were bought in Lyon."
)


def supported(source: str, sentence: str) -> bool:
    return SourceIndex(source).support(sentence).supported


def why(source: str, sentence: str) -> Why:
    return SourceIndex(source).support(sentence).why


# -- the examples: each refused ------------------------------------------------------


def test_an_attribute_given_to_the_other_whale_is_refused():
    verdict = SourceIndex(WHALES).support("Ahab hunts a sperm whale with two spout-holes.")
    assert not verdict.supported
    verdict = SourceIndex(WHALES).support("The Sperm Whale has two spout-holes.")
    assert verdict.why is Why.NUMBER
    assert "sperm" in verdict.detail
    assert supported(WHALES, "The Right Whale has two spout-holes.")
    assert supported(WHALES, "The Sperm Whale has only one spout-hole.")


def test_a_man_said_to_be_the_whale_is_refused():
    assert not supported(THE_SHIP, "The whale that has been on the ship for a long time is Ahab.")
    assert supported(THE_SHIP, "The Pequod was a ship of the old school.")


def test_both_where_the_source_says_one_is_refused():
    assert why(BAKERY, "Alice and Tom both plan to replace the deck oven.") is not Why.SUPPORTED
    assert supported(BAKERY, "Both ovens were bought in Lyon.")
    both = "The Right Whale and the Sperm Whale both have two spout-holes."
    assert why(WHALES, both) is Why.QUANTIFIER
    assert not supported(WHALES, "The Sperm Whale and the Right Whale are both of them.")


def test_the_wrong_doer_is_refused_also_behind_a_pronoun():
    assert why(BAKERY, "Bob plans to replace the deck oven.") is Why.ROLES
    summary = "Bob manages the front of the shop. He plans to replace the deck oven."
    result = verify(summary, [Read("bakery.txt", BAKERY, ())])
    assert [c.supported for c in result.sentences] == [True, False]
    assert result.sentences[1].why is Why.ROLES
    summary = "Alice runs the kitchen. She plans to replace the deck oven."
    assert verify(summary, [Read("bakery.txt", BAKERY, ())]).unsupported == 0


@pytest.mark.parametrize(
    "sentence",
    [
        "The story of Narcissus is a tale of self-absorption.",
        "The poet's obsession with the ocean drives him to sea.",
        "The Great Black Parliament made a giant shark carry all the men.",
    ],
)
def test_sentences_the_chapters_never_say_are_refused(sentence: str):
    source = LOOMINGS + "\n\n" + CARPET_BAG
    assert not supported(source, sentence)


def test_what_the_chapters_say_in_other_order_passes():
    source = LOOMINGS + "\n\n" + CARPET_BAG
    assert supported(source, "Narcissus could not grasp the image he saw in the fountain.")
    assert supported(source, "A hundred black faces turned round to peer.")


# -- each kind of contradiction ---------------------------------------------------------------


def test_a_changed_number_is_refused_in_digits_or_words():
    assert why(BAKERY, "The bakery on Elm Street opened in 1999.") is Why.NUMBER
    assert why(LOOMINGS, "The poor poet of Tennessee received three handfuls of silver.") is (
        Why.NUMBER
    )
    assert supported(LOOMINGS, "The poor poet of Tennessee received 2 handfuls of silver.")


def test_only_a_number_in_groups_of_three_is_one_number():
    source = "The crates were numbered 12345 678 90 on the quay. The cargo weighed 20 000 tons."
    assert supported(source, "The crates were numbered 12345 678 90.")
    assert why(source, "The crates were numbered 12345678.") is Why.NUMBER
    assert supported(source, "The cargo weighed 20,000 tons.")


def test_a_negation_added_or_dropped_is_refused():
    assert why(BAKERY, "Tom bakes bread.") is Why.NEGATION
    assert why(BAKERY, "Alice does not plan to replace the deck oven.") is Why.NEGATION
    assert supported(BAKERY, "Tom does not bake bread.")


def test_names_swapped_are_refused():
    source = "Kane rescued Ivy from the burning hangar. Later, Ivy thanked Kane at dinner."
    assert not supported(source, "Ivy rescued Kane from the burning hangar.")
    assert supported(source, "Kane rescued Ivy from the burning hangar.")


def test_a_name_the_source_never_has_is_refused_a_misspelt_one_passes():
    source = "Captain Stryakalski took command of the Aphrodite at dawn."
    assert why(source, "Captain Hendricks took command of the Aphrodite.") is Why.NAME
    assert supported(source, "Captain Strykalski took command of the Aphrodite.")


def test_a_sentence_built_from_two_source_sentences_passes_with_both_as_evidence():
    verdict = SourceIndex(BAKERY).support("Alice, who runs the kitchen, plans to replace the oven.")
    assert verdict.supported
    assert verdict.evidence
    assert all(e.text in BAKERY for e in verdict.evidence)
    assert BAKERY[verdict.evidence[0].start : verdict.evidence[0].end] == verdict.evidence[0].text


def test_the_setting_trades_paraphrase_for_strictness():
    index = SourceIndex(BAKERY)
    loose = "Alice wants a new deck oven."
    assert not index.support(loose).supported
    assert index.support(loose, min_coverage=0.3).supported


def test_no_words_is_nothing_to_check():
    assert why(BAKERY, "— ... —") is Why.NOTHING


# -- other languages ----------------------------------------------------------------------------


def test_numbers_are_compared_as_numbers_in_the_languages_text2num_reads():
    source = "Der Bäcker verkauft jeden Morgen zwei Brote an die Schule."
    assert supported(source, "Der Bäcker verkauft jeden Morgen 2 Brote an die Schule.")
    assert why(source, "Der Bäcker verkauft jeden Morgen drei Brote an die Schule.") is Why.NUMBER


def test_chinese_is_aligned_by_character_pairs():
    source = "我的储物柜密码是4471。图书馆周一不开门。"
    assert supported(source, "储物柜密码是4471。")
    assert why(source, "储物柜密码是3298。") is Why.NUMBER


# -- found by a new user (a made-up society report) ----------------------------------------

REPORT = (
    "In March, the society elected Priya Ramaswamy as its new chair. She replaced Gerald "
    "Okonkwo, who had led the society for eleven years. The restoration cost 48,000 euros. "
    "The regional council paid 30,000 euros of it, and members raised the remaining 18,000 "
    "euros at a summer fair. Tomasz Wierzbicki, the treasurer, reported that membership grew "
    "from 212 to 257. He also warned that insurance costs had doubled. Priya proposed a new "
    "youth program, but the board did not approve it. Dr. Felix Aubert gave a lecture on "
    "storms; Helen Marsh organised the winter photography exhibition."
)


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("The board approved Priya's youth program.", Why.NEGATION),
        ("Dr. Felix Aubert organised the winter photography exhibition.", Why.ROLES),
        ("Members raised 30,000 euros at a summer fair.", Why.NUMBER),
    ],
)
def test_what_a_new_user_caught_passing_is_refused(sentence: str, kind: Why):
    assert why(REPORT, sentence) is kind


@pytest.mark.parametrize(
    "sentence",
    [
        "The board did not approve the youth program.",  # the negation in the other clause
        "Priya Ramaswamy was elected chair in March.",  # a passive; a month is no doer
        "Membership grew from 212 to 257.",
        "Helen Marsh organised the winter photography exhibition.",
    ],
)
def test_what_a_new_user_saw_refused_passes(sentence: str):
    assert supported(REPORT, sentence)


def test_he_after_a_sentence_about_another_is_held_to_the_source_even_word_for_word():
    summary = (
        "Gerald Okonkwo led the society for eleven years. "
        "He also warned that insurance costs had doubled."
    )
    result = verify(summary, [Read("report.txt", REPORT, ())])
    assert [c.supported for c in result.sentences] == [True, False]


def test_numbers_in_words_and_with_separators_in_other_languages():
    german = "Karl Hofer führte den Verein zwölf Jahre lang. Der Verein hat siebzig Mitglieder."
    assert supported(german, "Karl Hofer führte den Verein 12 Jahre lang.")
    assert supported(german, "Der Verein hat 70 Mitglieder.")
    french = "La mairie a payé vingt mille euros. Le club possède un bateau à voile."
    assert supported(french, "La mairie a payé 20 000 euros.")
    assert why(french, "Le club possède un bateau à moteur.") is not Why.NUMBER  # "un": a


# -- found by a fresh user: evidence stitched from far apart, a quantifier of another thing ----


def test_evidence_for_one_sentence_comes_from_one_place_not_stitched_from_far_apart():
    weather = " ".join(
        f"On day {i} the gulls circled over the harbour in the grey wind." for i in range(40)
    )
    book = (
        "Preface. The mill bakes bread every morning for the village. "
        + weather
        + " Chapter 3. Tom does not bake bread at the mill; he keeps the books."
    )
    index = SourceIndex(book)
    flipped = index.support("Every morning, Tom bakes bread at the mill.")
    assert not flipped.supported  # the preface's "every morning" no longer stands in for it
    assert all(e.sentence > 40 for e in flipped.evidence) or all(
        e.sentence < 5 for e in flipped.evidence
    )  # one place: the preface or chapter 3, never both
    assert index.support("Tom does not bake bread at the mill.").supported
    near = index.support("Tom keeps the books and does not bake bread at the mill.")
    assert near.supported


def test_a_quantifier_must_belong_to_the_same_thing_in_the_source():
    kitchen = (
        "Alice and Tom run the kitchen. Alice plans to replace the deck oven, because both "
        "ovens are old. Tom keeps the books."
    )
    index = SourceIndex(kitchen)
    assert index.support("Alice and Tom both plan to replace the deck oven.").why is (
        Why.QUANTIFIER
    )
    assert index.support("Both ovens are old.").supported
    assert index.support(
        "Alice plans to replace the deck oven because both ovens are old."
    ).supported


def test_a_summary_check_indexes_its_inputs_once(monkeypatch: pytest.MonkeyPatch):
    from longcli.grounding import check as check_module

    built: list[str] = []

    class Counting(SourceIndex):
        def __init__(self, text: str, lang: str | None = None) -> None:
            built.append(text)
            super().__init__(text, lang)

    monkeypatch.setattr(check_module, "SourceIndex", Counting)
    check_module.source_index.cache_clear()
    grounds = check_module.Grounds([BAKERY], summary=True)
    answer = "Alice plans to replace the deck oven. Tom keeps the books."
    for _ in range(3):  # a retried call, then the final check: the same inputs
        check_module.check(answer, grounds)
        check_module.check_written(answer, [BAKERY], grounds)
    assert len(built) == 1
