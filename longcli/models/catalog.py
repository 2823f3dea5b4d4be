"""`longcli models`: the models longcli knows of, described from their headers, and aliases.

Nothing here loads weights; every fact comes from a GGUF header. What this module hands
the CLI are typed descriptions in bytes and tokens; wording, units and tables are chosen
in cli/.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from longcli.config import KvType, Settings
from longcli.models.gguf import ModelInfo

CONTEXT_SIZES = (2048, 4096, 8192, 16384, 32768, 65536, 131072)
RECOMMEND_CTX = 8192


@dataclass(frozen=True)
class KvMemory:
    """The KV cache of one context size, in bytes for each --kv-type."""

    n_ctx: int
    bytes_by_type: dict[KvType, int]


@dataclass(frozen=True)
class ModelDescription:
    """`longcli models info`: a model's header facts and what its contexts cost."""

    name: str
    path: Path
    architecture: str
    quantization: str
    size_bytes: int
    trained_ctx: int | None
    layers: int | None
    kv_heads: int | None
    head_dim: int | None
    chat_template: bool
    memory: list[KvMemory]


def describe(info: ModelInfo) -> ModelDescription:
    """A model's header facts and the KV-cache memory of a range of context sizes."""
    from longcli.models.footprint import KV_TYPES, kv_bytes, kv_shape

    shape = kv_shape(info)
    trained = info.context_length or 0
    sizes = {n for n in CONTEXT_SIZES if n <= trained}
    if trained:
        sizes.add(trained)
    memory = []
    if shape is not None:
        for n in sorted(sizes):
            memory.append(KvMemory(n, {t: kv_bytes(shape, n, t) for t in KV_TYPES}))
    return ModelDescription(
        name=info.name,
        path=info.path,
        architecture=info.architecture,
        quantization=info.quantization,
        size_bytes=info.size_bytes,
        trained_ctx=trained or None,
        layers=shape.layers if shape else None,
        kv_heads=max(shape.kv_heads) if shape else None,
        head_dim=shape.key_dim if shape else None,
        chat_template=bool(info.chat_template),
        memory=memory,
    )


@dataclass(frozen=True)
class ModelEntry:
    """One row of `longcli models list`: the name --model takes, where the file comes from,
    and its header (or why it cannot be used)."""

    name: str
    kind: str  # bundled, models dir, alias, or the tool that keeps it
    path: Path
    info: ModelInfo | None = None
    error: str | None = None


def list_models(settings: Settings) -> tuple[list[ModelEntry], list[str]]:
    """Every model longcli can use by name, described from its header: the bundled one,
    the models dir, aliases, and what other tools keep (stores.py). Returns the entries and
    notes about stores that could not be read."""
    from longcli.errors import LongcliError
    from longcli.models.gguf import describe_model
    from longcli.models.locate import BUNDLED_ALIAS, bundled_model_path, models_dir
    from longcli.models.stores import discover

    found: list[tuple[str, str, Path]] = []
    bundled = bundled_model_path()
    if bundled is not None:
        found.append((BUNDLED_ALIAS, "bundled", bundled))
    directory = models_dir()
    if directory.is_dir():
        found += [(p.stem, "models dir", p) for p in sorted(directory.glob("*.gguf"))]
    found += [
        (name, "alias", Path(path).expanduser()) for name, path in sorted(settings.aliases.items())
    ]
    discovery = discover()
    found += [(model.name, model.store, model.path) for model in discovery.models]
    entries = []
    for name, kind, path in found:
        try:
            entries.append(ModelEntry(name, kind, path, info=describe_model(path)))
        except LongcliError as exc:
            entries.append(ModelEntry(name, kind, path, error=exc.message))
    return entries, discovery.notes


@dataclass(frozen=True)
class Recommendation:
    """A curated model (recommended.yaml) and what it needs here at an 8k context."""

    name: str
    repo: str
    file: str
    size_bytes: int
    context: int
    license: str
    languages: tuple[str, ...]  # ISO 639-1 codes it was trained to write well
    layers: int
    kv_heads: int
    head_dim: int
    vocab: int
    note: str
    ram_bytes: int  # weights, f16 KV cache at RECOMMEND_CTX, buffers (--plan's arithmetic)
    fits: bool  # within this machine's memory budget (True when it cannot be read)

    @property
    def multilingual(self) -> bool:
        return len(self.languages) > 1


EMBEDDING_KIND = "embedding"  # recommended.yaml's `kind` of a sentence-embedding model


@dataclass(frozen=True)
class EmbeddingRecommendation:
    """A curated sentence-embedding model (recommended.yaml, `kind: embedding`): what the
    chat's memory matches meanings with. It writes nothing, so no context or KV cache."""

    name: str
    repo: str
    file: str
    size_bytes: int
    license: str
    languages: tuple[str, ...]
    dimensions: int
    note: str
    installed: bool = False  # a file of this name is where `embedding_model: auto` looks


def curated() -> list[dict[str, Any]]:
    """recommended.yaml as data: writers and embedding models alike."""
    from importlib import resources

    from longcli.config import parse_yaml

    text = resources.files("longcli.models").joinpath("recommended.yaml").read_text("utf-8")
    return list(parse_yaml(text, "recommended.yaml"))


def recommended(batch: int, budget_bytes: int | None) -> list[Recommendation]:
    """The curated models with the RAM each needs at an 8k context, and whether a memory
    budget of `budget_bytes` (None: unknown) holds it."""
    from longcli.models.footprint import KvShape, compute_bytes, kv_bytes

    rows = []
    for e in curated():
        if e.get("kind") == EMBEDDING_KIND:
            continue
        layers, kv_heads, head_dim, vocab = e["layers"], e["kv_heads"], e["head_dim"], e["vocab"]
        shape = KvShape(layers, (kv_heads,) * layers, head_dim, head_dim, vocab)
        size = int(e["size_gb"] * 1e9)
        need = size + kv_bytes(shape, RECOMMEND_CTX, KvType.f16) + compute_bytes(shape, batch)
        rows.append(
            Recommendation(
                name=str(e["name"]),
                repo=str(e["repo"]),
                file=str(e["file"]),
                size_bytes=size,
                context=int(e["context"]),
                license=str(e["license"]),
                languages=tuple(str(x) for x in e.get("languages") or ["en"]),
                layers=layers,
                kv_heads=kv_heads,
                head_dim=head_dim,
                vocab=vocab,
                note=str(e["note"]),
                ram_bytes=need,
                fits=budget_bytes is None or need <= budget_bytes,
            )
        )
    return rows


def embedding_recommended() -> list[EmbeddingRecommendation]:
    """The curated sentence-embedding models, smallest first, each marked installed when
    a file of its name (any case) is in the folder `embedding_model: auto` reads."""
    from longcli.models.locate import embedding_dir

    folder = embedding_dir()
    present = {p.name.lower() for p in folder.glob("*.gguf")} if folder.is_dir() else set()
    rows = [
        EmbeddingRecommendation(
            name=str(e["name"]),
            repo=str(e["repo"]),
            file=str(e["file"]),
            size_bytes=int(e["size_gb"] * 1e9),
            license=str(e["license"]),
            languages=tuple(str(x) for x in e.get("languages") or ["en"]),
            dimensions=int(e["dimensions"]),
            note=str(e["note"]),
            installed=str(e["file"]).lower() in present,
        )
        for e in curated()
        if e.get("kind") == EMBEDDING_KIND
    ]
    return sorted(rows, key=lambda r: r.size_bytes)


def suggest_for_language(language: str, model: ModelInfo | None = None) -> str | None:
    """One line suggesting a multilingual model when the input's `language` (an ISO 639-1
    code such as "de") is not one the model in use writes, else None.

    Without `model`, the bundled model is assumed (English only). The suggestion is the
    smallest curated model that lists the language.
    """
    lang = language.strip().lower()[:2]
    if not lang:
        return None
    known = model_languages(model)
    if lang in known:
        return None
    fitting = [r for r in recommended(512, None) if lang in r.languages]
    if not fitting:
        return None
    best = min(fitting, key=lambda r: r.size_bytes)
    who = model.name if model is not None else "the bundled model"
    return (
        f"the input looks like {language_name(lang)}, which {who} does not write well; "
        f"{best.name} does: longcli models pull {best.repo} {best.file}"
    )


def model_languages(model: ModelInfo | None) -> tuple[str, ...]:
    """The languages a model's header lists (general.languages); the bundled model and a
    model that lists none count as English only."""
    if model is None:
        return ("en",)
    listed = model.metadata.get("general.languages")
    if isinstance(listed, list) and listed:
        return tuple(str(x).lower()[:2] for x in listed)
    return ("en",)


def language_name(code: str) -> str:
    """A language code's English name, "German" for "de" (text/language.py's), or the code."""
    from longcli.text.language import name

    return name(code)


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
    """Forget an alias made with `longcli models alias`."""
    from longcli.config import read_aliases_file, write_aliases_file
    from longcli.errors import UsageError
    from longcli.places import config_path

    aliases = read_aliases_file()
    if name not in aliases:
        raise UsageError(
            f"no alias '{name}' made with `longcli models alias`",
            hint=f"aliases written in {config_path()} are edited there",
        )
    del aliases[name]
    write_aliases_file(aliases)
