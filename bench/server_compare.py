"""The same summarize job in-process and through a local OpenAI-compatible server.

    python bench/server_compare.py                      # llama-cpp-python's server
    python bench/server_compare.py --llama-server PATH  # also llama.cpp's llama-server
    python bench/server_compare.py --json
    python bench/server_compare.py --smoke              # a short built-in text (CI)

One SQuALITY story, summarized abstractively (the method a server gets under auto) with
the same context (2048), chunk size (1024) and seed, with the resume cache off, by:
- longcli in-process (its own default threads: 1 for decoding, every core for prefill);
- `python -m llama_cpp.server` with --parallel 1 and 2 (it runs one request at a time);
- llama.cpp's `llama-server` with two slots, with --parallel 1 and 2, when a binary is
  given (continuous batching: two requests decode together).
Servers get the same thread settings. Each server is started, warmed with one request,
timed, and stopped; wall time is longcli's, from start to answer.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

STORIES = Path(__file__).resolve().parents[2] / "shared" / "data" / "squality-dev.jsonl"
CTX = 2048
COMMON = ["--ctx", str(CTX), "--chunk-tokens", "1024", "--seed", "0", "--no-cache",
          "--method", "abstractive"]  # fmt: skip
SMOKE_TEXT = (
    "Mara Quill ran the lighthouse on Gannet Rock for eleven years. Each autumn the supply "
    "boat brought oil, flour and letters from her brother in Port Ellis. In the storm of "
    "1893 the boat did not come, and Mara rationed the oil to keep the lamp burning for "
    "nine nights, until a fishing crew from Hale Bay reached the rock with fresh supplies.\n"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, proc: subprocess.Popen, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/v1/models", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("server did not start")


def run_longcli(story: Path, extra: list[str], env: dict[str, str]) -> dict:
    if env.get("SMOKE"):
        extra = [*extra, "--words", "20"]
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "longcli", "summarize", str(story), *COMMON, "-f", "json", "-q",
         *extra],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"longcli failed: {done.stderr}")
    stats = json.loads(done.stdout)["stats"]
    return {
        "wall_s": round(wall, 2),
        "calls": stats["calls"],
        "prompt_tokens": stats["prompt_tokens"],
        "completion_tokens": stats["completion_tokens"],
    }


def _llama_cpp_server(model: Path) -> list[str]:
    """llama-cpp-python's server, without repacked weights where longcli's probe finds they
    crash (Intel AMX): the server builds `Llama` itself, so longcli's loader cannot tell it."""
    from longcli.backends.repack import decide
    from longcli.config import Repack
    from longcli.models.gguf import describe_model

    if decide(Repack.auto, describe_model(model)).enabled:
        return [sys.executable, "-m", "llama_cpp.server"]
    shim = (
        "from longcli.backends.repack import disable_for_process; disable_for_process(); "
        "import runpy; runpy.run_module('llama_cpp.server', run_name='__main__')"
    )
    return [sys.executable, "-c", shim]


def server_command(kind: str, binary: str | None, model: Path, port: int) -> list[str]:
    decode, prefill = 1, os.cpu_count() or 1
    if kind == "llama_cpp.server":
        return [*_llama_cpp_server(model), "--model", str(model),
                "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(CTX),
                "--n_threads", str(decode), "--n_threads_batch", str(prefill)]  # fmt: skip
    assert binary
    return [binary, "-m", str(model), "--host", "127.0.0.1", "--port", str(port),
            "-c", str(CTX * 2), "--parallel", "2", "-t", str(decode), "-tb", str(prefill),
            "--no-webui"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--llama-server", help="path to llama.cpp's llama-server binary")
    parser.add_argument("--story", type=int, default=0, help="SQuALITY dev story index")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="a short text, --parallel 1 only")
    args = parser.parse_args()
    from longcli.models.locate import bundled_model_path

    if not args.smoke and not STORIES.is_file():
        raise SystemExit(f"server_compare: {STORIES} is missing; the data lives in ../shared")
    model = bundled_model_path()
    work = Path(tempfile.mkdtemp(prefix="longcli-bench-"))
    story = work / "story.txt"
    if args.smoke:
        story.write_text(SMOKE_TEXT, encoding="utf-8")
    else:
        lines = STORIES.read_text(encoding="utf-8").splitlines()
        story.write_text(json.loads(lines[args.story])["document"], encoding="utf-8")
    env = {**os.environ, "LONGCLI_CACHE_DIR": str(work / "cache"),
           "LONGCLI_CONFIG_DIR": str(work / "config"),
           "SMOKE": "1" if args.smoke else ""}  # fmt: skip
    rows: list[dict] = []
    rows.append({"setup": "in-process", "parallel": 1, **run_longcli(story, [], env)})
    servers = [("llama_cpp.server", None)]
    if args.llama_server:
        servers.append(("llama-server", args.llama_server))
    for kind, binary in servers:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with open(work / f"{kind}.log", "wb") as log:
            proc = subprocess.Popen(
                server_command(kind, binary, model, port), stdout=log, stderr=subprocess.STDOUT
            )
            try:
                wait_ready(url, proc)
                if not args.smoke:
                    warm = work / "warm.txt"
                    warm.write_text("A short note to warm the server up.\n")
                    run_longcli(warm, ["--base-url", url], env)
                for parallel in (1,) if args.smoke else (1, 2):
                    extra = ["--base-url", url, "--parallel", str(parallel)]
                    rows.append(
                        {"setup": kind, "parallel": parallel, **run_longcli(story, extra, env)}
                    )
            finally:
                proc.terminate()
                proc.wait(timeout=30)
    # Runs differ in retries, hence in calls and tokens: compare tokens per second.
    for row in rows:
        row["tokens_per_s"] = round(
            (row["prompt_tokens"] + row["completion_tokens"]) / row["wall_s"], 1
        )
        row["vs_in_process"] = round(row["tokens_per_s"] / max(rows[0]["tokens_per_s"], 1e-9), 2)
    if args.json:
        print(json.dumps(rows, indent=1))
        return
    print(f"{'setup':18} {'par':>3} {'wall s':>7} {'calls':>5} {'prompt':>7} {'gen':>6} "
          f"{'tok/s':>7} {'tok/s vs in-process':>20}")  # fmt: skip
    for r in rows:
        print(f"{r['setup']:18} {r['parallel']:>3} {r['wall_s']:>7} {r['calls']:>5} "
              f"{r['prompt_tokens']:>7} {r['completion_tokens']:>6} {r['tokens_per_s']:>7} "
              f"{r['vs_in_process']:>19}x")  # fmt: skip


if __name__ == "__main__":
    main()
