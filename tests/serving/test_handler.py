"""The Lambda entry point with real-shaped API Gateway HTTP API (payload 2.0) events."""

from __future__ import annotations

import base64
import importlib
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from features import FEATURE_NAMES
from tests.serving.factory import applicant_record, job_record


def http_api_event(
    method: str,
    path: str,
    body: object | None = None,
    *,
    base64_body: bool = False,
    query: str = "",
    headers: dict[str, str] | None = None,
) -> dict:
    """An event as API Gateway HTTP API sends it with payload format version 2.0."""
    raw = json.dumps(body).encode() if body is not None else b""
    event = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {
            "accept": "application/json",
            "host": "abc123.execute-api.us-east-1.amazonaws.com",
            "user-agent": "curl/8.5.0",
            "x-forwarded-for": "203.0.113.9",
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https",
            **({"content-type": "application/json"} if body is not None else {}),
            **(headers or {}),
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "abc123",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.9",
                "userAgent": "curl/8.5.0",
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": "$default",
            "stage": "$default",
            "time": "25/Nov/2026:23:40:00 +0000",
            "timeEpoch": 1795650000000,
        },
        "isBase64Encoded": base64_body,
    }
    if body is not None:
        event["body"] = base64.b64encode(raw).decode() if base64_body else raw.decode()
    return event


def lambda_context(request_id: str = "c6af9ac6-7b61-11e6-9a41-93e812345678") -> SimpleNamespace:
    return SimpleNamespace(
        function_name="match-scoring",
        function_version="$LATEST",
        invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:match-scoring",
        memory_limit_in_mb=1024,
        aws_request_id=request_id,
        log_group_name="/aws/lambda/match-scoring",
        log_stream_name="2026/11/25/[$LATEST]abc",
        get_remaining_time_in_millis=lambda: 30_000,
    )


@pytest.fixture(scope="module")
def handler_module(model_dir: Path):
    patch = pytest.MonkeyPatch()
    patch.setenv("MATCH_MODEL_URI", str(model_dir))
    patch.setenv("POWERTOOLS_METRICS_NAMESPACE", "MatchScoringTest")
    sys.modules.pop("serving.handler", None)
    module = importlib.import_module("serving.handler")
    yield module
    sys.modules.pop("serving.handler", None)
    patch.undo()


def _call(module, event: dict, context=None) -> tuple[int, dict, dict]:
    response = module.handler(event, context or lambda_context())
    return response["statusCode"], json.loads(response["body"]), response["headers"]


def test_get_health_answers_with_the_model(handler_module) -> None:
    status, body, headers = _call(handler_module, http_api_event("GET", "/health"))
    assert status == 200 and body["model"]["version"] == "7"
    assert headers["content-type"] == "application/json"


def test_the_lambda_request_id_is_the_request_id(handler_module) -> None:
    _, _, headers = _call(handler_module, http_api_event("GET", "/health"), lambda_context("r-1"))
    assert headers["x-request-id"] == "r-1"


@pytest.mark.parametrize("base64_body", [False, True])
def test_post_score_with_plain_and_base64_bodies(handler_module, base64_body: bool) -> None:
    body = {"job": job_record(), "applicant": applicant_record(1), "top": 2}
    event = http_api_event("POST", "/v1/score", body, base64_body=base64_body)
    status, answer, _ = _call(handler_module, event)
    assert status == 200 and 0 < answer["probability"] < 1
    assert len(answer["contributions"]) == 2


def test_base64_and_plain_bodies_score_the_same(handler_module) -> None:
    body = {"job": job_record(), "applicant": applicant_record(2)}
    plain = _call(handler_module, http_api_event("POST", "/v1/score", body))[1]
    encoded = _call(handler_module, http_api_event("POST", "/v1/score", body, base64_body=True))[1]
    assert plain["probability"] == encoded["probability"]


def test_post_rank_through_the_handler(handler_module) -> None:
    applicants = [{"applicant_code": f"a{i}", "applicant": applicant_record(i)} for i in range(5)]
    event = http_api_event("POST", "/v1/rank", {"job": job_record(), "applicants": applicants})
    status, body, _ = _call(handler_module, event)
    assert status == 200 and body["count"] == 5


def test_bad_requests_keep_the_error_shape_through_the_handler(handler_module) -> None:
    status, body, _ = _call(handler_module, http_api_event("POST", "/v1/score", {"job": 3}))
    assert status == 422 and body["error"]["field"] == "body.job"
    event = http_api_event("POST", "/v1/score", {"job": {}})
    event["body"] = "{not json"
    status, body, _ = _call(handler_module, event)
    assert status == 400 and body["error"]["code"] == "malformed_json"
    status, body, _ = _call(handler_module, http_api_event("GET", "/admin"))
    assert status == 404 and body["error"]["code"] == "not_found"


def test_query_strings_reach_the_app(handler_module) -> None:
    status, body, _ = _call(handler_module, http_api_event("GET", "/v1/model", query="verbose=1"))
    assert status == 200 and len(body["feature_names"]) == len(FEATURE_NAMES)


def test_the_invocation_flushes_latency_metrics_as_emf(handler_module, capsys) -> None:
    _call(handler_module, http_api_event("GET", "/health"))
    emf = [
        json.loads(line)
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("{") and "_aws" in line
    ]
    assert emf, "no CloudWatch EMF line was printed"
    names = {
        m["Name"] for line in emf for d in line["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]
    }
    assert {"Latency", "Requests"} <= names
