"""Presentation: the progress bar on stderr and the text/markdown/JSON renderings of results."""

from __future__ import annotations

import json
import sys
import time
from typing import Any, TextIO

from longcli.kvmemory import MemoryPlan, format_bytes
from longcli.summarize import Plan, ProgressEvent, SummaryResult

FORMATS = ("text", "markdown", "json")
_STAGE_NAMES = {"map": "Summarizing chunks", "merge": "Merging summaries", "final": "Final summary"}


class Progress:
    """A rich progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self, enabled: bool, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self.enabled = enabled and self._stream.isatty()
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
    """The summary with a [n] after each sentence for the chunks it comes from, and the
    legend of those chunks: source and character range."""
    from longcli.citations import chunks_cited, with_markers

    used = sorted({c for spans in result.origins for c in chunks_cited(spans)})
    labels = {c: f"[{c + 1}]" for c in used}
    by_index = {c.index: c for c in result.chunks}
    legend = []
    for c in used:
        chunk = by_index.get(c)
        if chunk is None:
            continue
        name = titles[chunk.source] if chunk.source < len(titles) else "input"
        legend.append(f"[{c + 1}] {name}, characters {chunk.start}-{chunk.end}")
    text = result.summary.strip()
    return with_markers(text, result.origins, labels), legend


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


def render_plan(
    plan: Plan,
    model: dict[str, Any],
    eta_s: float,
    calibrated: bool,
    fmt: str,
    memory: MemoryPlan | None = None,
    at_max: Plan | None = None,
) -> str:
    b = plan.budget
    if fmt == "json":
        data = {
            "model": model,
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
