"""Human reference summaries the support check refused for a name, a number or a negation
the story does say (issue 32, bench/contradictions.py's tune family): one test per cause,
each beside the perturbation the same rule must still refuse. Sources are small texts
built for one rule each."""

from __future__ import annotations

from longcli.grounding.claims import names_apart, negation_problem
from longcli.grounding.slots import numbers
from longcli.grounding.support import SourceIndex, Why
from tests.support.filler import filler

FILLER = filler(6)


def check(source: str, sentence: str) -> tuple[Why, str]:
    verdict = SourceIndex(source).support(sentence, min_coverage=0.4)
    return verdict.why, verdict.detail


def test_a_full_name_where_the_source_says_one_part_of_it():
    source = (
        "Harper Breen ran the firm of Breen and Helgart. Ellis Kane kept its books. "
        f"{FILLER} At last Harper sat in the lobby of the robot hotel. Poor Harper was "
        "exhausted by the long journey through the desert."
    )
    assert check(source, "Harper Breen is exhausted by the long journey.")[0] is Why.SUPPORTED
    # a surname given to another: the source never writes the two together
    assert check(source, "Harper Kane is exhausted by the long journey.")[0] is Why.NAME


def test_a_title_before_a_name_the_source_writes_bare_there():
    source = (
        "The inner fleet was commanded by Admiral Gorman. "
        f"{FILLER} In the end Gorman sent Strike to the old freighter."
    )
    sentence = "Admiral Gorman sent Strike to the old freighter."
    why, detail = check(source, sentence)
    assert why is Why.SUPPORTED, detail


def test_two_names_with_a_comma_between_are_not_one_name():
    source = (
        "Korvin stood before the Ruler of the Tr'en. The Ruler asked who governed the "
        f"Earth. Then Korvin refused to tell him. {FILLER} Everybody on Earth governs."
    )
    sentence = "When the Ruler asked who governed the Earth, Korvin refused to tell him."
    why, detail = check(source, sentence)
    assert why is Why.SUPPORTED, detail
    # side by side with nothing between they are one name, which the source never writes
    why, detail = check(source, "The Ruler asked who governs on Earth, and Korvin Ruler refused.")
    assert why is Why.NAME and "Korvin Ruler" in detail


def test_a_hyphenated_name_is_compared_word_by_word():
    source = (
        "I'm Dzhackoon, Field Agent of Class five, Inter-dimensional Monitor Service. "
        f"{FILLER} Dan listened to the agent in the park."
    )
    sentence = "Dzhackoon is a field agent of the Inter-Dimensional Monitor Service."
    why, detail = check(source, sentence)
    assert why is Why.SUPPORTED, detail


def test_the_hero_the_source_calls_he_there_is_found():
    source = (
        f"{FILLER} At dawn Granthan woke in the lifeboat of the cruiser. He looked at the dials. "
        "The panel was dark. The hull was cold. The air smelled of smoke. He plotted his "
        "course of re-entry toward the grey ocean below."
    )
    assert check(source, "Granthan plots his course of re-entry.")[0] is Why.SUPPORTED
    # another of the story's names, not the one a "he" there stands for
    other = f"The radar screen was watched by Colonel Kayle. {source}"
    why, detail = check(other, "Kayle plots his course of re-entry.")
    assert why is Why.NAME and "kayle" in detail.lower()


def test_a_people_named_in_the_plural_where_the_source_says_one():
    source = (
        f"{FILLER} The settlers feared the Jaq. A Jaq had crossed the desert to the oases "
        "that night and trampled the lichen fields."
    )
    why, detail = check(source, "The settlers feared the Jaqs near the oases.")
    assert why is Why.SUPPORTED, detail


def test_one_as_a_pronoun_and_first_are_no_counts():
    assert numbers("No one on Venus knows it, at first.", "en") == frozenset()
    assert numbers("the one her father designed", "en") == frozenset()
    assert numbers("His first week as captain", "en") == frozenset()
    assert numbers("Only one ship survived, on the third day.", "en") == {"1", "3"}
    source = (
        f"Ivy fixed the rheostat that her father designed. {FILLER} She claimed it "
        "could rescue the falling ships."
    )
    sentence = "Ivy fixed the rheostat, the one her father designed, to rescue the ships."
    assert check(source, sentence)[0] is Why.SUPPORTED
    why, _ = check(source, "Ivy fixed the rheostat, two her father designed.")
    assert why is Why.NUMBER


def test_a_negated_clause_sharing_only_names_does_not_deny():
    evidence = [
        "They had been waiting for help from Ivory to battle them.",
        "No Flap-jack comes near the oases.",
    ]
    sentence = "They have been waiting for help from Ivory to battle the Flap-jacks."
    assert negation_problem(sentence, evidence, "en") == ""
    # what the source denies beside the names is still denied
    flipped = "The Flap-jacks come near the oases."
    assert negation_problem(flipped, evidence, "en").startswith("the source says not")


def test_the_parts_of_a_full_name_are_one_person_put_with_others():
    near = ["Strike was no longer trusted, and Gorman banished him to the freighter."]
    sentence = "Strike was no longer trusted in Admiral Gorman's eyes, so he was banished."
    assert names_apart(sentence, near) is None
    # three people the source never puts together still are refused
    apart = ["Kriere and Lethla should fill them.", "Rice came back."]
    assert names_apart("When Kriere and Lethla were filled with Rice", apart)
