"""longcli's speed on this machine, measured side by side in one run.

    python bench/run.py            # the full suite (about 25 minutes on 2 cores)
    python bench/run.py --quick    # a shorter version (under 5 minutes)
    python bench/run.py --smoke    # every part on tiny built-in inputs (seconds each; CI)
    python bench/run.py --json     # also print one JSON object per measurement, last

Every measurement runs in a child process of its own (thread settings and OpenMP's wait
policy are fixed when llama.cpp starts; peak memory is per process):

- threads: a sweep of (decode threads, prefill threads, OMP_WAIT_POLICY) on a fixed
  prefill + decode job; where longcli's defaults and llama-cpp-python's land against the
  best one (goal: longcli >= 0.90 of best);
- summarize: longcli end to end on a Shakespeare excerpt (and, in the full run, a SQuALITY
  story), then the raw token work of that same run: a bare llama-cpp-python loop that
  prefills exactly the prompts the run sent (reusing cached prefixes, as llama.cpp lets
  anyone) and greedily decodes exactly as many tokens, with the best thread settings
  (goal: overhead_ratio = longcli / raw <= 1.10);
- chat: prompt tokens and latency per turn, the share of prompt tokens served from the KV
  cache between folds, and a one-shot turn's time to first token cold and after loading
  the state the session kept (goal: warm <= 0.15 x cold);
- start-up: `longcli --help` wall time (goal < 150 ms) and peak RSS of `summarize --plan`
  on a large file against a 1 MB one (goal: within 200 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SHAKESPEARE = DATA / "tinyshakespeare.txt"
STORIES = DATA / "squality-dev.jsonl"
MIB = 1024 * 1024
# --smoke's text, in place of ../shared's: about 1,100 tokens a repetition.
SMOKE_TEXT = (
    "The harbour master Ilse Varga counted the ships that came in with the morning tide. "
    "Her brother Tomas kept the ledger of cargo: tea from the south, timber from the north "
    "and salt from the flats beyond Hale Bay. In the storm of that autumn the supply boat "
    "did not come, and the town rationed its lamp oil for nine nights.\n\n"
) * 12


@dataclass(frozen=True)
class Scale:
    """How big each part of a run is: --smoke, --quick or the full run."""

    name: str
    thread_rounds: int
    prefill_tokens: int
    decode_tokens: int
    tune: bool  # also time `longcli tune`
    summarize_chars: int
    summary_words: int
    story: bool  # also summarize a SQuALITY story
    chat_turns: int
    chat_block: int
    long_memory_turns: int
    batched_sequences: tuple[int, ...]
    batched_calls: int
    batched_max_tokens: int
    help_runs: int
    large_mb: int


SCALES = {
    "smoke": Scale("smoke", 1, 128, 8, False, 600, 30, False, 3, 3, 2, (1, 2), 2, 8, 2, 2),
    "quick": Scale("quick", 1, 1024, 64, True, 20_000, 250, False, 20, 10, 6, (1, 2), 4, 96, 7,
                   10),
    "full": Scale("full", 2, 1024, 128, True, 90_000, 250, True, 200, 50, 20, (1, 2, 4, 8), 8,
                  256, 7, 100),
}  # fmt: skip


def corpus(scale: Scale) -> str:
    """The text the benches read: Shakespeare from ../shared, or --smoke's own."""
    if scale.name == "smoke":
        return SMOKE_TEXT * 8
    return SHAKESPEARE.read_text(encoding="utf-8")


# -- children: each prints one JSON line -------------------------------------------------


def _model_path() -> str:
    from longcli.models.locate import bundled_model_path

    return str(bundled_model_path())


def child_threads(args: dict[str, Any]) -> dict[str, Any]:
    """The job `longcli tune` times (a prefill, then sampled decoding as longcli does it)."""
    from longcli.backends.repack import decide
    from longcli.backends.tuning import _child
    from longcli.config import Repack
    from longcli.models.gguf import describe_model

    # Repacked weights as longcli would use them here (off where they crash: Intel AMX).
    repack = decide(Repack.auto, describe_model(Path(_model_path()))).enabled
    return {"seconds": _child({**args, "model": _model_path(), "repack": repack})}


def greedy(llm: Any, np: Any) -> int:
    """The most likely next token, from the logits of the last evaluated position."""
    logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),))
    return int(np.argmax(logits))


class Recorder:
    """A backend wrapper that keeps every call's prompt tokens and generated count."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.n_ctx = inner.n_ctx
        self.identity = inner.identity
        self.calls: list[tuple[list[int], int]] = []

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def prompt_tokens(self, messages: list[Any]) -> int:
        return self.inner.prompt_tokens(messages)

    def complete(self, messages: list[Any], sampling: Any) -> Any:
        tokens = self.inner.encode(messages)
        completion = self.inner.complete(messages, sampling)
        self.calls.append((tokens, completion.completion_tokens))
        return completion

    def stream(self, messages: list[Any], sampling: Any) -> Any:
        return self.inner.stream(messages, sampling)


def child_summarize(args: dict[str, Any]) -> dict[str, Any]:
    """longcli's summarize with its defaults, in-process, from model load to the summary."""
    started = time.perf_counter()
    from longcli.backends.engine import open_engine
    from longcli.config import Method, Settings
    from longcli.prompts.templates import templates_for
    from longcli.summarize.pipeline import Summarizer, chunk_sources
    from longcli.summarize.run import summarize_options

    # Abstractive: the run whose token work the raw loop repeats (auto extracts with the
    # bundled model, calling it not at all).
    settings = Settings(
        ctx=args["ctx"], cache=False, method=Method.abstractive, words=args.get("words", 250)
    )
    engine = open_engine(settings)
    recorder = Recorder(engine.backend)
    summarizer = Summarizer(
        recorder, templates_for(settings), summarize_options(settings, engine.model)
    )
    text = Path(args["input"]).read_text(encoding="utf-8")
    chunks = chunk_sources([[text]], summarizer.budget, engine.backend.count_tokens)
    result = summarizer.run(chunks)
    wall = time.perf_counter() - started
    Path(args["calls_out"]).write_text(json.dumps(recorder.calls))
    return {
        "wall_s": wall,
        "input_tokens": result.stats.input_tokens,
        "prompt_tokens": sum(len(t) for t, _ in recorder.calls),
        "generated_tokens": sum(n for _, n in recorder.calls),
        "calls": len(recorder.calls),
        "threads": list(engine.backend.threads),
    }


def child_raw(args: dict[str, Any]) -> dict[str, Any]:
    """The same token work with a bare llama-cpp-python loop, from model load to the end."""
    started = time.perf_counter()
    import llama_cpp
    import numpy as np

    from longcli.backends.repack import decide, extra_buffers
    from longcli.config import Repack
    from longcli.models.gguf import describe_model

    calls = json.loads(Path(args["calls"]).read_text())
    # Repacked weights as longcli would use them here (off where they crash: Intel AMX).
    with extra_buffers(decide(Repack.auto, describe_model(Path(_model_path()))).enabled):
        llm = llama_cpp.Llama(
            model_path=_model_path(),
            n_ctx=args["ctx"],
            n_batch=512,
            n_threads=args["threads"],
            n_threads_batch=args["threads_batch"],
            flash_attn=True,
            verbose=False,
        )
    from longcli.backends.llama import shared_prefix  # after llama_cpp: its wait policy is set

    cached: list[int] = []
    prefilled = 0
    for prompt, generate in calls:
        shared = min(shared_prefix(cached, prompt), len(prompt) - 1)
        llm._ctx.kv_cache_seq_rm(-1, shared, -1)
        llm.n_tokens = shared
        llm.eval(prompt[shared:])
        prefilled += len(prompt) - shared
        cached = list(prompt)
        for _ in range(generate):
            token = greedy(llm, np)
            llm.eval([token])
            cached.append(token)
    return {"wall_s": time.perf_counter() - started, "prefilled_tokens": prefilled}


CHAT_LINES = [
    "My sister's name is Lena and she lives in Porto.",
    "Can you suggest a soup for a cold evening?",
    "What should I pack for a weekend of hiking?",
    "Tell me something about the history of tea.",
    "How do I keep basil alive on a windowsill?",
    "Give me one tip for learning chess openings.",
    "What is a good first bicycle repair to learn?",
    "Remind me what my sister's name is.",
]


def child_chat(args: dict[str, Any]) -> dict[str, Any]:
    """N turns on the real model: prompt tokens, latency, cache share; then TTFT cold/warm."""
    from longcli.backends.base import shared_prefix
    from longcli.backends.llama import LlamaBackend
    from longcli.chat import kvstate
    from longcli.chat.conversation import Chat, ChatOptions
    from longcli.chat.session import Session
    from longcli.models.gguf import describe_model
    from longcli.models.locate import bundled_model_path
    from longcli.prompts.templates import load_templates

    info = describe_model(bundled_model_path())
    backend = LlamaBackend(info, args["ctx"])
    path = Path(args["dir"]) / "session"
    session = Session.open(path, create=True, writable=True)
    chat = Chat(session, backend, load_templates(), ChatOptions(reply_tokens=96))
    turns: list[dict[str, Any]] = []
    original_stream = backend.stream

    def measured_stream(messages: Any, sampling: Any) -> Any:
        cached = backend.context_tokens()
        prompt = backend.encode(messages)
        turns[-1]["prompt_tokens"] = len(prompt)
        turns[-1]["cached_tokens"] = min(shared_prefix(cached, prompt), len(prompt) - 1)
        return original_stream(messages, sampling)

    backend.stream = measured_stream  # type: ignore[method-assign]
    for n in range(args["turns"]):
        turns.append({})
        started = time.perf_counter()
        reply = chat.ask(f"{CHAT_LINES[n % len(CHAT_LINES)]} (turn {n + 1})")
        turns[-1]["seconds"] = time.perf_counter() - started
        turns[-1]["folded"] = reply.folded
        started = time.perf_counter()
        chat.settle()  # as the REPL does once the reply is shown
        turns[-1]["settle_seconds"] = time.perf_counter() - started
    backend.stream = original_stream  # type: ignore[method-assign]
    kvstate.save(backend, path)
    session.close()
    ttft = one_shot_ttft(path, args["ctx"])
    state_bytes = (path / kvstate.STATE_FILE).stat().st_size
    return {"turns": turns, "ttft": ttft, "state_bytes": state_bytes}


def one_shot_ttft(path: Path, ctx: int) -> dict[str, float]:
    """Time to the first token of a one-shot turn on a kept session, from model loaded:
    cold, then after loading the state the session kept (the load counts)."""
    from longcli.backends.llama import LlamaBackend
    from longcli.calls import Sampling
    from longcli.chat import kvstate
    from longcli.chat.conversation import Chat, ChatOptions
    from longcli.chat.session import Session
    from longcli.models.gguf import describe_model
    from longcli.models.locate import bundled_model_path
    from longcli.prompts.templates import load_templates

    info = describe_model(bundled_model_path())
    question = "What is my sister's name, and where does she live?"
    ttft: dict[str, float] = {}
    for mode in ("cold", "warm"):
        fresh = LlamaBackend(info, ctx)
        session = Session.open(path, create=False, writable=False)
        chat = Chat(session, fresh, load_templates(), ChatOptions(reply_tokens=96))
        started = time.perf_counter()
        if mode == "warm":
            ttft["restored_tokens"], _ = kvstate.restore(fresh, path)
        prompt = chat.prepare(question)  # the prompt as ask() builds it
        next(iter(fresh.stream(prompt.messages, Sampling(max_tokens=8))))
        ttft[mode] = time.perf_counter() - started
        ttft["prompt_tokens"] = prompt.prompt_tokens
        session.close()
    return ttft


def child_long_memory(args: dict[str, Any]) -> dict[str, Any]:
    """A session whose memory fills a larger context (long messages, no folds yet), then
    the one-shot time to first token cold and warm."""
    from longcli.backends.llama import LlamaBackend
    from longcli.chat import kvstate
    from longcli.chat.conversation import Chat, ChatOptions
    from longcli.chat.session import Session
    from longcli.models.gguf import describe_model
    from longcli.models.locate import bundled_model_path
    from longcli.prompts.templates import load_templates

    words = Path(args["text"]).read_text(encoding="utf-8").split()
    backend = LlamaBackend(describe_model(bundled_model_path()), args["ctx"])
    path = Path(args["dir"]) / "long-memory"
    session = Session.open(path, create=True, writable=True)
    chat = Chat(session, backend, load_templates(), ChatOptions(reply_tokens=96))
    chat.ask("My sister's name is Lena and she lives in Porto.")
    chat.settle()
    # Fill the window to about three quarters, so the measured turn needs no fold.
    for n in range(args["turns"]):
        if sum(e.tokens for e in chat.window) > 0.75 * chat.budget.window_tokens:
            break
        part = " ".join(words[n * args["words"] : (n + 1) * args["words"]])
        chat.ask(f"Here is the next part of a story I am reading:\n\n{part}")
        chat.settle()
    kvstate.save(backend, path)
    session.close()
    return one_shot_ttft(path, args["ctx"])


def child_batched(args: dict[str, Any]) -> dict[str, Any]:
    """Map-phase calls (real chunks, the map prompt) through the batched decoder with N
    sequences, and one by one through the ordinary backend; tokens per second."""
    from longcli.backends.batched import BatchedBackend
    from longcli.backends.llama import LlamaBackend, LoadOptions
    from longcli.calls import Sampling
    from longcli.models.gguf import describe_model
    from longcli.models.locate import bundled_model_path
    from longcli.prompts.summary import map_prompt
    from longcli.prompts.templates import load_templates
    from longcli.summarize.parallel import DaemonPool
    from longcli.text.chunks import chunk_stream

    info = describe_model(bundled_model_path())
    templates = load_templates()
    # Greedy: every setup generates the same tokens, so tokens per second compare like
    # with like (sampled answers differ in length, and decoding is slower than prefill).
    sampling = Sampling(max_tokens=args["max_tokens"], temperature=0.0)
    tokenizer = LlamaBackend(info, 256, LoadOptions(flash_attn=True))
    text = Path(args["text"]).read_text(encoding="utf-8")
    prompts = []
    for chunk in chunk_stream([text], 1024, tokenizer.count_tokens):
        prompts.append(map_prompt(templates, chunk.text, None, 150, None))
        if len(prompts) == args["calls"]:
            break
    results: dict[str, Any] = {}
    sequential = LlamaBackend(info, 2048, LoadOptions(flash_attn=True))
    started = time.perf_counter()
    done = [sequential.complete(p, sampling) for p in prompts]
    results["sequential"] = _throughput(done, time.perf_counter() - started)
    del sequential
    for n in args["sequences"]:
        backend = BatchedBackend(tokenizer, n, 2048)
        started = time.perf_counter()
        with DaemonPool(n) as pool:
            futures = [pool.submit(lambda p=p, b=backend: b.complete(p, sampling)) for p in prompts]
            done = [f.result() for f in futures]
        results[str(n)] = _throughput(done, time.perf_counter() - started)
        backend.runner.close()  # its decoding thread
    return results


def _throughput(done: list[Any], seconds: float) -> dict[str, float]:
    tokens = sum(c.prompt_tokens + c.completion_tokens for c in done)
    return {
        "seconds": seconds,
        "tokens": tokens,
        "generated": sum(c.completion_tokens for c in done),
        "tokens_per_s": tokens / seconds,
    }


CHILDREN = {
    "long_memory": child_long_memory,
    "batched": child_batched,
    "threads": child_threads,
    "summarize": child_summarize,
    "raw": child_raw,
    "chat": child_chat,
}


def run_child(name: str, args: dict[str, Any], env: dict[str, str] | None = None) -> dict:
    if env is None:
        # As a user runs longcli: no wait policy in the environment unless the person
        # running the bench set one (importing longcli here put PASSIVE in ours).
        from longcli.backends.runtime import USER_WAIT_POLICY

        env = _policy_env(USER_WAIT_POLICY or "")
    done = subprocess.run(
        [sys.executable, __file__, "--child", name, json.dumps(args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench child {name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the suite ----------------------------------------------------------------------------


class Report:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, name: str, value: float, unit: str, goal: str = "") -> None:
        self.rows.append({"name": name, "value": round(value, 4), "unit": unit, "goal": goal})
        note = f"   goal: {goal}" if goal else ""
        print(f"  {name:44} {value:>12.4g} {unit:10}{note}", flush=True)


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def bench_threads(report: Report, scale: Scale) -> tuple[int, int, str]:
    """Sweep thread settings; returns the best (threads, threads_batch, policy)."""
    from longcli.backends.llama import default_threads

    cores = cpu_count()
    ours = (*default_threads(), "PASSIVE")
    theirs = (max(1, cores // 2), cores, "")  # llama-cpp-python's defaults, OpenMP's default
    pairs = sorted({(1, 1), (1, cores), (cores, cores), default_threads()})
    policies = ["PASSIVE", "ACTIVE", ""]
    if scale.name == "smoke":  # the two settings the report compares, once
        pairs, policies = sorted({ours[:2], theirs[:2]}), ["PASSIVE", ""]
    rounds = scale.thread_rounds
    job = {"prefill": scale.prefill_tokens, "decode": scale.decode_tokens}
    times: dict[tuple[int, int, str], list[float]] = {}
    for _ in range(rounds):  # rounds interleave, so a noisy minute hits every setting
        for threads, batch in pairs:
            for policy in policies:
                result = run_child(
                    "threads",
                    {**job, "threads": threads, "threads_batch": batch},
                    env=_policy_env(policy),
                )
                total = result["seconds"]
                times.setdefault((threads, batch, policy), []).append(total)
    best_key = min(times, key=lambda k: min(times[k]))
    best = min(times[best_key])
    print("  threads (decode/prefill) and OMP_WAIT_POLICY: seconds for the job")
    for key in sorted(times):
        label = f"{key[0]}/{key[1]} {key[2] or 'unset'}"
        print(f"    {label:22} {' '.join(f'{t:6.2f}' for t in times[key])}")
    report.add("threads_best_seconds", best, "s", f"best: {best_key[0]}/{best_key[1]} "
               f"{best_key[2] or 'unset'}")  # fmt: skip
    report.add("threads_longcli_vs_best", best / min(times[ours]), "ratio", ">= 0.90")
    report.add("threads_llama_cpp_python_defaults_vs_best", best / min(times[theirs]), "ratio")
    if not scale.tune:
        return best_key
    # `longcli tune` picks among the same settings (ACTIVE is OpenMP's spinning default)
    tuned = subprocess.run(
        [sys.executable, "-m", "longcli", "tune", "--rounds", "1", "--json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    label = json.loads(tuned.stdout)["best"]
    decode, prefill = (int(x) for x in label.split()[0].split("/"))
    policy = label.split()[1].upper()
    picked = min(times.get((decode, prefill, policy), [float("inf")]))
    report.add("threads_longcli_after_tune_vs_best", best / picked, "ratio", ">= 0.90")
    return best_key


def _policy_env(policy: str) -> dict[str, str]:
    return {"OMP_WAIT_POLICY": policy, "LONGCLI_BENCH_UNSET_OMP": "" if policy else "1"}


def bench_summarize(report: Report, scale: Scale, best: tuple[int, int, str], work: Path) -> None:
    label = "shakespeare" if scale.name != "smoke" else "smoke"
    inputs = [(label, corpus(scale)[: scale.summarize_chars])]  # quick ~6k, full ~27k tokens
    if scale.story:
        story = json.loads(STORIES.read_text(encoding="utf-8").splitlines()[0])["document"]
        inputs.append(("story", story))
    for label, body in inputs:
        source = work / f"{label}.txt"
        source.write_text(body, encoding="utf-8")
        calls = work / f"{label}-calls.json"
        job = {"input": str(source), "ctx": 2048, "calls_out": str(calls)}
        ours = run_child("summarize", {**job, "words": scale.summary_words})
        raw = run_child(
            "raw",
            {"calls": str(calls), "ctx": 2048, "threads": best[0], "threads_batch": best[1]},
            env=_policy_env(best[2]),
        )
        report.add(f"summarize_{label}_wall", ours["wall_s"], "s")
        report.add(f"summarize_{label}_input_tokens", ours["input_tokens"], "tokens")
        report.add(f"summarize_{label}_prompt_tokens", ours["prompt_tokens"], "tokens")
        report.add(f"summarize_{label}_generated_tokens", ours["generated_tokens"], "tokens")
        report.add(f"summarize_{label}_model_calls", ours["calls"], "calls")
        report.add(f"summarize_{label}_raw_wall", raw["wall_s"], "s")
        report.add(
            f"summarize_{label}_prefix_cached_share",
            1 - raw["prefilled_tokens"] / max(1, ours["prompt_tokens"]),
            "share",
        )
        report.add(
            f"summarize_{label}_overhead_ratio", ours["wall_s"] / raw["wall_s"], "ratio", "<= 1.10"
        )


def bench_chat(report: Report, scale: Scale, work: Path) -> None:
    turns = scale.chat_turns
    result = run_child("chat", {"ctx": 1024, "turns": turns, "dir": str(work / "chat")})
    rows = result["turns"]
    block = scale.chat_block
    print("  chat turns: mean prompt tokens and seconds per block of turns")
    for start in range(0, len(rows), block):
        part = rows[start : start + block]
        print(
            f"    turns {start + 1:>3}-{start + len(part):<3} "
            f"prompt {statistics.mean(r['prompt_tokens'] for r in part):6.0f}  "
            f"seconds {statistics.mean(r['seconds'] for r in part):5.2f}"
        )
    steady = [r for r in rows if not r["folded"]]
    share = sum(r["cached_tokens"] for r in steady) / max(
        1, sum(r["prompt_tokens"] for r in steady)
    )
    overall = sum(r["cached_tokens"] for r in rows) / max(1, sum(r["prompt_tokens"] for r in rows))
    report.add("chat_turns", len(rows), "turns")
    report.add("chat_folds", sum(1 for r in rows if r["folded"]), "turns")
    report.add(
        "chat_prompt_tokens_mean", statistics.mean(r["prompt_tokens"] for r in rows), "tokens"
    )
    report.add("chat_prompt_tokens_max", max(r["prompt_tokens"] for r in rows), "tokens")
    report.add("chat_turn_seconds_mean", statistics.mean(r["seconds"] for r in rows), "s")
    quarter = max(1, len(rows) // 4)  # a smoke run has fewer than four turns
    first, last = rows[:quarter], rows[-quarter:]
    report.add(
        "chat_turn_seconds_last_vs_first_quarter",
        statistics.mean(r["seconds"] for r in last) / statistics.mean(r["seconds"] for r in first),
        "ratio",
        "flat (about 1)",
    )
    report.add("chat_settle_seconds_mean", statistics.mean(r["settle_seconds"] for r in rows), "s")
    report.add("chat_kv_cached_share_between_folds", share, "share")
    report.add("chat_kv_cached_share_all_turns", overall, "share")
    ttft = result["ttft"]
    report.add("chat_oneshot_ttft_cold", ttft["cold"], "s")
    report.add("chat_oneshot_ttft_saved_state", ttft["warm"], "s")
    report.add("chat_oneshot_ttft_saved_vs_cold", ttft["warm"] / ttft["cold"], "ratio", "<= 0.15")
    report.add("chat_saved_state_bytes", result["state_bytes"] / MIB, "MiB")


def bench_long_memory(report: Report, scale: Scale, work: Path) -> None:
    story = work / "long-memory-story.txt"
    if scale.name == "smoke":
        story.write_text(SMOKE_TEXT, encoding="utf-8")
    else:
        lines = STORIES.read_text(encoding="utf-8").splitlines()
        story.write_text(json.loads(lines[1])["document"], encoding="utf-8")
    job = {"ctx": 4096, "turns": scale.long_memory_turns, "words": 200, "dir": str(work / "long")}
    long = run_child("long_memory", {**job, "text": str(story)})
    report.add("chat_long_memory_prompt_tokens", long["prompt_tokens"], "tokens")
    report.add("chat_long_memory_ttft_cold", long["cold"], "s")
    report.add("chat_long_memory_ttft_saved_state", long["warm"], "s")
    report.add(
        "chat_long_memory_ttft_saved_vs_cold", long["warm"] / long["cold"], "ratio", "<= 0.15"
    )


def bench_batched(report: Report, scale: Scale, work: Path) -> None:
    sequences = list(scale.batched_sequences)
    text = work / "batched.txt"
    text.write_text(corpus(scale)[200_000:] or corpus(scale), encoding="utf-8")
    job = {"sequences": sequences, "calls": scale.batched_calls, "text": str(text)}
    result = run_child("batched", {**job, "max_tokens": scale.batched_max_tokens})
    base = result["sequential"]["tokens_per_s"]
    report.add("map_sequential_tokens_per_s", base, "tok/s")
    report.add("map_sequential_generated_tokens", result["sequential"]["generated"], "tokens")
    for n in sequences:
        row = result[str(n)]
        report.add(f"map_batched_{n}_tokens_per_s", row["tokens_per_s"], "tok/s")
        report.add(f"map_batched_{n}_generated_tokens", row["generated"], "tokens")
        report.add(f"map_batched_{n}_vs_sequential", row["tokens_per_s"] / base, "ratio")


def peak_rss_mib(command: list[str]) -> float:
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command} failed: {proc.stderr.read().decode()[-2000:]}")
    return usage.ru_maxrss / 1024  # KiB on Linux


def bench_startup(report: Report, scale: Scale, work: Path) -> None:
    times = []
    for _ in range(scale.help_runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "longcli", "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    report.add("help_wall_ms", statistics.median(times) * 1000, "ms", "< 150")
    unit, name = (100_000, "100kb") if scale.name == "smoke" else (1_000_000, "1mb")
    text = corpus(scale).encode()
    while len(text) < unit:
        text += text
    small, large = work / f"{name}.txt", work / "large.txt"
    small.write_bytes(text[:unit])
    times_bigger = scale.large_mb
    with open(large, "wb") as f:
        for _ in range(times_bigger):
            f.write(text[:unit])
    big = f"{times_bigger * unit // 1_000_000}mb" if unit == 1_000_000 else f"{times_bigger}x{name}"
    plan = [sys.executable, "-m", "longcli", "summarize", "--plan", "-q"]
    small_rss = peak_rss_mib([*plan, str(small)])
    started = time.perf_counter()
    large_rss = peak_rss_mib([*plan, str(large)])
    report.add(f"plan_{name}_peak_rss", small_rss, "MiB")
    report.add(f"plan_{big}_peak_rss", large_rss, "MiB")
    report.add(f"plan_{big}_seconds", time.perf_counter() - started, "s")
    report.add(f"plan_{big}_minus_{name}_rss", large_rss - small_rss, "MiB", "<= 200")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a shorter run (under 5 minutes)")
    parser.add_argument("--smoke", action="store_true", help="tiny built-in inputs (CI)")
    parser.add_argument("--json", action="store_true", help="print the measurements as JSON")
    parser.add_argument(
        "--only", help="comma-separated: threads,summarize,batched,chat,longmemory,startup"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("child_args", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if os.environ.get("LONGCLI_BENCH_UNSET_OMP"):
            os.environ.pop("OMP_WAIT_POLICY", None)
        print(json.dumps(CHILDREN[args.child](json.loads(args.child_args))))
        return
    only = set((args.only or "threads,summarize,batched,chat,longmemory,startup").split(","))
    report = Report()
    started = time.perf_counter()
    cores = cpu_count()
    scale = SCALES["smoke" if args.smoke else "quick" if args.quick else "full"]
    missing = [p for p in (SHAKESPEARE, STORIES) if not p.is_file()]
    if scale.name != "smoke" and missing:
        raise SystemExit(
            f"bench/run.py: {missing[0]} is missing; the data lives in ../shared next to this "
            "checkout (or run with --smoke, which needs none)"
        )
    print(f"longcli bench ({scale.name}) on {cores} cores", flush=True)
    with tempfile.TemporaryDirectory(prefix="longcli-bench-") as tmp:
        work = Path(tmp)
        env_home = {k: str(work / k.lower()) for k in ("CONFIG", "CACHE", "DATA")}
        for key, value in env_home.items():
            os.environ[f"LONGCLI_{key}_DIR"] = value
        best: tuple[int, int, str] = (1, cores, "PASSIVE")
        if "threads" in only:
            best = bench_threads(report, scale)
        if "summarize" in only:
            bench_summarize(report, scale, best, work)
        if "batched" in only:
            bench_batched(report, scale, work)
        if "chat" in only:
            bench_chat(report, scale, work)
        if "longmemory" in only:
            bench_long_memory(report, scale, work)
        if "startup" in only:
            bench_startup(report, scale, work)
    report.add("bench_seconds", time.perf_counter() - started, "s")
    if args.json:
        for row in report.rows:
            print(json.dumps(row))


if __name__ == "__main__":
    main()
