"""What the grounding check found in one answer: its problems, sentence by sentence or
for the whole answer, and what is left when the failing sentences are dropped."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    kind: str  # unsupported | meta | repeat (per sentence); empty | short | loop | ... (whole)
    sentence: int  # index into Verdict.sentences; -1 for the whole answer
    detail: str = ""


@dataclass
class Verdict:
    """What the check found in one answer."""

    sentences: list[str]
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def whole(self) -> list[Problem]:
        """Problems no dropping of sentences can mend."""
        return [p for p in self.problems if p.sentence < 0]

    def failing(self) -> set[int]:
        return {p.sentence for p in self.problems if p.sentence >= 0}

    def reason(self) -> str:
        """A short description for statistics and logs: 'unsupported: Voldemort; meta'."""
        kinds: dict[str, list[str]] = {}
        for p in self.problems:
            kinds.setdefault(p.kind, [])
            if p.detail and len(kinds[p.kind]) < 3:
                kinds[p.kind].append(p.detail)
        return "; ".join(f"{k}: {', '.join(v)}" if v else k for k, v in kinds.items())

    def kept_text(self) -> str:
        """The answer without its failing sentences."""
        bad = self.failing()
        return " ".join(s for i, s in enumerate(self.sentences) if i not in bad)
