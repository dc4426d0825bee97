"""The pipeline on SageMaker: create or update it from a compiled definition, start executions.

`upsert` creates the pipeline the first time and updates it when the definition or the role
changed (an unchanged pipeline is left as it is, so its version history means something).
`start` checks parameter overrides against the definition's ``Parameters`` first, the same
check the local executor makes, and starts an execution with them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from pipelines.aws.errors import pipeline_missing
from pipelines.config import Settings
from pipelines.local.executor import resolve_parameters

DESCRIPTION = (
    "Candidate-job match scoring: preprocess, feature store ingestion, LightGBM training, "
    "evaluation, quality gate, registration. Compiled by pipelines.compile; do not edit in "
    "Studio, the next `make pipeline-run TARGET=aws` replaces it."
)


@dataclass(frozen=True)
class Upserted:
    arn: str
    action: str  # created | updated | unchanged


def definition_json(definition: Mapping[str, Any]) -> str:
    return json.dumps(definition, sort_keys=True, separators=(",", ":"))


def _existing(sagemaker: Any, name: str) -> dict | None:
    try:
        return sagemaker.describe_pipeline(PipelineName=name)
    except ClientError as error:
        if pipeline_missing(error):
            return None
        raise


def upsert(definition: Mapping[str, Any], settings: Settings, sagemaker: Any) -> Upserted:
    """Create the pipeline, or update it when its definition or role differs from these."""
    name = settings.pipeline_name
    body = definition_json(definition)
    fields = {
        "PipelineName": name,
        "PipelineDisplayName": name,
        "PipelineDescription": DESCRIPTION,
        "PipelineDefinition": body,
        "RoleArn": settings.role_arn,
    }
    existing = _existing(sagemaker, name)
    if existing is None:
        response = sagemaker.create_pipeline(**fields, ClientRequestToken=str(uuid.uuid4()))
        return Upserted(response["PipelineArn"], "created")
    same = (
        json.loads(existing.get("PipelineDefinition") or "{}") == json.loads(body)
        and existing.get("RoleArn") == settings.role_arn
        and existing.get("PipelineDescription") == DESCRIPTION
    )
    if same:
        return Upserted(existing["PipelineArn"], "unchanged")
    response = sagemaker.update_pipeline(**fields)
    return Upserted(response["PipelineArn"], "updated")


def execution_display_name(now: datetime) -> str:
    return f"run-{now:%Y%m%d-%H%M%S}"


def start(
    definition: Mapping[str, Any],
    settings: Settings,
    overrides: Mapping[str, str],
    sagemaker: Any,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> str:
    """Start an execution with ``overrides``; returns its ARN.

    Raises `pipelines.local.executor.ParameterError` (before any call) for a name the
    definition does not declare, listing the ones it does, or a value of the wrong type.
    """
    resolve_parameters(definition.get("Parameters", []), overrides)
    description = "Started by pipelines.run" + (
        "; " + ", ".join(f"{k}={v}" for k, v in sorted(overrides.items())) if overrides else ""
    )
    response = sagemaker.start_pipeline_execution(
        PipelineName=settings.pipeline_name,
        PipelineExecutionDisplayName=execution_display_name(now()),
        PipelineExecutionDescription=description[:3072],
        PipelineParameters=[
            {"Name": name, "Value": value.strip()} for name, value in sorted(overrides.items())
        ],
        ClientRequestToken=str(uuid.uuid4()),
    )
    return response["PipelineExecutionArn"]
