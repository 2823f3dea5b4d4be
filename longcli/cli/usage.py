"""How `--help` and usage errors read: longcli's words, not the parsing library's.

typer checks option values with pydantic and reports them in its wording ("Input should
be a valid integer, unable to parse string as an integer"); `bad_value` says the same in
one line of longcli's, with the choices and a did-you-mean for a choice. `style_help`
shows an argument as `FILES...` rather than `FILES <list[str]>`, and a range in words.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from longcli.config import did_you_mean


def bad_value(exc: BaseException) -> str | None:
    """One line for a value the parser refused (click's BadParameter with a pydantic
    error behind it), or None when `exc` is not one."""
    param = getattr(exc, "param", None)
    cause = exc.__cause__
    if param is None or cause is None or not hasattr(cause, "errors"):
        return None
    try:
        error = cause.errors()[0]
    except (IndexError, TypeError, AttributeError):
        return None
    name = _name(param)
    given = error.get("input")
    choices = _choices(param)
    kind = error.get("type", "")
    if choices:
        listed = ", ".join(choices)
        return f"{name} takes one of {listed}, got '{given}'{did_you_mean(str(given), choices)}"
    if kind == "int_parsing":
        return f"{name} takes a whole number, got '{given}'"
    if kind == "float_parsing":
        return f"{name} takes a number, got '{given}'"
    bound = error.get("ctx") or {}
    words = {"ge": "at least", "gt": "above", "le": "at most", "lt": "below"}
    for key, phrase in words.items():
        if key in bound:
            return f"{name} must be {phrase} {bound[key]}, got {given}"
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    return f"{name}: {message}" if message else None


def _name(param: Any) -> str:
    opts = [o for o in getattr(param, "opts", []) if o.startswith("--")]
    if opts:
        return opts[0]
    return str(getattr(param, "metavar", None) or getattr(param, "name", "") or "value").upper()


def _choices(param: Any) -> list[str]:
    descriptor = getattr(param, "type_descriptor", None)
    found = getattr(descriptor, "choices", None) or ()
    return [str(c.value if isinstance(c, Enum) else c) for c in found]


def style_help() -> None:
    """Arguments in `--help` as `FILES...` and `MESSAGE`, their type left to the help
    text. typer renders `NAME <type>`; this changes only how an argument is shown."""
    try:
        from typer.core import TyperArgument
    except ImportError:  # another typer: its own rendering stays
        return
    if not hasattr(TyperArgument, "display_type_rich"):
        return

    def display_type_rich(self: Any, ctx: Any) -> str | None:
        return None

    def rich_display_name(self: Any) -> str:
        name = str(self.display_name_raw)
        return f"{name}..." if self.nargs != 1 else name

    TyperArgument.display_type_rich = display_type_rich  # type: ignore[method-assign]
    TyperArgument._rich_display_name = rich_display_name  # type: ignore[method-assign]
    import typer.core

    if hasattr(typer.core, "describe_number_range"):
        typer.core.describe_number_range = range_in_words


def range_in_words(min: float | None, max: float | None) -> str | None:
    """'at least 1', 'between 1 and 64': a range as the settings' help says it."""
    if min is None and max is None:
        return None
    if max is None:
        return f"at least {min}"
    if min is None:
        return f"at most {max}"
    return f"between {min} and {max}"
