"""The chat memory: a running summary plus a window of recent exchanges, in a token budget.

Pure logic: no I/O and no model calls. The caller measures tokens with the model's own
tokenizer and runs the folds this module plans. The invariant it serves: every prompt
sent to the model, plus the reply it may generate, fits in the context.

    n_ctx = template + system + summary (<= summary_cap) + recalled passages (<= recall)
            + window of verbatim exchanges + the new message + reply reserve
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from longcli.backends.base import SLACK_TOKENS, Message

FOLD_SHARE = 0.3  # fold about this share of the window at once, so folds are rare
MIN_WINDOW_TOKENS = 64

SUMMARY_HEADING = "Summary of the conversation so far:"
RECALL_HEADING = "From earlier in this conversation (verbatim, may be relevant):"
MESSAGE_HEADING = "My message:"


@dataclass(frozen=True)
class Exchange:
    """One completed turn: the user's message and the assistant's reply."""

    n: int  # position in the journal, from 0
    user: str
    assistant: str
    tokens: int  # both messages as they appear in a prompt, template included

    def as_text(self) -> str:
        return f"User: {self.user}\nAssistant: {self.assistant}"


@dataclass
class MemoryState:
    """What is persisted besides the journal: the summary and where the window starts."""

    summary: str = ""
    window_start: int = 0  # journal index of the oldest exchange still verbatim
    folds: int = 0
    turns: int = 0


@dataclass(frozen=True)
class ChatBudget:
    n_ctx: int
    reply_tokens: int
    summary_cap: int
    recall_tokens: int
    fixed_tokens: int  # template + system prompt + headings, measured
    window_tokens: int  # what is left for verbatim exchanges and the new message


def chat_budget(
    n_ctx: int,
    fixed_tokens: int,
    reply_tokens: int,
    summary_share: float,
    recall_tokens: int,
) -> ChatBudget:
    """Split the context; raises ValueError when nothing is left for the conversation."""
    reply = min(reply_tokens, n_ctx // 4)
    cap = int(n_ctx * summary_share)
    recall = min(recall_tokens, n_ctx // 8)
    window = n_ctx - reply - cap - recall - fixed_tokens - SLACK_TOKENS
    if window < MIN_WINDOW_TOKENS:
        raise ValueError(
            f"a context of {n_ctx} tokens leaves {window} for the conversation "
            f"(system prompt {fixed_tokens}, summary {cap}, recall {recall}, reply {reply})"
        )
    return ChatBudget(n_ctx, reply, cap, recall, fixed_tokens, window)


def fold_count(window: list[Exchange], incoming_tokens: int, budget: ChatBudget) -> int:
    """How many of the oldest exchanges to fold so the window and the new message fit.

    Zero when they already fit. Otherwise at least FOLD_SHARE of the window's tokens go
    at once, in whole exchanges, so folding does not run on every turn.
    """
    used = sum(e.tokens for e in window)
    if used + incoming_tokens <= budget.window_tokens:
        return 0
    must_free = used + incoming_tokens - budget.window_tokens
    want = max(must_free, math.ceil(used * FOLD_SHARE))
    freed, count = 0, 0
    for exchange in window:
        if freed >= want:
            break
        freed += exchange.tokens
        count += 1
    return count


def system_text(system: str | None, summary: str) -> str:
    """The system message: the user's system prompt, then the running summary."""
    parts = [system.strip()] if system and system.strip() else []
    if summary.strip():
        parts.append(f"{SUMMARY_HEADING}\n{summary.strip()}")
    return "\n\n".join(parts)


def user_text(user: str, recalled: list[str]) -> str:
    """The new message, preceded by the passages recalled for it."""
    if not recalled:
        return user
    return f"{RECALL_HEADING}\n" + "\n\n".join(recalled) + f"\n\n{MESSAGE_HEADING}\n{user}"


def build_messages(
    system: str | None, summary: str, recalled: list[str], window: list[Exchange], user: str
) -> list[Message]:
    """The prompt for the next reply.

    Recalled passages go with the new message, not in the system message, so that the
    prompt's beginning (system, summary, window) stays the same from turn to turn and the
    model's KV cache can reuse it; only a fold changes it.
    """
    return [*context_messages(system, summary, window), Message("user", user_text(user, recalled))]


def context_messages(system: str | None, summary: str, window: list[Exchange]) -> list[Message]:
    """The start of every prompt until the next fold: system, summary and the window."""
    head = system_text(system, summary)
    messages = [Message("system", head)] if head else []
    for exchange in window:
        messages.append(Message("user", exchange.user))
        messages.append(Message("assistant", exchange.assistant))
    return messages


@dataclass
class PromptPlan:
    """The outcome of fitting a prompt: the messages and what had to give way."""

    messages: list[Message]
    prompt_tokens: int
    recalled: list[str] = field(default_factory=list)
    dropped_recall: int = 0


def fit_recall(
    measure: Callable[[list[Message]], int],
    build: Callable[[list[str]], list[Message]],
    candidates: list[str],
    limit_tokens: int,
) -> PromptPlan:
    """Add recalled passages, best first, while the prompt stays within `limit_tokens`."""
    chosen: list[str] = []
    messages = build(chosen)
    tokens = measure(messages)
    dropped = 0
    for passage in candidates:
        trial = build([*chosen, passage])
        trial_tokens = measure(trial)
        if trial_tokens <= limit_tokens:
            chosen.append(passage)
            messages, tokens = trial, trial_tokens
        else:
            dropped += 1
    return PromptPlan(messages, tokens, chosen, dropped)
