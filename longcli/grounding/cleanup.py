"""Cleaning a model's raw answer: chat-template leftovers, filler openers, cut-off endings.

Whether the cleaned answer can be trusted is grounding/check.py's question.
"""

from __future__ import annotations

import re

from longcli.backends.reasoning import visible

_END_OF_SENTENCE = re.compile(r"[.!?…][\"'”’)\]]*\s*$")

# Phrases tiny models put in front of a summary; removed where they open a sentence.
_ARTIFACT_OPENERS = re.compile(
    r"^\s*(?:"
    r"(?:sure|okay|certainly)[,!.]?\s*(?:here(?: is|'s) (?:a|the|my) [^:\n]*:)?"
    r"|here(?: is|'s|are) (?:a |the |my |some )?[^:\n]{0,60}:"
    r"|(?:[#*_]+\s*)?summary\s*:(?:[*_]+)?"
    r"|(?:to summari[sz]e|to sum up|in summary|in conclusion|summary of the text so far)"
    r"\s*[:,]"
    r"|in (?:this|the) (?:segment|section|passage|excerpt|part|text|chapter)\s*,"
    r"|(?:this|the) (?:segment|section|passage|excerpt|part|text) "
    r"(?:says|states|describes|tells us|is about|discusses) (?:that )?"
    r"|the text says(?: that)?"
    r"|according to the text\s*,"
    r")\s*",
    re.IGNORECASE,
)
_CHAT_ARTIFACTS = re.compile(r"<\|im_(?:start|end)\|>|<\|endoftext\|>|</s>|<s>")
_PART_LABEL = re.compile(r"^\s*(?:\*\*)?part \d+(?:\*\*)?\s*:\s*(?:\*\*)?\s*", re.IGNORECASE)


def strip_artifacts(text: str) -> str:
    """Remove chat-template leftovers and filler openers from a model's answer."""
    text = _CHAT_ARTIFACTS.sub("", visible(text)).strip()  # backends strip thinking too
    lines = []
    for line in text.splitlines():
        cleaned = _PART_LABEL.sub("", line, count=1)  # our own labels, echoed back
        cleaned = _ARTIFACT_OPENERS.sub("", cleaned, count=1)
        if cleaned and cleaned[0].islower() and cleaned != line:
            cleaned = cleaned[0].upper() + cleaned[1:]
        lines.append(cleaned)
    return "\n".join(lines).strip()


_DANGLING_MARKER = re.compile(r"(?:\n[ \t]*(?:[-*•]|\d+[.)])?[ \t]*)+$")


def trim_to_sentence(text: str) -> str:
    """Drop a trailing cut-off sentence or empty list item, keeping at least something."""
    text = _DANGLING_MARKER.sub("", text.rstrip())
    if not text or _END_OF_SENTENCE.search(text):
        return text
    cut = max(text.rfind(". "), text.rfind("! "), text.rfind("? "), text.rfind(".\n"))
    if cut > len(text) // 3:
        return text[: cut + 1]
    return text
