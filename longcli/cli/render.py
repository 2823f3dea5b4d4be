"""Presentation: the progress bar on stderr and the text/markdown/JSON renderings of results."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, TextIO

from longcli.cli.render_json import plan_json, summary_json
from longcli.config import Method
from longcli.controls import strip_controls
from longcli.models.footprint import format_bytes
from longcli.streams import Streams
from longcli.summarize.budget import Phase, Plan, Stage
from longcli.summarize.progress import ProgressEvent, Unit
from longcli.summarize.results import SummaryResult
from longcli.summarize.run import InputInfo, PlanReport, RunInfo
from longcli.text.documents import FORMAT_NAMES, InputFormat

if TYPE_CHECKING:
    from longcli.chat.exchange import Exchange
    from longcli.chat.session import SessionRow
    from longcli.chat.view import FactView, SessionView

_STAGE_NAMES = {
    Stage.map: "Summarizing chunks",
    Stage.merge: "Merging summaries",
    Stage.shorten: "Shortening sentences",
    Stage.write: "Writing from key passages",
    Stage.final: "Final summary",
}


@dataclass
class _Bar:
    """One line of the progress display: a stage (each merge level its own)."""

    task: Any  # rich's task id (None for plain lines)
    started: float
    tokens_at_start: int
    done: float = 0.0  # never shown going back (an estimate may arrive after a real step)
    total: int = 0
    unit: Unit = Unit.step


# Plain progress lines, for a stderr that is a file or a pipe (a log, CI): one at most this
# often, the first after as long (a short run says nothing).
PLAIN_EVERY_S = 5.0


class Progress:
    """Progress on stderr. On a terminal, a rich bar: a line per stage with its steps (or,
    for the final abstractive summary, tokens), its tokens per second (read and written)
    and an ETA. Elsewhere (a file, a pipe), a plain line every PLAIN_EVERY_S with the same
    facts, so a log shows life. Nothing with --quiet. Called from the run's threads."""

    def __init__(
        self,
        streams: Streams,
        clock: Callable[[], float] = time.monotonic,
        every_s: float = PLAIN_EVERY_S,
    ) -> None:
        self._stream = streams.stderr
        self._streams = streams
        self.enabled = not streams.quiet and streams.stderr_isatty
        self.plain = not streams.quiet and not streams.stderr_isatty
        self._clock, self._every_s = clock, every_s
        self._last_line = clock()  # the first plain line comes after every_s
        self._bar: Any = None
        self._bars: dict[tuple[str, int], _Bar] = {}
        self._lock = threading.Lock()
        self._latest: tuple[ProgressEvent, _Bar, str] | None = None  # for pulse()
        self._stop = threading.Event()
        self._pulses: threading.Thread | None = None

    def __enter__(self) -> Progress:
        if self.plain:  # a model call can take minutes without an event: pulse between
            self._pulses = threading.Thread(target=self._pulsing, name="longcli-log", daemon=True)
            self._pulses.start()
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

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self._stop.set()
        if self._pulses is not None:
            self._pulses.join()
        if self._bar is None:
            return
        if exc_type is None:  # a finished run: every stage is done, whatever was estimated
            with self._lock:
                for bar in self._bars.values():
                    bar.total = max(1, int(bar.done)) if bar.done else bar.total
                    bar.done = bar.total
                    self._bar.update(
                        bar.task, completed=bar.done, total=bar.total, count=_count_text(bar)
                    )
        self._bar.__exit__(exc_type, *exc)

    def __call__(self, event: ProgressEvent) -> None:
        if self._bar is None and not self.plain:
            return
        tokens = event.prompt_tokens + event.completion_tokens
        now = self._clock()
        with self._lock:
            key = (event.stage, event.level)
            bar = self._bars.get(key)
            if bar is None:
                task = None
                if self._bar is not None:
                    task = self._bar.add_task(_stage_name(event), total=event.total, count="",
                                              rate="")  # fmt: skip
                bar = self._bars[key] = _Bar(task, now, tokens)
            bar.done, bar.total, bar.unit = max(bar.done, event.done), event.total, event.unit
            seconds = now - bar.started
            worked = tokens - bar.tokens_at_start  # none in a stage without the model
            rate = f"{worked / seconds:,.0f} tok/s" if worked and seconds > 0 else ""
            if self._bar is not None:
                self._bar.update(bar.task, completed=bar.done, total=event.total,
                                 count=_count_text(bar), rate=rate)  # fmt: skip
            else:
                self._latest = (event, bar, rate)
                if now - self._last_line >= self._every_s:
                    self._last_line = now
                    self._streams.note(_plain_line(event, bar, rate, seconds))

    def pulse(self) -> None:
        """For a log: the latest stage's line again when every_s has passed without a line,
        so a long model call between two events still shows life."""
        now = self._clock()
        with self._lock:
            if self._latest is None or now - self._last_line < self._every_s:
                return
            event, bar, rate = self._latest
            self._last_line = now
            self._streams.note(_plain_line(event, bar, rate, now - bar.started))

    def _pulsing(self) -> None:
        while not self._stop.wait(min(1.0, self._every_s)):
            self.pulse()


def _stage_name(event: ProgressEvent) -> str:
    name = _STAGE_NAMES[event.stage]
    return f"{name}, level {event.level}" if event.stage == Stage.merge else name


def _count_text(bar: _Bar) -> str:
    if bar.unit == Unit.token:
        return f"{int(bar.done):,}/{bar.total:,} tok"
    return f"{int(bar.done)}/{bar.total}"


def _plain_line(event: ProgressEvent, bar: _Bar, rate: str, seconds: float) -> str:
    """A progress line for a log: the stage, done/total, the rate and the stage's ETA."""
    parts = [f"{_stage_name(event)} {_count_text(bar)}"]
    if rate:
        parts.append(rate)
    if 0 < bar.done < bar.total and seconds > 0:
        parts.append(f"eta {_duration((bar.total - bar.done) * seconds / bar.done)}")
    return ", ".join(parts)


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
        return json.dumps(summary_json(result, run), indent=2, ensure_ascii=False) + "\n"
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
    if plan.method == Method.abstractive:
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
    if phase.stage == Stage.map:
        return _count(phase.calls, "chunk summary", "chunk summaries")
    if phase.stage == Stage.merge:
        return _count(phase.calls, "merge") + f" at level {phase.level}"
    if phase.stage == Stage.shorten:
        return f"shortening {_count(phase.calls, 'sentence')} of the final choice"
    if phase.stage == Stage.write:
        return _count(
            phase.calls, "part written from its passages", "parts written from their passages"
        )
    return _count(phase.calls, "final summary", "final summaries")


def _calls_line(plan: Plan) -> str:
    if not plan.calls:
        return "0"
    parts = [_phase_words(p) for p in plan.phases]
    if plan.method == Method.abstractive and plan.chunks == 1:
        parts = ["the whole text in one call"]
    if plan.exact:
        return f"{plan.calls:,}: {' + '.join(parts)}"
    if plan.method == Method.hybrid:  # too long an input to choose its sentences ahead
        return f"about {plan.calls:,}: {' + '.join(parts)} (from a typical sentence length)"
    # Merges above the first level are counted as if no summary came out short.
    bound = " at most, before retries" if len(plan.levels) > 1 else " before retries"
    return f"{plan.calls:,}{bound}: {' + '.join(parts)}"


def _tokens_line(plan: Plan) -> str:
    if not plan.calls:
        return "none"
    if plan.exact:
        return f"{plan.prompt_tokens:,} in, about {plan.completion_tokens:,} out"
    if plan.method == Method.hybrid:
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


def render_plan(report: PlanReport, fmt: str) -> str:
    """What --plan prints: the input, the calls and tokens of the method that will run, an
    ETA and the memory. Calls are counted once; the per-phase parts add up to that count."""
    if fmt == "json":
        return json.dumps(plan_json(report), indent=2) + "\n"
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


def render_memory(view: SessionView, out: TextIO) -> None:
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


def export_markdown(view: SessionView, exchanges: list[Exchange]) -> str:
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


def memory_json(view: SessionView) -> dict[str, Any]:
    """A session's view as `memory show --json` and exports hold it: no budget without a
    model."""
    data = asdict(view)
    if view.budget is None:
        del data["budget"]
    return data


def render_memory_json(view: SessionView) -> str:
    """`memory show --json`."""
    return json.dumps(memory_json(view), indent=2, ensure_ascii=False) + "\n"


def render_facts_json(facts: list[FactView]) -> str:
    """`memory facts --json`."""
    return json.dumps([asdict(f) for f in facts], indent=2, ensure_ascii=False) + "\n"


def render_sessions_json(rows: list[SessionRow]) -> str:
    """`memory list --json`: a row that cannot be read has its error instead of counts."""

    def row(r: SessionRow) -> dict[str, Any]:
        data: dict[str, Any] = {"name": r.name, "path": r.path}
        if r.error is None:
            data |= {"turns": r.turns, "summary_chars": r.summary_chars}
        else:
            data["error"] = r.error
        return data | {"updated": r.updated}

    return json.dumps([row(r) for r in rows], indent=2) + "\n"


def export_json(view: SessionView, exchanges: list[Exchange]) -> str:
    """The conversation as JSON, without the DEL and C1 controls json.dumps leaves raw."""
    data = {
        **memory_json(view),
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
        status = str(o.status)  # done, redone, kept or failed: stderr said why
        lines.append(
            f"{o.source:<{width}}  {status:<10} {o.chunks or '':>6} "
            f"{f'{o.seconds:.1f}' if o.seconds else '':>8}  {o.output}"
        )
    return "\n".join(lines) + "\n"
