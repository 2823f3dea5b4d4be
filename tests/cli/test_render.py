"""What the user reads: summaries in each format, with citations, and --plan."""

import json

from longcli.backends.engine import Engine, EngineInfo
from longcli.cli.render import render_plan, render_summary
from longcli.config import Method, Settings
from longcli.prompts.templates import load_templates
from longcli.summarize.budget import SummarizeOptions, plan_run
from longcli.summarize.pipeline import Summarizer
from longcli.summarize.run import PlanReport, RunInfo
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


RUN = RunInfo(EngineInfo("fake", None, 1024), Settings(api_key="hidden"), 1.234)


def test_text_markdown_and_json():
    result = summarized()
    result.sources = ["bakery.txt"]
    text = render_summary(result, "text", result.sources, RUN)
    assert text == result.summary.strip() + "\n"
    markdown = render_summary(result, "markdown", result.sources, RUN)
    assert markdown.startswith("# Summary of bakery.txt\n\n")
    data = json.loads(render_summary(result, "json", result.sources, RUN))
    assert data["summary"] == result.summary and data["method"] == "extractive"
    assert data["model"] == {"name": "fake", "path": None, "n_ctx": 1024}
    assert data["settings"]["seconds"] == 1.23 and data["settings"]["words"] == 250
    assert not {"api_key", "aliases", "system"} & set(data["settings"])


def test_citations_point_into_the_text():
    result = summarized()
    result.sources = ["bakery.txt"]
    cited = render_summary(result, "text", result.sources, RUN, cite=True)
    body, legend = cited.split("\n\nSources\n", 1)
    assert body.count("[") == len(result.origins) > 0
    for n, line in enumerate(legend.strip().splitlines(), 1):
        assert line.startswith(f"{n}. bakery.txt, characters ")
    markdown = render_summary(result, "markdown", result.sources, RUN, cite=True)
    assert "\n## Sources\n\n1. bakery.txt, characters " in markdown


def test_plan_shows_method_tree_and_eta():
    backend = FakeBackend(n_ctx=1024)
    summarizer = Summarizer(backend, load_templates(), SummarizeOptions(method="abstractive"))
    counts = [
        c.tokens for c in chunk_stream([TEXT], summarizer.budget.chunk_tokens, backend.count_tokens)
    ]
    plan = plan_run(counts, summarizer.budget, Method.abstractive)
    facts = Engine(backend, None, 1024).describe()
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
