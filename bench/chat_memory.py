"""Chat memory: does the per-turn cost stay flat, and do early facts survive folding?

    python bench/chat_memory.py                 # fake model: 300 turns, then retention
    python bench/chat_memory.py --real --turns 200 --ctx 1024

Part 1 prints prompt tokens and latency per block of turns: with a bounded memory they
level off instead of growing with the conversation. Part 2 plants facts in the first
turns, talks about other things until several folds have happened, then asks for each
fact and reports where it was found: in the running summary, in the recalled passages
given with the question, and (real model only) in the reply.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

FACTS = [
    ("My sister's name is Lena.", "What is my sister's name?", "Lena"),
    ("The wifi password is ORCHID-7.", "What is the wifi password?", "ORCHID-7"),
    ("My flight to Lima leaves on May 14.", "When does my flight to Lima leave?", "May 14"),
    ("I parked the car on level 3 of the garage.", "Where did I park the car?", "level 3"),
    ("My favourite colour is teal.", "What is my favourite colour?", "teal"),
]
TOPICS = [
    "gardening",
    "the weather",
    "soup recipes",
    "chess",
    "learning Spanish",
    "bicycles",
    "the history of tea",
    "a trip to Rome",
    "jazz",
    "running shoes",
]


def open_chat(path: Path, real: bool, ctx: int):
    from longcli.backends.llama import LlamaBackend
    from longcli.chat.conversation import Chat, ChatOptions
    from longcli.chat.session import Session
    from longcli.models.gguf import describe_model
    from longcli.models.locate import bundled_model_path
    from longcli.prompts.templates import load_templates

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root
    from tests.support.fake_backend import FakeBackend

    if real:
        backend = LlamaBackend(describe_model(bundled_model_path()), ctx)
        options = ChatOptions(reply_tokens=96)
    else:
        backend = FakeBackend(n_ctx=ctx)
        options = ChatOptions()
    session = Session.open(path, create=True, writable=True)
    return Chat(session, backend, load_templates(), options), session


def flat_cost(real: bool, turns: int, ctx: int) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        chat, session = open_chat(Path(tmp) / "s", real, ctx)
        block: list[tuple[int, float]] = []
        for i in range(turns):
            started = time.perf_counter()
            reply = chat.ask(f"Tell me one short thing about {TOPICS[i % len(TOPICS)]} (turn {i}).")
            block.append((reply.prompt_tokens, time.perf_counter() - started))
            if len(block) == 50 or i == turns - 1:
                rows.append(
                    {
                        "turns": f"{i + 2 - len(block)}-{i + 1}",
                        "prompt_tokens_mean": statistics.mean(b[0] for b in block),
                        "prompt_tokens_max": max(b[0] for b in block),
                        "latency_ms_mean": 1000 * statistics.mean(b[1] for b in block),
                        "folds": chat.state.folds,
                    }
                )
                block = []
        session.close()
    return rows


def retention(real: bool, ctx: int, filler: int) -> list[dict]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        chat, session = open_chat(Path(tmp) / "s", real, ctx)
        for statement, _, _ in FACTS:
            chat.ask(statement)
        for i in range(filler):
            chat.ask(f"Tell me one short thing about {TOPICS[i % len(TOPICS)]}.")
        folds = chat.state.folds
        for _, question, key in FACTS:
            in_window = any(key.lower() in e.user.lower() for e in chat.window)
            summary = chat.state.summary
            reply = chat.ask(question)
            results.append(
                {
                    "fact": key,
                    "folded": not in_window,
                    "in_summary": key.lower() in summary.lower(),
                    "recalled": any(key.lower() in r.lower() for r in reply.recalled),
                    "in_reply": key.lower() in reply.text.lower(),
                    "folds_before": folds,
                }
            )
        session.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real", action="store_true", help="use the bundled model, not the fake")
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--ctx", type=int, default=2048)
    parser.add_argument("--filler", type=int, default=40, help="turns between facts and questions")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # rows appear as they are measured

    model = "SmolLM2-135M (real)" if args.real else "fake model"
    print(f"Part 1: {args.turns} turns, {model}, context {args.ctx}")
    print(f"{'turns':>9} {'prompt tok mean':>16} {'max':>6} {'latency ms':>11} {'folds':>6}")
    for r in flat_cost(args.real, args.turns, args.ctx):
        print(
            f"{r['turns']:>9} {r['prompt_tokens_mean']:16.0f} {r['prompt_tokens_max']:6d} "
            f"{r['latency_ms_mean']:11.1f} {r['folds']:6d}"
        )

    print(f"\nPart 2: {len(FACTS)} facts, {args.filler} filler turns, then the questions")
    rows = retention(args.real, args.ctx, args.filler)
    print(f"{'fact':>10} {'folded':>7} {'summary':>8} {'recalled':>9} {'reply':>6}")
    for r in rows:
        print(
            f"{r['fact']:>10} {r['folded']!s:>7} {r['in_summary']!s:>8} {r['recalled']!s:>9} "
            f"{r['in_reply']!s:>6}"
        )
    available = sum(r["in_summary"] or r["recalled"] for r in rows)
    print(
        f"folds before the questions: {rows[0]['folds_before']}; facts given to the model "
        f"(summary or recall): {available}/{len(rows)}; facts in the reply: "
        f"{sum(r['in_reply'] for r in rows)}/{len(rows)}"
    )


if __name__ == "__main__":
    main()
