"""ARCHITECTURE.md's layers, as the import contracts in .importlinter say them."""

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import longcli

ROOT = Path(__file__).resolve().parents[1]


def _contracts() -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    return config


def test_every_module_of_longcli_has_a_layer():
    layers = _contracts()["importlinter:contract:layers"]["layers"]
    placed = {n.strip() for line in layers.splitlines() for n in line.split("|") if n.strip()}
    package = Path(longcli.__file__).parent
    ours = {
        f"longcli.{p.stem if p.is_file() else p.name}"
        for p in package.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()
    }
    assert ours - placed == set(), "place these in .importlinter's layers (and ARCHITECTURE.md)"
    assert placed - ours == set(), "these layers name modules that do not exist"


def test_the_import_contracts_hold():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is in the dev extra: pip install -e '.[dev]'"
    r = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:]
    assert "0 broken" in r.stdout
