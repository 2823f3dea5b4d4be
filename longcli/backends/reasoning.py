"""Reasoning models' thinking, kept out of every answer: summaries, folds and chat replies.

Models that think aloud wrap it in markup: `<think>…</think>` (DeepSeek-R1, Qwen3, QwQ;
Qwen3's template may open the block itself, so only `</think>` comes back), or channels
(gpt-oss's harmony format: `<|channel|>analysis<|message|>…<|end|>` before
`<|channel|>final<|message|>…`). Qwen3 also echoes its `/think` and `/no_think` switches
at times. The backends strip all of it from what they return (`visible`, and
`ThinkingFilter` for streams), so no caller sees it; the tokens it took still count.

Where the chat template has a switch (`enable_thinking`, Qwen3), in-process calls render
it off; servers are asked the same through `chat_template_kwargs`, which llama-server
and vLLM read and others ignore. A model that thinks anyway is given THINKING_TOKENS more
to generate (within the context), so that its answer is not cut off by its thinking.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

THINKING_TOKENS = 512  # added to max_tokens for a model whose thinking cannot be switched off

_THINK_BLOCK = re.compile(r"<(think|thinking|reasoning)>.*?</\1>\s*", re.DOTALL | re.IGNORECASE)
_THINK_CLOSE = re.compile(r"^.*?</(?:think|thinking|reasoning)>\s*", re.DOTALL | re.IGNORECASE)
_THINK_OPEN = re.compile(r"<(?:think|thinking|reasoning)>.*\Z", re.DOTALL | re.IGNORECASE)
_CHANNEL_FINAL = re.compile(r"<\|channel\|>\s*final\s*<\|message\|>", re.IGNORECASE)
_CHANNEL_OTHER = re.compile(
    r"<\|channel\|>\s*(?:analysis|commentary)\b.*?(?:<\|end\|>|<\|return\|>|(?=<\|start\|>)|\Z)",
    re.DOTALL | re.IGNORECASE,
)
_HARMONY_TOKENS = re.compile(
    r"<\|(?:start|end|return|message|call|constrain)\|>(?:assistant)?|<\|channel\|>\w*",
    re.IGNORECASE,
)
_SWITCH = re.compile(r"(?<![\w/])/(?:no_think|think)\b[ \t]*")
_MARKERS = ("<think", "<thinking", "<reasoning", "</think", "<|channel|>", "/no_think", "/think")


def visible(text: str) -> str:
    """`text` without thinking, channel markup or thinking switches."""
    if not _may_hold_thinking(text):
        return text
    final = _CHANNEL_FINAL.search(text)
    if final:
        text = text[final.end() :]
    text = _CHANNEL_OTHER.sub("", text)
    text = _HARMONY_TOKENS.sub("", text)
    text = _THINK_BLOCK.sub("", text)
    if re.search(r"</(?:think|thinking|reasoning)>", text, re.IGNORECASE):
        text = _THINK_CLOSE.sub("", text)  # the template opened the block in the prompt
    text = _THINK_OPEN.sub("", text)  # cut off while still thinking: nothing to show
    return _SWITCH.sub("", text).strip()


def _may_hold_thinking(text: str) -> bool:
    lowered = text.lower()
    return any(marker in lowered for marker in _MARKERS)


def has_switch(template_source: str | None) -> bool:
    """Whether a chat template can be told not to think (Qwen3's `enable_thinking`)."""
    return bool(template_source) and "enable_thinking" in (template_source or "")


def thinks(template_source: str | None) -> bool:
    """Whether a chat template is a reasoning model's (it mentions thinking markup)."""
    source = template_source or ""
    return "<think>" in source or "</think>" in source or "<|channel|>" in source


HOLD_CHARS = 32  # a stream holds back this much, in case it is the start of markup


class ThinkingFilter:
    """What a stream of pieces shows: the pieces without thinking, as soon as it is safe.

    Text is held back while it might be thinking (after an opening tag, before any closing
    tag when the template opens the block itself, or in a channel other than final) and
    released once it is known to be the answer."""

    def __init__(self, opened: bool = False) -> None:
        self._seen = ""  # everything received
        self._shown = 0  # how much of visible(self._seen) has been yielded
        self._opened = opened  # the prompt opened a <think> block

    def feed(self, piece: str) -> str:
        """The newly visible text after `piece` (may be empty)."""
        self._seen += piece
        lowered = self._seen.lower()
        if self._opened and "</think>" not in lowered:
            return ""
        if "<|channel|>" in lowered and not _CHANNEL_FINAL.search(self._seen):
            return ""
        if re.search(r"<(?:think|thinking|reasoning)>", lowered) and not re.search(
            r"</(?:think|thinking|reasoning)>", lowered
        ):
            return ""
        shown = visible(self._seen)  # the tail is held: it may be the start of markup
        return self._release(shown[: max(0, len(shown) - HOLD_CHARS)])

    def close(self) -> str:
        """What is left to show once the stream has ended."""
        if self._opened and "</think>" not in self._seen.lower():
            return self._release(visible("<think>" + self._seen))
        return self._release(visible(self._seen))

    def _release(self, shown: str) -> str:
        if len(shown) <= self._shown or not shown.startswith(shown[: self._shown]):
            return ""
        new = shown[self._shown :]
        self._shown = len(shown)
        return new


def filtered(pieces: Iterable[str], opened: bool = False) -> Iterator[str]:
    """A stream of pieces without thinking (see ThinkingFilter)."""
    gate = ThinkingFilter(opened)
    for piece in pieces:
        out = gate.feed(piece)
        if out:
            yield out
    rest = gate.close()
    if rest:
        yield rest
