"""Counting tokens for a model that runs elsewhere, without ever reaching the network.

Budgets need token counts before a call is made. In-process, the model's own tokenizer
gives them exactly. For a server, in order of preference:

1. the server's own tokenize endpoint (exact): llama.cpp's llama-server, vLLM and
   llama-cpp-python's server each have one, with different shapes;
2. tiktoken, when the encoding is on this machine already (a path to a .tiktoken file,
   or a named encoding in tiktoken's cache); its counts are scaled up by a margin, since
   the server's model may split text differently;
3. a conservative estimate from the characters, which overcounts English prose by about
   a quarter and stays above the real count for code, numbers and other scripts.
"""

from __future__ import annotations

import math
import os
import re
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Protocol

from longcli.errors import ConfigError

# tiktoken's encodings are not the server model's tokenizer. Their large vocabularies
# (100k-200k) tend to need fewer tokens than the 32k-50k of many open models, so the count
# is raised by this margin: a judgement, as no encoding could be compared here offline.
TIKTOKEN_MARGIN = 1.25
COUNT_CACHE_ENTRIES = 8192
ESTIMATE_MARGIN = 1.1
_LETTERS = re.compile(r"[A-Za-z]+")
_CASE_CHANGE = re.compile(r"[a-z][A-Z]")
_SPACE_DIGIT = re.compile(r"\s\d")  # many tokenizers keep the space apart from a number


class TokenCounter(Protocol):
    name: str  # "server", "tiktoken" or "estimate"
    exact: bool

    def count(self, text: str) -> int: ...


class EstimateCounter:
    """A count from the characters alone, meant to be at or above a real tokenizer's.

    Measured against SmolLM2's tokenizer (tests/backends/test_tokencount.py): English prose 1.5x,
    code 1.6x, logs 1.2x, numbers and hex 1.1x, Chinese 1.3x, Cyrillic 2.7x. Random
    strings of letters (base64, hashes) are undercounted, as no rule short of one token
    per character bounds them: use the server's tokenizer for such input.
    """

    name = "estimate"
    exact = False

    def count(self, text: str) -> int:
        total = 0
        for run in _LETTERS.findall(text):
            # BPE vocabularies average about four letters per token in lowercase words and
            # fewer in capitals; a case change inside a word usually starts a new token.
            per_token = 2 if run.isupper() and len(run) > 1 else 3
            total += math.ceil(len(run) / per_token) + len(_CASE_CHANGE.findall(run))
        for ch in text:
            if ch.isspace() or ch.isascii() and ch.isalpha():
                continue
            total += 1 if ch.isascii() else 2  # other scripts often split into bytes
        total += text.count("\n") + len(_SPACE_DIGIT.findall(text))
        return math.ceil(total * ESTIMATE_MARGIN)


class TiktokenCounter:
    """tiktoken's count for an encoding already on this machine, raised by a margin."""

    name = "tiktoken"
    exact = False

    def __init__(self, encoding: Any, margin: float = TIKTOKEN_MARGIN) -> None:
        self._encoding = encoding
        self._margin = margin

    def count(self, text: str) -> int:
        if not text:
            return 0
        raw = len(self._encoding.encode(text, disallowed_special=()))
        return math.ceil(raw * self._margin)


_tiktoken_lock = threading.Lock()


def load_tiktoken_offline(name_or_path: str) -> Any | None:
    """A tiktoken Encoding if it can be had without the network, else None.

    A path is read as a .tiktoken file (base64 token and rank per line) with the
    cl100k_base split pattern. A name is looked up through tiktoken, with its download
    function replaced by one that refuses: a named encoding works only when tiktoken has
    it in its cache (TIKTOKEN_CACHE_DIR, else a data-gym-cache folder in the temp dir).
    """
    try:
        import tiktoken
        import tiktoken.load
    except ImportError:
        return None
    if os.sep in name_or_path or name_or_path.endswith(".tiktoken"):
        try:
            ranks = tiktoken.load.load_tiktoken_bpe(os.path.expanduser(name_or_path))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"tiktoken_encoding: cannot read {name_or_path}: {exc}") from None
        return tiktoken.Encoding(
            name=os.path.basename(name_or_path),
            pat_str=_CL100K_PATTERN,
            mergeable_ranks=ranks,
            special_tokens={},
        )
    with _tiktoken_lock:
        original: Callable[[str], bytes] = tiktoken.load.read_file
        setattr(tiktoken.load, "read_file", _local_files_only(original))  # noqa: B010
        try:
            return tiktoken.get_encoding(name_or_path)
        except Exception:  # not cached, unknown name, a corrupt cache file: not available
            return None
        finally:
            setattr(tiktoken.load, "read_file", original)  # noqa: B010


def _local_files_only(read: Callable[[str], bytes]) -> Callable[[str], bytes]:
    def read_local(blobpath: str) -> bytes:
        if "://" in blobpath:
            raise OSError(f"not fetching {blobpath}: longcli never downloads")
        return read(blobpath)

    return read_local


_CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)


class CachedCounter:
    """Wraps a counter with a bounded memo: chunking and budgets ask about the same text."""

    def __init__(self, inner: TokenCounter) -> None:
        self.inner = inner
        self.name = inner.name
        self.exact = inner.exact
        self.count: Callable[[str], int] = lru_cache(maxsize=COUNT_CACHE_ENTRIES)(inner.count)
