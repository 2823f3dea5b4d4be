"""The support check on what a new user's walk found (issue 32), and on the names of a
summary that joins several places of a story. Sources are short excerpts of The Time
Machine (H. G. Wells, 1895, public domain) and small texts built for one rule each."""

from __future__ import annotations

import pytest

from longcli.grounding.claims import Passages, swapped_roles
from longcli.grounding.support import SourceIndex, Why
from longcli.grounding.verify import Read, verify
from tests.support.filler import filler

FILLER = filler(8)
YEAR = (
    "I resolved to mount to the summit of a crest, perhaps a mile and a half away, from "
    "which I could get a wider view of this our planet in the year Eight\nHundred and Two "
    "Thousand Seven Hundred and One, A.D. For that, I should explain, was the date the "
    "little dials of my machine recorded."
)
ELOI = (
    "The Eloi were small and gentle people, some four feet high, clad in purple tunics. "
    "They met me with laughter and garlands of flowers."
)
# Chapter 8 and chapter 10: "they" who fear the dark are the Eloi; the Morlocks live below
# and cannot bear the daylit surface.
DARK = (
    "Then came troublesome doubts. Why had the Morlocks taken my Time Machine? For I felt "
    "sure it was they who had taken it. Why, too, if the Eloi were masters, could they not "
    "restore the machine to me? And why were they so terribly afraid of the dark?"
)
SURFACE = (
    "The Eloi, like the Carlovignan kings, had decayed to a mere beautiful futility. They "
    "still possessed the earth on sufferance: since the Morlocks, subterranean for "
    "innumerable generations, had come at last to find the daylit surface intolerable."
)


def check(source: str, sentence: str) -> tuple[Why, str]:
    verdict = SourceIndex(source).support(sentence)
    return verdict.why, verdict.detail


def test_an_attribute_given_to_the_wrong_people_is_refused():
    source = f"{DARK} {FILLER} {SURFACE}"
    why, detail = check(
        source, "The Morlocks live in daylight on the surface and are afraid of the dark."
    )
    assert why is Why.ROLES and "eloi" in detail
    assert check(source, "The Eloi are afraid of the dark.")[0] is Why.SUPPORTED


def test_a_year_in_words_and_in_digits_match_both_ways():
    source = f"{YEAR} {FILLER} {ELOI}"
    joined = "He travels to the year 802,701, where he meets the Eloi, small and gentle people."
    assert check(source, joined)[0] is Why.SUPPORTED
    assert check(source, "He travels to the year 802,702.")[0] is Why.NUMBER
    in_digits = "From the crest I saw our planet in the year 802,701, as the dials recorded."
    said = "He saw the planet in the year eight hundred and two thousand seven hundred and one."
    assert check(in_digits, said)[0] is Why.SUPPORTED


def test_the_evidence_cited_is_the_line_that_states_the_number():
    source = f"{YEAR}\n{FILLER}\n{ELOI}\n"
    summary = "He travels to the year 802,701, where he meets the Eloi, small and gentle people."
    result = verify(summary, [Read("timemachine.txt", source, ())])
    (checked,) = result.sentences
    assert checked.supported
    places = [c.place for c in checked.evidence]
    assert any(p in ("line 1", "lines 1–2", "line 2") for p in places), places


def test_a_word_turned_into_its_opposite_is_refused():
    source = "The council rejected the budget for the pier. The mayor won the vote on the ferry."
    assert check(source, "The council approved the budget for the pier.")[0] is Why.NEGATION
    assert check(source, "The mayor lost the vote on the ferry.")[0] is Why.NEGATION
    assert check(source, "The council rejected the budget.")[0] is Why.SUPPORTED


def test_a_sentence_joining_two_places_is_no_opposite():
    source = (
        "On the first day of the session, the council rejected the budget. The mayor spoke "
        "for an hour. On the last day of the session, the council approved the budget."
    )
    joined = (
        "The council rejected the budget on the first day of the session but approved the "
        "budget on the last day."
    )
    assert check(source, joined)[0] is Why.SUPPORTED
    # each word still held to the clause it is said of
    flipped = "The council approved the budget on the first day of the session."
    assert check(source, flipped)[0] is Why.NEGATION


STORY = (
    "Admiral Gorman gave Strike command of the Aphrodite, with Ivy Hendricks as its engineer. "
    f"{FILLER} "
    "On the bridge, Strike and Lieutenant Ivy Hendricks laughed with Celia at a joke about the "
    "old ship. "
    f"{FILLER} "
    "Retief then announced that he would go out alone."
)


def test_a_title_and_an_abbreviation_are_not_names_to_look_for():
    titled = "On the bridge, Strike and Lieutenant Hendricks laughed at a joke about the ship."
    assert check(STORY, titled)[0] is Why.SUPPORTED
    aka = "On the bridge, Strike and Hendricks, AKA the engineer, laughed at a joke about the ship."
    assert check(STORY, aka)[0] is Why.SUPPORTED


def test_each_name_stands_where_its_own_clause_does():
    joined = (
        "Gorman gave Strike the Aphrodite, and Hendricks and Celia laughed at a joke on the bridge."
    )
    assert check(STORY, joined)[0] is Why.SUPPORTED
    replaced = (
        "Gorman gave Strike the Aphrodite, and Hendricks and Retief laughed at a joke on the "
        "bridge."
    )
    assert check(STORY, replaced)[0] is Why.NAME


def test_a_name_opening_a_sentence_is_looked_for_too():
    assert check(STORY, "Retief then announced that he would go out alone.")[0] is Why.SUPPORTED
    assert check(STORY, "Gorman then announced that he would go out alone.")[0] is Why.NAME


def test_two_names_made_one_the_source_never_writes_are_refused():
    why, detail = check(STORY, "Admiral Ivy Gorman gave Strike command of the Aphrodite.")
    assert why is Why.NAME and "Ivy Gorman" in detail
    assert check(STORY, "Admiral Gorman gave Strike command of the Aphrodite.")[0] is (
        Why.SUPPORTED
    )


# The Little Colonel's Hero (Annie Fellows Johnston, 1902, public domain), its last chapter.
HERO = (
    "How much better it was for Hero to have been shot by a soldier and brought home with "
    "military honours, than to have met the fate of an ordinary dog--been poisoned, or "
    "mangled, by a train, as might have happened. He was buried under the locust."
)


def test_a_doer_the_source_never_names_is_refused():
    # planted in a walk, and passed: every word but "conductor" is in the source
    why, detail = check(f"{FILLER} {HERO} {FILLER}", "Hero was poisoned by a train conductor.")
    assert why is Why.ROLES and "conductor" in detail
    # the source's own doer, and a state's cause in other words, still pass
    assert check(f"{FILLER} {HERO} {FILLER}", "Hero was shot by a soldier.")[0] is Why.SUPPORTED


# "Three Blind Mice" as a new user fetched it (a nursery rhyme, public domain).
MICE = (
    "Three blind mice, see how they run! They all ran after the farmer's wife, who cut off "
    "their tails with a carving knife. Did you ever see such a sight in your life?"
)


def test_a_possessor_made_the_doer_is_refused():
    # planted in a walk, and passed: the farmer's wife cut off the tails, not the farmer
    why, detail = check(f"{FILLER} {MICE} {FILLER}", "The Farmer cut off their tails.")
    assert why is Why.ROLES and "farmer's wife" in detail.lower()
    assert check(f"{FILLER} {MICE} {FILLER}", "The farmer's wife cut off their tails.")[0] is (
        Why.SUPPORTED
    )


def test_a_negation_verdict_names_the_words_as_written():
    source = f"{FILLER} The mice asked for a bed at the inn and got one. {FILLER}"
    why, detail = check(source, "The mice did not get a bed at the inn.")
    assert why is Why.NEGATION
    assert "mic" not in detail.split() and "bed" in detail  # words, not stems


def test_a_name_between_two_names_is_no_verb_turned_round():
    # a new user's true sentence about Ethan Frome was refused as "frome ... zeena": the
    # source's "Zeena ... Starkfield ... Frome" counted "Starkfield" as the verb between
    evidence = Passages(
        ["Zeena had always been what Starkfield called sickly, and Frome had to admit it."]
    )
    sentence = "Ethan Frome works a poor farm near Starkfield and is married to Zeena."
    assert swapped_roles(sentence, evidence) is None
    # the verb right after the first name still turns round
    assert swapped_roles("Ethan Frome admired Zeena.", Passages(["Then Zeena admired Frome."]))


# A new user's walk on The Call of the Wild (Jack London, 1903, public domain): excerpts
# put together for one rule each.
BET = (
    "At the end of half an hour one man stated that his dog could start a sled with five "
    "hundred pounds and walk off with it; a second bragged six hundred for his dog; and a "
    "third, seven hundred. John Thornton said nothing. Buck lay at his feet. The men drank. "
    "Snow fell on the town all night. The dogs slept in the snow. Morning came. "
    "When Buck earned sixteen hundred dollars in five minutes for John Thornton, he made it "
    "possible for his master to pay off certain debts."
)
WAGES = (
    "Manuel loved to gamble. The wages of a gardener's helper do not lap over the needs of "
    "a wife and numerous progeny. One night he led Buck through the orchard and sold him to "
    "a stranger."
)


def test_a_number_where_the_source_counts_the_same_thing_otherwise_is_refused():
    # "six hundred" was found in another man's bet; the place that says it says sixteen
    source = SourceIndex(BET)
    wrong = source.support("Buck earned six hundred dollars in five minutes for John Thornton.")
    assert wrong.why is Why.NUMBER and wrong.detail == "600 dollars (the source: 1600 dollars)"
    right = source.support("Buck earned sixteen hundred dollars in five minutes for John Thornton.")
    assert right.supported


def test_a_negation_denies_what_follows_it_not_whom_its_clause_is_about():
    # "... the wages of a gardener's helper do not lap over ..." denies no gardener's helper
    source = SourceIndex(WAGES)
    assert source.support(
        "Manuel, one of the gardener's helpers, sold Buck to a stranger."
    ).supported
    flipped = source.support("The wages of a gardener's helper lap over the needs of a wife.")
    assert flipped.why is Why.NEGATION and flipped.detail.startswith("the source says not")


# A report in the first person under its author's byline (after a new user's walk on J.
# Walter Fewkes's "Contribution to Passamaquoddy Folk-Lore", 1890: "Fewkes recorded the
# songs ..." was refused, the name "not where the source says this").
REPORT = (
    "Songs of the Harbour People\n\nby J. Walter Marlow\n\n"
    f"{filler(3)}\n"
    "I was particularly anxious to secure the old songs. The songs and stories were taken "
    "from the singers themselves, on the wax cylinders of the phonograph.\n"
    f"{filler(4)}\nLater we visited Pleasant Point with Hendry, who kept the boats.\n"
)


def test_the_author_is_whom_the_report_calls_i():
    result = verify(
        "Marlow recorded the songs and stories on wax phonograph cylinders.\n"
        "Hendry recorded the songs and stories on wax phonograph cylinders.",
        [Read("report.txt", REPORT, ())],
    )
    author, other = result.sentences
    assert author.supported
    assert not other.supported and other.why is Why.NAME


# A story told in the first person (after a new user's walk on "The Yellow Wallpaper",
# 1892: "Jennie locks the door and throws the key down" passed, where the narrator does it)
NARRATION = (
    f"{filler(3)}\nJennie sees the paper and laughs at me. I’ve got a rope up here that "
    "even Jennie did not find. I have locked the door and thrown the key down into the "
    f"front path.\n{filler(3)}\n"
)


def test_what_the_narrator_does_is_no_named_persons_doing():
    assert (
        check(NARRATION, "Jennie locks the door and throws the key down into the front path.")[0]
        is Why.ROLES
    )
    said = "The narrator locks the door and throws the key down into the front path."
    assert check(NARRATION, said)[0] is Why.SUPPORTED


def test_a_speakers_i_in_quotation_marks_is_the_speaker():
    source = f"{filler(3)}\n“I have locked the door and thrown the key away,” said Mary.\n"
    assert check(source, "Mary locks the door and throws the key away.")[0] is Why.SUPPORTED


def test_a_name_after_a_preposition_does_no_verb():
    # a new user's walk on "The Rescue of the Princess Winsome" (1908): "... the hand of
    # Princess Winsome and half of his kingdom" was refused, "half" read as her doing
    source = (
        f"{filler(3)}\nThe Princess Winsome spins a golden thread. They bind the Ogre in "
        "it. King gives the Knight the hand of the Princess and half of his Kingdom.\n"
    )
    said = "The King gives the Knight the hand of Princess Winsome and half of his kingdom."
    assert check(source, said)[0] is Why.SUPPORTED


def test_a_number_of_one_digit_is_found_where_the_source_states_it():
    # the final walk on A Christmas Carol (1843): "Marley had been dead for seven years
    # when the story begins" aligned to "Marley was dead: to begin with." and was refused
    # for its 7, which the word index (no one-letter terms) never held
    source = (
        f"Marley was dead: to begin with.\n{filler(6)}\n"
        "“Mr. Marley has been dead these seven years,” Scrooge replied.\n"
    )
    said = "Marley had been dead for seven years when the story begins."
    assert check(source, said)[0] is Why.SUPPORTED
    assert check(source, said.replace("seven", "twelve"))[0] is Why.NUMBER


def test_a_capital_that_only_opens_a_sentence_is_no_doer():
    # bench/contradictions.py's human summaries were refused for "Well, I will ignore ..."
    # (Well did it, not Manet) and "Instead he wanted ..." (the narrator's "I", not
    # "Instead"): words the source never writes as names are no one.
    box = (
        f"Manet dragged the big box into the solarium and sat down beside it. {filler(4)} "
        '"Well, I will ignore the box for now," he said, and went to his checker game. '
        f"{filler(4)} Well over an hour later, Manet opened the box and took out the manual."
    )
    assert check(box, "Manet ignores the box for a while, then opens it.")[0] is Why.SUPPORTED
    stars = (
        f"Jonathan Fawkes was the name on my licence. {filler(4)} I never wanted a quiet desk "
        "job at the company; I wanted adventure and action out among the stars instead."
    )
    said = "Instead he wanted adventure and action out among the stars."
    verdict = SourceIndex(stars).support(said, doer="Fawkes")
    assert verdict.why is Why.SUPPORTED, verdict.detail
    # a name the source has doing it is still held to it
    assert check(box, "Fawkes ignores the box for a while.")[0] is not Why.SUPPORTED


def test_a_number_counting_another_thing_elsewhere_is_not_its_place():
    # walk 22 (The Gift of the Magi): "Della sold her hair for twenty cents." passed, its
    # twenty placed at "lost its color within twenty seconds"
    source = (
        "The total was one dollar and eighty-seven cents, and the next day would be "
        f"Christmas. {filler(12)} She thought her hair might be sold. Her eyes were shining "
        "brilliantly, but her face had lost its color within twenty seconds. Rapidly she "
        f"pulled down her hair and let it fall to its full length. {filler(4)} In the end "
        "Della had her hair cut off and sold, because she could not have lived through "
        "Christmas without giving Jim a present."
    )
    assert check(source, "Della sold her hair for twenty cents.")[0] is Why.NUMBER
    sold = f'{source} {filler(3)} "Twenty dollars," said Madame, lifting the mass of hair.'
    assert check(sold, "Della sold her hair for twenty dollars.")[0] is Why.SUPPORTED


def test_a_title_the_source_abbreviates_is_written_together_with_the_name():
    # walk 22: "Madame Sofronie" was refused, "the source never writes these together":
    # it writes "Mme. Sofronie", then "Madame"
    source = (
        f"{filler(4)} Where Della stopped the sign read: Mme. Sofronie, Hair Goods of All "
        'Kinds. "Will you buy my hair?" asked Della. "I buy hair," said Madame. "Take yer '
        'hat off and let us have a sight at the looks of it." "Twenty dollars," said Madame, '
        "lifting the mass of Della's hair with a practised hand."
    )
    said = "Della sold her hair to Madame Sofronie for twenty dollars."
    assert check(source, said)[0] is Why.SUPPORTED
    assert check(source, "Della sold her hair to Madame Della for twenty dollars.")[0] is Why.NAME


def test_a_questions_not_denies_nothing():
    # walk 23 (The Cask of Amontillado): "Will not they be awaiting us at the palazzo?" was
    # read as the source saying they would not be awaiting them
    source = (
        f'{filler(4)} "The Lady Fortunato and the rest will be awaiting us at the palazzo," '
        'said I. "Will not they be awaiting us at the palazzo?" asked Fortunato, coughing. '
        f"{filler(3)}"
    )
    said = (
        "Fortunato asked whether Lady Fortunato and the rest would be awaiting them at the palazzo."
    )
    assert check(source, said)[0] is Why.SUPPORTED
    denied = f"{filler(4)} The Lady Fortunato was not awaiting them at the palazzo. {filler(3)}"
    assert check(denied, "Lady Fortunato was awaiting them at the palazzo.")[0] is Why.NEGATION


def test_a_title_before_a_name_is_no_name():
    """ "Dr. Lanyon sees Hyde ..." was refused as "a name: dr (not where the source says
    this)": the sentence's opening word was taken for a name the source writes."""
    from longcli.grounding.claims import opening_name

    assert opening_name("Dr. Lanyon sees Hyde drink the potion.") == "lanyon"
    assert opening_name("Mrs. Poole opened the door.") == "poole"
    assert opening_name("Drake opened the door.") == "drake"
    source = FILLER + (
        " Dr. Lanyon watched the stranger drink the potion, and he saw him change into "
        "Dr. Jekyll. Mr. Utterson read the letter twice."
    )
    verdict = SourceIndex(source).support("Dr. Lanyon saw the stranger drink the potion.")
    assert verdict.supported, verdict


def test_what_the_source_only_wishes_is_no_outcome():
    """The Yellow Wallpaper: "At the end John takes her away from here." was supported by
    "I wish John would take me away from here!"."""
    source = FILLER + (
        " I wish John would take me away from here! He laughs at me so about this wallpaper."
        " John is a physician, and he says the house will do me good."
    )
    index = SourceIndex(source)
    verdict = index.support("At the end John takes her away from here.")
    assert verdict.why is Why.NEGATION and "wishes" in verdict.detail, verdict
    assert index.support("She wishes John would take her away from here.").supported
    assert index.support("John laughs at her about the wallpaper.").supported


@pytest.mark.parametrize(
    ("passage", "summary"),
    [
        (
            "The old laboratory was not so much a room as a furnace of glass and fire.",
            "The old laboratory was a furnace of glass and fire.",
        ),
        (
            "Mr Poole was not only the butler but the oldest friend of the household.",
            "Mr Poole was the oldest friend of the household.",
        ),
        (
            "The stranger in the cabinet was none other than Edward Hyde himself.",
            "The stranger in the cabinet was Edward Hyde.",
        ),
    ],
)
def test_a_not_that_affirms_is_no_negation(passage, summary):
    """ "not so much X as Y", "not only", "none other than" say Y: the source "says not"
    nothing (a true sentence was refused as a negation)."""
    source = FILLER + " " + passage + " The household slept."
    verdict = SourceIndex(source).support(summary)
    assert verdict.supported, verdict
