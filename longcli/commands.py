"""What each command does, as plain functions over settings: the CLI only parses and prints."""

from __future__ import annotations

import dataclasses
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from longcli import textio
from longcli.backend import Sampling
from longcli.chat import Chat, ChatOptions, describe
from longcli.config import Settings, cache_dir, config_dir
from longcli.engine import (
    Engine,
    default_chunk_cap,
    memory_budget,
    model_max_ctx,
    open_engine,
    record_speed,
    resolve_method,
    speed_estimate,
)
from longcli.kvmemory import memory_plan
from longcli.memory import Exchange
from longcli.models import ModelInfo
from longcli.session import Session
from longcli.summarize import Budget, Chunk, SummarizeOptions, chunk_sources, plan_budget, plan_run
from longcli.templates import Templates, load_templates

ESTIMATED_BYTES_PER_TOKEN = 4.0


def summarize_options(settings: Settings, model: ModelInfo | None = None) -> SummarizeOptions:
    """The summarize options the settings ask for, with the defaults for this model."""
    cap = settings.max_chunk_tokens
    if cap is None:
        cap = default_chunk_cap(model)
    return SummarizeOptions(
        words=settings.words,
        style=settings.style,
        instructions=settings.instructions,
        method=resolve_method(settings.method, model),
        chunk_tokens=settings.chunk_tokens,
        max_chunk_tokens=cap,
        sampling=sampling_defaults(settings),
        parallel=settings.parallel,
    )


def sampling_defaults(settings: Settings) -> Sampling:
    """The sampling every call starts from; max_tokens is set per call."""
    return Sampling(
        temperature=settings.temperature,
        top_p=settings.top_p,
        top_k=settings.top_k,
        min_p=settings.min_p,
        repeat_penalty=settings.repeat_penalty,
        seed=settings.seed,
    )


def _templates(settings: Settings) -> Templates:
    return load_templates(settings.prompt_file, config_dir())


def _chunks(
    engine: Engine, sources: list[textio.Source], budget: Budget, read: dict[str, Any]
) -> Iterator[Chunk]:
    texts = (textio.iter_source_text(s, read["encoding"], read["errors"]) for s in sources)
    return chunk_sources(texts, budget, engine.backend.count_tokens)


def _estimated_chunks(sources: list[textio.Source], budget: Budget) -> int:
    total = 0
    for source in sources:
        if source.path is None:
            return 0  # unknown length: the bar grows as chunks arrive
        total += source.path.stat().st_size
    return max(1, round(total / ESTIMATED_BYTES_PER_TOKEN / budget.chunk_tokens))


def run_plan(
    settings: Settings, sources: list[textio.Source], read: dict[str, Any], fmt: str, verbose: bool
) -> str:
    """Chunk the input with the model's tokenizer only and describe the run that would follow."""
    from longcli.render import render_plan

    engine = open_engine(settings, verbose=verbose, vocab_only=True)
    templates = _templates(settings)
    opts = summarize_options(settings, engine.model)
    budget = plan_budget(engine.backend, templates, opts)
    counts = [c.tokens for c in _chunks(engine, sources, budget, read) if c.text.strip()]
    plan = plan_run(counts, budget, opts.method)
    at_max = None
    max_ctx = model_max_ctx(settings, engine)
    if max_ctx and max_ctx != engine.n_ctx:
        wider = _SameTokenizer(engine.backend, max_ctx)
        max_budget = plan_budget(wider, templates, opts)
        if max_budget.chunk_tokens != budget.chunk_tokens:
            counts = [
                c.tokens for c in _chunks(engine, sources, max_budget, read) if c.text.strip()
            ]
        at_max = plan_run(counts, max_budget, opts.method)
    prefill, decode, calibrated = speed_estimate(engine)
    memory = None
    if engine.model is not None:
        offloaded = getattr(engine.backend, "gpu_layers", 0) != 0
        memory = memory_plan(
            engine.model,
            engine.n_ctx,
            settings.kv_type,
            settings.batch,
            memory_budget(settings, offloaded),
            weights_in_budget=not offloaded,
        )
    return render_plan(
        plan, engine.describe(), plan.eta_seconds(prefill, decode), calibrated, fmt, memory, at_max
    )


class _SameTokenizer:
    """A backend's tokenizer with another context size, for planning only."""

    def __init__(self, inner: Any, n_ctx: int) -> None:
        self.inner = inner
        self.n_ctx = n_ctx
        self.identity = inner.identity

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def prompt_tokens(self, messages: list[Any]) -> int:
        return self.inner.prompt_tokens(messages)


def run_summarize(
    settings: Settings,
    sources: list[textio.Source],
    read: dict[str, Any],
    fmt: str,
    quiet: bool,
    verbose: bool,
    cite: bool = False,
) -> str:
    """Summarize the sources and render the result in the chosen format."""
    from longcli.cache import CachingBackend, CallCache
    from longcli.render import Progress, render_summary
    from longcli.summarize import Summarizer

    sequences = settings.parallel if settings.backend == "llama" else 1
    engine = open_engine(settings, verbose=verbose, sequences=sequences)
    backend = engine.backend
    cache: CallCache | None = None
    if settings.cache:
        cache = CallCache(cache_dir())
        backend = CachingBackend(engine.backend, cache)
    templates = _templates(settings)
    started = time.monotonic()
    with Progress(enabled=not quiet) as progress:
        summarizer = Summarizer(
            backend,
            templates,
            summarize_options(settings, engine.model),
            on_progress=progress,
        )
        chunks = _chunks(engine, sources, summarizer.budget, read)
        result = summarizer.run(chunks, _estimated_chunks(sources, summarizer.budget))
    seconds = time.monotonic() - started
    result.sources = [s.label for s in sources]
    stats = result.stats
    if stats.cached_calls == 0:
        record_speed(engine, stats.prompt_tokens, stats.completion_tokens, seconds)
    if verbose:
        sys.stderr.write(
            f"longcli: {len(result.chunks)} chunks, {len(result.levels)} levels, "
            f"{stats.calls} calls ({stats.cached_calls} cached, {stats.retries} retries, "
            f"{stats.mended} mended, {stats.fallbacks} extractive fallbacks), "
            f"{stats.prompt_tokens} prompt + {stats.completion_tokens} generated tokens "
            f"in {seconds:.1f}s\n"
        )
    settings_out = {
        k: v
        for k, v in dataclasses.asdict(settings).items()
        if k not in ("aliases", "system", "api_key")  # never echo a secret into output
    }
    settings_out["seconds"] = round(seconds, 2)
    return render_summary(
        result, fmt, result.sources, {"model": engine.describe(), "settings": settings_out}, cite
    )


# -- chat ------------------------------------------------------------------------------


def chat_options(settings: Settings) -> ChatOptions:
    return ChatOptions(
        reply_tokens=settings.reply_tokens,
        summary_share=settings.summary_share,
        recall_tokens=settings.recall_tokens,
        sampling=sampling_defaults(settings),
    )


@contextmanager
def open_chat(
    settings: Settings,
    memory: Path,
    system: str | None,
    verbose: bool,
    warn: Callable[[str], None],
) -> Iterator[Chat]:
    """Lock the session, load the model, and yield a Chat; the lock is released after."""
    session = Session.open(memory, create=True, writable=True)
    try:
        engine = open_engine(settings, verbose=verbose)
        meta = session.meta
        if system is None and meta.system is None:
            system = settings.system  # the config's default, for a session that has none
        if system is not None and system != meta.system:
            meta.system = system
        if not meta.model:
            meta.model = engine.backend.identity
        session.save_meta(meta)
        chat = Chat(session, engine.backend, _templates(settings), chat_options(settings))
        for warning in session.warnings:  # e.g. a torn journal line, found while loading
            warn(warning)
        keep_context(chat, session.path, verbose, warn)
        yield chat
    finally:
        session.close()


def keep_context(chat: Chat, directory: Path, verbose: bool, warn: Callable[[str], None]) -> None:
    """Start from the KV cache the last run kept, and keep it again after every turn."""
    from longcli import kvstate

    backend = chat.backend
    if not kvstate.supports_state(backend):
        return
    restored, why_not = kvstate.restore(backend, directory)
    if verbose:
        sys.stderr.write(
            f"longcli: KV state: {restored} tokens restored\n"
            if restored
            else f"longcli: KV state: cold start ({why_not})\n"
        )

    def save() -> None:
        try:
            kvstate.save(backend, directory)
        except OSError as exc:  # a speed-up only: the turn itself is already stored
            warn(f"could not keep the model's state for the next run: {exc}")

    chat.after_turn = save


def add_documents(chat: Chat, settings: Settings, files: list[textio.Source]) -> list[str]:
    """Index each file's passages and seed the summary with its gist; returns names added."""
    from longcli.cache import CachingBackend, CallCache
    from longcli.summarize import Summarizer

    backend: Any = chat.backend
    if settings.cache:
        backend = CachingBackend(chat.backend, CallCache(cache_dir()))
    added = []
    for source in files:
        text = textio.read_source_text(source)

        def gist(body: str, words: int) -> str:
            opts = dataclasses.replace(
                summarize_options(settings, getattr(chat.backend, "model", None)),
                words=words,
                chunk_tokens=None,
            )
            summarizer = Summarizer(backend, chat.templates, opts)
            chunks = chunk_sources([[body]], summarizer.budget, chat.backend.count_tokens)
            return summarizer.run(chunks).summary

        if chat.add_document(source.label, text, gist):
            added.append(source.label)
    return added


def read_session_view(memory: Path) -> tuple[dict[str, Any], list[Exchange]]:
    """A session's memory as data, read without the lock and without loading a model."""
    with Session.open(memory, create=False, writable=False) as session:
        state = session.load_state()
        exchanges = session.load_journal()
        view = describe(session, state, exchanges, None, session.meta.system)
        view["warnings"] = list(session.warnings)
        return view, exchanges


def reset_session(memory: Path) -> None:
    with Session.open(memory, create=False, writable=True) as session:
        session.reset()


def describe_model_memory(settings: Settings) -> dict[str, Any]:
    """A model's header facts and the KV-cache memory of a range of context sizes."""
    from longcli.engine import resolve_model_info
    from longcli.kvmemory import KV_TYPES, format_bytes, kv_bytes, kv_shape

    info = resolve_model_info(settings)
    shape = kv_shape(info)
    trained = info.context_length or 0
    sizes = {n for n in (2048, 4096, 8192, 16384, 32768, 65536, 131072) if n <= trained}
    if trained:
        sizes.add(trained)
    memory = []
    if shape is not None:
        for n in sorted(sizes):
            row: dict[str, Any] = {"n_ctx": n}
            row.update({t: format_bytes(kv_bytes(shape, n, t)) for t in KV_TYPES})
            memory.append(row)
    return {
        "name": info.name,
        "path": str(info.path),
        "architecture": info.architecture,
        "quantization": info.quantization,
        "size": format_bytes(info.size_bytes),
        "trained_ctx": trained or None,
        "layers": shape.layers if shape else None,
        "kv_heads": max(shape.kv_heads) if shape else None,
        "head_dim": shape.key_dim if shape else None,
        "chat_template": bool(info.chat_template),
        "kv_types": list(KV_TYPES),
        "memory": memory,
    }


def list_models(settings: Settings) -> list[dict[str, Any]]:
    """The bundled model, .gguf files in the models dir and aliases, described from headers."""
    from longcli.errors import LongcliError
    from longcli.kvmemory import format_bytes
    from longcli.models import bundled_model_path, describe_model, models_dir

    entries: list[tuple[str, str, Path]] = []
    bundled = bundled_model_path()
    if bundled is not None:
        entries.append(("smollm2", "bundled", bundled))
    directory = models_dir()
    if directory.is_dir():
        entries += [(p.stem, "models dir", p) for p in sorted(directory.glob("*.gguf"))]
    entries += [
        (name, "alias", Path(path).expanduser()) for name, path in sorted(settings.aliases.items())
    ]
    rows = []
    for name, kind, path in entries:
        row: dict[str, Any] = {"name": name, "kind": kind, "path": str(path)}
        try:
            info = describe_model(path)
        except LongcliError as exc:
            row["error"] = exc.message
        else:
            row.update(
                size=format_bytes(info.size_bytes),
                architecture=info.architecture,
                quantization=info.quantization,
                trained_ctx=info.context_length,
                chat_template=bool(info.chat_template),
            )
        rows.append(row)
    return rows


def add_alias(name: str, path: Path) -> Path:
    """Remember `name` for a GGUF file (validated first); returns its absolute path."""
    from longcli.config import read_aliases_file, write_aliases_file
    from longcli.errors import UsageError
    from longcli.models import BUNDLED_ALIAS, validate_model_file

    if not name or "/" in name or name == BUNDLED_ALIAS:
        raise UsageError(f"'{name}' cannot be an alias name")
    target = validate_model_file(path.expanduser().resolve())
    aliases = read_aliases_file()
    aliases[name] = str(target)
    write_aliases_file(aliases)
    return target


def remove_alias(name: str) -> None:
    from longcli.config import config_path, read_aliases_file, write_aliases_file
    from longcli.errors import UsageError

    aliases = read_aliases_file()
    if name not in aliases:
        raise UsageError(
            f"no alias '{name}' made with `longcli models alias`",
            hint=f"aliases written in {config_path()} are edited there",
        )
    del aliases[name]
    write_aliases_file(aliases)


def run_tune(
    settings: Settings, rounds: int, write: Callable[[str], None]
) -> tuple[dict[str, Any], str]:
    """Time thread settings for the model on this machine and keep the fastest."""
    from longcli import tuning
    from longcli.engine import resolve_model_info

    model = resolve_model_info(settings)
    write(f"longcli: timing {len(tuning.candidates(tuning.available_cores()))} thread settings "
          f"x {rounds} for {model.name} (a fresh process each)\n")  # fmt: skip

    def progress(choice: tuning.ThreadChoice, seconds: float) -> None:
        write(f"  {choice.label():16} {seconds:6.2f} s\n")

    best, times = tuning.tune(model, progress, rounds=rounds)
    rule = tuning.candidates(tuning.available_cores())[0]
    result = {
        "model": model.name,
        "machine": tuning.machine_key(),
        "best": best.label(),
        "seconds": {c.label(): round(t, 3) for c, t in times.items()},
        "fixed_rule": rule.label(),
        "fixed_rule_vs_best": round(times[best] / times[rule], 3),
    }
    text = (
        f"fastest: {best.label()} ({times[best]:.2f} s); the fixed rule {rule.label()} "
        f"reaches {result['fixed_rule_vs_best']:.2f} of it. Saved: later runs of this model "
        "use it unless --threads or OMP_WAIT_POLICY is given.\n"
    )
    return result, text
