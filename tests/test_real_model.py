"""End to end on the real bundled model (SmolLM2-135M). Slow-ish; runs in CI."""

import math

import pytest

from longcli.backend import Message, Sampling
from longcli.cache import CachingBackend, CallCache
from longcli.chunking import chunk_stream
from longcli.guards import degeneracy
from longcli.summarize import SummarizeOptions, Summarizer
from longcli.templates import load_templates
from tests.conftest import squality_stories

pytestmark = pytest.mark.model


class Checked:
    """Wraps the real backend and checks every prompt fits the context."""

    def __init__(self, inner):
        self.inner = inner
        self.n_ctx = inner.n_ctx
        self.identity = inner.identity
        self.calls = 0
        self.largest = 0

    def count_tokens(self, text):
        return self.inner.count_tokens(text)

    def prompt_tokens(self, messages):
        return self.inner.prompt_tokens(messages)

    def complete(self, messages: list[Message], sampling: Sampling):
        used = self.inner.prompt_tokens(messages) + sampling.max_tokens
        assert used <= self.n_ctx
        self.largest = max(self.largest, used)
        self.calls += 1
        completion = self.inner.complete(messages, sampling)
        assert completion.prompt_tokens == self.inner.prompt_tokens(messages)
        return completion

    def stream(self, messages, sampling):
        return self.inner.stream(messages, sampling)


def story_excerpt(words: int = 2600) -> str:
    story = squality_stories()[0]["document"]
    return " ".join(story.split(" ")[:words])


def test_document_longer_than_the_context(real_backend, tmp_path):
    text = story_excerpt()
    backend = Checked(real_backend)
    assert backend.count_tokens(text) > 2 * backend.n_ctx
    cached = CachingBackend(backend, CallCache(tmp_path))
    summarizer = Summarizer(cached, load_templates(), SummarizeOptions(words=120))
    chunks = chunk_stream([text], summarizer.budget.chunk_tokens, backend.count_tokens)
    result = summarizer.run(chunks)

    assert len(result.chunks) >= 3
    assert result.chunks[0].start == 0 and result.chunks[-1].end == len(text)
    assert all(c.summary.strip() for c in result.chunks)
    assert len(result.levels) - 1 <= math.ceil(math.log2(len(result.chunks)))
    assert result.summary.strip()
    assert backend.count_tokens(result.summary) <= summarizer.budget.final_tokens
    assert "<|im_" not in result.summary
    assert degeneracy(result.summary) is None or result.stats.retries > 0
    assert backend.largest <= backend.n_ctx

    # The same run again is answered entirely from the cache, with the same result.
    again = Checked(real_backend)
    rerun = Summarizer(
        CachingBackend(again, CallCache(tmp_path)), load_templates(), SummarizeOptions(words=120)
    )
    repeat = rerun.run(chunk_stream([text], rerun.budget.chunk_tokens, again.count_tokens))
    assert again.calls == 0
    assert repeat.summary == result.summary


def test_same_seed_same_summary_without_cache(cli, tmp_path):
    f = tmp_path / "story.txt"
    f.write_text(story_excerpt(300))
    args = ["summarize", str(f), "--no-cache", "--words", "60", "--ctx", "2048", "--seed", "3"]
    first, second = cli(*args), cli(*args)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() and first.stdout == second.stdout
