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


def list_models(settings: Settings) -> list[dict[str, Any]]:
    """The bundled model, .gguf files in the models dir and aliases, described from headers."""
    from longcli.errors import LongcliError
    from longcli.models.footprint import format_bytes
    from longcli.models.gguf import describe_model
    from longcli.models.locate import bundled_model_path, models_dir

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
