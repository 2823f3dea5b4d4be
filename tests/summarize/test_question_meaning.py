"""-i with an embedding model: a question that names no one ("describe the setting") is
answered by the sentences nearest it in meaning; one about someone is searched for by
their names, at no embedding cost (summarize/pool.py, issue 31)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from longcli.backends.embedding import Vector, unit
from longcli.config import Settings
from longcli.grounding.cite import Span
from longcli.summarize import pool as pool_module
from longcli.summarize.pool import Pool, question_meaning
from longcli.text.decode import Source
from longcli.text.vocabulary import word_count

PLACE = "The colony stood on the third moon of a gas giant, under a dome of glass."
SENTENCES = [
    "Kendall argued with the captain about the rations for the long winter.",
    "The captain said that the rations would have to last until the supply ship came.",
    "Kendall counted the crates twice and found that three were missing.",
    PLACE,
    "Nobody would say who had taken the crates, and Kendall grew angry.",
    "The captain ordered a search of every cabin before the night shift began.",
]
# words that mean a place to this stand-in model, as a real one places them near
PLACE_WORDS = ("setting", "colony", "moon", "dome")


class Meaning:
    """A stand-in embedding model: texts about a place point one way, the rest another;
    counts what it embeds."""

    def __init__(self) -> None:
        self.embedded = 0

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        self.embedded += len(texts)
        out = []
        for text in texts:
            place = sum(w in text.lower() for w in PLACE_WORDS)
            out.append(unit((place, 1.0, len(text) % 7 / 100)))
        return out


def pool(focus: str, meaning: Meaning | None) -> Pool:
    spans = [[Span(0, 0, i * 100, i * 100 + 90)] for i in range(len(SENTENCES))]
    return Pool(SENTENCES, spans, 1.3, [0] * len(SENTENCES), focus, meaning=meaning)


def chosen(p: Pool) -> list[str]:
    return [p.sentences[i] for i in p.indices(20, by_words=True)]


def test_a_question_that_names_no_one_is_answered_by_meaning():
    question = "Describe the setting of the story."
    assert PLACE not in chosen(pool(question, None))  # no word of it is in the answer
    assert PLACE in chosen(pool(question, Meaning()))


def test_a_question_about_someone_is_searched_by_name_at_no_embedding_cost():
    meaning = Meaning()
    picked = chosen(pool("Who is Kendall?", meaning))
    assert picked and all("Kendall" in s for s in picked)
    assert meaning.embedded == 0


def test_the_embedding_model_is_loaded_only_for_a_question_that_names_no_one(
    monkeypatch, tmp_path: Path
):
    """... about a text short enough to embed every sentence of (a story, an article): a
    book's 5,000 sentences took 111 s, its words alone 8 s."""
    loaded: list[str] = []

    def fake_open(path, verbose=False):
        loaded.append(str(path))
        return Meaning()

    monkeypatch.setattr("longcli.backends.embedding.find_embedding_model", lambda s: "m.gguf")
    monkeypatch.setattr("longcli.backends.embedding.open_embedder", fake_open)

    class Streams:
        llama_log = False

        def detail(self, line: str) -> None: ...
        def warn(self, line: str) -> None: ...

    short, book = tmp_path / "short.txt", tmp_path / "book.txt"
    short.write_text(" ".join(SENTENCES), encoding="utf-8")
    book.write_text(" ".join(SENTENCES) * (pool_module.MEANING_MAX_BYTES // 400), "utf-8")
    for asked in (None, "Who is Kendall?", "use a formal tone"):
        settings = Settings(instructions=asked)
        assert question_meaning(settings, Streams(), [Source(str(short), short)]) is None, asked
    where = Settings(instructions="Where is it set?")
    assert question_meaning(where, Streams(), [Source(str(book), book)]) is None  # minutes
    assert question_meaning(where, Streams(), [Source("-", None)]) is None  # a pipe: unknown
    assert question_meaning(where, Streams(), [Source(str(short), short)]) is not None
    assert loaded == ["m.gguf"]
    assert pool_module.MEANING_SHARE < 1  # the question's own words still count
    assert word_count(PLACE) <= 20
