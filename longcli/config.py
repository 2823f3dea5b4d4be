"""Settings: built-in defaults < user config file (YAML) < environment < command-line flags."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from longcli.errors import ConfigError
from longcli.tokencount import TOKENIZERS

APP_NAME = "longcli"
CONFIG_FILE_NAME = "config.yaml"
STYLES = ("paragraph", "bullets", "outline")
# How summaries are made (see summarize.py). "auto" picks one for the model (engine.py),
# by the measurements in the README.
SUMMARY_METHODS = ("hybrid", "extractive", "abstractive")
METHODS = ("auto", *SUMMARY_METHODS)
DEFAULT_METHOD = "auto"
BACKENDS = ("llama", "http", "fake")
KV_TYPE_NAMES = ("f16", "q8_0", "q4_0")
FLASH_ATTN = ("auto", "on", "off")
ROPE_SCALING = ("linear", "yarn")


@dataclass
class Settings:
    """Every knob longcli has. Field names are the config-file keys."""

    model: str | None = None
    aliases: dict[str, str] = field(default_factory=dict)
    backend: str = "llama"  # llama (in-process) | http (an OpenAI-compatible server)
    # http backend
    base_url: str | None = None  # e.g. http://127.0.0.1:8080
    api_key: str | None = None
    server_model: str | None = None  # None: the first model the server lists
    parallel: int = 1  # summarize: model calls in flight at once (server slots)
    http_timeout_s: float = 600.0
    http_retries: int = 4
    tokenizer: str = "auto"  # auto | server | tiktoken | estimate
    tiktoken_encoding: str = "cl100k_base"  # a name in tiktoken's cache, or a .tiktoken file
    ctx: int | None = None  # None: the model's trained context, capped by max_ctx
    max_ctx: int = 32768
    gpu_layers: int | None = None  # None: all layers when llama.cpp has a GPU backend, else 0
    kv_type: str = "f16"  # f16 | q8_0 | q4_0
    flash_attn: str = "auto"  # auto | on | off
    rope_scaling: str | None = None  # linear | yarn
    rope_factor: float | None = None
    memory_budget_mb: int | None = None  # None: a share of the memory available now
    threads: int | None = None  # None: chosen by longcli (see backend.default_threads)
    batch: int = 512
    temperature: float = 0.2
    top_p: float = 0.9
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.15
    seed: int = 0
    words: int = 250
    style: str = "paragraph"
    method: str = DEFAULT_METHOD
    instructions: str | None = None
    chunk_tokens: int | None = None
    max_chunk_tokens: int | None = None  # None: chosen from the model's size
    prompt_file: str | None = None
    cache: bool = True
    # chat
    system: str | None = None
    summary_share: float = 0.25  # of the context, for the running summary
    reply_tokens: int = 384  # reserved for each chat reply
    recall_tokens: int = 256  # budget for passages recalled from earlier turns

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the given fields replaced; None means 'not given' and is ignored."""
        given = {k: v for k, v in overrides.items() if v is not None}
        unknown = set(given) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return dataclasses.replace(self, **given)


def _env_dir(var: str, default: str) -> Path:
    value = os.environ.get(var)
    return Path(value).expanduser() if value else Path(default)


def config_dir() -> Path:
    """Where config.yaml and user prompt templates live (LONGCLI_CONFIG_DIR overrides)."""
    import platformdirs

    return _env_dir("LONGCLI_CONFIG_DIR", platformdirs.user_config_dir(APP_NAME))


def cache_dir() -> Path:
    """Where finished model calls are cached for resume (LONGCLI_CACHE_DIR overrides)."""
    import platformdirs

    return _env_dir("LONGCLI_CACHE_DIR", platformdirs.user_cache_dir(APP_NAME))


def data_dir() -> Path:
    """Where models and named sessions live (LONGCLI_DATA_DIR overrides)."""
    import platformdirs

    return _env_dir("LONGCLI_DATA_DIR", platformdirs.user_data_dir(APP_NAME))


def config_path() -> Path:
    return config_dir() / CONFIG_FILE_NAME


_FIELD_TYPES: dict[str, type] = {
    "model": str,
    "aliases": dict,
    "backend": str,
    "base_url": str,
    "api_key": str,
    "server_model": str,
    "parallel": int,
    "http_timeout_s": float,
    "http_retries": int,
    "tokenizer": str,
    "tiktoken_encoding": str,
    "ctx": int,
    "max_ctx": int,
    "gpu_layers": int,
    "kv_type": str,
    "flash_attn": str,
    "rope_scaling": str,
    "rope_factor": float,
    "memory_budget_mb": int,
    "threads": int,
    "batch": int,
    "temperature": float,
    "top_p": float,
    "top_k": int,
    "min_p": float,
    "repeat_penalty": float,
    "seed": int,
    "words": int,
    "style": str,
    "method": str,
    "instructions": str,
    "chunk_tokens": int,
    "max_chunk_tokens": int,
    "prompt_file": str,
    "cache": bool,
    "system": str,
    "summary_share": float,
    "reply_tokens": int,
    "recall_tokens": int,
}

# Environment variables: LONGCLI_<KEY> for the scalar keys.
ENV_PREFIX = "LONGCLI_"
_ENV_KEYS = [k for k, t in _FIELD_TYPES.items() if t is not dict]


def _coerce(key: str, value: Any, where: str) -> Any:
    want = _FIELD_TYPES[key]
    if value is None:
        return None
    try:
        if want is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if want is dict:
            if not isinstance(value, dict):
                raise ValueError(value)
            return {str(k): str(v) for k, v in value.items()}
        if want is int and isinstance(value, bool):
            raise ValueError(value)
        return want(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: '{key}' must be {want.__name__}, got {value!r}") from None


def read_config_file(path: Path) -> tuple[dict[str, Any], list[str]]:
    """Parse a config file; returns (values, warnings). A missing file is an empty config."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}{line}: {problem}") from None
    if raw is None:
        return {}, []
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    values: dict[str, Any] = {}
    warnings: list[str] = []
    for key, value in raw.items():
        name = str(key).replace("-", "_")
        if name not in _FIELD_TYPES:
            warnings.append(f"{path}: unknown setting '{key}' ignored")
            continue
        values[name] = _coerce(name, value, str(path))
    return values, warnings


def read_env(environ: dict[str, str] | None = None) -> dict[str, Any]:
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for key in _ENV_KEYS:
        var = ENV_PREFIX + key.upper()
        if env.get(var, "") != "":
            values[key] = _coerce(key, env[var], var)
    return values


def validate(settings: Settings) -> Settings:
    """Reject values no run could use, with a message that names the setting."""
    if settings.style not in STYLES:
        raise ConfigError(f"style must be one of {', '.join(STYLES)}, got '{settings.style}'")
    if settings.method not in METHODS:
        raise ConfigError(f"method must be one of {', '.join(METHODS)}, got '{settings.method}'")
    if settings.backend not in BACKENDS:
        raise ConfigError(f"backend must be one of {', '.join(BACKENDS)}, got '{settings.backend}'")
    if settings.backend == "http" and not settings.base_url:
        raise ConfigError(
            "backend http needs base_url (--base-url, LONGCLI_BASE_URL or the config file)"
        )
    if settings.tokenizer not in TOKENIZERS:
        raise ConfigError(
            f"tokenizer must be one of {', '.join(TOKENIZERS)}, got '{settings.tokenizer}'"
        )
    if not 1 <= settings.parallel <= 64:
        raise ConfigError(f"parallel must be between 1 and 64, got {settings.parallel}")
    if settings.http_timeout_s <= 0:
        raise ConfigError(f"http_timeout_s must be above 0, got {settings.http_timeout_s}")
    if not 0 <= settings.http_retries <= 10:
        raise ConfigError(f"http_retries must be between 0 and 10, got {settings.http_retries}")
    if settings.words < 10:
        raise ConfigError(f"words must be at least 10, got {settings.words}")
    if settings.ctx is not None and settings.ctx < 256:
        raise ConfigError(f"ctx must be at least 256 tokens, got {settings.ctx}")
    if settings.threads is not None and settings.threads < 1:
        raise ConfigError(f"threads must be at least 1, got {settings.threads}")
    if not 0.0 <= settings.temperature <= 2.0:
        raise ConfigError(f"temperature must be between 0 and 2, got {settings.temperature}")
    if settings.kv_type not in KV_TYPE_NAMES:
        raise ConfigError(
            f"kv_type must be one of {', '.join(KV_TYPE_NAMES)}, got '{settings.kv_type}'"
        )
    if settings.flash_attn not in FLASH_ATTN:
        raise ConfigError(f"flash_attn must be auto, on or off, got '{settings.flash_attn}'")
    if settings.rope_scaling not in (None, *ROPE_SCALING):
        raise ConfigError(f"rope_scaling must be linear or yarn, got '{settings.rope_scaling}'")
    if settings.rope_factor is not None and not 1.0 < settings.rope_factor <= 16.0:
        raise ConfigError(f"rope_factor must be above 1 and at most 16, got {settings.rope_factor}")
    if settings.rope_factor is not None and settings.rope_scaling is None:
        raise ConfigError("rope_factor needs rope_scaling (linear or yarn)")
    if settings.memory_budget_mb is not None and settings.memory_budget_mb < 64:
        raise ConfigError(f"memory_budget_mb must be at least 64, got {settings.memory_budget_mb}")
    if not 0.05 <= settings.summary_share <= 0.5:
        raise ConfigError(
            f"summary_share must be between 0.05 and 0.5, got {settings.summary_share}"
        )
    return settings


ALIASES_FILE_NAME = "aliases.yaml"


def aliases_path() -> Path:
    """Aliases made with `longcli models alias`, kept apart from the user's config.yaml."""
    return config_dir() / ALIASES_FILE_NAME


def read_aliases_file() -> dict[str, str]:
    import yaml

    path = aliases_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of alias names to model paths")
    return {str(k): str(v) for k, v in data.items()}


def write_aliases_file(aliases: dict[str, str]) -> None:
    import yaml

    from longcli.storage import atomic_write_text, ensure_private_dir

    ensure_private_dir(config_dir())
    text = "# Managed by `longcli models alias`; aliases in config.yaml take precedence.\n"
    text += yaml.safe_dump(dict(sorted(aliases.items())), sort_keys=False) if aliases else ""
    atomic_write_text(aliases_path(), text)


def load_settings(
    overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None
) -> tuple[Settings, list[str]]:
    """Defaults < config file < environment < flags. Returns (settings, warnings)."""
    file_values, warnings = read_config_file(config_path())
    file_values["aliases"] = {**read_aliases_file(), **file_values.get("aliases", {})}
    settings = Settings().with_overrides(**file_values)
    settings = settings.with_overrides(**read_env(environ))
    settings = settings.with_overrides(**(overrides or {}))
    return validate(settings), warnings
