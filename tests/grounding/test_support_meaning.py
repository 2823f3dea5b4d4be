"""The support check with the sentence-embedding model (issue 32): a sentence is compared
where the source says what it means, not only where its words are, and the slots still
hold there; without the model the check is the words', as before. The fake embedder's
topics say what means the same; one test runs the real model when it is installed.

Sources are short excerpts of The Time Machine (H. G. Wells, 1895, public domain): the
river scene where the Time Traveller saves Weena (her name moved up beside it), and the
night walk where Weena and a little river stand in one place."""

from __future__ import annotations

from pathlib import Path

import pytest

from longcli.grounding.meaning import without_names
from longcli.grounding.support import SourceIndex, Why
from longcli.grounding.verify import Read, verify
from tests.chat.embedders import REAL_MODEL, FakeEmbedder, real_embedder
from tests.support.filler import filler

RESCUE = (
    "It happened that, as I was watching some of the little people bathing in a shallow, "
    "one of them was seized with cramp and began drifting downstream. When I realised "
    "this, I hurriedly slipped off my clothes, and, wading in at a point lower down, I "
    "caught the poor mite and drew her safe to land. Then I tried talk, and found that "
    "her name was Weena, which somehow seemed appropriate enough."
)
FILLER = filler(5)
NIGHT = (
    "Weena's fears and her fatigue grew upon her. I took her in my arms and talked to "
    "her. So we went down a long slope into a valley, and there in the dimness I almost "
    "walked into a little river. This I waded, and went up the opposite side of the "
    "valley. Filby sat by the fire and said nothing."
)
SOURCE = f"{RESCUE} {FILLER} {NIGHT} {FILLER}"
SAVES = "He saves Weena from drowning in the river."
# What means the same to the fake model: a rescue from the water.
TOPICS = {"rescue": "drowning cramp drifting downstream safe to land"}


def cited(index: SourceIndex, sentence: str) -> list[str]:
    return [e.text for e in index.support(sentence).evidence]


def test_a_paraphrase_is_compared_where_it_means_not_where_its_words_are():
    words_only = SourceIndex(SOURCE)
    assert not any("safe to land" in e for e in cited(words_only, SAVES))  # the night walk
    meant = SourceIndex(SOURCE, embedder=FakeEmbedder(TOPICS))
    verdict = meant.support(SAVES)
    assert verdict.supported, verdict
    assert verdict.meaning > 0.9
    assert any("safe to land" in e or "cramp" in e for e in (x.text for x in verdict.evidence))
    assert verdict.evidence[0].text.startswith("It happened that")


def test_slots_still_hold_where_the_meaning_is():
    # Meaning is looked for around the places holding some of the sentence's words (a
    # novel's every passage embedded took minutes): "shallow" is the rescue scene's.
    index = SourceIndex(SOURCE, embedder=FakeEmbedder(TOPICS))
    another = index.support("He saves Filby from drowning in the shallow river.")
    assert another.why is Why.NAME and "Filby" in another.detail
    counted = index.support("He saves three children from drowning in the shallow river.")
    assert counted.why is Why.NUMBER
    no_one = index.support("He saves no one from drowning in the shallow river.")
    assert no_one.why is not Why.SUPPORTED


def test_a_close_paraphrase_needs_fewer_of_the_words_but_a_far_one_as_many():
    rescue = "He pulls Weena from the shallow when she gets a cramp."  # 0.49 of its words
    assert SourceIndex(SOURCE).support(rescue).why is Why.WORDS
    assert SourceIndex(SOURCE, embedder=FakeEmbedder(TOPICS)).support(rescue).supported
    unrelated = "Weena pulls the girl out of a burning house."  # near nothing in meaning
    verdict = SourceIndex(SOURCE, embedder=FakeEmbedder(TOPICS)).support(unrelated)
    assert verdict.why is Why.WORDS and verdict.meaning < 0.5


def test_without_the_model_the_check_is_the_words_as_before():
    embedder = FakeEmbedder(TOPICS)
    SourceIndex(SOURCE, embedder=embedder)  # nothing embedded before a sentence is checked
    assert embedder.embedded == []
    verdict = SourceIndex(SOURCE).support(SAVES)
    assert verdict.meaning == 0.0
    checked = verify(SAVES, [Read("s", SOURCE, ())]).sentences[0]
    assert [e.text for e in checked.evidence] == [e.text for e in verdict.evidence]


def test_a_long_source_is_embedded_only_around_the_sentences_words():
    # Issue 32's walk: a 346 kB novel's every passage embedded for the first sentence took
    # minutes; meaning is looked for around the places holding some of its words.
    long_source = " ".join(
        f"The keeper of lamp {n} walked to the mill at dawn." for n in range(2000)
    )
    embedder = FakeEmbedder(TOPICS)
    index = SourceIndex(f"{long_source} {RESCUE} {long_source}", embedder=embedder)
    verdict = index.support(SAVES)
    passages = [t for t in embedder.embedded if t.count(".") >= 2]
    assert 0 < len(passages) < 200, len(passages)
    assert verdict.meaning > 0.9 and verdict.evidence[0].text.startswith("It happened that")
    again = len(embedder.embedded)
    index.support(SAVES)  # each passage embedded once, and kept
    assert [t for t in embedder.embedded[again:] if t.count(".") >= 2] == []


def test_a_sentence_is_placed_without_its_names():
    assert without_names("He saves Weena from drowning in the river.") == (
        "He saves from drowning in the river."
    )


def test_verify_uses_the_model_when_present_and_says_so_under_v(run, tmp_path: Path, monkeypatch):
    source, summary = tmp_path / "book.txt", tmp_path / "summary.txt"
    source.write_text(SOURCE, encoding="utf-8")
    summary.write_text(SAVES, encoding="utf-8")
    without = run("verify", "-v", "--format", "json", str(summary), str(source))
    assert "embedding model: none" in without.stderr
    monkeypatch.setattr("longcli.backends.embedding.find_embedding_model", lambda s: Path("m.gguf"))
    monkeypatch.setattr(
        "longcli.backends.embedding.open_embedder", lambda p, verbose=False: FakeEmbedder(TOPICS)
    )
    meant = run("verify", "-v", "--format", "json", str(summary), str(source))
    assert meant.returncode == 0, meant.stderr
    assert "embedding model: m.gguf" in meant.stderr
    assert '"line 1"' in meant.stdout and "seized with cramp" in meant.stdout


def test_a_source_of_boilerplate_alone_is_checked_with_the_model_without_a_crash():
    # every line of it goes as a site's notice: no sentence is left to embed
    rule = "-" * 40
    notice = f"{rule}\nDownload more e-books at www.example.com\n{rule}\n"
    checked = verify(SAVES, [Read("s", notice, ())], embedder=FakeEmbedder(TOPICS))
    assert not checked.sentences[0].supported


@pytest.mark.skipif(REAL_MODEL is None, reason="no embedding model installed")
def test_the_real_model_places_the_rescue_at_the_river_scene():
    drowning = (
        "It will give you an idea, therefore, of the strange deficiency in these creatures, "
        "when I tell you that none made the slightest attempt to rescue the weakly crying "
        "little thing which was drowning before their eyes."
    )
    rescue = RESCUE.replace("downstream. ", f"downstream. {drowning} ")
    index = SourceIndex(f"{rescue} {FILLER} {NIGHT} {FILLER}", embedder=real_embedder())
    place = index.meanings.nearest(SAVES, ["Weena"]) if index.meanings else None
    assert place is not None and place.sentence < 4  # the river scene, not the night walk
    assert index.support(SAVES).supported
