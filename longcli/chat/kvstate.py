"""A chat's KV cache kept in its session directory, so the next process starts warm.

After each turn the context's state (the KV cache of the prompt and reply just done) is
written with llama.cpp's own state file, beside a fingerprint of everything it depends
on. The next `longcli chat` on the session loads it, and llama-cpp-python's prefix
matching then prefills only what is new. Anything that does not match exactly (another
model file, context size, KV type, llama-cpp-python version, a torn or corrupt file)
means a cold prefill, never a wrong answer. The file covers only the current context,
so it never grows beyond one context's KV cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path

from longcli.backends.base import Stateful
from longcli.storage import PRIVATE_FILE_MODE, atomic_write_text

KV_STATE_FORMAT = 1
STATE_FILE = "kv-state.bin"
FINGERPRINT_FILE = "kv-state.json"
HASH_CHUNK_BYTES = 1 << 20


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(HASH_CHUNK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def _tokens_sha256(tokens: list[int]) -> str:
    return hashlib.sha256(",".join(map(str, tokens)).encode()).hexdigest()


def save(backend: Stateful, directory: Path) -> int:
    """Keep the backend's current context in `directory`; returns the tokens it covers."""
    tokens = backend.context_tokens()
    if not tokens:
        return 0
    fd, tmp_name = tempfile.mkstemp(prefix=f".{STATE_FILE}.", suffix=".tmp", dir=directory)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        os.chmod(tmp, PRIVATE_FILE_MODE)
        backend.save_context(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        record = {
            "format": KV_STATE_FORMAT,
            **backend.state_fingerprint(),
            "n_tokens": len(tokens),
            "tokens_sha256": _tokens_sha256(tokens),
            "file_bytes": tmp.stat().st_size,
            "file_sha256": _file_sha256(tmp),
        }
        # The fingerprint is written last: a crash in between leaves a new state file with
        # the old fingerprint, whose hash no longer matches, so the next run starts cold.
        os.replace(tmp, directory / STATE_FILE)
        atomic_write_text(directory / FINGERPRINT_FILE, json.dumps(record, indent=1))
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return len(tokens)


def restore(backend: Stateful, directory: Path) -> tuple[int, str]:
    """Load the kept context if it matches; returns (tokens restored, why not if 0)."""
    try:
        record = json.loads((directory / FINGERPRINT_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return 0, "no saved state"
    except (OSError, ValueError):
        return 0, "unreadable fingerprint"
    if not isinstance(record, dict) or record.get("format") != KV_STATE_FORMAT:
        return 0, "unknown state format"
    for key, value in backend.state_fingerprint().items():
        if record.get(key) != value:
            return 0, f"{key} changed"
    path = directory / STATE_FILE
    try:
        if path.stat().st_size != record.get("file_bytes"):
            return 0, "state file size differs"
        if _file_sha256(path) != record.get("file_sha256"):
            return 0, "state file is corrupt"
    except OSError:
        return 0, "state file missing"
    tokens = backend.load_context(path)
    if tokens is None or _tokens_sha256(tokens) != record.get("tokens_sha256"):
        backend.forget_context()
        return 0, "llama.cpp refused the state file"
    return len(tokens), ""
