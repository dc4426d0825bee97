"""A compile is reused only when nothing it reads changed: code, locked versions, settings."""

from __future__ import annotations

from pathlib import Path

import pytest

import pipelines.compile as compile_module
from pipelines.compile import (
    COMPILES_KEPT,
    CompiledPipeline,
    compile_cached,
    compile_inputs_key,
)
from pipelines.config import Settings


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        lake_dir=tmp_path / "lake", mlflow_dir=tmp_path / "mlflow", build_dir=tmp_path / "build"
    )


@pytest.fixture
def compiles(monkeypatch) -> list[Settings]:
    """Stands in for the SDK's compile (15 s): records each call, returns a small definition."""
    calls: list[Settings] = []

    def fake_compile(settings: Settings, target: str) -> CompiledPipeline:
        calls.append(settings)
        definition = {"Version": "2020-12-01", "Steps": [{"Name": settings.bucket_prefix}]}
        return CompiledPipeline(definition, {"s3://a/code/step.py": b"print('\\xff')\n\x00"})

    monkeypatch.setattr(compile_module, "compile_pipeline", fake_compile)
    return calls


def test_the_second_compile_of_the_same_inputs_is_reused(settings, compiles) -> None:
    first = compile_cached(settings, "local")
    again = compile_cached(settings, "local")
    assert len(compiles) == 1
    assert not first.reused and again.reused
    assert again.to_json() == first.to_json()
    assert again.uploaded == first.uploaded  # bytes kept exactly, not as text


def test_other_settings_compile_again(settings, compiles) -> None:
    compile_cached(settings, "local")
    other = compile_cached(settings.model_copy(update={"bucket_prefix": "other"}), "local")
    assert len(compiles) == 2 and not other.reused
    assert other.definition["Steps"] == [{"Name": "other"}]


def test_a_new_local_mlflow_store_compiles_again(settings, compiles) -> None:
    # the local Train step carries the store's id: a removed store needs a new definition
    compile_cached(settings, "local")
    (settings.mlflow_dir / "store-id").unlink()
    assert not compile_cached(settings, "local").reused


def test_a_damaged_kept_compile_is_compiled_again(settings, compiles) -> None:
    compile_cached(settings, "local")
    (kept,) = (settings.build_dir / "compiled").glob("local-*.json")
    kept.write_text('{"definition": {"Steps": []}')  # cut short
    assert not compile_cached(settings, "local").reused
    assert compile_cached(settings, "local").reused


def test_only_the_newest_compiles_are_kept(settings, compiles) -> None:
    for n in range(COMPILES_KEPT + 2):
        compile_cached(settings.model_copy(update={"bucket_prefix": f"p{n}"}), "local")
    assert len(list((settings.build_dir / "compiled").glob("local-*.json"))) == COMPILES_KEPT


def _project(root: Path) -> Path:
    for name, body in {
        "pipelines/definition.py": "STEPS = 1\n",
        "steps/evaluate.py": "print('evaluate')\n",
        "training/train.py": "print('train')\n",
        "uv.lock": "version = 1\n",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(body)
    return root


@pytest.mark.parametrize(
    "changed", ["pipelines/definition.py", "steps/evaluate.py", "training/train.py", "uv.lock"]
)
def test_the_key_changes_with_the_code_and_the_locked_versions(tmp_path, settings, changed):
    root = _project(tmp_path / "project")
    before = compile_inputs_key(settings, "local", root)
    assert compile_inputs_key(settings, "local", root) == before
    (root / changed).write_text((root / changed).read_text() + "# changed\n")
    assert compile_inputs_key(settings, "local", root) != before


def test_the_key_differs_between_targets(tmp_path, settings) -> None:
    root = _project(tmp_path / "project")
    assert compile_inputs_key(settings, "local", root) != compile_inputs_key(settings, "aws", root)
