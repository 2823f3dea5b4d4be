"""Summary quality and speed on SQuALITY dev stories, side by side in one run.

For each story, summarize with the bundled model (one run per chunk size asked for) and
score ROUGE-L against the four human reference plot summaries (question 1). A "lead"
baseline (the story's first N words, N = --words) is scored alongside, so the numbers
have a reference point measured on the same data.

    python bench/summarize_quality.py                      # 3 stories, default settings
    python bench/summarize_quality.py --stories 5 --chunk-tokens 0 2048 1024

Data: ../shared/data/squality-dev.jsonl. Stories are Project Gutenberg texts; the
reference summaries are SQuALITY v1.3 (NYU), CC BY 4.0.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "squality-dev.jsonl"


def rouge_l(summary: str, references: list[str]) -> tuple[float, float]:
    """(best F1, mean F1) of ROUGE-L over the references."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    scores = [scorer.score(ref, summary)["rougeL"].fmeasure for ref in references]
    return max(scores), statistics.mean(scores)


def load_stories(n: int) -> list[dict]:
    with open(DATA, encoding="utf-8") as f:
        stories = [json.loads(line) for line in f][:n]
    for story in stories:
        plot = next(q for q in story["questions"] if q["question_number"] == 1)
        story["references"] = [r["response_text"] for r in plot["responses"]]
    return stories


def summarize(
    backend, text: str, words: int, chunk_tokens: int | None, summary_tokens: int | None = None
) -> tuple[str, dict]:
    from longcli.chunking import chunk_stream
    from longcli.engine import default_chunk_cap
    from longcli.summarize import SummarizeOptions, Summarizer
    from longcli.templates import load_templates

    opts = SummarizeOptions(
        words=words,
        chunk_tokens=chunk_tokens,
        max_chunk_tokens=default_chunk_cap(backend.model),
        summary_tokens=summary_tokens,
    )
    summarizer = Summarizer(backend, load_templates(), opts)
    started = time.monotonic()
    chunks = chunk_stream([text], summarizer.budget.chunk_tokens, backend.count_tokens)
    result = summarizer.run(chunks)
    seconds = time.monotonic() - started
    s = result.stats
    return result.summary, {
        "seconds": seconds,
        "chunks": len(result.chunks),
        "calls": s.calls,
        "retries": s.retries,
        "prompt_tokens": s.prompt_tokens,
        "completion_tokens": s.completion_tokens,
        "tokens_per_s": (s.prompt_tokens + s.completion_tokens) / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=3)
    parser.add_argument("--words", type=int, default=250)
    parser.add_argument("--ctx", type=int, default=8192)
    parser.add_argument(
        "--chunk-tokens",
        type=int,
        nargs="+",
        default=[0, 7000],
        help="chunk sizes to compare; 0 means longcli's default",
    )
    parser.add_argument(
        "--summary-tokens",
        type=int,
        nargs="+",
        default=[0],
        help="caps on each chunk's summary to compare; 0 means longcli's default",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object per row")
    args = parser.parse_args()

    from longcli.backend import LlamaBackend
    from longcli.models import bundled_model_path, describe_model

    backend = LlamaBackend(describe_model(bundled_model_path()), args.ctx)
    stories = load_stories(args.stories)
    rows = []
    runs = [(c, s) for c in args.chunk_tokens for s in args.summary_tokens]
    for size, summary_cap in runs:
        label = f"longcli chunk={size or 'default'}"
        if summary_cap:
            label += f" summary<={summary_cap}"
        best, mean, stats = [], [], []
        for story in stories:
            summary, st = summarize(
                backend, story["document"], args.words, size or None, summary_cap or None
            )
            b, m = rouge_l(summary, story["references"])
            best.append(b)
            mean.append(m)
            stats.append(st)
            print(
                f"  {label} story={story['metadata']['passage_id']} rougeL={m:.3f} "
                f"{st['seconds']:.0f}s chunks={st['chunks']} calls={st['calls']}",
                flush=True,
            )
        rows.append(
            {
                "name": label,
                "rougeL_best": statistics.mean(best),
                "rougeL_mean": statistics.mean(mean),
                "seconds": sum(s["seconds"] for s in stats),
                "prompt_tokens": sum(s["prompt_tokens"] for s in stats),
                "completion_tokens": sum(s["completion_tokens"] for s in stats),
                "tokens_per_s": statistics.mean(s["tokens_per_s"] for s in stats),
                "calls": sum(s["calls"] for s in stats),
            }
        )
    lead_best, lead_mean = [], []
    for story in stories:
        lead = " ".join(story["document"].split()[: args.words])
        b, m = rouge_l(lead, story["references"])
        lead_best.append(b)
        lead_mean.append(m)
    baseline = statistics.mean(lead_mean)
    rows.append(
        {
            "name": f"lead-{args.words} baseline",
            "rougeL_best": statistics.mean(lead_best),
            "rougeL_mean": baseline,
        }
    )

    print(f"\n{len(stories)} SQuALITY dev stories, ROUGE-L F1 vs 4 references, ctx {args.ctx}")
    print(
        f"{'run':28} {'best':>6} {'mean':>6} {'vs lead':>8} {'wall s':>8} "
        f"{'tok in':>8} {'tok out':>8} {'tok/s':>7} {'calls':>6}"
    )
    for r in rows:
        ratio = r["rougeL_mean"] / baseline if baseline else float("nan")
        extra = (
            (
                f"{r['seconds']:8.0f} {r['prompt_tokens']:8d} {r['completion_tokens']:8d} "
                f"{r['tokens_per_s']:7.0f} {r['calls']:6d}"
            )
            if "seconds" in r
            else ""
        )
        print(
            f"{r['name']:28} {r['rougeL_best']:6.3f} {r['rougeL_mean']:6.3f} {ratio:8.2f} {extra}"
        )
    if args.json:
        for r in rows:
            print(json.dumps(r))


if __name__ == "__main__":
    main()
