"""The local runner's own checks and chores, without compiling or running the pipeline."""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import pytest

from pipelines import run as cli
from pipelines.compile import CompiledPipeline, quiet_sdk_logging
from pipelines.config import Settings
from pipelines.lake import Lake
from pipelines.local.workspace import WorkspaceLock

ROOT = Path(__file__).resolve().parents[2]
PARAMETERS = [
    {"Name": "InputDataUrl", "Type": "String", "DefaultValue": "s3://raw/decision"},
    {"Name": "NumBoostRound", "Type": "Integer", "DefaultValue": 1000},
    {"Name": "MinAuc", "Type": "Float", "DefaultValue": 0.7},
]


@pytest.fixture
def settings(tmp_path: Path, monkeypatch) -> Settings:
    settings = Settings(
        lake_dir=tmp_path / "lake", mlflow_dir=tmp_path / "mlflow", build_dir=tmp_path / "build"
    )
    monkeypatch.setattr(cli, "load_settings", lambda: settings)
    return settings


@pytest.fixture
def no_compile(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("compiled although the parameters could be checked first")

    monkeypatch.setattr("pipelines.compile.compile_pipeline", refuse)


def data_folder(root: Path, text: str = "{}") -> Path:
    folder = root / "My Data"
    (folder / "cvs").mkdir(parents=True)
    for name in cli.RAW_FILES:
        (folder / name).write_text(text)
    (folder / "cvs" / "1.pdf").write_bytes(b"%PDF-1.4")
    return folder


def test_staged_data_is_named_by_content_and_never_rewritten(tmp_path, settings):
    lake = Lake(settings.lake_dir)
    folder = data_folder(tmp_path)
    first = cli.stage_user_data(folder, settings, lake)
    assert first.startswith(f"s3://{settings.raw_bucket}/user-my-data-")
    staged = lake.path(first) / "vagas.json"
    assert cli.stage_user_data(folder, settings, lake) == first  # unchanged: not copied again
    (folder / "vagas.json").write_text('{"1": {}}')
    second = cli.stage_user_data(folder, settings, lake)
    assert second != first
    assert staged.read_text() == "{}"  # a run reading the first copy is never disturbed
    assert (lake.path(second) / "vagas.json").read_text() == '{"1": {}}'
    assert (lake.path(second) / "cvs" / "1.pdf").read_bytes() == b"%PDF-1.4"
    assert cli.staged_data_sets(settings, lake) == sorted([first, second])


def test_a_bad_param_is_refused_before_compiling(settings, no_compile, capsys):
    cli.record_parameters(CompiledPipeline({"Parameters": PARAMETERS}, {}), settings)
    assert cli.main(["--param", "NumBostRound=50"]) == 2
    assert "unknown parameter(s) NumBostRound" in capsys.readouterr().err
    assert cli.main(["--param", "NumBoostRound=many"]) == 2
    assert "parameter NumBoostRound is Integer; 'many' is not" in capsys.readouterr().err


def test_parameters_of_code_that_changed_since_are_not_trusted(settings, monkeypatch):
    cli.record_parameters(CompiledPipeline({"Parameters": PARAMETERS}, {}), settings)
    monkeypatch.setattr(cli, "_declaring_code_hash", lambda: "other code")
    assert cli.check_parameters_early({"Brand New": "1"}, settings) is False


def test_data_and_an_input_url_together_are_a_usage_error(tmp_path, settings, capsys):
    code = cli.main(["--data", str(data_folder(tmp_path)), "--param", "InputDataUrl=s3://x/y"])
    assert code == 2
    assert "--param InputDataUrl and --data both name the data" in capsys.readouterr().err


def test_a_busy_workspace_refuses_a_run_that_may_not_wait(settings, no_compile, capsys):
    holder = WorkspaceLock(settings.lake_dir / ".executor")
    holder.acquire({"execution_id": "local-first", "running": "the demo data"}, 0)
    try:
        assert cli.main(["--wait", "0"]) == 2
    finally:
        holder.release()
    err = capsys.readouterr().err
    assert err.startswith(f"error: the workspace {settings.lake_dir} is in use by execution")
    assert "local-first" in err and "running the demo data" in err


def test_sdk_config_logging_is_silenced_before_the_sdk_sets_it():
    quiet_sdk_logging()
    # The SDK sets "sagemaker.config" to INFO whenever its level is unset (NOTSET).
    assert logging.getLogger("sagemaker.config").level >= logging.ERROR


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize(
    ("variables", "flags"),
    [(["NO_CACHE=1"], "--no-cache"), (["KEEP=3"], "--keep-executions 3"), ([], "")],
)
def test_make_passes_no_cache_and_keep_on(variables, flags):
    dry = subprocess.run(
        ["make", "-n", "--no-print-directory", "pipeline-run", *variables],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    command = next(line for line in dry.splitlines() if "-m pipelines.run" in line)
    assert " ".join(command.split()).endswith(f"--target local {flags}".rstrip())
