"""Loading the served model from every source, and refusing one that does not fit."""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

import boto3
import lightgbm as lgb
import numpy as np
import pytest
from moto import mock_aws

from features import FEATURE_NAMES
from serving.model import ModelLoadError, load_model
from tests.serving.factory import synthetic_features


def _archive(model_dir: Path, archive: Path) -> Path:
    with tarfile.open(archive, "w:gz") as tar:
        for path in model_dir.iterdir():
            tar.add(path, arcname=path.name)
    return archive


def _probe(model) -> float:
    return float(model.probabilities(np.full((1, len(FEATURE_NAMES)), 0.5))[0])


def test_a_folder_loads_with_the_cards_name_and_version(model_dir: Path) -> None:
    model = load_model(str(model_dir))
    assert (model.name, model.version) == ("test-model", "7")
    assert model.feature_names == FEATURE_NAMES
    assert 0 < _probe(model) < 1


def test_configured_name_and_version_win_over_the_card(model_dir: Path) -> None:
    model = load_model(str(model_dir), name="prod-model", version="12")
    assert (model.name, model.version) == ("prod-model", "12")


def test_an_archive_and_a_folder_holding_one_load_the_same_model(
    model_dir: Path, tmp_path: Path
) -> None:
    archive = _archive(model_dir, tmp_path / "model.tar.gz")
    from_archive = load_model(str(archive))
    holder = tmp_path / "output"
    holder.mkdir()
    shutil.copy(archive, holder / "model.tar.gz")
    from_holder = load_model(str(holder))
    assert _probe(from_archive) == _probe(from_holder) == _probe(load_model(str(model_dir)))


@mock_aws
@pytest.mark.parametrize("layout", ["archive", "prefix"])
def test_s3_archive_keys_and_folder_prefixes_load(
    model_dir: Path, tmp_path: Path, layout: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="models")
    if layout == "archive":
        archive = _archive(model_dir, tmp_path / "model.tar.gz")
        s3.upload_file(str(archive), "models", "runs/1/output/model.tar.gz")
        uri = "s3://models/runs/1/output/model.tar.gz"
    else:
        for path in model_dir.iterdir():
            s3.upload_file(str(path), "models", f"approved/{path.name}")
        uri = "s3://models/approved/"
    model = load_model(uri, region="us-east-1")
    assert model.version == "7" and 0 < _probe(model) < 1


@mock_aws
def test_a_missing_s3_model_is_a_load_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="models")
    with pytest.raises(ModelLoadError, match="cannot be fetched from S3"):
        load_model("s3://models/none/model.tar.gz", region="us-east-1")


@pytest.mark.parametrize(
    ("uri", "message"),
    [("", "no model is configured"), ("/nowhere/at/all", "names no model folder")],
)
def test_no_model_at_the_uri_is_a_load_error(uri: str, message: str) -> None:
    with pytest.raises(ModelLoadError, match=message):
        load_model(uri)


@pytest.mark.parametrize("missing", ["model.txt", "feature_names.json", "metadata.json"])
def test_a_folder_lacking_a_file_is_refused(model_dir: Path, tmp_path: Path, missing: str) -> None:
    copy = Path(shutil.copytree(model_dir, tmp_path / "m"))
    (copy / missing).unlink()
    with pytest.raises(ModelLoadError, match=f"lacks {missing}"):
        load_model(str(copy))


def test_a_model_for_other_features_is_refused(tmp_path: Path) -> None:
    x, y = synthetic_features(300, 1)
    renamed = [*FEATURE_NAMES[:-1], "cv_words"]
    booster = lgb.train(
        {"objective": "binary", "verbose": -1}, lgb.Dataset(x, y, feature_name=renamed), 5
    )
    tmp_path.joinpath("model.txt").write_text(booster.model_to_string())
    tmp_path.joinpath("feature_names.json").write_text(json.dumps(renamed))
    tmp_path.joinpath("metadata.json").write_text("{}")
    with pytest.raises(ModelLoadError, match="deploy the serving code the model was trained"):
        load_model(str(tmp_path))


def test_a_feature_list_that_contradicts_the_model_is_refused(
    model_dir: Path, tmp_path: Path
) -> None:
    copy = Path(shutil.copytree(model_dir, tmp_path / "m"))
    (copy / "feature_names.json").write_text(json.dumps(list(reversed(FEATURE_NAMES))))
    with pytest.raises(ModelLoadError, match="does not match the model's own"):
        load_model(str(copy))


def test_a_regression_model_is_refused(tmp_path: Path) -> None:
    x, y = synthetic_features(300, 2)
    booster = lgb.train(
        {"objective": "regression", "verbose": -1},
        lgb.Dataset(x, y.astype(float), feature_name=list(FEATURE_NAMES)),
        5,
    )
    tmp_path.joinpath("model.txt").write_text(booster.model_to_string())
    tmp_path.joinpath("feature_names.json").write_text(json.dumps(list(FEATURE_NAMES)))
    tmp_path.joinpath("metadata.json").write_text("{}")
    with pytest.raises(ModelLoadError, match="not a binary classifier"):
        load_model(str(tmp_path))


def test_corrupt_files_are_load_errors(model_dir: Path, tmp_path: Path) -> None:
    copy = Path(shutil.copytree(model_dir, tmp_path / "m"))
    (copy / "metadata.json").write_text("{not json")
    with pytest.raises(ModelLoadError, match="metadata.json is not valid JSON"):
        load_model(str(copy))
    (copy / "model.txt").write_text("garbage")
    with pytest.raises(ModelLoadError, match="model.txt does not load"):
        load_model(str(copy))
    archive = tmp_path / "broken.tar.gz"
    archive.write_bytes(b"not a tar")
    with pytest.raises(ModelLoadError, match="cannot be unpacked"):
        load_model(str(archive))
