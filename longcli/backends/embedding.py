"""Sentence embeddings: which of the user's statements a question means, by meaning.

The chat's look-ups match words (text/terms.py); each phrasing outside them fails ("Where
does my sister live?" after "Maria moved to Porto", "When do I fly out?" after "My flight
is on Friday"). A small sentence-embedding model (a BERT GGUF run by llama.cpp, e.g.
all-MiniLM-L6-v2 made by bench/fetch_embedding_model.py, 44 MiB) places sentences that
mean the same near each other: on the generated bench's tuning family the statement that
answers a question ranks first 96-98% of the time by cosine, 77-79% by shared words.

The model is optional and never downloaded at run time: the `embedding_model` setting
names a GGUF, or (auto) the one in `<data dir>/embedding/` is used when present; without
one the chat works on words alone. The chat model every install brings is no stand-in:
SmolLM2-135M's hidden states (mean-pooled, or its last token after a "means in one word"
prompt, centred or not) rank the answering statement first at most 3 points more often
than shared words on the tuning family (82% against 79% of 320 questions; another seed
75% against 75%), at 270-420 ms a sentence on two CPUs, every statement again in each
`longcli chat` process (bench/fetch_embedding_model.py --bundled).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import os
import sys
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np  # llama-cpp-python's own dependency

from longcli.errors import ModelError
from longcli.models.gguf import is_gguf
from longcli.models.locate import embedding_dir
from longcli.streams import Streams

Vector = tuple[float, ...]

AUTO = "auto"
OFF = "off"
EMBEDDING_CTX = 512  # tokens: a statement or question is one sentence, BERT's limit is 512
EMBEDDING_THREADS = 4  # a 22M-parameter model: more threads only wait on each other
# Vectors kept per process (float32: 1.5 KiB each for a 384-dimension model, 75 MiB in
# all). A chat with 2,000 statements compares about 12,000 texts (each statement's pieces,
# as said and with its names left out) with every question: a smaller memo would embed
# them all again each turn (4,096 did, past several hundred statements).
MEMO_TEXTS = 50_000
KEY_BYTES = 16


class Embedder(Protocol):
    """Turns texts into unit vectors: the cosine of two is their dot product."""

    def embed(self, texts: Sequence[str]) -> list[Vector]: ...


def cosine(a: Vector, b: Vector) -> float:
    """The cosine of two unit vectors."""
    return cosines(a, [b])[0]


def cosines(first: Vector, others: Sequence[Vector]) -> list[float]:
    """The cosine of `first` with each of `others` (unit vectors), in one matrix product:
    a hundred times quicker than in Python, which counts on every turn of a long chat."""
    if not others:
        return []
    return [float(c) for c in np.asarray(others, dtype=np.float64) @ np.asarray(first)]


def unit(vector: Sequence[float]) -> Vector:
    """`vector` scaled to length 1 (the zero vector stays zero)."""
    norm = math.sqrt(math.fsum(x * x for x in vector))
    return tuple(x / norm for x in vector) if norm > 0 else tuple(vector)


def find_embedding_model(setting: str | None) -> Path | None:
    """The embedding GGUF to use: the setting's path; for `auto` (or unset) the newest GGUF
    in `<data dir>/embedding/`, if any; None for `off` or when there is none."""
    if setting is not None and setting.strip().lower() == OFF:
        return None
    if setting is not None and setting.strip() and setting.strip().lower() != AUTO:
        path = Path(setting).expanduser()
        if not is_gguf(path):
            raise ModelError(f"embedding_model {path}: not a GGUF file")
        return path
    folder = embedding_dir()
    found = [p for p in folder.glob("*.gguf") if is_gguf(p)] if folder.is_dir() else []
    # the newest placed (`models pull --embedding` touches its link), then by name
    return max(found, key=lambda p: (p.lstat().st_mtime, p.name), default=None)


class Memo:
    """Vectors by text, the newest MEMO_TEXTS kept (as float32, 1.5 KiB for 384
    dimensions): a statement is embedded once per process however many questions it is
    compared with, and, with `preload`, once per session (chat/vectors.py). Every vector
    it gives is rounded to float32, whether new or kept, so a verdict never depends on
    whether a vector came from the model or from the session's file."""

    def __init__(self, embedder: Embedder, model: Path | None = None) -> None:
        self.inner = embedder
        self.model = model  # the GGUF the vectors come from, when one file does
        self._kept: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._used: dict[bytes, None] = {}  # asked for since this process began, in order
        self.computed = 0  # texts the model embedded in this process
        self.loaded: frozenset[bytes] = frozenset()  # the keys `preload` gave

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        keys = [text_key(t) for t in texts]
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in self._kept}
        if missing:
            vectors = self.inner.embed(list(missing.values()))
            for key, vector in zip(missing, vectors, strict=True):
                self._kept[key] = np.asarray(vector, dtype=np.float32)
            self.computed += len(missing)
        out = []
        for key in keys:
            self._kept.move_to_end(key)
            self._used[key] = None
            out.append(tuple(self._kept[key].tolist()))
        while len(self._kept) > MEMO_TEXTS:
            dropped, _ = self._kept.popitem(last=False)
            self._used.pop(dropped, None)
        return out

    def preload(self, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        """Vectors kept from an earlier process (`used` then), oldest first."""
        for key, row in zip(keys[-MEMO_TEXTS:], vectors[-MEMO_TEXTS:], strict=True):
            self._kept[key] = row
        self.loaded = frozenset(keys[-MEMO_TEXTS:])

    def used(self) -> tuple[list[bytes], np.ndarray | None]:
        """The keys and vectors of the texts asked for in this process, in order."""
        keys = [k for k in self._used if k in self._kept]
        if not keys:
            return [], None
        return keys, np.stack([self._kept[k] for k in keys])


def text_key(text: str) -> bytes:
    """What a text's vector is kept under: 16 bytes of its SHA-256 (never the text)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:KEY_BYTES]


class LlamaEmbedder:
    """A GGUF sentence-embedding model run in-process by llama-cpp-python.

    Loaded without repacked CPU weights whatever the main model's verdict: repacking
    crashes llama.cpp on some Intel Xeons with AMX (backends/repack.py), and an f16 or f32
    model has no repacked layout on x86 anyway, so off costs nothing and needs no probe."""

    def __init__(self, path: Path, *, verbose: bool = False) -> None:
        from longcli.backends.llama import LLAMA_LOG
        from longcli.backends.repack import extra_buffers
        from longcli.backends.runtime import load_llama

        llama_cpp = load_llama()
        LLAMA_LOG.install(llama_cpp)
        chatter = io.StringIO()
        try:
            with (
                contextlib.redirect_stderr(sys.stderr if verbose else chatter),
                extra_buffers(False),
            ):
                self._llm: Any = llama_cpp.Llama(
                    model_path=str(path),
                    embedding=True,
                    n_ctx=EMBEDDING_CTX,
                    n_batch=EMBEDDING_CTX,
                    n_ubatch=EMBEDDING_CTX,  # a non-causal model takes a sentence in one
                    n_gpu_layers=0,  # 22M parameters: the CPU is quicker than a copy over
                    n_threads=max(1, min(EMBEDDING_THREADS, os.cpu_count() or 1)),
                    verbose=True,  # see LlamaBackend: keeps fds 1 and 2 where they are
                )
        except (ValueError, RuntimeError, OSError) as exc:
            detail = LLAMA_LOG.last_error() or str(exc)
            raise ModelError(f"could not load embedding model {path}: {detail}") from None
        self._llm.verbose = verbose
        self.path = path

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        # One text per call: llama-cpp-python batches several only up to n_seq_max.
        return [unit(self._llm.embed(text, normalize=True, truncate=True)) for text in texts]

    def close(self) -> None:
        self._llm.close()


def open_embedder(path: Path, *, verbose: bool = False) -> Embedder:
    """The embedding model at `path` (see find_embedding_model), loaded and memoised."""
    return Memo(LlamaEmbedder(path, verbose=verbose), path)


def open_or_say(path: Path, streams: Streams, *, serves: str, without: str) -> Embedder | None:
    """The embedding model at `path`, loaded, named under -v with what it `serves`; None
    when it fails to load, said once as a warning with what is done `without` it (the
    chat and -i work on words alone, as they did before there was one)."""
    try:
        embedder = open_embedder(path, verbose=streams.llama_log)
    except ModelError as exc:
        streams.warn(f"{exc}; {without}")
        return None
    streams.detail(f"embedding model: {path} ({serves})")
    return embedder
