"""Error bodies stay small whatever a request holds: oversized lists, many bad items, repeats.

Lambda answers at most 6 MB; an error body listing every problem of a 400 KB request was 18 MB.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from serving.app import create_app
from serving.config import ServingConfig
from serving.errors import MAX_DETAILS

SMALL_BODY_BYTES = 4_000


@pytest.fixture(scope="module")
def client(model_dir: Path, store_file: Path) -> TestClient:
    store = f"sqlite:///{store_file.resolve()}"
    return TestClient(create_app(ServingConfig(model_uri=str(model_dir), online_store=store)))


def post(client: TestClient, body: str):
    started = time.perf_counter()
    response = client.post("/v1/rank", content=body, headers={"content-type": "application/json"})
    return response, time.perf_counter() - started


def test_200000_bad_codes_answer_one_small_error_naming_applicant_codes(client):
    body = json.dumps({"job": {}, "applicant_codes": [1] * 200_000})  # ~400 KB
    response, _ = post(client, body)
    assert response.status_code == 422
    assert len(response.content) < SMALL_BODY_BYTES
    error = response.json()["error"]
    assert error["code"] == "too_many_applicants"
    assert error["field"] == "body.applicant_codes"
    assert "at most 1,000 applicants" in error["message"]


def test_a_megabyte_of_empty_items_is_refused_before_any_item_is_validated(client):
    body = json.dumps({"job": {}, "applicants": [{}] * 500_000})  # ~2 MB
    response, seconds = post(client, body)
    assert response.status_code == 422
    assert len(response.content) < SMALL_BODY_BYTES
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("too_many_applicants", "body.applicants")
    assert seconds < 5  # was 6.4 s and a 92 MB body; the refusal costs one parse


def test_more_codes_than_the_maximum_name_applicant_codes(client):
    codes = [f"c{i}" for i in range(1001)]
    response, _ = post(client, json.dumps({"job": {}, "applicant_codes": codes}))
    error = response.json()["error"]
    assert (response.status_code, error["code"]) == (422, "too_many_applicants")
    assert error["field"] == "body.applicant_codes"


def test_both_lists_over_the_maximum_together_name_the_body(model_dir: Path):
    client = TestClient(create_app(ServingConfig(model_uri=str(model_dir), max_rank_applicants=3)))
    body = {
        "job": {},
        "applicants": [{"applicant_code": "a", "applicant": {}}] * 2,
        "applicant_codes": ["b", "c"],
    }
    error = client.post("/v1/rank", json=body).json()["error"]
    assert (error["code"], error["field"]) == ("too_many_applicants", "body")
    codes = client.post("/v1/rank", json={"job": {}, "applicant_codes": list("abcd")})
    assert codes.json()["error"]["field"] == "body.applicant_codes"


def test_many_bad_items_list_the_first_few_and_count_them_all(client):
    body = json.dumps({"job": {}, "applicants": [{}] * 1000})
    response, _ = post(client, body)
    assert response.status_code == 422
    assert len(response.content) < SMALL_BODY_BYTES
    error = response.json()["error"]
    assert len(error["details"]) == MAX_DETAILS
    assert error["details"][0]["field"] == "body.applicants[0].applicant_code"
    assert "(2,000 problems; details lists the first 10)" in error["message"]
    assert set(error) == {"code", "message", "field", "details"}


def test_a_repeated_code_is_named_by_position_never_echoed(client):
    secret = "maria.silva@example.com"
    body = {"job": {}, "applicant_codes": ["31001", secret, secret]}
    response = client.post("/v1/rank", json=body)
    error = response.json()["error"]
    assert error["code"] == "duplicate_applicant"
    assert error["field"] == "body.applicant_codes[2]"
    assert error["message"] == "body.applicant_codes[2] repeats the applicant code at " + (
        "body.applicant_codes[1]"
    )
    assert secret not in response.text
