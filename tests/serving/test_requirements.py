"""The Lambda image's requirements: exported from uv.lock, and enough to serve on their own.

The second test is the image without Docker: the pinned requirements installed by uv into an
empty folder, the source paths the Dockerfile copies, and a Python with no site-packages that
imports ``serving.handler`` and answers an API Gateway HTTP API event through it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from base64 import b64encode
from pathlib import Path

from datagen.documents import docx_file
from tests.containers import (
    ROOT,
    exported_requirements,
    install_requirements,
    lay_out,
    requirement_lines,
)
from tests.serving.factory import applicant_record, job_record
from tests.serving.test_dockerfile import REQUIREMENTS, context_files, task_copies

#: must not be imported by serving (training side, or heavy libraries the image does not carry)
FORBIDDEN = {"pandas", "pyarrow", "mlflow", "sagemaker", "sklearn"} | {
    "pipelines",
    "steps",
    "training",
    "tracking",
}


def test_requirements_are_the_locked_serving_group() -> None:
    exported = exported_requirements("serving")
    assert requirement_lines(REQUIREMENTS.read_text()) == exported, (
        "serving/requirements.txt differs from uv.lock: run `make serving-requirements`"
    )
    assert "uv export --only-group serving" in REQUIREMENTS.read_text(), "keep the header"


def lay_out_task(task: Path) -> None:
    """The task root as the Dockerfile's COPY lines build it, from the build context's files."""
    copies = task_copies()
    assert copies, "the Dockerfile copies nothing into the task root"
    lay_out(copies, task, context_files)


# API Gateway HTTP API, payload format 2.0, as Lambda receives it
HEALTH_EVENT = {
    "version": "2.0",
    "routeKey": "$default",
    "rawPath": "/health",
    "rawQueryString": "",
    "headers": {
        "accept": "application/json",
        "content-length": "0",
        "host": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
        "user-agent": "curl/8.5.0",
        "x-amzn-trace-id": "Root=1-67890abc-1234567890abcdef01234567",
        "x-forwarded-for": "203.0.113.7",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    },
    "requestContext": {
        "accountId": "123456789012",
        "apiId": "a1b2c3d4e5",
        "domainName": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
        "domainPrefix": "a1b2c3d4e5",
        "http": {
            "method": "GET",
            "path": "/health",
            "protocol": "HTTP/1.1",
            "sourceIp": "203.0.113.7",
            "userAgent": "curl/8.5.0",
        },
        "requestId": "Qf7rXjHvIAMEb3Q=",
        "routeKey": "$default",
        "stage": "$default",
        "time": "25/Nov/2026:12:00:00 +0000",
        "timeEpoch": 1795608000000,
    },
    "isBase64Encoded": False,
}

SCRIPT = textwrap.dedent(
    """
    import json, sys
    task, site, event_file, result_file, forbidden = sys.argv[1:6]
    sys.path[:0] = [task, site]

    class Context:
        function_name = "match-scoring"
        function_version = "$LATEST"
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:match-scoring"
        memory_limit_in_mb = 1024
        aws_request_id = "3f5a1c2e-8d4b-4e6f-9a0b-1c2d3e4f5a6b"
        log_group_name = "/aws/lambda/match-scoring"
        log_stream_name = "2026/11/25/[$LATEST]0123456789abcdef0123456789abcdef"

        @staticmethod
        def get_remaining_time_in_millis():
            return 30000

    import serving.handler
    from serving.observability import tracer

    with open(event_file) as f:
        event = json.load(f)
    response = serving.handler.handler(event, Context())
    modules = {name: getattr(sys.modules[name], "__file__", None) for name in (
        "serving.handler", "features", "featurestore.online", "lightgbm", "numpy", "fastapi")}
    loaded = sorted(n for n in sys.modules if n.split(".")[0] in json.loads(forbidden))
    with open(result_file, "w") as f:
        json.dump({"response": response, "forbidden": loaded, "files": modules,
                   "tracer_disabled": bool(tracer.disabled), "path": sys.path}, f)
    """
)


def serve_in_a_clean_folder(
    tmp_path: Path, model_dir: Path, event: dict
) -> tuple[subprocess.CompletedProcess[str], dict]:
    """Answer one API Gateway event from the image's layout: its requirements and COPY lines."""
    site, task = tmp_path / "site", tmp_path / "task"
    install_requirements(REQUIREMENTS, site)
    lay_out_task(task)
    event_file, result_file = tmp_path / "event.json", tmp_path / "result.json"
    event_file.write_text(json.dumps(event))

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MATCH_", "PYTHON", "AWS_", "POWERTOOLS_", "LAMBDA_", "_HANDLER"))
    }
    env |= {
        "MATCH_MODEL_URI": str(model_dir),
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    # -S: no site-packages (neither the venv's nor the user's); -I: no PYTHON* variables, and
    # neither the script's nor the current folder on the path. Only the stdlib, task and site.
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", SCRIPT, str(task), str(site), str(event_file)]
        + [str(result_file), json.dumps(sorted(FORBIDDEN))],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result, json.loads(result_file.read_text())


def test_clean_folder_reads_a_cv_file_sent_with_a_score_request(
    tmp_path: Path, model_dir: Path
) -> None:
    cv = "Experiência com Kubernetes, Docker e Terraform em migrações para a nuvem"
    applicant = applicant_record(0)
    applicant["cv_pt"] = ""
    applicant["informacoes_profissionais"]["conhecimentos_tecnicos"] = ""
    body = {
        "job": job_record(),
        "applicant": applicant,
        "cv_file": {"filename": "cv.docx", "content_base64": b64encode(docx_file(cv)).decode()},
        "top": 30,
    }
    event = json.loads(json.dumps(HEALTH_EVENT))
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/v1/score"
    event["requestContext"]["http"]["method"] = "POST"
    event["body"] = json.dumps(body)
    event["headers"] |= {
        "content-type": "application/json",
        "content-length": str(len(event["body"])),
    }
    _, outcome = serve_in_a_clean_folder(tmp_path, model_dir, event)
    response = outcome["response"]
    assert response["statusCode"] == 200, response
    assert json.loads(response["body"])["features"]["applicant_skill_count"] == 2
    assert outcome["forbidden"] == [], f"serving imported {outcome['forbidden']}"


def test_clean_folder_serves_a_lambda_event(tmp_path: Path, model_dir: Path) -> None:
    result, outcome = serve_in_a_clean_folder(tmp_path, model_dir, HEALTH_EVENT)
    site, task = tmp_path / "site", tmp_path / "task"

    response = outcome["response"]
    assert response["statusCode"] == 200, response
    assert response["headers"]["content-type"] == "application/json"
    body = json.loads(response["body"])
    assert body["status"] == "ok"
    assert body["model"] == {"name": "test-model", "version": "7"}

    # everything came from the image layout, nothing from the repository or the venv
    files = outcome["files"]
    for name in ("serving.handler", "features", "featurestore.online"):
        assert Path(files[name]).is_relative_to(task), (name, files[name])
    for name in ("lightgbm", "numpy", "fastapi"):
        assert Path(files[name]).is_relative_to(site), (name, files[name])
    assert not [p for p in outcome["path"] if p and Path(p).is_relative_to(ROOT)]
    assert outcome["forbidden"] == [], f"serving imported {outcome['forbidden']}"
    assert outcome["tracer_disabled"], "X-Ray must stay off outside Lambda"

    # Powertools: logs carry the API Gateway request id; EMF metrics are flushed per invocation
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert any(line.get("correlation_id") == "Qf7rXjHvIAMEb3Q=" for line in lines), lines
    assert any("_aws" in line and "ColdStart" in line for line in lines), lines
