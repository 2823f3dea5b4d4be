"""Where longcli keeps things: its config, cache and data directories, and the files there.

Each directory follows the platform's convention (platformdirs) unless LONGCLI_CONFIG_DIR,
LONGCLI_CACHE_DIR or LONGCLI_DATA_DIR names another; the tests point all three at a
temporary directory.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "longcli"
CONFIG_FILE_NAME = "config.yaml"
ALIASES_FILE_NAME = "aliases.yaml"


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


def aliases_path() -> Path:
    """Aliases made with `longcli models alias`, kept apart from the user's config.yaml."""
    return config_dir() / ALIASES_FILE_NAME
