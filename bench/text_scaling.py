"""Growth of every text stage's time on hostile inputs: does doubling the input double it?

For each hostile family (one sentence then a run of periods; numbered "0. 1. 2. ...";
one huge line of words; one huge "word" without spaces; many tiny lines; Chinese without
punctuation), each text stage is timed on N, 2N and 4N characters, best of a few runs:

- split: text.sentences.split_sentences
- layout: text.layout.layout_of
- boilerplate: text.boilerplate.without_boilerplate, the text streamed in 4 KiB blocks
- units: text.fragments.readable_units (the readable-unit filter; the lead looked for)
- chunks: text.chunks.split_text, 512-token budget, a regex tokenizer standing in
- keys: key-sentence selection as an extractive run does it (text.keysentences:
  score_sentences, then spread within 200 words) over the units

It prints the times and the growth ratios t(2N)/t(N) and t(4N)/t(2N) side by side. A
linear stage shows about 2 (n log n a little over); a quadratic one about 4. Timings under
a few milliseconds are noise, so only rows whose 4N time is over MIN_JUDGED_S are judged.

    python bench/text_scaling.py                 # N = 20,000 characters
    python bench/text_scaling.py --chars 50000   # another N
    python bench/text_scaling.py --smoke         # N = 1,000: seconds, for CI (never judged)

Exits 1 when a judged row grows more than MAX_GROWTH per doubling (not in --smoke).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from longcli.text.boilerplate import without_boilerplate  # noqa: E402
from longcli.text.chunks import split_text  # noqa: E402
from longcli.text.fragments import readable_units  # noqa: E402
from longcli.text.keysentences import score_sentences, spread  # noqa: E402
from longcli.text.layout import layout_of  # noqa: E402
from longcli.text.sentences import split_sentences  # noqa: E402
from longcli.text.vocabulary import word_count  # noqa: E402

DEFAULT_CHARS = 20_000
SMOKE_CHARS = 1_000
MULTIPLES = (1, 2, 4)
RUNS = 3  # best of
MAX_GROWTH = 2.8  # per doubling: over it, a stage is not linear (4 is quadratic)
MIN_JUDGED_S = 0.02  # faster than this at 4N, a ratio is timer noise
CHUNK_BUDGET_TOKENS = 512
SUMMARY_WORDS = 200
BLOCK_CHARS = 4096
_TOKEN = re.compile(r"\w+|[^\w\s]")


def _periods(n: int) -> str:
    head = "The harbour committee met on Monday"
    return head + "." * max(0, n - len(head))


def _numbered(n: int) -> str:
    out, size, i = [], 0, 0
    while size < n:
        item = f"{i}. "
        out.append(item)
        size, i = size + len(item), i + 1
    return "".join(out)[:n]


def _repeat(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


def _cjk(n: int) -> str:
    # distinct common ideographs, no punctuation, no line break
    return "".join(chr(0x4E00 + (i * 7919) % 20_000) for i in range(n))


FAMILIES: dict[str, Callable[[int], str]] = {
    "periods": _periods,
    "numbered": _numbered,
    "huge-line": lambda n: _repeat("alpha beta gamma delta harbour vote ", n),
    "no-spaces": lambda n: _repeat("abcdefghij", n),
    "tiny-lines": lambda n: _repeat("a\n", n),
    "cjk": _cjk,
}


def _boilerplate(text: str) -> object:
    blocks = (text[i : i + BLOCK_CHARS] for i in range(0, len(text), BLOCK_CHARS))
    return "".join(without_boilerplate(blocks))


def _chunks(text: str) -> object:
    return split_text(text, CHUNK_BUDGET_TOKENS, lambda s: len(_TOKEN.findall(s)))


def _keys(text: str) -> object:
    units = [u for u in readable_units(text, at_start=True) if u.text]
    sentences = [u.text for u in units]
    scored = score_sentences(sentences, main_names=True)
    positions = [i / max(len(units), 1) for i in range(len(units))]
    leads = [i for i, u in enumerate(units) if u.lead]
    rough = {i for i, u in enumerate(units) if not u.readable}
    skip = rough if len(rough) < len(units) else set()
    return spread(sentences, SUMMARY_WORDS, word_count, scored, positions, leads, skip, 0.05)


STAGES: dict[str, Callable[[str], object]] = {
    "split": split_sentences,
    "layout": layout_of,
    "boilerplate": _boilerplate,
    "units": readable_units,
    "chunks": _chunks,
    "keys": _keys,
}


@dataclass(frozen=True)
class Row:
    family: str
    stage: str
    seconds: tuple[float, ...]  # at N, 2N, 4N

    @property
    def growth(self) -> tuple[float, ...]:
        pairs = zip(self.seconds, self.seconds[1:], strict=False)
        return tuple(b / max(a, 1e-9) for a, b in pairs)

    def judged(self) -> bool:
        return self.seconds[-1] >= MIN_JUDGED_S

    def linear(self) -> bool:
        return not self.judged() or self.growth[-1] <= MAX_GROWTH


def _best_time(stage: Callable[[str], object], text: str) -> float:
    best = float("inf")
    for _ in range(RUNS):
        started = time.perf_counter()
        stage(text)
        best = min(best, time.perf_counter() - started)
    return best


def measure(chars: int, families: list[str], stages: list[str]) -> list[Row]:
    rows = []
    for family in families:
        texts = [FAMILIES[family](chars * m) for m in MULTIPLES]
        for stage in stages:
            seconds = tuple(_best_time(STAGES[stage], text) for text in texts)
            rows.append(Row(family, stage, seconds))
            print(_line(rows[-1]), flush=True)
    return rows


def _header(chars: int) -> str:
    sizes = "".join(f"{f't({m}N) s':>11}" for m in MULTIPLES)
    return f"N = {chars:,} characters\n{'family':<11}{'stage':<12}{sizes}  2N/N  4N/2N  verdict"


def _line(row: Row) -> str:
    times = "".join(f"{s:>11.4f}" for s in row.seconds)
    ratios = "".join(f"{g:>6.2f}" for g in row.growth)
    verdict = ("linear" if row.linear() else "SUPER-LINEAR") if row.judged() else "(too fast)"
    return f"{row.family:<11}{row.stage:<12}{times} {ratios}  {verdict}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="N = 1,000: seconds, never judged")
    parser.add_argument("--chars", type=int, default=DEFAULT_CHARS, help="N, in characters")
    parser.add_argument("--families", default=",".join(FAMILIES), help="comma-separated")
    parser.add_argument("--stages", default=",".join(STAGES), help="comma-separated")
    args = parser.parse_args()
    families = [f for f in args.families.split(",") if f]
    stages = [s for s in args.stages.split(",") if s]
    unknown = [f for f in families if f not in FAMILIES] + [s for s in stages if s not in STAGES]
    if unknown:
        print(f"text_scaling: unknown family or stage: {', '.join(unknown)}", file=sys.stderr)
        return 2
    chars = SMOKE_CHARS if args.smoke else args.chars
    print(_header(chars))
    rows = measure(chars, families, stages)
    slow = [r for r in rows if not r.linear()]
    if args.smoke or not slow:
        return 0
    names = ", ".join(f"{r.family}/{r.stage}" for r in slow)
    print(f"text_scaling: grows faster than linear: {names}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
