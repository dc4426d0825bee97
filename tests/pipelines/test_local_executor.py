"""The local executor on small hand-written definitions: order, properties, conditions, caching.

The steps are real Processing jobs running tiny scripts, so these tests exercise the same code
paths as the project's pipeline without its data or models.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.lake import Lake
from pipelines.local.executor import Console, LocalExecutor, ParameterError
from pipelines.local.graph import DefinitionError

IMAGE = "local/test-image:1"
PRODUCE = """
import json, pathlib, sys
out = pathlib.Path(sys.argv[sys.argv.index('--out') + 1])
value = float(sys.argv[sys.argv.index('--value') + 1])
text = (pathlib.Path(sys.argv[sys.argv.index('--data') + 1]) / 'seed.txt').read_text()
print('producing', value, 'from', text.strip())
(out / 'result.json').write_text(json.dumps({'metrics': {'score': value}, 'seed': text.strip()}))
"""
CONSUME = """
import pathlib, sys
src = pathlib.Path(sys.argv[sys.argv.index('--in') + 1])
out = pathlib.Path(sys.argv[sys.argv.index('--out') + 1])
(out / 'copy.json').write_text((src / 'result.json').read_text())
print('consumed')
"""
CRASH = """
import sys
print('about to fail')
print('bad thing happened', file=sys.stderr)
sys.exit(3)
"""


def processing_step(name, script_uri, inputs, outputs, arguments, cache=True, **extra):
    spec = {
        "Name": name,
        "Type": "Processing",
        "Arguments": {
            "AppSpecification": {
                "ImageUri": IMAGE,
                "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/script.py"],
                "ContainerArguments": arguments,
            },
            "ProcessingInputs": [
                {
                    "InputName": "code",
                    "S3Input": {"S3Uri": script_uri, "LocalPath": "/opt/ml/processing/input/code"},
                },
                *[
                    {
                        "InputName": n,
                        "S3Input": {"S3Uri": uri, "LocalPath": f"/opt/ml/processing/input/{n}"},
                    }
                    for n, uri in inputs.items()
                ],
            ],
            "ProcessingOutputConfig": {
                "Outputs": [
                    {
                        "OutputName": n,
                        "S3Output": {"S3Uri": uri, "LocalPath": f"/opt/ml/processing/output/{n}"},
                    }
                    for n, uri in outputs.items()
                ]
            },
        },
        **extra,
    }
    if cache:
        spec["CacheConfig"] = {"Enabled": True, "ExpireAfter": "P1D"}
    return spec


def definition(consume_script: str = "s3://art/code/consume/script.py") -> dict:
    produce = processing_step(
        "Produce",
        "s3://art/code/produce/script.py",
        {"data": {"Get": "Parameters.InputUrl"}},
        {"result": "s3://cur/produce/result"},
        [
            "--data",
            "/opt/ml/processing/input/data",
            "--out",
            "/opt/ml/processing/output/result",
            "--value",
            {"Std:Join": {"On": "", "Values": [{"Get": "Parameters.Score"}]}},
        ],
        PropertyFiles=[
            {"PropertyFileName": "Result", "OutputName": "result", "FilePath": "result.json"}
        ],
    )
    consume = processing_step(
        "Consume",
        consume_script,
        {"in": {"Get": "Steps.Produce.ProcessingOutputConfig.Outputs['result'].S3Output.S3Uri"}},
        {"copy": "s3://cur/consume/copy"},
        ["--in", "/opt/ml/processing/input/in", "--out", "/opt/ml/processing/output/copy"],
        cache=False,
    )
    score = {
        "Std:JsonGet": {
            "PropertyFile": {"Get": "Steps.Produce.PropertyFiles.Result"},
            "Path": "metrics.score",
        }
    }
    gate = {
        "Name": "Gate",
        "Type": "Condition",
        "Arguments": {
            "Conditions": [
                {
                    "Type": "GreaterThanOrEqualTo",
                    "LeftValue": score,
                    "RightValue": {"Get": "Parameters.Threshold"},
                }
            ],
            "IfSteps": [consume],
            "ElseSteps": [
                {
                    "Name": "Stop",
                    "Type": "Fail",
                    "Arguments": {
                        "ErrorMessage": {
                            "Std:Join": {
                                "On": " ",
                                "Values": [
                                    "score",
                                    score,
                                    "below",
                                    {"Get": "Parameters.Threshold"},
                                ],
                            }
                        }
                    },
                }
            ],
        },
    }
    return {
        "Version": "2020-12-01",
        "Parameters": [
            {"Name": "InputUrl", "Type": "String", "DefaultValue": "s3://raw/data"},
            {"Name": "Score", "Type": "Float", "DefaultValue": 0.9},
            {"Name": "Threshold", "Type": "Float", "DefaultValue": 0.5},
        ],
        "Steps": [gate, produce],  # out of order on purpose: the executor sorts by dependency
    }


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    lake = Lake(tmp_path / "lake")
    lake.write_bytes("s3://art/code/produce/script.py", PRODUCE.encode())
    lake.write_bytes("s3://art/code/consume/script.py", CONSUME.encode())
    lake.write_bytes("s3://art/code/crash/script.py", CRASH.encode())
    lake.write_bytes("s3://raw/data/seed.txt", b"first\n")
    return lake


def executor(lake: Lake, tmp_path: Path, spec: dict | None = None, lines=None) -> LocalExecutor:
    def image_path(uri: str) -> Path:
        assert uri == IMAGE
        return tmp_path

    write = lines.append if lines is not None else (lambda _: None)
    return LocalExecutor(
        spec or definition(), "demo", lake, tmp_path / "state", image_path, Console(write=write)
    )


def statuses(result) -> dict[str, str]:
    return {s.name: s.status for s in result.steps}


def test_runs_steps_in_dependency_order_and_takes_the_true_branch(lake, tmp_path):
    result = executor(lake, tmp_path).run()
    assert result.succeeded
    assert [s.name for s in result.steps] == ["Produce", "Gate", "Consume", "Stop"]
    assert statuses(result) == {
        "Produce": "Succeeded",
        "Gate": "Succeeded",
        "Consume": "Succeeded",
        "Stop": "Skipped",
    }
    copied = json.loads(lake.path("s3://cur/consume/copy/copy.json").read_text())
    assert copied == {"metrics": {"score": 0.9}, "seed": "first"}


def test_false_branch_ends_at_the_fail_step_with_its_message(lake, tmp_path):
    result = executor(lake, tmp_path).run({"Threshold": "0.95"})
    assert not result.succeeded
    assert statuses(result)["Consume"] == "Skipped"
    assert statuses(result)["Stop"] == "Failed"
    assert result.failure_reason == "score 0.9 below 0.95"
    assert not lake.path("s3://cur/consume/copy").exists()


def test_second_run_reuses_the_cached_step(lake, tmp_path):
    first = executor(lake, tmp_path).run()
    second = executor(lake, tmp_path).run()
    assert statuses(second)["Produce"] == "Cached"
    assert second.step("Produce").cached_from == first.execution_id
    assert statuses(second)["Consume"] == "Succeeded"  # caching disabled for it


def test_changed_input_data_or_parameter_invalidates_the_cache(lake, tmp_path):
    executor(lake, tmp_path).run()
    lake.write_bytes("s3://raw/data/seed.txt", b"second\n")
    assert statuses(executor(lake, tmp_path).run())["Produce"] == "Succeeded"
    assert statuses(executor(lake, tmp_path).run({"Score": "0.8"}))["Produce"] == "Succeeded"


def test_overwritten_output_is_not_served_from_the_cache(lake, tmp_path):
    executor(lake, tmp_path).run()
    lake.write_bytes("s3://cur/produce/result/result.json", b'{"metrics": {"score": 0}}')
    assert statuses(executor(lake, tmp_path).run())["Produce"] == "Succeeded"


def test_failing_step_stops_the_run_and_shows_its_log_tail(lake, tmp_path):
    lines: list[str] = []
    spec = definition(consume_script="s3://art/code/crash/script.py")
    result = executor(lake, tmp_path, spec, lines).run()
    assert statuses(result)["Consume"] == "Failed"
    assert "Consume" in result.failure_reason and "code 3" in result.failure_reason
    assert any("bad thing happened" in line for line in lines)
    assert Path(result.step("Consume").log).read_text().count("about to fail") == 1


def test_unknown_or_mistyped_parameter_is_refused(lake, tmp_path):
    with pytest.raises(ParameterError, match="unknown parameter"):
        executor(lake, tmp_path).run({"Treshold": "1"})
    with pytest.raises(ParameterError, match="Float"):
        executor(lake, tmp_path).run({"Threshold": "high"})


def test_reference_to_an_unknown_step_is_a_definition_error(lake, tmp_path):
    spec = definition()
    spec["Steps"][1]["Arguments"]["ProcessingInputs"][1]["S3Input"]["S3Uri"] = {
        "Get": "Steps.Nowhere.ProcessingOutputConfig.Outputs['x'].S3Output.S3Uri"
    }
    with pytest.raises(DefinitionError, match="Nowhere"):
        executor(lake, tmp_path, spec)


def test_execution_record_is_written(lake, tmp_path):
    result = executor(lake, tmp_path).run()
    record = json.loads(
        (tmp_path / "state" / "executions" / result.execution_id / "execution.json").read_text()
    )
    assert record["status"] == "Succeeded"
    assert [s["name"] for s in record["steps"]][0] == "Produce"


def test_step_that_updates_its_own_store_is_cached_on_the_next_run(lake, tmp_path):
    spec = definition()
    produce = spec["Steps"][1]["Arguments"]
    produce["ProcessingInputs"].append(
        {
            "InputName": "store",
            "S3Input": {
                "S3Uri": "s3://cur/produce/result",
                "LocalPath": "/opt/ml/processing/input/store",
            },
        }
    )
    executor(lake, tmp_path, spec).run()
    assert statuses(executor(lake, tmp_path, spec).run())["Produce"] == "Cached"


# --- faults: errors that are not job failures, cache entries, failed jobs' outputs, kill -9 ------

REPORT_THEN_FAIL = """
import pathlib, sys
out = pathlib.Path(sys.argv[sys.argv.index('--out') + 1])
(out / 'report.json').write_text('{"status": "insufficient_data"}')
print('wrote the report', flush=True)
print('not enough data: 3 rows', file=sys.stderr)
sys.exit(3)
"""


def test_an_error_that_is_no_job_failure_fails_the_step_with_a_one_line_reason(lake, tmp_path):
    spec = definition()
    gate = spec["Steps"][0]["Arguments"]["Conditions"][0]
    gate["LeftValue"]["Std:JsonGet"]["Path"] = "metrics.missing"
    lines: list[str] = []
    result = executor(lake, tmp_path, spec, lines).run()
    assert statuses(result)["Gate"] == "Failed"
    assert result.status == "Failed"
    assert result.failure_reason.startswith("step Gate failed: ExpressionError: JsonGet")
    assert "\n" not in result.failure_reason
    assert not any("Traceback" in line for line in lines)
    log = Path(result.step("Gate").log).read_text()
    assert "Traceback" in log and "ExpressionError" in log
    record = json.loads(
        (tmp_path / "state" / "executions" / result.execution_id / "execution.json").read_text()
    )
    assert record["status"] == "Failed"
    gate_record = next(s for s in record["steps"] if s["name"] == "Gate")
    assert gate_record["status"] == "Failed" and "Traceback" in gate_record["error"]
    assert record["ended_at"]


def test_an_input_missing_from_the_lake_layout_fails_its_step(lake, tmp_path):
    spec = definition()
    produce = spec["Steps"][1]["Arguments"]
    produce["ProcessingInputs"][1]["S3Input"]["S3Uri"] = "https://not-s3/data"
    result = executor(lake, tmp_path, spec).run()
    assert statuses(result)["Produce"] == "Failed"
    assert "LakePathError" in result.failure_reason


def test_a_truncated_cache_entry_is_a_miss_said_once(lake, tmp_path):
    executor(lake, tmp_path).run()
    [entry] = (tmp_path / "state" / "cache" / "demo" / "Produce").glob("*.json")
    entry.write_text(entry.read_text()[:40])  # what a crash mid-write used to leave
    lines: list[str] = []
    second = executor(lake, tmp_path, lines=lines).run()
    assert statuses(second)["Produce"] == "Succeeded"
    warnings = [line for line in lines if "cache entry of step Produce is unreadable" in line]
    assert len(warnings) == 1 and "JSONDecodeError" in warnings[0]
    lines.clear()
    third = executor(lake, tmp_path, lines=lines).run()
    assert statuses(third)["Produce"] == "Cached"  # the new entry replaced the broken one
    assert not any("unreadable" in line for line in lines)


def test_cache_entries_are_replaced_in_one_rename(lake, tmp_path, monkeypatch):
    executor(lake, tmp_path).run()
    [entry] = (tmp_path / "state" / "cache" / "demo" / "Produce").glob("*.json")
    before = entry.read_text()

    def crash(*_):
        raise OSError("disk full")

    monkeypatch.setattr("pipelines.lake.os.replace", crash)
    with pytest.raises(OSError):
        executor(lake, tmp_path).cache.store("Produce", "Processing", entry.stem, {}, "x")
    assert entry.read_text() == before
    assert [p.name for p in entry.parent.iterdir()] == [entry.name]  # no temporary left


def test_a_failed_job_publishes_the_outputs_it_wrote(lake, tmp_path):
    lake.write_bytes("s3://art/code/report/script.py", REPORT_THEN_FAIL.encode())
    lake.write_bytes("s3://cur/report/report.json", b'{"status": "ok, from an earlier run"}')
    step = processing_step(
        "Produce",
        "s3://art/code/report/script.py",
        {},
        {"report": "s3://cur/report", "untouched": "s3://cur/untouched"},
        ["--out", "/opt/ml/processing/output/report"],
    )
    spec = {"Version": "2020-12-01", "Parameters": [], "Steps": [step]}
    lake.write_bytes("s3://cur/untouched/keep.txt", b"earlier")
    result = executor(lake, tmp_path, spec).run()
    assert statuses(result)["Produce"] == "Failed"
    assert result.failure_reason == ("step Produce failed: exit code 3: not enough data: 3 rows")
    report = json.loads(lake.path("s3://cur/report/report.json").read_text())
    assert report == {"status": "insufficient_data"}
    assert lake.path("s3://cur/untouched/keep.txt").read_text() == "earlier"
    outputs = result.properties["Produce"]["ProcessingOutputConfig"]["Outputs"]
    assert list(outputs) == ["report"]


def test_the_fail_steps_message_is_shown_with_readable_numbers(lake, tmp_path):
    lines: list[str] = []
    result = executor(lake, tmp_path, lines=lines).run(
        {"Score": "0.912345678", "Threshold": "0.95"}
    )
    assert result.failure_reason == "score 0.912345678 below 0.95"  # the record keeps it
    assert any(line.endswith("score 0.9123 below 0.95") for line in lines)
    assert any("metrics.score 0.9123 >= Threshold 0.9500: false" in line for line in lines)


SLOW = """
import sys, time
print('step started', flush=True)
time.sleep(60)
"""

RUN_SLOW_EXECUTION = """
import sys
from pathlib import Path
from tests.pipelines import test_local_executor as t
from pipelines.lake import Lake
from pipelines.local.executor import Console, LocalExecutor
tmp = Path(sys.argv[1])
spec = t.definition(consume_script="s3://art/code/slow/script.py")
LocalExecutor(spec, "demo", Lake(tmp / "lake"), tmp / "state", lambda _: tmp, Console()).run(
    execution_id="local-killed"
)
"""


def test_a_run_killed_mid_step_leaves_a_record_and_the_log_so_far(lake, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    lake.write_bytes("s3://art/code/slow/script.py", SLOW.encode())
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-c", RUN_SLOW_EXECUTION, str(tmp_path)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    log = tmp_path / "state" / "executions" / "local-killed" / "Consume" / "job.log"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and "step started" not in (
        log.read_text() if log.exists() else ""
    ):
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)  # the executor and its job, as kill -9 would
    process.wait(timeout=30)
    assert "step started" in log.read_text()
    record = json.loads(log.parents[1].joinpath("execution.json").read_text())
    assert record["status"] == "Executing"
    assert {s["name"]: s["status"] for s in record["steps"]}["Produce"] == "Succeeded"


MEET = """
import pathlib, sys, time
arg = lambda name: sys.argv[sys.argv.index(name) + 1]
folder, me, other = pathlib.Path(arg('--meet')), arg('--me'), arg('--other')
(folder / me).touch()
deadline = time.monotonic() + 60
while not (folder / other).exists():
    if time.monotonic() > deadline:
        print('ran alone'); sys.exit(4)
    time.sleep(0.05)
print('ran beside', other)
out = pathlib.Path(arg('--out'))
(out / 'result.json').write_text('{"by": "' + me + '"}')
"""


def _meeting_step(name: str, other: str, meet: Path, **extra) -> dict:
    """A step that succeeds only if ``other`` runs at the same time (each waits for the other)."""
    return processing_step(
        name,
        "s3://art/code/meet/script.py",
        {},
        {"out": f"s3://cur/{name.lower()}"},
        [
            "--meet",
            str(meet),
            "--me",
            name,
            "--other",
            other,
            "--out",
            "/opt/ml/processing/output/out",
        ],  # fmt: skip
        cache=False,
        **extra,
    )


def _side_by_side(meet: Path, crash_first: bool = False) -> dict:
    left = _meeting_step("Left", "Right", meet)
    if crash_first:
        left = processing_step("Left", "s3://art/code/crash/script.py", {}, {}, [], cache=False)
    after = processing_step(
        "After",
        "s3://art/code/consume/script.py",
        {"in": {"Get": "Steps.Right.ProcessingOutputConfig.Outputs['out'].S3Output.S3Uri"}},
        {"copy": "s3://cur/after"},
        ["--in", "/opt/ml/processing/input/in", "--out", "/opt/ml/processing/output/copy"],
        cache=False,
        DependsOn=["Left"],
    )
    right = _meeting_step("Right", "Left", meet) if not crash_first else processing_step(
        "Right", "s3://art/code/produce/script.py", {"data": "s3://raw/data"},
        {"out": "s3://cur/right"},
        ["--data", "/opt/ml/processing/input/data", "--out", "/opt/ml/processing/output/out",
         "--value", "0.5"],
        cache=False,
    )  # fmt: skip
    return {"Version": "2020-12-01", "Parameters": [], "Steps": [left, right, after]}


def test_independent_steps_run_side_by_side_and_name_their_lines(lake, tmp_path):
    lake.write_bytes("s3://art/code/meet/script.py", MEET.encode())
    meet = tmp_path / "meet"
    meet.mkdir()
    lines: list[str] = []
    run = executor(lake, tmp_path, _side_by_side(meet), lines)
    run.parallel = 2
    result = run.run()
    assert result.succeeded, result.failure_reason
    assert statuses(result) == {"Left": "Succeeded", "Right": "Succeeded", "After": "Succeeded"}
    assert "  │ Left: ran beside Right" in lines and "  │ Right: ran beside Left" in lines
    # After waits for both: its DependsOn (Left) and the step whose output it reads (Right)
    assert lines.index("▶ After (Processing)") > max(
        i for i, line in enumerate(lines) if line.startswith(("✔ Left", "✔ Right"))
    )


def test_one_step_at_a_time_unless_told(lake, tmp_path):
    assert executor(lake, tmp_path).parallel == 1
    with pytest.raises(ValueError, match="parallel"):
        LocalExecutor(definition(), "demo", lake, tmp_path / "s", lambda _: tmp_path, parallel=0)


def test_after_a_failure_nothing_starts_and_running_steps_finish(lake, tmp_path):
    result = executor(lake, tmp_path, _side_by_side(tmp_path, crash_first=True))
    result.parallel = 2
    result = result.run()
    assert not result.succeeded
    assert statuses(result) == {"Left": "Failed", "Right": "Succeeded", "After": "NotStarted"}
    assert result.failure_reason.startswith("step Left failed: exit code 3")
    assert lake.path("s3://cur/right/result.json").exists()  # its output was published
    record = json.loads((tmp_path / "state" / "executions").glob("*/execution.json").__next__()
                        .read_text())  # fmt: skip
    assert {s["name"]: s["status"] for s in record["steps"]}["Right"] == "Succeeded"
