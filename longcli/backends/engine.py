"""From settings to a ready Backend: model resolution, context size, caching. Shared by commands."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from longcli.backends.base import Backend
from longcli.backends.llama import LoadOptions
from longcli.config import DEFAULT_ROPE_FACTOR, BackendKind, Settings
from longcli.errors import UsageError
from longcli.models.footprint import (
    MIB,
    default_budget_bytes,
    format_bytes,
    largest_fitting_ctx,
    plan_footprint,
)
from longcli.models.gguf import ModelInfo, describe_model
from longcli.models.locate import resolve_model

if TYPE_CHECKING:
    from longcli.backends.http import ServerOptions

StandIn = Callable[[Settings], Backend]  # a Backend made from the settings, in place of any


@dataclass(frozen=True)
class ServerInfo:
    """Where a server's numbers came from, for --plan, -v and --format json."""

    base_url: str
    model_name: str
    ctx_source: str  # what the context size was read from
    tokenizer: str  # how its tokens are counted


@dataclass(frozen=True)
class EngineInfo:
    """The model a run used, as --plan, -v and --format json describe it."""

    name: str
    path: Path | None  # None for a server
    n_ctx: int
    architecture: str | None = None
    quantization: str | None = None
    trained_ctx: int | None = None
    repack: bool | None = None  # in-process: weights repacked for this CPU
    server: ServerInfo | None = None


@dataclass
class Engine:
    """A loaded backend and what it was made from."""

    backend: Backend
    model: ModelInfo | None  # None for a server
    n_ctx: int
    gpu_layers: int = 0
    server: ServerInfo | None = None  # a server's address, model, context source
    repack: bool | None = None  # in-process: weights repacked for this CPU

    def describe(self) -> EngineInfo:
        """The model as --plan and --format json show it."""
        if self.model is None:
            return EngineInfo(self.backend.identity, None, self.n_ctx, server=self.server)
        m = self.model
        return EngineInfo(
            m.name, m.path, self.n_ctx, m.architecture, m.quantization, m.context_length,
            self.repack,
        )  # fmt: skip


MIN_CTX = 256


def rope_factor(settings: Settings) -> float:
    if settings.rope_scaling is None:
        return 1.0
    return settings.rope_factor or DEFAULT_ROPE_FACTOR


def check_rope_scaling(settings: Settings, model: ModelInfo) -> None:
    """Refuse RoPE scaling where the model's metadata says it would be wrong."""
    if settings.rope_scaling is None:
        return
    if (
        model.arch_value("rope.dimension_count") is None
        and model.arch_value("rope.freq_base") is None
    ):
        raise UsageError(
            f"--rope-scaling: {model.name} ({model.architecture}) does not declare RoPE "
            "positions, so they cannot be stretched"
        )
    declared = model.arch_value("rope.scaling.type")
    if declared not in (None, "none"):
        raise UsageError(
            f"--rope-scaling: {model.name} is already RoPE-scaled ({declared}); "
            "scaling it again would corrupt its positions"
        )
    if model.context_length is None:
        raise UsageError("--rope-scaling: the model does not say its trained context")


def flash_attention(settings: Settings) -> bool:
    """Resolve --flash-attn. Quantized V caches need it, and auto means on: with the bundled
    model on 2 CPU cores (bench/context_memory.py) it made an 8k prefill faster (290 vs
    231 tokens/s) and leaner (388 vs 565 MiB peak RSS); GPUs gain more."""
    if settings.flash_attn == "off":
        if settings.kv_type != "f16":
            raise UsageError(
                f"--kv-type {settings.kv_type} needs flash attention; drop --flash-attn off"
            )
        return False
    return True


def model_max_ctx(settings: Settings, engine: Engine) -> int | None:
    """The largest context the model supports: trained, times the RoPE factor if stretched."""
    if engine.model is None or engine.model.context_length is None:
        return None
    return int(engine.model.context_length * rope_factor(settings))


def ram_budget(settings: Settings, offloaded: bool) -> int | None:
    """Bytes the model may use: memory_budget_mb, else a share of the RAM available now.

    With layers on a GPU there is no default (VRAM cannot be read from here): None.
    """
    if settings.memory_budget_mb is not None:
        return settings.memory_budget_mb * MIB
    return None if offloaded else default_budget_bytes()


def choose_ctx(
    settings: Settings, model: ModelInfo, offloaded: bool = False, sequences: int = 1
) -> int:
    """The context size: --ctx if it is possible, else the largest that fits, within limits.

    Limits: the trained context (times --rope-factor when stretched), `max_ctx` for the
    default, and the memory budget (weights + KV cache + buffers; on a GPU only when
    memory_budget_mb is set, since VRAM cannot be read from here). With several
    sequences decoded together (in-process --parallel), each gets this context and the
    budget must hold all of their KV caches.
    """
    trained = model.context_length
    limit = int(trained * rope_factor(settings)) if trained else None
    budget = ram_budget(settings, offloaded)
    weights_in_budget = not offloaded
    if settings.ctx is not None:
        if limit is not None and settings.ctx > limit:
            if settings.rope_scaling:
                raise UsageError(
                    f"--ctx {settings.ctx} is larger than {limit} tokens: the trained context "
                    f"{trained} x --rope-factor {rope_factor(settings):g}"
                )
            raise UsageError(
                f"--ctx {settings.ctx} is larger than the model's trained context "
                f"of {trained} tokens",
                hint="--rope-scaling can stretch it, at some cost in quality",
            )
        total = settings.ctx * sequences
        plan = plan_footprint(
            model, total, settings.kv_type, settings.batch, budget, weights_in_budget
        )
        if plan is not None and not plan.fits:
            fits = largest_fitting_ctx(
                model, total, settings.kv_type, settings.batch, budget, weights_in_budget
            )
            times = f" x {sequences} sequences (--parallel)" if sequences > 1 else ""
            raise UsageError(
                f"--ctx {settings.ctx}{times} needs {format_bytes(plan.total_bytes)} (KV cache "
                f"{format_bytes(plan.kv_bytes)} as {settings.kv_type}) but the memory budget "
                f"is {format_bytes(plan.budget_bytes or 0)}; at most --ctx "
                f"{_per_sequence(fits, sequences)} fits",
                hint="try --kv-type q8_0, or set memory_budget_mb",
            )
        return settings.ctx
    wanted = min(limit or settings.max_ctx, settings.max_ctx)
    n_ctx = _per_sequence(
        largest_fitting_ctx(
            model, wanted * sequences, settings.kv_type, settings.batch, budget, weights_in_budget
        ),
        sequences,
    )
    if n_ctx < MIN_CTX:
        raise UsageError(
            f"not enough memory for a context of {MIN_CTX} tokens with this model",
            hint="set memory_budget_mb, use --kv-type q4_0, or a smaller model",
        )
    return n_ctx


def _per_sequence(total: int, sequences: int) -> int:
    """A whole context split among sequences, in llama.cpp's 256-cell steps."""
    return total if sequences == 1 else total // sequences // 256 * 256


def resolve_model_info(settings: Settings) -> ModelInfo:
    return describe_model(resolve_model(settings.model, settings.aliases))


@dataclass(frozen=True)
class OpenRequest:
    """What a command asks of the backend it opens, besides the settings."""

    verbose: bool = False  # llama.cpp's own log
    vocab_only: bool = False  # the tokenizer without the weights
    sequences: int = 1  # calls decoded together (in-process --parallel)
    note: Callable[[str], None] | None = None  # hears what the user should know about the load


def _open_llama(settings: Settings, request: OpenRequest) -> Engine:
    from longcli.backends.llama import LlamaBackend

    info = resolve_model_info(settings)
    options = load_options(settings, info, probe=not request.vocab_only, note=request.note)
    sequences = 1 if request.vocab_only else request.sequences
    n_ctx = choose_ctx(settings, info, offloaded=options.gpu_layers != 0, sequences=sequences)
    if sequences > 1:
        from longcli.backends.batched import BatchedBackend

        # The model's own context is only for tokenizing; calls go to the batched one.
        tokenizer = LlamaBackend(info, MIN_CTX, options, verbose=request.verbose)
        batched = BatchedBackend(tokenizer, sequences, n_ctx)
        return Engine(batched, info, n_ctx, tokenizer.gpu_layers, repack=tokenizer.repack)
    backend = LlamaBackend(
        info, n_ctx, options, verbose=request.verbose, vocab_only=request.vocab_only
    )
    repack = None if request.vocab_only else backend.repack
    return Engine(backend, info, n_ctx, backend.gpu_layers, repack=repack)


def _open_http(settings: Settings, request: OpenRequest) -> Engine:
    from longcli.backends.http import HttpBackend

    server = HttpBackend(server_options(settings))
    return Engine(server, None, server.n_ctx, server=ServerInfo(**server.facts()))


# The backends longcli has, by the `backend` setting that chooses them.
OPENERS: dict[BackendKind, Callable[[Settings, OpenRequest], Engine]] = {
    BackendKind.llama: _open_llama,
    BackendKind.http: _open_http,
}
_stand_in: list[StandIn] = []  # at most one: see use_stand_in


def use_stand_in(make: StandIn | None) -> None:
    """From now on, in this process, every engine is `make(settings)`, whatever the settings
    ask for (None: back to the real backends). The test suite registers its deterministic
    model this way (tests/support); nothing in longcli does."""
    _stand_in.clear()
    if make is not None:
        _stand_in.append(make)


def stand_in_active() -> bool:
    """Whether a stand-in replaces the real backends (its model's size is unknown)."""
    return bool(_stand_in)


def open_engine(
    settings: Settings,
    *,
    verbose: bool = False,
    vocab_only: bool = False,
    sequences: int = 1,
    note: Callable[[str], None] | None = None,
) -> Engine:
    """Load the backend the settings ask for (vocab_only: tokenizer without weights).

    `sequences` > 1 (in-process --parallel) decodes that many calls together, each with
    the context chosen here (see batched.py). `note` hears what the user should know
    about the load (the repack probe's verdict).
    """
    if _stand_in:
        backend = _stand_in[0](settings)
        return Engine(backend, None, backend.n_ctx)
    request = OpenRequest(verbose, vocab_only, sequences, note)
    return OPENERS[settings.backend](settings, request)


def server_options(settings: Settings) -> ServerOptions:
    from longcli.backends.http import ServerOptions

    return ServerOptions(
        base_url=settings.base_url or "",
        api_key=settings.api_key,
        model=settings.server_model,
        ctx=settings.ctx,
        timeout_s=settings.http_timeout_s,
        retries=settings.http_retries,
        tokenizer=settings.tokenizer,
        tiktoken_encoding=settings.tiktoken_encoding,
    )


def load_options(
    settings: Settings,
    model: ModelInfo,
    *,
    probe: bool = True,
    note: Callable[[str], None] | None = None,
) -> LoadOptions:
    """How to load `model`; with `probe`, repacking is decided (probing if need be)."""
    from longcli.backends.llama import gpu_offload_supported
    from longcli.backends.repack import decide
    from longcli.backends.runtime import load_llama
    from longcli.backends.tuning import tuned_choice

    check_rope_scaling(settings, model)
    threads, threads_batch = settings.threads, None
    tuned = None if settings.threads else tuned_choice(model)
    policy = tuned.omp_policy if tuned is not None else None
    if tuned is not None:
        threads, threads_batch = tuned.threads, tuned.threads_batch
    load_llama(policy)  # OpenMP reads its wait policy now, once
    gpu_layers = settings.gpu_layers
    if gpu_layers is None:
        gpu_layers = -1 if gpu_offload_supported() else 0
    repack = decide(settings.repack, model, gpu_layers=gpu_layers, note=note) if probe else None
    return LoadOptions(
        gpu_layers=gpu_layers,
        threads=threads,
        threads_batch=threads_batch,
        batch=settings.batch,
        seed=settings.seed,
        kv_type=settings.kv_type,
        flash_attn=flash_attention(settings),
        rope_scaling=settings.rope_scaling,
        rope_factor=rope_factor(settings),
        trained_ctx=model.context_length or 0,
        omp_policy=policy,
        repack=repack.enabled if repack is not None else None,
    )
