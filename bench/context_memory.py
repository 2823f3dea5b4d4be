"""Peak memory and prefill speed of the bundled model by context size and KV-cache type.

    python bench/context_memory.py            # n_ctx 2048/4096/8192 x f16/q8_0
    python bench/context_memory.py --json
    python bench/context_memory.py --smoke    # n_ctx 512, f16 and q8_0, built-in text (CI)

Each configuration runs in a fresh process (so peak RSS is its own): load the model,
prefill a prompt filling 90% of the context with Shakespeare, report the prefill rate,
the process's peak RSS, and the KV-cache size longcli predicts from the GGUF header.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

TEXT = Path(__file__).resolve().parents[2] / "shared" / "data" / "tinyshakespeare.txt"
SMOKE_TEXT = "The harbour master counted the ships that came in with the morning tide. " * 200
# (n_ctx, kv type, flash attention): q8_0 needs flash attention
CONFIGS = [
    (n, kv, fa)
    for n in (2048, 4096, 8192)
    for kv, fa in (("f16", False), ("f16", True), ("q8_0", True))
]
SMOKE_CONFIGS = [(512, "f16", False), (512, "q8_0", True)]


def child(n_ctx: int, kv_type: str, flash_attn: bool, smoke: bool = False) -> dict:
    import resource
    import time

    from longcli.backends.llama import LlamaBackend, LoadOptions
    from longcli.models.footprint import kv_bytes, kv_shape
    from longcli.models.gguf import describe_model
    from longcli.models.locate import bundled_model_path

    info = describe_model(bundled_model_path())
    backend = LlamaBackend(info, n_ctx, LoadOptions(kv_type=kv_type, flash_attn=flash_attn))
    llm = backend._llm
    text = SMOKE_TEXT if smoke else TEXT.read_text(encoding="utf-8")
    tokens = llm.tokenize(text.encode(), add_bos=False)[: int(n_ctx * 0.9)]
    started = time.perf_counter()
    llm.eval(tokens)
    seconds = time.perf_counter() - started
    return {
        "n_ctx": n_ctx,
        "kv_type": kv_type,
        "flash_attn": flash_attn,
        "prefill_tokens": len(tokens),
        "prefill_tps": len(tokens) / seconds,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "kv_predicted_mib": kv_bytes(kv_shape(info), n_ctx, kv_type) / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="a 512-token context, seconds")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        n_ctx, kv, fa = int(args.child[0]), args.child[1], args.child[2] == "1"
        print(json.dumps(child(n_ctx, kv, fa, args.smoke)))
        return
    if not args.smoke and not TEXT.is_file():
        raise SystemExit(f"context_memory: {TEXT} is missing; the data lives in ../shared")
    rows = []
    smoke = ["--smoke"] if args.smoke else []
    for n_ctx, kv, fa in SMOKE_CONFIGS if args.smoke else CONFIGS:
        out = subprocess.run(
            [sys.executable, __file__, *smoke, "--child", str(n_ctx), kv, "1" if fa else "0"],
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    base = {r["n_ctx"]: r for r in rows if r["kv_type"] == "f16" and not r["flash_attn"]}
    print(
        f"{'n_ctx':>6} {'kv':>5} {'FA':>4} {'prefill tok':>11} {'tok/s':>7} "
        f"{'peak RSS MiB':>13} {'KV MiB (pred.)':>15} {'RSS ratio':>10} {'speed ratio':>12}"
    )
    for r in rows:
        b = base[r["n_ctx"]]
        print(
            f"{r['n_ctx']:>6} {r['kv_type']:>5} {'on' if r['flash_attn'] else 'off':>4} "
            f"{r['prefill_tokens']:>11} {r['prefill_tps']:>7.0f} {r['peak_rss_mib']:>13.0f} "
            f"{r['kv_predicted_mib']:>15.1f} {r['peak_rss_mib'] / b['peak_rss_mib']:>10.2f} "
            f"{r['prefill_tps'] / b['prefill_tps']:>12.2f}"
        )
    print("ratios: against f16 without flash attention at the same n_ctx, in this run")
    if args.json:
        for r in rows:
            print(json.dumps(r))


if __name__ == "__main__":
    main()
