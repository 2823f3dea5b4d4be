"""`--plan` tells the truth about the run that follows, and progress moves where time goes.

Against the deterministic fake model: the plan's calls are the calls the run makes, for
every method; its per-phase numbers add up; its tokens come from this input; documents
are described by their pages and chapters; and the progress callback hears the final
summary advance while its one long call runs.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

import pytest

from longcli.calls import Message, Sampling
from longcli.config import Method
from longcli.prompts.templates import load_templates
from longcli.summarize.budget import Phase, Speeds, SummarizeOptions, plan_run
from longcli.summarize.pipeline import Summarizer
from longcli.summarize.progress import TICK_S, ProgressEvent
from longcli.text.chunks import chunk_stream
from tests.conftest import TEST_DATA, shakespeare, squality_stories
from tests.support.documents import make_pdf
from tests.support.fake_backend import FakeBackend

FAKE = ["--backend", "fake", "--quiet"]
METHODS = ["extractive", "hybrid", "abstractive"]


def page() -> str:
    """About 300 tokens of prose: one chunk, one call for the abstractive method."""
    return squality_stories()[0]["document"][:1500]


def story() -> str:
    """Part of a SQuALITY story: 3 chunks at --ctx 2048, merged by the final summary alone."""
    return squality_stories()[0]["document"][:12000]


def plan_of(run, path: Path, *args: str) -> dict:
    r = run("summarize", str(path), *FAKE, "--plan", "--format", "json", *args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def run_of(run, path: Path, *args: str) -> dict:
    r = run("summarize", str(path), *FAKE, "--format", "json", "--no-cache", *args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("text", [page, story], ids=["page", "story"])
def test_the_plan_makes_the_calls_the_run_makes(run, tmp_path: Path, method: str, text):
    source = tmp_path / "in.txt"
    source.write_text(text(), encoding="utf-8")
    args = ("--method", method, "--ctx", "2048")
    plan = plan_of(run, source, *args)
    stats = run_of(run, source, *args)["stats"]
    assert plan["method"] == method and plan["chunks"] == (1 if text is page else 3)
    assert plan["calls"] == stats["calls"] - stats["retries"] - stats["tightened"]
    assert plan["calls_exact"] == (method != "abstractive")
    if method == "hybrid":  # the sentences it shortens are the run's own: same prompts
        assert plan["prompt_tokens"] == stats["prompt_tokens"]


def test_an_abstractive_plan_with_merge_levels_is_an_upper_bound(run, tmp_path: Path):
    source = tmp_path / "in.txt"
    source.write_text(shakespeare(30000), encoding="utf-8")
    args = ("--method", "abstractive", "--ctx", "1024")
    plan = plan_of(run, source, *args)
    stats = run_of(run, source, *args)["stats"]
    assert len(plan["levels"]) > 1
    assert plan["calls"] >= stats["calls"] - stats["retries"] - stats["tightened"]


@pytest.mark.parametrize("method", METHODS)
def test_the_per_level_numbers_add_up(run, tmp_path: Path, method: str):
    source = tmp_path / "in.txt"
    source.write_text(shakespeare(30000), encoding="utf-8")
    plan = plan_of(run, source, "--method", method, "--ctx", "1024")
    phases = plan["phases"]
    assert plan["calls"] == sum(p["calls"] for p in phases)
    assert plan["prompt_tokens"] == sum(p["prompt_tokens"] for p in phases)
    assert plan["completion_tokens"] == sum(p["completion_tokens"] for p in phases)
    assert plan["levels"][-1] == 1
    if method == "abstractive":
        assert plan["calls"] == plan["chunks"] + sum(plan["levels"])
        merges = [p["calls"] for p in phases if p["stage"] in ("merge", "final")]
        assert merges == plan["levels"]
        assert [p["level"] for p in phases if p["stage"] == "merge"] == list(
            range(1, len(plan["levels"]))
        )
    else:
        assert {p["stage"] for p in phases} <= {"shorten"}


def test_extractive_plans_no_calls(run, tmp_path: Path):
    source = tmp_path / "in.txt"
    source.write_text(story(), encoding="utf-8")
    plan = plan_of(run, source, "--method", "extractive", "--ctx", "1024")
    assert plan["calls"] == plan["prompt_tokens"] == plan["completion_tokens"] == 0
    assert plan["phases"] == [] and plan["eta"]["calls_s"] == 0 == plan["eta"]["load_s"]
    r = run("summarize", str(source), *FAKE, "--plan", "--method", "extractive")
    assert "(no model calls)" in r.stdout and "model calls    0\n" in r.stdout
    assert "no model loaded" in r.stdout


@pytest.mark.parametrize("method", ["hybrid", "abstractive"])
def test_tokens_come_from_this_input(run, tmp_path: Path, method: str):
    small, large = tmp_path / "small.txt", tmp_path / "large.txt"
    small.write_text(page(), encoding="utf-8")
    large.write_text(shakespeare(30000), encoding="utf-8")
    args = ("--method", method, "--ctx", "1024")
    a, b = plan_of(run, small, *args), plan_of(run, large, *args)
    assert a["input_tokens"] < b["input_tokens"]
    assert a["prompt_tokens"] != b["prompt_tokens"]
    assert a["inputs"][0]["tokens"] == a["input_tokens"]
    assert a["eta_seconds"] != b["eta_seconds"]


def test_the_text_says_one_call_and_adds_up(run, tmp_path: Path):
    source = tmp_path / "in.txt"
    source.write_text(page(), encoding="utf-8")
    r = run("summarize", str(source), *FAKE, "--plan", "--method", "abstractive")
    assert r.returncode == 0, r.stderr
    assert "1 calls" not in r.stdout
    assert "model calls    1 before retries: the whole text in one call\n" in r.stdout
    many = tmp_path / "many.txt"
    many.write_text(shakespeare(30000), encoding="utf-8")
    r = run("summarize", str(many), *FAKE, "--plan", "--method", "abstractive", "--ctx", "1024")
    plan = plan_of(run, many, "--method", "abstractive", "--ctx", "1024")
    line = next(x for x in r.stdout.splitlines() if x.startswith("model calls"))
    assert line.startswith(f"model calls    {plan['calls']} at most, before retries: ")
    assert f"{plan['chunks']} chunk summaries" in line and "1 final summary" in line
    levels = next(x for x in r.stdout.splitlines() if x.startswith("merge levels"))
    assert " + ".join(map(str, plan["levels"])) + " calls" in levels


def test_the_plan_describes_documents(run, tmp_path: Path):
    pages = [[f"On page {n} the baker Alice Hart sold {n} loaves to Person{n}."] * 6
             for n in range(1, 6)]  # fmt: skip
    pdf_path = tmp_path / "paper.pdf"
    pdf_path.write_bytes(make_pdf(pages))
    pdf = plan_of(run, pdf_path)
    assert pdf["inputs"][0]["format"] == "pdf" and pdf["inputs"][0]["places"] == {"page": 5}
    epub = plan_of(run, TEST_DATA / "childrens-literature.epub")
    chapters = epub["inputs"][0]["places"]["chapter"]
    assert chapters > 1 and epub["inputs"][0]["words"] > 1000
    r = run("summarize", str(pdf_path), *FAKE, "--plan")
    assert "paper.pdf: PDF, 5 pages, " in r.stdout
    r = run("summarize", str(TEST_DATA / "childrens-literature.epub"), *FAKE, "--plan")
    assert f"EPUB, {chapters} chapters, " in r.stdout


def test_markdown_and_text_are_counted(run, tmp_path: Path):
    notes = tmp_path / "notes.md"
    notes.write_text(
        "# Title\n\nAlice went home.\n\n```sh\n# not a heading\n```\n\n## Next\n\nBob left.\n"
    )
    facts = plan_of(run, notes)["inputs"][0]
    assert facts["places"] == {"section": 2}
    assert facts["words"] == len(notes.read_text().split())
    assert facts["characters"] == len(notes.read_text())


def test_eta_counts_model_load_and_calls():
    backend = FakeBackend(n_ctx=1024)
    summarizer = Summarizer(backend, load_templates(), SummarizeOptions(method="abstractive"))
    counts = [c.tokens for c in chunk_stream([page()], 800, backend.count_tokens)]
    plan = plan_run(counts, summarizer.budget, summarizer.opts.method)
    assert plan.phases == [Phase("final", 1, plan.prompt_tokens, plan.completion_tokens, 1)]
    speeds = Speeds(100.0, 10.0, True, load_s=3.0, call_overhead_s=0.5)
    eta = plan.eta(speeds, reading_s=1.0, start_s=2.0)
    calls = plan.prompt_tokens / 100 + plan.completion_tokens / 10 + 0.5
    assert eta.calls_s == pytest.approx(calls)
    assert eta.seconds == pytest.approx(2.0 + 3.0 + 1.0 + calls)
    nothing = plan_run(counts, summarizer.budget, Method.extractive)
    assert nothing.eta(Speeds(100.0, 10.0, True), 1.0, 2.0).seconds == 3.0


class Slow(FakeBackend):
    """A fake whose final summary (the last call) takes a while, as a real one does."""

    def __init__(self, final_s: float, **kw) -> None:
        super().__init__(**kw)
        self.final_s = final_s

    def complete(self, messages: list[Message], sampling: Sampling):
        if sampling.max_tokens >= 300:  # the final summary's cap (--words 250), no other's
            time.sleep(self.final_s)
        return super().complete(messages, sampling)


@pytest.mark.parametrize("text", [page, story], ids=["one-call", "merged"])
def test_the_final_summary_reports_advancing_progress(text):
    events: list[ProgressEvent] = []
    backend = Slow(final_s=4 * TICK_S, n_ctx=1024)
    opts = SummarizeOptions(method="abstractive")
    summarizer = Summarizer(backend, load_templates(), opts, on_progress=events.append)
    summarizer.run(chunk_stream([text()], summarizer.budget.chunk_tokens, backend.count_tokens))
    final = [e for e in events if e.stage == "final"]
    assert all(e.unit == "token" for e in final)
    assert len(final) >= 4  # ticks while the call runs, then done
    done = [e.done for e in final]
    assert done == sorted(done) and done[0] < done[-2] < done[-1] == final[-1].total
    tokens = [e.prompt_tokens + e.completion_tokens for e in final[:-1]]
    assert tokens == sorted(tokens) and tokens[-1] > tokens[0]
    if text is story:
        maps = [e.done for e in events if e.stage == "map"]
        assert maps[0] == 0 and maps[-1] == len(maps) - 1


class Watching(FakeBackend):
    """A fake that notes, as each call starts, the progress steps reported so far."""

    def __init__(self, events: list[ProgressEvent], stage: str, **kw) -> None:
        super().__init__(**kw)
        self.events, self.stage, self.seen = events, stage, []

    def complete(self, messages: list[Message], sampling: Sampling):
        if messages[-1].content.startswith(("Delete the less", "Below are summaries")):
            steps = [e.done for e in self.events if e.stage == self.stage and e.level < 2]
            self.seen.append(max((d for d in steps if d == int(d)), default=0))
        return super().complete(messages, sampling)


def test_hybrid_reports_each_shortening_call_as_it_ends():
    events: list[ProgressEvent] = []
    backend = Watching(events, "shorten", n_ctx=1024)
    opts = SummarizeOptions(method="hybrid")
    summarizer = Summarizer(backend, load_templates(), opts, on_progress=events.append)
    chunks = chunk_stream([story()], summarizer.budget.chunk_tokens, backend.count_tokens)
    result = summarizer.run(chunks)
    calls = result.stats.calls
    shorten = [e for e in events if e.stage == "shorten"]
    assert calls > 1 and [e.done for e in shorten] == list(range(calls + 1))
    assert {e.total for e in shorten} == {calls}
    assert backend.seen == list(range(calls))  # call k starts with k steps shown
    assert events[-1].stage == "final" and events[-1].done == events[-1].total


def test_each_merge_level_reports_each_merge_as_it_ends():
    events: list[ProgressEvent] = []
    backend = Watching(events, "merge", n_ctx=1024)
    opts = SummarizeOptions(method="abstractive")
    summarizer = Summarizer(backend, load_templates(), opts, on_progress=events.append)
    size, count = summarizer.budget.chunk_tokens, backend.count_tokens
    result = summarizer.run(chunk_stream([shakespeare(30000)], size, count))
    merges = [m for m in result.levels[0] if len(m.inputs) > 1]
    assert len(result.levels) > 1 and len(merges) > 1
    level_1 = [e for e in events if e.stage == "merge" and e.level == 1]
    steps = [e.done for e in level_1 if e.done == int(e.done)]
    assert level_1[0].done < 1 and steps == list(range(1, len(merges) + 1))
    assert level_1[-1].total == len(merges)
    # Level 1's calls start with the merges before them shown as done, not all at 0.
    assert backend.seen[0] == 0 and backend.seen == sorted(backend.seen)
    assert len({s for s in backend.seen if s < len(merges)}) > 1


def test_the_progress_display_shows_levels_rates_and_tokens():
    import io

    from longcli.cli.render import Progress
    from longcli.streams import Streams

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Terminal()
    streams = Streams(io.StringIO(), io.StringIO(), err, False, False, True)
    with contextlib.suppress(KeyboardInterrupt), Progress(streams) as progress:
        progress(ProgressEvent("map", 0, 3, 0, 0))
        time.sleep(0.05)
        progress(ProgressEvent("map", 3, 3, 300, 3000))
        progress(ProgressEvent("merge", 0.5, 2, 400, 4000, level=1))
        progress(ProgressEvent("shorten", 3, 12, 400, 4000))
        progress(ProgressEvent("final", 1200, 4000, 500, 5000, unit="token"))
        raise KeyboardInterrupt  # stopped here: a finished run's bars reach their totals
    shown = err.getvalue()
    assert "Merging summaries, level 1" in shown and "Shortening sentences" in shown
    assert "1,200/4,000 tok" in shown and "3/12" in shown and "tok/s" in shown
