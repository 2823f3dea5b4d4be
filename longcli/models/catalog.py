"""`longcli models`: the models longcli knows of, described from their headers, and aliases.

Nothing here loads weights; every fact comes from a GGUF header.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from longcli.config import Settings


def model_facts(settings: Settings) -> dict[str, Any]:
    """A model's header facts and the KV-cache memory of a range of context sizes."""
    from longcli.backends.engine import resolve_model_info
    from longcli.models.footprint import KV_TYPES, format_bytes, kv_bytes, kv_shape

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


def list_models(settings: Settings) -> tuple[list[dict[str, Any]], list[str]]:
    """Every model longcli can use by name, described from its header: the bundled one,
    the models dir, aliases, and what other tools keep (stores.py). Returns the rows and
    notes about stores that could not be read."""
    from longcli.errors import LongcliError
    from longcli.models.footprint import format_bytes
    from longcli.models.gguf import describe_model
    from longcli.models.locate import bundled_model_path, models_dir
    from longcli.models.stores import discover

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
    discovery = discover()
    entries += [(found.name, found.store, found.path) for found in discovery.models]
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
    return rows, discovery.notes


RECOMMEND_CTX = 8192


def recommended(settings: Settings) -> list[dict[str, Any]]:
    """The curated models (recommended.yaml), with the RAM each needs at an 8k context
    (weights, f16 KV cache, buffers: --plan's arithmetic) and whether this machine has it."""
    from importlib import resources

    from longcli.backends.engine import ram_budget
    from longcli.config import KvType, parse_yaml
    from longcli.models.footprint import KvShape, compute_bytes, format_bytes, kv_bytes

    text = resources.files("longcli.models").joinpath("recommended.yaml").read_text("utf-8")
    budget = ram_budget(settings, offloaded=False)
    rows = []
    for entry in parse_yaml(text, "recommended.yaml"):
        shape = KvShape(
            entry["layers"], (entry["kv_heads"],) * entry["layers"], entry["head_dim"],
            entry["head_dim"], entry["vocab"],
        )  # fmt: skip
        weights = int(entry["size_gb"] * 1e9)
        need = weights + kv_bytes(shape, RECOMMEND_CTX, KvType.f16)
        need += compute_bytes(shape, settings.batch)
        rows.append(
            {
                **entry,
                "ram_at_8k": format_bytes(need),
                "ram_at_8k_bytes": need,
                "fits": budget is None or need <= budget,
                "pull": f"longcli models pull {entry['repo']} {entry['file']}",
            }
        )
    return rows


def add_alias(name: str, path: Path) -> Path:
    """Remember `name` for a GGUF file (validated first); returns its absolute path."""
    from longcli.config import read_aliases_file, write_aliases_file
    from longcli.errors import UsageError
    from longcli.models.gguf import validate_model_file
    from longcli.models.locate import BUNDLED_ALIAS

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
