from longcli.grounding.cite import Span, align, trace, with_markers
from longcli.text.keysentences import score_sentences, select
from longcli.text.vocabulary import word_count

STORY = [
    "Alice Hart sailed the Marigold from Dover to Calais in a storm.",
    '"Oh!" she said.',
    "The Marigold was an old ship with a torn sail.",
    "Bob Crane, her mate, mended the sail of the Marigold during the storm.",
    "It rained.",
    "In Calais, Alice Hart and Bob Crane sold the cargo of the Marigold.",
]


def test_central_narration_beats_dialogue_and_fragments():
    scores = [s.score for s in score_sentences(STORY)]
    assert scores[1] < min(scores[0], scores[3], scores[5])
    assert scores[4] < min(scores[0], scores[3], scores[5])


def test_selection_fits_the_budget_and_keeps_source_order():
    picked = select(STORY, 25, word_count)
    assert picked == sorted(picked)
    assert sum(word_count(STORY[i]) for i in picked) <= 25
    assert 1 not in picked and 4 not in picked
    assert select(STORY, 0, word_count) == [] and select([], 10, word_count) == []


def test_alignment_and_markers():
    # Bob's mending (3) scores best; the torn sail (2) shares enough of it to be cited too
    assert align(["Bob mended the torn sail."], STORY) == [[2, 3]]
    assert align(["Nothing in common here."], STORY) == [[]]
    origins = [[Span(0, i, i * 10, i * 10 + 9)] for i in range(len(STORY))]
    traced = trace("Alice sold the cargo in Calais. Zebras sing.", STORY, origins)
    assert traced == [[Span(0, 5, 50, 59)], []]
    marked = with_markers(
        "Alice sold the cargo in Calais. Zebras sing.",
        traced,
        lambda spans: "".join(f"[{s.chunk + 1}]" for s in spans),
    )
    assert marked == "Alice sold the cargo in Calais. [6] Zebras sing."


def test_prose_is_preferred_to_code_tables_and_headings():
    from longcli.text.keysentences import score_sentences

    sentences = [
        "The harbour master counted the ships that came in from the storm.",
        "```sh longcli summarize ships.txt --words 80 ```",
        "| ships | storm | harbour | master |",
        "## The harbour master and the ships of the storm",
        "The ships of the storm were counted by the harbour master at dawn.",
    ]
    scores = [s.score for s in score_sentences(sentences)]
    prose = min(scores[0], scores[4])
    assert all(scores[i] < prose for i in (1, 2, 3))
