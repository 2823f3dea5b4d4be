"""Key-sentence scoring and choice (text/keysentences.py): the graph centrality blended
into each sentence's score, and the rule that two near-equal sentences are never both
kept."""

import pytest

from longcli.text import keysentences
from longcli.text.keysentences import graph_centrality, score_sentences, select, spread
from longcli.text.vocabulary import word_count
from tests.support.vectors import sentence_cosine

# Two tellings of the same event, all but one word alike, and the most central sentences of
# the story: greedy choice with only a redundancy penalty kept both.
STORY = [
    "Captain Mara Voss steered the freighter Halcyon through the asteroid storm to Ceres.",
    "Captain Mara Voss steered the freighter Halcyon through the asteroid storm to Vesta.",
    "The freighter Halcyon carried ore, and Captain Mara Voss feared the asteroid storm.",
    "Her engineer Tobias Reyes patched the hull of the Halcyon while the storm raged.",
    "At Ceres the miners unloaded the ore and paid Mara Voss in gold.",
    "Tobias Reyes slept for two days after the storm.",
    "The miners of Ceres had waited three months for the ore of the Halcyon.",
]


def test_the_two_tellings_are_near_duplicates():
    assert sentence_cosine(STORY[0], STORY[1]) >= keysentences.NEAR_DUPLICATE


def test_near_duplicate_sentences_are_never_both_chosen_by_select():
    picked = select(STORY, 60, word_count)
    assert not {0, 1} <= set(picked)
    assert len(picked) >= 3  # the budget is spent on other sentences instead


@pytest.mark.parametrize("overshoot", [0.0, 0.05])
def test_near_duplicate_sentences_are_never_both_chosen_by_spread(overshoot: float):
    positions = [i / len(STORY) for i in range(len(STORY))]
    scored = score_sentences(STORY, main_names=True)
    for budget in range(20, 100, 7):
        picked = spread(STORY, budget, word_count, scored, positions, overshoot=overshoot)
        assert not {0, 1} <= set(picked), budget


def test_without_the_rule_both_tellings_were_chosen(monkeypatch: pytest.MonkeyPatch):
    """What the rule prevents: with the similarity only penalised (the code before it),
    both tellings are kept."""
    monkeypatch.setattr(keysentences, "NEAR_DUPLICATE", 1.01)
    monkeypatch.setattr(keysentences, "CONTAINED_SHARE", 2.0)  # the word-containment rule too
    assert {0, 1} <= set(select(STORY, 60, word_count))


def _vector(*words: str) -> dict[str, float]:
    return {w: 1 / len(words) ** 0.5 for w in words}


def test_graph_centrality_ranks_the_sentence_most_linked_first():
    hub = _vector("storm", "ship", "harbour", "crew")
    vectors = [
        _vector("storm", "rain"),  # each is like the hub, not like the others
        hub,
        _vector("ship", "sail"),
        _vector("harbour", "quay"),
        _vector("crew", "captain"),
        _vector("zebra", "savanna"),  # like nothing
    ]
    ranks = graph_centrality(vectors)
    assert max(range(len(ranks)), key=ranks.__getitem__) == 1
    assert ranks[5] == min(ranks)
    assert ranks[0] == pytest.approx(ranks[2]) == pytest.approx(ranks[4])
    assert sum(ranks) == pytest.approx(len(vectors))  # 1 on average


def test_graph_centrality_is_flat_for_one_sentence_and_unlinked_ones():
    assert graph_centrality([]) == []
    assert graph_centrality([_vector("storm")]) == [1.0]
    ranks = graph_centrality([_vector("a"), _vector("b"), _vector("c")])
    assert ranks == pytest.approx([1.0, 1.0, 1.0])


def test_graph_centrality_gives_up_where_the_pairs_are_too_many(
    monkeypatch: pytest.MonkeyPatch,
):
    """Sentences that all share a word make n² pairs: past GRAPH_MAX_PAIRS, every sentence
    ranks 1 and the linear centrality decides alone (counted, not timed)."""
    vectors = [_vector("harbour", f"word{i}") for i in range(100)]
    assert graph_centrality(vectors) != [1.0] * 100
    monkeypatch.setattr(keysentences, "GRAPH_MAX_PAIRS", 100 * 99 // 2 - 1)
    assert graph_centrality(vectors) == [1.0] * 100


def test_the_graph_rank_scales_the_linear_centrality(monkeypatch: pytest.MonkeyPatch):
    """Each score is today's (linear) score times (1 - GRAPH_SHARE + GRAPH_SHARE x rank):
    here it lifts the sentence linked to most of the story over a telling of the first."""
    share = keysentences.GRAPH_SHARE
    with_graph = [s.score for s in score_sentences(STORY)]
    ranks = graph_centrality([s.vector for s in score_sentences(STORY)])
    monkeypatch.setattr(keysentences, "GRAPH_SHARE", 0.0)
    alone = [s.score for s in score_sentences(STORY)]
    for graph, linear, rank in zip(with_graph, alone, ranks, strict=True):
        assert graph == pytest.approx(linear * (1 - share + share * rank))
    assert alone[1] > alone[2] and with_graph[2] > with_graph[1]


def test_logs_are_scored_by_rarity_not_by_the_graph():
    lines = [f"2024-05-01 10:00:{i:02d} INFO heartbeat ok" for i in range(20)]
    lines[7] = "2024-05-01 10:00:07 ERROR disk full on /var"
    scores = [s.score for s in score_sentences(lines)]
    assert max(range(len(scores)), key=scores.__getitem__) == 7


def test_a_bold_lead_in_ends_its_sentence():
    """Markdown's closing ** after a full stop ends the sentence (text/sentences.py), so a
    summary may keep "Nothing is refused in silence." whole, not as a cut of one sentence
    running on into the paragraph."""
    from longcli.text.sentences import split_sentences

    text = "**Nothing is refused in silence.** A warning line says what was printed instead."
    assert [s.text for s in split_sentences(text)] == [
        "**Nothing is refused in silence.**",
        "A warning line says what was printed instead.",
    ]
    assert [s.text for s in split_sentences("It is _done._ Next one.")] == [
        "It is _done._",
        "Next one.",
    ]


def test_a_question_scores_half_of_the_same_words_told():
    """An essay's rhetorical questions ("Why has every man a conscience, then?") led a
    new user's summary of Civil Disobedience: a summary tells."""
    told, asked = score_sentences(
        [
            "Every man has a conscience and the State must respect it.",
            "Every man has a conscience and the State must respect it?",
            "The State has no conscience of its own, only its men do.",
        ]
    )[:2]
    assert asked.score == pytest.approx(keysentences.QUESTION_PENALTY * told.score)
    assert keysentences.QUESTION_PENALTY < 1


def test_a_line_of_dialogue_weighs_as_speech():
    """A sentence opening with a quotation mark, a curly single one too, is a character's
    line (walks 45 and 46: 15 of 17 of The Wind in the Willows' summary sentences were
    lines of dialogue, "‘Tell me about Toad Hall,’ said she."); an apostrophe ("the
    Smiths’ house", "it’s") opens and closes none."""
    line = "‘Down to the river,’ said the Rat to the Mole by the old mill in the Wild Wood."
    told = "Down to the river, said the Rat to the Mole by the old mill in the Wild Wood."
    other = "The Badger lived in the Wild Wood, far from the river and the mill."
    spoken, plain, _ = score_sentences([line, told, other])
    kept = 1 - (1 - keysentences.DIALOGUE_PENALTY) * keysentences.SPEECH_SHARE
    assert spoken.score == pytest.approx(kept * plain.score, rel=0.05)
    assert kept < 0.5  # (0.8 of its score kept before: its quoted share, 0.4, alone)
    apostrophes = "The Smiths’ house by the mill was the one the Rat’s friends liked best."
    assert keysentences._quoted_share(apostrophes) == 0
    assert keysentences._quoted_share("He said ‘no’ and went home to the mill.") > 0
