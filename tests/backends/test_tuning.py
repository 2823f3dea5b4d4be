"""`longcli tune`: thread settings timed on this machine, kept per machine and model."""

from __future__ import annotations

import json
import sys

import pytest

from longcli.backends import tuning
from longcli.backends.engine import load_options
from longcli.backends.tuning import ThreadChoice
from longcli.config import Settings


def test_candidates_start_with_the_fixed_rule_and_never_repeat():
    two = tuning.candidates(2)
    assert two[0] == ThreadChoice(1, 2, "PASSIVE")
    assert len(two) == len(set(two)) == 4
    one = tuning.candidates(1)
    assert one == [ThreadChoice(1, 1, "PASSIVE"), ThreadChoice(1, 1, "ACTIVE")]


def fake_times(monkeypatch, seconds: dict[ThreadChoice, float]) -> list[ThreadChoice]:
    measured: list[ThreadChoice] = []

    def measure(model, choice, repack=True):
        measured.append(choice)
        return seconds[choice]

    monkeypatch.setattr(tuning, "measure", measure)
    monkeypatch.setattr(tuning, "available_cores", lambda: 2)
    monkeypatch.setattr(tuning, "policy_in_force", lambda: None)  # free to choose
    return measured


def test_tune_keeps_the_fastest_for_this_machine_and_model(
    monkeypatch, bundled_model_info, tmp_path
):
    seconds = dict(zip(tuning.candidates(2), [3.3, 2.9, 4.7, 3.4], strict=True))
    measured = fake_times(monkeypatch, seconds)
    assert tuning.tuned_choice(bundled_model_info) is None
    best, times = tuning.tune(bundled_model_info, rounds=2)
    assert best == ThreadChoice(2, 2, "ACTIVE") and times[best] == 2.9
    assert len(measured) == 8  # every candidate, twice
    assert tuning.tuned_choice(bundled_model_info) == best
    # another machine (or llama.cpp build) does not inherit it
    monkeypatch.setattr(tuning, "machine_key", lambda: "another machine")
    assert tuning.tuned_choice(bundled_model_info) is None


def test_with_the_wait_policy_already_decided_the_best_for_that_policy_is_used(
    monkeypatch, bundled_model_info
):
    seconds = dict(zip(tuning.candidates(2), [3.3, 2.9, 4.7, 3.4], strict=True))
    fake_times(monkeypatch, seconds)
    tuning.tune(bundled_model_info, rounds=1)
    monkeypatch.setattr(tuning, "policy_in_force", lambda: "PASSIVE")
    # two spinning decode threads were fastest, but with sleeping threads 1/2 is
    assert tuning.tuned_choice(bundled_model_info) == ThreadChoice(1, 2, "PASSIVE")


def test_runs_use_the_tuned_threads_unless_told_otherwise(monkeypatch, bundled_model_info):
    fake_times(monkeypatch, dict(zip(tuning.candidates(2), [3.0, 3.5, 2.0, 4.0], strict=True)))
    tuning.tune(bundled_model_info, rounds=1)
    options = load_options(Settings(), bundled_model_info)
    assert (options.threads, options.threads_batch) == (2, 2)
    options = load_options(Settings(threads=1), bundled_model_info)
    assert (options.threads, options.threads_batch) == (1, None)
    tuning.forget()
    assert load_options(Settings(), bundled_model_info).threads is None  # the fixed rule


def test_a_wait_policy_the_user_set_is_kept(monkeypatch):
    from longcli.backends import runtime

    monkeypatch.delitem(sys.modules, "llama_cpp", raising=False)  # as if not loaded yet
    monkeypatch.setattr(runtime, "USER_WAIT_POLICY", "PASSIVE")
    assert runtime.policy_to_set("ACTIVE") is None
    monkeypatch.setattr(runtime, "USER_WAIT_POLICY", None)
    assert runtime.policy_to_set("ACTIVE") == "ACTIVE"
    assert runtime.policy_to_set(None) == runtime.DEFAULT_WAIT_POLICY


def test_an_unreadable_tuning_file_means_the_fixed_rule(bundled_model_info):
    from longcli.places import cache_dir

    cache_dir().mkdir(parents=True, exist_ok=True)
    (cache_dir() / tuning.TUNING_FILE).write_text("{not json")
    assert tuning.tuned_choice(bundled_model_info) is None


@pytest.mark.model
def test_cli_tune_times_real_runs_and_keeps_the_best(run):
    done = run("tune", "--rounds", "1", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    labels = {c.label() for c in tuning.candidates(tuning.available_cores())}
    assert set(result["seconds"]) == labels and result["best"] in labels
    assert all(t > 0 for t in result["seconds"].values())
    assert 0 < result["fixed_rule_vs_best"] <= 1
    assert run("tune", "--reset").returncode == 0
