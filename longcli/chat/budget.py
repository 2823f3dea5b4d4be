"""The chat's token budget: how the context is shared out, and when to fold.

Pure logic: no I/O and no model calls. The caller measures tokens with the model's own
tokenizer and runs the folds this module plans. The invariant it serves: every prompt
sent to the model, plus the reply it may generate, fits in the context.

    n_ctx = template + system + summary (<= summary_cap) + stated facts (<= facts)
            + recalled passages (<= recall) + window of verbatim exchanges
            + the new message + reply reserve

The facts come from the ledger (chat/facts.py) and share the summary's part of the
context: summary_share covers both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from longcli.backends.base import SLACK_TOKENS
from longcli.chat.exchange import Exchange

FOLD_SHARE = 0.3  # fold about this share of the window at once, so folds are rare
MIN_WINDOW_TOKENS = 64


@dataclass(frozen=True)
class ChatBudget:
    n_ctx: int
    reply_tokens: int
    summary_cap: int
    recall_tokens: int
    facts_tokens: int  # for the stated facts shown with a message
    fixed_tokens: int  # template + system prompt + headings, measured
    window_tokens: int  # what is left for verbatim exchanges and the new message


def chat_budget(
    n_ctx: int,
    fixed_tokens: int,
    reply_tokens: int,
    summary_share: float,
    recall_tokens: int,
    facts_tokens: int = 0,
) -> ChatBudget:
    """Split the context; raises ValueError when nothing is left for the conversation.

    The facts' share comes out of the summary's, down to half of it.
    """
    reply = min(reply_tokens, n_ctx // 4)
    share = int(n_ctx * summary_share)
    facts = min(facts_tokens, n_ctx // 8, share // 2)
    cap = share - facts
    recall = min(recall_tokens, n_ctx // 8)
    window = n_ctx - reply - share - recall - fixed_tokens - SLACK_TOKENS
    if window < MIN_WINDOW_TOKENS:
        raise ValueError(
            f"a context of {n_ctx} tokens leaves {window} for the conversation "
            f"(system prompt {fixed_tokens}, summary {cap}, facts {facts}, recall {recall}, "
            f"reply {reply})"
        )
    return ChatBudget(n_ctx, reply, cap, recall, facts, fixed_tokens, window)


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
