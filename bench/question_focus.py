"""Questions about a long document: does `-i QUESTION` answer it better than no question?

On the SQuALITY dev stories, questions 2-5 of each story (each with 4 human responses):
longcli's extractive method summarizes the story twice at the same length (`--words`),
once blind and once with the question as `-i`, and each is scored against that question's
responses: ROUGE-Lsum, ROUGE-1, ROUGE-2 F1, best over the responses (x100), as
bench/summarize_quality.py scores plot summaries. Reported per condition: the mean, the
difference (focused - blind), the share of questions where the focused summary scores
higher in ROUGE-Lsum, and how many focused runs said that nothing in the story matches the
question (summarize/shortfall.py). The target (issue 31): focused beats blind by at least
3 ROUGE-Lsum points and wins on at least 70% of the questions.

The stories are split by a fixed rule before tuning: even story indices (0, 2, ...) are the
half retrieval was tuned on, odd ones are held out; both halves are reported.

    python bench/question_focus.py                  # all 25 stories, both halves
    python bench/question_focus.py --half even      # the tuning half only
    python bench/question_focus.py --words 120      # another length [the responses' median]
    python bench/question_focus.py --smoke          # seconds: two stories cut short (CI)
    python bench/question_focus.py --embedding off  # BM25 alone (default: the installed
                                                    # embedding model, as the CLI uses it)

Data: ../shared/data/squality-dev.jsonl (SQuALITY v1.3, NYU, CC BY 4.0; the stories are
Project Gutenberg texts). The model is used for its tokenizer only (the bundled one).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "squality-dev.jsonl"
SMOKE_DATA = ROOT / "tests" / "data" / "squality-stories.jsonl"
QUESTIONS = (2, 3, 4, 5)  # question 1 is the plot: summarize_quality.py measures it
CTX = 8192  # as the CLI picks for the bundled model
SMOKE_WORDS = 1500  # --smoke: each story cut to its first words
TARGET_POINTS = 3.0
TARGET_WINS = 0.70
METRICS = ("rougeLsum", "rouge1", "rouge2")
MISSING = (
    "question_focus: {path} is missing: the benchmark data lives in ../shared next to the "
    "repository (see its README); nothing measured"
)


@dataclass
class Question:
    story: int  # the story's index in the data (its half: even or odd)
    text: str
    responses: list[str]


@dataclass
class Story:
    index: int
    document: str
    questions: list[Question] = field(default_factory=list)


@dataclass
class Scored:
    question: Question
    blind: dict[str, float]
    focused: dict[str, float]
    unanswered: bool  # the focused run said nothing in the story matches the question


def load(smoke: bool) -> list[Story]:
    """The stories with questions 2-5; --smoke: two stories cut short (the test suite's
    copy, with its plot references standing in for answers, when ../shared is missing)."""
    if not DATA.is_file():
        if not smoke:
            sys.exit(MISSING.format(path=DATA))
        return _smoke_stories()
    stories = []
    with open(DATA, encoding="utf-8") as f:
        for index, line in enumerate(f):
            row = json.loads(line)
            story = Story(index, row["document"])
            for q in row["questions"]:
                if q["question_number"] in QUESTIONS:
                    responses = [r["response_text"] for r in q["responses"]]
                    story.questions.append(Question(index, q["question_text"], responses))
            stories.append(story)
    if smoke:
        stories = stories[:2]
        for story in stories:
            story.document = " ".join(story.document.split(" ")[:SMOKE_WORDS])
            story.questions = story.questions[:2]
    return stories


def _smoke_stories() -> list[Story]:
    asked = ["Who is Ivy Hendricks and what happens to her?", "Who is Potter?"]
    stories = []
    with open(SMOKE_DATA, encoding="utf-8") as f:
        for index, line in enumerate(f):
            row = json.loads(line)
            text = " ".join(row["document"].split(" ")[:SMOKE_WORDS])
            story = Story(index, text, [Question(index, asked[index], row["references"])])
            stories.append(story)
    return stories


def half_of(index: int) -> str:
    return "even" if index % 2 == 0 else "odd"


def rouge(summary: str, references: list[str]) -> dict[str, float]:
    sys.path.insert(0, str(Path(__file__).parent))
    from summarize_quality import rouge as best_rouge

    return best_rouge(summary, references)


class Runner:
    """longcli's extractive method on a text, blind or with -i, as `summarize` runs it
    (boilerplate removed, chunked for the bundled model), and whether it fell short of -i."""

    def __init__(self, words: int, embedding: str) -> None:
        from longcli.backends.embedding import find_embedding_model, open_embedder
        from longcli.backends.llama import LlamaBackend
        from longcli.models.gguf import describe_model
        from longcli.models.locate import bundled_model_path
        from longcli.prompts.templates import load_templates

        self.backend = LlamaBackend(describe_model(bundled_model_path()), CTX, vocab_only=True)
        self.templates = load_templates()
        self.words = words
        path = find_embedding_model(embedding)  # one model, its vectors kept for the run
        self.embedder = open_embedder(path) if path is not None else None
        self.embedding = str(path.name) if path is not None else "none"

    def summary(self, text: str, question: str | None) -> tuple[str, bool]:
        from longcli.config import Method
        from longcli.summarize.budget import SummarizeOptions, default_chunk_cap
        from longcli.summarize.pipeline import Summarizer, chunk_sources
        from longcli.summarize.shortfall import Asked, shortfalls
        from longcli.text import retrieval

        cap = default_chunk_cap(self.backend.model)
        q = retrieval.query(question) if question else None
        # as pool.question_meaning loads it: for a question that names no one
        meaning = self.embedder if q is not None and q.question and not q.names else None
        opts = SummarizeOptions(self.words, instructions=question, method=Method.extractive,
                                max_chunk_tokens=cap, meaning=meaning)  # fmt: skip
        summarizer = Summarizer(self.backend, self.templates, opts)
        chunks = chunk_sources([[text]], summarizer.budget, self.backend.count_tokens)
        result = summarizer.run(chunks)
        unmet = shortfalls(result, "", self.words, Method.extractive, question, 0,
                           meaning is not None)  # fmt: skip
        return result.summary, any(u.asked == Asked.instructions for u in unmet)


def measure(stories: list[Story], runner: Runner, verbose: bool) -> list[Scored]:
    found = []
    for story in stories:
        blind, _ = runner.summary(story.document, None)
        for q in story.questions:
            focused, unanswered = runner.summary(story.document, q.text)
            scored = Scored(q, rouge(blind, q.responses), rouge(focused, q.responses), unanswered)
            found.append(scored)
            if verbose:
                gain = scored.focused["rougeLsum"] - scored.blind["rougeLsum"]
                print(f"  story {story.index:2} {gain:+5.1f}  {q.text[:70]}", flush=True)
    return found


def report(rows: list[Scored], label: str) -> dict[str, Any]:
    if not rows:
        return {}
    out: dict[str, Any] = {"half": label, "questions": len(rows)}
    for metric in METRICS:
        blind = statistics.mean(r.blind[metric] for r in rows)
        focused = statistics.mean(r.focused[metric] for r in rows)
        out[metric] = {"blind": blind, "focused": focused, "difference": focused - blind}
    wins = sum(r.focused["rougeLsum"] > r.blind["rougeLsum"] for r in rows)
    out["wins"] = wins / len(rows)
    out["unanswered"] = sum(r.unanswered for r in rows)
    gain = out["rougeLsum"]["difference"]
    out["target_met"] = gain >= TARGET_POINTS and out["wins"] >= TARGET_WINS
    return out


def print_report(summary: dict[str, Any]) -> None:
    if not summary:
        return
    print(f"\n{summary['half']} half ({summary['questions']} questions)")
    print(f"  {'':10}{'blind':>8}{'focused':>9}{'diff':>8}")
    for metric, name in zip(METRICS, ("R-Lsum", "R-1", "R-2"), strict=True):
        m = summary[metric]
        print(f"  {name:10}{m['blind']:8.1f}{m['focused']:9.1f}{m['difference']:+8.1f}")
    print(f"  focused wins (R-Lsum) on {summary['wins']:.0%} of questions; "
          f"{summary['unanswered']} said nothing matches the question")  # fmt: skip
    met = "met" if summary["target_met"] else "NOT met"
    print(f"  target (>= +{TARGET_POINTS:.0f} R-Lsum, >= {TARGET_WINS:.0%} wins): {met}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, help="summary length [the responses' median]")
    parser.add_argument("--half", choices=("even", "odd", "both"), default="both")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    parser.add_argument("--verbose", action="store_true", help="each question's gain")
    parser.add_argument("--smoke", action="store_true", help="two stories cut short (CI)")
    parser.add_argument(
        "--embedding",
        default=os.environ.get("LONGCLI_EMBEDDING_MODEL"),
        help="the embedding model, as the embedding_model setting: a GGUF, auto (the one "
        "installed) or off [LONGCLI_EMBEDDING_MODEL, else auto]",
    )
    args = parser.parse_args()
    import bm25s  # sets its own logger to DEBUG on import: one line per index

    logging.getLogger(bm25s.__name__).setLevel(logging.WARNING)
    stories = load(args.smoke)
    if args.half != "both":
        stories = [s for s in stories if half_of(s.index) == args.half]
    words = args.words or round(
        statistics.median(
            len(r.split()) for s in stories for q in s.questions for r in q.responses
        )  # fmt: skip
    )
    if args.smoke:
        words = min(words, 60)
    started = time.perf_counter()
    runner = Runner(words, args.embedding)
    rows = measure(stories, runner, args.verbose)
    seconds = time.perf_counter() - started
    print(f"question_focus: {len(rows)} questions, --words {words}, extractive, "
          f"embedding model {runner.embedding}, {seconds:.0f}s")  # fmt: skip
    summaries = [report([r for r in rows if half_of(r.question.story) == h],
                        f"{h} ({'tuned on' if h == 'even' else 'held out'})")
                 for h in ("even", "odd")]  # fmt: skip
    summaries.append(report(rows, "all"))
    for summary in summaries:
        print_report(summary)
    if args.json:
        print(json.dumps([s for s in summaries if s]))


if __name__ == "__main__":
    main()
