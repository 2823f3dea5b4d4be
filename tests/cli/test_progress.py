"""Progress on stderr: plain lines for a log, a bar that ends at its total, ETA changes said."""

from __future__ import annotations

import io

from longcli.cli.render import Progress
from longcli.streams import Streams
from longcli.summarize.budget import Stage
from longcli.summarize.progress import ProgressEvent


def streams(tty: bool = False, quiet: bool = False) -> Streams:
    err = io.StringIO()
    return Streams(io.StringIO(), io.StringIO(), err, False, False, tty, quiet)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def event(done: float, total: int, tokens: int = 0) -> ProgressEvent:
    return ProgressEvent(Stage.map, done, total, tokens // 2, tokens - tokens // 2)


def test_a_log_gets_a_plain_line_every_few_seconds():
    out, clock = streams(), Clock()
    with Progress(out, clock=clock, every_s=5.0) as progress:
        progress(event(0, 100))
        clock.now = 2.0
        progress(event(10, 100, 2000))
        assert out.stderr.getvalue() == ""  # a short run says nothing
        clock.now = 5.0
        progress(event(25, 100, 5000))
        clock.now = 6.0
        progress(event(30, 100, 6000))  # too soon after the last line
        clock.now = 10.0
        progress(event(50, 100, 10000))
    lines = out.stderr.getvalue().splitlines()
    assert lines == [
        "longcli: Summarizing chunks 25/100, 1,000 tok/s, eta 15s",
        "longcli: Summarizing chunks 50/100, 1,000 tok/s, eta 10s",
    ]


def test_a_long_call_between_two_events_still_shows_life_in_a_log():
    """One chunk's model call can take a minute: the log hears the latest line again every
    few seconds, not only when a chunk is done."""
    out, clock = streams(), Clock()
    with Progress(out, clock=clock, every_s=5.0) as progress:
        progress(event(1, 6, 1000))
        clock.now = 4.0
        progress.pulse()
        assert out.stderr.getvalue() == ""  # not yet every_s
        clock.now = 5.0
        progress.pulse()
        clock.now = 10.0
        progress.pulse()
    lines = out.stderr.getvalue().splitlines()
    assert lines == [
        "longcli: Summarizing chunks 1/6, eta 25s",
        "longcli: Summarizing chunks 1/6, eta 50s",
    ]


def test_quiet_and_a_terminal_get_no_plain_lines():
    for out in (streams(quiet=True), streams(tty=True, quiet=True)):
        clock = Clock()
        with Progress(out, clock=clock, every_s=1.0) as progress:
            progress(event(0, 10))
            clock.now = 5.0
            progress(event(5, 10))
        assert out.stderr.getvalue() == ""


def test_the_bar_reaches_its_total_when_the_run_ends():
    out = streams(tty=True)
    with Progress(out) as progress:
        progress(event(0, 398))
        progress(event(340, 398))  # the total was an estimate from the file's size
        bar = progress._bar
        task = bar.tasks[0]
    assert task.completed == task.total == 340
    assert task.fields["count"] == "340/340"


def test_an_interrupted_run_keeps_its_bar_where_it_stopped():
    out = streams(tty=True)
    try:
        with Progress(out) as progress:
            progress(event(12, 398))
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    task = progress._bar.tasks[0]
    assert (task.completed, task.total) == (12, 398)
