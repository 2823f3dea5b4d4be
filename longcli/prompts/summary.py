"""The prompts of summary calls, built from typed values: a chunk (map), a whole text in
one call (single), summaries merged (merge), a sentence shortened (hybrid) and passages
retold (extract-abstract). Every prompt is the system template, then the user's message;
a retry puts the `stricter` template first."""

from __future__ import annotations

from longcli.calls import Message
from longcli.config import Style
from longcli.prompts.templates import Templates

# extract-abstract's one prompt. Not a template of default.yaml: the claims check it is
# read with (grounding.check_written) is made for exactly this request.
WRITE_PROMPT = """Below are key passages from {where}, in the order they appear. Retell \
what happens in them in at most {words} words of plain prose, in the third person. Name \
the people and places as the passages do. Use only what the passages say: add no reasons, \
opinions, comments or events of your own, and do not address the reader.{instructions}

Passages:
{text}"""


def messages(templates: Templates, content: str, stricter: bool = False) -> list[Message]:
    """`content` as the user's message, after the system prompt (and stricter on a retry)."""
    system = templates.prompts.get("system", "")
    head = [Message("system", system)] if system else []
    if stricter:
        content = templates.prompts["stricter"].strip() + "\n\n" + content
    return [*head, Message("user", content)]


def instructions_text(instructions: str | None) -> str:
    """--instructions as a prompt adds them: " Also: ...", or nothing."""
    return f" Also: {instructions.strip()}" if instructions else ""


def map_prompt(
    templates: Templates,
    text: str,
    previous: str | None,
    words: int,
    instructions: str | None,
    stricter: bool = False,
) -> list[Message]:
    """A chunk summarized in `words`, with the summary of the text before it, if any."""
    content = templates.fill(
        "map_with_context" if previous else "map",
        text=text,
        previous=previous or "",
        words=words,
        instructions=instructions_text(instructions),
    )
    return messages(templates, content, stricter)


def single_prompt(
    templates: Templates,
    text: str,
    words: int,
    style: Style,
    instructions: str | None,
    stricter: bool = False,
) -> list[Message]:
    """A whole text summarized in one call: the final summary, in --words and --style."""
    content = templates.fill(
        "single",
        text=text,
        words=words,
        style=templates.style(style),
        instructions=instructions_text(instructions),
    )
    return messages(templates, content, stricter)


def merge_prompt(
    templates: Templates,
    parts: list[str],
    words: int,
    style: Style | None,
    instructions: str | None,
    stricter: bool = False,
) -> list[Message]:
    """Consecutive summaries merged into one; `style` only for the final merge."""
    content = templates.fill(
        "merge",
        text=labelled(parts),
        words=words,
        style=templates.style(style) if style is not None else "",
        instructions=instructions_text(instructions),
    )
    return messages(templates, content, stricter)


def labelled(parts: list[str]) -> str:
    """Summaries as a merge reads them: "Part 1:", its text, a blank line, "Part 2:"..."""
    return "\n\n".join(f"Part {i}:\n{p.strip()}" for i, p in enumerate(parts, 1))


def shorten_prompt(templates: Templates, sentence: str) -> list[Message]:
    """Hybrid: one sentence, to be shortened by deleting words."""
    return messages(templates, templates.fill("shorten", text=sentence))


def write_prompt(
    templates: Templates,
    passages: list[str],
    sections: list[str],
    words: int,
    instructions: str | None,
    stricter: bool = False,
) -> list[Message]:
    """Extract-abstract: a part's passages retold in `words`, naming the sections (chapters,
    headings) they come from; --instructions and the language to write in follow."""
    names = [n.strip().rstrip(".:") for n in dict.fromkeys(sections) if n.strip()]
    if len(names) > 1:
        where = f'the parts "{names[0]}" to "{names[-1]}" of a longer text'
    else:
        where = f'the part "{names[0]}" of a longer text' if names else "a longer text"
    extra = instructions_text(instructions) + templates.language_instruction()
    content = WRITE_PROMPT.format(
        where=where, words=words, instructions=extra, text="\n".join(passages)
    )
    return messages(templates, content, stricter)


def fixed_prompt(
    templates: Templates, name: str, words: int, style: Style, instructions: str | None
) -> list[Message]:
    """A summary template with no text in it: what a call of that kind costs besides its
    text, for the budgets."""
    content = templates.fill(
        name,
        text="",
        previous="",
        words=words,
        style=templates.style(style),
        instructions=instructions_text(instructions),
    )
    return messages(templates, content)
