"""What a conversation is made of: exchanges, who wrote each reply, and the fold state.

The journal holds the exchanges; the fold state (state.json) holds the running summary
the oldest of them were folded into, and where the window of verbatim ones starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from longcli.chat.prompt import exchange_text


class Author(StrEnum):
    """Who wrote an exchange's `assistant` text (the journal's "by")."""

    MODEL = "model"
    LONGCLI = "longcli"  # longcli answered itself ("You haven't told me that.")


@dataclass(frozen=True)
class Exchange:
    """One completed turn: the user's message and the assistant's reply.

    The reply is in two parts: `assistant`, what the model is shown as its own turn (the
    model's words, or longcli's when longcli answered itself: `by`), and `note`, what
    longcli added for the user (a quote of their own words), which the model never sees,
    so it has nothing to imitate.
    """

    n: int  # position in the journal, from 0
    user: str
    assistant: str
    tokens: int  # both messages as they appear in a prompt, template included
    note: str = ""
    by: Author = Author.MODEL

    def as_text(self) -> str:
        return exchange_text(self.user, self.for_model)

    @property
    def for_model(self) -> str:
        """What the model is shown as its own turn: its words, or longcli's answer ("You
        haven't told me that."); not longcli's line in brackets saying the model gave
        none, which the model took up as its own ("No, no: the model didn't write in
        language of your message. ..." after "(no answer: the model did not write in the
        language of your message)")."""
        said = self.assistant
        if self.by == Author.LONGCLI and said.startswith("(") and said.endswith(")"):
            return ""
        return said

    @property
    def shown(self) -> str:
        """The reply as the user saw it: the answer, then longcli's note."""
        return "\n\n".join(part for part in (self.assistant, self.note) if part)


@dataclass
class FoldState:
    """What is persisted besides the journal: the running summary the folds wrote and
    where the window starts."""

    summary: str = ""
    window_start: int = 0  # journal index of the oldest exchange still verbatim
    folds: int = 0
    turns: int = 0
