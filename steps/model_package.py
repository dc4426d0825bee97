"""SageMaker model package group and model packages for the registration step.

Thin helpers around a boto3 ``sagemaker`` client (passed in, so tests can point it at moto or
stub it). A package is a version in the group; its approval status (changed in SageMaker
Studio) is what drives deployment. Every botocore error comes out as ``ModelPackageError`` with
the API operation's name and a one-line message.

Idempotency: a package carries its MLflow run id in ``CustomerMetadataProperties``; before
creating one the group is searched for that run id, so the same training run never gets two
packages. ListModelPackages returns summaries without the metadata, so each candidate is
described; the run id is also written into the (immutable) package description, which lets
the likely match be described first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

JSON = "application/json"
RUN_ID_KEY = "mlflow_run_id"
EVALUATION_FILE = "evaluation.json"
APPROVAL_STATUSES = ("Approved", "PendingManualApproval", "Rejected")
PENDING = "PendingManualApproval"
# The API's bounds on CustomerMetadataProperties (botocore's service model).
MAX_METADATA_ENTRIES, MAX_KEY_LENGTH, MAX_VALUE_LENGTH = 50, 128, 256
MISSING_CODES = ("ValidationException", "ResourceNotFound", "ResourceNotFoundException")
UNUSABLE_GROUP_STATUSES = ("Deleting", "DeleteFailed", "Failed")


class ModelPackageError(RuntimeError):
    """A SageMaker call failed, or its answer cannot be used; the message is one line."""


@dataclass(frozen=True)
class PackageSpec:
    """What a model package is made of: its group, the model archive and serving image, the
    requested approval status, the evaluation report, metadata (with the MLflow run id) and
    description."""

    group: str
    model_data_url: str
    approval_status: str
    evaluation_s3_uri: str
    image_uri: str
    metadata: dict[str, str]
    description: str


@dataclass(frozen=True)
class PackageResult:
    arn: str
    approval_status: str
    created: bool
    status_updated: bool


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _error_code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


def _wrap(operation: str, error: Exception) -> ModelPackageError:
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        reason = f"{details.get('Code', 'Error')}: {details.get('Message', '')}"
    else:
        reason = f"{type(error).__name__}: {error}"
    return ModelPackageError(_one_line(f"SageMaker {operation} failed ({reason})"))


def _call(client: Any, method: str, **params: Any) -> dict:
    """``client.<method>(**params)``, with botocore errors wrapped under the API operation name."""
    operation = client.meta.method_to_api_mapping.get(method, method)
    try:
        return getattr(client, method)(**params)
    except (ClientError, BotoCoreError) as error:
        raise _wrap(operation, error) from error


def evaluation_report_uri(evaluation_s3_uri: str) -> str:
    """``<prefix>/evaluation.json`` for the evaluation output prefix (or the file's own URI)."""
    uri = evaluation_s3_uri.rstrip("/")
    if not uri.startswith("s3://") or len(uri) <= len("s3://"):
        raise ModelPackageError(f"the evaluation URI must be an s3:// prefix, not {uri!r}")
    return uri if uri.endswith(f"/{EVALUATION_FILE}") else f"{uri}/{EVALUATION_FILE}"


def clean_metadata(metadata: dict[str, Any]) -> dict[str, str]:
    """CustomerMetadataProperties as the API takes them: strings, no empty values."""
    cleaned = {str(k): str(v) for k, v in metadata.items() if v is not None and str(v) != ""}
    if not cleaned.get(RUN_ID_KEY):
        raise ModelPackageError(f"a model package needs {RUN_ID_KEY} in its metadata")
    too_long = [
        k for k, v in cleaned.items() if len(k) > MAX_KEY_LENGTH or len(v) > MAX_VALUE_LENGTH
    ]
    if too_long or len(cleaned) > MAX_METADATA_ENTRIES:
        raise ModelPackageError(
            f"model package metadata exceeds the API's limits ({MAX_METADATA_ENTRIES} entries, "
            f"keys {MAX_KEY_LENGTH} and values {MAX_VALUE_LENGTH} characters): {too_long}"
        )
    return cleaned


def run_marker(mlflow_run_id: str) -> str:
    """The text a package description holds to name its training run."""
    return f"MLflow run {mlflow_run_id}"


def ensure_model_package_group(client: Any, name: str, description: str) -> str:
    """The group's ARN, creating the group when it does not exist yet.

    A group created by a concurrent execution between the describe and the create is taken
    as it is: the create error is raised only when the group still cannot be described.
    """
    try:
        group = client.describe_model_package_group(ModelPackageGroupName=name)
    except ClientError as error:
        if _error_code(error) not in MISSING_CODES:
            raise _wrap("DescribeModelPackageGroup", error) from error
    except BotoCoreError as error:
        raise _wrap("DescribeModelPackageGroup", error) from error
    else:
        return _usable_group(group)
    try:
        created = client.create_model_package_group(
            ModelPackageGroupName=name, ModelPackageGroupDescription=description
        )
    except ClientError as create_error:
        try:
            group = client.describe_model_package_group(ModelPackageGroupName=name)
        except (ClientError, BotoCoreError):
            raise _wrap("CreateModelPackageGroup", create_error) from create_error
        return _usable_group(group)
    except BotoCoreError as error:
        raise _wrap("CreateModelPackageGroup", error) from error
    print(f"created model package group {name}")
    return created["ModelPackageGroupArn"]


def _usable_group(group: dict) -> str:
    status = group.get("ModelPackageGroupStatus", "")
    if status in UNUSABLE_GROUP_STATUSES:
        raise ModelPackageError(
            f"model package group {group.get('ModelPackageGroupName')} is {status}: "
            "no package can be added to it"
        )
    return group["ModelPackageGroupArn"]


def _list_summaries(client: Any, group: str, page_size: int) -> list[dict]:
    summaries: list[dict] = []
    try:
        pages = client.get_paginator("list_model_packages").paginate(
            ModelPackageGroupName=group,
            SortBy="CreationTime",
            SortOrder="Descending",
            PaginationConfig={"PageSize": page_size},
        )
        for page in pages:
            summaries.extend(page.get("ModelPackageSummaryList", []))
    except (ClientError, BotoCoreError) as error:
        raise _wrap("ListModelPackages", error) from error
    return summaries


def find_package_for_run(
    client: Any, group: str, mlflow_run_id: str, *, page_size: int = 100
) -> dict | None:
    """The description of the group's package registered from this run, or None.

    Packages whose description names the run are described first (the usual re-run finds its
    package in one call); the others follow, so a package is found by its metadata even when
    its description says something else.
    """
    summaries = _list_summaries(client, group, page_size)
    marker = run_marker(mlflow_run_id)
    ordered = sorted(summaries, key=lambda s: marker not in s.get("ModelPackageDescription", ""))
    for summary in ordered:
        arn = summary["ModelPackageArn"]
        package = _call(client, "describe_model_package", ModelPackageName=arn)
        if (package.get("CustomerMetadataProperties") or {}).get(RUN_ID_KEY) == mlflow_run_id:
            return package
    return None


def inference_specification(model_data_url: str, image_uri: str) -> dict:
    """The package's container: the model archive, and the serving image when there is one."""
    container = {"ModelDataUrl": model_data_url}
    specification: dict[str, Any] = {"Containers": [container]}
    if image_uri:
        container["Image"] = image_uri
        specification["SupportedContentTypes"] = [JSON]
        specification["SupportedResponseMIMETypes"] = [JSON]
    return specification


def _check_status(approval_status: str) -> None:
    if approval_status not in APPROVAL_STATUSES:
        raise ModelPackageError(f"approval status must be one of {APPROVAL_STATUSES}")


def create_model_package(client: Any, spec: PackageSpec) -> str:
    """Create a package (a new version in the spec's group); return its ARN."""
    _check_status(spec.approval_status)
    if not spec.model_data_url.startswith("s3://"):
        raise ModelPackageError(
            f"the model data URL must be an s3:// URI, not {spec.model_data_url!r}"
        )
    statistics = {"ContentType": JSON, "S3Uri": evaluation_report_uri(spec.evaluation_s3_uri)}
    response = _call(
        client,
        "create_model_package",
        ModelPackageGroupName=spec.group,
        ModelPackageDescription=spec.description,
        ModelApprovalStatus=spec.approval_status,
        InferenceSpecification=inference_specification(spec.model_data_url, spec.image_uri),
        ModelMetrics={"ModelQuality": {"Statistics": statistics}},
        CustomerMetadataProperties=clean_metadata(spec.metadata),
    )
    return response["ModelPackageArn"]


def update_approval_status(
    client: Any, arn: str, approval_status: str, metadata: dict[str, str]
) -> None:
    """Set a package's approval status; its metadata is sent again so it stays complete."""
    _check_status(approval_status)
    cleaned = clean_metadata(metadata)
    _call(
        client,
        "update_model_package",
        ModelPackageArn=arn,
        ModelApprovalStatus=approval_status,
        ApprovalDescription=f"set by the Register step ({run_marker(cleaned[RUN_ID_KEY])})",
        CustomerMetadataProperties=cleaned,
    )


def ensure_model_package(client: Any, spec: PackageSpec) -> PackageResult:
    """The run's package: found (its status updated when needed) or created.

    A re-run asking for ``PendingManualApproval`` leaves a package that is already Approved or
    Rejected as it is: that decision was made in Studio and drives deployment, and a re-run of
    the pipeline (with the training step cached) must not undo it. An explicit ``Approved`` or
    ``Rejected`` is applied.
    """
    approval_status = spec.approval_status
    _check_status(approval_status)
    run_id = clean_metadata(spec.metadata)[RUN_ID_KEY]
    existing = find_package_for_run(client, spec.group, run_id)
    if existing is None:
        arn = create_model_package(client, spec)
        return PackageResult(arn, approval_status, created=True, status_updated=False)
    arn = existing["ModelPackageArn"]
    current = existing.get("ModelApprovalStatus", PENDING)
    if current == approval_status or approval_status == PENDING:
        return PackageResult(arn, current, created=False, status_updated=False)
    update_approval_status(client, arn, approval_status, spec.metadata)
    return PackageResult(arn, approval_status, created=False, status_updated=True)
