"""Presentation: the progress bar on stderr and the text/markdown/JSON renderings of results."""

from __future__ import annotations

import json
import time
from typing import Any, TextIO

from longcli.controls import strip_controls
from longcli.models.footprint import format_bytes
from longcli.streams import Streams
from longcli.summarize.budget import Plan
from longcli.summarize.pipeline import ProgressEvent, SummaryResult
from longcli.summarize.run import PlanReport

_STAGE_NAMES = {"map": "Summarizing chunks", "merge": "Merging summaries", "final": "Final summary"}


class Progress:
    """A rich progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self, streams: Streams) -> None:
        self._stream = streams.stderr
        self.enabled = not streams.quiet and streams.stderr_isatty
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}
        self._started = time.monotonic()

    def __enter__(self) -> Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
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
        elapsed = max(time.monotonic() - self._started, 1e-6)
        rate = f"{(event.prompt_tokens + event.completion_tokens) / elapsed:,.0f} tok/s"
        key = event.stage
        if key not in self._tasks:
            self._tasks[key] = self._bar.add_task(
                _STAGE_NAMES.get(key, key), total=event.total, rate=rate
            )
        self._bar.update(self._tasks[key], completed=event.done, total=event.total, rate=rate)


def render_summary(
    result: SummaryResult,
    fmt: str,
    titles: list[str],
    extra: dict[str, Any],
    cite: bool = False,
) -> str:
    """The summary as text, Markdown or JSON, without terminal controls (a model may write
    them, and an --output file is later printed with cat)."""
    return strip_controls(_summary_text(result, fmt, titles, extra, cite))


def _summary_text(
    result: SummaryResult,
    fmt: str,
    titles: list[str],
    extra: dict[str, Any],
    cite: bool,
) -> str:
    if fmt == "json":
        return json.dumps(result.to_json(**extra), indent=2, ensure_ascii=False) + "\n"
    body = result.summary.strip()
    legend: list[str] = []
    if cite:
        body, legend = cited(result, titles)
    if fmt == "markdown":
        title = ", ".join(titles) if titles else "input"
        sources = "\n\n## Sources\n\n" + "\n".join(f"- {line}" for line in legend) if legend else ""
        return f"# Summary of {title}\n\n{body}{sources}\n"
    return body + ("\n\n" + "\n".join(legend) if legend else "") + "\n"


def cited(result: SummaryResult, titles: list[str]) -> tuple[str, list[str]]:
    """The summary with each sentence followed by where it comes from, and a legend.

    Documents name their places: [p. 12-13], [ch. 4 "The Storm"], [00:14:03] (with the
    file's name first when there are several inputs). Plain text has no places, so its
    sentences cite the chunk, [3], and the legend gives each cited chunk's characters.
    """
    from longcli.grounding.cite import Span, with_markers

    several = len(titles) > 1
    numbered: dict[int, Span] = {}

    def name(source: int) -> str:
        return titles[source] if source < len(titles) else "input"

    def label(spans: list[Span]) -> str:
        marks: list[str] = []
        for span in spans:
            where = result.where(span.source, span.start, span.end)
            if where:
                marks.append(f"[{name(span.source)}, {where}]" if several else f"[{where}]")
            else:
                numbered.setdefault(span.chunk, span)
                marks.append(f"[{span.chunk + 1}]")
        return "".join(dict.fromkeys(marks))

    text = with_markers(result.summary.strip(), result.origins, label)
    by_index = {c.index: c for c in result.chunks}
    legend = [
        f"[{c + 1}] {name(by_index[c].source)}, characters {by_index[c].start}-{by_index[c].end}"
        for c in sorted(numbered)
        if c in by_index
    ]
    return text, legend


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def _tree(plan: Plan) -> str:
    return f"{plan.chunks} chunks, {len(plan.levels)} merge levels, {plan.calls} calls"


def render_plan(report: PlanReport, fmt: str) -> str:
    plan, model, eta_s = report.plan, report.model, report.eta_seconds
    calibrated, memory, at_max = report.calibrated, report.memory, report.at_max
    b = plan.budget
    if fmt == "json":
        data = {
            "model": model,
            "method": str(plan.method),
            "chunks": plan.chunks,
            "input_tokens": plan.input_tokens,
            "chunk_tokens": b.chunk_tokens,
            "levels": plan.levels,
            "calls": plan.calls,
            "prompt_tokens": plan.prompt_tokens,
            "completion_tokens": plan.completion_tokens,
            "eta_seconds": round(eta_s, 1),
            "eta_calibrated": calibrated,
        }
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
        return json.dumps(data, indent=2) + "\n"
    merges = " + ".join(str(n) for n in plan.levels)
    lines = [
        f"model          {model.get('name')} (context {b.n_ctx} tokens)",
        f"method         {str(plan.method)}" + (" (no model calls)" if not plan.calls else ""),
        f"input          {plan.input_tokens:,} tokens",
        f"chunks         {plan.chunks} of at most {b.chunk_tokens:,} tokens",
        f"merge levels   {len(plan.levels)} ({merges} calls, the last is the final summary)",
        f"model calls    {plan.calls} (at most, before retries)",
        f"tokens         {plan.prompt_tokens:,} in, {plan.completion_tokens:,} out (upper bound)",
        f"eta            {_duration(eta_s)}"
        + ("" if calibrated else " (rough: no earlier run of this model to calibrate from)"),
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
    return "\n".join(lines) + "\n"


# -- chat memory ----------------------------------------------------------------------------


def render_memory(view: dict[str, Any], out: TextIO) -> None:
    """The memory as a rich table on `out`, which may be the raw stdout (not `Streams`)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    def cell(value: str) -> Text:
        # Session text, cleaned as Streams would, and never read as rich markup ("[/]").
        return Text(strip_controls(value))

    console = Console(file=out)
    table = Table(title=cell(f"memory of {view['session']}"), show_header=False)
    table.add_row(
        "turns",
        f"{view['turns']} ({view['folded_turns']} folded, "
        f"{view['window_turns']} verbatim in the window, {view['folds']} folds)",
    )
    budget = view.get("budget")
    if budget:
        table.add_row(
            "context",
            f"{budget['n_ctx']} tokens: window {view['window_tokens']}"
            f"/{budget['window']}, summary cap {budget['summary_cap']}, facts "
            f"{budget['facts']}, recall {budget['recall']}, reply {budget['reply']}, "
            f"fixed {budget['fixed']}",
        )
    else:
        table.add_row("window", f"{view['window_tokens']} tokens")
    if view["documents"]:
        table.add_row("documents", cell(", ".join(view["documents"])))
    table.add_row("summary", cell(view["summary"] or "(empty)"))
    table.add_row("facts", cell(fact_lines(view["facts"]) or "(none yet)"))
    console.print(table)


def fact_lines(facts: list[dict[str, Any]]) -> str:
    """The fact ledger as lines: `[id] turn N, subject: "what the user said"`."""
    return "\n".join(f'[{f["id"]}] turn {f["turn"]}, {f["subject"]}: "{f["text"]}"' for f in facts)


def export_markdown(view: dict[str, Any], exchanges: list[Any]) -> str:
    """The conversation as Markdown, without terminal controls (it may be printed later)."""
    lines = [f"# Conversation {view['session']}", ""]
    if view["summary"]:
        lines += ["## Running summary", "", view["summary"], ""]
    if view["facts"]:
        lines += ["## Facts you told me", ""]
        lines += [f'- turn {f["turn"]}, {f["subject"]}: "{f["text"]}"' for f in view["facts"]]
        lines.append("")
    lines += ["## Turns", ""]
    for e in exchanges:
        lines += [f"**You ({e.n + 1}):** {e.user}", "", f"**Assistant:** {e.assistant}", ""]
    return strip_controls("\n".join(lines))


def export_json(view: dict[str, Any], exchanges: list[Any]) -> str:
    """The conversation as JSON, without the DEL and C1 controls json.dumps leaves raw."""
    data = {
        **view,
        "exchanges": [{"n": e.n, "user": e.user, "assistant": e.assistant} for e in exchanges],
    }
    return strip_controls(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


# -- models ---------------------------------------------------------------------------------


def render_model_facts(facts: dict[str, Any]) -> str:
    lines = [f"{k:16} {v}" for k, v in facts.items() if k not in ("memory", "kv_types")]
    if facts["memory"]:
        lines += ["", "KV cache by context size and --kv-type (add weights and buffers):"]
        lines.append(f"{'context':>10} " + " ".join(f"{t:>12}" for t in facts["kv_types"]))
        for row in facts["memory"]:
            cells = " ".join(f"{row[t]:>12}" for t in facts["kv_types"])
            lines.append(f"{row['n_ctx']:>10} {cells}")
    return "\n".join(lines) + "\n"


def render_model_list(rows: list[dict[str, Any]]) -> str:
    width = max([20, *(len(r["name"]) for r in rows)])
    lines = [
        f"{'name':<{width}} {'source':<10} {'size':>10} {'arch':<10} {'quant':<8} {'ctx':>7} "
        f"{'template':<8} path"
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"{r['name']:<{width}} {r['kind']:<10} {'':>10} unusable: {r['error']}")
            continue
        lines.append(
            f"{r['name']:<{width}} {r['kind']:<10} {r['size']:>10} {r['architecture']:<10} "
            f"{r['quantization']:<8} {r['trained_ctx'] or '?':>7} "
            f"{'yes' if r['chat_template'] else 'no':<8} {r['path']}"
        )
    return "\n".join(lines) + "\n"


def render_recommended(rows: list[dict[str, Any]]) -> str:
    lines = [
        f"{'model':<26} {'size':>7} {'context':>8} {'RAM at 8k':>10}  {'fits':<4}  "
        f"{'licence':<30} note"
    ]
    for r in rows:
        lines.append(
            f"{r['name']:<26} {r['size_gb']:>5.2f}GB {r['context']:>8} {r['ram_at_8k']:>10}  "
            f"{'yes' if r['fits'] else 'no':<4}  {r['license']:<30} {r['note']}"
        )
    lines += ["", "Pull one (it goes into the Hugging Face cache, shared with other tools):"]
    lines += [f"  {r['pull']}" for r in rows if r["fits"]] or ["  (none fits the memory here)"]
    return "\n".join(lines) + "\n"


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
