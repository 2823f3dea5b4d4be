"""What every model call goes through: the Backend protocol and the values it trades in.

Backends: `llama.py` (a GGUF model in-process), `batched.py` (several calls decoded
together in-process), `http.py` (an OpenAI-compatible server). Wrappers that add one
thing (`cache.py`: answers from the resume cache) derive from `Delegating`. Features
only some backends have are declared in their `Capabilities`, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from longcli.calls import Message, Sampling
from longcli.errors import ModelError

# Tokens kept free wherever a prompt is measured in parts: where a template meets its
# content, tokenizers can merge or split a token the parts counted separately.
SLACK_TOKENS = 16


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str  # "stop" or "length"
    cached: bool = False  # answered from the resume cache, not by the model


def shared_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    """How many leading tokens two token sequences have in common."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def check_fits(prompt_tokens: int, max_tokens: int, n_ctx: int) -> None:
    """Refuse a call whose prompt and reply cannot both fit in the context."""
    if prompt_tokens + max_tokens > n_ctx:
        raise ModelError(
            f"prompt of {prompt_tokens} tokens plus {max_tokens} for the reply "
            f"exceeds the context of {n_ctx} tokens"
        )


class Backend(Protocol):
    """What the pipelines need from a model."""

    n_ctx: int
    identity: str
    capabilities: Capabilities

    def count_tokens(self, text: str) -> int:
        """Exact number of tokens `text` takes as plain content."""
        ...

    def prompt_tokens(self, messages: list[Message]) -> int:
        """Exact number of tokens the chat prompt takes, template and all."""
        ...

    def complete(self, messages: list[Message], sampling: Sampling) -> Completion:
        """Generate a reply to a chat prompt."""
        ...

    def stream(self, messages: list[Message], sampling: Sampling) -> Iterator[str]:
        """Generate a reply piece by piece."""
        ...


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do beyond completing prompts."""

    prefill: bool = False  # evaluate the start of the next prompt ahead of time
    keeps_state: bool = False  # save and load its KV cache (chat's kept state)
    exact_counts: bool = True  # token counts are exact, not an estimate


class Stateful(Backend, Protocol):
    """A backend whose capabilities say `prefill` and `keeps_state`."""

    def prefill(self, messages: list[Message]) -> int: ...

    def state_fingerprint(self) -> dict[str, Any]: ...

    def context_tokens(self) -> list[int]: ...

    def save_context(self, path: Path) -> None: ...

    def load_context(self, path: Path) -> list[int] | None: ...

    def forget_context(self) -> None: ...


class Delegating:
    """A backend that wraps another and passes on everything it does not change."""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.n_ctx = inner.n_ctx
        self.identity = inner.identity
        self.capabilities = Capabilities(exact_counts=inner.capabilities.exact_counts)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def prompt_tokens(self, messages: list[Message]) -> int:
        return self.inner.prompt_tokens(messages)

    def complete(self, messages: list[Message], sampling: Sampling) -> Completion:
        return self.inner.complete(messages, sampling)

    def stream(self, messages: list[Message], sampling: Sampling) -> Iterator[str]:
        return self.inner.stream(messages, sampling)
