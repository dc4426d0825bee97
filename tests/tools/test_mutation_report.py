"""make mutation's report: mutmut's results counted per module, equivalents apart."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from pipelines.config import PROJECT_ROOT

SPEC = importlib.util.spec_from_file_location(
    "mutation_run", PROJECT_ROOT / "tools" / "mutation" / "run.py"
)
mutation = importlib.util.module_from_spec(SPEC)
sys.modules["mutation_run"] = mutation  # dataclasses look their module up there
SPEC.loader.exec_module(mutation)


def test_results_are_counted_per_module_by_mutmuts_exit_codes(monkeypatch):
    monkeypatch.setattr(mutation, "EQUIVALENT", {"steps.metrics.x_auc__mutmut_9": "same value"})
    results = {
        "steps.metrics.x_auc__mutmut_1": 1,  # killed
        "steps.metrics.x_auc__mutmut_2": 0,  # survived
        "steps.metrics.x_auc__mutmut_3": 36,  # timeout: counts as caught
        "steps.metrics.x_auc__mutmut_4": 33,  # no test ran it
        "steps.metrics.x_auc__mutmut_5": None,  # not checked
        "steps.metrics.x_auc__mutmut_9": 0,  # equivalent: not counted
        "steps.metrics_other.x_f__mutmut_1": 0,  # another module with the same start
    }
    score = mutation.score_module("steps/metrics.py", results)
    assert (score.killed, score.timeout) == (1, 1)
    assert score.survived == ["steps.metrics.x_auc__mutmut_2"]
    assert score.no_tests == ["steps.metrics.x_auc__mutmut_4"]
    assert score.equivalent == ["steps.metrics.x_auc__mutmut_9"]
    assert score.other == {"not checked": 1}
    assert score.total == 5
    assert score.score == pytest.approx(2 / 5)


def test_results_are_read_from_every_meta_file(tmp_path: Path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "x.py.meta").write_text(json.dumps({"exit_code_by_key": {"m.x_f__1": 1}}))
    (tmp_path / "a" / "b" / "y.py.meta").write_text(json.dumps({"exit_code_by_key": {"m.y__1": 0}}))
    (tmp_path / "a" / "broken.meta").write_text("{")
    assert mutation.read_results(tmp_path) == {"m.x_f__1": 1, "m.y__1": 0}


def test_each_module_is_judged_by_existing_tests_and_configured_for_mutmut():
    for module, tests in mutation.TARGETS.items():
        assert (PROJECT_ROOT / module).is_file(), module
        assert tests and all((PROJECT_ROOT / t).is_file() for t in tests), module
        config = mutation.mutmut_config(module, tests)
        assert f'only_mutate = ["{module}"]' in config
        copied = json.loads(config.split("also_copy = ")[1].splitlines()[0])
        assert module.split("/")[0] not in copied  # the mutated package is the source path


def test_the_table_flags_a_module_under_the_threshold():
    low = mutation.ModuleScore("features/labels.py", killed=5, survived=["features.labels.x_1"])
    text = mutation.render([low], 0.85)
    assert "83.3%  below 85%" in text
    assert "  survived: features.labels.x_1" in text


def test_mutants_run_with_one_openmp_thread(monkeypatch):
    # a forked child of a process that ran LightGBM with an OpenMP pool hangs in its first
    # parallel region: the mutants of serving's modules would all read as timeouts
    monkeypatch.setenv("OMP_NUM_THREADS", "8")
    assert mutation.mutmut_environment()["OMP_NUM_THREADS"] == "1"
