"""The support check on what a new user's summaries caught (issue 32's walk): who does what
across a clause set off by commas, a passive with no doer, a reported clause's verb, a
licence footer as evidence, a true line far from the first match. Each source here is a
small text written for the rule."""

from __future__ import annotations

from longcli.grounding.support import SourceIndex, Why
from longcli.grounding.verify import Read, verify

HARBOUR = (
    "The harbour council on Tuesday rejected a plan to repair the north pier. "
    "Mayor Tomas Okafor had proposed the repairs in January. "
    "Councillor Ines Varga, who led the opposition, said the town could not afford the "
    "repairs while the school roof was still leaking. "
    "The ferry operator, Northline, said it would move its sailings to the south quay from "
    "1 May. "
    "Okafor said he would bring a cheaper plan to the April meeting. "
    "He did not rule out raising harbour fees. "
    "Fishermen who use the pier were divided. "
    "Pavel Lind, who has fished from Kelby for thirty years, said the vote was a mistake. "
    "Others welcomed it."
)


def test_what_a_relative_clause_says_stays_with_its_name() -> None:
    index = SourceIndex(HARBOUR)
    moved = index.support(
        "Pavel Lind, who has fished from Kelby for thirty years, led the opposition."
    )
    assert moved.why is Why.ROLES and "varga" in moved.detail
    said = index.support(
        "Councillor Ines Varga, who led the opposition, said the vote was a mistake."
    )
    assert said.why is Why.ROLES and "lind" in said.detail


def test_a_clause_set_off_by_commas_passes_with_its_own_name() -> None:
    index = SourceIndex(HARBOUR)
    assert index.support("Ines Varga led the opposition.").supported
    assert index.support("Pavel Lind said the vote was a mistake.").supported
    assert index.support("Pavel Lind has fished from Kelby for thirty years.").supported
    assert index.support("Northline will move its sailings to the south quay from 1 May.").supported


PAPERS = (
    "Frank took the letter from his pocket and read it again. "
    "In it Dermott had stated that whatever documents he had held concerning the early "
    "marriage of the elder Ravenel had been burned. "
    "Frank gave the letter to Katrine, who read it in silence."
)


def test_a_passive_without_by_names_no_doer() -> None:
    index = SourceIndex(PAPERS)
    burned = index.support(
        "Dermott burned the documents about the early marriage of the elder Ravenel."
    )
    assert burned.why is not Why.ROLES, burned.detail


# Filler long enough that the first rough pass over the source does not rank the line
# beside the true one among its best candidates (many sentences name Frank).
FILLER = " ".join(
    f"Frank walked to the harbour on day {i} and Katrine stayed at home with Dermott."
    for i in range(250)
)
STORY = (
    FILLER + ' Madame de Nemours has told me the story of Ravenel." '
    "She was silent for a while and looked at the sea. "
    + " ".join(f"The gulls turned over the bay in the wind for the {i}th time." for i in range(30))
    + ' "What do you think of the letter, Katrine?" Frank asked. '
    '"I fail utterly to understand it." '
    '"I think," Katrine said, softly, "that Dermott told a story."'
)


def test_the_line_that_says_it_is_found_with_its_neighbour() -> None:
    index = SourceIndex(STORY)
    verdict = index.support("Katrine told Frank that Dermott told a story.")
    assert verdict.supported, verdict.detail
    assert any("Dermott told a story" in e.text for e in verdict.evidence)
    turned = index.support("Frank told Katrine that Dermott told a story.")
    assert turned.why is Why.ROLES and "katrine" in turned.detail


GUTENBERG_TAIL = (
    "Katrine sang at the opera in Paris that winter.\n"
    "Francis Ravenel came to hear her every night.\n\n"
    "THE END\n\n\n"
    "End of the Project Gutenberg EBook of Katrine, by Elinor Macartney Lane\n\n"
    "*** END OF THIS PROJECT GUTENBERG EBOOK KATRINE ***\n\n"
    "This file should be named 14263.txt or 14263.zip\n"
)


def test_a_licence_footer_is_never_evidence() -> None:
    result = verify(
        "Katrine, a novel by Elinor Macartney Lane, tells of the singer Katrine.",
        [Read("katrine.txt", GUTENBERG_TAIL, ())],
    )
    checked = result.sentences[0]
    assert not checked.supported
    assert not any("Gutenberg" in e.text for e in checked.evidence)
    # the book's own lines still are
    kept = verify(
        "Francis Ravenel came every night to hear Katrine.", [Read("k.txt", GUTENBERG_TAIL, ())]
    )
    assert kept.sentences[0].supported


def _crowded_story() -> str:
    """A source where over 200 sentences outscore, on the first rough pass, the line that
    names Frank beside the true one: the neighbour must still be found in its window."""
    lines = [f"Katrine heard the old story told again on day {i}." for i in range(250)]
    lines += [f"Frank walked to the harbour on evening {i}." for i in range(300)]
    lines += [f"The gulls turned over the bay in the wind on morning {i}." for i in range(1450)]
    lines += [
        '"What do you think of the letter, Katrine?" Frank asked.',
        '"I think," Katrine said, softly, "that Dermott told a story."',
    ]
    return " ".join(lines)


def test_a_neighbour_outside_the_best_rough_matches_joins_the_evidence() -> None:
    index = SourceIndex(_crowded_story())
    verdict = index.support("Katrine told Frank that Dermott told a story.")
    texts = [e.text for e in verdict.evidence]
    assert any("Dermott told a story" in t for t in texts)
    assert any("Frank asked" in t for t in texts), texts
