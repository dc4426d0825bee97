"""Training/serving parity: the processing step's features and the API's are the same numbers.

Real generated data goes through the Preprocess step (as the pipeline runs it); a model is
trained on its output. The same raw records then go through the API, as records to
``/v1/score`` and as codes to ``/v1/rank`` (profiles read back from a feature store filled
from the step's own profile files). Feature vectors must be identical and scores bit-equal.
"""

from __future__ import annotations

import base64
import json
import math
import shutil
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from datagen import generate
from features import FEATURE_NAMES
from features.profiles import APPLICANT_PROFILE_FIELDS, JOB_PROFILE_FIELDS
from features.text_similarity import TEXT_MODEL_FILE
from featurestore.local import LocalFeatureStore
from featurestore.spec import spec_from_frame
from serving.app import create_app
from serving.config import ServingConfig
from steps.preprocess import main as preprocess_main
from tests.serving.factory import GROUP_PREFIX

PAIRS_CHECKED = 150


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("parity")
    raw = root / "raw"
    generate(raw, seed=7, scale=0.03, log=None)
    out = root / "out"
    args = [f"--raw-dir={raw}"]
    for name in ("train", "validation", "test", "profiles", "report"):
        args.append(f"--{name}-dir={out / name}")
    assert preprocess_main(args) == 0
    return root


def _train(root: Path) -> Path:
    table = pd.read_parquet(root / "out" / "train" / "train.parquet")
    booster = lgb.train(
        {"objective": "binary", "num_leaves": 4, "verbose": -1, "seed": 1},
        lgb.Dataset(table[list(FEATURE_NAMES)], table["label"]),
        num_boost_round=30,
    )
    folder = root / "model"
    folder.mkdir()
    booster.save_model(str(folder / "model.txt"))
    (folder / "feature_names.json").write_text(json.dumps(list(FEATURE_NAMES)))
    (folder / "metadata.json").write_text(json.dumps({"trained_at": "2026-11-25T00:00:00Z"}))
    # the text weights of the training period travel with the model, as the Train step copies them
    shutil.copy(root / "out" / "train" / TEXT_MODEL_FILE, folder / TEXT_MODEL_FILE)
    return folder


def _store(root: Path) -> Path:
    """Ingest the step's own profile files, as the IngestFeatures step does."""
    store = LocalFeatureStore(root / "store")
    for group, key, fields in (
        ("jobs", "job_code", JOB_PROFILE_FIELDS),
        ("applicants", "applicant_code", APPLICANT_PROFILE_FIELDS),
    ):
        frame = pd.read_parquet(root / "out" / "profiles" / f"{group}.parquet")
        spec = spec_from_frame(f"{GROUP_PREFIX}-{group}", frame, key, declared=dict(fields))
        store.ensure_group(spec)
        assert not store.ingest(spec, frame).failed
    store.close()
    return root / "store" / "online-store.sqlite"


@pytest.fixture(scope="module")
def parity_setup(processed: Path):
    model_dir = _train(processed)
    config = ServingConfig(
        model_uri=str(model_dir), online_store=f"sqlite:///{_store(processed).resolve()}"
    )
    client = TestClient(create_app(config))
    rows = pd.read_parquet(processed / "out" / "test" / "test.parquet")
    raw = processed / "raw"
    jobs = json.loads((raw / "vagas.json").read_text())
    applicants = json.loads((raw / "applicants.json").read_text())
    with_cv_file = {p.stem for p in (raw / "cvs").glob("*")}
    booster = lgb.Booster(model_file=str(model_dir / "model.txt"))
    return client, rows, jobs, applicants, with_cv_file, booster


def _comparable(rows: pd.DataFrame, with_cv_file: set[str]) -> pd.DataFrame:
    # Applicants whose CV is a file are compared apart, sending the file (below).
    return rows[~rows["applicant_code"].isin(with_cv_file)].head(PAIRS_CHECKED)


def _same(api_value: float | None, step_value: float) -> bool:
    if api_value is None:
        return math.isnan(step_value)
    return api_value == step_value


def test_records_through_the_api_give_the_steps_features_and_scores(parity_setup) -> None:
    client, rows, jobs, applicants, with_cv_file, booster = parity_setup
    checked = _comparable(rows, with_cv_file)
    assert len(checked) >= 50, "too few pairs to compare"
    expected = booster.predict(checked[list(FEATURE_NAMES)].to_numpy(dtype=np.float64))
    unknown_seen = False
    for (_, row), want in zip(checked.iterrows(), expected, strict=True):
        response = client.post(
            "/v1/score",
            json={
                "job": jobs[row["job_code"]],
                "applicant": applicants[row["applicant_code"]],
                "top": len(FEATURE_NAMES),
            },
        )
        assert response.status_code == 200, response.text
        body = response.json()
        mismatched = [
            name for name in FEATURE_NAMES if not _same(body["features"][name], row[name])
        ]
        assert not mismatched, (row["job_code"], row["applicant_code"], mismatched)
        assert body["probability"] == want
        unknown_seen |= any(v is None for v in body["features"].values())
    assert unknown_seen, "the sample never exercised unknown (NaN) features"
    # the text features of real-shaped records are mostly known, so parity covers their values
    for name in ("text_similarity", "cv_seniority", "experience_years"):
        assert checked[name].notna().mean() > 0.5, name
    assert checked["text_similarity"].nunique() > 20


def test_codes_looked_up_in_the_store_give_the_steps_scores(parity_setup) -> None:
    client, rows, _, _, _, booster = parity_setup
    job_code = rows["job_code"].value_counts().index[0]
    for_job = rows[rows["job_code"] == job_code].drop_duplicates("applicant_code")
    expected = dict(
        zip(
            for_job["applicant_code"],
            booster.predict(for_job[list(FEATURE_NAMES)].to_numpy(dtype=np.float64)),
            strict=True,
        )
    )
    response = client.post(
        "/v1/rank", json={"job_code": job_code, "applicant_codes": list(expected)}
    )
    assert response.status_code == 200, response.text
    ranking = response.json()["ranking"]
    assert {r["applicant_code"]: r["probability"] for r in ranking} == expected
    assert all(r["source"] == "feature_store" for r in ranking)


def test_cv_files_sent_to_the_api_give_the_steps_features_and_scores(
    parity_setup, processed: Path, tmp_path: Path
) -> None:
    """The same CV files (text PDFs, DOCX, scans read by OCR) through the step and the API."""
    _, _, jobs, applicants, _, booster = parity_setup
    model_dir = processed / "model"
    client = TestClient(create_app(ServingConfig(model_uri=str(model_dir), ocr_engine="rapidocr")))
    splits = ("train", "validation", "test")
    rows = pd.concat(
        [pd.read_parquet(processed / "out" / s / f"{s}.parquet") for s in splits]
    ).drop_duplicates("applicant_code")
    files = {p.stem: p for p in (processed / "raw" / "cvs").iterdir()}
    scans = json.loads((processed / "raw" / "_truth" / "scanned_cv_text.json").read_text())
    sent = rows[rows["applicant_code"].isin(files) & (rows["cv_readable"] == 1)]
    assert len(sent) >= 5, "too few applicants with a readable CV file"
    assert sent["applicant_code"].map(lambda c: files[c].name in scans).any(), "no scan sent"
    expected = booster.predict(sent[list(FEATURE_NAMES)].to_numpy(dtype=np.float64))
    for (_, row), want in zip(sent.iterrows(), expected, strict=True):
        path = files[row["applicant_code"]]
        cv_file = {
            "filename": path.name,
            "content_base64": base64.b64encode(path.read_bytes()).decode(),
        }
        body = {
            "job": jobs[row["job_code"]],
            "applicant": applicants[row["applicant_code"]],
            "cv_file": cv_file,
            "top": len(FEATURE_NAMES),
        }
        response = client.post("/v1/score", json=body)
        assert response.status_code == 200, response.text
        features = response.json()["features"]
        mismatched = [name for name in FEATURE_NAMES if not _same(features[name], row[name])]
        assert not mismatched, (path.name, mismatched)
        assert response.json()["probability"] == want
