"""GGUF models other tools keep on this machine, found read-only and usable by name.

- the Hugging Face hub cache (what `huggingface_hub` and `longcli models pull` download;
  HF_HUB_CACHE or HF_HOME), scanned with huggingface_hub itself when it is installed;
- Ollama's store (OLLAMA_MODELS, else ~/.ollama/models or the system service's), where a
  manifest names the model's blob;
- LM Studio's models folder (LMSTUDIO_MODELS, else ~/.lmstudio/models or the older
  ~/.cache/lm-studio/models);
- llama.cpp's download cache (LLAMA_CACHE, else ~/.cache/llama.cpp).

Each is named with its store's prefix (`hf:Qwen/Qwen2.5-3B-Instruct-GGUF/qwen2.5-3b-
instruct-q4_k_m.gguf`, `ollama:llama3.2`, `lmstudio:...`, `llamacpp:...`) or, when unique,
by a short name. Nothing here writes to, moves or deletes another tool's files; a store
that cannot be read is skipped with a note.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from longcli.models.gguf import is_gguf
from longcli.text.reader_libraries import extra_install

OLLAMA_MODEL_LAYER = "application/vnd.ollama.image.model"
OLLAMA_DEFAULT_REGISTRY = "registry.ollama.ai"
SPLIT_MARK = "-00001-of-"


@dataclass(frozen=True)
class Found:
    """A model file another tool keeps."""

    name: str  # with its store's prefix: "ollama:llama3.2"
    short: str  # without: "llama3.2", "qwen2.5-3b-instruct-q4_k_m"
    store: str  # "hf cache", "ollama", "lm studio", "llama.cpp"
    path: Path


@dataclass
class Discovery:
    models: list[Found] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # stores that could not be read


def _home() -> Path:
    return Path(os.environ.get("HOME") or Path.home())


def _first_part(name: str) -> bool:
    """A split GGUF is used through its first part; the others are not models of their own."""
    return "-of-" not in name or SPLIT_MARK in name


def hf_cache_dir() -> Path:
    explicit = os.environ.get("HF_HUB_CACHE") or os.environ.get("HUGGINGFACE_HUB_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    home = os.environ.get("HF_HOME")
    base = Path(home).expanduser() if home else _home() / ".cache" / "huggingface"
    return base / "hub"


def load_hub() -> Any:
    """huggingface_hub, with its telemetry off: it would otherwise ask the hub for a list
    of "agent harnesses" before the first request, and longcli sends nothing the user did
    not ask for. (Set at run time too, as the library may have been imported already.)"""
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    import huggingface_hub
    from huggingface_hub import constants

    constants.HF_HUB_DISABLE_TELEMETRY = True
    return huggingface_hub


def _hf(discovery: Discovery) -> Iterator[Found]:
    directory = hf_cache_dir()
    if not directory.is_dir():
        return
    try:
        scan_cache_dir = load_hub().scan_cache_dir
    except ImportError:
        discovery.notes.append(
            f"the Hugging Face cache at {directory} is listed with huggingface_hub: "
            + extra_install("hub")
        )
        return
    try:
        info = scan_cache_dir(directory)
    except Exception as exc:  # huggingface_hub's CacheNotFound, OSError: an unreadable cache
        discovery.notes.append(f"could not read the Hugging Face cache at {directory}: {exc}")
        return
    for repo in sorted(info.repos, key=lambda r: r.repo_id):
        if repo.repo_type != "model":
            continue
        seen: set[str] = set()
        for revision in sorted(repo.revisions, key=lambda r: r.last_modified, reverse=True):
            for file in sorted(revision.files, key=lambda f: f.file_name):
                name = file.file_name
                if not name.endswith(".gguf") or name in seen or not _first_part(name):
                    continue
                seen.add(name)
                stem = Path(name).stem
                yield Found(f"hf:{repo.repo_id}/{name}", stem, "hf cache", Path(file.file_path))


def ollama_dirs() -> list[Path]:
    explicit = os.environ.get("OLLAMA_MODELS")
    if explicit:
        return [Path(explicit).expanduser()]
    return [_home() / ".ollama" / "models", Path("/usr/share/ollama/.ollama/models")]


def _ollama(discovery: Discovery) -> Iterator[Found]:
    for root in ollama_dirs():
        manifests = root / "manifests"
        if not manifests.is_dir():
            continue
        try:
            paths = sorted(p for p in manifests.rglob("*") if p.is_file())
        except OSError as exc:
            discovery.notes.append(f"could not read Ollama's store at {root}: {exc.strerror}")
            continue
        for manifest in paths:
            found = _ollama_model(root, manifests, manifest, discovery)
            if found is not None:
                yield found


def _ollama_model(
    root: Path, manifests: Path, manifest: Path, discovery: Discovery
) -> Found | None:
    parts = manifest.relative_to(manifests).parts  # registry / namespace / model / tag
    if len(parts) != 4:
        return None
    registry, namespace, model, tag = parts
    try:
        layers = json.loads(manifest.read_text(encoding="utf-8")).get("layers", [])
        digest = next(x["digest"] for x in layers if x.get("mediaType") == OLLAMA_MODEL_LAYER)
    except (OSError, ValueError, StopIteration, KeyError, TypeError, AttributeError):
        discovery.notes.append(f"skipped an unreadable Ollama manifest: {manifest}")
        return None
    blob = root / "blobs" / str(digest).replace(":", "-")
    if not is_gguf(blob):
        return None
    short = model if namespace == "library" else f"{namespace}/{model}"
    if registry != OLLAMA_DEFAULT_REGISTRY:
        short = f"{registry}/{short}"
    name = short if tag == "latest" else f"{short}:{tag}"
    return Found(f"ollama:{name}", name, "ollama", blob)


def lmstudio_dirs() -> list[Path]:
    explicit = os.environ.get("LMSTUDIO_MODELS")
    if explicit:
        return [Path(explicit).expanduser()]
    return [_home() / ".lmstudio" / "models", _home() / ".cache" / "lm-studio" / "models"]


def llamacpp_dirs() -> list[Path]:
    explicit = os.environ.get("LLAMA_CACHE")
    if explicit:
        return [Path(explicit).expanduser()]
    cache = os.environ.get("XDG_CACHE_HOME")
    return [(Path(cache) if cache else _home() / ".cache") / "llama.cpp"]


def _folder(discovery: Discovery, roots: list[Path], store: str, prefix: str) -> Iterator[Found]:
    for root in roots:
        if not root.is_dir():
            continue
        try:
            files = sorted(root.rglob("*.gguf"))
        except OSError as exc:
            discovery.notes.append(f"could not read {store}'s folder {root}: {exc.strerror}")
            continue
        for path in files:
            if path.is_file() and _first_part(path.name) and is_gguf(path):
                relative = path.relative_to(root).as_posix()
                yield Found(f"{prefix}:{relative}", path.stem, store, path)


def discover() -> Discovery:
    """Every GGUF model the other tools' stores hold, in a stable order."""
    discovery = Discovery()
    for found in (
        *_hf(discovery),
        *_ollama(discovery),
        *_folder(discovery, lmstudio_dirs(), "lm studio", "lmstudio"),
        *_folder(discovery, llamacpp_dirs(), "llama.cpp", "llamacpp"),
    ):
        discovery.models.append(found)
    return discovery


def find(spec: str, discovery: Discovery | None = None) -> tuple[Path | None, list[str]]:
    """A discovered model for `spec`: its full name, or a short name only one model has.

    Returns (path, []) when found, (None, candidates) when the short name is ambiguous,
    and (None, []) when nothing matches.
    """
    models = (discovery or discover()).models
    exact = [m for m in models if m.name == spec]
    if exact:
        return exact[0].path, []
    short = [m for m in models if m.short == spec or m.short.lower() == spec.lower()]
    if len(short) == 1:
        return short[0].path, []
    return None, [m.name for m in short]
