"""`--format json` of a summary and of `--plan`: the schema, built from the typed values
the core returns. Every span and chunk says where it is ("pp. 7–9", 'chapter "The
Ship"'), as --cite does."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from longcli.backends.engine import EngineInfo
from longcli.config import SECRET_SETTINGS
from longcli.grounding.cite import Origins, Reference, Span
from longcli.summarize.results import ChunkRecord, MergeRecord, SummaryResult
from longcli.summarize.run import PlanReport, RunInfo

# Not echoed into a summary's JSON: secrets, and settings that are not about this run.
UNSHOWN_SETTINGS = (*SECRET_SETTINGS, "aliases", "system")


def summary_json(result: SummaryResult, run: RunInfo) -> dict[str, Any]:
    """The summary, its references, every node of its tree, and what the run was."""
    cited = result.citations()
    work = next((w for w in result.works if w is not None), None)  # the first source's title
    return {
        "summary": result.summary,
        "title": work.title if work else None,
        "author": (work.author or None) if work else None,
        "works": [dataclasses.asdict(w) if w else None for w in result.works],
        "method": str(result.method),
        "citations": _origins_json(result, result.origins),
        "references": [_reference_json(r, result.sources) for r in cited.references],
        "cites": cited.numbers,  # per sentence: the numbers of its references, as [n]
        "sources": result.sources,
        "model": engine_json(run.model),
        "settings": _settings_json(run),
        "budget": dataclasses.asdict(result.budget),
        "chunks": [_chunk_json(result, c) for c in result.chunks],
        "levels": [[_merge_json(result, m) for m in level] for level in result.levels],
        "stats": dataclasses.asdict(result.stats),
    }


def engine_json(model: EngineInfo) -> dict[str, Any]:
    """The model a run used: its file and header facts, or the server that answered."""
    if model.path is None:
        server = dataclasses.asdict(model.server) if model.server else {}
        return {"name": model.name, "path": None, "n_ctx": model.n_ctx, **server}
    return {
        "name": model.name,
        "path": str(model.path),
        "architecture": model.architecture,
        "quantization": model.quantization,
        "trained_ctx": model.trained_ctx,
        "n_ctx": model.n_ctx,
        **({} if model.repack is None else {"repack": model.repack}),
    }


def _settings_json(run: RunInfo) -> dict[str, Any]:
    """The run's settings, less the unshown, with the seconds it took."""
    shown = {k: v for k, v in run.settings.plain().items() if k not in UNSHOWN_SETTINGS}
    return {**shown, "seconds": round(run.seconds, 2)}


def _chunk_json(result: SummaryResult, chunk: ChunkRecord) -> dict[str, Any]:
    return {
        **dataclasses.asdict(chunk),
        "outcome": str(chunk.outcome),
        "citations": _origins_json(result, chunk.citations),
        "where": result.where(chunk.source, chunk.start, chunk.end),
    }


def _merge_json(result: SummaryResult, merge: MergeRecord) -> dict[str, Any]:
    return {
        **dataclasses.asdict(merge),
        "outcome": str(merge.outcome),
        "citations": _origins_json(result, merge.citations),
    }


def _origins_json(result: SummaryResult, origins: Origins) -> list[list[dict[str, Any]]]:
    """Per sentence, the spans it comes from."""
    return [[_span_json(result, span) for span in spans] for spans in origins]


def _span_json(result: SummaryResult, span: Span) -> dict[str, Any]:
    return {
        "source": span.source,
        "chunk": span.chunk,
        "start": span.start,
        "end": span.end,
        "where": result.where(span.source, span.start, span.end),
    }


def _reference_json(reference: Reference, files: Sequence[str]) -> dict[str, Any]:
    return {
        "n": reference.number,
        "source": reference.source,
        "file": files[reference.source] if reference.source < len(files) else "input",
        "where": reference.where,
        "start": reference.start,
        "end": reference.end,
    }


def plan_json(report: PlanReport) -> dict[str, Any]:
    """What --plan prints as JSON: the run's tree, calls, tokens, ETA and memory."""
    plan, memory, at_max = report.plan, report.memory, report.at_max
    data: dict[str, Any] = {
        "model": engine_json(report.model),
        "method": str(plan.method),
        "method_asked": str(report.asked),
        "method_why": report.why,
        "inputs": [dataclasses.asdict(i) for i in report.inputs],
        "chunks": plan.chunks,
        "input_tokens": plan.input_tokens,
        "chunk_tokens": plan.budget.chunk_tokens,
        "levels": plan.levels,
        "calls": plan.calls,
        "calls_exact": plan.exact,
        "phases": [{**dataclasses.asdict(p), "stage": str(p.stage)} for p in plan.phases],
        "prompt_tokens": plan.prompt_tokens,
        "completion_tokens": plan.completion_tokens,
        "eta_seconds": round(report.eta_seconds, 1),
        "eta_calibrated": report.calibrated,
    }
    if report.eta is not None:
        eta = report.eta
        parts = dataclasses.asdict(eta)
        data["eta"] = {k: round(v, 1) if isinstance(v, float) else v for k, v in parts.items()}
    if memory is not None:
        data["memory"] = {
            "kv_type": memory.kv_type,
            "weights_bytes": memory.weights_bytes,
            "kv_bytes": memory.kv_bytes,
            "buffers_bytes": memory.compute_bytes,
            "total_bytes": memory.total_bytes,
            "budget_bytes": memory.budget_bytes,
        }
    if at_max is not None:
        data["at_max_context"] = {
            "n_ctx": at_max.budget.n_ctx,
            "chunks": at_max.chunks,
            "chunk_tokens": at_max.budget.chunk_tokens,
            "levels": at_max.levels,
            "calls": at_max.calls,
        }
    return data
