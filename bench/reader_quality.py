"""A reader's bench: what a person reading a longcli summary notices, per document.

ROUGE (bench/summarize_quality.py) says how many words a summary shares with a human
one; it does not see a sentence cut in half, a Markdown table row, a licence paragraph or
a dropped "not". This bench counts those, per document and method:

- fragments: summary sentences that are not whole sentences: they start lower-case
  (unless the source sentence does, as "longcli does not.") or with closing punctuation,
  end without sentence punctuation, on a dangling word ("with", "the") or mid-list
  ("PDF, EPUB,"), leave a bracket open, are under 4 words with no lower-case word after
  the first ("Strike.", "Really?"), or join pieces of two source sentences;
- debris: Markdown headings, list markers, table rows, other markup (**, _x_,
  [Illustration, HTML tags, Aozora Bunko's 《ruby》 and ［＃notes］), code, URLs and links,
  reference-list entries (and a Wikipedia citation's "Archived from the original"), licence
  boilerplate, page furniture (page numbers, running heads, a heading glued to a
  sentence), hyphenation debris ("exam- ple"), stray quote marks, lost exponents ("R n");
- meaning changes: a summary sentence that is a shortening of its source sentence, where
  the deleted words hold a negation, a number or a name, or are not a whole clause
  (not set off by , ; : ( ) dashes or the sentence's end);
- title named, tenths of the source (of a Project Gutenberg file: its body, less the licence)
  represented, the ending (a sentence from the body's last 5%) and the final scene (its last
  1%), the source's 5 most frequent names
  present (names are found by their capitals: none for Chinese or Japanese), and length
  against --words (CJK counted in characters);
- leaning: summary sentences opening with a third person's pronoun ("He lay where he had
  fallen") whose source sentence before is not the summary sentence before (who "he" is
  was left out; English pronouns);
- talk: summary sentences that are lines of dialogue (opening with a quotation mark, or
  most of their words inside quotation marks, straight or curly, double or single): they
  say little to someone who has not read the scene;
- near-duplicates: summary sentences that repeat most of an earlier summary sentence's
  content words, CJK by pairs of characters (a reader reads the same thing twice);
- for the long works of bench/works.py, the author named as well.

Every summary sentence is aligned to its closest source sentence (most words in order,
a word-level longest common subsequence), which feeds meaning changes and tenths.

    python bench/reader_quality.py                          # all documents, extractive + auto
    python bench/reader_quality.py --stories 3 --methods extractive --show
    python bench/reader_quality.py --methods extractive,auto --docs stories,readme --json
    python bench/reader_quality.py --smoke                  # seconds, built-in text, for CI
    python bench/reader_quality.py --docs works-tune,works-heldout --methods extractive

The long works (bench/works.py fetch) come in two halves: `works-tune`, the works rules may
be tuned on, and `works-heldout`, reported but not read: --show prints no held-out summary
unless --show-heldout is given too. The kinds are in the default --docs only when cached.

Each summary comes from `python -m longcli summarize FILE --format json -q` in a fresh
process with its own empty LONGCLI_CACHE_DIR, so seconds include start-up (~2 s) and no
cached model calls. The metric functions are pure and importable.

Data: ../shared/data (SQuALITY dev stories: Project Gutenberg texts, summaries CC BY 4.0;
Pride and Prejudice; the sample PDFs and EPUB, CC-BY-SA; two Chinese Markdown articles in
zh/, read at --words and at 60), this repository's README.md, and the long works that
bench/works.py fetches into its cache.
"""

from __future__ import annotations

import argparse
import bisect
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from xml.etree import ElementTree

from longcli.text import vocabulary
from longcli.text.keysentences import LEANS_BACK  # the rule's own definition
from longcli.text.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
SHARED_KINDS = ("stories", "novel", "epub", "pdf", "readme", "zh")
ZH_DOCS = ("long-context-overview.md", "long-term-context.md")  # ../shared/data/zh: Markdown
ZH_SHORT_WORDS = 60  # the zh articles are read at --words and at this (issue 31's example)
WORK_KINDS = ("works-tune", "works-heldout")  # bench/works.py's two halves
DOC_KINDS = SHARED_KINDS + WORK_KINDS
# Not readable by design (shared/data/docs/README.md): no text layer, encrypted.
SKIPPED_DOCS = frozenset({"imagemagick-images.pdf", "libreoffice-writer-password.pdf"})

MIN_WORDS = 4  # fewer, with no lower-case word after the first: "Strike.", "Really?"
SOURCE_SENTENCE_MAX_WORDS = 400  # whole sentences for alignment, yet a bounded LCS
EXTRACTED_SHARE = 0.9  # this share of a summary sentence's words, in order: from the source
ALIGNED_SHARE = 0.5  # at least this: the sentence counts for the tenth it comes from
SPLICE_PIECE_SHARE = 0.8  # a leftover piece this well aligned elsewhere: a second sentence
CANDIDATES = 8  # source sentences sharing most rare words, compared word by word
TOP_NAMES = 5
PARTS = 10
NEAR_DUPLICATE_SHARE = 0.7  # this share of the shorter sentence's content words: a repeat
NEAR_DUPLICATE_MIN_WORDS = 3  # fewer content words cannot say the same thing twice
WRAPPED_LINE_CHARS = 50  # a line this long, ending in a letter, is hard-wrapped prose
RUN_TIMEOUT_S = 3600

# -- words --------------------------------------------------------------------------------

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]|[—–]|[^\s{_CJK}—–]+")  # a dash is a token: "out—as"
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")  # "_her_" (Gutenberg italics) is "her"
_WORDS = re.compile(r"[^\W_]+")
_END_PUNCT = ".!?…。！？"
_CLOSERS = "\"'”’)]}*_`»"
_OPENERS = "\"'“‘([{*_`«"
_BOUNDARY = ",;:—–(){}[]-"  # punctuation that sets off a clause or an aside

# longcli's own stop words (text/vocabulary.py), less the chat's request words and with two
# interjections that dialogue makes frequent: not names.
STOPWORDS = (vocabulary.STOPWORDS - {"remind", "tell", "know", "said", "say", "please"}) | {
    "oh",
    "yes",
}
_ARTICLES = frozenset("a an the".split())
_DANGLING = _ARTICLES | frozenset(
    """and or but nor of to in on at by for with from into onto upon than that which whose
    as if because while although though whether his her their its my our your this these
    those very""".split()
)
_NEGATIONS = frozenset(
    """not no never nor without neither none cannot nothing nobody nowhere
    不 没 無 无 非 未 别""".split()
)
_NUMBER_WORDS = frozenset(
    """two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred thousand million billion dozen""".split()
)
_HONORIFICS = frozenset(
    "mr mrs miss ms dr sir madam lady lord st mister captain colonel i i'm i'll i've i'd".split()
)
_SUBORDINATORS = frozenset(
    """when whenever if unless because since although though while whilst after before until
    till once whereas""".split()
)
_LEADING_CONNECTIVES = frozenset("and but so then yet also still now well however".split())
_GENERIC_HEADINGS = frozenset(
    {"contents", "table of contents", "abstract", "introduction", "preface", "foreword", "index"}
)
_CREDIT_LINE = re.compile(
    r"produced by|proofreading|transcriber|https?://|www\.|gutenberg|e-?book", re.IGNORECASE
)


def tokens(text: str) -> list[str]:
    """Whitespace-separated tokens, every CJK character a token of its own."""
    return _TOKEN.findall(text)


def token_key(token: str) -> str:
    """A token compared case- and punctuation-blind; punctuation alone stays itself."""
    key = _EDGE_PUNCT.sub("", token.replace("’", "'").lower())
    return key or token


def _is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def _word_count(text: str) -> int:
    return sum(1 for t in tokens(text) if _is_word(t))


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _END_PUNCT


# -- fragments ----------------------------------------------------------------------------

_LEADING_MARKUP = re.compile(r"^(?:\s|#{1,6}\s|[-*•+]\s|\d{1,3}[.)]\s|[\"“‘'(\[*_«])*")


def fragment_reasons(
    sentence: str,
    *,
    author_lowercase: bool = False,
    starts_mid: bool = False,
    spliced: bool = False,
    authored_end: bool = False,
) -> list[str]:
    """Why `sentence` is not a whole sentence to a reader ([] when it is).

    From the alignment with the source: `author_lowercase`, its source sentence itself
    starts with this lower-case word after a finished sentence ("longcli does not.");
    `starts_mid`, it starts inside a clause of its source sentence ("Earthman to go near
    the place."); `spliced`, it joins pieces of two source sentences; `authored_end`, it
    ends where its source sentence ends, so a last "an" is the author's ("Wüllersdorf sah
    Innstetten an.", German), not a cut.
    """
    text = sentence.strip()
    reasons: list[str] = []
    if not text:
        return reasons
    if text[0] in "”’)]}.,;:!?" or text.startswith(("—", "–", "--")):
        reasons.append(f"starts with {text[0]!r}")
    else:
        body = _LEADING_MARKUP.sub("", text)
        if body[:1].islower() and not author_lowercase and not text.startswith("`"):
            reasons.append("starts lower-case")
        elif starts_mid:
            reasons.append("starts mid-sentence")
    words = [t for t in tokens(text) if _is_word(t)]
    last = token_key(words[-1]) if words else ""
    if not _ends_sentence(text):
        if text.rstrip(_CLOSERS).endswith(",") and text[-60:].count(",") >= 3:
            reasons.append("cut mid-list")
        elif last in _DANGLING:
            reasons.append(f"ends on {last!r}")
        else:
            reasons.append("no end punctuation")
    elif last in _ARTICLES and not authored_end:
        reasons.append(f"ends on {last!r}")
    for opener, closer in ("()", "[]", "{}"):
        if text.count(opener) != text.count(closer):
            reasons.append(f"unbalanced {opener}{closer}")
            break
    if len(words) < MIN_WORDS and not any(w[:1].islower() for w in words[1:]):
        reasons.append(f"{len(words)} word{'s' if len(words) != 1 else ''}")
    if spliced:
        reasons.append("joins pieces of two source sentences")
    return reasons


# -- debris -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Furniture:
    """A source's page furniture: lone page numbers, repeated short lines (running heads)
    and heading lines, which a summary should not glue into its sentences."""

    page_numbers: frozenset[str] = frozenset()
    running_heads: frozenset[str] = frozenset()
    headings: frozenset[str] = frozenset()


NO_FURNITURE = Furniture()

_LICENCE = re.compile(
    r"\bGutenberg\b|\be-?books?\b|\bcopyright(?:ed|s)?\b|\blicen[cs](?:e|ed|es|ing)\b"
    r"|\bpublic domain\b|(?-i:\bProduced by\b)|distributed proofreading"
    r"|transcriber['’]s note|\betexts?\b|\*\*\*\s*(?:start|end) of|\ball rights reserved\b"
    r"|\btrademark\b|\bCC[- ]BY\b"
    r"|版权声明|版权所有|正版图书|电子书",  # a Chinese download site's notice ("buy the real book")
    re.IGNORECASE,
)
_DEBRIS_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("heading", re.compile(r"(?:^|\s)#{1,6}\s+\S|\b(?:CHAPTER|SECTION|Chapter) [IVXLC\d]+\b")),
    ("list marker", re.compile(r"(?:^|[.!?:]\s+)(?:[-*•+]|\d{1,3}[.)])\s+\S")),
    ("table", re.compile(r"\|")),
    (
        "markup",
        re.compile(
            r"\*\*|__|(?<![\w*])\*(?=\S)[^*]+(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)[^_]+(?<=\S)_(?!\w)"
            r"|\[(?:Illustration|Footnote|Sidenote|Image|Figure)\b|<[a-zA-Z/][^>]*>|&[a-z]+;"
            r"|[{}^]"
            # Aozora Bunko: ruby readings in kana 漢字《かんじ》 (a Chinese 《title》 is
            # in hanzi), ｜ where ruby starts, ［＃editor's notes］
            r"|《[\u3040-\u30ffー・]+》|｜|［＃[^］]*］"
        ),
    ),
    (
        "code",
        re.compile(
            r"```|(?:^|\s)--[a-z]+-[a-z][\w-]*|(?:^|\s)--[a-z][\w-]*(?:=|\s+\d)"
            r"|\b(?:pip|npm) install\b|\bpython3? -[mc]\b"
            r"|\b[a-z_]\w*(?:\.[a-z_]\w*)*\((?:\)|[^)]*[=,'\"][^)]*\))|==|!=|:=|=>|->"
            r"|^\s*(?:def|class|import|return)\s+\w|\b[\w-]+/[\w/.-]+\.(?:py|sh|js|json|ya?ml|toml)\b"
        ),
    ),
    (
        "url",
        re.compile(
            r"https?://|\bwww\.|\]\(|\b[\w.-]+@[\w-]+\.[a-z]{2,}"
            r"|\b[\w-]+\.(?:com|org|net|io|edu|gov|dev)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "reference",
        re.compile(
            r"\bet al\.|\bProc\.|\bProceedings of\b|\bdoi:|\bdoi\.org\b|\barXiv\b|\bISBN\b"
            r"|\bpp\.\s?\d|\bvol\.\s?\d|[A-Z][\w.]*,?\s\(\d{4}[a-z]?\)\.|\b\d+\(\d+\),?\s?\d+[–-]\d+"
            r"|^\[\d{1,3}\]\s"
            # a Wikipedia citation's tail: "Archived from the original on 9 November 2011."
            r"|\bArchived from the original\b|^Retrieved (?:\d{1,2} )?[A-Z][a-z]+ \d"
        ),
    ),
    ("licence", _LICENCE),
    ("hyphenation", re.compile(r"\b[A-Za-z]{2,}- (?!(?:and|or|to|nor|as|but)\b)[a-z]{2,}\b")),
    ("exponent", re.compile(r"(?<![\w'’.])[B-HJ-Zb-z] (?:[nmk2-9]|[−-]1)(?=[\s.,;:)]|$)")),
]
_BIBLIOGRAPHY = re.compile(
    r"^[A-Z][\w'’-]+, (?:[A-Z][a-z]+|[A-Z]\.)(?: (?:[A-Z][a-z]+|[A-Z]\.))*, "
)


def _is_bibliography_entry(sentence: str) -> bool:
    """'Baum, L. Frank, The Wizard of Oz.': surname first, then a mostly capitalised title."""
    if not _BIBLIOGRAPHY.match(sentence):
        return False
    words: list[str] = [w for w in _WORDS.findall(sentence) if w.lower() not in STOPWORDS]
    return sum(w[0].isupper() for w in words) >= 0.7 * len(words)


_CODE_SPAN = re.compile(r"`[^`\n]+`")
CODE_SHARE = 1 / 3  # a sentence this much inside `code spans` is code, not prose


def _code_heavy(sentence: str) -> bool:
    """An unmatched backtick, or a sentence mostly made of `code spans`. An identifier or an
    option in backticks inside prose ("pass `--prompt-file`") is not debris."""
    if sentence.count("`") % 2:
        return True
    inside = sum(len(m.group()) for m in _CODE_SPAN.finditer(sentence))
    return inside >= CODE_SHARE * len(sentence)


def _stray_quotes(sentence: str) -> bool:
    return sentence.count('"') % 2 == 1 or sentence.count("“") != sentence.count("”")


def _furniture_kinds(sentence: str, furniture: Furniture, head: str) -> list[str]:
    kinds: list[str] = []
    words = sentence.split()
    if not words:
        return kinds
    glued = head in furniture.headings or (
        sentence in furniture.headings and not _ends_sentence(sentence)
    )
    first, last = words[0], words[-1].rstrip(".")
    lone = all(w.isdigit() for w in words)
    leading = first in furniture.page_numbers and words[1:2] != [] and words[1][:1].isupper()
    trailing = last in furniture.page_numbers and not _ends_sentence(sentence)
    if lone or (leading and not glued) or trailing:
        kinds.append("page number")
    if any(re.search(rf"(?<!\w){re.escape(h)}(?!\w)", sentence) for h in furniture.running_heads):
        kinds.append("running head")
    if glued:
        kinds.append("heading glued on")
    return kinds


def debris_kinds(sentence: str, furniture: Furniture = NO_FURNITURE, head: str = "") -> list[str]:
    """The kinds of non-prose debris in one summary sentence ([] when it is clean prose).

    `head`: the words before the part of the sentence found in its source sentence; a
    heading of the source there is a heading glued onto a sentence ("8 Bar Hello, ...").
    """
    prose = _CODE_SPAN.sub("x", sentence)
    kinds = [
        name
        for name, pattern in _DEBRIS_PATTERNS
        if pattern.search(prose if name in ("code", "markup") else sentence)
    ]
    if "code" not in kinds and _code_heavy(sentence):
        kinds.append("code")
    if "reference" not in kinds and _is_bibliography_entry(sentence):
        kinds.append("reference")
    if _stray_quotes(sentence):
        kinds.append("stray quote")
    kinds += _furniture_kinds(sentence, furniture, head)
    return kinds


_LONE_NUMBER = re.compile(r"^\s*(\d{1,4})\s*$")


def _heading_like(line: str, previous: str, following: str) -> bool:
    words = line.split()
    if not 1 <= len(words) <= 8 or not any(ch.isalpha() for ch in line):
        return False
    if line[-1] in _END_PUNCT + ",;:\"'”’)" or line.lower() in _GENERIC_HEADINGS:
        return False
    if previous and previous[-1] not in _END_PUNCT + ':"”’':
        return False  # a line inside a wrapped paragraph
    if following and following[0].islower():
        return False
    lettered = [w for w in words if w[0].isalpha()]
    capitalised = sum(w[0].isupper() for w in lettered)
    numbered = words[0][0].isdigit() and len(words) > 1 and words[1][:1].isupper()
    return numbered or line.startswith("#") or capitalised >= 0.5 * max(len(lettered), 1)


def page_furniture(source: str) -> Furniture:
    """Lone page numbers, running heads (short lines repeated 3 times or more, page numbers
    aside) and heading lines of `source`."""
    lines = [line.strip() for line in source.splitlines()]
    numbers = {m.group(1) for line in lines if (m := _LONE_NUMBER.match(line))}
    normal = Counter(
        " ".join(re.sub(r"\d+", " ", line).split())
        for line in lines
        if line and not line.startswith(("```", "|", "#", "[", "-", "*"))
    )
    heads = {
        head
        for head, n in normal.items()
        if n >= 3
        and 2 <= len(head.split()) <= 10
        and any(ch.isalpha() for ch in head)
        and head[-1] not in _END_PUNCT + '"”’'
    }
    headings = set()
    for i, line in enumerate(lines):
        previous = lines[i - 1] if i else ""
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if line and _heading_like(line, previous, following):
            headings.add(line.lstrip("# ").strip())
    return Furniture(frozenset(numbers), frozenset(heads), frozenset(headings - {""}))


# -- alignment and meaning changes ---------------------------------------------------------


def _lcs_pairs(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """Index pairs of a longest common subsequence of `a` and `b`, later matches first
    preferred (so a repeated "Mr." matches where the rest of the sentence does)."""
    n, m = len(a), len(b)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n):
        row, below = table[i], table[i + 1]
        ai = a[i]
        for j in range(m):
            below[j + 1] = row[j] + 1 if ai == b[j] else max(row[j + 1], below[j])
    pairs: list[tuple[int, int]] = []
    i, j = n, m
    while i and j:
        if a[i - 1] == b[j - 1]:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif table[i - 1][j] >= table[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


_LINK = re.compile(r"\[([^\]\n]+)\]\([^)\s]*\)")
_EMPHASIS = re.compile(r"\*\*|__")
_ITEM = re.compile(r"^([ \t]*)(?:[-*+•]|#{1,6})[ \t]+", re.MULTILINE)


def plain(text: str) -> str:
    """`text` without Markdown links' targets, bold markers, list markers and heading marks,
    which a summarizer may drop without changing a word: so alignment compares words."""
    return _ITEM.sub(r"\1", _EMPHASIS.sub("", _LINK.sub(r"\1", text)))


def _word_keys(text: str) -> list[str]:
    return [token_key(t) for t in tokens(plain(text))]


def _deleted_runs(short: str, original: str) -> list[tuple[int, int]] | None:
    """The runs [start, end) of `original`'s tokens deleted to make `short`, when `short` is
    a shortening of it (its words in order, with something deleted); else None."""
    kept_keys, whole = _word_keys(short), tokens(plain(original))
    whole_keys = [token_key(t) for t in whole]
    kept_words = [k for k in kept_keys if _is_word(k)]
    if len(kept_words) < 3:
        return None
    pairs = _lcs_pairs(kept_keys, whole_keys)
    matched_words = sum(1 for i, _ in pairs if _is_word(kept_keys[i]))
    if matched_words < EXTRACTED_SHARE * len(kept_words):
        return None
    used = {j for _, j in pairs}
    runs: list[tuple[int, int]] = []
    j = 0
    while j < len(whole):
        if j in used:
            j += 1
            continue
        start = j
        while j < len(whole) and j not in used:
            j += 1
        if any(_is_word(t) for t in whole[start:j]):
            runs.append((start, j))
    return runs or None


def _sentence_initial(words: Sequence[str], i: int) -> bool:
    return i == 0 or words[i][0] in _OPENERS or words[i - 1][-1] in _END_PUNCT + ':"“”—('


def _is_name(words: Sequence[str], i: int) -> bool:
    key = token_key(words[i])
    return (
        key[:1].isalpha()
        and _EDGE_PUNCT.sub("", words[i])[:1].isupper()
        and not _sentence_initial(words, i)
        and key not in _HONORIFICS
        and key not in STOPWORDS
    )


def _run_reasons(whole: list[str], start: int, end: int) -> list[str]:
    run = whole[start:end]
    keys = [token_key(t) for t in run]
    said = " ".join(run)
    reasons = []
    at_start, at_end = start == 0, not any(_is_word(t) for t in whole[end:])
    # A run split off at a full stop, semicolon or colon is a statement of its own: what is
    # kept says what it said, so only an aside deleted from inside it can change that.
    separate = (at_end and whole[start - 1].rstrip(_CLOSERS)[-1:] in _END_PUNCT + ";:") or (
        at_start and run[-1].rstrip(_CLOSERS)[-1:] in _END_PUNCT + ";:"
    )
    if not separate:
        negations = [k for k in keys if k in _NEGATIONS or k.endswith("n't")]
        if negations:
            reasons.append(f"drops negation {negations[0]!r}")
        numbers = [k for k in keys if any(ch.isdigit() for ch in k) or k in _NUMBER_WORDS]
        if numbers:
            reasons.append(f"drops number {numbers[0]!r}")
        names = [run[i - start] for i in range(start, end) if _is_name(whole, i)]
        if names:
            name = re.match(r"[\w'’-]+", _EDGE_PUNCT.sub("", names[0]))
            reasons.append(f"drops name {name.group() if name else names[0]!r}")
    left = (
        at_start
        or whole[start - 1].rstrip(_CLOSERS)[-1:] in _BOUNDARY
        or run[0][0] in "([{—–"
        or run[0] in ("-", "--")
    )
    right = (
        at_end
        or run[-1].rstrip(_CLOSERS)[-1:] in _BOUNDARY + _END_PUNCT
        or whole[end][0] in ",;:)]}—–"
        or whole[end] in ("-", "--")
    )
    if at_start and not right and len(keys) == 1 and keys[0] in _LEADING_CONNECTIVES:
        right = True  # "Then he saw the gun" -> "He saw the gun"
    if not (left and right):
        where = "cut off mid-clause" if at_end else "deletes mid-clause"
        reasons.append(f"{where}: [{said[:60]}{'…' if len(said) > 60 else ''}]")
    elif at_end and not separate and start >= 2:
        opener, before = _last_clause(whole, start)
        if opener in _SUBORDINATORS:
            reasons.append(f"leaves '{opener} …' without its main clause")
        elif before in _DANGLING:
            reasons.append(f"leaves '{before}, …' unfinished")  # "and, with reference to …,"
    return reasons


def _last_clause(whole: list[str], start: int) -> tuple[str, str]:
    """The first word of the clause that ends just before `whole[start]`, and the last word
    before that clause (after which a comma opened it)."""
    i = start - 2
    while i >= 0 and whole[i].rstrip(_CLOSERS)[-1:] not in _BOUNDARY + _END_PUNCT:
        i -= 1
    before = token_key(whole[i]) if i >= 0 and whole[i].endswith(",") else ""
    return token_key(whole[i + 1]), before


def meaning_changes(short: str, original: str) -> list[str]:
    """Why shortening `original` to `short` may change what it says ([] if it cannot, or
    `short` is not a shortening of `original`): deleted words holding a negation, a number
    or a name, or a deletion that is not a whole clause set off by punctuation."""
    runs = _deleted_runs(short, original)
    if not runs:
        return []
    whole = tokens(plain(original))
    reasons: list[str] = []
    for start, end in runs:
        reasons += [r for r in _run_reasons(whole, start, end) if r not in reasons]
    return reasons


def marked_deletions(short: str, original: str) -> str:
    """`original` with the words deleted to make `short` in ⟦ ⟧, for a developer to read."""
    whole = tokens(plain(original))
    runs = _deleted_runs(short, original) or []
    for start, end in reversed(runs):
        whole[start:end] = ["⟦" + " ".join(whole[start:end]) + "⟧"]
    return " ".join(whole)


@dataclass
class SourceIndex:
    """A source's whole sentences, with an inverted index of their words, for alignment."""

    text: str
    sentences: list[tuple[int, str]]  # (start offset, text on one line)
    ends: list[int]  # end offset of each sentence
    keys: list[list[str]]
    postings: dict[str, list[int]]
    idf: dict[str, float]


def index_source(text: str) -> SourceIndex:
    """Index `text`'s sentences (long ones kept whole, up to 400 words) for `align`."""
    found = split_sentences(text, max_words=SOURCE_SENTENCE_MAX_WORDS)
    sentences = [(s.start, s.text) for s in found]
    keys = [_word_keys(s) for _, s in sentences]
    postings: dict[str, list[int]] = {}
    for i, ks in enumerate(keys):
        for k in set(ks):
            if _is_word(k):
                postings.setdefault(k, []).append(i)
    n = max(len(sentences), 1)
    idf = {k: math.log(1 + n / len(ids)) for k, ids in postings.items()}
    return SourceIndex(text, sentences, [s.end for s in found], keys, postings, idf)


@dataclass(frozen=True)
class Alignment:
    """A summary sentence's closest source sentence."""

    source: int  # index into SourceIndex.sentences
    start: int  # character offset of that sentence in the source
    share: float  # share of the summary sentence's words found in it, in order
    coverage: float  # share of the source sentence's words found in the summary sentence
    first: int  # the source sentence's first token found in the summary sentence
    unmatched_head: int  # words of the summary sentence before the first matched one
    unmatched_tail: int  # and after the last


def align(sentence: str, index: SourceIndex) -> Alignment | None:
    """The source sentence holding most of `sentence`'s words in order, or None."""
    keys = _word_keys(sentence)
    words = [k for k in keys if _is_word(k)]
    if not words or not index.sentences:
        return None
    scores: dict[int, float] = {}
    for k in set(words):
        for i in index.postings.get(k, ()):
            scores[i] = scores.get(i, 0.0) + index.idf[k]
    # Most rare words shared first; among equals, the shortest ("A little." itself, not
    # every sentence that ends with "a little.").
    ranked = sorted(scores, key=lambda i: (-round(scores[i], 6), len(index.keys[i])))
    best: tuple[float, float, int, list[tuple[int, int]]] | None = None
    for i in ranked[:CANDIDATES]:
        bound = len(set(words) & set(index.keys[i]))
        if best and bound < best[0] * len(words):
            continue
        pairs = _lcs_pairs(keys, index.keys[i])
        matched = sum(1 for a, _ in pairs if _is_word(keys[a]))
        share = matched / len(words)
        coverage = matched / max(sum(1 for k in index.keys[i] if _is_word(k)), 1)
        if best is None or (share, coverage) > best[:2]:
            best = (share, coverage, i, pairs)
    if best is None or not best[3]:
        return None
    share, coverage, i, pairs = best
    head = sum(1 for k in keys[: pairs[0][0]] if _is_word(k))
    tail = sum(1 for k in keys[pairs[-1][0] + 1 :] if _is_word(k))
    return Alignment(i, index.sentences[i][0], share, coverage, pairs[0][1], head, tail)


def unmatched_ends(sentence: str, alignment: Alignment) -> tuple[str, str]:
    """The text of `sentence` before and after the part found in its source sentence."""
    spans = [m.span() for m in _TOKEN.finditer(sentence) if _is_word(m.group())]
    head = tail = ""
    if alignment.unmatched_head:
        head = sentence[: spans[alignment.unmatched_head - 1][1]].strip()
    if alignment.unmatched_tail:
        tail = sentence[spans[-alignment.unmatched_tail][0] :].strip()
    return head, tail


def _spliced(sentence: str, head: str, tail: str, alignment: Alignment, index: SourceIndex) -> bool:
    """Whether a piece of the sentence left outside its alignment (2 words or more) comes
    from another source sentence, and either one of the two is only part of its sentence
    or they meet without a full stop ("Mr. Bingley had soon made himself Mr. Darcy danced
    ...", "a flood of xopa Outside, the last doorway"). Two whole sentences the summary
    did not split apart are not a fragment."""
    for piece, before in ((head, head), (tail, sentence[: len(sentence) - len(tail)])):
        words = _word_count(piece)
        if words < 2:
            continue
        other = align(piece, index)
        needed = 1.0 if words < 3 else SPLICE_PIECE_SHARE
        if not other or other.source == alignment.source or other.share < needed:
            continue
        stop = before.rstrip(" \t\n" + _CLOSERS + _OPENERS)
        joined = not stop or stop[-1] not in _END_PUNCT + ":;—–-"
        if joined or min(alignment.coverage, other.coverage) < EXTRACTED_SHARE:
            return True
    return False


def _starts_mid(index: SourceIndex, alignment: Alignment) -> bool:
    """Whether the summary sentence starts inside a clause of its source sentence: after a
    word that is not followed by punctuation (a leading "And" or "Then" aside), or at the
    start of a source sentence that is itself cut ("... the ancient city of | Kal-Jmar")."""
    if alignment.unmatched_head:
        return False
    i, j = alignment.source, alignment.first
    if j == 0:
        return i > 0 and _cut_before(index.sentences[i - 1][1])
    start = index.sentences[i][0]
    raw = plain(index.text[start : index.ends[i]])
    spans = [m.span() for m in _TOKEN.finditer(raw)]
    if "\n" in raw[spans[j - 1][1] : spans[j][0]]:
        # At a line start: a cut only if the line before breaks off, or is wrapped prose
        # (long, ending in a letter) and this line is not a table row, list item or code.
        previous = raw[: spans[j][0]].rstrip().rsplit("\n", 1)[-1].strip()
        wrapped = len(previous) >= WRAPPED_LINE_CHARS and previous[-1].isalpha()
        return _cut_before(previous) or (wrapped and raw[spans[j][0]] not in "|-*#>`+")
    whole = tokens(plain(index.sentences[i][1]))
    if j == 1 and token_key(whole[0]) in _LEADING_CONNECTIVES:
        return False
    return whole[j - 1].rstrip(_CLOSERS)[-1:] not in _BOUNDARY + _END_PUNCT


def _cut_before(text: str) -> bool:
    """Whether `text` stops where a sentence cannot: after a comma or a dangling word."""
    text = text.rstrip().rstrip(_CLOSERS)
    if text.endswith(","):
        return True
    return text[-1:].isalnum() and token_key(text.split()[-1]) in _DANGLING


def _author_lowercase(index: SourceIndex, alignment: Alignment, sentence: str) -> bool:
    """Whether the source sentence starts with the same lower-case word after a finished
    sentence (the author's choice, as "longcli does not."), not after a cut."""
    i = alignment.source
    first = index.keys[i][0] if index.keys[i] else ""
    if first != (_word_keys(sentence) or [""])[0]:
        return False
    return i == 0 or _ends_sentence(index.sentences[i - 1][1])


# -- title, tenths, names, length -----------------------------------------------------------

_PG_TITLE = re.compile(r"^Title:\s*(.+)$", re.MULTILINE)
_MD_TITLE = re.compile(r"^# +(.+?)\s*#*$", re.MULTILINE)
_FENCED = re.compile(r"^[ \t]*```.*?^[ \t]*```[^\n]*$", re.MULTILINE | re.DOTALL)
_MD_HEADING = re.compile(r"^#{1,6} +(.+?)\s*#*$", re.MULTILINE)


def document_title(text: str) -> str | None:
    """The title a reader sees: a Project Gutenberg 'Title:' line, else the first Markdown
    '# ' heading, else the first of the first five lines that looks like a title (short,
    not a sentence, not a production credit or a generic heading such as 'Contents')."""
    head = _FENCED.sub("", text[:20000])  # "# load the model" in a code block is no title
    for pattern in (_PG_TITLE, _MD_TITLE):
        match = pattern.search(head)
        if match:
            return match.group(1).strip()
    first = next((line for line in head.splitlines() if line.strip()), "")
    if heading := _MD_HEADING.match(first.strip()):  # no H1: a first "## " heading is the title
        return heading.group(1).strip()
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    for line in lines[:5]:
        if _CREDIT_LINE.search(line) or line.lower() in _GENERIC_HEADINGS:
            continue
        words = line.split()
        if len(words) <= 12 and words[0][0].isalpha() and line[-1] not in ".,;:!?":
            return line
    return None


def title_named(summary: str, titles: Sequence[str]) -> bool | None:
    """Whether the summary names one of the titles: all of it, or all its main words
    (case-blind). None when the document has no title."""
    titles = [t for t in titles if t and t.strip()]
    if not titles:
        return None
    lowered = " ".join(summary.lower().split())
    present = set(_WORDS.findall(lowered))
    for title in titles:
        normal = " ".join(title.lower().split())
        if normal in lowered:
            return True
        words = _WORDS.findall(normal)
        main = [w for w in words if w not in STOPWORDS] or words
        if main and not _CJK_CHAR.search(normal) and all(w in present for w in main):
            return True
    return False


_PG_START = re.compile(r"^\s*\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG.*$", re.I | re.M)
_PG_END = re.compile(r"^\s*(?:\*{3}\s*)?END OF (?:THE |THIS )?PROJECT GUTENBERG", re.I | re.M)


def body_span(text: str) -> tuple[int, int]:
    """Where the work itself lies: between a Project Gutenberg file's START and END lines
    (its licence, a fifth of a short book, is no part a reader wants represented), else
    the whole text."""
    start = _PG_START.search(text)
    begin = start.end() if start else 0
    end = _PG_END.search(text, begin)
    return begin, end.start() if end else len(text)


ENDING_SHARE = 0.05  # the ending: the body's last 5% (a novel's last chapter or epilogue)
# the final scene: the body's last 1% (Carton's "far, far better thing" in A Tale of Two
# Cities, the creature lost in darkness in Frankenstein; the last 5% also holds the fight
# with Madame Defarge and Walton's letters before it)
FINAL_SHARE = 0.01


def tenths_represented(offsets: Sequence[int], length: int, parts: int = PARTS) -> list[int]:
    """Which of `parts` equal parts of a text of `length` characters the offsets fall in."""
    if length <= 0:
        return []
    return sorted({min(parts - 1, offset * parts // length) for offset in offsets})


def _shouted(sentence: str) -> bool:
    """A title, byline or heading in capitals ("DUST UNTO DUST", "By LYMAN HALL")."""
    words: list[str] = [w for w in _WORDS.findall(sentence) if w[0].isalpha()]
    return sum(w.isupper() for w in words) >= 0.5 * max(len(words), 1)


def top_names(source: str, n: int = TOP_NAMES) -> list[str]:
    """The `n` capitalised words used most often not at a sentence's start, leaving out
    function words, titles (Mr, Lady), words mostly written lower-case in the source, and
    sentences in capitals or of licence boilerplate."""
    names: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    if _mostly_cjk(source):
        return []  # no capitals in CJK scripts: its names are not found this way
    for sentence in split_sentences(source, max_words=SOURCE_SENTENCE_MAX_WORDS):
        if _shouted(sentence.text) or _LICENCE.search(sentence.text):
            continue
        words = sentence.text.split()
        for i, raw in enumerate(words):
            word = re.sub(r"['’]s$", "", _EDGE_PUNCT.sub("", raw))
            if not word[:1].isalpha() or len(word) < 2 or _CJK_CHAR.search(word):
                continue
            if word[0].islower():
                lower[word.lower()] += 1
            elif _is_name(words, i):
                names[word] += 1
    kept = [(w, c) for w, c in names.most_common() if lower[w.lower()] < c]
    return [w for w, _ in kept[:n]]


def names_present(summary: str, names: Sequence[str]) -> list[str]:
    """The names that occur in the summary as words (case-sensitive)."""
    return [n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", summary)]


_CJK_RUN = re.compile(rf"[{_CJK}]+")


def _content_words(sentence: str) -> set[str]:
    """Content words, and for CJK text its character pairs: single characters (了, 人, 道)
    are shared by most sentences, so two sentences sharing them do not say the same."""
    keys = {token_key(t) for t in tokens(sentence) if not _CJK_CHAR.match(t)}
    words = {k for k in keys if k and k not in STOPWORDS and len(k) > 2}
    for run in _CJK_RUN.findall(sentence):
        words |= {run[i : i + 2] for i in range(len(run) - 1)} or {run}
    return words


def leaning(readings: Sequence[tuple[str, Any]], index: SourceIndex) -> list[str]:
    """Summary sentences that open with a third person's pronoun while the summary sentence
    before them is not their source sentence's predecessor: who is meant was left out."""
    starts = [start for start, _ in index.sentences]
    at = [
        None if r.offset is None else bisect.bisect_right(starts, r.offset) - 1 for _, r in readings
    ]
    return [
        text
        for k, (text, _) in enumerate(readings)
        if LEANS_BACK.match(text) and (k == 0 or at[k] is None or at[k - 1] != at[k] - 1)
    ]


_OPENS = '"“‘«„'
_CLOSES = "\"”’»“'"
TALK_SHARE = 0.5


def _opens_quote(token: str) -> bool:
    """A quotation mark at a word's start (a straight single one before a capital only:
    "'tis" and "'em" are words)."""
    return token[0] in _OPENS or (token[:1] == "'" and token[1:2].isupper())


def is_talk(sentence: str) -> bool:
    """Whether the sentence is a line of dialogue: it opens with a quotation mark ("‘Tell
    me about Toad Hall,’ said she."), or most of its words are inside quotation marks. A
    mark opens at a word's start (not an apostrophe: "it’s", "the Smiths’ house") and
    closes at a word's end; an opening mark never closed runs to the sentence's end."""
    tokens = sentence.split()
    if tokens and _opens_quote(tokens[0]):
        return True
    inside = False
    quoted = total = 0
    for token in tokens:
        opens = _opens_quote(token)
        inside = inside or opens
        if any(ch.isalnum() for ch in token):
            total += 1
            quoted += inside
        if inside and token.rstrip(".,;:!?)—-")[-1:] in _CLOSES and (len(token) > 1 or not opens):
            inside = False
    return total > 0 and quoted / total >= TALK_SHARE


def near_duplicates(sentences: Sequence[str], names: Sequence[str] = ()) -> list[str]:
    """The sentences that repeat an earlier one: most of the shorter one's content words
    (case-blind, CJK by character) are in the other. The source's main `names` do not
    count: "Frau von Briest schwieg." does not repeat "Frau von Briest sah, daß ..."."""
    left_out = {n.lower() for n in names}
    seen: list[set[str]] = []
    repeats = []
    for sentence in sentences:
        words = _content_words(sentence) - left_out
        if len(words) >= NEAR_DUPLICATE_MIN_WORDS and any(
            len(words & other) >= NEAR_DUPLICATE_SHARE * min(len(words), len(other))
            for other in seen
        ):
            repeats.append(sentence)
        if len(words) >= NEAR_DUPLICATE_MIN_WORDS:
            seen.append(words)
    return repeats


def author_named(summary: str, author: str | None) -> bool | None:
    """Whether the summary names the author (the last word of the name will do: "Fontane");
    None when the document has no known author."""
    if not author:
        return None
    last = author.split()[-1]
    return re.search(rf"(?<!\w){re.escape(last)}(?!\w)", summary) is not None


def _mostly_cjk(text: str) -> bool:
    return len(_CJK_CHAR.findall(text)) > 0.3 * max(len("".join(text.split())), 1)


def summary_length(summary: str) -> int:
    """Words, or for a summary that is mostly CJK, CJK characters plus other words."""
    cjk = len(_CJK_CHAR.findall(summary))
    if cjk > 0.3 * max(len(summary.replace(" ", "")), 1):
        return cjk + len(_WORDS.findall(_CJK_CHAR.sub(" ", summary)))
    return len(summary.split())


# -- one summary, scored ---------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """A summary sentence a reader would stumble on, and why."""

    sentence: str
    reasons: tuple[str, ...]
    source: str = ""  # for meaning changes: the source sentence, deletions in ⟦ ⟧


@dataclass
class ReaderScore:
    """What a reader notices in one summary of one document."""

    sentences: int
    fragments: list[Flag]
    debris: list[Flag]
    meaning: list[Flag]
    title: str | None
    title_named: bool | None
    tenths: list[int]
    names: list[str]
    names_found: list[str]
    words: int
    target_words: int
    from_source: int  # summary sentences found in the source (>= 90% of words, in order)
    debris_kinds: dict[str, int] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)
    leaning: list[str] = field(default_factory=list)  # "He ..." without who he is before it
    talk: list[str] = field(default_factory=list)  # mostly a character's speech
    author_named: bool | None = None
    ending: bool = False  # a summary sentence from the body's last ENDING_SHARE
    final: bool = False  # ... from its last FINAL_SHARE

    @property
    def tenths_share(self) -> float:
        return len(self.tenths) / PARTS

    @property
    def names_share(self) -> float | None:
        return len(self.names_found) / len(self.names) if self.names else None

    @property
    def debris_count(self) -> int:
        """Sentences with debris other than a stray quote mark (counted on their own, as
        dialogue split into sentences leaves one in a good share of a story's sentences)."""
        return sum(1 for f in self.debris if set(f.reasons) - {"stray quote"})

    @property
    def quote_count(self) -> int:
        return sum(1 for f in self.debris if "stray quote" in f.reasons)

    @property
    def length_ratio(self) -> float:
        return self.words / self.target_words if self.target_words else 0.0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            tenths_share=self.tenths_share,
            names_share=self.names_share,
            length_ratio=self.length_ratio,
        )
        return data


@dataclass(frozen=True)
class SentenceReading:
    """One summary sentence as a reader meets it: what is wrong with it, and where in the
    source it comes from."""

    fragment: tuple[str, ...]
    debris: tuple[str, ...]
    meaning: tuple[str, ...]
    source: str  # the source sentence with the deleted words in ⟦ ⟧, when it is a shortening
    offset: int | None  # where its source sentence starts, when at least half of it is found
    from_source: bool  # at least 90% of its words, in order, in one source sentence


_INITIAL = re.compile(r"[A-Z]\.")


def after_title(sentence: str, titles: Sequence[str]) -> str | None:
    """What follows a lead naming the document ("Pride and Prejudice, by Jane Austen.",
    "longcli: Summarize text ..."): "" for a title line alone, None when the sentence does
    not start with a title followed by punctuation."""
    lowered = sentence.lower()
    for title in titles:
        name = " ".join(title.split()).lower()
        if not name or not lowered.startswith(name):
            continue
        rest = sentence[len(name) :]
        if rest and rest.lstrip(" ")[:1] not in ":,;.—–":
            continue
        dashed = rest.lstrip(" ")[:1] in "—–"
        rest = rest.lstrip(" :,;.—–-")
        words = rest.split()
        if rest.startswith("by "):
            rest = " ".join(words[_byline_end(words, 1) :])
        elif dashed and words and _byline_end(words, 0) == len(words):
            rest = ""  # "Effi Briest — Theodor Fontane.": the author's name alone
        return rest.strip()
    return None


_NAME_PARTICLES = frozenset("de di da del von van der le la du".split())


def _byline_end(words: Sequence[str], i: int) -> int:
    """Where a byline's names end: capitalised words ("Mary", "(Godwin)"), particles
    ("de", "von") and names in a script without capitals ("施耐庵。", "夏目漱石。"), up to one
    ending a sentence ("Jr." is an initial, "Baum." an end)."""
    while i < len(words) and _name_word(words[i]):
        i += 1
        if words[i - 1].endswith((".", "。")) and not _INITIAL.fullmatch(words[i - 1]):
            break
    return i


def _name_word(word: str) -> bool:
    first = word.lstrip("(")[:1]
    uncased = first.isalpha() and not first.isupper() and not first.islower()  # 漢字, かな
    return first.isupper() or uncased or word in _NAME_PARTICLES


def read_sentence(
    sentence: str, index: SourceIndex, furniture: Furniture, titles: Sequence[str] = ()
) -> SentenceReading:
    """Judge one summary sentence against its source; a lead naming the document's title
    (and author) is taken as such, and only what follows it is judged."""
    rest = after_title(sentence, titles)
    if rest == "":
        return SentenceReading((), (), (), "", None, False)
    sentence = sentence if rest is None else rest
    alignment = align(sentence, index)
    spliced = author_lowercase = starts_mid = False
    head = ""
    offset = None
    if alignment and alignment.share >= ALIGNED_SHARE:
        offset = alignment.start
        head, tail = unmatched_ends(sentence, alignment)
        glued = head in furniture.headings
        spliced = _spliced(sentence, "" if glued else head, tail, alignment, index)
        author_lowercase = _author_lowercase(index, alignment, sentence)
        starts_mid = _starts_mid(index, alignment)
    from_source = bool(alignment and alignment.share >= EXTRACTED_SHARE)
    authored_end = False
    if alignment and from_source:
        original = index.sentences[alignment.source][1]
        authored_end = _ends_sentence(original) and (
            _word_keys(original)[-1:] == _word_keys(sentence)[-1:]
        )
    fragment = fragment_reasons(
        sentence,
        author_lowercase=author_lowercase,
        starts_mid=starts_mid,
        spliced=spliced,
        authored_end=authored_end,
    )
    debris = debris_kinds(sentence, furniture, head)
    meaning: list[str] = []
    marked = ""
    # A fragment is a visible break, counted once; a meaning change is the one a reader
    # cannot see: a whole-looking sentence that no longer says what its source said.
    if alignment and from_source and not fragment:
        original = index.sentences[alignment.source][1]
        meaning = meaning_changes(sentence, original)
        marked = marked_deletions(sentence, original) if meaning else ""
    return SentenceReading(
        tuple(fragment), tuple(debris), tuple(meaning), marked, offset, from_source
    )


def score_summary(
    summary: str,
    source: str | SourceIndex,
    *,
    titles: Sequence[str] = (),
    words: int = 250,
    furniture: Furniture | None = None,
    names: Sequence[str] | None = None,
    author: str | None = None,
) -> ReaderScore:
    """Score `summary` of `source` as a reader would (pass a SourceIndex, the furniture and
    the names to score many summaries of one long source without recomputing them)."""
    index = source if isinstance(source, SourceIndex) else index_source(source)
    furniture = furniture if furniture is not None else page_furniture(index.text)
    names = list(names) if names is not None else top_names(index.text)
    sentences = [s.text for s in split_sentences(summary)]
    readings = [(s, read_sentence(s, index, furniture, titles)) for s in sentences]
    kinds = Counter(kind for _, r in readings for kind in r.debris)
    begin, end = body_span(index.text)
    return ReaderScore(
        sentences=len(sentences),
        fragments=[Flag(s, r.fragment) for s, r in readings if r.fragment],
        debris=[Flag(s, r.debris) for s, r in readings if r.debris],
        meaning=[Flag(s, r.meaning, r.source) for s, r in readings if r.meaning],
        title=next((t for t in titles if t), None),
        title_named=title_named(summary, titles),
        tenths=tenths_represented(
            [
                r.offset - begin
                for _, r in readings
                if r.offset is not None and begin <= r.offset < end
            ],
            end - begin,
        ),
        ending=any(
            r.offset is not None and end - ENDING_SHARE * (end - begin) <= r.offset < end
            for _, r in readings
        ),
        final=any(
            r.offset is not None and end - FINAL_SHARE * (end - begin) <= r.offset < end
            for _, r in readings
        ),
        names=names,
        names_found=names_present(summary, names),
        words=summary_length(summary),
        target_words=words,
        from_source=sum(1 for _, r in readings if r.from_source),
        debris_kinds=dict(kinds),
        duplicates=near_duplicates(sentences, names),
        leaning=leaning(readings, index),
        talk=[text for text in sentences if is_talk(text)],
        author_named=author_named(summary, author),
    )


# -- documents ----------------------------------------------------------------------------


@dataclass
class Document:
    """One input to summarize: the file longcli reads, its text as longcli reads it, and
    the titles a reader would look for."""

    label: str
    kind: str
    path: Path
    words: int
    titles: list[str]
    text: str = ""
    author: str | None = None
    encoding: str | None = None  # passed to longcli as --encoding when set


def read_text(path: Path, encoding: str | None = None) -> str:
    """The document's text as `longcli summarize` reads it (the same readers)."""
    from longcli.text.decode import Source
    from longcli.text.documents import open_document

    return "".join(open_document(Source(str(path), path), encoding=encoding).blocks)


# A PDF "title" that is the name of the file it was printed from ("Microsoft Word -
# SP800-84.doc"): no title a reader would look for, so naming it earns nothing.
_FILE_NAME_TITLE = re.compile(r"^Microsoft \w+ - |\.(?:docx?|odt|rtf|tex|dvi|pdf)$", re.I)


def usable_title(title: str) -> str | None:
    """A metadata title a reader would look for, or None (empty, or a file's name)."""
    title = title.strip("\x00 ")
    return None if not title or _FILE_NAME_TITLE.search(title) else title


def metadata_title(path: Path) -> str | None:
    """The title in an EPUB's package or a PDF's info dictionary, if any."""
    try:
        if path.suffix.lower() == ".epub":
            with zipfile.ZipFile(path) as archive:
                container = ElementTree.fromstring(archive.read("META-INF/container.xml"))
                rootfile = next(e for e in container.iter() if e.tag.endswith("rootfile"))
                package = ElementTree.fromstring(archive.read(rootfile.attrib["full-path"]))
                title = next((e.text for e in package.iter() if e.tag.endswith("}title")), None)
                return title.strip() if title else None
        if path.suffix.lower() == ".pdf":
            import pypdfium2

            pdf = pypdfium2.PdfDocument(str(path))
            try:
                return usable_title(pdf.get_metadata_dict().get("Title", ""))
            finally:
                pdf.close()
    except Exception:  # a title is a nicety; the document itself is read by longcli
        return None
    return None


def _document(
    label: str, kind: str, path: Path, words: int, encoding: str | None = None
) -> Document:
    text = read_text(path, encoding)
    titles = [t for t in (metadata_title(path), document_title(text)) if t]
    return Document(label, kind, path, words, titles, text, encoding=encoding)


def works_module() -> ModuleType:
    """bench/works.py, loaded by path (the benches are scripts, not a package)."""
    name = "longcli_bench_works"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("works.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def cached_work_kinds() -> list[str]:
    """The works halves whose files are all in the cache (default --docs adds them)."""
    works = works_module()
    cache = works.cache_dir()
    return [
        kind
        for kind in WORK_KINDS
        if all((cache / w.filename).is_file() for w in works.works_in(works.Half(kind[6:])))
    ]


def load_works(kind: str, words: int) -> list[Document]:
    """One half of bench/works.py's long works, checked against the manifest; raises the
    manifest's WorksMissing (one line to show) when the cache lacks them."""
    works = works_module()
    cache = works.cache_dir()
    docs = []
    for work in works.works_in(works.Half(kind.removeprefix("works-"))):
        path = works.cached_path(work, cache)
        doc = _document(work.id, kind, path, words, work.encoding)
        doc.titles = list(dict.fromkeys([work.title, *doc.titles]))
        doc.author = work.author or None  # "": the document names no author
        docs.append(doc)
    return docs


def load_documents(
    kinds: Sequence[str], stories: int, words: int, story_words: int, workdir: Path
) -> list[Document]:
    docs: list[Document] = []
    if "stories" in kinds:
        with open(SHARED / "squality-dev.jsonl", encoding="utf-8") as f:
            lines = [json.loads(line) for line, _ in zip(f, range(stories), strict=False)]
        for story in lines:
            pid = story["metadata"]["passage_id"]
            path = workdir / f"squality-{pid}.txt"
            path.write_text(story["document"], encoding="utf-8")
            docs.append(_document(f"story {pid}", "stories", path, story_words))
    if "novel" in kinds:
        path = SHARED / "novels" / "pride-and-prejudice.txt"
        docs.append(_document(path.name, "novel", path, words))
    for kind, ext in (("epub", ".epub"), ("pdf", ".pdf")):
        if kind in kinds:
            for path in sorted((SHARED / "docs").glob(f"*{ext}")):
                if path.name not in SKIPPED_DOCS:
                    docs.append(_document(path.name, kind, path, words))
    if "readme" in kinds:
        docs.append(_document("README.md (longcli)", "readme", ROOT / "README.md", words))
    if "zh" in kinds:
        for name in ZH_DOCS:
            docs.append(_document(name, "zh", SHARED / "zh" / name, words))
            docs.append(_document(f"{name} @{ZH_SHORT_WORDS}", "zh", SHARED / "zh" / name,
                                  ZH_SHORT_WORDS))  # fmt: skip
    for kind in WORK_KINDS:
        if kind in kinds:
            docs.extend(load_works(kind, words))
    return docs


# -- running longcli -------------------------------------------------------------------------


@dataclass
class Run:
    """One `longcli summarize` of one document by one method, and its score."""

    doc: str
    method: str
    words: int
    seconds: float
    summary: str
    error: str | None = None
    score: ReaderScore | None = None
    kind: str = ""

    def to_json(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if k != "score"}
        data["score"] = self.score.to_json() if self.score else None
        return data


def summarize(
    doc: Document, method: str, timeout_s: float = RUN_TIMEOUT_S, root: Path = ROOT
) -> Run:
    """Run `python -m longcli summarize` on the document, fresh cache, timed; `root` is the
    checkout whose longcli runs (another one measures a baseline with the same bench)."""
    command = [
        sys.executable, "-m", "longcli", "summarize", str(doc.path),
        "--words", str(doc.words), "--method", method, "--format", "json", "-q",
        *(["--encoding", doc.encoding] if doc.encoding else []),
    ]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="longcli-reader-cache-") as cache:
        env = {**os.environ, "LONGCLI_CACHE_DIR": cache}
        if root != ROOT:
            env["PYTHONPATH"] = os.pathsep.join([str(root), env.get("PYTHONPATH", "")])
        started = time.perf_counter()
        try:
            done = subprocess.run(
                command, cwd=root, env=env, capture_output=True, text=True, timeout=timeout_s
            )
        except subprocess.TimeoutExpired:
            return Run(doc.label, method, doc.words, timeout_s, "", f"timed out ({timeout_s}s)")
        seconds = time.perf_counter() - started
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit {done.returncode}"]
        return Run(doc.label, method, doc.words, seconds, "", lines[-1][:200])
    try:
        summary = json.loads(done.stdout)["summary"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        return Run(doc.label, method, doc.words, seconds, "", f"unreadable JSON ({exc})")
    return Run(doc.label, method, doc.words, seconds, summary)


# -- report -------------------------------------------------------------------------------

HEADER = (
    f"{'document':34} {'method':10} {'sents':>5} {'frag':>4} {'debris':>6} {'quote':>5} "
    f"{'mean.':>5} {'dup':>3} {'lean':>4} {'talk':>4} {'title':>5} {'auth':>5} {'tenths':>6} "
    f"{'end':>5} {'final':>5} {'names':>5} {'len':>5} {'sec':>6}"
)


def _yes_no(value: bool | None) -> str:
    return "-" if value is None else ("y" if value else "n")


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def row_text(run: Run) -> str:
    start = f"{run.doc[:34]:34} {run.method[:10]:10}"
    s = run.score
    if s is None:
        return f"{start} error: {run.error}"
    return (
        f"{start} {s.sentences:5d} {len(s.fragments):4d} {s.debris_count:6d} {s.quote_count:5d} "
        f"{len(s.meaning):5d} {len(s.duplicates):3d} {len(s.leaning):4d} {len(s.talk):4d} "
        f"{_yes_no(s.title_named):>5} "
        f"{_yes_no(s.author_named):>5} {_percent(s.tenths_share):>6} {_yes_no(s.ending):>5} "
        f"{_yes_no(s.final):>5} {_percent(s.names_share):>5} {s.length_ratio:5.2f} "
        f"{run.seconds:6.1f}"
    )


def totals(runs: Sequence[Run]) -> dict[str, dict[str, Any]]:
    """Per method: sums of sentences, fragments, debris and meaning changes, titles named,
    mean tenths, names and length ratio, total seconds."""
    out: dict[str, dict[str, Any]] = {}
    for method in dict.fromkeys(r.method for r in runs):
        scored = [r.score for r in runs if r.method == method and r.score]
        named = [s.title_named for s in scored if s.title_named is not None]
        authors = [s.author_named for s in scored if s.author_named is not None]
        names = [s.names_share for s in scored if s.names_share is not None]
        kinds: Counter[str] = Counter()
        for s in scored:
            kinds.update(s.debris_kinds)
        out[method] = {
            "documents": len(scored),
            "errors": sum(1 for r in runs if r.method == method and r.error),
            "sentences": sum(s.sentences for s in scored),
            "fragments": sum(len(s.fragments) for s in scored),
            "debris": sum(s.debris_count for s in scored),
            "stray_quotes": sum(s.quote_count for s in scored),
            "meaning": sum(len(s.meaning) for s in scored),
            "duplicates": sum(len(s.duplicates) for s in scored),
            "leaning": sum(len(s.leaning) for s in scored),
            "talk": sum(len(s.talk) for s in scored),
            "authors_named": sum(authors),
            "authors": len(authors),
            "titles_named": sum(named),
            "titles": len(named),
            "tenths": sum(s.tenths_share for s in scored) / max(len(scored), 1),
            "endings": sum(s.ending for s in scored),
            "finals": sum(s.final for s in scored),
            "names": sum(names) / len(names) if names else None,
            "length_ratio": sum(s.length_ratio for s in scored) / max(len(scored), 1),
            "seconds": sum(r.seconds for r in runs if r.method == method),
            "debris_kinds": dict(kinds.most_common()),
        }
    return out


def print_table(runs: Sequence[Run]) -> None:
    print(HEADER)
    for run in runs:
        print(row_text(run))
    print("-" * len(HEADER))
    for method, t in totals(runs).items():
        label = f"TOTAL ({t['documents']} docs)"
        titles = f"{t['titles_named']}/{t['titles']}"
        authors = f"{t['authors_named']}/{t['authors']}" if t["authors"] else "-"
        print(
            f"{label:34} {method[:10]:10} {t['sentences']:5d} {t['fragments']:4d} "
            f"{t['debris']:6d} {t['stray_quotes']:5d} {t['meaning']:5d} {t['duplicates']:3d} "
            f"{t['leaning']:4d} {t['talk']:4d} "
            f"{titles:>5} {authors:>5} {_percent(t['tenths']):>6} "
            f"{str(t['endings']) + '/' + str(t['documents']):>5} "
            f"{str(t['finals']) + '/' + str(t['documents']):>5} {_percent(t['names']):>5} "
            f"{t['length_ratio']:5.2f} {t['seconds']:6.1f}"
        )
        if t["debris_kinds"]:
            print(
                f"  {method} debris by kind: "
                + ", ".join(f"{k} {n}" for k, n in t["debris_kinds"].items())
            )
    print(
        "frag, debris, quote, mean., dup, lean, talk: summary sentences with a fragment sign, "
        "with debris, with a stray quote mark, with a meaning change, repeating an earlier one, "
        'opening with "he" ... after a sentence that does not say who, mostly a character\'s '
        "speech\n"
        "title, auth: the title, the author (long works) named in the summary; "
        "tenths: of the source, with a summary sentence from it; end: one from its last 5%; "
        "final: one from its last 1%; "
        "names: of the source's 5 "
        "most frequent, in the summary; len: words / --words; sec: wall time of the run"
    )


def show(run: Run) -> None:
    """Every flagged sentence of a run, by category, so a developer sees what to fix."""
    s = run.score
    if s is None:
        return
    print(f"\n== {run.doc} / {run.method}")
    print(
        f"   title {s.title!r}: {_yes_no(s.title_named)}; tenths {s.tenths}; "
        f"names {s.names_found} of {s.names}; {s.words} words"
    )
    for label, flags in (("fragment", s.fragments), ("debris", s.debris), ("meaning", s.meaning)):
        for flag in flags:
            print(f"  [{label}] {'; '.join(flag.reasons)}\n      {flag.sentence}")
            if flag.source:
                print(f"      source: {flag.source}")
    for sentence in s.duplicates:
        print(f"  [near-duplicate]\n      {sentence}")


# -- smoke ----------------------------------------------------------------------------------

SMOKE_TEXT = """The Lighthouse Keeper

Mara Quill kept the lighthouse on Gull Rock for thirty years. Every night she climbed the
ninety steps and lit the lamp before the ships came in from the north.

The village of Harrowby lay across the bay. Mara rowed there on Sundays to buy oil, bread
and news, and the fishermen of Harrowby said that she never missed a night.

In the winter of the great storm, the lamp failed. Mara did not panic. She carried a
lantern up the stairs, and she held it in the window until dawn while the waves broke
over Gull Rock.

A schooner called the Petrel was caught in the storm. Its captain, Elias Dunn, saw the
small light and turned his ship away from the rocks. Without that lantern, the Petrel
would have been lost with all eleven of her crew.

In the spring, Elias Dunn came to Gull Rock with a new lamp from the harbour board. Mara
thanked him, but she kept the old lantern on the table by the stairs.

When Mara Quill grew too old to climb the steps, the harbour board sent a young keeper
named Tom Avery. Mara taught him to trim the wick, to read the weather, and to keep a
lantern ready. Tom Avery kept the light on Gull Rock for another forty years.
"""

# (function, input, expected) for the metrics on sentences whose answer is not in doubt.
SMOKE_CHECKS: list[tuple[str, Any, Any]] = [
    ("fragment", "Mara did not panic.", []),
    ("fragment", "Cob nodded.", []),
    ("fragment", "much handsomer than Mr. Bingley, and he was looked at with great", True),
    ("fragment", "Strike.", True),
    ("fragment", "It reads text, Markdown, PDF, EPUB,", True),
    ("fragment", "(Copyrighted.", True),
    ("debris", "Mara rowed to Harrowby on Sundays.", []),
    ("debris", "## Install pip install longcli", True),
    ("debris", "See https://example.org for more.", True),
    ("debris", "This eBook is for the use of anyone anywhere.", True),
    ("debris", "Smith, J. (2019). A study of lamps.", True),
    ("debris", "It was an exam- ple of it.", True),
    ("meaning", ("Mara panicked.", "Mara did not panic."), []),  # not a shortening
    ("meaning", ("She carried a lantern up the stairs.",
                 "She carried a lantern up the stairs, and she held it in the window."), []),
    ("meaning", ("Mara did panic.", "Mara did not panic."), True),
    ("meaning", ("Elias Dunn came to Gull Rock.",
                 "Elias Dunn came to Gull Rock with 2 lamps."), True),
    ("meaning", ("The Petrel would have been lost with her crew.",
                 "The Petrel would have been lost with all eleven of her crew."), True),
]  # fmt: skip


def smoke_checks() -> list[str]:
    """The metric checks that failed (empty when all pass)."""
    failed = []
    for kind, given, expected in SMOKE_CHECKS:
        if kind == "fragment":
            got: Any = fragment_reasons(given)
        elif kind == "debris":
            got = debris_kinds(given)
        else:
            got = meaning_changes(*given)
        if (bool(got) if expected is True else got) != expected:
            failed.append(f"{kind} {given!r}: got {got!r}, expected {expected!r}")
    if document_title(SMOKE_TEXT) != "The Lighthouse Keeper":
        failed.append(f"title: got {document_title(SMOKE_TEXT)!r}")
    if "Harrowby" not in top_names(SMOKE_TEXT) or "The" in top_names(SMOKE_TEXT):
        failed.append(f"names: got {top_names(SMOKE_TEXT)!r}")
    return failed


def run_smoke(as_json: bool) -> int:
    failed = smoke_checks()
    for line in failed:
        print(f"reader_quality --smoke: metric check failed: {line}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="longcli-reader-") as workdir:
        path = Path(workdir) / "lighthouse.txt"
        path.write_text(SMOKE_TEXT, encoding="utf-8")
        doc = _document("built-in: lighthouse", "smoke", path, 60)
        run = summarize(doc, "extractive", timeout_s=120)
        if run.error is None:
            run.score = score_summary(run.summary, doc.text, titles=doc.titles, words=doc.words)
    print_table([run])
    show(run)
    if as_json:
        print(json.dumps({"runs": [run.to_json()], "failed_checks": failed}, ensure_ascii=False))
    return 1 if failed or run.error else 0


# -- main ---------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=5, help="first N SQuALITY dev stories")
    parser.add_argument("--methods", default="extractive,auto", help="longcli --method values")
    parser.add_argument("--docs", help="which: " + ",".join(DOC_KINDS) + " [all cached]")
    parser.add_argument("--words", type=int, default=250, help="target words, long documents")
    parser.add_argument("--story-words", type=int, default=150, help="target words, stories")
    parser.add_argument("--timeout", type=float, default=RUN_TIMEOUT_S, help="seconds per run")
    parser.add_argument("--show", action="store_true", help="print every flagged sentence")
    parser.add_argument(
        "--show-heldout", action="store_true", help="with --show: held-out works' too"
    )
    parser.add_argument(
        "--longcli-root", type=Path, default=ROOT, help="run longcli from this checkout"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object, printed last")
    parser.add_argument("--smoke", action="store_true", help="seconds: built-in text, extractive")
    parser.add_argument("--rescore", type=Path, help="score the summaries of a --json report again")
    return parser.parse_args(argv)


def _saved_runs(path: Path) -> list[Run]:
    """The runs in a --json report (its last line), to score again without longcli."""
    lines = path.read_text(encoding="utf-8").strip().splitlines()
    report = json.loads(lines[-1])
    return [
        Run(r["doc"], r["method"], r["words"], r["seconds"], r["summary"], r["error"])
        for r in report["runs"]
    ]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.smoke:
        return run_smoke(args.json)
    docs = args.docs if args.docs is not None else ",".join([*SHARED_KINDS, *cached_work_kinds()])
    kinds = [k for k in docs.split(",") if k]
    methods = [m for m in args.methods.split(",") if m]
    unknown = set(kinds) - set(DOC_KINDS)
    if unknown:
        print(f"reader_quality: unknown --docs {sorted(unknown)}", file=sys.stderr)
        return 2
    if set(kinds) & (set(SHARED_KINDS) - {"readme"}) and not SHARED.is_dir():
        print(
            f"reader_quality: {SHARED} is missing; the benchmark data lives in ../shared next "
            "to the repository (or run --smoke, or --docs readme)",
            file=sys.stderr,
        )
        return 2
    missing = [name for name in ZH_DOCS if not (SHARED / "zh" / name).is_file()]
    if "zh" in kinds and missing:
        print(f"reader_quality: {SHARED / 'zh'} lacks {', '.join(missing)}", file=sys.stderr)
        return 2
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    saved = _saved_runs(args.rescore) if args.rescore else None
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="longcli-reader-") as workdir:
        try:
            documents = load_documents(
                kinds, args.stories, args.words, args.story_words, Path(workdir)
            )
        except works_module().WorksMissing as exc:
            print(f"reader_quality: {exc}", file=sys.stderr)
            return 2
        for doc in documents:
            index, furniture, names = index_source(doc.text), page_furniture(doc.text), None
            names = top_names(doc.text)
            if saved is None:
                todo = [
                    summarize(doc, method, args.timeout, args.longcli_root) for method in methods
                ]
            else:
                todo = [r for r in saved if r.doc == doc.label and r.method in methods]
            for run in todo:
                if run.error is None:
                    run.score = score_summary(
                        run.summary, index, titles=doc.titles, words=doc.words,
                        furniture=furniture, names=names, author=doc.author,
                    )  # fmt: skip
                run.kind = doc.kind
                runs.append(run)
                print(row_text(run), file=sys.stderr, flush=True)
    what = f"rescored from {args.rescore}" if saved is not None else "measured"
    print(f"\nreader's bench, {what} {started}, methods {','.join(methods)}\n")
    groups = [k for k in WORK_KINDS if any(r.kind == k for r in runs)]
    rest = [r for r in runs if r.kind not in WORK_KINDS]
    if rest or not groups:
        print_table(rest)
    for kind in groups:
        print(f"\n{kind}:")
        print_table([r for r in runs if r.kind == kind])
    if args.show:
        for run in runs:
            if run.kind != "works-heldout" or args.show_heldout:
                show(run)
    if args.json:
        print(json.dumps(
            {"started": started, "runs": [r.to_json() for r in runs], "totals": totals(runs)},
            ensure_ascii=False,
        ))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
