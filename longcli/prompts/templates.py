"""Prompt templates: package defaults < the user's prompts.yaml < --prompt-file."""

from __future__ import annotations

import string
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from longcli.config import Settings, parse_yaml
from longcli.errors import ConfigError, UsageError
from longcli.places import config_dir
from longcli.text import language as languages
from longcli.text.units import unit_for

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
KNOWN_PLACEHOLDERS = {
    "text", "previous", "words", "style", "instructions", "summary", "turns", "language", "unit",
}  # fmt: skip
AUTO = "auto"  # --language auto: answers in the language of the text


@dataclass(frozen=True)
class Templates:
    """The prompts and styles, and the language the answers are to be written in."""

    prompts: dict[str, str]
    styles: dict[str, str]
    language: str = AUTO  # --language: a code such as "de", or "auto" (the text's)
    source_language: str = ""  # the text's language, once `for_text` has seen it

    def fill(self, name: str, **values: str | int) -> str:
        """Fill a template; placeholders a template does not use are simply ignored.
        {language} is the sentence that names the answer's language (empty when text and
        answer are both English), {unit} what --words counts ("words", "characters")."""
        values.setdefault("language", self.language_instruction())
        values.setdefault("unit", unit_for(self.target() or None).plural)
        return self.prompts[name].format_map(_Defaults(values))

    def target(self) -> str:
        """The language answers are written in: --language, else the text's ('' unknown)."""
        return self.language if self.language != AUTO else self.source_language

    def language_instruction(self) -> str:
        target = self.target()
        if not target or target == languages.UNKNOWN:
            return ""
        if target == languages.ENGLISH and self.source_language in ("", languages.ENGLISH):
            return ""  # the prompts are English: nothing to say
        return f" Write it in {languages.name(target)}."

    def for_text(self, text: str) -> Templates:
        """These templates for a text: its language detected (the answer's, unless
        --language names another)."""
        return replace(self, source_language=languages.detect(text))

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
    return replace(base, prompts=prompts, styles=styles)


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
    templates = load_templates(settings.prompt_file, config_dir())
    code = settings.language.strip().lower() or AUTO
    if code != AUTO and not languages.known(code):
        raise UsageError(
            f"unknown language: {settings.language}",
            hint="use a two-letter code such as en, de, fr, es, ru, zh, ja, ko, or auto",
        )
    return replace(templates, language=code)
