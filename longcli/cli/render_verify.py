"""How `longcli verify` reads: each sentence, supported or not, with its evidence or why."""

from __future__ import annotations

import json
from typing import Any

from longcli.controls import strip_controls
from longcli.grounding.support import Why
from longcli.grounding.verify import Checked, Verification

EVIDENCE_CHARS = 160  # of a source sentence shown after a verdict (JSON keeps it whole)

# Why a sentence is not supported, in words; the detail (a name, a number ...) follows.
_WHY = {
    Why.WORDS: "its words are not in the sources together; missing",
    Why.NAME: "a name",
    Why.NUMBER: "a number",
    Why.QUANTIFIER: "the sources do not say",
    Why.NEGATION: "the negation does not match",
    Why.ROLES: "who does what does not match",
    Why.REASON: "a reason the sources do not give",
    Why.NOTHING: "nothing to check",
}


def render_verification(result: Verification, fmt: str) -> str:
    """The verdicts as text (a line per sentence, its evidence indented) or JSON, without
    terminal controls (a summary or a source may hold them)."""
    if fmt == "json":
        return json.dumps([_json(c) for c in result.sentences], ensure_ascii=False, indent=2) + "\n"
    lines: list[str] = []
    for n, checked in enumerate(result.sentences, 1):
        mark = "supported" if checked.supported else "NOT SUPPORTED"
        lines.append(f"{n}. [{mark}] {checked.sentence}")
        if not checked.supported:
            lines.append(f"   why: {_WHY[checked.why]}{_detail(checked)}")
        for cited in checked.evidence[: 1 if not checked.supported else None]:
            lead = "closest" if not checked.supported else "source"
            lines.append(f"   {lead}: {_where(cited.source, cited.place, result)}: "
                         f"\"{_short(cited.text)}\"")  # fmt: skip
    supported = len(result.sentences) - result.unsupported
    lines.append("")
    total = len(result.sentences)
    lines.append(f"{supported} of {total} sentence{'' if total == 1 else 's'} supported.")
    return strip_controls("\n".join(lines) + "\n")


def _detail(checked: Checked) -> str:
    return f": {checked.detail}" if checked.detail else ""


def _where(source: str, place: str, result: Verification) -> str:
    return place if len(result.sources) == 1 else f"{source}, {place}"


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EVIDENCE_CHARS else flat[: EVIDENCE_CHARS - 1].rstrip() + "…"


def _json(checked: Checked) -> dict[str, Any]:
    return {
        "sentence": strip_controls(checked.sentence),
        "supported": checked.supported,
        "why": None if checked.supported else checked.why.value,
        "detail": strip_controls(checked.detail) or None,
        "coverage": round(checked.coverage, 3),
        "evidence": [
            {"source": c.source, "place": c.place, "text": strip_controls(" ".join(c.text.split()))}
            for c in checked.evidence
        ],
    }
