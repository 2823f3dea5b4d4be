"""extract-abstract: the model writes from the key passages only, every sentence checked."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from longcli.backends.base import Completion
from longcli.calls import Message, Sampling
from longcli.config import Method
from longcli.grounding.check import Grounds, Verdict, check, check_written, restored_sentences
from longcli.prompts.templates import load_templates
from longcli.summarize.budget import SummarizeOptions, plan_run
from longcli.summarize.method import (
    SAMPLE,
    Calibration,
    cached_calibration,
    calibrate,
    choose_method,
    remember,
)
from longcli.summarize.pipeline import Summarizer, chunk_sources
from longcli.summarize.results import SummaryResult
from tests.support.fake_backend import FakeBackend

PEOPLE = ["Mara Quill", "Tom Quill", "Osric Vell", "Ada Penhale", "Jory Tregear"]
THINGS = ["the lamp", "the logbook", "the small boat", "the brass bell", "the cliff road",
          "the harbour wall", "the signal flags", "the storm shutters"]  # fmt: skip
VERBS = ["mended", "painted", "guarded", "searched", "cleaned", "carried", "counted"]
STORY = "\n\n".join(
    f"Chapter {n}\n\n"
    + " ".join(
        f"In winter {n * 40 + k} {PEOPLE[(n + k) % 5]} {VERBS[k % 7]} {THINGS[(n * k) % 8]} "
        f"at Carrow Point, and {PEOPLE[(n + k + 2) % 5]} {VERBS[(k + n) % 7]} tower {k}."
        for k in range(1, 30)
    )
    for n in range(1, 6)
)


def passages_of(messages: list[Message]) -> list[str]:
    return messages[-1].content.split("Passages:\n", 1)[1].splitlines()


class Scripted(FakeBackend):
    """The fake model answering each write call with `answer(passages)`."""

    def __init__(self, answer: Callable[[list[str]], str]) -> None:
        super().__init__(n_ctx=2048)
        self.answer = answer

    def complete(self, messages: list[Message], sampling: Sampling) -> Completion:
        self.calls += 1
        self.prompts.append(messages)
        text = self.answer(passages_of(messages))
        prompt = self.prompt_tokens(messages)
        return Completion(text, prompt, self.count_tokens(text), "stop")


def summarize(backend: Scripted, words: int = 120, style: str = "paragraph") -> SummaryResult:
    opts = SummarizeOptions(words=words, method=Method.extract_abstract, style=style)
    summarizer = Summarizer(backend, load_templates(), opts)
    return summarizer.run(chunk_sources([[STORY]], summarizer.budget, backend.count_tokens))


SENTENCE = re.compile(r"In winter (\d+) (\w+ \w+) (\w+) (.+?) at Carrow Point, and (.+)\.")


def faithful(passages: list[str]) -> str:
    """The passages retold: the same facts, in other order and words."""
    retold = []
    for passage in passages:
        n, who, did, what, rest = SENTENCE.fullmatch(passage).groups()  # type: ignore[union-attr]
        retold.append(f"At Carrow Point, {who} {did} {what} during winter {n}, while {rest}.")
    return " ".join(retold)


def test_the_model_reads_only_the_passages_and_its_sentences_are_kept() -> None:
    backend = Scripted(faithful)
    result = summarize(backend)
    s = result.stats
    assert s.calls == backend.calls >= 2 and s.fallbacks == 0 and s.written >= s.calls
    assert s.passage_tokens < s.input_tokens / 2  # it read a part of the input, not all
    assert "during winter" in result.summary
    assert len(result.origins) == result.summary.count("during winter")  # every one traced
    assert all(spans for spans in result.origins)
    prompts = [m[-1].content for m in backend.prompts]
    assert all("of a longer text" in p and "Chapter" in p for p in prompts)  # chapters named


@pytest.mark.parametrize(
    "lie",
    [
        "Tom mended the lamp because he was afraid of the dark.",  # invented reason
        "Mara never mended the lamp near Carrow Point.",  # negated
        "I agree with you that Mara mended the lamp.",  # an assistant's voice
        "The U.S. copyright on this publication was renewed by Mara Quill.",  # licence
    ],
)
def test_a_refused_answer_leaves_the_passages_themselves(lie: str) -> None:
    result = summarize(Scripted(lambda passages: lie))
    s = result.stats
    assert s.written == 0 and s.refused >= s.calls and s.fallbacks == s.calls - s.retries
    assert lie not in result.summary and "Carrow Point" in result.summary


def test_bullets_keep_one_point_per_written_sentence() -> None:
    result = summarize(Scripted(faithful), style="bullets")
    assert all(line.startswith("- At Carrow Point") for line in result.summary.splitlines())


def test_plan_counts_one_call_per_part() -> None:
    backend = Scripted(faithful)
    opts = SummarizeOptions(words=120, method=Method.extract_abstract)
    summarizer = Summarizer(backend, load_templates(), opts)
    chunks = list(chunk_sources([[STORY]], summarizer.budget, backend.count_tokens))
    plan = plan_run([c.tokens for c in chunks], summarizer.budget, Method.extract_abstract)
    result = summarizer.run(chunks)
    assert plan.phases[0].stage == "write"
    assert abs(plan.calls - result.stats.calls) <= 1
    assert plan.prompt_tokens < sum(c.tokens for c in chunks)


# -- claims: planted errors ---------------------------------------------------------------
# (passages, faithful paraphrases, planted errors). Measured: the names-only check catches
# few of these; check_written catches all, and refuses none of the paraphrases (a near-copy
# that leaves out a word that may matter is replaced by its passage, not refused).
CLAIMS = [
    (
        ["Mara found the old map hidden under the floorboards of the lighthouse.",
         "She showed it to her brother Tom the next morning."],
        ["Mara discovered an old map hidden under the lighthouse floorboards.",
         "The next morning she showed the map to her brother Tom."],
        ["Tom found the old map hidden under the floorboards of the lighthouse.",
         "Mara did not show the map to her brother Tom.",
         "Mara showed the map to Tom because she feared the coming storm."],
    ),
    (
        ["Captain Reyes ordered the crew to abandon the ship after the engine exploded.",
         "The crew escaped in two lifeboats and reached the island at dawn."],
        ["After the engine exploded, Captain Reyes ordered the crew to abandon ship.",
         "The crew escaped in lifeboats and reached the island at dawn."],
        ["The crew never reached the island.",
         "Captain Reyes ordered the crew to abandon the ship because he hated the owners.",
         "The crew sold the lifeboats to pirates and bought a castle."],
    ),
    (
        ["Dr. Hale accused Professor Lin of stealing the formula.",
         "Lin denied it and left the laboratory in anger."],
        ["Dr. Hale accused Professor Lin of stealing the formula.",
         "Lin denied the accusation and angrily left the laboratory."],
        ["Professor Lin accused Dr. Hale of stealing the formula.",
         "Lin admitted it and stayed in the laboratory.",
         "Dr. Hale accused Lin because Lin had insulted his wife."],
    ),
    (
        ["The Earthmen landed on Venus and built a small colony near the swamps.",
         "The natives watched them from the forest but did not attack."],
        ["The Earthmen landed on Venus and built a colony near the swamps.",
         "The natives watched from the forest without attacking."],
        ["The natives attacked the colony from the forest.",
         "The Earthmen signed a trade treaty with the natives and left for Mars.",
         "The natives did not attack because they worshipped the Earthmen as gods."],
    ),
    (
        ["Ellen refused to marry Gregory, although her father wished it.",
         "Gregory left the village and joined the army."],
        ["Ellen refused to marry Gregory, though her father wanted it.",
         "Gregory then left the village to join the army."],
        ["Gregory refused to marry Ellen, although her father wished it.",
         "Ellen agreed to marry Gregory.",
         "Gregory joined the army because he wanted to become a general."],
    ),
    (
        ["Harper sold the farm to Mr. Blake for three hundred dollars.",
         "Blake planted apple trees on the hill behind the house."],
        ["Harper sold his farm to Mr. Blake for three hundred dollars.",
         "Blake planted apple trees on the hill behind the house."],
        ["Blake sold the farm to Mr. Harper for three hundred dollars.",
         "Blake never planted any trees on the hill.",
         "Harper spent the money on a ticket to Paris and a new violin."],
    ),
]  # fmt: skip


# Written after the check (the check was then fixed for passive voice and a month taken
# for a name). Its one miss, a family relation turned round, is caught since the slot
# checks (grounding/support.py): the source's "He spent the summer fishing" is Peter's.
# The antonym ("kept" for "lost") is caught only because the rest is a near-copy.
HELD_OUT = [
    (
        ["The old king was poisoned by his nephew Aldric at the winter feast.",
         "The queen fled north with her two daughters."],
        ["Aldric poisoned the old king at the winter feast.",
         "With her two daughters, the queen fled to the north.",
         "At the winter feast, the king was poisoned by his nephew."],
        ["The old king poisoned his nephew Aldric at the winter feast.",
         "The queen did not flee north.",
         "Aldric poisoned the king because he wanted to marry the queen.",
         "The queen raised an army in the north and took back the throne."],
    ),
    (
        ["Peter lost his job at the mill when the owner closed it in March.",
         "He spent the summer fishing with his son Danny."],
        ["When the owner closed the mill in March, Peter lost his job.",
         "Peter spent the summer fishing with his son Danny.",
         "Peter and Danny went fishing all summer."],
        ["Danny spent the summer fishing with his son Peter.",  # a relation turned round
         "Peter kept his job at the mill.",  # an antonym: restored as a near-copy
         "The owner closed the mill because the river had dried up.",
         "Peter opened a bakery in the town square."],
    ),
    (
        ["Sergeant Oduya could not find the missing rifle anywhere in the barracks.",
         "Private Kemp finally admitted that he had sold it to a farmer."],
        ["Sergeant Oduya was unable to find the missing rifle in the barracks.",
         "Kemp admitted he had sold the rifle to a farmer.",
         "The missing rifle could not be found by Sergeant Oduya."],
        ["Sergeant Oduya found the missing rifle in the barracks.",
         "Sergeant Oduya admitted that he had sold it to a farmer.",
         "Kemp sold the rifle because his mother needed medicine.",
         "Kemp was sent to prison for ten years."],
    ),
]  # fmt: skip


def claims_scores(
    judge: Callable[[str, list[str]], bool],
    cases: list = CLAIMS,
    survives: Callable[[str, list[str]], bool] | None = None,
) -> tuple[int, int, int, int]:
    """(errors caught, errors, paraphrases refused, paraphrases): `judge` says whether a
    paraphrase's content is kept, `survives` (default `judge`) whether an error reaches
    the summary as written."""
    caught = errors = refused = paraphrases = 0
    for passages, good, bad in cases:
        for sentence in good:
            paraphrases += 1
            refused += not judge(sentence, passages)
        for sentence in bad:
            errors += 1
            caught += not (survives or judge)(sentence, passages)
    return caught, errors, refused, paraphrases


def kept(sentence: str, passages: list[str]) -> bool:
    """Whether a written sentence survives: it passes, or is a copy of a passage with a cut
    that may matter, which is replaced by the passage (so what it says stays true)."""
    verdict: Verdict = check_written(sentence, passages, Grounds(passages, summary=True))
    restored = restored_sentences(verdict)
    return verdict.ok or (bool(restored) and restored[0] in passages)


def test_claims_are_checked_not_only_names() -> None:
    names_only = claims_scores(lambda s, p: check(s, Grounds(p)).ok)
    claims = claims_scores(kept, CLAIMS, passes)
    assert claims == (18, 18, 0, 12)  # every planted error caught, no paraphrase refused
    assert names_only[0] <= 2  # the old check let almost every one through
    assert claims_scores(kept, HELD_OUT, passes) == (12, 12, 0, 9)


def passes(sentence: str, passages: list[str]) -> bool:
    """Whether a written sentence reaches the summary as it was written."""
    return check_written(sentence, passages, Grounds(passages, summary=True)).ok


def test_a_copy_cut_where_it_matters_is_restored_whole() -> None:
    passage = "The crew escaped in two lifeboats and reached the island at dawn."
    cut = "The crew escaped in lifeboats and reached the island at dawn."  # "two" is gone
    verdict = check_written(cut, [passage], Grounds([passage], summary=True))
    assert [p.kind for p in verdict.problems] == ["cut"]
    assert restored_sentences(verdict) == [passage]


# -- auto: by calibration -----------------------------------------------------------------


def test_calibration_keeps_a_model_that_writes_faithfully() -> None:
    result = calibrate(Scripted(" ".join), load_templates(), Sampling())  # copies
    assert result.method == Method.extract_abstract and result.written_parts == result.parts


def test_calibration_drops_a_model_that_invents() -> None:
    liar = Scripted(lambda p: "Mara kept the lamp because she loved Osric Vell in secret.")
    assert calibrate(liar, load_templates(), Sampling()).method == Method.extractive


def test_a_calibration_is_cached_per_model(bundled_model_info) -> None:
    model = bundled_model_info
    big = type(model)(**{**model.__dict__, "size_bytes": 400_000_000})
    first = choose_method(Method.auto, big)
    assert first.calibrate and "not calibrated" in first.reason
    verdict = Calibration(Method.extractive, 3, 1, 2, 5, 4, 1.0)
    remember(big.identity, verdict)
    assert cached_calibration(big.identity) == verdict
    again = choose_method(Method.auto, big)
    assert again.method == Method.extractive and not again.calibrate
    assert "1 of 3 parts" in again.reason
    assert choose_method(Method.auto, model).method == Method.extractive  # the bundled size
    assert choose_method(Method.hybrid, big).method == Method.hybrid


def test_the_sample_is_a_story_with_names() -> None:
    assert "Mara" in SAMPLE and len(SAMPLE.split()) > 300
