"""Presentation: the progress bar on stderr and the text/markdown/JSON renderings of results."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from longcli.config import Method
from longcli.controls import strip_controls
from longcli.models.footprint import format_bytes
from longcli.streams import Streams
from longcli.summarize.budget import Phase, Plan
from longcli.summarize.pipeline import ProgressEvent, SummaryResult
from longcli.summarize.run import InputInfo, PlanReport, RunInfo
from longcli.text.documents import FORMAT_NAMES, InputFormat

if TYPE_CHECKING:
    from longcli.chat.conversation import FactView, MemoryView

_STAGE_NAMES = {
    "map": "Summarizing chunks",
    "merge": "Merging summaries",
    "shorten": "Shortening sentences",
    "write": "Writing from key passages",
    "final": "Final summary",
}


@dataclass
class _Bar:
    """One line of the progress display: a stage (each merge level its own)."""

    task: Any  # rich's task id
    started: float
    tokens_at_start: int
    done: float = 0.0  # never shown going back (an estimate may arrive after a real step)


class Progress:
    """A rich progress bar on stderr, shown only when stderr is a terminal: a line per
    stage with its steps (or, for the final abstractive summary, tokens), its tokens per
    second (read and written) and an ETA. Called from the run's threads."""

    def __init__(self, streams: Streams) -> None:
        self._stream = streams.stderr
        self.enabled = not streams.quiet and streams.stderr_isatty
        self._bar: Any = None
        self._bars: dict[tuple[str, int], _Bar] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[count]}"),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TextColumn("eta"),
                TimeRemainingColumn(),
                console=Console(file=self._stream),
                transient=False,
            )
            self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def __call__(self, event: ProgressEvent) -> None:
        if self._bar is None:
            return
        tokens = event.prompt_tokens + event.completion_tokens
        now = time.monotonic()
        with self._lock:
            key = (event.stage, event.level)
            bar = self._bars.get(key)
            if bar is None:
                name = _STAGE_NAMES.get(event.stage, event.stage)
                if event.stage == "merge":
                    name += f", level {event.level}"
                task = self._bar.add_task(name, total=event.total, count="", rate="")
                bar = self._bars[key] = _Bar(task, now, tokens)
            bar.done = max(bar.done, event.done)
            if event.unit == "token":
                count = f"{int(bar.done):,}/{event.total:,} tok"
            else:
                count = f"{int(bar.done)}/{event.total}"
            seconds = now - bar.started
            worked = tokens - bar.tokens_at_start  # none in a stage without the model
            rate = f"{worked / seconds:,.0f} tok/s" if worked and seconds > 0 else ""
            self._bar.update(
                bar.task, completed=bar.done, total=event.total, count=count, rate=rate
            )


def render_summary(
    result: SummaryResult,
    fmt: str,
    titles: list[str],
    run: RunInfo,
    cite: bool = False,
) -> str:
    """The summary as text, Markdown or JSON, without terminal controls (a model may write
    them, and an --output file is later printed with cat)."""
    return strip_controls(_summary_text(result, fmt, titles, run, cite))


def _summary_text(
    result: SummaryResult,
    fmt: str,
    titles: list[str],
    run: RunInfo,
    cite: bool,
) -> str:
    if fmt == "json":
        return json.dumps(result.to_json(**run.to_json()), indent=2, ensure_ascii=False) + "\n"
    body = result.summary.strip()
    sources: list[str] = []
    if cite:
        body, sources = cited(result, titles)
    if fmt == "markdown":
        title = ", ".join(titles) if titles else "input"
        listed = "\n\n## Sources\n\n" + "\n".join(sources) if sources else ""
        return f"# Summary of {title}\n\n{body}{listed}\n"
    return body + ("\n\nSources\n" + "\n".join(sources) if sources else "") + "\n"


def cited(result: SummaryResult, titles: list[str]) -> tuple[str, list[str]]:
    """The summary with [n] after each sentence, and the lines of its Sources list.

    One format for every input and output format: n is a passage of the input, numbered
    1..k in document order; a sentence from several cites up to three, "[2, 5]". Each line
    names the file and the most specific place: "1. paper.pdf, pp. 7–9", '2. book.epub,
    chapter "The Ship"', '3. page.html, section "Prices"', "4. talk.srt, 00:01:02–00:01:30",
    "5. notes.txt, characters 0–1,180".
    """
    from longcli.grounding.cite import after_sentences

    citations = result.citations()
    marks = [f"[{', '.join(map(str, n))}]" if n else "" for n in citations.numbers]
    text = after_sentences(result.summary.strip(), marks)

    def name(source: int) -> str:
        return titles[source] if source < len(titles) else "input"

    return text, [f"{r.number}. {name(r.source)}, {r.where}" for r in citations.references]


def _duration(seconds: float) -> str:
    if seconds < 0.5:
        return "under 1s"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def _count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 call', '2 calls', '12,000 tokens'."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


_PLACE_NOUNS = {"page": "page", "chapter": "chapter", "section": "section", "time": "cue"}
_METHOD_WORDS = {
    "extractive": "key sentences chosen without a model",
    "hybrid": "key sentences chosen without the model, then shortened by it",
    "abstractive": "the model writes every summary, each one checked",
    "extract-abstract": "the model writes from the key passages only, each sentence checked",
}
_ROUGH = " (rough: no earlier run of this model to calibrate from)"


def _input_line(facts: InputInfo) -> str:
    """'paper.pdf: PDF, 4 pages, 9,876 characters, 1,600 words, 2,000 tokens'."""
    kind = FORMAT_NAMES.get(facts.format, str(facts.format))
    if facts.format == InputFormat.text and "section" in facts.places:
        kind = "Markdown"
    places = [_count(n, _PLACE_NOUNS[k]) for k, n in facts.places.items() if k in _PLACE_NOUNS]
    sizes = [_count(facts.characters, "character"), _count(facts.words, "word")]
    return ", ".join([f"{facts.source}: {kind}", *places, *sizes, _count(facts.tokens, "token")])


def _merge_line(plan: Plan) -> str:
    """The merge levels; for abstractive, their calls (they add up to the calls line)."""
    if plan.chunks == 1:
        return "none: one chunk is summarized directly"
    if plan.method == "abstractive":
        if plan.levels == [1]:
            return "1 (1 call, the final summary)"
        counts = " + ".join(str(n) for n in plan.levels)
        return f"{len(plan.levels)} ({counts} calls, the last is the final summary)"
    merges = plan.levels[:-1]
    if not merges:
        return f"1 (the final choice from {plan.chunks:,} chunks' key sentences), without the model"
    below = f"{' + '.join(str(n) for n in merges)} {'merge' if merges == [1] else 'merges'}"
    return f"{len(plan.levels)} ({below}, then the final choice), without the model"


def _phase_words(phase: Phase) -> str:
    if phase.stage == "map":
        return _count(phase.calls, "chunk summary", "chunk summaries")
    if phase.stage == "merge":
        return _count(phase.calls, "merge") + f" at level {phase.level}"
    if phase.stage == "shorten":
        return f"shortening {_count(phase.calls, 'sentence')} of the final choice"
    if phase.stage == "write":
        return _count(
            phase.calls, "part written from its passages", "parts written from their passages"
        )
    return _count(phase.calls, "final summary", "final summaries")


def _calls_line(plan: Plan) -> str:
    if not plan.calls:
        return "0"
    parts = [_phase_words(p) for p in plan.phases]
    if plan.method == "abstractive" and plan.chunks == 1:
        parts = ["the whole text in one call"]
    if plan.exact:
        return f"{plan.calls:,}: {' + '.join(parts)}"
    if plan.method == "hybrid":  # too long an input to choose its sentences ahead
        return f"about {plan.calls:,}: {' + '.join(parts)} (from a typical sentence length)"
    # Merges above the first level are counted as if no summary came out short.
    bound = " at most, before retries" if len(plan.levels) > 1 else " before retries"
    return f"{plan.calls:,}{bound}: {' + '.join(parts)}"


def _tokens_line(plan: Plan) -> str:
    if not plan.calls:
        return "none"
    if plan.exact:
        return f"{plan.prompt_tokens:,} in, about {plan.completion_tokens:,} out"
    if plan.method == "hybrid":
        return f"about {plan.prompt_tokens:,} in, {plan.completion_tokens:,} out"
    return (
        f"at most {plan.prompt_tokens:,} in, {plan.completion_tokens:,} out "
        "(every answer as long as allowed)"
    )


def _eta_line(report: PlanReport) -> str:
    eta, rough = report.eta, "" if report.calibrated else _ROUGH
    if eta is None:
        return _duration(report.eta_seconds) + rough
    parts = [f"start {_duration(eta.start_s)}"]
    parts.append(f"model load {_duration(eta.load_s)}" if eta.load_s else "no model loaded")
    parts.append(f"reading {_duration(eta.reading_s)}")
    if report.plan.calls:
        parts.append(f"{_count(report.plan.calls, 'call')} {_duration(eta.calls_s)}")
    else:
        rough = ""  # nothing in it depends on the model's speed
    return f"{_duration(eta.seconds)}{rough}: {', '.join(parts)}"


def _tree(plan: Plan) -> str:
    return (
        f"{_count(plan.chunks, 'chunk')}, {_count(len(plan.levels), 'merge level')}, "
        f"{_count(plan.calls, 'call')}"
    )


def _plan_json(report: PlanReport) -> dict[str, Any]:
    plan, memory, at_max = report.plan, report.memory, report.at_max
    data: dict[str, Any] = {
        "model": report.model.to_json(),
        "method": str(plan.method),
        "method_asked": str(report.asked),
        "method_why": report.why,
        "inputs": [dataclasses.asdict(i) for i in report.inputs],
        "chunks": plan.chunks,
        "input_tokens": plan.input_tokens,
        "chunk_tokens": plan.budget.chunk_tokens,
        "levels": plan.levels,
        "calls": plan.calls,
        "calls_exact": plan.exact,
        "phases": [dataclasses.asdict(p) for p in plan.phases],
        "prompt_tokens": plan.prompt_tokens,
        "completion_tokens": plan.completion_tokens,
        "eta_seconds": round(report.eta_seconds, 1),
        "eta_calibrated": report.calibrated,
    }
    if report.eta is not None:
        eta = report.eta
        parts = dataclasses.asdict(eta)
        data["eta"] = {k: round(v, 1) if isinstance(v, float) else v for k, v in parts.items()}
    if memory is not None:
        data["memory"] = {
            "kv_type": memory.kv_type,
            "weights_bytes": memory.weights_bytes,
            "kv_bytes": memory.kv_bytes,
            "buffers_bytes": memory.compute_bytes,
            "total_bytes": memory.total_bytes,
            "budget_bytes": memory.budget_bytes,
        }
    if at_max is not None:
        data["at_max_context"] = {
            "n_ctx": at_max.budget.n_ctx,
            "chunks": at_max.chunks,
            "chunk_tokens": at_max.budget.chunk_tokens,
            "levels": at_max.levels,
            "calls": at_max.calls,
        }
    return data


def render_plan(report: PlanReport, fmt: str) -> str:
    """What --plan prints: the input, the calls and tokens of the method that will run, an
    ETA and the memory. Calls are counted once; the per-phase parts add up to that count."""
    if fmt == "json":
        return json.dumps(_plan_json(report), indent=2) + "\n"
    plan, model, memory, at_max = report.plan, report.model, report.memory, report.at_max
    b = plan.budget
    method = str(plan.method)
    if report.asked == Method.auto:
        method += ", chosen by --method auto for this model"
    if not plan.calls:
        method += " (no model calls)"
    lines = [
        f"model          {model.name} (context {b.n_ctx} tokens)",
        *(f"{'input' if i == 0 else '':15}{_input_line(f)}" for i, f in enumerate(report.inputs)),
        f"input tokens   {plan.input_tokens:,}" if len(report.inputs) != 1 else "",
        f"method         {method}: {_METHOD_WORDS.get(str(plan.method), '')}",
        f"why            {report.why}" if report.asked == Method.auto and report.why else "",
        f"chunks         {plan.chunks:,} of at most {b.chunk_tokens:,} tokens",
        f"merge levels   {_merge_line(plan)}",
        f"model calls    {_calls_line(plan)}",
        f"tokens         {_tokens_line(plan)}",
        f"eta            {_eta_line(report)}",
    ]
    if memory is not None:
        budget = f" of a {format_bytes(memory.budget_bytes)} budget" if memory.budget_bytes else ""
        lines.append(
            f"memory         {format_bytes(memory.total_bytes)}{budget}: weights "
            f"{format_bytes(memory.weights_bytes)}, KV cache {format_bytes(memory.kv_bytes)} "
            f"({memory.kv_type}), buffers ~{format_bytes(memory.compute_bytes)}"
        )
    if at_max is not None:
        lines.append(f"at max context {at_max.budget.n_ctx} tokens: {_tree(at_max)}")
    return "\n".join(line for line in lines if line) + "\n"


# -- chat memory ----------------------------------------------------------------------------


def render_memory(view: MemoryView, out: TextIO) -> None:
    """The memory as a rich table on `out`, which may be the raw stdout (not `Streams`)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    def cell(value: str) -> Text:
        # Session text, cleaned as Streams would, and never read as rich markup ("[/]").
        return Text(strip_controls(value))

    console = Console(file=out)
    table = Table(title=cell(f"memory of {view.session}"), show_header=False)
    table.add_row(
        "turns",
        f"{view.turns} ({view.folded_turns} folded, "
        f"{view.window_turns} verbatim in the window, {view.folds} folds)",
    )
    budget = view.budget
    if budget is not None:
        table.add_row(
            "context",
            f"{budget.n_ctx} tokens: window {view.window_tokens}"
            f"/{budget.window}, summary cap {budget.summary_cap}, facts "
            f"{budget.facts}, recall {budget.recall}, reply {budget.reply}, "
            f"fixed {budget.fixed}",
        )
    else:
        table.add_row("window", f"{view.window_tokens} tokens")
    if view.documents:
        table.add_row("documents", cell(", ".join(view.documents)))
    table.add_row("summary", cell(view.summary or "(empty)"))
    table.add_row("facts", cell(fact_lines(view.facts) or "(none yet)"))
    console.print(table)


def fact_lines(facts: list[FactView]) -> str:
    """The fact ledger as lines: `[id] turn N, subject: "what the user said"`, each one a
    later statement replaced marked with the one that replaced it."""
    return "\n".join(
        f'[{f.id}] turn {f.turn}, {f.subject}: "{f.text}"'
        + (f" (replaced by [{f.replaced_by}])" if f.replaced_by else "")
        for f in facts
    )


def export_markdown(view: MemoryView, exchanges: list[Any]) -> str:
    """The conversation as Markdown, without terminal controls (it may be printed later)."""
    lines = [f"# Conversation {view.session}", ""]
    if view.summary:
        lines += ["## Running summary", "", view.summary, ""]
    if view.facts:
        lines += ["## Facts you told me", ""]
        lines += [
            f'- turn {f.turn}, {f.subject}: "{f.text}"' + ("" if f.current else " (replaced later)")
            for f in view.facts
        ]
        lines.append("")
    lines += ["## Turns", ""]
    for e in exchanges:
        reply = e.shown  # the answer, then longcli's note
        lines += [f"**You ({e.n + 1}):** {e.user}", "", f"**Assistant:** {reply}", ""]
    return strip_controls("\n".join(lines))


def export_json(view: MemoryView, exchanges: list[Any]) -> str:
    """The conversation as JSON, without the DEL and C1 controls json.dumps leaves raw."""
    data = {
        **view.to_json(),
        "exchanges": [
            {"n": e.n, "user": e.user, "assistant": e.assistant, "note": e.note, "by": e.by}
            for e in exchanges
        ],
    }
    return strip_controls(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


# -- models ---------------------------------------------------------------------------------


class DownloadProgress:
    """A rich bar per file on stderr (bytes, speed, time left), shown on a terminal only."""

    def __init__(self, streams: Streams) -> None:
        self.enabled = not streams.quiet and streams.stderr_isatty
        self._stream = streams.stderr
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> DownloadProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=Console(file=self._stream),
            )
            self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def __call__(self, name: str, done: int, total: int | None) -> None:
        if self._bar is None:
            return
        if name not in self._tasks:
            from rich.markup import escape

            # A file name from a remote repository: shown as text, never controls or markup.
            label = escape(strip_controls(name[-40:]))
            self._tasks[name] = self._bar.add_task(label, total=total)
        self._bar.update(self._tasks[name], completed=done, total=total)


def render_each(outcomes: list[Any]) -> str:
    """The table `summarize --each` ends with: file, what happened, chunks, time, output."""
    width = max((len(o.source) for o in outcomes), default=4)
    lines = [f"{'file':<{width}}  {'status':<10} {'chunks':>6} {'seconds':>8}  output"]
    for o in outcomes:
        status = o.status if o.status in ("done", "kept") else "failed"
        lines.append(
            f"{o.source:<{width}}  {status:<10} {o.chunks or '':>6} "
            f"{f'{o.seconds:.1f}' if o.seconds else '':>8}  {o.output}"
        )
    return "\n".join(lines) + "\n"
