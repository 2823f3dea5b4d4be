from pathlib import Path

import pytest

from longcli.config import Settings, load_settings, read_config_file
from longcli.errors import ConfigError


def write_config(dirs: Path, text: str) -> Path:
    path = dirs / "config" / "config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults_without_a_config_file():
    settings, warnings = load_settings()
    assert settings == Settings() and warnings == []


def test_precedence_defaults_file_env_flags(private_user_dirs: Path):
    write_config(private_user_dirs, "words: 100\nseed: 5\ntemperature: 0.5\n")
    settings, _ = load_settings({"words": 300}, environ={"LONGCLI_SEED": "7"})
    assert settings.words == 300  # flag beats file
    assert settings.seed == 7  # env beats file
    assert settings.temperature == 0.5  # file beats default


def test_yaml_error_names_file_and_line(private_user_dirs: Path):
    path = write_config(private_user_dirs, "words: 100\nstyle: [broken\nseed: 1\n")
    with pytest.raises(ConfigError, match=f"{path}, line"):
        read_config_file(path)


def test_unknown_keys_warn_and_bad_types_fail(private_user_dirs: Path):
    path = write_config(private_user_dirs, "wordz: 3\n")
    values, warnings = read_config_file(path)
    assert values == {} and "unknown setting 'wordz'" in warnings[0]
    write_config(private_user_dirs, "words: many\n")
    with pytest.raises(ConfigError, match="'words' must be int"):
        load_settings()


def test_invalid_values_are_refused():
    with pytest.raises(ConfigError, match="style must be one of"):
        load_settings({"style": "poem"})
    with pytest.raises(ConfigError, match="ctx must be at least"):
        load_settings({"ctx": 10})
