"""terraform/modules/airflow, read from python-hcl2's JSON (as tests/iac/test_terraform.py does).

Airflow on EC2 or on MWAA, chosen by the env roots' ``airflow`` variable: a private instance
with no inbound rule and Session Manager instead of SSH, or an MWAA environment of the same
Airflow version; a role that may start and describe this pipeline only; one schedule owner.
The ``parsed`` fixture comes from tests/iac/conftest.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.iac.test_terraform import (
    ROOT,
    TERRAFORM_DIR,
    as_list,
    attr,
    block,
    blocks,
    items,
    load_tf_env,
    local_values,
    outputs,
    policy_documents,
    variables,
)

FOLDER = "modules/airflow"


def resources(parsed: dict[str, Any]) -> dict[tuple[str, str], dict]:
    return {(t, n): b for _, t, n, b in items(parsed, "resource", FOLDER)}


def statements(parsed: dict[str, Any], name: str) -> dict[str, dict]:
    document = policy_documents(parsed)[(FOLDER, name)]
    return {attr(s, "sid"): s for s in blocks(document, "statement")}


def test_the_dags_role_may_start_and_describe_only_this_pipeline(parsed) -> None:
    by_sid = statements(parsed, "run_pipeline")
    actions = {a for s in by_sid.values() for a in as_list(attr(s, "actions"))}
    sagemaker = {a for a in actions if a.startswith("sagemaker:")}
    assert sagemaker == {
        "sagemaker:StartPipelineExecution",
        "sagemaker:DescribePipeline",
        "sagemaker:DescribePipelineExecution",
        "sagemaker:ListPipelineExecutionSteps",
        "sagemaker:DescribeProcessingJob",
        "sagemaker:DescribeModelPackage",
    }
    assert as_list(attr(by_sid["StartThisPipeline"], "resources")) == ["${local.pipeline_arn}"]
    assert as_list(attr(by_sid["DescribeItsExecutions"], "resources")) == [
        "${local.pipeline_arn}/execution/*"
    ]
    assert not any(a.startswith("iam:") for a in actions)  # passes no role, creates nothing
    writes = [
        r
        for s in by_sid.values()
        if "s3:PutObject" in as_list(attr(s, "actions"))
        for r in as_list(attr(s, "resources"))
    ]
    assert writes == [
        "${var.raw_bucket_arn}/snapshots/${var.dataset}/*",
        "${var.raw_bucket_arn}/snapshot-manifests/${var.dataset}/*",
    ]
    pipeline_arn = local_values(parsed, FOLDER)["pipeline_arn"]
    assert pipeline_arn == "${local.sagemaker_arn}:pipeline/${lower(var.pipeline_name)}"
    found = resources(parsed)
    for role_policy in ("instance_runs_the_pipeline", "mwaa_runs_the_pipeline"):
        policy = found[("aws_iam_role_policy", role_policy)]
        assert attr(policy, "policy") == "${data.aws_iam_policy_document.run_pipeline.json}"


def test_the_instance_is_private_reached_through_session_manager_and_logs_to_cloudwatch(
    parsed,
) -> None:
    found = resources(parsed)
    instance = found[("aws_instance", "airflow")]
    assert attr(instance, "associate_public_ip_address") is False
    assert "key_name" not in instance  # no SSH key
    assert attr(instance, "subnet_id") == "${local.private_subnet_ids[0]}"
    assert attr(block(instance, "metadata_options"), "http_tokens") == "required"
    assert attr(block(instance, "root_block_device"), "encrypted") is True
    group = found[("aws_security_group", "instance")]
    assert "ingress" not in group
    assert [attr(e, "from_port") for e in blocks(group, "egress")] == [443]
    ssm = found[("aws_iam_role_policy_attachment", "instance_ssm")]
    assert attr(ssm, "policy_arn").endswith(":iam::aws:policy/AmazonSSMManagedInstanceCore")
    logs = statements(parsed, "instance")["WriteAndReadItsLogs"]
    assert "logs:PutLogEvents" in as_list(attr(logs, "actions"))
    user_data = (TERRAFORM_DIR / FOLDER / "templates" / "ec2_user_data.sh.tftpl").read_text()
    assert "--require-hashes -r /opt/airflow/requirements.txt" in user_data
    assert "AIRFLOW__API__HOST=127.0.0.1" in user_data  # the UI only through port forwarding
    assert "REMOTE_BASE_LOG_FOLDER=cloudwatch://" in user_data
    assert "airflow standalone" in user_data


def test_mwaa_runs_the_version_the_tests_run_in_private_subnets_with_every_log(parsed) -> None:
    found = resources(parsed)
    mwaa = found[("aws_mwaa_environment", "this")]
    locked = (ROOT / "tools" / "airflow" / "requirements.txt").read_text()
    version = re.search(r"^apache-airflow==(\S+)", locked, re.MULTILINE).group(1)
    assert attr(mwaa, "airflow_version") == version == "3.0.6"
    assert attr(mwaa, "webserver_access_mode") == "PRIVATE_ONLY"
    assert attr(mwaa, "dag_s3_path") == "${local.dag_prefix}"
    assert attr(mwaa, "source_bucket_arn") == "${aws_s3_bucket.dags.arn}"
    network = block(mwaa, "network_configuration")
    assert attr(network, "subnet_ids") == "${local.private_subnet_ids}"
    logging = block(mwaa, "logging_configuration")
    for kind in ("dag_processing_logs", "scheduler_logs", "task_logs", "webserver_logs"):
        assert attr(block(logging, kind), "enabled") is True, kind
    trust = policy_documents(parsed)[(FOLDER, "mwaa_trust")]
    (principal,) = blocks(block(trust, "statement"), "principals")
    assert as_list(attr(principal, "identifiers")) == [
        "airflow.amazonaws.com",
        "airflow-env.amazonaws.com",
    ]
    assert "2" in attr(block(variables(parsed, FOLDER)["network"], "validation"), "condition")
    created = [n for (t, n) in found if t == "aws_subnet"]
    assert sorted(created) == ["private", "public"]
    assert attr(found[("aws_subnet", "private")], "count") == "${local.create_network ? 2 : 0}"


def test_the_dag_gets_every_setting_it_reads(parsed) -> None:
    settings = local_values(parsed, FOLDER)["settings"]
    read = set(
        re.findall(
            r"\"(MATCH_[A-Z_]+)\"",
            (ROOT / "dags" / "match_retraining_lib" / "settings.py").read_text(),
        )
    )
    assert set(settings) <= read, set(settings) - read
    assert settings["MATCH_AIRFLOW_TARGET"] == "aws"


def test_airflow_owns_the_schedule_when_it_is_on(parsed) -> None:
    rule = next(
        b
        for _, t, n, b in items(parsed, "resource", "modules/events")
        if (t, n) == ("aws_cloudwatch_event_rule", "schedule")
    )
    assert attr(rule, "state") == (
        '${var.schedule_enabled && var.schedule_owner == "eventbridge" ? "ENABLED" : "DISABLED"}'
    )
    platform = next(
        body
        for file, content in parsed.items()
        if file == "modules/platform/main.tf"
        for entry in content["module"]
        for name, body in entry.items()
        if name == "events"
    )
    assert attr(platform, "schedule_owner") == (
        '${var.airflow == "none" ? "eventbridge" : "airflow"}'
    )
    airflow = variables(parsed, "envs/shared")["airflow"]
    assert attr(airflow, "default") == "none"
    assert "'ec2', 'mwaa'" in attr(block(airflow, "validation"), "condition")


def test_the_deploy_workflow_syncs_the_dags_after_each_apply() -> None:
    workflow = (ROOT / ".github" / "workflows" / "deploy.yml").read_text()
    for environment in ("staging", "prod"):
        apply_at = workflow.index(f"make tf-apply ENV={environment}")
        sync_at = workflow.index("make airflow-dags-sync", apply_at)
        assert sync_at > apply_at
    assert Path(ROOT / "Makefile").read_text().count("airflow-dags-sync:") == 1


def test_tf_env_gives_the_dag_bucket_and_an_empty_one_before_the_output_exists(parsed) -> None:
    tf_env = load_tf_env()
    given = {name: {"value": name} for name in tf_env.OUTPUTS_READ}
    given["api_authorization"]["value"] = "AWS_IAM"

    assert tf_env.environment(given)["AIRFLOW_DAG_BUCKET"] == ""  # a root applied before
    given["airflow_dag_bucket"] = {"value": "datathon-mlet03-staging-airflow"}
    assert tf_env.environment(given)["AIRFLOW_DAG_BUCKET"] == "datathon-mlet03-staging-airflow"
    for env in ("staging", "prod"):
        assert "airflow_dag_bucket" in outputs(parsed, f"envs/{env}")
