"""longcli: summarize text of any length and chat with a bounded memory, on local GGUF models."""

__version__ = "0.1.0"
