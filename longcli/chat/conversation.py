"""A conversation with bounded memory: the core of `longcli chat`, free of any UI.

Each turn: fold the oldest exchanges into the running summary if the window is full,
recall relevant folded exchanges and document passages, check the prompt fits the
context, stream the reply, then append the exchange to the journal and save the state.
A reply that is interrupted is never stored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from longcli import faults
from longcli.backends.base import SLACK_TOKENS, Backend, Message, Sampling, Stateful
from longcli.chat.facts import (
    Fact,
    Ledger,
    asks_a_number,
    asks_about,
    calls_theirs,
    covers,
    is_lookup,
    is_question,
    looked_up,
    shares_a_name,
)
from longcli.chat.guard import Checks, Earlier, Gate
from longcli.chat.labels import label, split_labels
from longcli.chat.memory import (
    LONGCLI,
    MODEL,
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
from longcli.config import Fold, Settings
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
from longcli.prompts.templates import AUTO, Templates
from longcli.text import language as languages
from longcli.text.chunks import chunk_stream
from longcli.text.keysentences import Scored, score_sentences, select, word_count
from longcli.text.names import mentions as names_and_numbers
from longcli.text.sentences import split_sentences
from longcli.text.terms import STOPWORDS, recall_terms, stem, terms

DEFAULT_SYSTEM = (
    "You are a helpful assistant. When the conversation summary or the recalled passages "
    "hold the answer, use them."
)
RECALL_CANDIDATES = 6
RECALL_SEPARATOR_TOKENS = 4  # the blank line between two recalled passages, and slack
PASSAGE_TOKENS = 200  # size of a document passage kept for recall
FACT_RELATIVE_SCORE = 0.6  # facts shown: those scoring at least this share of the best
MAX_FACTS_SHOWN = 3
KEPT_FACTS_SHARE = 0.35  # of the summary cap, at most this goes to facts a fold must keep
SUBJECTS_SHARE = 0.4  # of the summary cap, at most this names the facts it cannot quote
QUOTE_LEAD = "The user said: "  # a fact a fold kept in the user's words
SUBJECTS_LEAD = "The user also told me about:"  # the facts a fold could only name
ALIKE = 0.6  # word overlap (Jaccard) from which two sentences count as saying the same
ANSWER_SHARE = 0.5  # a passage's sentence quoted as the answer holds this share of the question
NOT_TOLD = "You haven't told me that."  # longcli's answer when nothing said bears on it
NO_NEW_ANSWER = "(no new answer: the model only repeated what it said before)"
NO_GROUNDED_ANSWER = "(no answer: what the model wrote was not in what it was given)"
NO_ANSWER = "(no answer from the model)"


def _no_answer(reasons: list[str]) -> str:
    """longcli's words for a reply left empty, by why its sentences were left out."""
    if reasons and all(r.startswith("repeats") for r in reasons):
        return NO_NEW_ANSWER
    if any(r.startswith("names ") for r in reasons):
        return NO_GROUNDED_ANSWER
    return NO_ANSWER


UPDATED = "(since updated)"  # what the model is shown in place of a replaced statement


@dataclass(frozen=True)
class ChatOptions:
    """How to chat; the defaults are the settings' (chat.run builds these from `Settings`)."""

    reply_tokens: int = Settings.reply_tokens
    summary_share: float = Settings.summary_share
    recall_tokens: int = Settings.recall_tokens
    facts_tokens: int = Settings.facts_tokens
    quote_facts: bool = Settings.quote_facts
    fold: Fold = Fold.model  # model or extractive; "auto" is resolved before
    sampling: Sampling = Sampling()


@dataclass
class Reply:
    text: str  # as shown and stored: the answer, then longcli's note
    prompt_tokens: int
    folded: int  # exchanges folded into the summary before this reply
    recalled: list[str]
    facts: list[Fact]  # the stated facts shown to the model with the message
    quoted: str = ""  # the user's own words added after a reply that missed them
    answer: str = ""  # the answer alone: the model's words, or longcli's (`by`)
    note: str = ""  # what longcli added: quote labels, never shown to the model
    by: str = MODEL
    dropped: list[str] = field(default_factory=list)  # sentences the checks left out


_ENGLISH = (languages.ENGLISH, languages.UNKNOWN)


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
                options.facts_tokens,
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
            self.exchanges[i] = dataclasses.replace(e, tokens=self._exchange_tokens(e))
        self.ledger, behind = session.caught_up_ledger(self.exchanges)
        if behind:
            session.save_ledger(self.ledger)
        self.earlier = Earlier()  # the model's replies so far, to catch one it repeats
        for e in self.exchanges:
            if e.by == MODEL:
                self.earlier.add(e.assistant, e.user)
        self.passages: list[Passage] = session.load_passages()
        self._passages_version = 0  # bumped whenever self.passages changes
        # (passages version, labelled passages, their index, exchanges indexed so far)
        self._index: tuple[int, list[str], BM25, int] | None = None
        self._index_turns: list[int | None] = []  # the turn of each indexed entry, if any
        # Run by settle(), e.g. to keep the model's KV cache for the next process.
        self.after_turn: Callable[[], None] | None = None
        self.model: ModelInfo | None = None  # the model file, when there is one
        self._advised = False  # the multilingual model suggested once per run

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
        """The summary updated with `exchanges`, and the facts stated in them kept."""
        cap = self.budget.summary_cap
        if self.options.fold == Fold.extractive:
            dropped = self._dropped()
            folded = extractive_fold(summary, exchanges, cap, self._sentence_tokens, dropped)
        else:
            folded = self._model_fold(summary, exchanges)
        if self.budget.facts_tokens <= 0:  # the ledger is off
            return folded
        for fact in self.ledger.facts:
            if not fact.active:  # replaced or forgotten: an earlier fold's quote goes
                folded = unquote(folded, fact)
        facts = self._stated_before(exchanges[-1].n + 1)
        return keep_facts(folded, facts, cap, self._sentence_tokens)

    def _dropped(self) -> frozenset[str]:
        """Sentences a fold must not keep: facts since replaced, or forgotten."""
        return frozenset(_comparable(f.text) for f in self.ledger.facts if not f.active)

    def _sentence_tokens(self, sentence: str) -> int:
        return self.backend.count_tokens(sentence) + 1  # and the space that joins it

    def _stated_before(self, turn: int) -> list[Fact]:
        """The active facts with a name or number (what a fold is likeliest to get wrong)
        stated before `turn`, oldest first. The rest are found in the ledger by recall."""
        return [f for f in self.ledger.active() if f.turn < turn and names_and_numbers(f.text)]

    def _model_fold(self, summary: str, exchanges: list[Exchange]) -> str:
        """The model's update of the summary, in as many calls as the context needs."""
        cap = self.budget.summary_cap
        words = max(20, int(cap / 1.4 * 0.75))
        overhead = self.backend.prompt_tokens(self._fold_messages("", "", words))
        batch_budget = self.backend.n_ctx - overhead - 2 * cap - SLACK_TOKENS
        batch: list[Exchange] = []
        texts: list[str] = []
        used = 0
        for exchange in exchanges:
            text = truncate_to_tokens(self.backend, exchange.as_text(), batch_budget)
            tokens = self.backend.count_tokens(text) + 2
            if batch and used + tokens > batch_budget:
                summary = self._fold_batch(summary, batch, texts, words, cap)
                batch, texts, used = [], [], 0
            batch.append(exchange)
            texts.append(text)
            used += tokens
        if batch:
            summary = self._fold_batch(summary, batch, texts, words, cap)
        return summary

    def _fold_batch(
        self, summary: str, batch: list[Exchange], texts: list[str], words: int, cap: int
    ) -> str:
        """One fold call on turns that fit the context, checked like every summary; the
        extractive fold stands in for an answer that fails the check twice."""
        joined = "\n\n".join(texts)
        request = SummaryRequest(
            build=lambda w, stricter: self._fold_messages(summary, joined, w, stricter),
            words=words,
            max_tokens=cap,
            grounds=Grounds([summary, joined]),
            fallback=lambda: extractive_fold(
                summary, batch, cap, self._sentence_tokens, self._dropped()
            ),
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
            self._index_turns = [None] * len(labelled)
        key, labelled, index, folded = self._index
        for e in self.exchanges[folded : self.state.window_start]:
            labelled.append(f"[turn {e.n + 1}] {e.as_text()}")
            index.add(labelled[-1])
            self._index_turns.append(e.n)
        self._index = (key, labelled, index, max(folded, self.state.window_start))
        return labelled, index

    def recall_candidates(
        self, query: str, limit_tokens: int | None = None, skip_turns: frozenset[int] = frozenset()
    ) -> list[str]:
        """Folded exchanges and document passages relevant to `query`, best first, each
        cut to at most `limit_tokens` around its sentences that match the query best. A
        turn whose facts were all replaced later ranks lower; turns in `skip_turns` (their
        facts are shown already) are left out.
        """
        labelled, index = self._recall_index()
        if not labelled:
            return []
        skip_turns = skip_turns | self.ledger.forgotten_turns()
        if self.budget.facts_tokens > 0:  # with the ledger on, what was replaced is gone
            skip_turns = skip_turns | self.ledger.superseded_turns()
        scores = index.scores(query, fuzzy=True)
        best = sorted(
            (i for i in scores if self._index_turns[i] not in skip_turns),
            key=lambda i: (-scores[i], i),
        )[:RECALL_CANDIDATES]
        limit = self.budget.recall_tokens if limit_tokens is None else limit_tokens
        return [focus(self.backend, self._current(labelled[i], i), query, limit) for i in best]

    def _current(self, text: str, i: int) -> str:
        """`text` of the indexed entry `i` with the statements since replaced taken out."""
        turn = self._index_turns[i]
        return text if turn is None else self._unsay(text, turn)

    def _unsay(self, text: str, turn: int) -> str:
        if self.budget.facts_tokens <= 0:  # the ledger is off: only forgetting counts
            return text
        for fact in self.ledger.unsaid(turn):
            text = text.replace(fact.text, UPDATED)
        return text

    def shown_window(self) -> list[Exchange]:
        """The window as the model is shown it: statements since replaced or forgotten are
        taken out of the user's messages (the journal keeps them)."""
        return [dataclasses.replace(e, user=self._unsay(e.user, e.n)) for e in self.window]

    def _said_by(self, facts: list[Fact]) -> frozenset[int]:
        """Turns whose user message is (nearly) all in `facts`: recalling them again would
        only repeat what the facts show."""
        said: dict[int, int] = {}
        for fact in facts:
            said[fact.turn] = said.get(fact.turn, 0) + len(fact.text)
        return frozenset(
            turn
            for turn, length in said.items()
            if turn < len(self.exchanges) and length >= 0.8 * len(self.exchanges[turn].user)
        )

    def relevant_facts(self, query: str) -> list[Fact]:
        """The active facts that bear on `query`, best first, as many as their share of the
        budget holds (at most MAX_FACTS_SHOWN, each scoring near the best)."""
        if self.budget.facts_tokens <= 0:
            return []
        scored = self.ledger.ranked(query)
        if not scored:
            return []
        floor = scored[0][1] * FACT_RELATIVE_SCORE
        chosen: list[Fact] = []
        used = 0
        for fact, score in scored[:MAX_FACTS_SHOWN]:
            cost = self.backend.count_tokens(f"- {fact.text}\n")
            if score < floor or used + cost > self.budget.facts_tokens:
                break
            chosen.append(fact)
            used += cost
        return chosen

    # -- a turn -------------------------------------------------------------------------

    def _prepare(self, user: str) -> tuple[list[Message], int, int, list[str], list[Fact]]:
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
        facts = self.relevant_facts(user)
        shown = [f.text for f in facts]
        shown_turns = self._said_by(facts)
        answer_in = self.answer_language(user)
        while True:

            def build(recalled: list[str]) -> list[Message]:
                return build_messages(
                    self.system,
                    self.state.summary,
                    recalled,
                    self.shown_window(),
                    user,
                    shown,
                    answer_in,
                )

            # Recall gets its own share of the budget, no more: a bigger prompt costs time.
            # Its headings take part of that share, so passages are cut to what is left.
            bare = self.backend.prompt_tokens(build([]))
            limit = min(ceiling, bare + self.budget.recall_tokens)
            headings = self.backend.prompt_tokens(build([""])) - bare + RECALL_SEPARATOR_TOKENS
            room = max(0, limit - bare - headings)
            candidates = self.recall_candidates(user, room, shown_turns)
            plan = fit_recall(self.backend.prompt_tokens, build, candidates, limit)
            if plan.prompt_tokens <= ceiling:
                break
            if not self.window:  # cannot happen within the budget; refuse rather than overflow
                raise UsageError("the message does not fit in this chat's context")
            self.fold(1)
            folded += 1
        assert plan.prompt_tokens + self.budget.reply_tokens <= self.backend.n_ctx
        return plan.messages, plan.prompt_tokens, folded, plan.recalled, facts

    def answer_language(self, user: str) -> str:
        """The sentence telling the model which language to answer in: --language's, else
        the message's; "" for English (the prompts are English), or when unsure."""
        asked = self.templates.language not in ("", AUTO)
        said = languages.detect(user)
        target = self.templates.language if asked else said
        if target == languages.UNKNOWN or (target == languages.ENGLISH and said in _ENGLISH):
            return ""  # the prompts are English: nothing to say
        return f"Answer in {languages.name(target)}."

    def language_advice(self, user: str) -> str | None:
        """Once a run: a line suggesting a model that writes the message's language, when
        the message is not English and the English-only bundled model answers."""
        from longcli.models.catalog import suggest_for_language
        from longcli.models.locate import bundled_model_path

        if self._advised or self.model is None:
            return None
        bundled = bundled_model_path()
        if bundled is None or self.model.path.resolve() != bundled.resolve():
            return None
        said = languages.detect(user)
        if said in _ENGLISH:
            return None
        self._advised = True
        return suggest_for_language(said)

    def ask(self, user: str, on_text: Callable[[str], None] | None = None) -> Reply:
        """Answer `user`, streaming pieces to `on_text`; store the exchange once complete.

        longcli answers itself, without the model, that it was not told when the user asks
        about something of theirs that nothing they said mentions. The model's reply is
        shown sentence by sentence as each passes the checks of chat/guard.py; a reply that
        passes none is asked for again once.
        """
        user = user.strip()
        if not user:
            raise UsageError("the message is empty")
        messages, prompt_tokens, folded, recalled, facts = self._prepare(user)
        if self._not_told(user, recalled):
            if on_text is not None:
                on_text(NOT_TOLD)
            self._store(user, NOT_TOLD, "", LONGCLI)
            return Reply(NOT_TOLD, prompt_tokens, folded, recalled, facts, "", NOT_TOLD, by=LONGCLI)
        checks = Checks(
            said=[e.user for e in self.exchanges] + [user],
            earlier=self.earlier,
            question=user,
            grounds=self._grounds(user, messages, recalled, facts),
            facts=facts,
        )
        answer, by = "", MODEL
        reasons: list[str] = []
        for attempt in range(2):
            dropped_before = len(checks.dropped)
            checks.new_attempt()
            sampling = for_attempt(self.options.sampling, self.budget.reply_tokens, attempt)
            gate = Gate(checks.keep, on_text)
            gate.feed(self.backend.stream(messages, sampling))
            answer = strip_artifacts(gate.close())
            reasons = checks.dropped[dropped_before:]
            if answer:
                break
        if not answer:  # say why, from the last attempt: it repeated, or it made things up
            answer, by = _no_answer(reasons), LONGCLI
            if on_text is not None:
                on_text(answer)
        quoted = self._quote(user, answer, facts) if self.options.quote_facts else ""
        if not quoted and self.options.quote_facts:
            quoted = passage_quote(user, answer, recalled)
        notes = [*checks.labels, quoted] if quoted not in checks.labels else checks.labels
        note = "\n\n".join(n for n in notes if n)
        if note and on_text is not None:
            on_text("\n\n" + note)
        self._store(user, answer, note, by)
        text = "\n\n".join(part for part in (answer, note) if part)
        return Reply(
            text, prompt_tokens, folded, recalled, facts, quoted, answer, note, by, checks.dropped
        )

    def _not_told(self, user: str, recalled: list[str]) -> bool:
        """Whether `user` looks up something of the user's that no statement they made
        (current or since replaced) holds ("my brother's name" when only his job was said),
        and no document passage was recalled."""
        wanted = looked_up(user)
        if not wanted or any(not r.startswith("[turn ") for r in recalled):
            return False
        return not self.ledger.answering(wanted)

    def _grounds(
        self, user: str, messages: list[Message], recalled: list[str], facts: list[Fact]
    ) -> list[str] | None:
        """What the reply's names and numbers must come from: the whole prompt, when it
        answers from a document or from what the user said; None (anything goes) else."""
        from_document = any(not r.startswith("[turn ") for r in recalled)
        if not from_document and not (facts and is_lookup(user)):
            return None
        return [m.content for m in messages]

    def record(self, user: str, reply: str) -> None:
        """Store an exchange that happened elsewhere (an import, a benchmark's script), with
        the folding, ledger and persistence of a real turn, but no model call for it."""
        user = user.strip()
        if not user:
            raise UsageError("the message is empty")
        self._prepare(user)
        said = [e.user for e in self.exchanges] + [user]
        answer, labels = split_labels(reply.strip(), said)
        self._store(user, answer or "(no answer)", "\n\n".join(labels), MODEL)

    def _store(self, user: str, answer: str, note: str, by: str) -> None:
        """Append the exchange to the journal, then update the state and the ledger."""
        exchange = Exchange(len(self.exchanges), user, answer, 0, note, by)
        exchange = dataclasses.replace(exchange, tokens=self._exchange_tokens(exchange))
        self.session.append_exchange(exchange)
        self.exchanges.append(exchange)
        if by == MODEL:
            self.earlier.add(answer, user)
        self.state.turns = len(self.exchanges)
        self.session.save_state(self.state)
        if self.ledger.add_message(user, exchange.n):
            self.session.save_ledger(self.ledger)

    def _quote(self, user: str, reply: str, facts: list[Fact]) -> str:
        """The user's own words, when they asked about what they told, the best fact shown
        that holds what the question asks (about themselves: all of it; about someone
        else: the same matter or name) and the reply does not give its value."""
        if not facts or not is_question(user):
            return ""
        wanted = looked_up(user)
        if wanted:  # about the user: the best fact that holds all the question asks,
            # one that calls the thing theirs first
            holding = [f for f in facts if covers(f.text, wanted)]
            best = next((f for f in holding if calls_theirs(f.text, wanted)), None)
            best = best or (holding[0] if holding else None)
        else:  # about someone or something else: the best on the same matter or name
            best = next(
                (f for f in facts if asks_about(user, f) or shares_a_name(user, f.text)), None
            )
        if best is None or answer_states(reply, best, user):
            return ""
        return label(best.turn, best.text)

    def forget_fact(self, fact_id: int) -> Fact | None:
        """Mark a fact forgotten: never shown or kept in a fold again. The journal keeps
        the turn it came from."""
        fact = self.ledger.forget(fact_id)
        if fact is not None:
            self.session.save_ledger(self.ledger)
            unsaid = unquote(self.state.summary, fact)
            if unsaid != self.state.summary:
                self.state.summary = unsaid
                self.session.save_state(self.state)
        return fact

    def settle(self) -> None:
        """After a reply has been shown: get the model ready for the next turn.

        Prefills the conversation as the next prompt will start (so the next turn, in this
        process or, through the kept state, the next one, reads only the new message),
        then runs `after_turn`. Costs what the next turn saves; the user is reading.
        """
        if self.backend.capabilities.prefill:
            stateful = cast(Stateful, self.backend)
            window = self.shown_window()
            stateful.prefill(context_messages(self.system, self.state.summary, window))
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

    def view(self) -> MemoryView:
        return memory_view(
            self.session, self.state, self.exchanges, self.budget, self.system, self.ledger
        )

    def reset(self) -> None:
        self._index = None
        self._passages_version += 1
        self.session.reset()
        self.state = MemoryState()
        self.ledger = Ledger()
        self.exchanges = []
        self.passages = []


def _cost(sentence: str) -> int:
    return int(word_count(sentence) * TOKENS_PER_WORD) + 1


def extractive_fold(
    summary: str,
    exchanges: list[Exchange],
    cap_tokens: int,
    cost: Callable[[str], int] = _cost,
    dropped: frozenset[str] = frozenset(),
) -> str:
    """A model-free fold: the key sentences of the old summary and the folded turns, each
    marked with who said it; the assistant's count for less than the user's. Of sentences
    that say nearly the same, only the newest is a candidate, and sentences in `dropped`
    (facts the user corrected or asked to forget) are not."""
    pool = [(s.text, 1.0) for s in split_sentences(summary) if _bare(s.text) not in dropped]
    for e in exchanges:
        for speaker, text, weight in (("User", e.user, 1.0), ("Assistant", e.assistant, 0.5)):
            for sentence in split_sentences(text, lowercase_starts=True):
                if _comparable(sentence.text) not in dropped:
                    pool.append((f"{speaker}: {sentence.text}", weight))
    pool = _newest_of_alike(pool)
    if not pool:
        return ""
    texts = [text for text, _ in pool]
    plain = [_SPEAKER.sub("", text) for text in texts]
    scored = [Scored(s.index, s.score * pool[s.index][1], s.vector) for s in score_sentences(plain)]
    return " ".join(texts[i] for i in select(texts, cap_tokens, cost, scored))


def _newest_of_alike(pool: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """`pool` without sentences that a later one repeats nearly word for word."""
    bags = [set(terms(_SPEAKER.sub("", text))) for text, _ in pool]
    kept: list[int] = []
    for i in range(len(pool) - 1, -1, -1):
        if not bags[i]:
            continue
        if all(len(bags[i] & bags[j]) < ALIKE * len(bags[i] | bags[j]) for j in kept):
            kept.append(i)
    return [pool[i] for i in sorted(kept)]


_SPEAKER = re.compile(r"^(?:User|Assistant|The user said):\s*")


def _comparable(text: str) -> str:
    return " ".join(text.lower().split())


def _bare(sentence: str) -> str:
    """A summary sentence without who said it and its quotes, normalised."""
    return _comparable(_SPEAKER.sub("", sentence).strip('"'))


def fact_sentence(fact: Fact) -> str:
    """A fact as the summary keeps it: the user's words, marked as theirs."""
    return f'{QUOTE_LEAD}"{fact.text}"'


def focus(backend: Backend, passage: str, query: str, limit: int) -> str:
    """`passage` ("[label] text") within `limit` tokens: whole if it fits, else its label
    and the run of sentences around the one sharing most terms with `query`, marked cut
    with "…" where text was left out. (A prefix would lose a fact said late in a long
    passage.)"""
    if backend.count_tokens(passage) <= limit:
        return passage
    label, sep, body = passage.partition("] ")
    if not sep:
        label, body = "", passage
    head = f"{label}{sep}"
    spans = split_sentences(body)
    sentences = [s.text for s in spans]
    if len(sentences) < 2:
        return truncate_to_tokens(backend, passage, limit)
    wanted = _answer_terms(query)
    bags = [wanted & _answer_terms(s) for s in sentences]
    weight = rarity(bags)
    overlap = [sum(weight[t] for t in bag) for bag in bags]
    lo = hi = overlap.index(max(overlap))

    def shown(first: int, last: int) -> str:
        before = "… " if first > 0 else ""
        after = " …" if last < len(sentences) - 1 else ""
        # the text as it stands, line breaks kept: a heading stays apart from its paragraph
        return head + before + body[spans[first].start : spans[last].end] + after

    grew = True
    while grew:  # add the next sentence, then the one before, while they fit
        grew = False
        if hi + 1 < len(sentences) and backend.count_tokens(shown(lo, hi + 1)) <= limit:
            hi, grew = hi + 1, True
        if lo > 0 and backend.count_tokens(shown(lo - 1, hi)) <= limit:
            lo, grew = lo - 1, True
    text = shown(lo, hi)
    return text if backend.count_tokens(text) <= limit else truncate_to_tokens(backend, text, limit)


def passage_quote(question: str, reply: str, recalled: list[str]) -> str:
    """The document's own words, when `question` asks something a recalled document
    passage answers and `reply` does not give it: its sentence that shares the most (and
    rarest) words with the question, quoted with its place."""
    if not is_question(question):
        return ""
    best = best_sentence([r for r in recalled if not r.startswith("[turn ")], question)
    if best is None:
        return ""
    place, sentence = best
    if answer_states(reply, Fact(0, 0, "", sentence, "statement"), question):
        return ""
    return f'(From {place}: "{sentence}")'


def best_sentence(passages: list[str], question: str) -> tuple[str, str] | None:
    """(place, sentence) of the passages' sentence that best answers `question`: the most
    question words, weighted by rarity (see `rarity`); on a tie, one with a name or
    number."""
    wanted = {t for t in _answer_terms(question) if not t.startswith("my:")}
    found: list[tuple[str, str, set[str]]] = []
    for passage in passages:
        label, sep, body = passage.partition("] ")
        place = label.lstrip("[") if sep else ""
        for s in split_sentences(body.replace("…", " ")):
            found.append((place, s.text, _answer_terms(s.text) & wanted))
    if not found or not wanted:
        return None
    weight = rarity([f[2] for f in found])

    def score(item: tuple[str, str, set[str]]) -> tuple[float, bool]:
        return sum(weight[t] for t in item[2]), bool(names_and_numbers(item[1]))

    at = max(range(len(found)), key=lambda i: score(found[i]))
    place, sentence, shared = found[at]
    if not shared or score((place, sentence, shared))[0] < ANSWER_SHARE * sum(weight.values()):
        return None  # it holds too little of what the question asks
    if at + 1 < len(found) and found[at + 1][0] == place:
        # the next sentence holds the rest of the question, a word as rare as those found
        # ("... club Trampa collected signatures." "Its chair, Elin Sjöberg, ..."): with it
        rest = found[at + 1][2] - shared
        typical = sum(weight[t] for t in shared) / len(shared)
        if rest and max(weight[t] for t in rest) >= 0.99 * typical:  # (float sums)
            sentence = f"{sentence} {found[at + 1][1]}"
    return place, sentence


# Words that stop lists drop but a question about a document turns on ("who voted
# *against*", "where is the builder *from*"): matched as they are. English hints.
_RELATIONS = frozenset("against before after between under above below without from".split())


def _answer_terms(text: str) -> set[str]:
    """The recall terms of `text`, plus the relation words it holds (see _RELATIONS)."""
    words = set(re.findall(r"[^\W\d_]+", text.lower()))
    return set(recall_terms(text)) | (words & _RELATIONS)


def rarity(bags: list[set[str]]) -> dict[str, float]:
    """A weight per term by how few of `bags` hold it: the squared inverse document
    frequency, so that the question's rarest word ("cost") outweighs two common ones
    ("bike lanes", in every sentence of an article on bike lanes)."""
    count: dict[str, int] = {}
    for bag in bags:
        for term in bag:
            count[term] = count.get(term, 0) + 1
    return {t: math.log(1 + len(bags) / n) ** 2 for t, n in count.items()}


def unquote(summary: str, fact: Fact) -> str:
    """`summary` without the sentence a fold kept `fact` in."""
    return " ".join(summary.replace(fact_sentence(fact), " ").split())


def keep_facts(
    summary: str, facts: list[Fact], cap_tokens: int, cost: Callable[[str], int] = _cost
) -> str:
    """`summary`, made to keep every one of `facts` (oldest first) it neither states nor
    names.

    The newest missing facts are added in the user's words, within KEPT_FACTS_SHARE of the
    cap (less what earlier folds quoted already); the rest are named by their subject on
    one line ("The user also told me about: cat, birthplace."), rebuilt at every fold,
    newest first within SUBJECTS_SHARE. The summary's own sentences give way, by the
    key-sentence ranking, to make room. Every fact stays in the ledger regardless.
    """
    sentences = [s.text for s in split_sentences(summary)]
    pool = [s for s in sentences if not s.startswith(SUBJECTS_LEAD)]
    quoted_before = sum(cost(s) for s in pool if s.startswith(QUOTE_LEAD))
    room = int(cap_tokens * KEPT_FACTS_SHARE) - quoted_before
    forced: set[int] = set()  # facts the body stated until trimming it dropped them
    result = summary
    for _ in range(3):
        body_text = " ".join(pool)
        missing = [
            f
            for f in facts
            if f.id in forced or (not holds(body_text, f) and not names(body_text, f))
        ]
        if not missing and len(pool) == len(sentences):
            return summary
        quoted: list[Fact] = []
        used = 0
        for fact in reversed(missing):
            used += cost(fact_sentence(fact))
            if used > room:
                break
            quoted.insert(0, fact)
        kept = [fact_sentence(f) for f in quoted]
        subjects: list[str] = []
        for fact in reversed(missing[: len(missing) - len(quoted)]):
            phrase = subject_phrase(fact)
            if phrase in subjects:
                continue
            if cost(_subjects_line([phrase, *subjects])) > int(cap_tokens * SUBJECTS_SHARE):
                break
            subjects.insert(0, phrase)
        if subjects:
            kept.append(_subjects_line(subjects))
        left = cap_tokens - sum(map(cost, kept))
        fits = sum(map(cost, pool)) <= left
        body = pool if fits else [pool[i] for i in select(pool, left, cost)]
        result = " ".join([*body, *kept])
        lost = [
            f for f in facts if f not in missing and not holds(result, f) and not names(result, f)
        ]
        if not lost:
            break
        forced.update(f.id for f in lost)
    return result


def _subjects_line(subjects: list[str]) -> str:
    return f"{SUBJECTS_LEAD} {', '.join(subjects)}."


def subject_phrase(fact: Fact) -> str:
    """A fact's subject as words: "likes: green tea" -> "likes green tea"."""
    return " ".join(fact.subject.replace(":", " ").split())


def names(summary: str, fact: Fact) -> bool:
    """Whether `summary` names the subject of `fact` (every word of it)."""
    said = set(terms(summary))
    return all(t in said for t in terms(subject_phrase(fact)))


def _fact_words(fact: Fact) -> tuple[list[str], list[str]]:
    """(numbers and names, other content words) of a fact. Pieces of contractions and
    possessives ("m" of "I'm", "s" of "dog's") are not words."""
    tokens = re.findall(r"[^\W_]+", fact.text)
    words = [
        (i, w)
        for i, w in enumerate(tokens)
        if w[0].isdigit() or (len(w) > 2 and w.lower() not in STOPWORDS)
    ]
    specific = [w for i, w in words if w[0].isdigit() or (w[0].isupper() and i > 0)]
    return specific, [w for _, w in words if w not in specific]


def _stems(text: str) -> set[str]:
    return {stem(w) for w in re.findall(r"[^\W_]+", text.lower())}


# A reply that says the answer is not there (an English hint: the bundled model's words).
_DENIES = re.compile(
    r"\b(?:not (?:mentioned|stated|given|specified|say|said)|no (?:information|mention)|"
    r"(?:does|did)n['’]t (?:say|mention|state)|unknown|not sure)\b",
    re.IGNORECASE,
)


def answer_states(reply: str, fact: Fact, question: str) -> bool:
    """Whether `reply` gives what `fact` says that `question` does not already: half of its
    numbers and names at least when it has any the question lacks, else one of its other
    content words the question lacks; never when it says the answer is not there."""
    asked = set(recall_terms(question))
    specific, other = _fact_words(fact)
    new = [w for w in specific if stem(w.lower()) not in asked]
    said = _stems(reply)
    if _DENIES.search(reply):  # "The builder from Norrbygg is not mentioned": no answer
        return False
    numbers = [w for w in specific if w[0].isdigit() and w.lower() not in asked]
    if numbers and asks_a_number(question):  # "how many hours?": the number is the answer,
        # half of its pieces at least ("0612 448 901" is not given by "0612")
        return 2 * sum(n in said for n in set(numbers)) >= len(set(numbers))
    if new:  # half of them at least ("At the Corner Cafe." for "meet at the Corner Cafe on
        # Thursday"), so that one name the question points at is not taken for the answer
        return 2 * sum(stem(w.lower()) in said for w in set(new)) >= len(set(new))
    wanted = [w for w in other if stem(w.lower()) not in asked]
    return not wanted or any(stem(w.lower()) in said for w in wanted)


def holds(summary: str, fact: Fact) -> bool:
    """Whether `summary` still states `fact`: all its numbers and names, or (having none)
    at least half of its content words."""
    said = _stems(summary)
    specific, other = _fact_words(fact)
    if specific:
        return all(stem(w.lower()) in said for w in specific)
    return sum(stem(w.lower()) in said for w in other) * 2 >= len(other)


@dataclass(frozen=True)
class FactView:
    """One fact of the ledger as `memory facts` shows it (turn counted from 1)."""

    id: int
    turn: int
    subject: str
    kind: str
    text: str
    current: bool
    replaced_by: int | None


@dataclass(frozen=True)
class BudgetView:
    """How the context is shared out, in tokens."""

    n_ctx: int
    reply: int
    summary_cap: int
    recall: int
    facts: int
    fixed: int
    window: int


@dataclass(frozen=True)
class MemoryView:
    """What the model currently sees of a session and how the budget is used."""

    session: str
    created: str
    model: str
    system: str | None
    turns: int
    folded_turns: int
    window_turns: int
    folds: int
    summary: str
    documents: list[str]
    window_tokens: int
    facts: list[FactView]
    budget: BudgetView | None = None  # known only with a model loaded

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        if self.budget is None:
            del data["budget"]
        return data


def memory_view(
    session: Session,
    state: MemoryState,
    exchanges: list[Exchange],
    budget: ChatBudget | None,
    system: str | None,
    ledger: Ledger | None = None,
) -> MemoryView:
    """What the model currently sees and how the budget is used."""
    window = exchanges[state.window_start :]
    facts = [
        FactView(f.id, f.turn + 1, f.subject, f.kind, f.text, f.active, f.replaced_by)
        for f in (ledger.facts if ledger else [])
        if not f.forgotten
    ]
    shares = None
    if budget is not None:
        shares = BudgetView(
            n_ctx=budget.n_ctx,
            reply=budget.reply_tokens,
            summary_cap=budget.summary_cap,
            recall=budget.recall_tokens,
            facts=budget.facts_tokens,
            fixed=budget.fixed_tokens,
            window=budget.window_tokens,
        )
    return MemoryView(
        session=str(session.path),
        created=session.meta.created,
        model=session.meta.model,
        system=system,
        turns=len(exchanges),
        folded_turns=state.window_start,
        window_turns=len(window),
        folds=state.folds,
        summary=state.summary,
        documents=sorted(session.meta.files),
        window_tokens=sum(e.tokens for e in window),
        facts=facts,
        budget=shares,
    )
