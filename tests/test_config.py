import dataclasses
from pathlib import Path

import pytest

from longcli.config import Flags, Settings, load_settings, read_config_file
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
    settings, _ = load_settings(Flags(words=300), environ={"LONGCLI_SEED": "7"})
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
    with pytest.raises(ConfigError, match="--style must be one of"):
        load_settings(Flags(style="poem"))
    with pytest.raises(ConfigError, match="--ctx must be at least 256, got 10"):
        load_settings(Flags(ctx=10))


@pytest.mark.parametrize(
    ("name", "bad", "message"),
    [
        ("threads", "100000", "threads must be between 1 and"),
        ("temperature", "3", "temperature must be between 0 and 2"),
        ("top_p", "1.5", "top_p must be between 0 and 1"),
        ("repeat_penalty", "0", "repeat_penalty must be above 0 and at most 3"),
        ("words", "5", "words must be between 10 and"),
        ("summary_share", "0.9", "summary_share must be between 0.05 and 0.5"),
        ("seed", "-1", "seed must be between 0 and"),
        ("method", "poetic", "method must be one of auto, hybrid, extractive, abstractive"),
        ("kv_type", "q2", "kv_type must be one of f16, q8_0, q4_0"),
    ],
)
def test_every_source_is_checked_against_the_one_declared_range(
    private_user_dirs: Path, name: str, bad: str, message: str
):
    if name in {f.name for f in dataclasses.fields(Flags)}:  # summary_share has no flag
        flag = "--" + name.replace("_", "-")
        with pytest.raises(ConfigError, match=f"^{flag} {message.split(' ', 1)[1]}"):
            load_settings(Flags(**{name: bad}))
    with pytest.raises(ConfigError, match=f"LONGCLI_{name.upper()} {message.split(' ', 1)[1]}"):
        load_settings(environ={f"LONGCLI_{name.upper()}": bad})
    path = write_config(private_user_dirs, f"{name}: {bad}\n")
    with pytest.raises(ConfigError, match=f"{path}: '{name}' {message.split(' ', 1)[1]}"):
        load_settings(environ={})


def test_choices_and_defaults_are_declared_once():
    from longcli.config import FIELDS, Method, Settings, help_text, value_type

    assert value_type("method") is Method and Settings().method is Method.auto
    assert "[default: 0.2]" in help_text("temperature")  # from Settings, not retyped
    assert all(f.metadata["help"] for f in FIELDS.values())


def test_every_flag_names_a_setting():
    """A field of Flags that is no setting would be dropped by read_flags' caller."""
    from longcli.config import FIELDS

    assert {f.name for f in dataclasses.fields(Flags)} <= set(FIELDS)
