"""What the generated conversation bench's families are made of: a kind of fact, with its
statement, question and update templates (bench/chat_generated.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """One kind of fact: `t` names it in the owner-phrased frames ("{o} {t} is {v}")."""

    t: str
    values: tuple[str, ...]
    states: tuple[str, ...]
    asks: tuple[str, ...]
    renews: tuple[str, ...] = ()  # updates; their words share none with the statement's
    lang: str = "en"
    owned: bool = True  # the frames take an owner ("my", "my brother's", "Priya's")
    # said after the fillers, of the same one but of another thing ("My sister's birthday
    # is on 14 March.", "{v} just started a pottery class."): never its answer, and never
    # an update of it (a new user's sister's birthday took her name away)
    asides: tuple[str, ...] = ()

    def key(self, value: str) -> str:
        """What a reply must hold to give `value`: its number, else the value's last word."""
        numbers = [w for w in value.split() if any(c.isdigit() for c in w) and len(w) > 1]
        if numbers:
            return numbers[-1].lower()
        if any(c.isdigit() for c in value):
            return value.lower()
        return value.split()[-1].lower()
