"""Contradictions: does the support check pass what a story says and refuse what it does not?

Items are built from real text: the sentences of the human reference summaries of the
SQuALITY dev stories (question 1, four per story: paraphrases a correct check must pass),
and seeded perturbations of those sentences that a correct check must refuse:

- `swap_names`: two of the story's names in the sentence swapped;
- `replace_name`: a name replaced by another of the story's frequent names;
- `move_attribute`: what the sentence gives one person (a possessive "Kane's ship", an
  apposition "Kane, the captain,", "Kane is/was ...") given to another of the story's names;
- `change_number`: a number (digits or a number word) changed;
- `flip_negation`: a negation removed, or one added (after an auxiliary, or "never" before
  a past-tense verb);
- `add_both`: "X and Y both" where the sentence has X alone.

Stories are split in two families by a fixed rule (even and odd line of the data file):
`tune` (the setting is chosen on it) and `held-out` (reported, never read while tuning).
For each family and kind: how many items, the share supported (references) or refused
(perturbations), and the refusal among perturbations of references the check supports
(the fair number: a perturbation of a sentence the check already refuses is refused for
free). Then the trade-off curve over the check's setting (the coverage a sentence's
evidence must reach).

    python bench/contradictions.py                 # all 25 stories, seed 32
    python bench/contradictions.py --smoke         # 2 stories: CI's check that it runs
    python bench/contradictions.py --json out.json --show 10
    python bench/contradictions.py --embedding off  # words only, as without the model

With the sentence-embedding model (`--embedding`: auto uses the one installed, as the
chat does; off, or none installed: words only) each sentence's slots are compared where
it means (grounding/meaning.py); its load time and seconds per 1000 sentences embedded are
printed.

Data: ../shared/data/squality-dev.jsonl. The stories are Project Gutenberg texts; the
reference summaries are SQuALITY v1.3 (NYU), CC BY 4.0.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if "--before" in sys.argv:  # longcli from a copy of the code before a change, same run
    sys.path.insert(0, sys.argv[sys.argv.index("--before") + 1])

from longcli.backends.embedding import (  # noqa: E402
    Embedder,
    Vector,
    find_embedding_model,
    open_embedder,
)
from longcli.grounding.support import MIN_COVERAGE, SourceIndex, Why, enough  # noqa: E402
from longcli.text.names import mentions  # noqa: E402
from longcli.text.sentences import split_sentences  # noqa: E402
from longcli.text.titles import title_of  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "squality-dev.jsonl"
MISSING = (
    "contradictions: {path} is missing: the benchmark data lives in ../shared next to the "
    "repository (see its README); nothing measured"
)
KINDS = ("swap_names", "replace_name", "move_attribute", "change_number", "flip_negation",
         "add_both")  # fmt: skip
CURVE = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8)
MIN_NAME_COUNT = 3  # a capitalised word this often in the story is one of its names
NUMBER_WORDS = ("one two three four five six seven eight nine ten eleven twelve twenty "
                "thirty forty fifty hundred thousand million").split()  # fmt: skip
AUXILIARIES = ("is was are were has had have can could will would does did should must "
               "might").split()  # fmt: skip
_NEGATION = re.compile(r"\s+(?:not|never)\b|n['’]t\b", re.IGNORECASE)


@dataclass(frozen=True)
class Item:
    story: int
    family: str
    kind: str  # "reference" or a perturbation kind
    original: str  # the reference sentence
    sentence: str  # what is checked


def story_names(document: str) -> list[str]:
    """The story's names, most frequent first: capitalised words not starting a sentence."""
    counts = Counter(
        m for m in mentions(document) if not m[0].isdigit() and len(m) > 2 and m.isalpha()
    )
    return [n for n, c in counts.most_common() if c >= MIN_NAME_COUNT]


def _word(name: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(name)}\b")


def _in(sentence: str, names: list[str]) -> list[str]:
    return [n for n in names if _word(n).search(sentence)]


def swap_names(s: str, names: list[str], rng: random.Random) -> str | None:
    present = _in(s, names)
    if len(present) < 2:
        return None
    pairs = [
        (a, b)
        for a in present
        for b in present
        if a != b
        and s.index(a) < s.index(b)
        and _roles_between(s[s.index(a) + len(a) : s.index(b)])
    ]
    if not pairs:
        return None  # names in a list ("Potter, Lemuel and Bert"): swapping them says the same
    a, b = rng.choice(pairs)
    both = re.compile(rf"\b(?:{re.escape(a)}|{re.escape(b)})\b")
    return both.sub(lambda m: b if m.group() == a else a, s)


def _roles_between(text: str) -> bool:
    """Whether words between two names make them play roles (a verb, a preposition), not
    only list them."""
    return any(w.lower() not in {"and", "or", "&"} for w in re.findall(r"[^\W\d_]+", text))


def _other(s: str, names: list[str], rng: random.Random) -> str | None:
    others = [n for n in names[:10] if not _word(n).search(s)]
    return rng.choice(others) if others else None


def replace_name(s: str, names: list[str], rng: random.Random) -> str | None:
    present = _in(s, names)
    other = _other(s, names, rng)
    if not present or other is None:
        return None
    return _word(rng.choice(present)).sub(other, s)


def move_attribute(s: str, names: list[str], rng: random.Random) -> str | None:
    other = _other(s, names, rng)
    if other is None:
        return None
    for name in _in(s, names):
        pattern = re.compile(
            rf"\b{re.escape(name)}(?=['’]s\b|, (?:a|an|the|who)\b| (?:is|was|has|had) )"
        )
        if pattern.search(s):
            return pattern.sub(other, s, count=1)
    return None


def change_number(s: str, names: list[str], rng: random.Random) -> str | None:
    digits = list(re.finditer(r"\b\d+\b", s))
    if digits:
        m = rng.choice(digits)
        n = int(m.group())
        return s[: m.start()] + str(n + rng.choice((1, 2, 3, 10))) + s[m.end() :]
    found = [m for m in re.finditer(r"\b(?:" + "|".join(NUMBER_WORDS) + r")\b", s, re.I)]
    found = [m for m in found if not (m.group().lower() == "one" and _pronoun_one(s, m))]
    if not found:
        return None
    m = rng.choice(found)
    word = m.group().lower()
    choice = rng.choice([w for w in NUMBER_WORDS[:10] if w != word])
    if m.group()[0].isupper():
        choice = choice.capitalize()
    return s[: m.start()] + choice + s[m.end() :]


def _pronoun_one(s: str, m: re.Match[str]) -> bool:
    """'no one', 'the one', 'one of', 'someone': not a count that can be changed."""
    before = s[: m.start()].lower().split()[-1:] or [""]
    after = s[m.end() :].lower().split()[:1] or [""]
    return before[0] in {"no", "the", "this", "that", "every", "any", "each"} or after[0] == "of"


def flip_negation(s: str, names: list[str], rng: random.Random) -> str | None:
    m = _NEGATION.search(s)
    if m:
        return s[: m.start()] + s[m.end() :]  # "did not go" -> "did go", "can't" -> "ca"
    tokens = s.split(" ")
    for i, token in enumerate(tokens[1:], 1):
        if token.lower() in AUXILIARIES:
            return " ".join([*tokens[: i + 1], "not", *tokens[i + 1 :]])
    for i, token in enumerate(tokens[1:], 1):
        if token.islower() and token.isalpha() and token.endswith("ed") and len(token) > 4:
            return " ".join([*tokens[:i], "never", *tokens[i:]])
    return None


def add_both(s: str, names: list[str], rng: random.Random) -> str | None:
    present = _in(s, names)
    other = _other(s, names, rng)
    if not present or other is None:
        return None
    name = present[0]
    return _word(name).sub(f"{name} and {other} both", s, count=1)


PERTURB: dict[str, Callable[[str, list[str], random.Random], str | None]] = {
    "swap_names": swap_names, "replace_name": replace_name, "move_attribute": move_attribute,
    "change_number": change_number, "flip_negation": flip_negation, "add_both": add_both,
}  # fmt: skip


def build_items(rows: list[dict[str, object]], seed: int) -> list[Item]:
    rng = random.Random(seed)
    items: list[Item] = []
    for index, row in enumerate(rows):
        family = "tune" if index % 2 == 0 else "held-out"
        document = str(row["document"])
        names = story_names(document)
        questions = row["questions"]
        assert isinstance(questions, list)
        plot = next(q for q in questions if q["question_number"] == 1)
        for response in plot["responses"]:
            for sentence in split_sentences(response["response_text"]):
                text = sentence.text.strip()
                if len(text.split()) < 4:
                    continue
                items.append(Item(index, family, "reference", text, text))
                for kind in KINDS:
                    changed = PERTURB[kind](text, names, rng)
                    if changed and changed != text:
                        items.append(Item(index, family, kind, text, changed))
    return items


@dataclass(frozen=True)
class Scored:
    item: Item
    why: str  # the check's verdict at any setting but coverage
    coverage: float
    detail: str
    meaning: float = 0.0  # cosine of the place found by meaning (0 without the model)

    def supported(self, setting: float) -> bool:
        return self.why == Why.SUPPORTED and enough(self.coverage, self.meaning, setting)


class Counted:
    """An embedder that counts the texts it embeds and the seconds it takes."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.texts = 0
        self.seconds = 0.0

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        started = time.monotonic()
        out = self.inner.embed(texts)
        self.seconds += time.monotonic() - started
        self.texts += len(texts)
        return out


def source_index(document: str, embedder: Embedder | None) -> SourceIndex:
    """The story indexed as `longcli verify` indexes a source: its author, from its title
    block, is whom its "I" means (code from before that took no author: none)."""
    work = title_of(document)
    try:
        return SourceIndex(document, embedder=embedder, authors=work.author if work else "")
    except TypeError:  # --before: a copy of the code that took no author
        return SourceIndex(document, embedder=embedder)


def score(items: list[Item], documents: list[str], embedder: Embedder | None) -> list[Scored]:
    indexes: dict[int, SourceIndex] = {}
    out: list[Scored] = []
    for item in items:
        index = indexes.get(item.story)
        if index is None:
            index = indexes[item.story] = source_index(documents[item.story], embedder)
        verdict = index.support(item.sentence, min_coverage=0.0)
        out.append(
            Scored(item, verdict.why.value, verdict.coverage, verdict.detail, verdict.meaning)
        )
    return out


def load_embedder(setting: str) -> tuple[Counted | None, str]:
    """The embedding model `setting` names (auto: the installed one, if any), and a line
    saying which and its load time."""
    path = find_embedding_model(setting)
    if path is None:
        return None, "embedding model: none (words only)"
    started = time.monotonic()
    embedder = Counted(open_embedder(path))
    return embedder, f"embedding model: {path.name}, loaded in {time.monotonic() - started:.1f} s"


def table(scored: list[Scored], setting: float) -> list[dict[str, object]]:
    """Per family and kind, at one setting."""
    rows: list[dict[str, object]] = []
    by_original = {
        (s.item.story, s.item.original): s.supported(setting)
        for s in scored
        if s.item.kind == "reference"
    }
    for family in ("tune", "held-out"):
        for kind in ("reference", *KINDS):
            these = [s for s in scored if s.item.family == family and s.item.kind == kind]
            if not these:
                continue
            ok = sum(s.supported(setting) for s in these)
            row: dict[str, object] = {"family": family, "kind": kind, "items": len(these)}
            if kind == "reference":
                row["supported"] = ok / len(these)
            else:
                row["refused"] = 1 - ok / len(these)
                fair = [s for s in these if by_original.get((s.item.story, s.item.original))]
                row["of_supported"] = len(fair)
                row["refused_of_supported"] = (
                    1 - sum(s.supported(setting) for s in fair) / len(fair) if fair else None
                )
            rows.append(row)
    return rows


def curve(scored: list[Scored], family: str) -> list[tuple[float, float, float, float]]:
    """(setting, references supported, perturbations refused, refused of supported)."""
    refs = [s for s in scored if s.item.family == family and s.item.kind == "reference"]
    perturbed = [s for s in scored if s.item.family == family and s.item.kind != "reference"]
    points = []
    for setting in CURVE:
        supported = {(s.item.story, s.item.original) for s in refs if s.supported(setting)}
        fair = [s for s in perturbed if (s.item.story, s.item.original) in supported]
        points.append((
            setting,
            sum(s.supported(setting) for s in refs) / max(1, len(refs)),
            1 - sum(s.supported(setting) for s in perturbed) / max(1, len(perturbed)),
            1 - sum(s.supported(setting) for s in fair) / max(1, len(fair)),
        ))  # fmt: skip
    return points


def _pct(x: object) -> str:
    return "-" if x is None else f"{100 * float(x):5.1f}%"  # type: ignore[arg-type]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=25)
    parser.add_argument("--seed", type=int, default=32)
    parser.add_argument("--setting", type=float, default=MIN_COVERAGE)
    parser.add_argument("--smoke", action="store_true", help="2 stories: check that it runs")
    parser.add_argument("--before", help="a folder holding a copy of longcli/ to run instead")
    parser.add_argument("--json", type=Path, help="write every item's verdict here")
    parser.add_argument("--show", type=int, default=0, help="print N wrong verdicts per kind")
    parser.add_argument("--family", default="tune", help="whose wrong verdicts --show prints")
    parser.add_argument(
        "--embedding",
        default=os.environ.get("LONGCLI_EMBEDDING_MODEL", "auto"),
        help="the sentence-embedding GGUF: auto (the installed one, if any), off or a path "
        "[LONGCLI_EMBEDDING_MODEL, else auto]",
    )
    args = parser.parse_args()
    if not DATA.exists():
        print(MISSING.format(path=DATA), file=sys.stderr)
        return 0
    with DATA.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f][: 2 if args.smoke else args.stories]
    embedder, said = load_embedder(args.embedding)
    print(said)
    started = time.monotonic()
    items = build_items(rows, args.seed)
    scored = score(items, [str(r["document"]) for r in rows], embedder)
    elapsed = time.monotonic() - started
    print(f"{len(items)} items from {len(rows)} stories, seed {args.seed}, "
          f"setting {args.setting} ({elapsed:.1f} s)")  # fmt: skip
    if embedder is not None and embedder.texts:
        print(f"embedded {embedder.texts} sentences and clauses in {embedder.seconds:.1f} s "
              f"({1000 * embedder.seconds / embedder.texts:.1f} s per 1000)")  # fmt: skip
    print(f"{'family':9} {'kind':15} {'items':>5}  {'supported':>9} {'refused':>8} "
          f"{'refused of supported':>21}")  # fmt: skip
    for row in table(scored, args.setting):
        fair = f"{_pct(row.get('refused_of_supported'))} of {row['of_supported']}" if (
            "of_supported" in row) else ""  # fmt: skip
        print(f"{row['family']:9} {row['kind']:15} {row['items']:>5}  "
              f"{_pct(row.get('supported')) if 'supported' in row else '':>9} "
              f"{_pct(row.get('refused')) if 'refused' in row else '':>8} {fair:>21}")  # fmt: skip
    for family in ("tune", "held-out"):
        print(
            f"\ncurve ({family}): setting  references supported  perturbations refused  "
            "refused of supported"
        )
        for setting, sup, ref, of_sup in curve(scored, family):
            print(f"  {setting:4.2f}  {100 * sup:5.1f}%  {100 * ref:5.1f}%  {100 * of_sup:5.1f}%")
    reasons = Counter(
        (s.item.kind == "reference", s.why) for s in scored if not s.supported(args.setting)
    )
    print("\nwhy refused (references | perturbations):",
          ", ".join(f"{w} {reasons[(True, w)]}|{reasons[(False, w)]}" for w in
                    sorted({w for _, w in reasons})))  # fmt: skip
    if args.show:
        shown: dict[str, int] = defaultdict(int)
        for s in scored:
            wrong = s.supported(args.setting) == (s.item.kind != "reference")
            if s.item.family != args.family or not wrong or shown[s.item.kind] >= args.show:
                continue
            shown[s.item.kind] += 1
            print(f"\n[{s.item.kind}] {s.why} {s.coverage:.2f} {s.detail}\n  {s.item.sentence}")
    if args.json:
        args.json.write_text(json.dumps(
            [{**asdict(s.item), "why": s.why, "coverage": s.coverage, "detail": s.detail}
             for s in scored], indent=1), encoding="utf-8")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
