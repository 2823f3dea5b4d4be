"""A chat's KV cache kept in its session directory, so the next process starts warm.

After each turn the context's state (the KV cache of the prompt and reply just done) is
written with llama.cpp's own state file, beside a fingerprint of everything it depends
on. The next `longcli chat` on the session loads it, and llama-cpp-python's prefix
matching then prefills only what is new. Anything that does not match exactly (another
model file, context size, KV type, llama-cpp-python version, a torn or corrupt file)
means a cold prefill, never a wrong answer. The file covers only the current context,
so it never grows beyond one context's KV cache.

Both files are read and written by storage.py's no-follow functions, as every file in a
session directory: a link under either name is refused, never followed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from longcli.backends.base import Stateful
from longcli.storage import (
    open_nofollow,
    read_nofollow,
    refuse_link,
    replace_nofollow,
    write_nofollow,
)

KV_STATE_FORMAT = 1
STATE_FILE = "kv-state.bin"
FINGERPRINT_FILE = "kv-state.json"
HASH_CHUNK_BYTES = 1 << 20


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with os.fdopen(open_nofollow(path, os.O_RDONLY), "rb") as f:
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

    def write(tmp: Path) -> dict[str, Any]:
        backend.save_context(tmp)  # llama.cpp writes by path, into longcli's new temp file
        return {
            "format": KV_STATE_FORMAT,
            **backend.state_fingerprint(),
            "n_tokens": len(tokens),
            "tokens_sha256": _tokens_sha256(tokens),
            "file_bytes": tmp.lstat().st_size,
            "file_sha256": _file_sha256(tmp),
        }

    # The fingerprint is written last: a crash in between leaves a new state file with
    # the old fingerprint, whose hash no longer matches, so the next run starts cold.
    record = replace_nofollow(directory / STATE_FILE, write)
    write_nofollow(directory / FINGERPRINT_FILE, json.dumps(record, indent=1).encode())
    return len(tokens)


def restore(backend: Stateful, directory: Path) -> tuple[int, str]:
    """Load the kept context if it matches; returns (tokens restored, why not if 0)."""
    try:
        record = json.loads(read_nofollow(directory / FINGERPRINT_FILE))
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
    refuse_link(path)  # llama.cpp reads it by path: the hash below is of a file, not a link
    try:
        if path.lstat().st_size != record.get("file_bytes"):
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
