"""Prompt templates: package defaults < the user's prompts.yaml < --prompt-file."""

from __future__ import annotations

import string
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from longcli.config import Settings, config_dir, parse_yaml
from longcli.errors import ConfigError

USER_PROMPTS_FILE = "prompts.yaml"
REQUIRED_PLACEHOLDERS: dict[str, set[str]] = {
    "system": set(),
    "map": {"text"},
    "map_with_context": {"text", "previous"},
    "single": {"text"},
    "merge": {"text"},
    "fold": {"summary", "turns"},
    "stricter": set(),
    "shorten": {"text"},
}
KNOWN_PLACEHOLDERS = {"text", "previous", "words", "style", "instructions", "summary", "turns"}


@dataclass(frozen=True)
class Templates:
    prompts: dict[str, str]
    styles: dict[str, str]

    def fill(self, name: str, **values: str | int) -> str:
        """Fill a template; placeholders a template does not use are simply ignored."""
        return self.prompts[name].format_map(_Defaults(values))

    def style(self, name: str) -> str:
        return self.styles.get(name, "")


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _placeholders(template: str, where: str, key: str) -> set[str]:
    try:
        return {field for _, field, _, _ in string.Formatter().parse(template) if field}
    except ValueError as exc:
        raise ConfigError(f"{where}: template '{key}' is malformed: {exc}") from None


def _parse(text: str, where: str) -> dict[str, Any]:
    data = parse_yaml(text, where)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping of template names to text")
    return data


def _merge(base: Templates, data: dict, where: str) -> Templates:
    prompts = dict(base.prompts)
    styles = dict(base.styles)
    for key, value in data.items():
        if key == "styles":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: 'styles' must map style names to text")
            styles.update({str(k): str(v) for k, v in value.items()})
            continue
        if key not in REQUIRED_PLACEHOLDERS:
            raise ConfigError(
                f"{where}: unknown template '{key}' "
                f"(known: {', '.join(sorted(REQUIRED_PLACEHOLDERS))})"
            )
        if not isinstance(value, str):
            raise ConfigError(f"{where}: template '{key}' must be text")
        found = _placeholders(value, where, key)
        missing = REQUIRED_PLACEHOLDERS[key] - found
        if missing:
            raise ConfigError(
                f"{where}: template '{key}' is missing placeholder(s) "
                + ", ".join("{" + m + "}" for m in sorted(missing))
            )
        unknown = found - KNOWN_PLACEHOLDERS
        if unknown:
            raise ConfigError(
                f"{where}: template '{key}' uses unknown placeholder(s) "
                + ", ".join("{" + u + "}" for u in sorted(unknown))
            )
        prompts[key] = value
    return Templates(prompts, styles)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"prompt file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read prompt file {path}: {exc}") from None


def load_templates(prompt_file: str | None = None, user_dir: Path | None = None) -> Templates:
    """The package's templates, overridden by the user's prompts.yaml, then by --prompt-file."""
    packaged = resources.files("longcli.prompts").joinpath("default.yaml").read_text("utf-8")
    templates = _merge(Templates({}, {}), _parse(packaged, "default.yaml"), "default.yaml")
    if user_dir is not None:
        user_file = user_dir / USER_PROMPTS_FILE
        if user_file.is_file():
            templates = _merge(templates, _parse(_read(user_file), str(user_file)), str(user_file))
    if prompt_file:
        path = Path(prompt_file).expanduser()
        templates = _merge(templates, _parse(_read(path), str(path)), str(path))
    return templates


def templates_for(settings: Settings) -> Templates:
    """The templates a run uses: the user's prompts.yaml and --prompt-file over the defaults."""
    return load_templates(settings.prompt_file, config_dir())
