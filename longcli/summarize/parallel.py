"""A small pool of daemon worker threads for model calls that may run at once.

Not concurrent.futures.ThreadPoolExecutor: its workers are joined when the interpreter
exits, so after Ctrl-C the process would wait for every HTTP request in flight (minutes,
for a long generation). Daemon workers die with the process.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

_Job = tuple[Future[Any], Callable[[], Any]]


class InlinePool:
    """The same interface, running each callable at once in the caller's thread: with one
    call at a time there is nothing to overlap, and Ctrl-C and exit stay simple."""

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn())
        except Exception as exc:  # delivered by result(), as from a worker
            future.set_exception(exc)
        return future

    def close(self) -> None:
        pass

    def __enter__(self) -> InlinePool:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def pool_for(workers: int) -> DaemonPool | InlinePool:
    """Daemon workers for several calls at once; the caller's own thread for one."""
    return DaemonPool(workers) if workers > 1 else InlinePool()


class DaemonPool:
    """Runs submitted callables on `workers` daemon threads; `submit` returns a Future."""

    def __init__(self, workers: int, name: str = "longcli-worker") -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True)
            for i in range(max(1, workers))
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        self._jobs.put((future, fn))
        return future

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            future, fn = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn())
            except BaseException as exc:  # handed to whoever waits on the future
                future.set_exception(exc)

    def close(self) -> None:
        """Let the workers finish what they hold and stop; does not wait for them."""
        for _ in self._threads:
            self._jobs.put(None)

    def __enter__(self) -> DaemonPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
