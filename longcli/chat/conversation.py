"""A conversation with bounded memory: the core of `longcli chat`, free of any UI.

Each turn: fold the oldest exchanges into the running summary if the window is full,
recall relevant folded exchanges and document passages, check the prompt fits the
context, stream the reply, then append the exchange to the journal and save the state.
A reply that is interrupted is never stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from longcli import faults
from longcli.backends.base import SLACK_TOKENS, Backend, Message, Sampling, Stateful
from longcli.chat.memory import (
    ChatBudget,
    Exchange,
    MemoryState,
    build_messages,
    chat_budget,
    context_messages,
    fit_recall,
    fold_count,
    system_text,
    user_text,
)
from longcli.chat.recall import BM25
from longcli.chat.session import Passage, Session
from longcli.errors import SessionError, UsageError
from longcli.grounding.ask import (
    TOKENS_PER_WORD,
    CallStats,
    SummaryRequest,
    ask_for_summary,
    for_attempt,
    truncate_to_tokens,
)
from longcli.grounding.check import Grounds
from longcli.grounding.cleanup import strip_artifacts
from longcli.models.gguf import ModelInfo
from longcli.prompts.templates import Templates
from longcli.text.chunks import chunk_stream
from longcli.text.keysentences import select, word_count
from longcli.text.sentences import split_sentences

DEFAULT_SYSTEM = (
    "You are a helpful assistant. When the conversation summary or the recalled passages "
    "hold the answer, use them."
)
RECALL_CANDIDATES = 6
RECALL_SEPARATOR_TOKENS = 4  # the blank line between two recalled passages, and slack
PASSAGE_TOKENS = 200  # size of a document passage kept for recall


@dataclass(frozen=True)
class ChatOptions:
    reply_tokens: int = 384
    summary_share: float = 0.25
    recall_tokens: int = 256
    sampling: Sampling = Sampling()


@dataclass
class Reply:
    text: str
    prompt_tokens: int
    folded: int  # exchanges folded into the summary before this reply
    recalled: list[str]


class Chat:
    """One open session with a model: ask questions, fold, recall, persist."""

    def __init__(
        self, session: Session, backend: Backend, templates: Templates, options: ChatOptions
    ) -> None:
        self.session = session
        self.backend = backend
        self.templates = templates
        self.options = options
        self.system = session.meta.system or DEFAULT_SYSTEM
        self.calls = CallStats()
        fixed = backend.prompt_tokens(
            [
                Message("system", system_text(self.system, "x")),
                Message("user", user_text("", ["x"])),
            ]
        )
        try:
            self.budget: ChatBudget = chat_budget(
                backend.n_ctx,
                fixed,
                options.reply_tokens,
                options.summary_share,
                options.recall_tokens,
            )
        except ValueError as exc:
            raise UsageError(
                str(exc), hint="use a larger --ctx or a shorter system prompt"
            ) from None
        self.state: MemoryState = session.load_state()
        self.exchanges: list[Exchange] = session.load_journal()
        if self.state.window_start > len(self.exchanges):
            raise SessionError(
                f"{session.path}: the memory state covers {self.state.window_start} turns but "
                f"the journal has {len(self.exchanges)}; the session was left untouched"
            )
        self.state.turns = len(self.exchanges)
        # Token counts depend on the model: recount the window with this one.
        for i in range(self.state.window_start, len(self.exchanges)):
            e = self.exchanges[i]
            self.exchanges[i] = Exchange(e.n, e.user, e.assistant, self._exchange_tokens(e))
        self.passages: list[Passage] = session.load_passages()
        self._passages_version = 0  # bumped whenever self.passages changes
        # (passages version, labelled passages, their index, exchanges indexed so far)
        self._index: tuple[int, list[str], BM25, int] | None = None
        # Run by settle(), e.g. to keep the model's KV cache for the next process.
        self.after_turn: Callable[[], None] | None = None
        self.model: ModelInfo | None = None  # the model file, when there is one

    # -- measuring ----------------------------------------------------------------------

    def _delta_tokens(self, messages: list[Message]) -> int:
        """Tokens `messages` add to a prompt, chat template included."""
        base = [Message("system", "x")]
        return self.backend.prompt_tokens(base + messages) - self.backend.prompt_tokens(base)

    def _exchange_tokens(self, e: Exchange) -> int:
        return self._delta_tokens([Message("user", e.user), Message("assistant", e.assistant)])

    @property
    def window(self) -> list[Exchange]:
        return self.exchanges[self.state.window_start :]

    # -- folding ------------------------------------------------------------------------

    def _fold_messages(
        self, summary: str, turns: str, words: int, stricter: bool = False
    ) -> list[Message]:
        content = self.templates.fill(
            "fold", summary=summary or "(empty)", turns=turns, words=words
        )
        if stricter:
            content = self.templates.prompts["stricter"].strip() + "\n\n" + content
        system = self.templates.prompts.get("system", "")
        return ([Message("system", system)] if system else []) + [Message("user", content)]

    def _fold_into_summary(self, summary: str, exchanges: list[Exchange]) -> str:
        """The summary updated with `exchanges`, in as many calls as the context needs."""
        cap = self.budget.summary_cap
        words = max(20, int(cap / 1.4 * 0.75))
        overhead = self.backend.prompt_tokens(self._fold_messages("", "", words))
        batch_budget = self.backend.n_ctx - overhead - 2 * cap - SLACK_TOKENS
        batch: list[str] = []
        used = 0
        for exchange in exchanges:
            text = truncate_to_tokens(self.backend, exchange.as_text(), batch_budget)
            tokens = self.backend.count_tokens(text) + 2
            if batch and used + tokens > batch_budget:
                summary = self._fold_batch(summary, batch, words, cap)
                batch, used = [], 0
            batch.append(text)
            used += tokens
        if batch:
            summary = self._fold_batch(summary, batch, words, cap)
        return summary

    def _fold_batch(self, summary: str, turns: list[str], words: int, cap: int) -> str:
        joined = "\n\n".join(turns)
        request = SummaryRequest(
            build=lambda w, stricter: self._fold_messages(summary, joined, w, stricter),
            words=words,
            max_tokens=cap,
            grounds=Grounds([summary, joined]),
            fallback=lambda: extractive_fold(summary, joined, cap),
        )
        answer = ask_for_summary(self.backend, request, self.options.sampling)
        self.calls.add(answer.stats)
        return answer.text

    def fold(self, count: int) -> None:
        """Fold the `count` oldest exchanges of the window into the summary, and save."""
        count = min(count, len(self.window))
        if count <= 0:
            return
        folding = self.window[:count]
        faults.pause("fold")
        self.state.summary = self._fold_into_summary(self.state.summary, folding)
        self.state.window_start += count
        self.state.folds += 1
        self.session.save_state(self.state)

    def forget(self) -> int:
        """Fold the whole window now; returns how many exchanges were folded."""
        count = len(self.window)
        self.fold(count)
        return count

    # -- recall -------------------------------------------------------------------------

    def _recall_index(self) -> tuple[list[str], BM25]:
        """The index over document passages and folded exchanges, extended as turns fold."""
        if self._index is None or self._index[0] != self._passages_version:
            labelled = [f"{p.label()} {p.text}" for p in self.passages]
            self._index = (self._passages_version, labelled, BM25(labelled), 0)
        key, labelled, index, folded = self._index
        for e in self.exchanges[folded : self.state.window_start]:
            labelled.append(f"[turn {e.n + 1}] {e.as_text()}")
            index.add(labelled[-1])
        self._index = (key, labelled, index, max(folded, self.state.window_start))
        return labelled, index

    def recall_candidates(self, query: str, limit_tokens: int | None = None) -> list[str]:
        """Folded exchanges and document passages relevant to `query`, best first, each
        cut (from its end) to at most `limit_tokens`."""
        labelled, index = self._recall_index()
        if not labelled:
            return []
        ranked = index.top(query, RECALL_CANDIDATES)
        limit = self.budget.recall_tokens if limit_tokens is None else limit_tokens
        return [truncate_to_tokens(self.backend, labelled[i], limit) for i, _ in ranked]

    # -- a turn -------------------------------------------------------------------------

    def _prepare(self, user: str) -> tuple[list[Message], int, int, list[str]]:
        incoming = self._delta_tokens([Message("user", user)])
        if incoming > self.budget.window_tokens:
            raise UsageError(
                f"the message is {incoming} tokens; this chat's context leaves room for "
                f"{self.budget.window_tokens}",
                hint="use --file to talk about a long document, or a larger --ctx",
            )
        folded = fold_count(self.window, incoming, self.budget)
        self.fold(folded)
        ceiling = self.backend.n_ctx - self.budget.reply_tokens
        while True:

            def build(recalled: list[str]) -> list[Message]:
                return build_messages(self.system, self.state.summary, recalled, self.window, user)

            # Recall gets its own share of the budget, no more: a bigger prompt costs time.
            # Its headings take part of that share, so passages are cut to what is left.
            bare = self.backend.prompt_tokens(build([]))
            limit = min(ceiling, bare + self.budget.recall_tokens)
            headings = self.backend.prompt_tokens(build([""])) - bare + RECALL_SEPARATOR_TOKENS
            candidates = self.recall_candidates(user, max(0, limit - bare - headings))
            plan = fit_recall(self.backend.prompt_tokens, build, candidates, limit)
            if plan.prompt_tokens <= ceiling:
                break
            if not self.window:  # cannot happen within the budget; refuse rather than overflow
                raise UsageError("the message does not fit in this chat's context")
            self.fold(1)
            folded += 1
        assert plan.prompt_tokens + self.budget.reply_tokens <= self.backend.n_ctx
        return plan.messages, plan.prompt_tokens, folded, plan.recalled

    def ask(self, user: str, on_text: Callable[[str], None] | None = None) -> Reply:
        """Answer `user`, streaming pieces to `on_text`; store the exchange once complete."""
        user = user.strip()
        if not user:
            raise UsageError("the message is empty")
        messages, prompt_tokens, folded, recalled = self._prepare(user)
        sampling = for_attempt(self.options.sampling, self.budget.reply_tokens, 0)
        pieces: list[str] = []
        for piece in self.backend.stream(messages, sampling):
            pieces.append(piece)
            if on_text is not None:
                on_text(piece)
        text = strip_artifacts("".join(pieces)) or "(no answer)"
        exchange = Exchange(len(self.exchanges), user, text, 0)
        exchange = Exchange(exchange.n, user, text, self._exchange_tokens(exchange))
        self.session.append_exchange(exchange)
        self.exchanges.append(exchange)
        self.state.turns = len(self.exchanges)
        self.session.save_state(self.state)
        return Reply(text, prompt_tokens, folded, recalled)

    def settle(self) -> None:
        """After a reply has been shown: get the model ready for the next turn.

        Prefills the conversation as the next prompt will start (so the next turn, in this
        process or, through the kept state, the next one, reads only the new message),
        then runs `after_turn`. Costs what the next turn saves; the user is reading.
        """
        if self.backend.capabilities.prefill:
            stateful = cast(Stateful, self.backend)
            stateful.prefill(context_messages(self.system, self.state.summary, self.window))
        if self.after_turn is not None:
            self.after_turn()

    # -- documents ----------------------------------------------------------------------

    def add_document(
        self,
        name: str,
        text: str,
        summarize: Callable[[str, int], str],
        where: Callable[[int, int], str] | None = None,
    ) -> bool:
        """Index a document's passages for recall and seed the summary with its gist.

        `where` names the places (pages, chapters) a span of the text covers. Returns
        False when this exact document was added before.
        """
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if self.session.meta.files.get(name) == digest:
            return False
        passages = [
            Passage(name, c.start, c.end, c.text, where(c.start, c.end) if where else "")
            for c in chunk_stream([text], PASSAGE_TOKENS, self.backend.count_tokens)
            if c.text.strip()
        ]
        if not passages:
            raise UsageError(f"{name} is empty")
        self.passages = [p for p in self.passages if p.source != name] + passages
        self._passages_version += 1
        self.session.save_passages(self.passages)
        cap = self.budget.summary_cap
        gist = summarize(text, max(20, int(cap / 2 / 1.4 * 0.75)))
        seeded = (
            self.state.summary + "\n\n" if self.state.summary else ""
        ) + f"Document {name}: {gist}"
        self.state.summary = truncate_to_tokens(self.backend, seeded, cap)
        self.session.save_state(self.state)
        meta = self.session.meta
        meta.files[name] = digest
        self.session.save_meta(meta)
        return True

    # -- views --------------------------------------------------------------------------

    def view(self) -> dict[str, Any]:
        return memory_view(self.session, self.state, self.exchanges, self.budget, self.system)

    def reset(self) -> None:
        self._index = None
        self._passages_version += 1
        self.session.reset()
        self.state = MemoryState()
        self.exchanges = []
        self.passages = []


def extractive_fold(summary: str, turns: str, cap_tokens: int) -> str:
    """A model-free fold: the key sentences of the old summary and the folded turns."""
    pool = [s.text for s in split_sentences(summary)]
    pool += [s.text for s in split_sentences(turns, lowercase_starts=True)]

    def cost(sentence: str) -> int:
        return int(word_count(sentence) * TOKENS_PER_WORD) + 1

    return " ".join(pool[i] for i in select(pool, cap_tokens, cost))


def memory_view(
    session: Session,
    state: MemoryState,
    exchanges: list[Exchange],
    budget: ChatBudget | None,
    system: str | None,
) -> dict[str, Any]:
    """What the model currently sees and how the budget is used, as plain data."""
    window = exchanges[state.window_start :]
    data: dict[str, Any] = {
        "session": str(session.path),
        "created": session.meta.created,
        "model": session.meta.model,
        "system": system,
        "turns": len(exchanges),
        "folded_turns": state.window_start,
        "window_turns": len(window),
        "folds": state.folds,
        "summary": state.summary,
        "documents": sorted(session.meta.files),
        "window_tokens": sum(e.tokens for e in window),
    }
    if budget is not None:
        data["budget"] = {
            "n_ctx": budget.n_ctx,
            "reply": budget.reply_tokens,
            "summary_cap": budget.summary_cap,
            "recall": budget.recall_tokens,
            "fixed": budget.fixed_tokens,
            "window": budget.window_tokens,
        }
    return data
