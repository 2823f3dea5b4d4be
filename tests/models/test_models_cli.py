"""`longcli models list|info|alias|unalias|dir` through real subprocesses."""

import json
from pathlib import Path


def test_alias_roundtrip(run, tmp_path: Path, bundled_model_info):
    r = run("models", "alias", "tiny", str(bundled_model_info.path))
    assert r.returncode == 0 and "'tiny' now means" in r.stderr
    rows = json.loads(run("models", "list", "--json").stdout)
    alias = next(r for r in rows if r["kind"] == "alias")
    assert alias["name"] == "tiny" and alias["quantization"] == "Q4_1"
    text = tmp_path / "in.txt"
    text.write_text("Alice met Bob in Paris. " * 50)
    r = run("summarize", str(text), "--model", "tiny", "--plan", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["model"]["path"] == str(bundled_model_info.path)
    assert run("models", "unalias", "tiny").returncode == 0
    r = run("summarize", str(text), "--model", "tiny", "--plan")
    assert r.returncode == 2 and "no model 'tiny'" in r.stderr


def test_bad_alias_and_unknown_unalias(run, tmp_path: Path):
    notes = tmp_path / "notes.gguf"
    notes.write_text("not a model")
    r = run("models", "alias", "x", str(notes))
    assert r.returncode == 2 and "not a GGUF model" in r.stderr
    r = run("models", "unalias", "never-made")
    assert r.returncode == 2 and "no alias 'never-made'" in r.stderr


def test_config_aliases_win_and_are_listed(run, private_user_dirs: Path, bundled_model_info):
    config = private_user_dirs / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.yaml").write_text(f"aliases:\n  mine: {bundled_model_info.path}\n")
    rows = json.loads(run("models", "list", "--json").stdout)
    assert any(r["name"] == "mine" and r["kind"] == "alias" for r in rows)


def test_models_dir_files_are_listed_and_usable(
    run, private_user_dirs: Path, bundled_model_info, tmp_path: Path
):
    r = run("models", "dir")
    directory = Path(r.stdout.strip())
    assert directory == private_user_dirs / "data" / "models"
    directory.mkdir(parents=True)
    (directory / "dropped.gguf").symlink_to(bundled_model_info.path)
    (directory / "broken.gguf").write_bytes(b"GGUF\x03\x00")
    rows = {r["name"]: r for r in json.loads(run("models", "list", "--json").stdout)}
    assert rows["dropped"]["kind"] == "models dir" and rows["dropped"]["trained_ctx"] == 8192
    assert "truncated or corrupt" in rows["broken"]["error"]
    plain = run("models", "list").stdout
    assert "unusable" in plain and "dropped" in plain
    info = json.loads(run("models", "info", "dropped", "--json").stdout)
    assert info["layers"] == 30 and info["memory"][0]["n_ctx"] == 2048
