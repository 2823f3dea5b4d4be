"""A conversation with bounded memory: the core of `longcli chat`, free of any UI.

Each turn: fold the oldest exchanges into the running summary if the window is full,
recall relevant folded exchanges and document passages, check the prompt fits the
context (`prepare`), answer (chat/turn.py: longcli's own answer, or the model's reply
streamed through the checks, then its note), then record the `Turn`: append the exchange
to the journal and save the state. A reply that is interrupted is never stored.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import cast

from longcli import faults
from longcli.backends.base import Backend, Stateful
from longcli.backends.embedding import Embedder
from longcli.calls import Message, Sampling
from longcli.chat.budget import ChatBudget, chat_budget, fold_count
from longcli.chat.exchange import Author, Exchange, FoldState
from longcli.chat.facts import (
    Fact,
    Ledger,
    clause_after,
    fact_words,
    named_again,
    told_since,
)
from longcli.chat.fold import Folder, unquote
from longcli.chat.guard import Checks, Earlier
from longcli.chat.labels import split_labels
from longcli.chat.meaning import asks_all_told, asks_reminders
from longcli.chat.prompt import (
    build_messages,
    context_messages,
    fit_recall,
    system_text,
    user_text,
)
from longcli.chat.questions import (
    leans_back,
    looked_up_facts,
    questions_in,
    questions_of,
    shaped_first,
)
from longcli.chat.recalled import Recalled, RecallIndex, focus
from longcli.chat.session import Passage, Session
from longcli.chat.statements import another_thing, someone_elses_name, things
from longcli.chat.turn import (
    NOT_TOLD,
    Prompt,
    Turn,
    all_told,
    annotate,
    grounds,
    longcli_turn,
    not_told,
    reminders_told,
    stream_checked,
)
from longcli.chat.view import SessionView, session_view
from longcli.config import Fold, Settings
from longcli.errors import SessionError, UsageError
from longcli.grounding.ask import CallStats, truncate_to_tokens
from longcli.models.gguf import ModelInfo
from longcli.prompts.templates import AUTO, Templates
from longcli.text import language as languages
from longcli.text.chunks import chunk_stream

DEFAULT_SYSTEM = (
    "You are a helpful assistant. When the conversation summary or the recalled passages "
    "hold the answer, use them."
)
RECALL_SEPARATOR_TOKENS = 4  # the blank line between two recalled passages, and slack
PASSAGE_TOKENS = 200  # size of a document passage kept for recall
FACT_RELATIVE_SCORE = 0.6  # facts shown: those scoring at least this share of the best
MAX_FACTS_SHOWN = 3
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


_ENGLISH = (languages.ENGLISH, languages.UNKNOWN)


class Chat:
    """One open session with a model: ask questions, fold, recall, persist.

    `model` is the model file, when there is one (for the language advice and document
    gists); `after_turn` is run by settle(), e.g. to keep the model's KV cache for the next
    process; `embedder`, when an embedding model is present, finds which statements a
    message means by meaning rather than by shared words (backends/embedding.py).
    """

    def __init__(
        self,
        session: Session,
        backend: Backend,
        templates: Templates,
        options: ChatOptions,
        *,
        model: ModelInfo | None = None,
        after_turn: Callable[[], None] | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.session = session
        self.backend = backend
        self.templates = templates
        self.options = options
        self.model = model
        self._after_turn = after_turn
        self.embedder = embedder
        self.system = session.meta.system or DEFAULT_SYSTEM
        self.calls = CallStats()
        self.budget = self._budget()
        self.state = session.load_state()
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
            if e.by == Author.MODEL:
                self.earlier.add(e.assistant, e.user)
        self.recall = RecallIndex(session.load_passages())
        self.folder = Folder(
            backend, templates, self.budget, options.fold, options.sampling, self.calls
        )

    def _budget(self) -> ChatBudget:
        fixed = self.backend.prompt_tokens(
            [
                Message("system", system_text(self.system, "x")),
                Message("user", user_text("", ["x"])),
            ]
        )
        o = self.options
        try:
            return chat_budget(
                self.backend.n_ctx,
                fixed,
                o.reply_tokens,
                o.summary_share,
                o.recall_tokens,
                o.facts_tokens,
            )
        except ValueError as exc:
            raise UsageError(
                str(exc), hint="use a larger --ctx or a shorter system prompt"
            ) from None

    # -- measuring ----------------------------------------------------------------------

    def _delta_tokens(self, messages: list[Message]) -> int:
        """Tokens `messages` add to a prompt, chat template included."""
        base = [Message("system", "x")]
        return self.backend.prompt_tokens(base + messages) - self.backend.prompt_tokens(base)

    def _exchange_tokens(self, e: Exchange) -> int:
        return self._delta_tokens([Message("user", e.user), Message("assistant", e.for_model)])

    @property
    def window(self) -> list[Exchange]:
        return self.exchanges[self.state.window_start :]

    @property
    def passages(self) -> list[Passage]:
        return self.recall.passages

    # -- folding ------------------------------------------------------------------------

    def fold(self, count: int) -> None:
        """Fold the `count` oldest exchanges of the window into the summary, and save."""
        count = min(count, len(self.window))
        if count <= 0:
            return
        folding = self.window[:count]
        faults.pause("fold")
        self.state.summary = self.folder.fold(self.state.summary, folding, self.ledger)
        self.state.window_start += count
        self.state.folds += 1
        self.session.save_state(self.state)

    def forget(self) -> int:
        """Fold the whole window now; returns how many exchanges were folded."""
        count = len(self.window)
        self.fold(count)
        return count

    # -- recall -------------------------------------------------------------------------

    def recall_candidates(
        self, query: str, limit_tokens: int | None = None, skip_turns: frozenset[int] = frozenset()
    ) -> list[Recalled]:
        """Folded exchanges and document passages relevant to `query`, best first, each
        cut to at most `limit_tokens` around its sentences that match the query best. A
        turn whose facts were all replaced later ranks lower; turns in `skip_turns` (their
        facts are shown already) are left out.
        """
        skip_turns = skip_turns | self.ledger.forgotten_turns()
        if self.budget.facts_tokens > 0:  # with the ledger on, what was replaced is gone
            skip_turns = skip_turns | self.ledger.superseded_turns()
        found = self.recall.ranked(query, self.exchanges, self.state.window_start, skip_turns)
        limit = self.budget.recall_tokens if limit_tokens is None else limit_tokens
        return [
            Recalled(focus(self.backend, self._current(r), query, limit), r.turn) for r in found
        ]

    def _current(self, entry: Recalled) -> str:
        """The text of a recalled entry with the statements since replaced taken out."""
        return entry.text if entry.turn is None else self._unsay(entry.text, entry.turn)

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

    def relevant_facts(
        self, query: str
    ) -> tuple[list[Fact], tuple[Fact, Fact] | None, dict[int, tuple[Fact, ...]]]:
        """The active facts that bear on `query`, best first, as many as their share of the
        budget holds (at most MAX_FACTS_SHOWN, each scoring near the best); and, when a
        newer statement came before the closest as its update (`Ledger.ranking`) and both
        are shown, (the closest, that newer one); and, for the best for each question, the
        statements told of it since that the ledger did not read as its update, shown right
        after it (`named_again`, `told_since`), by its id: its quote shows them too."""
        if self.budget.facts_tokens <= 0:
            return [], None, {}
        scored, moved = self.ledger.ranking(query, self.embedder)
        asked = questions_of(query)
        firsts: list[Fact] = []
        if len(asked) > 1 and scored:  # the best for each question first ("which city am I
            # in now and who has my cat?": the whole message is closest to the cat alone)
            found = [_best_for(q, self.ledger.ranked(q, self.embedder)) for q in asked]
            firsts = list({f.id: f for f in found if f is not None}.values())
            scored = [(f, scored[0][1]) for f in firsts] + [p for p in scored if p[0] not in firsts]
        elif scored:  # one question: a statement holding the shape of value it asks for
            scored = shaped_first(query, scored)  # first ("when": a date, not a name)
        if self.embedder is None:  # by words, what a look-up asks for first, whatever
            # words it shares with the question ("I'm Tomasz" for "What's my name?")
            first = looked_up_facts(self.ledger, query)
            top = scored[0][1] if scored else 1.0
            scored = [(f, top) for f in first] + [p for p in scored if p[0] not in first]
        if not scored:
            return [], None, {}
        # what was told later of a name the best for each question holds, right after it:
        # the cat given away for "what's my cat called" ("... and who has the cat?" too),
        tops = [scored[0][0], *(f for f in firsts if f is not scored[0][0])]
        active = self.ledger.active()
        since: dict[int, tuple[Fact, ...]] = {}
        for best in tops:
            news = named_again(best, active)
            told = [news] if news is not None else []
            if news is None and self.embedder is not None:  # ... or a change of it told in
                # other words, with the rest of its message (see told_since)
                said = [f for f in self.ledger.facts if not f.forgotten]
                told = told_since(self.embedder, best, said, self.ledger.replacements([best]))
                since[best.id] = tuple(f for f in told if f is not best)
            # ... after the clause its message goes on with ("These days I retrained" and
            # "I'm a software developer.": the first alone is closer to "What's my
            # profession now?", and the second was not shown nor quoted)
            after = clause_after(best, active)
            told = [*([after] if after is not None else []), *(f for f in told if f is not after)]
            if not told or best in told:
                continue
            rest = [p for p in scored if all(p[0] is not f for f in told)]
            at = next(k for k, p in enumerate(rest) if p[0] is best) + 1
            scored = [*rest[:at], *((f, scored[0][1]) for f in told), *rest[at:]]
        floor = scored[0][1] * FACT_RELATIVE_SCORE
        chosen: list[Fact] = []
        used = 0
        for fact, score in scored[:MAX_FACTS_SHOWN]:
            cost = self.backend.count_tokens(f"- {fact.text}\n")
            if score < floor or used + cost > self.budget.facts_tokens:
                break
            chosen.append(fact)
            used += cost
        if moved is not None and not all(any(f is m for f in chosen) for m in moved):
            moved = None
        return chosen, moved, {k: v for k, v in since.items() if v}

    def stale_values(self) -> frozenset[str]:
        """The names and numbers of replaced statements that no current one holds: a reply
        that gives one gives a value the user has since changed."""
        current = " ".join(f.text for f in self.ledger.active())
        replaced = [f for f in self.ledger.facts if f.replaced_by is not None and not f.forgotten]
        return _values_not_in(replaced, current)

    # -- a turn -------------------------------------------------------------------------

    def prepare(self, user: str) -> Prompt:
        """The prompt for `user`: folds what must go to make room, recalls what bears on it,
        and fits both into the context with the reply's reserve."""
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
        before = self._asked_before(user)
        facts, taken_over, since = self.relevant_facts(f"{before} {user}" if before else user)
        shown = [f.text for f in facts]
        shown_turns = self._said_by(facts)
        answer_in = self.answer_language(user)
        while True:

            def build(recalled: list[Recalled]) -> list[Message]:
                return build_messages(
                    self.system,
                    self.state.summary,
                    [r.text for r in recalled],
                    self.shown_window(),
                    user,
                    shown,
                    answer_in,
                )

            # Recall gets its own share of the budget, no more: a bigger prompt costs time.
            # Its headings take part of that share, so passages are cut to what is left.
            bare = self.backend.prompt_tokens(build([]))
            limit = min(ceiling, bare + self.budget.recall_tokens)
            headings = (
                self.backend.prompt_tokens(build([Recalled("")])) - bare + RECALL_SEPARATOR_TOKENS
            )
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
        recalled = plan.recalled
        return Prompt(
            user,
            plan.messages,
            plan.prompt_tokens,
            folded,
            recalled,
            facts,
            before,
            taken_over,
            since,
        )

    def _asked_before(self, user: str) -> str:
        """The previous message's last question when `user` is one question that names
        nothing but when ("and the old one?" after "What's my locker code?"), else "".
        (Not "Remind me" of "Remind me, what is my locker code?", nor "Really?")"""
        asked = questions_in(user)
        if len(asked) != 1 or not leans_back(asked[0], pointing=True) or not self.exchanges:
            return ""
        earlier = questions_in(self.exchanges[-1].user)
        return earlier[-1] if earlier else ""

    def answer_language(self, user: str) -> str:
        """The sentence telling the model which language to answer in: --language's, else
        the message's; "" for English (the prompts are English) when the turns shown are
        English too, or when unsure."""
        asked = self.templates.language not in ("", AUTO)
        said = languages.detect(user)
        target = self.templates.language if asked else said
        if target == languages.UNKNOWN or (target == languages.ENGLISH and said in _ENGLISH):
            # the prompts are English: nothing to say, unless the turns shown are not (a
            # new user's walk: after two messages in French, the bundled model answered 4
            # of 11 English questions in French, and each was dropped for it)
            if not any(languages.detect(e.user) not in _ENGLISH for e in self.window):
                return ""
            target = languages.ENGLISH
        return f"Answer in {languages.name(target)}."

    def language_advice(self, user: str) -> str | None:
        """Once a session (meta.json keeps that it was said, across runs): a line
        suggesting a model that writes the message's language, when the message is not
        English and the English-only bundled model answers."""
        from longcli.models.catalog import suggest_for_language
        from longcli.models.locate import bundled_model_path

        if self.session.meta.language_advised or self.model is None:
            return None
        bundled = bundled_model_path()
        if bundled is None or self.model.path.resolve() != bundled.resolve():
            return None
        said = languages.detect(user)
        if said in _ENGLISH:
            return None
        advice = suggest_for_language(said)
        if advice is not None:
            self.session.meta.language_advised = True
            self.session.save_meta(self.session.meta)
        return advice

    def ask(self, user: str, on_text: Callable[[str], None] | None = None) -> Turn:
        """Answer `user`, streaming pieces to `on_text`; store the exchange once complete.

        longcli answers itself, without the model, that it was not told when the user asks
        about something of theirs that nothing they said mentions. The model's reply is
        shown sentence by sentence as each passes the checks of chat/guard.py; a reply that
        passes none is asked for again once.
        """
        prompt = self.prepare(_message(user))
        if asks_reminders(self.embedder, prompt.user):
            answer, note = reminders_told(self.ledger.active())
            turn = longcli_turn(prompt, answer, on_text, note)
        elif asks_all_told(self.embedder, prompt.user):
            answer, note = all_told(self.ledger.active())
            turn = longcli_turn(prompt, answer, on_text, note)
        elif not_told(prompt, self.ledger, self.embedder):
            turn = longcli_turn(prompt, NOT_TOLD, on_text)
        else:
            checks = Checks(
                said=[e.user for e in self.exchanges] + [prompt.user],
                earlier=self.earlier,
                question=prompt.user,
                grounds=grounds(prompt),
                facts=prompt.facts,
                stale=self.stale_values() | _values_left(prompt.taken_over),
                replaced=[
                    *self.ledger.replacements(prompt.facts),
                    *([prompt.taken_over] if prompt.taken_over else []),
                ],
                embedder=self.embedder,
            )
            o = self.options
            reply_tokens = self.budget.reply_tokens
            answer, by = stream_checked(
                self.backend, prompt, checks, o.sampling, reply_tokens, on_text
            )
            quote = o.quote_facts
            turn = annotate(prompt, answer, by, checks, quote, on_text, self.embedder)
        self._record(turn.user, turn.answer, turn.note, turn.by)
        return turn

    def record(self, user: str, reply: str) -> None:
        """Store an exchange that happened elsewhere (an import, a benchmark's script), with
        the folding, ledger and persistence of a real turn, but no model call for it."""
        user = _message(user)
        self.prepare(user)
        said = [e.user for e in self.exchanges] + [user]
        answer, labels = split_labels(reply.strip(), said)
        self._record(user, answer or "(no answer)", "\n\n".join(labels), Author.MODEL)

    def _record(self, user: str, answer: str, note: str, by: Author) -> None:
        """Append the exchange to the journal, then update the state and the ledger."""
        exchange = Exchange(len(self.exchanges), user, answer, 0, note, by)
        exchange = dataclasses.replace(exchange, tokens=self._exchange_tokens(exchange))
        self.session.append_exchange(exchange)
        self.exchanges.append(exchange)
        if by == Author.MODEL:
            self.earlier.add(answer, user)
        self.state.turns = len(self.exchanges)
        self.session.save_state(self.state)
        if self.ledger.add_message(user, exchange.n, self.embedder):
            self.session.save_ledger(self.ledger)

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
        if self._after_turn is not None:
            self._after_turn()

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
        self.recall.replace_passages([p for p in self.passages if p.source != name] + passages)
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

    def view(self) -> SessionView:
        return session_view(
            self.session, self.state, self.exchanges, self.budget, self.system, self.ledger
        )

    def reset(self) -> None:
        self.session.reset()
        self.state = FoldState()
        self.ledger = Ledger()
        self.exchanges = []
        self.recall.replace_passages([])


def _values_left(taken_over: tuple[Fact, Fact] | None) -> frozenset[str]:
    """The names and numbers (lower case) of the older of (older, newer) that the newer
    does not hold: for this question, values the user has since changed."""
    return frozenset() if taken_over is None else _values_not_in(taken_over[:1], taken_over[1].text)


def _values_not_in(facts: Iterable[Fact], text: str) -> frozenset[str]:
    """The names and numbers (lower case) of `facts` that `text` does not hold."""
    held = text.lower()
    return frozenset(w.lower() for f in facts for w in fact_words(f)[0] if w.lower() not in held)


def _best_for(question: str, ranked: list[tuple[Fact, float]]) -> Fact | None:
    """The best of `ranked` for one question of several: the first not about another
    thing of the user's ("my sister is called Marguerite" is closer to "whats my name"
    than "hey there, I'm Tobias Wrenfield"), else the first."""
    asked = things(question)
    fitting = (
        f
        for f, _ in ranked
        if not another_thing(asked, things(f.text)) and not someone_elses_name(question, f.text)
    )
    return next(fitting, ranked[0][0] if ranked else None)


def _message(user: str) -> str:
    """The user's message without surrounding blanks; an empty one is refused."""
    user = user.strip()
    if not user:
        raise UsageError("the message is empty")
    return user
