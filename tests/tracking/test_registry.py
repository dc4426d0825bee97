"""The champion and approvals in the MLflow registry, on a local SQLite store.

The same calls against a real ``mlflow server`` of the managed tracking server's version are in
``test_registry_server.py``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipelines import approve as approve_cli
from pipelines.config import Settings
from steps import evaluate
from tracking import registry

MODEL = "match-test"


@pytest.fixture
def store(tmp_path, monkeypatch) -> str:
    uri = f"sqlite:///{tmp_path / 'mlflow' / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    return uri


def new_run(tmp_path: Path) -> str:
    import mlflow

    from tracking import connection

    experiment = connection.ensure_experiment("registry-test")
    folder = tmp_path / "model_dir"
    folder.mkdir(exist_ok=True)
    (folder / "model.txt").write_text("placeholder")
    with mlflow.start_run(experiment_id=experiment) as run:
        mlflow.log_artifacts(str(folder), artifact_path="model_dir")
        return run.info.run_id


def register(tmp_path: Path, status: str, run_id: str | None = None):
    run_id = run_id or new_run(tmp_path)
    tags = {registry.APPROVAL_TAG: status}
    return registry.register_version(MODEL, run_id, tags, status)


def test_no_champion_while_every_version_is_pending(store, tmp_path):
    info, champion = register(tmp_path, "PendingManualApproval")

    assert (info.version, champion) == ("1", False)
    assert registry.champion(MODEL) is None
    # Evaluate compares with no champion rather than failing on MLflow's INVALID_PARAMETER_VALUE
    test = pd.DataFrame({"label": [0, 1]})
    assert evaluate.champion_metrics(MODEL, test, tmp_path) is None


def test_no_champion_before_anything_is_registered(store):
    assert registry.champion(MODEL) is None
    assert registry.champion_version(MODEL) is None


def test_approving_a_version_makes_it_the_champion(store, tmp_path):
    first, _ = register(tmp_path, "Approved")
    second, champion = register(tmp_path, "PendingManualApproval")
    assert champion is False and registry.champion(MODEL).version == first.version

    approved, previous = registry.approve(MODEL, second.version)

    assert previous == first.version
    assert registry.champion(MODEL).version == approved.version == second.version
    assert approved.tags[registry.APPROVAL_TAG] == "Approved"


def test_a_pending_rerun_keeps_an_approval_made_since(store, tmp_path):
    info, _ = register(tmp_path, "PendingManualApproval")
    registry.approve(MODEL, info.version)

    again, champion = register(tmp_path, "PendingManualApproval", run_id=info.run_id)

    assert again.version == info.version and champion is True
    assert again.tags[registry.APPROVAL_TAG] == "Approved"
    assert registry.champion(MODEL).tags[registry.APPROVAL_TAG] == "Approved"


def test_approving_a_version_that_does_not_exist_lists_those_that_do(store, tmp_path):
    register(tmp_path, "PendingManualApproval")

    with pytest.raises(registry.VersionNotFoundError, match=r"no version 7: .*1 \(Pending"):
        registry.approve(MODEL, "7")


def test_approve_command_makes_the_version_champion(tmp_path, monkeypatch, capsys):
    settings = Settings(mlflow_dir=tmp_path / "mlflow", model_name=MODEL)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", settings.local_tracking_uri())
    info, _ = register(tmp_path, "PendingManualApproval")
    monkeypatch.setattr(approve_cli, "load_settings", lambda: settings)

    code = approve_cli.main([info.version])

    assert code == 0
    assert (
        f"{MODEL} version 1 approved: now the champion (there was none)" in capsys.readouterr().out
    )
    assert registry.champion(MODEL).version == "1"
    assert approve_cli.main(["9"]) == 2
    assert "has no version 9" in capsys.readouterr().err


def test_approve_command_refuses_a_managed_server(tmp_path, monkeypatch, capsys):
    arn = "arn:aws:sagemaker:us-east-1:123456789012:mlflow-tracking-server/m"
    settings = Settings(mlflow_dir=tmp_path, mlflow_tracking_uri=arn)
    monkeypatch.setattr(approve_cli, "load_settings", lambda: settings)

    assert approve_cli.main(["1"]) == 2
    assert "approve the model package in SageMaker Studio" in capsys.readouterr().err


def test_tags_are_written_once_and_only_the_changed_ones_again(store, tmp_path, monkeypatch):
    from mlflow import MlflowClient

    written: list[tuple[str, str]] = []
    set_tag = MlflowClient.set_model_version_tag
    monkeypatch.setattr(
        MlflowClient,
        "set_model_version_tag",
        lambda self, name, version, key, value: (
            written.append((key, value)) or set_tag(self, name, version, key, value)
        ),
    )
    run_id = new_run(tmp_path)
    tags = {registry.APPROVAL_TAG: "PendingManualApproval", "test_auc": "0.81"}
    info, _ = registry.register_version(MODEL, run_id, tags, "PendingManualApproval")
    assert written == []  # given at the version's creation

    again, _ = registry.register_version(
        MODEL, run_id, {**tags, "test_auc": "0.82"}, "PendingManualApproval"
    )
    assert again.version == info.version and written == [("test_auc", "0.82")]
    stored = MlflowClient().get_model_version(MODEL, info.version).tags
    assert stored == {registry.APPROVAL_TAG: "PendingManualApproval", "test_auc": "0.82"}
