from pathlib import Path

import pytest

from longcli.errors import ConfigError
from longcli.prompts.templates import REQUIRED_PLACEHOLDERS, load_templates


def test_packaged_templates_have_their_placeholders():
    templates = load_templates()
    assert set(REQUIRED_PLACEHOLDERS) <= set(templates.prompts)
    assert {"paragraph", "bullets", "outline"} <= set(templates.styles)
    filled = templates.fill("map", text="BODY", words=50, instructions="")
    assert "BODY" in filled and "50 words" in filled


def test_user_file_overrides_and_prompt_file_wins(tmp_path: Path):
    (tmp_path / "prompts.yaml").write_text("map: 'USER {text}'\n")
    assert load_templates(user_dir=tmp_path).prompts["map"] == "USER {text}"
    flag = tmp_path / "flag.yaml"
    flag.write_text("map: 'FLAG {text} {words}'\n")
    assert load_templates(str(flag), tmp_path).prompts["map"] == "FLAG {text} {words}"


@pytest.mark.parametrize(
    "text,message",
    [
        ("map: 'no placeholder'\n", "missing placeholder"),
        ("map: 'x {text} {nope}'\n", "unknown placeholder"),
        ("mapp: 'x {text}'\n", "unknown template"),
        ("map: [unclosed\n", "line"),
        ("map: 'x {text'\n", "malformed"),
    ],
)
def test_bad_templates_are_refused(tmp_path: Path, text: str, message: str):
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_templates(str(path))
