"""What a context costs in memory, from GGUF metadata alone, and the largest that fits.

llama.cpp keeps, for every layer and every cell of the context, a key and a value vector
per KV head. So the KV cache takes

    cells x layers x kv_heads x (key_dim x bytes(type_k) + value_dim x bytes(type_v))

where cells is n_ctx rounded up to a multiple of 256. Quantized types store blocks of 32
values: q8_0 in 34 bytes, q4_0 in 18. These figures match what llama.cpp logs
("llama_kv_cache: size = ...") for the bundled model; tests check that on a real load.
Sliding-window and recurrent layers (Gemma, Mamba, hybrids) are not modelled: for those
the estimate is an upper bound, or unavailable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from longcli.config import KvType
from longcli.models.gguf import ModelInfo

CELL_PADDING = 256
MIB = 1024 * 1024
# --kv-type -> (ggml type id, bytes per element); one entry for each KvType
KV_TYPES: dict[KvType, tuple[int, float]] = {
    KvType.f16: (1, 2.0),
    KvType.q8_0: (8, 34 / 32),
    KvType.q4_0: (2, 18 / 32),
}
DEFAULT_RAM_SHARE = 0.6  # of the memory available now, for weights + KV + buffers


@dataclass(frozen=True)
class KvShape:
    layers: int
    kv_heads: tuple[int, ...]  # per layer
    key_dim: int
    value_dim: int
    vocab: int


def kv_shape(model: ModelInfo) -> KvShape | None:
    """The attention shape the KV cache depends on, or None if the metadata lacks it."""
    layers = model.arch_value("block_count")
    heads = model.arch_value("attention.head_count")
    embd = model.arch_value("embedding_length")
    if not isinstance(layers, int) or layers <= 0:
        return None
    kv = model.arch_value("attention.head_count_kv")
    if kv is None:
        kv = heads
    if isinstance(kv, int):
        kv_heads = (kv,) * layers
    elif isinstance(kv, list) and len(kv) == layers:
        kv_heads = tuple(int(h) for h in kv)
    else:
        return None
    head = heads if isinstance(heads, int) else (max(heads) if isinstance(heads, list) else 0)
    key_dim = model.arch_value("attention.key_length")
    value_dim = model.arch_value("attention.value_length")
    if not isinstance(key_dim, int):
        if not (isinstance(embd, int) and head):
            return None
        key_dim = embd // head
    if not isinstance(value_dim, int):
        value_dim = key_dim
    vocab = model.arch_value("vocab_size")
    return KvShape(layers, kv_heads, key_dim, value_dim, vocab if isinstance(vocab, int) else 0)


def cells(n_ctx: int) -> int:
    return -(-n_ctx // CELL_PADDING) * CELL_PADDING


def kv_bytes(shape: KvShape, n_ctx: int, kv_type: KvType = KvType.f16) -> int:
    """Bytes of the KV cache for a context of n_ctx tokens."""
    per_element = KV_TYPES[kv_type][1]
    per_cell = sum(h * (shape.key_dim + shape.value_dim) for h in shape.kv_heads)
    return int(cells(n_ctx) * per_cell * per_element)


def compute_bytes(shape: KvShape, n_batch: int) -> int:
    """A rough upper bound of llama.cpp's compute buffer: dominated by one batch of logits."""
    return n_batch * max(shape.vocab, 32_000) * 4 * 2


def available_ram_bytes() -> int | None:
    """Memory the system could give us now (MemAvailable), or None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def default_budget_bytes() -> int | None:
    available = available_ram_bytes()
    return int(available * DEFAULT_RAM_SHARE) if available else None


@dataclass(frozen=True)
class Footprint:
    n_ctx: int
    kv_type: KvType
    weights_bytes: int
    kv_bytes: int
    compute_bytes: int
    budget_bytes: int | None

    @property
    def total_bytes(self) -> int:
        return self.weights_bytes + self.kv_bytes + self.compute_bytes

    @property
    def fits(self) -> bool:
        return self.budget_bytes is None or self.total_bytes <= self.budget_bytes


def plan_footprint(
    model: ModelInfo,
    n_ctx: int,
    kv_type: KvType,
    n_batch: int,
    budget_bytes: int | None,
    weights_in_budget: bool = True,
) -> Footprint | None:
    shape = kv_shape(model)
    if shape is None:
        return None
    return Footprint(
        n_ctx=n_ctx,
        kv_type=kv_type,
        weights_bytes=model.size_bytes if weights_in_budget else 0,
        kv_bytes=kv_bytes(shape, n_ctx, kv_type),
        compute_bytes=compute_bytes(shape, n_batch),
        budget_bytes=budget_bytes,
    )


def largest_fitting_ctx(
    model: ModelInfo,
    limit: int,
    kv_type: KvType,
    n_batch: int,
    budget_bytes: int | None,
    weights_in_budget: bool = True,
) -> int:
    """The largest n_ctx up to `limit` (a multiple of 256, or `limit` itself) that fits."""
    plan = plan_footprint(model, limit, kv_type, n_batch, budget_bytes, weights_in_budget)
    if plan is None or plan.fits:
        return limit
    lo, hi = 0, limit // CELL_PADDING
    while lo < hi:  # largest k with k * 256 fitting
        mid = (lo + hi + 1) // 2
        trial = plan_footprint(
            model, mid * CELL_PADDING, kv_type, n_batch, budget_bytes, weights_in_budget
        )
        if trial is not None and trial.fits:
            lo = mid
        else:
            hi = mid - 1
    return lo * CELL_PADDING


def format_bytes(n: int) -> str:
    """Bytes in binary units, the one unit longcli shows sizes in: '93.8 MiB', '1.04 GiB'."""
    if n >= 1000 * MIB:
        return f"{n / (1024 * MIB):.2f} GiB"
    return f"{n / MIB:.1f} MiB"
