import math

import pytest

from longcli.backends.cache import CachingBackend, CallCache
from longcli.backends.engine import EngineInfo
from longcli.calls import Message, Sampling
from longcli.cli.render_json import summary_json
from longcli.config import Settings
from longcli.errors import InputError, UsageError
from longcli.grounding.ask import truncate_to_tokens
from longcli.grounding.check import entity_precision, meta_sentences, repeated_phrases
from longcli.prompts.templates import load_templates
from longcli.summarize.budget import LABEL_TOKENS, SummarizeOptions, plan_run, summary_budget
from longcli.summarize.context import RunContext
from longcli.summarize.pipeline import Summarizer
from longcli.summarize.pool import LENGTH_OVERSHOOT, Node
from longcli.summarize.reduce_tree import merge_level
from longcli.summarize.run import RunInfo
from longcli.text.chunks import chunk_stream
from longcli.text.sentences import split_sentences
from tests.support.fake_backend import FakeBackend

TEMPLATES = load_templates()


def story(paragraphs: int) -> str:
    return "".join(
        f"Paragraph {i} tells how Alice met person{i} in town{i}. They talked about thing{i}.\n\n"
        for i in range(paragraphs)
    )


class Recording(FakeBackend):
    """A fake that asserts every prompt fits the context, the invariant of the pipeline."""

    def complete(self, messages: list[Message], sampling: Sampling):
        assert self.prompt_tokens(messages) + sampling.max_tokens <= self.n_ctx
        return super().complete(messages, sampling)


def run(backend, text, **opts):
    """A whole run; the model writes every node unless another method is asked for."""
    opts.setdefault("method", "abstractive")
    summarizer = Summarizer(backend, TEMPLATES, SummarizeOptions(**opts))
    chunks = chunk_stream([text], summarizer.budget.chunk_tokens, backend.count_tokens)
    return summarizer.run(chunks)


def test_short_text_is_one_call():
    backend = Recording(n_ctx=2048)
    result = run(backend, story(3))
    assert backend.calls == 1
    assert len(result.chunks) == 1 and result.summary


def test_long_text_maps_every_chunk_in_order_then_merges():
    backend = Recording(n_ctx=1024)
    text = story(3000)
    result = run(backend, text)
    assert len(result.chunks) > 10
    assert len(result.levels) >= 3  # at least two merge levels below the final one
    # map covers the input in order
    assert [c.index for c in result.chunks] == list(range(len(result.chunks)))
    assert result.chunks[0].start == 0 and result.chunks[-1].end == len(text)
    # each level merges consecutive groups of the level below, in order, and shrinks
    below = len(result.chunks)
    for level in result.levels:
        covered = [i for record in level for i in record.inputs]
        assert covered == list(range(below))
        # each level shrinks; the final one may take a last merge's one summary (answers
        # the check refuses fall back to shorter extracts, so one merge can take them all)
        assert len(level) < below or (level is result.levels[-1] and below == 1)
        below = len(level)
    assert len(result.levels[-1]) == 1
    assert result.summary == result.levels[-1][0].summary


def test_map_prompts_carry_the_previous_summary():
    backend = Recording(n_ctx=1024)
    result = run(backend, story(200))
    map_prompts = [p[-1].content for p in backend.prompts[: len(result.chunks)]]
    assert "so far" not in map_prompts[0]
    for i in range(1, len(result.chunks)):
        assert result.chunks[i - 1].summary.split()[0] in map_prompts[i]
        assert "Summary of the text so far" in map_prompts[i]


class Padding(Recording):
    """Short map summaries, but every merge answer fills its whole max_tokens."""

    def complete(self, messages, sampling):
        if "Part 1:" not in messages[-1].content:
            return super().complete(messages, sampling)
        self.calls += 1
        text = " ".join(f"w{i}." for i in range(sampling.max_tokens // 2))
        from longcli.backends.base import Completion

        return Completion(text, self.prompt_tokens(messages), sampling.max_tokens, "length")


def test_terminates_when_the_model_never_shortens():
    backend = Recording(n_ctx=1024, mode="echo")
    result = run(backend, story(600))
    n = len(result.chunks)
    assert len(result.levels) - 1 <= math.ceil(math.log2(n))
    cap = result.budget.summary_tokens
    for level in result.levels[:-1]:
        for record in level:
            assert record.summary_tokens <= cap
            if len(record.inputs) > 1:
                assert record.summary_tokens <= 0.8 * record.input_tokens
    # calls are bounded: up to 3 attempts per map, up to 2 merges per group of >= 2
    assert backend.calls <= 3 * n + 2 * 3 * n


def test_merges_that_do_not_shrink_are_redone_with_a_hard_cap():
    backend = Padding(n_ctx=1024)
    context = RunContext.create(backend, TEMPLATES, SummarizeOptions())
    texts = ["Alice left town at dawn.", "Bob followed her to the river.", "They met Carol."]
    counts = [backend.count_tokens(t) for t in texts]
    merges = merge_level(context, 1, [Node(t, c, [[]]) for t, c in zip(texts, counts, strict=True)])
    records = [m.record for m in merges]
    assert len(records) == 1 and records[0].tightened
    assert context.tally.stats.tightened == 1
    assert records[0].summary_tokens <= 0.5 * sum(counts)
    # and a whole run with a model that pads every merge still ends, within the depth bound
    result = run(Padding(n_ctx=1024), story(600), chunk_tokens=64)
    assert len(result.levels) - 1 <= math.ceil(math.log2(len(result.chunks)))


def test_looping_model_is_retried_and_cleaned():
    backend = Recording(n_ctx=1024, mode="loop")
    result = run(backend, story(100))
    assert result.stats.retries > 0
    for chunk in result.chunks:
        assert chunk.summary.count("The story goes on and on.") <= 1


def test_copying_sentences_is_accepted_but_handing_the_input_back_is_not():
    copying = Recording(n_ctx=1024, mode="copy")  # half of its input, verbatim
    result = run(copying, story(60), method="abstractive")
    assert result.stats.retries == 0 and result.stats.fallbacks == 0
    # A text of 117 words asked for in 100: the whole text back is no summary.
    echoing = Recording(n_ctx=1024, mode="echo")
    text = story(9)
    result = run(echoing, text, method="abstractive", words=100)
    assert len(result.chunks) == 1 and result.stats.retries == 1
    assert result.chunks[0].outcome == "extractive"
    assert len(result.summary.split()) <= 100 * (1 + LENGTH_OVERSHOOT) < len(text.split())


def test_summaries_never_exceed_their_cap():
    backend = Recording(n_ctx=1024, mode="echo")
    result = run(backend, story(300))
    cap = result.budget.summary_tokens
    assert all(c.summary_tokens <= cap for c in result.chunks)


def test_empty_input_is_an_input_error():
    with pytest.raises(InputError, match="empty"):
        run(Recording(), "")
    with pytest.raises(InputError, match="empty"):
        run(Recording(), "   \n\n  ")


def test_chunk_tokens_are_validated():
    backend = Recording(n_ctx=1024)
    with pytest.raises(UsageError, match="--chunk-tokens must be between"):
        summary_budget(backend, TEMPLATES, SummarizeOptions(chunk_tokens=5000))
    with pytest.raises(UsageError, match="--chunk-tokens must be between"):
        summary_budget(backend, TEMPLATES, SummarizeOptions(chunk_tokens=10))


def test_tiny_context_is_refused():
    with pytest.raises(UsageError, match="too small"):
        summary_budget(Recording(n_ctx=256), TEMPLATES, SummarizeOptions())


def test_budget_guarantees_two_summaries_per_merge():
    for n_ctx in (512, 1024, 2048, 4096, 8192, 32768):
        b = summary_budget(Recording(n_ctx=n_ctx), TEMPLATES, SummarizeOptions())
        assert 2 * (b.summary_tokens + LABEL_TOKENS) <= b.merge_input_tokens


class Interrupting(Recording):
    def __init__(self, stop_after: int, **kw):
        super().__init__(**kw)
        self.stop_after = stop_after

    def complete(self, messages, sampling):
        if self.calls >= self.stop_after:
            raise KeyboardInterrupt
        return super().complete(messages, sampling)


def test_interrupted_run_resumes_from_the_cache(tmp_path):
    text = story(300)
    first = Interrupting(stop_after=7, n_ctx=1024)
    with pytest.raises(KeyboardInterrupt):
        run(CachingBackend(first, CallCache(tmp_path)), text)
    assert first.calls == 7

    resumed = Recording(n_ctx=1024)
    cache = CallCache(tmp_path)
    result = run(CachingBackend(resumed, cache), text)
    assert cache.hits == 7

    fresh = Recording(n_ctx=1024)
    reference = run(fresh, text)
    assert resumed.calls == fresh.calls - 7
    assert result.summary == reference.summary

    again = Recording(n_ctx=1024)
    run(CachingBackend(again, CallCache(tmp_path)), text)
    assert again.calls == 0


def test_corrupt_cache_entry_is_a_miss(tmp_path):
    cache = CallCache(tmp_path)
    backend = CachingBackend(Recording(n_ctx=1024), cache)
    run(backend, story(5))
    for entry in (tmp_path / "calls").rglob("*.json"):
        entry.write_text("{not json")
    again = Recording(n_ctx=1024)
    run(CachingBackend(again, CallCache(tmp_path)), story(5))
    assert again.calls == 1


def test_json_tree_shape():
    backend = Recording(n_ctx=1024)
    result = run(backend, story(200))
    data = summary_json(result, RunInfo(EngineInfo("fake", None, 1024), Settings(), 0.0))
    assert set(data) >= {"summary", "chunks", "levels", "model", "settings", "stats", "budget"}
    assert data["chunks"][0]["start"] == 0
    assert all({"start", "end", "tokens", "summary"} <= set(c) for c in data["chunks"])
    assert data["levels"][-1][0]["summary"] == data["summary"]
    assert data["stats"]["calls"] == backend.calls


def test_truncate_to_tokens_cuts_at_sentences():
    backend = FakeBackend()
    text = "One two three. Four five six. Seven eight nine."
    assert truncate_to_tokens(backend, text, 9) == "One two three. Four five six."
    assert truncate_to_tokens(backend, text, 100) == text
    assert backend.count_tokens(truncate_to_tokens(backend, "a " * 50, 7)) <= 7


def test_plan_matches_a_real_run_shape():
    backend = Recording(n_ctx=1024, mode="echo")  # echo: summaries use their full cap
    summarizer = Summarizer(backend, TEMPLATES, SummarizeOptions())
    b = summarizer.budget
    counts = [c.tokens for c in chunk_stream([story(300)], b.chunk_tokens, backend.count_tokens)]
    plan = plan_run(counts, b)
    result = run(Recording(n_ctx=1024, mode="echo"), story(300))
    assert plan.chunks == len(result.chunks)
    assert len(plan.levels) >= len(result.levels)


class Concurrent(Recording):
    """Records how many calls were in flight at once; each call takes a little time."""

    def __init__(self, **kw):
        super().__init__(**kw)
        import threading

        self._lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0

    def complete(self, messages, sampling):
        import time

        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            time.sleep(0.01)
            return super().complete(messages, sampling)
        finally:
            with self._lock:
                self.in_flight -= 1


def map_prompts(backend, text):
    """The map calls' prompts in the order of their chunks in `text`."""
    found = []
    for messages in backend.prompts:
        prompt = messages[-1].content
        body = prompt[prompt.rfind("Text:\n") + 6 :]
        where = text.find(body.strip()[:200])
        if "Text:\n" in prompt and where >= 0:
            found.append((where, prompt))
    return [prompt for _, prompt in sorted(found)]


@pytest.mark.parametrize("parallel", [2, 3])
def test_parallel_runs_calls_at_once_with_the_same_tree_and_determined_prompts(parallel):
    text = story(600)
    serial_backend, parallel_backend = Recording(n_ctx=1024), Concurrent(n_ctx=1024)
    serial = run(serial_backend, text, method="abstractive")
    result = run(parallel_backend, text, parallel=parallel, method="abstractive")
    assert parallel_backend.most_in_flight == parallel
    # same chunks, in order, and the same merge tree shape
    assert [(c.start, c.end) for c in result.chunks] == [(c.start, c.end) for c in serial.chunks]
    assert [[r.inputs for r in level] for level in result.levels] == [
        [r.inputs for r in level] for level in serial.levels
    ]
    # chunk i is given the summary of chunk i - parallel as its context
    summaries = [c.summary for c in result.chunks]
    prompts = map_prompts(parallel_backend, text)
    assert len(prompts) == len(summaries)
    for i, prompt in enumerate(prompts):
        context = prompt[: prompt.rfind("Text:\n")]
        if i < parallel:
            assert not any(s[:40] in context for s in summaries)
        else:
            assert summaries[i - parallel][:40] in context
    # and the same prompts again on a second run: nothing depends on timing
    again = Concurrent(n_ctx=1024)
    run(again, text, parallel=parallel, method="abstractive")
    assert map_prompts(again, text) == prompts
    rerun = run(Concurrent(n_ctx=1024), text, parallel=parallel, method="abstractive")
    assert result.summary == rerun.summary


def test_parallel_error_in_one_call_stops_the_run():
    class Failing(Concurrent):
        entered = 0

        def complete(self, messages, sampling):
            with self._lock:
                self.entered += 1
                fail = self.entered == 5
            if fail:
                from longcli.errors import ModelError

                raise ModelError("server said no")
            return super().complete(messages, sampling)

    with pytest.raises(Exception, match="server said no"):
        run(Failing(n_ctx=1024), story(600), parallel=3)


# -- what reaches the reader is grounded ---------------------------------------------------


class Inventing(Recording):
    """Answers as the extracting fake, then adds an invented name and commentary."""

    def complete(self, messages, sampling):
        from longcli.backends.base import Completion

        c = super().complete(messages, sampling)
        extra = " Then Grim Voldemort arrived in 2087. The first part of the story is slow."
        return Completion(c.text + extra, c.prompt_tokens, c.completion_tokens + 18, "stop")


class Lying(Recording):
    """Every answer is made up."""

    def complete(self, messages, sampling):
        from longcli.backends.base import Completion

        super().complete(messages, sampling)
        return Completion("Captain Zork flew to Mars in 2087.", 10, 9, "stop")


def source_sentences(text):
    return {s.text for s in split_sentences(text)}


def test_invented_names_and_commentary_never_reach_the_output():
    text = story(400)
    result = run(Inventing(n_ctx=1024), text)
    for summary in [result.summary, *(c.summary for c in result.chunks)]:
        assert "Voldemort" not in summary and "2087" not in summary
        assert meta_sentences(summary, text) == []
        assert entity_precision(summary, text)[0] == 1.0
    assert result.stats.retries > 0 and result.stats.mended > 0


def test_a_model_that_only_lies_is_replaced_by_source_sentences():
    text = story(400)
    result = run(Lying(n_ctx=1024), text)
    assert result.stats.fallbacks == result.stats.calls // 2  # every node: asked twice
    assert all(c.outcome == "extractive" for c in result.chunks)
    assert {s.text for s in split_sentences(result.summary)} <= source_sentences(text)
    assert "Zork" not in result.summary


def test_a_looping_model_leaves_no_repeated_phrase():
    result = run(Recording(n_ctx=1024, mode="loop"), story(300))
    assert "goes on and on" not in result.summary
    assert repeated_phrases(result.summary) == 0


def test_extractive_method_calls_no_model_and_keeps_source_sentences():
    text = story(3000)
    backend = Recording(n_ctx=1024)
    result = run(backend, text, method="extractive", words=120)
    assert backend.calls == 0 and result.stats.calls == 0
    assert len(result.levels) >= 2  # the same tree, reduced level by level
    assert len(result.summary.split()) <= 120 * (1 + LENGTH_OVERSHOOT)  # nearer --words
    final = split_sentences(result.summary)
    assert {s.text for s in final} <= source_sentences(text)
    # every sentence cites the span it was taken from
    assert len(result.origins) == len(final)
    for sentence, spans in zip(final, result.origins, strict=True):
        assert any(" ".join(text[s.start : s.end].split()) == sentence.text for s in spans)


class Shortening(Recording):
    """Shortens a sentence by deleting its aside between commas ("honest"), or by deleting
    every third word, which changes what it says ("careless"), or invents one ("liar")."""

    def __init__(self, honest: bool = True, careless: bool = False, **kw):
        super().__init__(**kw)
        self.honest = honest
        self.careless = careless

    def complete(self, messages, sampling):
        from longcli.backends.base import Completion

        super().complete(messages, sampling)
        prompt = messages[-1].content
        sentence = prompt[prompt.rfind("Sentence: ") + 10 :]
        words = sentence.split()
        if self.careless:
            kept = [w for i, w in enumerate(words) if i in (0, len(words) - 1) or i % 3 != 2]
        else:
            head, _, rest = sentence.partition(", ")
            kept = f"{head}, {rest.partition(', ')[2]}".split() if rest else words
        text = " ".join(kept) if self.honest else "Captain Zork said it all went well."
        return Completion(text, 10, len(kept), "stop")


def test_hybrid_shortens_only_the_final_candidates_by_deleting_words():
    text = "".join(
        f"In the town of Town{i}, where the river bends, the old baker Alice Hart sold bread "
        f"number {i} to a tired traveller called Person{i} on a cold morning.\n\n"
        for i in range(300)
    )
    backend = Shortening(n_ctx=1024)
    result = run(backend, text, method="hybrid", words=120)
    assert len(result.chunks) > 3 and len(result.levels) >= 1
    # the model is asked only to shorten sentences, once each, for the final choice
    assert all(p[-1].content.rfind("Sentence: ") >= 0 for p in backend.prompts)
    assert backend.calls <= 120 * 1.6 / 8 + 1
    assert result.stats.shortened > 0 and result.levels[-1][0].outcome == "model"
    assert len(result.summary.split()) <= 120 * (1 + LENGTH_OVERSHOOT)
    sources = [s.split() for s in source_sentences(text)]
    for sentence in split_sentences(result.summary):
        assert any(_subsequence(sentence.text.split(), words) for words in sources)
    liar = Shortening(honest=False, n_ctx=1024)
    lied = run(liar, text, method="hybrid", words=120)
    assert "Zork" not in lied.summary and lied.stats.shortened == 0
    assert {s.text for s in split_sentences(lied.summary)} <= source_sentences(text)
    # Deleting words out of the middle of clauses (a number, a name) is refused too.
    careless = run(Shortening(careless=True, n_ctx=1024), text, method="hybrid", words=120)
    assert careless.stats.shortened == 0
    assert {s.text for s in split_sentences(careless.summary)} <= source_sentences(text)


def _subsequence(short, long):
    remaining = iter(long)
    return all(word in remaining for word in short)


def test_json_carries_outcomes_and_citations_for_every_node():
    text = story(400)
    for method in ("abstractive", "extractive"):
        result = run(Recording(n_ctx=1024), text, method=method)
        data = summary_json(result, RunInfo(EngineInfo("fake", None, 1024), Settings(), 0.0))
        assert data["method"] == method
        nodes = data["chunks"] + [m for level in data["levels"] for m in level]
        assert all(n["outcome"] in ("model", "mended", "extractive") for n in nodes)
        assert all(isinstance(n["citations"], list) for n in nodes)
        assert data["citations"] == data["levels"][-1][0]["citations"]
    # extracted sentences cite exactly where they were taken from
    spans = [s for n in nodes for sentence in n["citations"] for s in sentence]
    assert spans and all(0 <= s["start"] < s["end"] <= len(text) for s in spans)
