"""This installation: `longcli config ...`, `longcli doctor` and `longcli tune`."""

from __future__ import annotations

from typing import Annotated

import typer

from longcli.cli import options as o
from longcli.cli.output import streams
from longcli.config import Flags

config_app = typer.Typer(
    help="Show where the config file is and what it holds.", no_args_is_help=True
)


@config_app.command("path")
def config_path_cmd() -> None:
    """Print where the config file is (it may not exist yet)."""
    from longcli.places import config_path

    streams().result(f"{config_path()}\n")


@config_app.command("show")
def config_show() -> None:
    """Print the settings in effect (defaults < config file < environment), as YAML."""
    import yaml

    from longcli.config import SECRET_SETTINGS

    shown = o.load(Flags(), streams()).plain()
    for name in SECRET_SETTINGS:
        if shown.get(name):
            shown[name] = "(set, hidden)"
    streams().result(yaml.safe_dump(shown, sort_keys=False))


def doctor(
    model: o.Model = None,
    repack: o.RepackOption = None,
    no_load: Annotated[
        bool, typer.Option("--no-load", help="Do not load the model (a few seconds faster).")
    ] = False,
    as_json: o.Json = False,
) -> None:
    """Check this installation and machine: what a bug report needs.

    Prints the versions of longcli, Python and llama-cpp-python; llama.cpp's CPU features
    and GPU backend; whether weights are repacked for this CPU and why; the model that
    would be used, and whether it loads and decodes (in a separate process, so a crash is
    reported rather than suffered); every document reader and extra, imported for real;
    the config, data and cache paths; and the memory budget. Exits 1 when something you
    need is broken.

    \b
    Examples:
      longcli doctor
      longcli doctor --model ~/models/qwen2.5-3b-q4_k_m.gguf
      longcli doctor --json > report.json
    """
    from longcli.cli.doctor import render_doctor
    from longcli.doctor import diagnose
    from longcli.errors import ExitCode

    out = streams()
    report = diagnose(
        o.load(Flags(model=model, repack=o.repack_choice(repack)), out), load_model=not no_load
    )
    out.result(render_doctor(report, as_json))
    if not report.healthy:
        raise typer.Exit(int(ExitCode.RUNTIME))


def tune(
    model: o.Model = None,
    rounds: Annotated[
        int,
        typer.Option(
            "--rounds", metavar="N", help="Times to run each setting (best counts).", min=1
        ),
    ] = 2,
    reset: Annotated[
        bool, typer.Option("--reset", help="Forget every tuning result and exit.")
    ] = False,
    repack: o.RepackOption = None,
    as_json: o.Json = False,
) -> None:
    """Find the fastest CPU thread settings for a model on this machine, and keep them.

    Times a prefill and decode job with a few thread counts and OpenMP wait policies,
    each in a fresh process (about 10 s per setting for the bundled model). Later runs of
    that model use the fastest, unless --threads or OMP_WAIT_POLICY is given.

    \b
    Examples:
      longcli tune
      longcli tune --model qwen --rounds 3
      longcli tune --reset
    """
    import json

    from longcli.backends import tuning
    from longcli.cli.render_models import render_tuning, tuning_json

    out = streams()
    if reset:
        tuning.forget()
        out.result("longcli: tuning results removed; the fixed rule applies\n")
        return
    from longcli.backends.engine import resolve_model_info
    from longcli.backends.repack import decide

    settings = o.load(Flags(model=model, repack=o.repack_choice(repack)), out)
    info = resolve_model_info(settings)
    with_repack = decide(settings.repack, info, note=out.warn).enabled
    report = tuning.tune_and_report(info, rounds, out, repack=with_repack)
    text = json.dumps(tuning_json(report), indent=2) + "\n" if as_json else render_tuning(report)
    out.result(text)
