"""Output guards for small models: detect loops and copying, strip artifacts, trim cut-offs."""

from __future__ import annotations

import re
from collections import Counter

_SENTENCE = re.compile(r"[^.!?…\n]+(?:[.!?…]+[\"'”’)\]]*|\n|$)")
_WORD = re.compile(r"\w+", re.UNICODE)
_END_OF_SENTENCE = re.compile(r"[.!?…][\"'”’)\]]*\s*$")

# Phrases tiny models put in front of a summary; removed where they open a sentence.
_ARTIFACT_OPENERS = re.compile(
    r"^\s*(?:"
    r"(?:sure|okay|certainly)[,!.]?\s*(?:here(?: is|'s) (?:a|the|my) [^:\n]*:)?"
    r"|here(?: is|'s|are) (?:a |the |my |some )?[^:\n]{0,60}:"
    r"|(?:[#*_]+\s*)?summary\s*:(?:[*_]+)?"
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

REPEATED_SENTENCE_LIMIT = 3  # the same sentence this often is a loop
NGRAM = 4
REPEATED_NGRAM_SHARE = 0.35  # share of repeated 4-grams that makes a loop
MIN_WORDS_FOR_NGRAM_CHECK = 24
COPY_RUN_WORDS = 30  # a verbatim run of this many source words is copying
COPY_SHARE = 0.7  # or this share of the output's 8-grams found in the source


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def strip_artifacts(text: str) -> str:
    """Remove chat-template leftovers and filler openers from a model's answer."""
    text = _CHAT_ARTIFACTS.sub("", text).strip()
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


def drop_repeated_sentences(text: str) -> str:
    """Keep the first occurrence of each sentence (last resort for looping output)."""
    seen: set[str] = set()
    kept: list[str] = []
    for sentence in sentences(text):
        key = " ".join(_words(sentence))
        if key and key not in seen:
            seen.add(key)
            kept.append(sentence)
    return " ".join(kept)


def _ngrams(words: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


CONTEXT_ECHO_SHARE = 0.5  # this share of 8-grams taken from the context is an echo


def degeneracy(
    text: str,
    source: str | None = None,
    context: str | None = None,
    min_words: int = 0,
) -> str | None:
    """Why an answer is unusable, or None when it looks fine.

    Unusable: empty, far shorter than `min_words`, looping, copying `source` verbatim,
    or repeating `context` (the summary of what came before) instead of the new text.
    """
    words = _words(text)
    if not words:
        return "empty"
    if len(words) < min_words:
        return "too short"
    counts = Counter(" ".join(_words(s)) for s in sentences(text))
    counts.pop("", None)
    if counts and counts.most_common(1)[0][1] >= REPEATED_SENTENCE_LIMIT:
        return "repeated sentences"
    if len(words) >= MIN_WORDS_FOR_NGRAM_CHECK:
        grams = _ngrams(words, NGRAM)
        repeated = sum(c - 1 for c in Counter(grams).values() if c > 1)
        if repeated / len(grams) > REPEATED_NGRAM_SHARE:
            return "repeated phrases"
    if source:
        reason = _copying(words, _words(source))
        if reason:
            return reason
    if context and len(words) >= 8:
        context_grams = set(_ngrams(_words(context), 8))
        grams = _ngrams(words, 8)
        if sum(g in context_grams for g in grams) / len(grams) >= CONTEXT_ECHO_SHARE:
            return "repeated the context"
    return None


def _copying(words: list[str], source_words: list[str]) -> str | None:
    if len(words) < 8:
        return None
    source_grams = set(_ngrams(source_words, 8))
    grams = _ngrams(words, 8)
    hits = [g in source_grams for g in grams]
    if grams and sum(hits) / len(grams) >= COPY_SHARE:
        return "copied the source"
    run = best = 0
    for hit in hits:
        run = run + 1 if hit else 0
        best = max(best, run)
    if best + 7 >= COPY_RUN_WORDS:
        return "copied the source"
    return None
