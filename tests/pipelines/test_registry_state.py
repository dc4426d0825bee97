"""The local registry's state: what makes Evaluate and Register run again, and what does not."""

from __future__ import annotations

import pytest

from pipelines.registry_state import (
    champion_state,
    record_state,
    registry_state,
    sqlite_database,
    state_to_run_with,
)
from tracking import registry

MODEL = "match-state"


@pytest.fixture
def store(tmp_path, monkeypatch):
    database = tmp_path / "mlflow" / "mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{database}")
    return database


def _register(tmp_path, status: str):
    import mlflow

    from tracking import connection

    experiment = connection.ensure_experiment("state-test")
    with mlflow.start_run(experiment_id=experiment) as run:
        mlflow.log_text("placeholder", "model_dir/model.txt")
    tags = {registry.APPROVAL_TAG: status}
    info, _ = registry.register_version(MODEL, run.info.run_id, tags, status)
    return info


def test_the_champion_is_read_from_mlflows_own_file(store, tmp_path) -> None:
    assert champion_state(store, MODEL) == "no champion"  # no file yet
    pending = _register(tmp_path, "PendingManualApproval")
    assert champion_state(store, MODEL) == "no champion"
    approved = _register(tmp_path, "Approved")
    assert champion_state(store, MODEL) == f"champion {approved.version} {approved.run_id}"
    registry.approve(MODEL, pending.version)
    assert champion_state(store, MODEL) == f"champion {pending.version} {pending.run_id}"
    assert champion_state(store, "another-model") == "no champion"


def test_a_file_that_is_not_a_store_gives_no_state(tmp_path) -> None:
    broken = tmp_path / "mlflow.db"
    broken.write_bytes(b"not a database at all" * 10)
    assert champion_state(broken, MODEL) is None
    assert registry_state(f"sqlite:///{broken}", "store-1", MODEL) is None


def test_the_state_names_the_store_and_the_champion(tmp_path) -> None:
    uri = f"sqlite:///{tmp_path / 'none.db'}"
    state = registry_state(uri, "store-1", MODEL)
    assert state == registry_state(uri, "store-1", MODEL)
    assert state != registry_state(uri, "store-2", MODEL)  # a new store
    assert state != registry_state(uri, "store-1", "other")  # another model
    assert registry_state("http://mlflow.example.com", "store-1", MODEL) is None
    assert sqlite_database("sqlite:////a/b.db").as_posix() == "/a/b.db"


def test_a_run_finding_the_registry_as_the_last_left_it_runs_with_the_same_state(tmp_path):
    record = tmp_path / "registry-state.json"
    assert state_to_run_with("A", record, "e1") == "A"  # nothing recorded yet
    record_state(record, ran_with="A", left="B")  # the run moved the champion itself
    assert state_to_run_with("B", record, "e2") == "A"  # its own doing: same state
    record_state(record, ran_with="A", left="B")
    assert state_to_run_with("B", record, "e3") == "A"
    assert state_to_run_with("C", record, "e4") == "C"  # approved by hand since: new


def test_an_unreadable_registry_never_reuses(tmp_path) -> None:
    record = tmp_path / "registry-state.json"
    first = state_to_run_with(None, record, "e1")
    assert first != state_to_run_with(None, record, "e2")
    record_state(record, ran_with=first, left=None)
    assert not record.exists()
    record.write_text("{not json")
    assert state_to_run_with("A", record, "e3") == "A"
