"""In-process --parallel: several calls decoded together on one llama.cpp context."""

from __future__ import annotations

import pytest

from longcli.backends.batched import BatchedBackend
from longcli.backends.llama import LlamaBackend, LoadOptions
from longcli.calls import Message, Sampling
from longcli.errors import ModelError
from longcli.prompts.templates import load_templates
from longcli.summarize.budget import SummarizeOptions
from longcli.summarize.parallel import DaemonPool
from longcli.summarize.pipeline import Summarizer
from longcli.text.chunks import chunk_stream
from tests.conftest import shakespeare

pytestmark = pytest.mark.model

GREEDY = Sampling(max_tokens=40, temperature=0.0, top_k=1)
QUESTIONS = [
    "Name three colours.",
    "What is the capital of France?",
    "Write one sentence about the sea.",
    "Count from one to five.",
    "Name two kinds of tree.",
]


def ask(question: str) -> list[Message]:
    return [Message("system", "You answer briefly."), Message("user", question)]


@pytest.fixture(scope="module")
def tokenizer_backend(bundled_model_info):
    return LlamaBackend(bundled_model_info, 256, LoadOptions(flash_attn=True))


def test_calls_decoded_together_answer_as_each_would_alone(tokenizer_backend):
    alone = BatchedBackend(tokenizer_backend, 1, 1024)
    solo = [alone.complete(ask(q), GREEDY).text for q in QUESTIONS]
    alone.runner.close()
    together = BatchedBackend(tokenizer_backend, 3, 1024)
    with DaemonPool(len(QUESTIONS)) as pool:
        futures = [pool.submit(lambda q=q: together.complete(ask(q), GREEDY)) for q in QUESTIONS]
        answers = [f.result() for f in futures]
    together.runner.close()
    # Five calls through three sequences: each answer belongs to its own prompt. Decoded
    # beside others, late tokens may differ (llama.cpp's sums run in other kernels for
    # other batch shapes), but an answer that began like another prompt's would be
    # cross-talk between sequences.
    assert [a.prompt_tokens for a in answers] == [
        tokenizer_backend.prompt_tokens(ask(q)) for q in QUESTIONS
    ]
    assert all(a.text.strip() and a.completion_tokens > 0 for a in answers)
    same_start = sum(
        a.text.split()[:3] == alone_text.split()[:3]
        for a, alone_text in zip(answers, solo, strict=True)
    )
    assert same_start >= len(QUESTIONS) - 1


def test_a_sequence_reuses_the_prefix_it_holds(tokenizer_backend):
    backend = BatchedBackend(tokenizer_backend, 2, 1024)
    first = backend.complete(ask(QUESTIONS[0]), GREEDY)
    second = backend.complete(ask(QUESTIONS[1]), GREEDY)
    runner = backend.runner
    held = [s.cached for s in runner._sequences if s.cached]
    backend.runner.close()
    assert first.text and second.text
    # both calls went to the same sequence, which kept the shared system prompt
    assert len(held) == 1


def test_a_prompt_that_does_not_fit_is_refused(tokenizer_backend):
    backend = BatchedBackend(tokenizer_backend, 2, 256)
    with pytest.raises(ModelError, match="exceeds the context of 256"):
        backend.complete(ask("word " * 300), GREEDY)
    assert backend.complete(ask(QUESTIONS[1]), Sampling(max_tokens=8)).text
    backend.runner.close()


def test_summarize_in_process_parallel_keeps_chunks_in_order(tokenizer_backend):
    text = shakespeare(3000)
    backend = BatchedBackend(tokenizer_backend, 3, 1024)
    opts = SummarizeOptions(words=40, parallel=3, max_chunk_tokens=256, method="abstractive")
    summarizer = Summarizer(backend, load_templates(), opts)
    chunks = list(chunk_stream([text], summarizer.budget.chunk_tokens, backend.count_tokens))
    assert len(chunks) >= 4  # more chunks than slots: an order to keep
    result = summarizer.run(iter(chunks))
    backend.runner.close()
    assert [(c.start, c.end) for c in result.chunks] == [(c.start, c.end) for c in chunks]
    assert all(c.summary.strip() for c in result.chunks)
    assert result.summary.strip() and result.stats.calls >= len(chunks) + 1


def test_cli_parallel_in_process(run, tmp_path):
    source = tmp_path / "plays.txt"
    source.write_text(shakespeare(3500))
    done = run(
        "summarize", str(source), "-P", "2", "--ctx", "1024", "--chunk-tokens", "256",
        "--words", "40", "-f", "json", "-q", "--no-cache", "--method", "abstractive",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    import json

    out = json.loads(done.stdout)
    assert len(out["chunks"]) >= 3 and out["summary"].strip()
    assert out["settings"]["parallel"] == 2
