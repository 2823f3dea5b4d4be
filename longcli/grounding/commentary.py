"""Sentences that are not about the content: commentary on the text or the task, an
assistant talking to the reader, a licence or transcriber's note, the write prompt's own
words echoed, and quotations (which the check holds to the inputs word for word)."""

from __future__ import annotations

import re

from longcli.text.vocabulary import words

_QUOTATION = re.compile(r"[\"“]([^\"“”]{3,}?)[\"”]")
QUOTE_MIN_WORDS = 4

# Sentences about the text or the task rather than its content. Checked against the 100
# human reference summaries of the SQuALITY dev set: none of them match (a narrative time
# phrase such as "as the passage ends" is let through). A phrase that also occurs in the source (a
# story about a text, say) is content, not commentary, and is let through.
_META_PATTERNS = [
    # talking about the task
    r"\b(?:i(?:'ve| have| will|'ll|'d| would)?|let me|here(?: is|'s| are))\b[^.!?]{0,40}"
    r"\b(?:rewr[io]t|summari[sz]|revis|condens|shorten|paraphras|edit|simplif)\w*",
    r"\b(?:as requested|hope this helps|let me know|feel free to|as an ai|language model"
    r"|i (?:cannot|can't|am unable)|i'm sorry|i apologi[sz]e)\b",
    # the text as an object
    r"(?<!as )\b(?:this|the|above|given|provided|original|following|previous|next) "
    r"(?:text|passage|excerpt|segment|summary|summaries|snippet)\b"
    r"(?! (?:ends|begins|opens|closes))",
    r"\b(?:the|this|that) (?:first|second|third|fourth|last|final|next|previous|opening|"
    r"closing|latter|former) (?:part|sentence|paragraph|section|segment|line|half)s?\b",
    r"\b(?:the|this|that) (?:part|sentence|paragraph|section) (?:of|in) the "
    r"(?:story|text|passage)\b",
    r"\bparts? \d+ (?:and \d+ )?(?:of the (?:story|text)|describes?|says?|tells?|shows?)\b",
    r"\b(?:the|this) (?:author|writer|reader|readers)\b(?! of)",
    # critique of the writing
    r"\b(?:well[- ]written|poorly written|writing style|the writing|the prose|the narrative "
    r"(?:is|style|structure)|character development|plot holes?|pacing|is engaging|more "
    r"engaging|very engaging|more concise|could be improved|needs? (?:more|less) "
    r"(?:detail|depth|work)|adds? (?:much )?depth|do(?:es)?n'?t add (?:much|anything)|too "
    r"many simple|mix-and-match|clich[eé]d?|a (?:good|great|compelling|gripping) read)\b",
]
_META = [re.compile(p, re.IGNORECASE) for p in _META_PATTERNS]

# An assistant talking to the reader, not a summary: "I agree", "I think", "you".
_ASSISTANT = re.compile(
    r"\b(?:i(?:'m| am)? (?:definitely |really |also |do |would )?(?:agree|think|believe|feel|"
    r"hope|recommend|suggest|going to|would say|can see|must say)|in my (?:opinion|view)|"
    r"(?:with|to|for|thank) you\b|you(?:'re| are| can| may| might| will| should| would)\b|"
    r"your (?:point|question|request|text)|let me\b|let's\b)",
    re.IGNORECASE,
)
# Licence and transcription notes are about the file, never the content.
_LICENCE = re.compile(
    r"project gutenberg|gutenberg\.org|e-?text|e-?book|transcriber|copyright|public domain|"
    r"all rights reserved|licen[cs]e (?:agreement|terms)|distributed proofread|"
    r"this (?:publication|edition) (?:was|is) (?:renewed|produced|published)",
    re.IGNORECASE,
)


# The write prompt's own words, echoed into an answer ("In the third person, ...").
_PROMPT_ECHO = re.compile(
    r"\b(?:in (?:the )?third[- ]person|plain prose|(?:these|the|key|given) passages|"
    r"retell(?:s|ing)?\b)",
    re.IGNORECASE,
)


def meta_phrase(sentence: str) -> str | None:
    """The phrase that makes a sentence commentary about the text or task, if any."""
    for pattern in _META:
        match = pattern.search(sentence)
        if match:
            return match.group(0)
    return None


def quotations(sentence: str) -> list[str]:
    """Quoted passages of QUOTE_MIN_WORDS words or more in a sentence."""
    return [
        m.group(1)
        for m in _QUOTATION.finditer(sentence)
        if len(words(m.group(1))) >= QUOTE_MIN_WORDS
    ]


def assistant_phrase(sentence: str) -> str | None:
    """The phrase that makes a sentence an assistant talking to the reader, if any."""
    unquoted = _QUOTATION.sub(" ", sentence)
    match = _ASSISTANT.search(unquoted)
    return match.group(0) if match else None


def licence_phrase(sentence: str) -> str | None:
    """The phrase that makes a sentence about a file's licence or transcription, if any."""
    match = _LICENCE.search(sentence)
    return match.group(0) if match else None


def prompt_echo_phrase(sentence: str) -> str | None:
    """The write prompt's words in a sentence ("in the third person"), if any."""
    match = _PROMPT_ECHO.search(sentence)
    return match.group(0) if match else None
