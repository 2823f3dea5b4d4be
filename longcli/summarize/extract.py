"""Nodes chosen without a model: the key sentences of a pool within a budget, none
repeating another's phrase, laid out as --style asks when they are the final summary.

Every node of an extractive run is made here, and every node another method cannot trust
(the fallback of grounding.ask)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from longcli.config import Style
from longcli.grounding.ask import Outcome, truncate_to_tokens
from longcli.grounding.check import repeating
from longcli.grounding.cite import Origins, placed
from longcli.summarize.context import RunContext
from longcli.summarize.pool import LEAD_GROUP, Node, Pool
from longcli.text import fragments
from longcli.text.layout import PART_NUMBER

REPEAT_RETRIES = 3  # choices made again without the sentences that repeat


def extracted(
    ctx: RunContext,
    pool: Pool,
    budget: int,
    final: bool = False,
    outcome: Outcome = Outcome.extractive,
) -> Node:
    """A model-free node: the key sentences of `pool` (within --words and laid out in
    --style when final), without any that repeats an earlier one's phrase."""
    picked = picked_within(ctx, pool, budget, final, reader_length=final)  # what is read
    chosen = [pool.sentences[i] for i in picked]
    origins = [pool.origins[i] for i in picked]
    groups = [pool.groups[i] for i in picked]
    sections = [pool.sections[i] for i in picked] if pool.sections else None
    if final:
        text = styled(chosen, groups, origins, ctx.opts.style, sections, pool.headings)
    else:
        text = truncate_to_tokens(ctx.backend, " ".join(chosen), budget)
    # Known, not guessed from shared words (trace), which gave a sentence of one file
    # to another file's sentence when a heading ran into it: see cite.placed.
    spans = placed(text, chosen, origins)
    rough = frozenset(k for k, i in enumerate(picked) if i in pool.rough)
    units = Pool(chosen, origins, pool.tokens_per_word, groups, None, None, sections, rough,
                 names=pool.names, closes=pool.closes, headings=pool.headings)  # fmt: skip
    return Node(text, ctx.backend.count_tokens(text), spans, outcome, units)


def picked_within(
    ctx: RunContext, pool: Pool, budget: int, final: bool, reader_length: bool = False
) -> list[int]:
    """`pool.indices` within the budget, chosen again without any sentence that repeats
    an earlier one's phrase, so that dropping it does not leave the budget unspent;
    without a model's budget overrun either (the cost per word is an estimate)."""
    skip: frozenset[int] = frozenset()
    for _ in range(REPEAT_RETRIES):
        picked = pool.indices(budget, final, skip, reader_length, whole=final)
        repeats = repeating([pool.sentences[i] for i in picked])
        if not repeats:
            break
        skip |= {picked[k] for k in repeats}
    picked = [p for k, p in enumerate(picked) if k not in repeats]
    leads = [p for p in picked if pool.groups[p] == LEAD_GROUP]
    if pool.closes:
        # the ending its closing sentence is (Pool._closing), often the longest: dropped
        # here, it never reached the final summary (Carmilla ended on "Carmilla did
        # this; so did Millarca.", 65 lines before the book's last paragraph)
        leads += pool.closing_of(picked)
    while not final and len(picked) > len(leads) + 1:
        if ctx.backend.count_tokens(" ".join(pool.sentences[i] for i in picked)) <= budget:
            break
        longest = max((p for p in picked if p not in leads),
                      key=lambda p: len(pool.sentences[p]))  # fmt: skip
        picked.remove(longest)
    return picked


def fallback(ctx: RunContext, pool: Pool, budget: int, final: bool = False) -> Callable[[], str]:
    """The model-free answer a model's call falls back on, made only when needed."""
    return lambda: extracted(ctx, pool, budget, final).text


def styled(
    sentences: list[str],
    groups: list[int],
    origins: Origins,
    style: Style,
    sections: list[str] | None = None,
    headings: Sequence[str] = (),
) -> str:
    """Sentences chosen without a model, laid out as --style asks. An outline's parts are
    the sections their headings name, or else the nodes they came from. `headings`: all
    the text showed, chosen or not."""
    if style == Style.bullets:
        return "\n".join(f"- {s}" for s in sentences)
    if style != Style.outline:
        return fragments.joined(sentences)
    named = sections or [""] * len(sentences)
    titled = 0  # leads above the parts stand alone: "Pride and Prejudice, by Jane Austen."
    while titled < len(groups) and groups[titled] == LEAD_GROUP:
        if named[titled]:
            break
        titled += 1
    if 0 < titled < len(groups) and (any(named) or len(set(groups[titled:])) > 1):
        rest = styled(sentences[titled:], groups[titled:], origins[titled:], style,
                      named[titled:], headings)  # fmt: skip
        return "\n".join(sentences[:titled]) + "\n\n" + rest
    if not any(named):
        groups = _fewer_parts(groups)
    named = _first_numbered(_numbered_parts(named, headings), headings)
    keys = [(name, 0) if name else ("", g) for name, g in zip(named, groups, strict=True)]
    for i in reversed(range(len(keys) - 1)):
        if groups[i] == LEAD_GROUP:  # the lead opens the first part
            keys[i] = keys[i + 1]
    parts: list[str] = []
    several = len({s.source for spans in origins for s in spans}) > 1
    numbered: dict[int, int] = {}  # unnamed parts so far, per input
    within = _within_parts(headings)
    at, book = 0, ""  # where in `headings` the outline is, and the part it is in
    for i, (sentence, key) in enumerate(zip(sentences, keys, strict=True)):
        if i == 0 or key != keys[i - 1]:
            spans = [s for j in range(i, len(keys)) if keys[j] == key for s in origins[j]]
            if key[0]:
                heading = f"{key[0].rstrip('.:')}:"
                at = next((j for j in range(at, len(headings)) if headings[j] == key[0]), at)
                if within and key[0] == headings[at] and within[at] != book:
                    book = within[at]  # "Part II. The Country of the Saints" over its chapters
                    heading = f"{book.rstrip('.:')}\n{heading}" if book else heading
            else:
                source = spans[0].source if spans else 0
                numbered[source] = numbered.get(source, 0) + 1
                heading = _part_heading(source, numbered[source], several)
            parts.append(f"{'' if i == 0 else chr(10)}{heading}")
        parts.append(f"- {sentence}")
    return "\n".join(parts)


# A heading of a part that holds chapters: "PART II.", "Book One", "Volume 2: The Return"
_BOOK = re.compile(
    r"^(?:part|book|volume|tome|livre|teil|parte|libro|часть)\s+[\w.]+", re.IGNORECASE
)


def _within_parts(headings: Sequence[str]) -> list[str]:
    """For each of `headings`, the part heading it stands under ("" before the first),
    when the text is in parts that hold numbered chapters (at least two of them with a
    numbered heading under each); else an empty list: A Study in Scarlet's outline went
    from Part I's chapter VII to Part II's chapter II with no word of the parts."""
    out: list[str] = []
    book = ""
    holding: set[str] = set()  # parts with a numbered heading under them
    for heading in headings:
        if _BOOK.match(heading):
            book = heading
            out.append("")
            continue
        if book and _NUMBERED.match(heading):
            holding.add(book)
        out.append(book)
    return out if len(holding) >= 2 else []


# A part's number alone, as a heading gives it ("II", "Chapter 2", "BOOK II.")
_SECOND = re.compile(r"^(?:(chapter|book|part)\s+)?(II|2)\.?$", re.IGNORECASE)
_FIRST = re.compile(r"^(?:(?:chapter|book|part)\s+)?(?:I|1)\b", re.IGNORECASE)


# A heading that numbers a part: "IV", "12.", "Chapter IV", "II. The Machine", "Kapitel 3"
_NUMBERED = re.compile(rf"^{PART_NUMBER}\b\.?", re.IGNORECASE)
NUMBERED_SHARE = 0.6  # a text whose headings are mostly numbers is in numbered parts
NUMBERED_MIN = 3


def _numbered_parts(named: list[str], headings: Sequence[str]) -> list[str]:
    """`named` with a heading that is no number put under the numbered part it stands in,
    when the text's parts are numbered (at least NUMBERED_MIN, NUMBERED_SHARE of its
    headings): in Ethan Frome a gravestone's "SACRED TO THE MEMORY OF ... FOR FIFTY
    YEARS." stands set apart in chapter IV, and was an outline's part of its own. The
    headings before the first number (a title, a prologue's) and after the last (Silas
    Marner's "CONCLUSION", a new user's walk) stay."""
    numbered = [h for h in headings if _NUMBERED.match(h)]
    if len(numbered) < NUMBERED_MIN or len(numbered) < NUMBERED_SHARE * len(headings):
        return named
    last = max(i for i, h in enumerate(headings) if _NUMBERED.match(h))
    within: dict[str, str] = {}
    part = ""
    for heading in headings[:last]:
        if _NUMBERED.match(heading):
            part = heading
        elif part:
            within[heading] = part
    return [within.get(n, n) for n in named]


def _first_numbered(named: list[str], headings: Sequence[str] = ()) -> list[str]:
    """`named` with the first part called "I" (or "1", "Chapter I" ...) when the parts
    after it are numbered from two and the text never numbered it: Owl Creek Bridge opens
    without its "I", and its title page's "THE MILLENNIUM FULCRUM EDITION, 1988" stood as
    the first part's heading. Not when `headings` (all the text showed) hold the first
    number: Ethan Frome's prologue, before its "I", is no part I."""
    order = list(dict.fromkeys(n for n in named if n))
    if len(order) < 2 or (second := _SECOND.match(order[1])) is None:
        return named
    if _SECOND.match(order[0]) or _FIRST.match(order[0]):
        return named
    if any(_FIRST.match(h) for h in headings):
        return named
    word = f"{second.group(1)} " if second.group(1) else ""
    first = word + ("I" if second.group(2) == "II" else "1")
    return [first if n == order[0] else n for n in named]


# An outline of a text with no headings puts its nodes' sentences in parts of about this
# many: one part per node gave a 250-word essay eleven parts of one sentence each.
PART_SENTENCES = 4


def _fewer_parts(groups: list[int]) -> list[int]:
    """`groups` (one per sentence, in order) with neighbouring groups joined into parts of
    about PART_SENTENCES sentences, as evenly as the groups' own bounds allow."""
    parts = max(1, round(len(groups) / PART_SENTENCES))
    if parts >= len(set(groups)):
        return groups
    out: list[int] = []
    part, previous = 0, None
    for i, g in enumerate(groups):
        # a new part where a group begins, once this one holds its share of the sentences
        if previous is not None and g != previous and i >= (part + 1) * len(groups) / parts:
            part += 1
        out.append(part)
        previous = g
    return out


def _part_heading(source: int, number: int, several: bool) -> str:
    """A part of a text with no chapters or sections there: "Part 3:" (its character
    offsets, which outlines gave before, are no place a reader can find), "input 2, part
    1:" among several inputs, numbered within each; --cite names its lines or pages."""
    return f"input {source + 1}, part {number}:" if several else f"Part {number}:"
