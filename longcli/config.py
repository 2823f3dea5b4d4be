"""Settings: built-in defaults < user config file (YAML) < environment < command-line flags.

Every setting is declared once, in `Settings` below: its name (which is also the config
key, the LONGCLI_<NAME> environment variable and, for the flags that exist, --<name>),
its type (an enum where it is a choice), default, range and help. The loaders, the
validation, `config show`, the CLI's options and the README's table all read it from
there.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any, cast

from longcli.calls import Sampling
from longcli.errors import ConfigError
from longcli.places import aliases_path, config_dir, config_path

ENV_PREFIX = "LONGCLI_"
SECRET_SETTINGS = ("api_key",)  # never printed: `config show` says "(set, hidden)"
MAX_LLAMA_THREADS = 512  # GGML_MAX_N_THREADS
DEFAULT_ROPE_FACTOR = 2.0  # --rope-factor when --rope-scaling is given without it


# -- the choices ----------------------------------------------------------------------------


class Style(StrEnum):
    paragraph = "paragraph"
    bullets = "bullets"
    outline = "outline"


class Method(StrEnum):
    """How summaries are made (summarize/pipeline.py); auto picks one for the model."""

    auto = "auto"
    hybrid = "hybrid"
    extractive = "extractive"
    abstractive = "abstractive"
    extract_abstract = "extract-abstract"


class Fold(StrEnum):
    """How the chat folds old turns into its running summary (chat/conversation.py)."""

    auto = "auto"
    model = "model"
    extractive = "extractive"


class BackendKind(StrEnum):
    llama = "llama"  # in-process
    http = "http"  # an OpenAI-compatible server


class KvType(StrEnum):
    f16 = "f16"
    q8_0 = "q8_0"
    q4_0 = "q4_0"


class FlashAttn(StrEnum):
    auto = "auto"
    on = "on"
    off = "off"


class Repack(StrEnum):
    """Whether llama.cpp may repack weights for this CPU (backends/repack.py)."""

    auto = "auto"  # yes, unless a probe on this machine saw it crash
    on = "on"
    off = "off"


class RopeScaling(StrEnum):
    linear = "linear"
    yarn = "yarn"


class Tokenizer(StrEnum):
    auto = "auto"
    server = "server"
    tiktoken = "tiktoken"
    estimate = "estimate"


# -- ranges ---------------------------------------------------------------------------------


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _max_threads() -> float:
    """--threads' ceiling: llama.cpp's own, and no lower than the machine's CPUs (a
    container's affinity may give this process fewer than the machine has), with room to
    oversubscribe the cores it may use."""
    machine = os.cpu_count() or 1
    return min(MAX_LLAMA_THREADS, max(4 * available_cores(), machine))


@dataclass(frozen=True)
class Range:
    """The values a number may take; `high` may be computed (e.g. from the cores)."""

    low: float | None = None
    high: float | Callable[[], float] | None = None
    low_open: bool = False  # low itself is not allowed

    def upper(self) -> float | None:
        return self.high() if callable(self.high) else self.high

    def allows(self, value: float) -> bool:
        high = self.upper()
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return high is None or value <= high

    def describe(self) -> str:
        high = self.upper()
        low = None if self.low is None else _number(self.low)
        if low is not None and high is not None:
            return (
                f"above {low} and at most {_number(high)}"
                if self.low_open
                else (f"between {low} and {_number(high)}")
            )
        if low is not None:
            return f"above {low}" if self.low_open else f"at least {low}"
        return f"at most {_number(high or 0)}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _setting(
    default: Any = None,
    help: str = "",
    *,
    range: Range | None = None,
    env: bool = True,
    factory: Callable[[], Any] | None = None,
) -> Any:
    metadata = {"help": help, "range": range, "env": env}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


_SAMPLING = Sampling()


@dataclass
class Settings:
    """Every knob longcli has. Field names are the config-file keys."""

    model: str | None = _setting(
        None,
        "GGUF file path, alias, or model name in the models dir [default: the bundled "
        "smollm2 135M]",
    )
    aliases: dict[str, str] = _setting(help="name -> GGUF path", env=False, factory=dict)
    backend: BackendKind = _setting(
        BackendKind.llama,
        "llama: run the model in-process; http: send calls to a server (see base_url)",
    )
    base_url: str | None = _setting(
        None,
        "Address of an OpenAI-compatible server (llama-server, vLLM), e.g. "
        "http://127.0.0.1:8080; implies backend http",
    )
    api_key: str | None = _setting(None, "Bearer token for the server")
    server_model: str | None = _setting(
        None, "Model name to ask the server for [default: its first]"
    )
    parallel: int = _setting(
        1,
        "Model calls at once: as many as the server has slots, or sequences decoded "
        "together in-process (helps on a GPU)",
        range=Range(1, 64),
    )
    http_timeout_s: float = _setting(
        600.0, "Seconds each server request may take", range=Range(0, low_open=True)
    )
    http_retries: int = _setting(4, "Retries of transient server failures", range=Range(0, 10))
    tokenizer: Tokenizer = _setting(
        Tokenizer.auto,
        "How to count a server model's tokens: its endpoint, tiktoken, or an estimate",
    )
    tiktoken_encoding: str = _setting(
        "cl100k_base", "A tiktoken encoding already cached here, or a .tiktoken file"
    )
    ctx: int | None = _setting(
        None,
        "Context size in tokens [default: the largest that fits in memory, up to the "
        "model's trained context and max_ctx; with a server, what it reports]",
        range=Range(256),
    )
    max_ctx: int = _setting(32768, "Cap on the default context size", range=Range(256))
    gpu_layers: int | None = _setting(
        None,
        "Layers to offload to the GPU, -1 for all [default: all if llama.cpp has a GPU "
        "backend, else 0]",
        range=Range(-1, 100_000),
    )
    kv_type: KvType = _setting(
        KvType.f16, "KV-cache precision: q8_0 halves its memory, q4_0 quarters it"
    )
    flash_attn: FlashAttn = _setting(
        FlashAttn.auto, "Flash attention; auto means on (needed by q8_0/q4_0 KV caches)"
    )
    rope_scaling: RopeScaling | None = _setting(
        None, "Stretch a short-context model past its trained context (quality drops)"
    )
    rope_factor: float | None = _setting(
        None,
        f"How far to stretch it [default: {DEFAULT_ROPE_FACTOR:g}]",
        range=Range(1, 16, low_open=True),
    )
    memory_budget_mb: int | None = _setting(
        None,
        "Memory the model may use: weights, KV cache, buffers [default: 60% of what is available]",
        range=Range(64),
    )
    repack: Repack = _setting(
        Repack.auto,
        "Let llama.cpp repack the weights for this CPU (AMX, AVX2 layouts). auto: yes, "
        "unless a one-time probe on this machine saw it crash (as on some Intel Xeons "
        "with AMX); off is always safe, sometimes slower",
    )
    threads: int | None = _setting(
        None,
        "CPU threads [default: chosen for this machine, or what `longcli tune` measured]",
        range=Range(1, _max_threads),
    )
    batch: int = _setting(512, "Prompt batch size", range=Range(16, 8192))
    temperature: float = _setting(_SAMPLING.temperature, "Sampling temperature", range=Range(0, 2))
    top_p: float = _setting(_SAMPLING.top_p, "Nucleus sampling", range=Range(0, 1))
    top_k: int = _setting(_SAMPLING.top_k, "Top-k sampling (0: off)", range=Range(0, 1000))
    min_p: float = _setting(_SAMPLING.min_p, "Min-p sampling", range=Range(0, 1))
    repeat_penalty: float = _setting(
        _SAMPLING.repeat_penalty, "Penalty for repeating tokens", range=Range(0, 3, low_open=True)
    )
    seed: int = _setting(
        _SAMPLING.seed,
        "Random seed; the same seed and input give the same result",
        range=Range(0, 2**31 - 1),
    )
    words: int = _setting(
        250,
        "Target length of the final summary in the reader's unit: words, or characters "
        "for Chinese and Japanese",
        range=Range(10, 100_000),
    )
    language: str = _setting(
        "auto",
        "Language to write summaries and chat replies in, as a code such as en, de, zh "
        "[default: auto, the language of the text or message]",
    )
    style: Style = _setting(Style.paragraph, "Shape of the final summary")
    method: Method = _setting(
        Method.auto,
        "extractive: the input's key sentences, no model, instant; hybrid: those "
        "sentences shortened by the model (only by deleting whole asides, never a "
        "negation, number or name); abstractive: the model writes the summary, every answer "
        "checked against its input; extract-abstract: the model writes from the key "
        "passages only, every sentence checked against them; auto: chosen per model by a "
        "short calibration (cached), extractive for the bundled model",
    )
    instructions: str | None = _setting(
        None, 'Added to every prompt and used to pick sentences, e.g. "focus on the money"'
    )
    chunk_tokens: int | None = _setting(
        None, "Tokens of text per chunk [default: as many as fit]", range=Range(64)
    )
    max_chunk_tokens: int | None = _setting(
        None, "Cap on the default chunk size [default: by model size]", range=Range(64)
    )
    prompt_file: str | None = _setting(None, "YAML file overriding prompt templates")
    cache: bool = _setting(True, "Reuse and store finished model calls")
    system: str | None = _setting(None, "System prompt for new chat sessions")
    summary_share: float = _setting(
        0.25,
        "Share of the context for the chat's running summary and stated facts",
        range=Range(0.05, 0.5),
    )
    reply_tokens: int = _setting(384, "Room kept for each chat reply", range=Range(16, 32768))
    recall_tokens: int = _setting(
        256, "Room for passages recalled from earlier turns", range=Range(0, 32768)
    )
    facts_tokens: int = _setting(
        128,
        "Room for the facts you stated that bear on a message, in your words (part of "
        "summary_share; 0 turns the fact ledger off)",
        range=Range(0, 32768),
    )
    quote_facts: bool = _setting(
        True,
        "When the model's answer to a question about you misses a fact you stated, add "
        "your own words after it",
    )
    embedding_model: str = _setting(
        "auto",
        "GGUF sentence-embedding model the chat uses to find which statement of yours a "
        "question means, in any words (e.g. from bench/fetch_embedding_model.py). auto: "
        "the GGUF in <data dir>/embedding/ if there is one; off: words only",
    )
    fold: Fold = _setting(
        Fold.auto,
        "How old turns go into the chat's summary. model: the model rewrites it (checked "
        "like every answer); extractive: their key sentences, no model call; auto: "
        "extractive for models under 1 GB like the bundled one, model from 1 GB",
    )

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the given fields replaced; None means 'not given' and is ignored."""
        given = {k: v for k, v in overrides.items() if v is not None}
        unknown = set(given) - set(FIELDS)
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return dataclasses.replace(self, **given)

    def sampling(self) -> Sampling:
        """The sampling every call starts from; max_tokens is set per call."""
        return Sampling(
            temperature=self.temperature,
            top_p=self.top_p,
            top_k=self.top_k,
            min_p=self.min_p,
            repeat_penalty=self.repeat_penalty,
            seed=self.seed,
        )

    def plain(self) -> dict[str, Any]:
        """As plain data (enums as their text), e.g. for YAML or JSON."""
        return {
            k: v.value if isinstance(v, Enum) else v for k, v in dataclasses.asdict(self).items()
        }


FIELDS: dict[str, dataclasses.Field[Any]] = {f.name: f for f in dataclasses.fields(Settings)}


@dataclass(frozen=True)
class Flags:
    """The settings given on the command line; None where a flag was not given.

    Each field is named like the setting it sets (`--kv-type` sets `kv_type`), and a
    command fills the ones it takes by name; `read_flags` checks them like every source.
    """

    model: str | None = None
    backend: BackendKind | None = None
    base_url: str | None = None
    server_model: str | None = None
    parallel: int | None = None
    ctx: int | None = None
    gpu_layers: int | None = None
    kv_type: KvType | None = None
    flash_attn: FlashAttn | None = None
    rope_scaling: RopeScaling | None = None
    rope_factor: float | None = None
    repack: Repack | None = None
    threads: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    repeat_penalty: float | None = None
    seed: int | None = None
    words: int | None = None
    language: str | None = None
    style: Style | None = None
    method: Method | None = None
    instructions: str | None = None
    chunk_tokens: int | None = None
    prompt_file: str | None = None
    cache: bool | None = None


_HINTS = typing.get_type_hints(Settings)


def value_type(name: str) -> type:
    """The type a setting's values have (without the None of an optional one)."""
    hint = _HINTS[name]
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    return typing.get_origin(hint) or hint


def help_text(name: str) -> str:
    """A setting's help, with its default as `Settings()` has it, and its range."""
    f = FIELDS[name]
    text = f.metadata["help"]
    rng: Range | None = f.metadata["range"]
    if "[default:" not in text and f.default is not dataclasses.MISSING and f.default is not None:
        default = f.default.value if isinstance(f.default, Enum) else f.default
        text += f" [default: {default}]"
    if rng is not None and name not in ("ctx", "max_ctx", "gpu_layers"):
        text += f" ({rng.describe()})"
    return text + "."


def coerce(name: str, value: Any, where: str) -> Any:
    """A value from a config file, the environment or a flag, typed and range-checked.

    `where` names the source for the message: a file path, LONGCLI_X or --x.
    """
    if value is None:
        return None
    want = value_type(name)
    label = where if where.startswith(("--", ENV_PREFIX)) else f"{where}: '{name}'"
    try:
        if want is bool:
            result: Any = _boolean(value)
        elif want is dict:
            if not isinstance(value, dict):
                raise ValueError(value)
            result = {str(k): str(v) for k, v in value.items()}
        elif issubclass(want, Enum):
            result = want(str(value.value if isinstance(value, Enum) else value).strip())
        elif want is int and (isinstance(value, bool) or _fractional(value)):
            raise ValueError(value)
        else:
            result = cast(Callable[[Any], Any], want)(value)  # int, float or str
    except (TypeError, ValueError):
        if isinstance(want, type) and issubclass(want, Enum):
            choices = [m.value for m in want]
            hint = did_you_mean(str(value), choices)
            raise ConfigError(
                f"{label} must be one of {', '.join(choices)}, got {value!r}{hint}"
            ) from None
        raise ConfigError(f"{label} must be {want.__name__}, got {value!r}") from None
    rng: Range | None = FIELDS[name].metadata["range"]
    if rng is not None and not rng.allows(result):
        raise ConfigError(f"{label} must be {rng.describe()}, got {value}")
    return result


def did_you_mean(value: str, choices: list[str]) -> str:
    """The closest of `choices` as "; did you mean 'bullets'?", or nothing."""
    import difflib

    close = difflib.get_close_matches(value.strip().lower(), choices, n=1, cutoff=0.5)
    return f"; did you mean '{close[0]}'?" if close else ""


def _fractional(value: Any) -> bool:
    return isinstance(value, float) and not value.is_integer()


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(value)


def env_var(name: str) -> str:
    return ENV_PREFIX + name.upper()


# -- loading --------------------------------------------------------------------------------


def parse_yaml(text: str, where: str) -> Any:
    """YAML text as data; a syntax error names the file and line."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(
            f"{where}{line}: {getattr(exc, 'problem', None) or 'invalid YAML'}"
        ) from None


def read_config_file(path: Path) -> tuple[dict[str, Any], list[str]]:
    """Parse a config file; returns (values, warnings). A missing file is an empty config."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    raw = parse_yaml(text, str(path))
    if raw is None:
        return {}, []
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    values: dict[str, Any] = {}
    warnings: list[str] = []
    for key, value in raw.items():
        name = str(key).replace("-", "_")
        if name not in FIELDS:
            warnings.append(f"{path}: unknown setting '{key}' ignored")
            continue
        values[name] = coerce(name, value, str(path))
    return values, warnings


def read_env(environ: dict[str, str] | None = None) -> dict[str, Any]:
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for name, f in FIELDS.items():
        var = env_var(name)
        if f.metadata["env"] and env.get(var, "") != "":
            values[name] = coerce(name, env[var], var)
    return values


def read_flags(flags: Flags) -> dict[str, Any]:
    """The settings the flags give (those not None), checked like the other sources."""
    given = ((f.name, getattr(flags, f.name)) for f in dataclasses.fields(flags))
    return {
        name: coerce(name, value, "--" + name.replace("_", "-"))
        for name, value in given
        if value is not None
    }


def validate(settings: Settings) -> Settings:
    """Reject combinations no run could use (each value was checked on its own already)."""
    if settings.backend == BackendKind.http and not settings.base_url:
        raise ConfigError(
            "backend http needs base_url (--base-url, LONGCLI_BASE_URL or the config file)"
        )
    if settings.rope_factor is not None and settings.rope_scaling is None:
        raise ConfigError("rope_factor needs rope_scaling (linear or yarn)")
    return settings


def read_aliases_file() -> dict[str, str]:
    path = aliases_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    data = parse_yaml(text, str(path))
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
    flags: Flags | None = None, environ: dict[str, str] | None = None
) -> tuple[Settings, list[str]]:
    """Defaults < config file < environment < flags. Returns (settings, warnings)."""
    file_values, warnings = read_config_file(config_path())
    file_values["aliases"] = {**read_aliases_file(), **file_values.get("aliases", {})}
    settings = Settings().with_overrides(**file_values)
    settings = settings.with_overrides(**read_env(environ))
    settings = settings.with_overrides(**read_flags(flags or Flags()))
    return validate(settings), warnings
