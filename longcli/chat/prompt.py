"""The chat prompt: system prompt and summary, the window, then the new message with what
was recalled for it and the facts that bear on it; and recall fitted to its share."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from longcli.calls import Message

if TYPE_CHECKING:  # exchange.py lays its text out with this module's role labels
    from longcli.chat.exchange import Exchange

SUMMARY_HEADING = "Summary of the conversation so far:"
RECALL_HEADING = "From earlier in this conversation (verbatim, may be relevant):"
FACTS_HEADING = "What I told you before, in my own words:"
MESSAGE_HEADING = "My message:"
HEADINGS = (SUMMARY_HEADING, RECALL_HEADING, FACTS_HEADING, MESSAGE_HEADING)
# How a recalled or folded exchange is laid out: "[turn 3] User: ...\nAssistant: ..."
USER_ROLE = "User:"
ASSISTANT_ROLE = "Assistant:"
TURN_LABEL = "[turn {n}]"
# The summary's own leads, where a fold keeps the user's facts (chat/fold.py)
QUOTE_LEAD = "The user said: "
SUBJECTS_LEAD = "The user also told me about:"
# ... and where a fold without the model keeps the key sentences of the folded turns: in
# prose, not as role labels a model would go on to write ("Assistant: [turn 3] User: ...")
FOLDED_USER_LEAD = "The user wrote: "
FOLDED_REPLY_LEAD = "I replied: "
LEADS_OF_SUMMARY = (QUOTE_LEAD, SUBJECTS_LEAD, FOLDED_USER_LEAD, FOLDED_REPLY_LEAD)


def turn_label(n: int) -> str:
    """The label of the exchange at journal index `n` in a recalled passage."""
    return TURN_LABEL.format(n=n + 1)


def exchange_text(user: str, assistant: str) -> str:
    """An exchange as recalled and folded passages lay it out."""
    return f"{USER_ROLE} {user}\n{ASSISTANT_ROLE} {assistant}"


def _marker(text: str) -> str:
    """A layout marker as a pattern: its words, whatever the spacing and case."""
    return r"\s*".join(re.escape(part) for part in text.strip().split())


_TURN = _marker(TURN_LABEL.split("{")[0]) + r"\s*\d+\s*\]"
# The layout's role and turn labels, anywhere (a model echoing a recalled passage writes
# "[turn 3] User: ..."), and the summary's leads.
LABELS = re.compile(
    "|".join([_TURN, *(rf"\b{_marker(r)}" for r in (USER_ROLE, ASSISTANT_ROLE))]), re.IGNORECASE
)
LEADS = re.compile("|".join(_marker(lead) for lead in LEADS_OF_SUMMARY), re.IGNORECASE)
HEADING_MARKS = re.compile("|".join(_marker(h) for h in HEADINGS), re.IGNORECASE)


def without_labels(text: str) -> str:
    """`text` without the layout's role and turn labels (what a fold may keep)."""
    return " ".join(LABELS.sub(" ", text).split()) if LABELS.search(text) else text


def without_layout(text: str) -> str:
    """`text` without any marker of the prompt's layout: headings, role and turn labels,
    the summary's leads (what a reply may show). Spacing is kept where nothing was found."""
    found = False
    for pattern in (HEADING_MARKS, LABELS, LEADS):
        if pattern.search(text):
            text = pattern.sub("", text)
            found = True
    return re.sub(r"[ \t]{2,}", " ", text) if found else text


def system_text(system: str | None, summary: str) -> str:
    """The system message: the user's system prompt, then the running summary."""
    parts = [system.strip()] if system and system.strip() else []
    if summary.strip():
        parts.append(f"{SUMMARY_HEADING}\n{summary.strip()}")
    return "\n\n".join(parts)


def user_text(
    user: str, recalled: list[str], facts: list[str] | None = None, answer_in: str = ""
) -> str:
    """The new message, preceded by the passages recalled for it and followed by the facts
    the user stated that bear on it (one line each), then `answer_in`, the sentence naming
    the language to answer in when it is not English ("Answer in German.").

    The facts come last, where the model reads just before it answers: with the bundled
    model, facts after the message were answered right 59% of the time against 41% with
    the facts before it, 11% without the recalled passages, and 4% with the fact and the
    question alone (27 questions after 200 turns; bench/chat_memory.py layout).
    """
    if not recalled and not facts:
        return f"{user}\n\n{answer_in}" if answer_in else user
    parts = []
    if recalled:
        parts.append(f"{RECALL_HEADING}\n" + "\n\n".join(recalled))
    parts.append(f"{MESSAGE_HEADING}\n{user}")
    if facts:
        parts.append(f"{FACTS_HEADING}\n" + "\n".join(f"- {fact}" for fact in facts))
    if answer_in:
        parts.append(answer_in)
    return "\n\n".join(parts)


def build_messages(
    system: str | None,
    summary: str,
    recalled: list[str],
    window: list[Exchange],
    user: str,
    facts: list[str] | None = None,
    answer_in: str = "",
) -> list[Message]:
    """The prompt for the next reply.

    Recalled passages and facts go with the new message, not in the system message, so
    that the prompt's beginning (system, summary, window) stays the same from turn to turn
    and the model's KV cache can reuse it; only a fold changes it.
    """
    head = context_messages(system, summary, window)
    return [*head, Message("user", user_text(user, recalled, facts, answer_in))]


def context_messages(system: str | None, summary: str, window: list[Exchange]) -> list[Message]:
    """The start of every prompt until the next fold: system, summary and the window."""
    head = system_text(system, summary)
    messages = [Message("system", head)] if head else []
    for exchange in window:
        messages.append(Message("user", exchange.user))
        messages.append(Message("assistant", exchange.for_model))
    return messages


Candidate = TypeVar("Candidate")  # a recalled passage, as the caller keeps it


@dataclass
class PromptPlan(Generic[Candidate]):
    """The outcome of fitting a prompt: the messages and what had to give way."""

    messages: list[Message]
    prompt_tokens: int
    recalled: list[Candidate] = field(default_factory=list)
    dropped_recall: int = 0


def fit_recall(
    measure: Callable[[list[Message]], int],
    build: Callable[[list[Candidate]], list[Message]],
    candidates: list[Candidate],
    limit_tokens: int,
) -> PromptPlan[Candidate]:
    """Add recalled passages, best first, while the prompt stays within `limit_tokens`."""
    chosen: list[Candidate] = []
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
