"""Summary quality, faithfulness and speed on the SQuALITY dev stories, side by side.

Every method summarizes the same stories with the same model in one run, and is scored
against the four human reference plot summaries of each story (question 1):

- ROUGE-1, ROUGE-2 and ROUGE-Lsum F1, best over the references (x100);
- entity precision: the share of the summary's names and numbers (capitalised words that
  do not start a sentence, and numbers) found in the story; repeated 8-grams (distinct
  8-word sequences said twice or more); meta-commentary (sentences about the text or the
  task). These are longcli's own grounding functions, so the bench measures what the
  check enforces;
- wall time, model calls, prompt and generated tokens, and wall time against the run's
  physical floor: prefilling every input token once plus decoding the final summary, at
  the prefill and decode speeds measured at the start of the run;
- for longcli: the ETA `--plan` prints on a fresh install (uncalibrated), and calibrated
  with this run's measured speeds, against the measured time.

Methods: `lead` (the first N words), `centrality` (the N words of sentences sharing most
words with the rest of the story, in story order: the model-free baseline), the model-free
peers `sumy-lexrank`, `sumy-lsa` and `sumy-textrank` (sumy's rankings, filled to the same
--words budget; `pip install -e '.[bench]'`), longcli's `extractive`, `hybrid` and
`abstractive`, and `langchain` (its map_reduce recipe, bench/langchain_recipe.py).

    python bench/summarize_quality.py                         # every method, all 25 stories
    python bench/summarize_quality.py --stories 5 --methods hybrid,centrality
    python bench/summarize_quality.py --half even --methods extractive,sumy-lexrank  # tune
    python bench/summarize_quality.py --save runs.jsonl       # keep every summary
    python bench/summarize_quality.py --rescore runs.jsonl    # score saved summaries again
    python bench/summarize_quality.py --prompt-file wording=my-prompts.yaml --methods hybrid
    python bench/summarize_quality.py --model ~/models/qwen2.5-3b-q4_k_m.gguf --stories 5

Data: ../shared/data/squality-dev.jsonl. The stories are Project Gutenberg texts; the
reference summaries are SQuALITY v1.3 (NYU), CC BY 4.0.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "squality-dev.jsonl"
LONGCLI_METHODS = ("extractive", "hybrid", "abstractive", "extract-abstract")
SUMY_METHODS = ("sumy-lexrank", "sumy-lsa", "sumy-textrank")
ALL_METHODS = ("lead", "centrality", *SUMY_METHODS, *LONGCLI_METHODS, "langchain")
NO_SUMY = "summarize_quality: sumy is not installed (pip install -e '.[bench]'): skipping {methods}"


MISSING = (
    "summarize_quality: {path} is missing: the benchmark data lives in ../shared next to "
    "the repository (see its README); nothing measured"
)


# --smoke without ../shared: the test suite's own stories, with their references (CI).
SMOKE_DATA = ROOT / "tests" / "data" / "squality-stories.jsonl"


def load_smoke_story() -> list[dict[str, Any]]:
    with open(SMOKE_DATA, encoding="utf-8") as f:
        story = json.loads(f.readline())
    return [{"id": story["passage_id"], **story}]


def load_stories(n: int | None, half: str | None = None) -> list[dict[str, Any]]:
    """The first `n` stories; `half` "even" or "odd": only those at even (0, 2, ...) or odd
    line indices of the file, a split fixed before any tuning (tune on one, report both)."""
    if not DATA.is_file():
        sys.exit(MISSING.format(path=DATA))
    with open(DATA, encoding="utf-8") as f:
        stories = [json.loads(line) for line in f][:n]
    if half is not None:
        stories = stories[half == "odd" :: 2]
    for story in stories:
        plot = next(q for q in story["questions"] if q["question_number"] == 1)
        story["references"] = [r["response_text"] for r in plot["responses"]]
        story["id"] = story["metadata"]["passage_id"]
    return stories


# -- scores -------------------------------------------------------------------------------


def _lines(text: str) -> str:
    from longcli.text.sentences import split_sentences

    return "\n".join(s.text for s in split_sentences(text))


def rouge(summary: str, references: list[str]) -> dict[str, float]:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    candidate = _lines(summary)
    scores = [scorer.score(_lines(ref), candidate) for ref in references]
    return {k: 100 * max(s[k].fmeasure for s in scores) for k in ("rouge1", "rouge2", "rougeLsum")}


def faithfulness(summary: str, source: str) -> dict[str, Any]:
    from longcli.grounding.check import entity_precision, meta_sentences, repeated_phrases

    precision, missing = entity_precision(summary, source)
    return {
        "entity_precision": precision,
        "unsupported": missing,
        "repeated_8grams": repeated_phrases(summary),
        "meta": meta_sentences(summary, source),
    }


def meaning_changes(summary: str, source: str) -> list[str]:
    """Summary sentences that may say something their closest source sentence does not:
    a shortening that deletes a negation, number or name or cuts mid-clause (the reader
    bench's rule), or a sentence whose negation or roles (who did what to whom) differ
    from the source sentence it is closest to."""
    sys.path.insert(0, str(Path(__file__).parent))
    from reader_quality import meaning_changes as shortening_changes

    from longcli.grounding.check import Passages, claim_problems
    from longcli.text.sentences import split_sentences

    passages = Passages([s.text for s in split_sentences(source)])
    flat = " ".join(source.split())
    found = []
    for sentence in (s.text for s in split_sentences(summary)):
        if " ".join(sentence.split()) in flat:
            continue  # the source's own words, as they stand there: nothing changed
        closest = passages.closest(sentence)
        if closest is None:
            continue
        reasons = shortening_changes(sentence, closest)
        if not reasons:
            near = Passages([closest])
            reasons = [p.kind for p in claim_problems(sentence, near)
                       if p.kind in ("negation", "swapped")]  # fmt: skip
        if reasons:
            found.append(f"{sentence[:60]}: {reasons[0]}")
    return found


def score(run: dict[str, Any], story: dict[str, Any]) -> dict[str, Any]:
    scored = {
        **run,
        **rouge(run["summary"], story["references"]),
        **faithfulness(run["summary"], story["document"]),
    }
    scored["meaning"] = meaning_changes(run["summary"], story["document"])
    return scored


# -- model-free baselines -----------------------------------------------------------------


def lead(text: str, words: int) -> str:
    return " ".join(text.split()[:words])


def centrality(text: str, words: int) -> str:
    """The sentences sharing most words with the rest of the text, in text order."""
    from longcli.text.sentences import split_sentences
    from longcli.text.terms import terms

    sentences = [s.text for s in split_sentences(text)]
    frequency = Counter(t for s in sentences for t in set(terms(s)))
    scored = sorted(
        (
            (sum(frequency[t] - 1 for t in set(terms(s))) / max(len(s.split()), 1), i)
            for i, s in enumerate(sentences)
        ),
        reverse=True,
    )
    kept, used = [], 0
    for _, i in scored:
        n = len(sentences[i].split())
        if used + n <= words:
            kept.append(i)
            used += n
    return " ".join(sentences[i] for i in sorted(kept))


class SumyTokenizer:
    """sumy's tokenizer interface on longcli's own sentence splitter, so sumy needs no NLTK
    data (its default tokenizer downloads punkt) and every method ranks the same sentences."""

    language = "english"
    _WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['-])*")

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        from longcli.text.sentences import split_sentences

        return tuple(s.text for s in split_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(self._WORD.findall(sentence))


def sumy_summary(text: str, words: int, method: str) -> str:
    """sumy's ranking of the text's sentences, the best kept while they fit `words` (the
    rule `centrality` keeps), in text order."""
    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    kinds = {
        "sumy-lexrank": LexRankSummarizer,
        "sumy-lsa": LsaSummarizer,
        "sumy-textrank": TextRankSummarizer,
    }
    summarizer = kinds[method](Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    document = PlaintextParser.from_string(text, SumyTokenizer()).document

    def fill(ranked: list[Any]) -> list[Any]:  # best first: sumy's SentenceInfo tuples
        kept, used = [], 0
        for info in ranked:
            n = len(str(info.sentence).split())
            if used + n <= words:
                kept.append(info)
                used += n
        return kept

    return " ".join(str(sentence) for sentence in summarizer(document, fill))


def sumy_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("sumy") is not None


# -- model runs ---------------------------------------------------------------------------


def measure_speeds(backend: Any, words: int = 1500, rounds: int = 2) -> tuple[float, float]:
    """(prefill tokens/s, decode tokens/s) of this backend now, on a story excerpt."""
    from longcli.calls import Message, Sampling

    story = load_stories(1) if DATA.is_file() else load_smoke_story()
    text = " ".join(story[0]["document"].split()[:words])
    prompt = [Message("user", "Summarize this.\n\n" + text)]
    llm = backend._llm  # this bench's own instrumentation: no EOS, so decoding is timed
    rates = []
    for _ in range(rounds):
        backend.forget_context()
        started = time.perf_counter()
        backend.complete(prompt, Sampling(max_tokens=1, temperature=0.0))
        prefill_s = time.perf_counter() - started
        tokens = backend.encode(prompt)
        # The prompt is in the KV cache now, so this call decodes (timing it less the
        # prefill measured before went negative on a loaded machine).
        started = time.perf_counter()
        out = llm.create_completion(
            tokens, max_tokens=129, temperature=0.0, logit_bias={llm.token_eos(): -100.0}
        )
        decode_s = time.perf_counter() - started
        generated = out["usage"]["completion_tokens"]
        rates.append((len(tokens) / prefill_s, (generated - 1) / max(decode_s, 1e-6)))
    backend.forget_context()
    return max(r[0] for r in rates), max(r[1] for r in rates)


def run_longcli(
    backend: Any, templates: Any, story: dict[str, Any], method: str, words: int
) -> dict[str, Any]:
    from longcli.config import Method
    from longcli.summarize.budget import SummarizeOptions, default_chunk_cap, plan_run
    from longcli.summarize.pipeline import Summarizer
    from longcli.text.chunks import chunk_stream

    opts = SummarizeOptions(
        words=words, method=Method(method), max_chunk_tokens=default_chunk_cap(backend.model)
    )
    summarizer = Summarizer(backend, templates, opts)
    started = time.perf_counter()
    chunks = list(
        chunk_stream([story["document"]], summarizer.budget.chunk_tokens, backend.count_tokens)
    )
    result = summarizer.run(chunks)
    seconds = time.perf_counter() - started
    s = result.stats
    plan = plan_run([c.tokens for c in chunks], summarizer.budget, method)
    outcomes = Counter(str(c.outcome) for c in result.chunks)
    outcomes.update(str(m.outcome) for level in result.levels for m in level if len(m.inputs) > 1)
    return {
        "summary": result.summary,
        "seconds": seconds,
        "calls": s.calls,
        "retries": s.retries,
        "prompt_tokens": s.prompt_tokens,
        "completion_tokens": s.completion_tokens,
        "input_tokens": s.input_tokens,
        "final_tokens": backend.count_tokens(result.summary),
        "chunks": len(result.chunks),
        "outcomes": dict(outcomes),
        "written": s.written,
        "refused": s.refused,
        "read_share": (s.prompt_tokens / s.input_tokens) if s.input_tokens else None,
        "plan_prompt_tokens": plan.prompt_tokens,
        "plan_completion_tokens": plan.completion_tokens,
    }


def run_langchain(backend: Any, story: dict[str, Any]) -> dict[str, Any]:
    sys.path.insert(0, str(Path(__file__).parent))
    from langchain_recipe import summarize

    started = time.perf_counter()
    run = summarize(backend, story["document"])
    seconds = time.perf_counter() - started
    return {
        "summary": run.summary,
        "seconds": seconds,
        "calls": run.calls,
        "prompt_tokens": run.prompt_tokens,
        "completion_tokens": run.completion_tokens,
        "input_tokens": backend.count_tokens(story["document"]),
        "final_tokens": backend.count_tokens(run.summary),
        "gave_up": run.gave_up,
    }


# -- report -------------------------------------------------------------------------------

COLUMNS = [
    ("R-1", "rouge1", "{:5.1f}"),
    ("R-2", "rouge2", "{:5.1f}"),
    ("R-Lsum", "rougeLsum", "{:6.1f}"),
    ("entP", "entity_precision", "{:5.3f}"),
    ("rep8", "repeated_8grams", "{:5.2f}"),
    ("meta", "meta_count", "{:5.2f}"),
    ("mean", "meaning_count", "{:5.2f}"),
    ("wall s", "seconds", "{:7.1f}"),
    ("calls", "calls", "{:5.1f}"),
    ("tok in", "prompt_tokens", "{:7.0f}"),
    ("tok out", "completion_tokens", "{:7.0f}"),
    ("/floor", "floor_ratio", "{:6.2f}"),
    ("read", "read_share", "{:5.2f}"),
]


def summarize_rows(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_method: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        run["meta_count"] = len(run["meta"])
        run["meaning_count"] = len(run.get("meaning") or [])
        by_method.setdefault(run["method"], []).append(run)
    rows = []
    for method, group in by_method.items():
        row: dict[str, Any] = {"method": method, "stories": len(group)}
        for _, key, _ in COLUMNS:
            values = [r[key] for r in group if r.get(key) is not None]
            row[key] = statistics.mean(values) if values else None
        row["stories_with_meta"] = sum(1 for r in group if r["meta"])
        row["stories_with_repeats"] = sum(1 for r in group if r["repeated_8grams"])
        row["seconds_total"] = sum(r.get("seconds") or 0 for r in group)
        for key in ("eta_error_fresh", "eta_error_calibrated"):
            values = [r[key] for r in group if r.get(key) is not None]
            if values:
                row[key] = {"mean": statistics.mean(values), "min": min(values), "max": max(values)}
        outcomes: Counter[str] = Counter()
        for r in group:
            outcomes.update(r.get("outcomes") or {})
        if outcomes:
            row["outcomes"] = dict(outcomes)
        if any(r.get("written") or r.get("refused") for r in group):
            row["written_refused"] = (sum(r.get("written") or 0 for r in group),
                                      sum(r.get("refused") or 0 for r in group))  # fmt: skip
        rows.append(row)
    return rows


def print_table(rows: list[dict[str, Any]], header: str) -> None:
    print(f"\n{header}")
    print(f"{'method':16}" + "".join(f"{name:>8}" for name, _, _ in COLUMNS))
    for row in rows:
        cells = "".join(
            f"{'-':>8}" if row[key] is None else f"{fmt.format(row[key]):>8}"
            for _, key, fmt in COLUMNS
        )
        print(f"{row['method'][:16]:16}{cells}")
    for row in rows:
        notes = []
        if row.get("outcomes"):
            notes.append(f"answers {row['outcomes']}")
        for key in ("eta_error_fresh", "eta_error_calibrated"):
            if key in row:
                e = row[key]
                notes.append(f"{key} {e['mean']:+.0%} ({e['min']:+.0%}..{e['max']:+.0%})")
        if row.get("written_refused"):
            notes.append("written sentences kept/refused by the check {}/{}".format(
                *row["written_refused"]))  # fmt: skip
        if row["stories_with_meta"] or row["stories_with_repeats"]:
            notes.append(
                f"stories with meta {row['stories_with_meta']}, "
                f"with repeats {row['stories_with_repeats']}"
            )
        if notes:
            print(f"  {row['method']}: " + "; ".join(notes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=None, help="first N stories [all 25]")
    parser.add_argument(
        "--half",
        choices=("even", "odd"),
        help="only the stories at even or odd line indices (of the first --stories)",
    )
    parser.add_argument("--methods", default=",".join(ALL_METHODS))
    parser.add_argument("--words", type=int, default=250)
    parser.add_argument("--model", help="a GGUF file to measure [default: the bundled model]")
    parser.add_argument("--ctx", type=int, default=8192, help="as the CLI picks for the model")
    parser.add_argument(
        "--prompt-file",
        action="append",
        default=[],
        metavar="NAME=FILE",
        help="also run longcli methods with these templates, labelled NAME",
    )
    parser.add_argument("--save", type=Path, help="append every run, summary included, here")
    parser.add_argument(
        "--rescore",
        type=Path,
        action="append",
        default=[],
        help="score saved runs (JSON lines with story, method, summary)",
    )
    parser.add_argument("--json", action="store_true", help="print the table as JSON, last")
    parser.add_argument(
        "--speed-rounds", type=int, default=2, help="speed measurements, the best kept [2]"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="seconds: the first story's first 1,200 words (from ../shared, else the test "
        "suite's own copy), lead, sumy-lexrank, extractive and extract-abstract with the "
        "bundled model, "
        "--words 60 (CI)",
    )
    args = parser.parse_args()
    if args.smoke:
        args.stories, args.words, args.ctx = 1, 60, 4096
        args.methods = "lead,sumy-lexrank,extractive,extract-abstract"

    if DATA.is_file() or not args.smoke:
        stories = load_stories(args.stories, args.half)
    else:
        stories = load_smoke_story()
    if args.smoke:
        stories[0]["document"] = " ".join(stories[0]["document"].split(" ")[:1200])
    by_id = {s["id"]: s for s in stories}
    methods = [m for m in args.methods.split(",") if m]
    unknown = set(methods) - set(ALL_METHODS)
    if unknown:
        sys.exit(f"summarize_quality: unknown methods {sorted(unknown)}")
    skipped = [m for m in methods if m in SUMY_METHODS] if not sumy_installed() else []
    if skipped:
        print(NO_SUMY.format(methods=", ".join(skipped)), file=sys.stderr)
        methods = [m for m in methods if m not in skipped]
    runs: list[dict[str, Any]] = []
    for path in args.rescore:
        for line in path.read_text(encoding="utf-8").splitlines():
            saved = json.loads(line)
            if saved["story"] in by_id:
                runs.append(score(saved, by_id[saved["story"]]))

    needs_model = any(m in methods for m in (*LONGCLI_METHODS, "langchain"))
    backend = templates = None
    prefill_tps = decode_tps = 0.0
    variants: list[tuple[str, Any]] = []
    if needs_model:
        from longcli.backends.llama import LlamaBackend
        from longcli.models.gguf import describe_model
        from longcli.models.locate import bundled_model_path
        from longcli.prompts.templates import load_templates
        from longcli.summarize.eta import REFERENCE_DECODE_TPS, REFERENCE_PREFILL_TPS

        path = Path(args.model).expanduser() if args.model else bundled_model_path()
        backend = LlamaBackend(describe_model(path), args.ctx)
        templates = load_templates()
        variants = [("", templates)] + [
            (f"/{name}", load_templates(path))
            for name, path in (spec.split("=", 1) for spec in args.prompt_file)
        ]
        prefill_tps, decode_tps = measure_speeds(
            backend, 300 if args.smoke else 1500, 1 if args.smoke else args.speed_rounds
        )
        print(
            f"measured: prefill {prefill_tps:.0f} tok/s, decode {decode_tps:.0f} tok/s "
            f"(fresh-install guess: {REFERENCE_PREFILL_TPS:.0f}, {REFERENCE_DECODE_TPS:.0f})",
            flush=True,
        )

    save = args.save.open("a", encoding="utf-8") if args.save else None
    for story in stories:
        for method in methods:
            for suffix, variant in variants if method in LONGCLI_METHODS else [("", None)]:
                run: dict[str, Any] = {"story": story["id"], "method": method + suffix}
                if method == "lead":
                    run["summary"] = lead(story["document"], args.words)
                elif method == "centrality":
                    run["summary"] = centrality(story["document"], args.words)
                elif method in SUMY_METHODS:
                    run["summary"] = sumy_summary(story["document"], args.words, method)
                elif method == "langchain":
                    run.update(run_langchain(backend, story))
                else:
                    run.update(run_longcli(backend, variant, story, method, args.words))
                if run.get("input_tokens") and prefill_tps:
                    floor = run["input_tokens"] / prefill_tps + run["final_tokens"] / decode_tps
                    run["floor_seconds"] = floor
                    run["floor_ratio"] = run["seconds"] / floor
                if "plan_prompt_tokens" in run:
                    from longcli.summarize.eta import REFERENCE_DECODE_TPS, REFERENCE_PREFILL_TPS

                    for key, (p, d) in {
                        "eta_error_fresh": (REFERENCE_PREFILL_TPS, REFERENCE_DECODE_TPS),
                        "eta_error_calibrated": (prefill_tps, decode_tps),
                    }.items():
                        eta = run["plan_prompt_tokens"] / p + run["plan_completion_tokens"] / d
                        run[key] = eta / run["seconds"] - 1 if run["seconds"] > 0.5 else None
                run = score(run, story)
                runs.append(run)
                if save:
                    save.write(json.dumps(run, ensure_ascii=False) + "\n")
                    save.flush()
                print(
                    f"  {story['id']} {run['method']:16} R-Lsum {run['rougeLsum']:5.1f} "
                    f"entP {run['entity_precision']:.2f} rep8 {run['repeated_8grams']} "
                    f"meta {len(run['meta'])} meaning {len(run['meaning'])} "
                    f"{run.get('seconds') or 0:6.1f}s"
                    + (f" /floor {run['floor_ratio']:.2f}" if run.get("floor_ratio") else ""),
                    flush=True,
                )
    rows = summarize_rows(runs)
    print_table(
        rows,
        f"{len(stories)} SQuALITY dev stories{f' ({args.half} half)' if args.half else ''}, "
        f"--words {args.words}, "
        f"ctx {args.ctx}; means per story (ROUGE F1 x100, best of 4 references)",
    )
    if args.json:
        print(json.dumps({"prefill_tps": prefill_tps, "decode_tps": decode_tps, "rows": rows}))


if __name__ == "__main__":
    main()
