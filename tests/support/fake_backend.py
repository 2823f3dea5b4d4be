"""A deterministic stand-in model for tests of logic that must be exact.

Budgets, grouping, termination and memory folding are tested against it; behaviour that
depends on a real model is tested against the bundled one. Tests reach it in-process
directly, and through the command line once registered with the engine
(`backends.engine.use_stand_in(make)`: tests/conftest.py does it in this process,
tests/support/fake_main.py in a child), with LONGCLI_FAKE_MODE and LONGCLI_FAKE_DELAY_S
to choose how it answers.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator

from longcli.backends.base import Capabilities, Completion, check_fits
from longcli.calls import Message, Sampling
from longcli.config import Settings
from longcli.errors import UsageError

DEFAULT_CTX = 2048


_FAKE_TOKEN = re.compile(r"\w+|[^\w\s]")
FAKE_MODES = ("extract", "echo", "answer", "loop", "copy")


class FakeBackend:
    """Deterministic model for tests: tokens are words and punctuation marks.

    Modes: `extract` answers with every fourth word of the text it is given (always
    shorter, never a verbatim copy); `echo` repeats its input (never shorter: exercises
    termination); `loop` repeats one sentence (degenerate); `copy` returns a verbatim run
    of the input.
    `delay_s` sleeps per call, for fault-injection tests.
    """

    PER_MESSAGE_TOKENS = 4
    PROMPT_TOKENS = 3

    def __init__(
        self, n_ctx: int = DEFAULT_CTX, mode: str = "extract", delay_s: float = 0.0
    ) -> None:
        if mode not in FAKE_MODES:
            raise UsageError(f"fake backend mode must be one of {', '.join(FAKE_MODES)}")
        self.n_ctx = n_ctx
        self.mode = mode
        self.delay_s = delay_s
        self.identity = f"fake|{mode}"
        self.capabilities = Capabilities()
        self.prompts: list[list[Message]] = []
        self.calls = 0

    def count_tokens(self, text: str) -> int:
        return len(_FAKE_TOKEN.findall(text))

    def prompt_tokens(self, messages: list[Message]) -> int:
        return self.PROMPT_TOKENS + sum(
            self.PER_MESSAGE_TOKENS + self.count_tokens(m.content) for m in messages
        )

    def _reply(self, messages: list[Message], sampling: Sampling) -> tuple[str, str]:
        content = messages[-1].content
        marker = content.rfind("Text:\n")
        source = content[marker + 6 :] if marker >= 0 else content
        words = source.split()
        if self.mode == "echo":
            out = words
        elif self.mode == "answer":  # the message's words in a reply of its own: no echo
            out = ["Noted:", *words]
        elif self.mode == "loop":
            out = ["The", "story", "goes", "on", "and", "on."] * sampling.max_tokens
        elif self.mode == "copy":
            out = words[: max(8, len(words) // 2)]
        else:
            out = words[::4] or words
        text, reason = self._fit(out, sampling.max_tokens)
        return text, reason

    def _fit(self, words: list[str], max_tokens: int) -> tuple[str, str]:
        kept: list[str] = []
        used = 0
        for word in words:
            cost = self.count_tokens(word)
            if used + cost > max_tokens:
                return " ".join(kept), "length"
            kept.append(word)
            used += cost
        return " ".join(kept), "stop"

    def complete(self, messages: list[Message], sampling: Sampling) -> Completion:
        prompt = self.prompt_tokens(messages)
        check_fits(prompt, sampling.max_tokens, self.n_ctx)
        self.prompts.append(list(messages))
        self.calls += 1
        from longcli import faults

        faults.pause("generate")
        if self.delay_s:
            time.sleep(self.delay_s)
        text, reason = self._reply(messages, sampling)
        return Completion(text, prompt, self.count_tokens(text), reason)

    def stream(self, messages: list[Message], sampling: Sampling) -> Iterator[str]:
        completion = self.complete(messages, sampling)
        for i, word in enumerate(completion.text.split(" ")):
            yield word if i == 0 else " " + word


class Scripted(FakeBackend):
    """Answers with the scripted replies in order, then as the plain fake does."""

    def __init__(self, *replies: str, n_ctx: int = DEFAULT_CTX) -> None:
        super().__init__(n_ctx=n_ctx)
        self.script = list(replies)

    def _reply(self, messages: list[Message], sampling: Sampling) -> tuple[str, str]:
        if self.script:
            return self.script.pop(0), "stop"
        return super()._reply(messages, sampling)


def make(settings: Settings) -> FakeBackend:
    """The engine's test hook: a fake with the settings' context size."""
    mode = os.environ.get("LONGCLI_FAKE_MODE", "extract")
    delay = float(os.environ.get("LONGCLI_FAKE_DELAY_S", "0") or 0)
    return FakeBackend(n_ctx=settings.ctx or DEFAULT_CTX, mode=mode, delay_s=delay)
