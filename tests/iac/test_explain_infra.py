"""The infrastructure of /v1/explain: the scoring role invokes only the configured LLM, and a
self-hosted Langfuse stays private with its secrets in Secrets Manager.

The access locals (``terraform/modules/serving/llm_access.tf``) are evaluated by ``terraform
console`` in a scratch module (no provider needed) for each kind of Bedrock model id; the rest
reads the HCL that python-hcl2 parses (``tests/iac/test_terraform.py``'s fixtures).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.iac.test_terraform import (  # noqa: F401 - fixtures used by name
    TERRAFORM_DIR,
    as_list,
    attr,
    block,
    blocks,
    items,
    local_values,
    parsed,
    policy_documents,
    tool_env,
)

ACCESS_FILE = TERRAFORM_DIR / "modules" / "serving" / "llm_access.tf"
ACCOUNT, REGION = "123456789012", "us-east-1"
VARIABLES = """
variable "explain_backend" {}
variable "explain_bedrock_model_id" {}
variable "explain_sagemaker_endpoint_name" {}
variable "partition" {}
variable "region" {}
variable "account_id" {}
"""


@pytest.fixture(scope="module")
def access_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("no terraform binary on the PATH")
    folder = tmp_path_factory.mktemp("llm-access")
    shutil.copy(ACCESS_FILE, folder / "llm_access.tf")
    (folder / "variables.tf").write_text(VARIABLES)
    init = subprocess.run(
        [terraform, "init", "-input=false", "-no-color"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert init.returncode == 0, init.stderr
    return folder


def evaluate(
    folder: Path, expression: str, backend: str, model: str = "", endpoint: str = ""
) -> Any:
    variables = {
        "explain_backend": backend,
        "explain_bedrock_model_id": model,
        "explain_sagemaker_endpoint_name": endpoint,
        "partition": "aws",
        "region": REGION,
        "account_id": ACCOUNT,
    }
    arguments = [f"-var={name}={value}" for name, value in variables.items()]
    result = subprocess.run(
        [shutil.which("terraform"), "console", "-no-color", *arguments],
        cwd=folder,
        input=f"jsonencode({expression})\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(json.loads(result.stdout.strip().splitlines()[-1]))


FOUNDATION = "anthropic.claude-3-5-haiku-20241022-v1:0"


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (
            FOUNDATION,
            [
                {
                    "sid": "InvokeExplanationModel",
                    "resources": [f"arn:aws:bedrock:{REGION}::foundation-model/{FOUNDATION}"],
                    "profile_condition": False,
                }
            ],
        ),
        (
            f"us.{FOUNDATION}",
            [
                {
                    "sid": "InvokeExplanationProfile",
                    "resources": [
                        f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/us.{FOUNDATION}"
                    ],
                    "profile_condition": False,
                },
                {
                    "sid": "InvokeExplanationModelThroughProfile",
                    "resources": [f"arn:aws:bedrock:*::foundation-model/{FOUNDATION}"],
                    "profile_condition": True,
                },
            ],
        ),
        (
            f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/eu.amazon.nova-lite-v1:0",
            [
                {
                    "sid": "InvokeExplanationProfile",
                    "resources": [
                        f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/eu.amazon.nova-lite-v1:0"
                    ],
                    "profile_condition": False,
                },
                {
                    "sid": "InvokeExplanationModelThroughProfile",
                    "resources": ["arn:aws:bedrock:*::foundation-model/amazon.nova-lite-v1:0"],
                    "profile_condition": True,
                },
            ],
        ),
    ],
)
def test_bedrock_access_names_the_configured_model_only(
    access_module: Path, model: str, expected: list
) -> None:
    assert evaluate(access_module, "local.bedrock_statements", "bedrock", model) == expected


def test_no_bedrock_access_without_the_bedrock_backend(access_module: Path) -> None:
    statements = evaluate(access_module, "local.bedrock_statements", "sagemaker", FOUNDATION, "E")
    assert statements == []
    arn = evaluate(access_module, "local.sagemaker_endpoint_arn", "sagemaker", "", "Match-LLM")
    assert arn == f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/match-llm"


def _dynamic_statements(document: dict) -> dict[str, dict]:
    found = {}
    for dynamic in blocks(document, "dynamic"):
        for content in blocks(dynamic.get("statement", {}), "content"):
            found[str(attr(content, "sid"))] = content | {
                "for_each": attr(dynamic["statement"], "for_each")
            }
    return found


def test_the_scoring_role_invokes_only_the_configured_model_or_endpoint(parsed: dict) -> None:  # noqa: F811
    document = policy_documents(parsed)[("modules/serving", "this")]
    statements = _dynamic_statements(document)
    bedrock = statements["${statement.value.sid}"]
    assert as_list(attr(bedrock, "actions")) == ["bedrock:InvokeModel"]
    assert attr(bedrock, "resources") == "${statement.value.resources}"
    assert bedrock["for_each"] == "${local.bedrock_statements}"
    endpoint = statements["InvokeExplanationEndpoint"]
    assert as_list(attr(endpoint, "actions")) == ["sagemaker:InvokeEndpoint"]
    assert as_list(attr(endpoint, "resources")) == ["${local.sagemaker_endpoint_arn}"]
    assert "sagemaker" in endpoint["for_each"]
    keys = statements["ReadLangfuseKeys"]
    assert as_list(attr(keys, "actions")) == ["secretsmanager:GetSecretValue"]
    assert as_list(attr(keys, "resources")) == ["${var.langfuse_secret_arn}"]
    environment = local_values(parsed, "modules/serving")["environment"]
    for name in ("MATCH_EXPLAIN_BACKEND", "MATCH_EXPLAIN_MODEL_ID", "MATCH_LANGFUSE_SECRET_ARN"):
        assert name in environment


def test_langfuse_containers_get_secrets_from_secrets_manager_only(parsed: dict) -> None:  # noqa: F811
    values = local_values(parsed, "modules/langfuse")
    plain = values["shared_environment"] + values["web_environment"]
    secret_words = re.compile(r"PASSWORD|SECRET|_KEY$|TOKEN|SALT|CONNECTION_STRING|AUTH$")
    assert not [e["name"] for e in plain if secret_words.search(e["name"])]
    secrets = values["shared_secrets"] + values["web_secrets"]
    assert {s["name"] for s in secrets} >= {
        "DATABASE_PASSWORD",
        "CLICKHOUSE_PASSWORD",
        "REDIS_CONNECTION_STRING",
        "SALT",
        "ENCRYPTION_KEY",
        "NEXTAUTH_SECRET",
        "LANGFUSE_INIT_PROJECT_SECRET_KEY",
    }
    assert all(s["valueFrom"].startswith("${aws_secretsmanager_secret.") for s in secrets)


def test_langfuse_runs_in_private_subnets_behind_an_internal_tls_listener(parsed: dict) -> None:  # noqa: F811
    resources = {(t, n): b for _, t, n, b in items(parsed, "resource", "modules/langfuse")}
    assert attr(resources[("aws_lb", "this")], "internal") is True
    listener = resources[("aws_lb_listener", "https")]
    assert (attr(listener, "protocol"), attr(listener, "port")) == ("HTTPS", 443)
    for name in ("this", "clickhouse"):
        network = block(resources[("aws_ecs_service", name)], "network_configuration")
        assert attr(network, "assign_public_ip") is False
        assert attr(network, "subnets") == "${var.private_subnet_ids}"
    database = resources[("aws_db_instance", "this")]
    assert attr(database, "publicly_accessible") is False
    assert attr(database, "storage_encrypted") is True
    cache = resources[("aws_elasticache_replication_group", "this")]
    assert attr(cache, "transit_encryption_enabled") is True
    assert attr(cache, "at_rest_encryption_enabled") is True
    volume = block(resources[("aws_ecs_task_definition", "clickhouse")], "volume")
    assert attr(block(volume, "efs_volume_configuration"), "transit_encryption") == "ENABLED"
