"""What `memory show` and `/memory` show of a session: what the model currently sees of it
(summary, facts, window) and how the context is shared out. Typed values; the CLI words
and renders them."""

from __future__ import annotations

from dataclasses import dataclass

from longcli.chat.budget import ChatBudget
from longcli.chat.exchange import Exchange, FoldState
from longcli.chat.facts import Ledger
from longcli.chat.session import Session


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
class SessionView:
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


def session_view(
    session: Session,
    state: FoldState,
    exchanges: list[Exchange],
    budget: ChatBudget | None,
    system: str | None,
    ledger: Ledger | None = None,
) -> SessionView:
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
    return SessionView(
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
