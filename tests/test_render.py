"""What the user reads: summaries in each format, with citations, and --plan."""

import json

from longcli.backends.engine import Engine
from longcli.cli.render import render_plan, render_summary
from longcli.config import Method
from longcli.prompts.templates import load_templates
from longcli.summarize.budget import SummarizeOptions, plan_run
from longcli.summarize.pipeline import Summarizer
from longcli.summarize.run import PlanReport
from longcli.text.chunks import chunk_stream
from tests.support.fake_backend import FakeBackend

TEXT = "".join(
    f"The baker Alice Hart sold {i} loaves in Town{i}. Rain fell on Town{i} at noon.\n\n"
    for i in range(200)
)


def summarized(method: str = "extractive"):
    backend = FakeBackend(n_ctx=1024)
    summarizer = Summarizer(backend, load_templates(), SummarizeOptions(words=60, method=method))
    return summarizer.run(
        chunk_stream([TEXT], summarizer.budget.chunk_tokens, backend.count_tokens)
    )


def test_text_markdown_and_json():
    result = summarized()
    result.sources = ["bakery.txt"]
    text = render_summary(result, "text", result.sources, {})
    assert text == result.summary.strip() + "\n"
    markdown = render_summary(result, "markdown", result.sources, {})
    assert markdown.startswith("# Summary of bakery.txt\n\n")
    data = json.loads(render_summary(result, "json", result.sources, {"model": {}, "settings": {}}))
    assert data["summary"] == result.summary and data["method"] == "extractive"


def test_citations_point_into_the_text():
    result = summarized()
    result.sources = ["bakery.txt"]
    cited = render_summary(result, "text", result.sources, {}, cite=True)
    body, legend = cited.split("\n\nSources\n", 1)
    assert body.count("[") == len(result.origins) > 0
    for n, line in enumerate(legend.strip().splitlines(), 1):
        assert line.startswith(f"{n}. bakery.txt, characters ")
    markdown = render_summary(result, "markdown", result.sources, {}, cite=True)
    assert "\n## Sources\n\n1. bakery.txt, characters " in markdown


def test_plan_shows_method_tree_and_eta():
    backend = FakeBackend(n_ctx=1024)
    summarizer = Summarizer(backend, load_templates(), SummarizeOptions(method="abstractive"))
    counts = [
        c.tokens for c in chunk_stream([TEXT], summarizer.budget.chunk_tokens, backend.count_tokens)
    ]
    plan = plan_run(counts, summarizer.budget, Method.abstractive)
    facts = Engine(backend, None, 1024).facts()
    report = PlanReport(plan, facts, 75.0, False, None, None)
    text = render_plan(report, "text")
    assert "method         abstractive" in text and f"{plan.chunks} of at most" in text
    assert "1m15s (rough" in text
    data = json.loads(render_plan(report, "json"))
    assert data["method"] == "abstractive" and data["calls"] == plan.calls
    extractive = render_plan(
        PlanReport(
            plan_run(counts, summarizer.budget, Method.extractive), facts, 0.0, False, None, None
        ),
        "text",
    )
    assert "(no model calls)" in extractive
