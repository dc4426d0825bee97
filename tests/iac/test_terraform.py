"""Static checks of terraform/ that need neither providers nor an AWS account.

- ``terraform fmt -check -recursive``: formatting, and a syntax check of every file (fmt parses
  each file and fails on a syntax error). Skipped when no ``terraform`` binary is on the PATH.
- python-hcl2 (checkov's fork, bc-python-hcl2, from the checkov tool environment
  ``.tools/checkov``) parses every ``.tf`` file into JSON (``tools/checkov/hcl_json.py``); the
  assertions below read that JSON: IAM statements, bucket hardening, Lambda tracing and logs,
  API authorization, the env roots' outputs, backends and variables.
- checkov over the whole tree: no failed check, every skip an inline comment with a reason.

The checkov environment is made by ``make checkov-setup`` (CI). When it is missing, the tests
try to make it from uv's cache only (``UV_OFFLINE=1``, no network) and are skipped, saying so,
when that is not possible.
"""

from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = ROOT / "terraform"
TOOL_ENV = ROOT / ".tools" / "checkov"
TOOL_PYTHON = TOOL_ENV / "bin" / "python"
CHECKOV = TOOL_ENV / "bin" / "checkov"
ENVS = ("staging", "prod")
MODULES = (
    "api",
    "data_lake",
    "ecr",
    "events",
    "feature_store",
    "kms",
    "langfuse",
    "monitoring",
    "network",
    "platform",
    "sagemaker",
    "serving",
)
REQUIRED_OUTPUTS = (
    "api_url",
    "sagemaker_role_arn",
    "pipeline_operator_role_arn",
    "raw_bucket",
    "curated_bucket",
    "artifacts_bucket",
    "ecr_serving_url",
    "ecr_steps_url",
    "ecr_training_url",
    "mlflow_tracking_server_arn",
    "model_package_group",
    "serving_function_name",
)
# The same arguments as `make terraform-check`.
CHECKOV_ARGS = (
    "-d",
    "terraform",
    "--framework",
    "terraform",
    "--download-external-modules",
    "false",
    "--skip-download",
)
CHECKOV_ENVIRONMENT = {"CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "BC_SKIP_MAPPING": "TRUE"}
SKIP_COMMENT = re.compile(r"#checkov:skip=(CKV2?_AWS_\d+):(.*)$")
POLICY_ATTRIBUTES = {
    "aws_iam_role": "assume_role_policy",
    "aws_iam_role_policy": "policy",
    "aws_iam_policy": "policy",
    "aws_s3_bucket_policy": "policy",
    "aws_kms_key": "policy",
    "aws_sns_topic_policy": "policy",
    "aws_ecr_repository_policy": "policy",
}
POLICY_DOCUMENT = re.compile(r"^\$\{data\.aws_iam_policy_document\.(\w+)(\[[^\]]+\])?\.json\}$")


# --- reading python-hcl2's JSON --------------------------------------------------------------
# python-hcl2 wraps every attribute value in a list and gives every block as a list of bodies.


def attr(body: dict, name: str, default: Any = None) -> Any:
    value = body.get(name)
    return value[0] if isinstance(value, list) and value else default


def blocks(body: dict, name: str) -> list[dict]:
    return body.get(name) or []


def block(body: dict, name: str) -> dict:
    found = blocks(body, name)
    assert len(found) == 1, f"expected one {name} block, found {len(found)}"
    return found[0]


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def items(
    parsed: dict, kind: str, folder: str | None = None
) -> Iterator[tuple[str, str, str, dict]]:
    """(file, type, name, body) of every resource or data source ("resource" / "data")."""
    for file, content in parsed.items():
        if folder is not None and Path(file).parent.as_posix() != folder:
            continue
        for entry in content.get(kind, []):
            for type_, named in entry.items():
                for name, body in named.items():
                    yield file, type_, name, body


def variables(parsed: dict, folder: str) -> dict[str, dict]:
    found = {}
    for file, content in parsed.items():
        if Path(file).parent.as_posix() == folder:
            for entry in content.get("variable", []):
                found.update(entry)
    return found


def outputs(parsed: dict, folder: str) -> dict[str, dict]:
    found = {}
    for file, content in parsed.items():
        if Path(file).parent.as_posix() == folder:
            for entry in content.get("output", []):
                found.update(entry)
    return found


def local_values(parsed: dict, folder: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for file, content in parsed.items():
        if Path(file).parent.as_posix() == folder:
            for entry in content.get("locals", []):
                found.update({k: v[0] for k, v in entry.items() if not k.startswith("__")})
    return found


def policy_documents(parsed: dict) -> dict[tuple[str, str], dict]:
    """aws_iam_policy_document bodies by (module folder, name)."""
    return {
        (Path(file).parent.as_posix(), name): body
        for file, type_, name, body in items(parsed, "data")
        if type_ == "aws_iam_policy_document"
    }


def document_of(folder: str, expression: str, documents: dict) -> dict:
    match = POLICY_DOCUMENT.match(str(expression))
    assert match, f"{folder}: policy {expression!r} is not an aws_iam_policy_document's json"
    key = (folder, match.group(1))
    assert key in documents, f"{folder}: no aws_iam_policy_document {match.group(1)}"
    return documents[key]


# --- fixtures ----------------------------------------------------------------------------------


def tf_files() -> list[Path]:
    return sorted(
        path
        for path in TERRAFORM_DIR.rglob("*.tf")
        if not any(part.startswith(".") for part in path.relative_to(TERRAFORM_DIR).parts)
    )


@pytest.fixture(scope="session")
def terraform_bin() -> str:
    found = shutil.which("terraform")
    if found is None:
        pytest.skip("no terraform binary on the PATH (CI installs Terraform >= 1.10)")
    return found


@pytest.fixture(scope="session")
def tool_env() -> Path:
    """The checkov tool environment, made from uv's cache (offline) when missing."""
    TOOL_ENV.parent.mkdir(exist_ok=True)
    with (TOOL_ENV.parent / "checkov.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one maker at a time (pytest-xdist workers)
        if (TOOL_ENV / ".installed").exists() and CHECKOV.exists():
            return TOOL_ENV
        setup = subprocess.run(
            ["bash", str(ROOT / "tools" / "checkov" / "setup.sh")],
            cwd=ROOT,
            env={**os.environ, "UV_OFFLINE": "1"},
            capture_output=True,
            text=True,
            timeout=600,
        )
        if setup.returncode != 0:
            tail = (setup.stderr or setup.stdout).strip().splitlines()[-3:]
            pytest.skip(
                "the checkov tool environment (.tools/checkov) is missing and cannot be made "
                f"offline from uv's cache; run `make checkov-setup` (needs PyPI). {tail}"
            )
    return TOOL_ENV


@pytest.fixture(scope="session")
def parsed(tool_env: Path) -> dict[str, Any]:
    """Every .tf file, parsed by python-hcl2, by path relative to terraform/."""
    result = subprocess.run(
        [str(TOOL_PYTHON), str(ROOT / "tools" / "checkov" / "hcl_json.py"), str(TERRAFORM_DIR)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"python-hcl2 could not parse:\n{result.stderr}"
    return json.loads(result.stdout)


# --- formatting, parsing, checkov --------------------------------------------------------------


def test_terraform_fmt_check_passes(terraform_bin: str) -> None:
    """Formatted, and syntactically valid: fmt parses every file and fails on a syntax error."""
    result = subprocess.run(
        [terraform_bin, "fmt", "-check", "-recursive", "-diff", "-no-color", str(TERRAFORM_DIR)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"terraform fmt -check failed:\n{result.stdout}{result.stderr}"


def test_every_tf_file_parses_as_hcl(parsed: dict[str, Any]) -> None:
    on_disk = {path.relative_to(TERRAFORM_DIR).as_posix() for path in tf_files()}
    assert set(parsed) == on_disk
    folders = {Path(file).parent.as_posix() for file in parsed}
    expected = {f"modules/{m}" for m in MODULES} | {f"envs/{e}" for e in ENVS} | {"bootstrap"}
    assert expected <= folders


def test_checkov_finds_no_failed_check(tool_env: Path) -> None:
    result = subprocess.run(
        [str(CHECKOV), *CHECKOV_ARGS, "--output", "json"],
        cwd=ROOT,
        env={**os.environ, **CHECKOV_ENVIRONMENT},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.stdout.strip(), f"checkov printed nothing:\n{result.stderr[-2000:]}"
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    assert [r["check_type"] for r in reports] == ["terraform"]
    summary = reports[0]["summary"]
    failed = reports[0]["results"].get("failed_checks", [])
    listing = "\n".join(f"{f['check_id']} {f['resource']} ({f['file_path']})" for f in failed)
    assert summary["failed"] == 0, f"checkov failed checks:\n{listing}"
    assert summary["parsing_errors"] == 0
    assert summary["resource_count"] > 50, "checkov saw too few resources: modules not resolved?"
    assert result.returncode == 0
    for skipped in reports[0]["results"].get("skipped_checks", []):
        reason = (skipped["check_result"].get("suppress_comment") or "").strip()
        assert len(reason) >= 20, f"{skipped['check_id']} on {skipped['resource']}: no reason"


def test_every_checkov_skip_is_an_inline_comment_with_a_reason() -> None:
    for path in tf_files():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if "checkov:skip" not in line:
                continue
            match = SKIP_COMMENT.search(line.strip())
            where = f"{path.relative_to(ROOT)}:{number}"
            assert match, f"{where}: not '#checkov:skip=CKV_...:reason'"
            assert len(match.group(2).strip()) >= 20, f"{where}: the reason is too short"


# --- IAM ---------------------------------------------------------------------------------------


def test_every_policy_is_an_iam_policy_document(parsed: dict[str, Any]) -> None:
    """So the statement checks below see every policy of the tree."""
    documents = policy_documents(parsed)
    for file, type_, name, body in items(parsed, "resource"):
        if type_ in POLICY_ATTRIBUTES:
            expression = attr(body, POLICY_ATTRIBUTES[type_])
            assert expression is not None, f"{file}: {type_}.{name} has no policy"
            document_of(Path(file).parent.as_posix(), expression, documents)
        assert "inline_policy" not in body, f"{file}: {type_}.{name}: use aws_iam_role_policy"


def test_no_statement_allows_every_action_or_a_whole_service_on_every_resource(
    parsed: dict[str, Any],
) -> None:
    key_policies = set()
    for file, type_, _, body in items(parsed, "resource"):
        if type_ == "aws_kms_key":
            match = POLICY_DOCUMENT.match(attr(body, "policy"))
            key_policies.add((Path(file).parent.as_posix(), match.group(1)))
    checked = 0
    for (folder, name), body in policy_documents(parsed).items():
        for statement in blocks(body, "statement"):
            checked += 1
            where = f"{folder}: aws_iam_policy_document.{name} {attr(statement, 'sid', '')}"
            assert "not_actions" not in statement and "not_resources" not in statement, where
            if attr(statement, "effect", "Allow") != "Allow":
                continue
            actions = as_list(attr(statement, "actions", []))
            resources = as_list(attr(statement, "resources", []))
            assert "*" not in actions, f"{where}: Action '*'"
            if "*" in resources and (folder, name) not in key_policies:
                whole_services = [a for a in actions if a.endswith(":*")]
                assert not whole_services, f"{where}: {whole_services} on Resource '*'"
    assert checked > 40


def test_roles_are_assumed_only_by_their_service_or_named_principals(
    parsed: dict[str, Any],
) -> None:
    documents = policy_documents(parsed)
    roles = [(f, n, b) for f, t, n, b in items(parsed, "resource") if t == "aws_iam_role"]
    # serving, deploy, schedule, execution, MLflow, operator; Airflow: instance, MWAA, flow logs;
    # Langfuse's VPC flow logs, its ECS execution role and its web/worker and ClickHouse task roles
    assert len(roles) == 13
    for file, name, body in roles:
        trust = document_of(
            Path(file).parent.as_posix(), attr(body, "assume_role_policy"), documents
        )
        for statement in blocks(trust, "statement"):
            for principal in blocks(statement, "principals"):
                identifiers = as_list(attr(principal, "identifiers"))
                assert "*" not in identifiers, f"{file}: role {name} trusts everyone"


def test_execution_role_is_scoped_to_the_lake_the_pipeline_and_its_groups(
    parsed: dict[str, Any],
) -> None:
    documents = policy_documents(parsed)
    execution = documents[("modules/sagemaker", "execution")]
    by_sid = {attr(s, "sid"): s for s in blocks(execution, "statement")}
    resources = {sid: as_list(attr(s, "resources")) for sid, s in by_sid.items()}
    assert resources["LakeBuckets"] == ["${values(var.bucket_arns)}"]
    assert resources["PullStepAndTrainingImages"] == ["${var.image_repository_arns}"]
    assert resources["JobLogs"] == [
        "${local.sagemaker_logs_arn}",
        "${local.sagemaker_logs_arn}:log-stream:*",
    ]
    logs_arn = local_values(parsed, "modules/sagemaker")["sagemaker_logs_arn"]
    assert logs_arn.endswith(":log-group:/aws/sagemaker/*")
    assert resources["TrackExperimentsAndModelsInMlflow"] == [
        "${aws_sagemaker_mlflow_tracking_server.this.arn}"
    ]
    writer = documents[("modules/feature_store", "writer")]
    for statement in blocks(writer, "statement"):
        for resource in as_list(attr(statement, "resources")):
            assert resource != "*"
    wildcard = local_values(parsed, "modules/feature_store")["group_arn_wildcard"]
    assert wildcard.endswith("/${lower(var.group_prefix)}-*")
    operator = documents[("modules/sagemaker", "pipeline_operator")]
    operator_actions = {
        action for s in blocks(operator, "statement") for action in as_list(attr(s, "actions"))
    }
    assert {"sagemaker:CreatePipeline", "sagemaker:UpdatePipeline"} <= operator_actions
    assert "sagemaker:StartPipelineExecution" in operator_actions
    assert not any(a.startswith(("iam:Create", "iam:Put", "iam:Attach")) for a in operator_actions)


# --- S3 ------------------------------------------------------------------------------------------


def references_bucket(body: dict, bucket: str) -> bool:
    target = str(attr(body, "bucket", ""))
    if f"aws_s3_bucket.{bucket}." in target or f"aws_s3_bucket.{bucket}[" in target:
        return True
    for_each = str(attr(body, "for_each", ""))
    return for_each == f"${{aws_s3_bucket.{bucket}}}" and "each.value" in target


def test_every_bucket_is_private_encrypted_versioned_tls_only_and_expires_old_data(
    parsed: dict[str, Any],
) -> None:
    documents = policy_documents(parsed)
    resources = list(items(parsed, "resource"))
    buckets = [(f, n) for f, t, n, _ in resources if t == "aws_s3_bucket"]
    assert len(buckets) >= 3  # the lake (for_each over three), access logs, state

    def companion(folder: str, bucket: str, type_: str) -> dict:
        found = [
            body
            for f, t, _, body in resources
            if t == type_
            and Path(f).parent.as_posix() == folder
            and references_bucket(body, bucket)
        ]
        assert len(found) == 1, f"{folder}: aws_s3_bucket.{bucket} has {len(found)} {type_}"
        return found[0]

    for file, bucket in buckets:
        folder = Path(file).parent.as_posix()
        where = f"{folder}: aws_s3_bucket.{bucket}"

        block_public = companion(folder, bucket, "aws_s3_bucket_public_access_block")
        for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls"):
            assert attr(block_public, flag) is True, f"{where}: {flag}"
        assert attr(block_public, "restrict_public_buckets") is True, where

        encryption = companion(folder, bucket, "aws_s3_bucket_server_side_encryption_configuration")
        default = block(block(encryption, "rule"), "apply_server_side_encryption_by_default")
        algorithm = attr(default, "sse_algorithm")
        assert algorithm in ("aws:kms", "AES256"), where
        if algorithm == "aws:kms":
            assert attr(default, "kms_master_key_id"), f"{where}: SSE-KMS without a key"

        versioning = companion(folder, bucket, "aws_s3_bucket_versioning")
        assert attr(block(versioning, "versioning_configuration"), "status") == "Enabled", where

        policy = companion(folder, bucket, "aws_s3_bucket_policy")
        document = document_of(folder, attr(policy, "policy"), documents)
        tls_only = [
            s
            for s in blocks(document, "statement")
            if attr(s, "effect") == "Deny"
            and as_list(attr(s, "actions")) == ["s3:*"]
            and any(
                attr(c, "test") == "Bool"
                and attr(c, "variable") == "aws:SecureTransport"
                and as_list(attr(c, "values")) == ["false"]
                for c in blocks(s, "condition")
            )
        ]
        assert tls_only, f"{where}: no statement denying requests without TLS"

        lifecycle = companion(folder, bucket, "aws_s3_bucket_lifecycle_configuration")
        rules = blocks(lifecycle, "rule") + [
            d["rule"]["content"][0] for d in blocks(lifecycle, "dynamic") if "rule" in d
        ]
        assert any("abort_incomplete_multipart_upload" in r for r in rules), where
        assert any("noncurrent_version_expiration" in r for r in rules), where

        ownership = companion(folder, bucket, "aws_s3_bucket_ownership_controls")
        assert attr(block(ownership, "rule"), "object_ownership") == "BucketOwnerEnforced"


def test_lake_buckets_log_access_and_tier_old_curated_and_artifacts_data(
    parsed: dict[str, Any],
) -> None:
    folder = "modules/data_lake"
    lake_locals = local_values(parsed, folder)
    assert set(lake_locals["buckets"]) == {"raw", "curated", "artifacts"}
    assert lake_locals["buckets"]["raw"] == "${var.bucket_prefix}-raw"
    resources = {(t, n): b for _, t, n, b in items(parsed, "resource", folder)}
    logging_ = resources[("aws_s3_bucket_logging", "lake")]
    assert attr(logging_, "target_bucket") == "${aws_s3_bucket.access_logs.id}"
    lifecycle = resources[("aws_s3_bucket_lifecycle_configuration", "lake")]
    tiering = block(block(lifecycle, "dynamic")["rule"], "content")
    classes = [attr(t, "storage_class") for t in blocks(tiering, "transition")]
    assert classes == ["STANDARD_IA", "GLACIER_IR"]
    tiered = set(re.findall(r"\w+", lake_locals["tiered"])) - {"toset"}
    assert tiered == {"curated", "artifacts"}  # raw is read by every run: it stays in Standard


def test_every_kms_key_rotates(parsed: dict[str, Any]) -> None:
    keys = [(f, n, b) for f, t, n, b in items(parsed, "resource") if t == "aws_kms_key"]
    assert len(keys) == 3  # lake, operations, state
    for file, name, body in keys:
        assert attr(body, "enable_key_rotation") is True, f"{file}: {name}"
        assert attr(body, "policy"), f"{file}: {name} has no key policy"


# --- Lambda, logs, API -------------------------------------------------------------------------


def test_every_lambda_traces_and_logs_to_an_encrypted_group_with_retention(
    parsed: dict[str, Any],
) -> None:
    resources = list(items(parsed, "resource"))
    functions = [(f, n, b) for f, t, n, b in resources if t == "aws_lambda_function"]
    assert {Path(f).parent.name for f, _, _ in functions} == {"serving", "events"}
    groups = {
        (Path(f).parent.as_posix(), n): b
        for f, t, n, b in resources
        if t == "aws_cloudwatch_log_group"
    }
    for file, name, body in functions:
        folder = Path(file).parent.as_posix()
        where = f"{folder}: aws_lambda_function.{name}"
        assert attr(block(body, "tracing_config"), "mode") == "Active", where
        log_group = attr(block(body, "logging_config"), "log_group")
        match = re.fullmatch(r"\$\{aws_cloudwatch_log_group\.(\w+)\.name\}", str(log_group))
        assert match and (folder, match.group(1)) in groups, f"{where}: log group {log_group}"
        assert attr(body, "kms_key_arn"), f"{where}: environment not encrypted with the CMK"
        assert attr(body, "reserved_concurrent_executions") is not None, where
    for (folder, name), group in groups.items():
        assert attr(group, "retention_in_days") is not None, f"{folder}: log group {name}"
        assert attr(group, "kms_key_id") is not None, f"{folder}: log group {name}"


def test_the_scoring_lambda_runs_the_image_with_the_variables_serving_reads(
    parsed: dict[str, Any],
) -> None:
    folder = "modules/serving"
    function = next(
        b for _, t, _, b in items(parsed, "resource", folder) if t == "aws_lambda_function"
    )
    assert attr(function, "package_type") == "Image"
    assert attr(function, "timeout") == "${var.timeout}"
    memory = variables(parsed, folder)["memory_size"]
    assert "1024" in attr(block(memory, "validation"), "condition")
    assert "2048" in attr(block(memory, "validation"), "condition")
    environment = local_values(parsed, folder)["environment"]
    names = set(re.findall(r"\b(MATCH_[A-Z_]+)\b", environment))
    assert {
        "MATCH_MODEL_URI",
        "MATCH_MODEL_NAME",
        "MATCH_MODEL_VERSION",
        "MATCH_ONLINE_STORE",
        "MATCH_FEATURE_GROUP_PREFIX",
        "MATCH_MAX_RANK_APPLICANTS",
    } <= names
    assert re.search(r"MATCH_ONLINE_STORE['\"]?\s*[:=]\s*['\"]sagemaker['\"]", environment)
    read_by_serving = set(
        re.findall(r'"(MATCH_[A-Z_]+)"', (ROOT / "serving/config.py").read_text())
    )
    assert names <= read_by_serving, f"set but not read by serving: {names - read_by_serving}"
    ignored = str(attr(block(function, "lifecycle"), "ignore_changes"))
    assert "MATCH_MODEL_URI" in ignored and "MATCH_MODEL_VERSION" in ignored
    platform = local_values(parsed, "modules/platform")
    assert platform["model_prefix"] == "${local.pipeline_name}/training/"


def test_http_api_routes_require_authorization(parsed: dict[str, Any]) -> None:
    folder = "modules/api"
    resources = {(t, n): b for _, t, n, b in items(parsed, "resource", folder)}
    routes = [b for (t, _), b in resources.items() if t == "aws_apigatewayv2_route"]
    assert routes
    authorization = local_values(parsed, folder)["authorization_type"]
    assert "AWS_IAM" in authorization and "NONE" not in authorization
    for route in routes:
        value = attr(route, "authorization_type")
        assert value in ("AWS_IAM", "JWT", "${local.authorization_type}"), value
    integration = resources[("aws_apigatewayv2_integration", "lambda")]
    assert attr(integration, "integration_type") == "AWS_PROXY"
    assert attr(integration, "payload_format_version") == "2.0"
    stage = resources[("aws_apigatewayv2_stage", "default")]
    assert attr(stage, "auto_deploy") is True
    settings = block(stage, "default_route_settings")
    assert attr(settings, "throttling_burst_limit") and attr(settings, "throttling_rate_limit")
    access_log = block(stage, "access_log_settings")
    assert "jsonencode" in attr(access_log, "format")
    permission = resources[("aws_lambda_permission", "api")]
    assert attr(permission, "source_arn").startswith("${aws_apigatewayv2_api.this.execution_arn}")


def test_events_start_the_pipeline_and_deploy_approvals(parsed: dict[str, Any]) -> None:
    folder = "modules/events"
    resources = {(t, n): b for _, t, n, b in items(parsed, "resource", folder)}
    documents = policy_documents(parsed)
    start = documents[(folder, "start_pipeline")]
    (statement,) = blocks(start, "statement")
    assert as_list(attr(statement, "actions")) == ["sagemaker:StartPipelineExecution"]
    assert as_list(attr(statement, "resources")) == ["${var.pipeline_arn}"]
    target = resources[("aws_cloudwatch_event_target", "schedule")]
    assert "sagemaker_pipeline_target" in target
    approved = resources[("aws_cloudwatch_event_rule", "approved")]
    pattern = attr(approved, "event_pattern")
    assert "SageMaker Model Package State Change" in pattern and "Approved" in pattern
    deploy = documents[(folder, "deploy")]
    by_sid = {attr(s, "sid"): s for s in blocks(deploy, "statement")}
    assert as_list(attr(by_sid["RepointTheScoringFunction"], "resources")) == [
        "${var.serving_function_arn}"
    ]
    function = resources[("aws_lambda_function", "deploy")]
    assert attr(function, "handler") == "deploy.on_approval.handler"
    source = local_values(parsed, folder)["deploy_source_dir"]
    relative = re.search(r"\$\{path\.module\}/([^\"]+)\"", source).group(1)
    assert (TERRAFORM_DIR / folder / relative).resolve() == ROOT / "deploy"
    # the zip holds every module of deploy/ (on_approval imports deploy.mlflow_registry)
    packaged = local_values(parsed, folder)["deploy_files"]
    assert sorted(packaged) == sorted(p.name for p in (ROOT / "deploy").glob("*.py"))
    variables_ = attr(block(function, "environment"), "variables")
    assert variables_["MLFLOW_TRACKING_SERVER_ARN"] == "${var.mlflow_tracking_server_arn}"
    champion = by_sid["MoveTheChampionAlias"]
    assert as_list(attr(champion, "resources")) == ["${var.mlflow_tracking_server_arn}"]
    assert "sagemaker-mlflow:SetRegisteredModelAlias" in as_list(attr(champion, "actions"))


def test_the_schedule_runs_the_data_snapshot_synced_last(parsed: dict[str, Any]) -> None:
    """SageMaker's step cache keys on URIs: a fixed InputDataUrl on the schedule would reuse
    Preprocess and Train for 30 days whatever new data arrived. The schedule takes the
    definition's default instead (the latest snapshot, pipelines/aws/snapshots.py), and the
    sync, which only adds snapshots, needs no delete."""
    scheduled = str(local_values(parsed, "modules/platform")["scheduled_parameters"])
    assert "TrainingDevice" in scheduled
    assert "InputDataUrl" not in scheduled
    operator = policy_documents(parsed)[("modules/sagemaker", "pipeline_operator")]
    by_sid = {attr(s, "sid"): s for s in blocks(operator, "statement")}
    assert "s3:PutObject" in as_list(attr(by_sid["SyncRawData"], "actions"))
    assert "s3:DeleteObject" not in as_list(attr(by_sid["SyncRawData"], "actions"))


# --- env roots ---------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVS)
def test_env_root_declares_every_output_the_makefile_and_ci_read(
    parsed: dict[str, Any], env: str
) -> None:
    declared = outputs(parsed, f"envs/{env}")
    tf_env = load_tf_env()
    assert set(REQUIRED_OUTPUTS) <= set(declared)
    assert set(tf_env.OUTPUTS_READ) <= set(declared)
    for name, body in declared.items():
        assert attr(body, "description"), f"envs/{env}: output {name} has no description"
        assert attr(body, "value") == f"${{module.platform.{name}}}"
    assert set(declared) <= set(outputs(parsed, "modules/platform"))


def test_every_variable_has_a_description(parsed: dict[str, Any]) -> None:
    count = 0
    for file, content in parsed.items():
        for entry in content.get("variable", []):
            for name, body in entry.items():
                count += 1
                description = attr(body, "description", "")
                assert len(description.strip()) > 10, f"{file}: variable {name}"
                assert attr(body, "type") is not None, f"{file}: variable {name} has no type"
    assert count > 100


@pytest.mark.parametrize("env", ENVS)
def test_env_root_uses_the_s3_backend_with_locking_and_pinned_providers(
    parsed: dict[str, Any], env: str
) -> None:
    (settings,) = [
        t for f, c in parsed.items() if f.startswith(f"envs/{env}/") for t in c.get("terraform", [])
    ]
    (backend,) = blocks(settings, "backend")
    assert list(backend) == ["s3"]
    assert attr(backend["s3"], "use_lockfile") is True
    assert attr(backend["s3"], "encrypt") is True
    assert attr(settings, "required_version") == ">= 1.10"
    (providers,) = blocks(settings, "required_providers")
    assert attr(providers, "aws")["source"] == "hashicorp/aws"
    assert re.fullmatch(r"~> [56]\.\d+", attr(providers, "aws")["version"])
    assert re.fullmatch(r"~> 2\.\d+", attr(providers, "archive")["version"])
    example = (TERRAFORM_DIR / "envs" / env / "backend.hcl.example").read_text()
    for key in ("bucket", "key", "region"):
        assert re.search(rf"^{key}\s*=", example, re.MULTILINE), f"{env}: backend.hcl {key}"
    assert f"/{env}/terraform.tfstate" in example
    assert (TERRAFORM_DIR / "envs" / env / "terraform.tfvars.example").exists()


VALIDATED = (
    "project",
    "environment",
    "region",
    "bucket_prefix",
    "serving_image_tag",
    "serving_memory_mb",
    "serving_reserved_concurrency",
    "api_throttling_burst_limit",
    "api_throttling_rate_limit",
    "log_retention_days",
    "github_repository",
    "alarm_emails",
    "alarm_thresholds",
    "schedule_expression",
)


@pytest.mark.parametrize("env", ENVS)
def test_env_root_validates_its_variables(parsed: dict[str, Any], env: str) -> None:
    declared = variables(parsed, f"envs/{env}")
    for name in VALIDATED:
        assert blocks(declared[name], "validation"), f"envs/{env}: {name} is not validated"
    assert f'"{env}"' in attr(block(declared["environment"], "validation"), "condition")
    assert "1024" in attr(block(declared["serving_memory_mb"], "validation"), "condition")
    assert ">= 1" in attr(
        block(declared["serving_reserved_concurrency"], "validation"), "condition"
    )
    platform_arguments = {
        k
        for f, c in parsed.items()
        if f == f"envs/{env}/main.tf"
        for m in c["module"]
        for k in m["platform"]
    }
    platform_arguments -= {"source", "__start_line__", "__end_line__"}
    platform_variables = variables(parsed, "modules/platform")
    assert platform_arguments <= set(platform_variables)
    # Every platform variable reaches the root as a variable of its own, tags (from the
    # provider's default_tags) apart.
    assert set(platform_variables) - platform_arguments == {"tags"}
    assert platform_arguments <= set(declared)


def test_staging_and_prod_differ_in_size_thresholds_and_retention(parsed: dict[str, Any]) -> None:
    staging, prod = (variables(parsed, f"envs/{env}") for env in ENVS)
    for name in ("serving_memory_mb", "alarm_thresholds", "log_retention_days"):
        assert attr(staging[name], "default") != attr(prod[name], "default"), name
    names = local_values(parsed, "modules/platform")
    assert names["name_prefix"] == "${var.project}-${var.environment}"


# --- tools/tf_env.py ---------------------------------------------------------------------------


def load_tf_env():
    spec = importlib.util.spec_from_file_location("tf_env", ROOT / "tools" / "tf_env.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tf_env_turns_outputs_into_the_settings_the_aws_target_reads() -> None:
    from pipelines.config import Settings

    tf_env = load_tf_env()
    outputs_json = {name: {"value": name, "type": "string"} for name in tf_env.OUTPUTS_READ}
    outputs_json["api_authorization"]["value"] = "AWS_IAM"

    values = tf_env.environment(outputs_json, image_tag="4f1c2ab")

    assert values["MATCH_ROLE_ARN"] == "sagemaker_role_arn"
    assert values["MATCH_STEPS_IMAGE_URI"] == "ecr_steps_url:4f1c2ab"
    assert values["MATCH_API_AUTH"] == "iam"
    assert values["ECR_SERVING_URL"] == "ecr_serving_url"  # what the workflows read
    assert values["PIPELINE_OPERATOR_ROLE_ARN"] == "pipeline_operator_role_arn"
    settings_fields = {f"MATCH_{name.upper()}" for name in Settings.model_fields}
    pipeline_variables = {
        v for v in values if v.startswith("MATCH_") and not v.startswith("MATCH_API_")
    }
    assert pipeline_variables <= settings_fields, pipeline_variables - settings_fields
    assert tf_env.render(values).splitlines()[0] == "MATCH_REGION=region"
    assert "MATCH_STEPS_IMAGE_URI" not in tf_env.environment(outputs_json)
    with pytest.raises(tf_env.OutputError, match="api_url"):
        tf_env.environment({k: v for k, v in outputs_json.items() if k != "api_url"})
    unsafe = {**outputs_json, "api_url": {"value": "https://x $(reboot)"}}
    with pytest.raises(tf_env.OutputError, match="api_url"):
        tf_env.environment(unsafe)


def test_the_scoring_function_reserves_no_concurrency_unless_asked(parsed: dict[str, Any]) -> None:
    """Lambda reserves at most the account's unreserved concurrency less 100: in a new account
    (10 concurrent executions in all, or 1000) a fixed reservation can fail the first apply."""
    for env in ENVS:
        variable = variables(parsed, f"envs/{env}")["serving_reserved_concurrency"]
        assert "default" in variable and attr(variable, "default") is None, env
        assert "unreserved" in attr(variable, "description"), "say why it is unset"
    for folder, name in (
        ("modules/platform", "serving_reserved_concurrency"),
        ("modules/serving", "reserved_concurrency"),
    ):
        variable = variables(parsed, folder)[name]
        assert "default" in variable and attr(variable, "default") is None, folder
    function = next(
        body
        for _, type_, name, body in items(parsed, "resource", "modules/serving")
        if type_ == "aws_lambda_function"
    )
    assert attr(function, "reserved_concurrent_executions") == "${var.reserved_concurrency}"
