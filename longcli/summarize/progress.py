"""How far a run has got, told to a callback as it goes, calls still running included.

Steps are chunks (map), merges (one level), sentences shortened (hybrid's final choice)
or parts written (extract-abstract); the final abstractive summary, one long call, counts
tokens read and written instead. No backend reports progress within a call, so while
calls run their share done is estimated by time (see Estimate).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

from longcli.summarize.budget import Stage
from longcli.summarize.eta import REFERENCE_DECODE_TPS, REFERENCE_PREFILL_TPS
from longcli.summarize.results import Tally

TICK_S = 0.5  # how often the progress of calls still running is estimated and reported
ESTIMATE_CAP = 0.99  # a running call is never shown as more done than this
EASE_FROM = 0.8  # past this share of its expected time, an estimate slows, never stopping
# A generated token takes as long as this many prompt tokens (the ratio of the reference
# speeds), for a call's expected time from its sizes.
GENERATED_TOKEN_COST = REFERENCE_PREFILL_TPS / REFERENCE_DECODE_TPS


class Unit(StrEnum):
    """What a stage's progress counts."""

    step = "step"  # calls (or chunks, merges) done
    token = "token"  # tokens read and written: the final summary of an abstractive run


@dataclass
class ProgressEvent:
    """How far one stage of a run has got. While calls run, `done` holds a share of them
    estimated by time (see Estimate), and the tokens include that share."""

    stage: Stage
    done: float
    total: int  # an estimate while chunks are still being read
    completion_tokens: int
    prompt_tokens: int
    cached: bool = False
    level: int = 0  # Stage.merge: 1 merges chunk summaries, 2 merges those merges, ...
    unit: Unit = Unit.step


ProgressCallback = Callable[[ProgressEvent], None]


class Steps:
    """Counts steps done on any thread and reports each, in order: as each call ends, not
    as the caller collects the results (the one-call pool runs them all on submit)."""

    def __init__(self, report: Callable[[int], None]) -> None:
        self._report = report
        self._done = 0
        self._lock = threading.Lock()

    def step(self) -> None:
        with self._lock:
            self._done += 1
            self._report(self._done)


class Estimate:
    """How far calls that say nothing until they end have probably got.

    No backend reports progress within a call: llama.cpp makes a completion in one call,
    and `stream` would lose the finish reason and the resume cache that `complete` has.
    So the calls' expected work (prompt + GENERATED_TOKEN_COST x reply tokens) is timed
    at the speed this run has shown so far. Past EASE_FROM of that time the estimate
    slows down, approaching the end without reaching it (the first call of a run is timed
    at a reference speed that a busy machine may be far below, and a retry takes as long
    again), so the bar keeps moving; a call is never shown past ESTIMATE_CAP before it
    ends. The caller counts the calls that have ended in `finished`.
    """

    def __init__(self, calls: list[tuple[int, int]], work_per_s: float) -> None:
        self.calls = calls  # (prompt, reply) tokens expected of each call, in order
        work = sum(p + GENERATED_TOKEN_COST * c for p, c in calls)
        self.expected_s = max(work / work_per_s, 1e-3)
        self.finished = 0
        self._started = time.monotonic()

    def now(self) -> tuple[float, int, int]:
        """(calls done, with a share of the running one; its prompt and reply tokens)."""
        share = (time.monotonic() - self._started) / self.expected_s
        if share > EASE_FROM:  # what is left halves each time the time taken doubles
            share = 1 - (1 - EASE_FROM) * EASE_FROM / share
        guess = len(self.calls) * share
        done = max(float(self.finished), min(self.finished + ESTIMATE_CAP, guess))
        if self.finished >= len(self.calls):
            return done, 0, 0
        part = done - self.finished
        prompt, reply = self.calls[self.finished]
        return done, int(part * prompt), int(part * reply)


class Reporter:
    """Tells the callback how far each stage has got, with the tokens the run has used."""

    def __init__(self, tally: Tally, on_progress: ProgressCallback | None = None) -> None:
        self._tally = tally
        self._on_progress = on_progress or (lambda event: None)
        self.started = time.monotonic()  # reset as a run starts: calls are timed from it

    def report(
        self,
        stage: Stage,
        done: float,
        total: int,
        level: int = 0,
        unit: Unit = Unit.step,
        running: tuple[int, int] = (0, 0),
    ) -> None:
        """Tell the progress callback; `running` adds the (prompt, reply) tokens that calls
        still running have probably processed."""
        with self._tally.counting() as s:
            completion, prompt = s.completion_tokens, s.prompt_tokens
        prompt, completion = prompt + running[0], completion + running[1]
        self._on_progress(ProgressEvent(stage, done, total, completion, prompt, False, level, unit))

    def work_per_s(self) -> float:
        """Prompt tokens per second (a generated one counting GENERATED_TOKEN_COST) in this
        run so far; before any call, the bundled model's reference speed."""
        with self._tally.counting() as s:
            work = s.prompt_tokens + GENERATED_TOKEN_COST * s.completion_tokens
            live = s.calls - s.cached_calls
        seconds = time.monotonic() - self.started
        return work / seconds if live and work and seconds > 0 else REFERENCE_PREFILL_TPS

    @contextmanager
    def estimating(
        self, stage: Stage, calls: list[tuple[int, int]], level: int = 0, unit: Unit = Unit.step
    ) -> Iterator[Estimate]:
        """While the block runs `calls`, report `stage` every TICK_S as Estimate guesses:
        in steps (calls), or in tokens read and written (Unit.token)."""
        estimate = Estimate(calls, self.work_per_s())
        if not calls:
            yield estimate
            return
        tokens = sum(p + c for p, c in calls)

        def tick() -> None:
            done, prompt, reply = estimate.now()
            if unit == Unit.token:
                share = done / len(calls)
                self.report(stage, share * tokens, tokens, level, unit, (prompt, reply))
            else:
                self.report(stage, done, len(calls), level, unit, (prompt, reply))

        stop = threading.Event()

        def ticking() -> None:
            while not stop.wait(TICK_S):
                tick()

        tick()
        thread = threading.Thread(target=ticking, name="longcli-progress", daemon=True)
        thread.start()
        try:
            yield estimate
        finally:
            stop.set()
            thread.join()

    @contextmanager
    def final(self, calls: list[tuple[int, int]]) -> Iterator[None]:
        """The final summary's progress: its one call's tokens, estimated while it runs
        (abstractive); then done. Hybrid reports its shortening calls on their own."""
        tokens = sum(p + c for p, c in calls) or 1
        with self.estimating(Stage.final, calls, unit=Unit.token):
            yield
        self.report(Stage.final, tokens, tokens, unit=Unit.token if calls else Unit.step)
