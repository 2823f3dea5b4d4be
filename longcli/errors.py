"""Every error longcli reports on purpose, and the one place that maps them to exit codes."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes, documented in the README. Scripts may rely on them."""

    OK = 0
    RUNTIME = 1  # the model or the machine failed while working
    USAGE = 2  # bad flags, bad input, bad config, no model found
    SESSION_LOCKED = 3  # another process is writing the same chat session
    SERVER = 4  # the inference server (--backend http) could not be reached or failed
    UNSUPPORTED = 5  # `verify`: a sentence of the summary its sources do not support
    INTERRUPTED = 130  # Ctrl-C or SIGTERM


class LongcliError(Exception):
    """Base of every error that is shown to the user as one line, without a traceback."""

    exit_code: ExitCode = ExitCode.RUNTIME

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(LongcliError):
    """A flag or a combination of flags makes no sense."""

    exit_code = ExitCode.USAGE


class InputError(LongcliError):
    """The text the user gave us cannot be read as text."""

    exit_code = ExitCode.USAGE


class ConfigError(LongcliError):
    """A config file or prompt template is malformed."""

    exit_code = ExitCode.USAGE


class ModelNotFoundError(LongcliError):
    """No model could be resolved, or the file is not a GGUF model."""

    exit_code = ExitCode.USAGE


class ModelError(LongcliError):
    """The model failed to load or to generate."""

    exit_code = ExitCode.RUNTIME


class OutputError(LongcliError):
    """The result could not be written: a full disk, a failing device, a reader gone."""

    exit_code = ExitCode.RUNTIME


class ServerError(LongcliError):
    """The inference server could not be reached, refused a request, or failed."""

    exit_code = ExitCode.SERVER


class SessionError(LongcliError):
    """A chat session directory is unusable (corrupt, newer format, not a directory)."""

    exit_code = ExitCode.USAGE


class SessionLockedError(LongcliError):
    """Another process holds the session's lock."""

    exit_code = ExitCode.SESSION_LOCKED


class OutputClosed(Exception):
    """Whoever reads our standard output has gone (e.g. `| head -1`): exit quietly.

    Not an OSError, so that no layer in between mistakes it for another failure.
    """


def exit_code_for(exc: BaseException) -> ExitCode:
    """The one mapping from an exception to the process exit code."""
    if isinstance(exc, LongcliError):
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    return ExitCode.RUNTIME


def one_line(exc: BaseException) -> str:
    """The one-line message for an exception, with its hint if it has one."""
    if isinstance(exc, LongcliError):
        return f"{exc.message} ({exc.hint})" if exc.hint else exc.message
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    if isinstance(exc, MemoryError):
        return "out of memory"
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror}{where}"
    return f"internal error: {type(exc).__name__}: {exc} (run with --debug for a traceback)"
