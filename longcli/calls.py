"""What one model call is made of: its messages and how it samples.

A leaf: the settings (`config`) take their sampling defaults from `Sampling`, and every
backend, prompt and pipeline trades in these two values, so they belong to no one layer.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Message:
    role: str  # "system" | "user" | "assistant"
    content: str


@dataclass(frozen=True)
class Sampling:
    """How to sample one call; with max_tokens 0, the defaults that calls derive from."""

    max_tokens: int = 0
    temperature: float = 0.2
    top_p: float = 0.9
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.15
    seed: int = 0

    def params(self) -> dict[str, Any]:
        """As llama-cpp-python's create_completion and llama-server's API name them (the
        field names are theirs)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def key(self) -> str:
        """Every field, in order, for cache keys: a new field changes the key."""
        return "|".join(str(getattr(self, f.name)) for f in fields(self))
