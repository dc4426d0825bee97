"""Point the scoring Lambda at a model package when it is approved.

EventBridge invokes ``handler`` (asynchronously) for every "SageMaker Model Package State
Change" event of the environment's model package group whose ``ModelApprovalStatus`` is
``Approved`` (rule: terraform/modules/events/deploy.tf). The handler:

1. checks the event's shape; an event that is not such an approval (wrong source or detail
   type, no detail, another status, another group) is logged and ignored, never an error;
2. describes the package again, because events can arrive late, twice or out of order: a
   package that is no longer Approved when the event is handled is ignored;
3. refuses (raises ``DeploymentRefused``) a package whose ``ModelDataUrl`` is not under
   ``MODEL_URI_PREFIX``, the training output the scoring function may read;
4. reads the scoring function's configuration and updates only ``MATCH_MODEL_URI`` (the
   package's ``ModelDataUrl``) and ``MATCH_MODEL_VERSION`` (its version), keeping every other
   variable, with the configuration's ``RevisionId`` so that a concurrent change fails rather
   than being overwritten. A function already serving that model is left as it is;
5. moves the MLflow registry's ``champion`` alias to the package's MLflow version (its
   ``mlflow_model_name`` / ``mlflow_model_version`` metadata, written by the Register step)
   and tags it Approved (`deploy.mlflow_registry`): "champion" is the approved version the
   scoring function runs, which the next pipeline run's quality gate compares against. A
   package without that metadata is refused before anything changes.

AWS and MLflow errors propagate: Lambda retries the asynchronous invocation (the function is
then unchanged, and the alias is moved again), then sends the event to the function's
dead-letter queue, and the deploy alarms fire. New execution environments of the scoring
function load the new model at their cold start; warm ones are replaced by Lambda after a
configuration change.

Configuration (environment): ``SERVING_FUNCTION_NAME`` and ``MLFLOW_TRACKING_SERVER_ARN``
(required), ``MODEL_PACKAGE_GROUP`` and ``MODEL_URI_PREFIX`` (optional checks). Packaged as a
zip of ``deploy/`` (standard library and the runtime's boto3 only).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

SOURCE = "aws.sagemaker"
DETAIL_TYPE = "SageMaker Model Package State Change"
APPROVED = "Approved"
MODEL_URI_VARIABLE = "MATCH_MODEL_URI"
MODEL_VERSION_VARIABLE = "MATCH_MODEL_VERSION"
MLFLOW_NAME_KEY, MLFLOW_VERSION_KEY = "mlflow_model_name", "mlflow_model_version"
UNUSABLE_PACKAGE_STATUSES = ("Failed", "Deleting")

logger = logging.getLogger("on_approval")
logger.setLevel(logging.INFO)

# boto3 clients, created on first use and then reused by every invocation of this execution
# environment (creating one costs tens of milliseconds; importing boto3 more).
_clients: dict[str, Any] = {}


class ConfigurationError(RuntimeError):
    """The deploy function's own environment is incomplete."""


class DeploymentRefused(RuntimeError):
    """The approved package cannot be served by this function; nothing was changed."""


@dataclass(frozen=True)
class Approval:
    package_arn: str
    group: str
    version: str | None


@dataclass(frozen=True)
class Settings:
    function_name: str
    group: str
    model_uri_prefix: str
    tracking_server_arn: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        name = env.get("SERVING_FUNCTION_NAME", "").strip()
        if not name:
            raise ConfigurationError("SERVING_FUNCTION_NAME is not set: no function to deploy to")
        arn = env.get("MLFLOW_TRACKING_SERVER_ARN", "").strip()
        if not arn:
            raise ConfigurationError(
                "MLFLOW_TRACKING_SERVER_ARN is not set: no registry to move the champion alias in"
            )
        return cls(
            function_name=name,
            group=env.get("MODEL_PACKAGE_GROUP", "").strip(),
            model_uri_prefix=env.get("MODEL_URI_PREFIX", "").strip(),
            tracking_server_arn=arn,
        )


class Registry(Protocol):
    """Where the champion alias lives (`deploy.mlflow_registry.MlflowRegistry`)."""

    def promote(self, name: str, version: str) -> str | None: ...


@dataclass(frozen=True)
class RegisteredVersion:
    name: str
    version: str


def client(service: str) -> Any:
    """The module's boto3 client for ``service``, created on first use."""
    if service not in _clients:
        import boto3
        from botocore.config import Config

        config = Config(retries={"mode": "standard", "max_attempts": 5})
        _clients[service] = boto3.client(service, config=config)
    return _clients[service]


def _log(level: int, message: str, **fields: Any) -> None:
    logger.log(level, json.dumps({"message": message, **fields}, sort_keys=True, default=str))


def parse_event(event: Any) -> Approval | str:
    """The approval the event announces, or the reason it is not one."""
    if not isinstance(event, Mapping):
        return f"the event is a {type(event).__name__}, not an object"
    if event.get("source") != SOURCE or event.get("detail-type") != DETAIL_TYPE:
        return (
            f"not a model package state change (source {event.get('source')!r}, "
            f"detail-type {event.get('detail-type')!r})"
        )
    detail = event.get("detail")
    if not isinstance(detail, Mapping):
        return "the event has no detail object"
    status = detail.get("ModelApprovalStatus")
    if status != APPROVED:
        return f"the package's approval status is {status!r}, not {APPROVED!r}"
    arn = detail.get("ModelPackageArn")
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        resources = event.get("resources")
        first = resources[0] if isinstance(resources, list) and resources else None
        if not isinstance(first, str) or ":model-package/" not in first:
            return "the event names no model package ARN"
        arn = first
    group = detail.get("ModelPackageGroupName")
    if not isinstance(group, str) or not group:
        return "the event names no model package group"
    version = detail.get("ModelPackageVersion")
    if isinstance(version, bool) or not isinstance(version, int | str | type(None)):
        return "the event's ModelPackageVersion is not a number"
    return Approval(arn, group, None if version is None else str(version))


def _model_data_url(package: Mapping[str, Any]) -> str | None:
    containers = (package.get("InferenceSpecification") or {}).get("Containers") or []
    if not containers or not isinstance(containers[0], Mapping):
        return None
    url = containers[0].get("ModelDataUrl")
    return url if isinstance(url, str) else None


def _registered_version(package: Mapping[str, Any]) -> RegisteredVersion | None:
    metadata = package.get("CustomerMetadataProperties") or {}
    name, version = metadata.get(MLFLOW_NAME_KEY), metadata.get(MLFLOW_VERSION_KEY)
    if not isinstance(name, str) or not name or not str(version or "").isdigit():
        return None
    return RegisteredVersion(name, str(version))


def approval_for(event: Any, settings: Settings) -> Approval | str:
    """The approval this function should deploy, or why the event is to be ignored."""
    approval = parse_event(event)
    if isinstance(approval, Approval) and settings.group and approval.group != settings.group:
        return (
            f"the package belongs to group {approval.group!r}, this function deploys "
            f"{settings.group!r}"
        )
    return approval


def deploy(
    event: Any, settings: Settings, sagemaker: Any, lambda_: Any, registry: Registry
) -> dict[str, Any]:
    """Handle one event with the given clients; returns what was done (and logs it)."""
    approval = approval_for(event, settings)
    if isinstance(approval, str):
        return _ignored(approval)

    package = sagemaker.describe_model_package(ModelPackageName=approval.package_arn)
    if package.get("ModelApprovalStatus") != APPROVED:
        return _ignored(
            f"{approval.package_arn} is {package.get('ModelApprovalStatus')!r} now, "
            "no longer Approved"
        )
    if settings.group and package.get("ModelPackageGroupName") != settings.group:
        return _ignored(f"{approval.package_arn} is not in group {settings.group!r}")
    if package.get("ModelPackageStatus") in UNUSABLE_PACKAGE_STATUSES:
        return _ignored(f"{approval.package_arn} is {package['ModelPackageStatus']}")

    model_uri = _model_data_url(package)
    if not model_uri or not model_uri.startswith("s3://"):
        raise DeploymentRefused(f"{approval.package_arn} has no s3:// ModelDataUrl to serve")
    if settings.model_uri_prefix and not model_uri.startswith(settings.model_uri_prefix):
        raise DeploymentRefused(
            f"{approval.package_arn}: its model {model_uri} is not under "
            f"{settings.model_uri_prefix}, which is all the scoring function may read"
        )
    version = package.get("ModelPackageVersion")
    version = str(version) if version is not None else approval.version
    if not version:
        raise DeploymentRefused(f"{approval.package_arn} has no version")
    registered = _registered_version(package)
    if registered is None:
        raise DeploymentRefused(
            f"{approval.package_arn} names no MLflow version ({MLFLOW_NAME_KEY}, "
            f"{MLFLOW_VERSION_KEY}): the champion alias could not follow it"
        )

    configuration = lambda_.get_function_configuration(FunctionName=settings.function_name)
    environment = configuration.get("Environment") or {}
    if environment.get("Error"):
        # Without its variables (e.g. KMS denied the decryption), an update would wipe them.
        error = environment["Error"]
        raise RuntimeError(
            f"cannot read {settings.function_name}'s environment: "
            f"{error.get('ErrorCode')}: {error.get('Message')}"
        )
    variables = dict(environment.get("Variables") or {})
    fields = {
        "function": settings.function_name,
        "model_package": approval.package_arn,
        "model_uri": model_uri,
        "model_version": version,
        "champion": f"{registered.name} version {registered.version}",
    }
    if (
        variables.get(MODEL_URI_VARIABLE) == model_uri
        and variables.get(MODEL_VERSION_VARIABLE) == version
    ):
        registry.promote(registered.name, registered.version)  # again: a retry may need it
        _log(logging.INFO, "the function already serves this model", outcome="unchanged", **fields)
        return {"outcome": "unchanged", **fields}

    previous = {
        "previous_model_uri": variables.get(MODEL_URI_VARIABLE, ""),
        "previous_model_version": variables.get(MODEL_VERSION_VARIABLE, ""),
    }
    variables[MODEL_URI_VARIABLE] = model_uri
    variables[MODEL_VERSION_VARIABLE] = version
    update: dict[str, Any] = {
        "FunctionName": settings.function_name,
        "Environment": {"Variables": variables},
    }
    if configuration.get("RevisionId"):
        update["RevisionId"] = configuration["RevisionId"]
    lambda_.update_function_configuration(**update)
    previous["previous_champion_version"] = registry.promote(registered.name, registered.version)
    _log(logging.INFO, "deployed the approved model", outcome="deployed", **fields, **previous)
    return {"outcome": "deployed", **fields, **previous}


def _ignored(reason: str) -> dict[str, Any]:
    _log(logging.WARNING, "event ignored", outcome="ignored", reason=reason)
    return {"outcome": "ignored", "reason": reason}


def handler(event: Any, context: Any = None) -> dict[str, Any]:
    """Lambda entry point (EventBridge target)."""
    settings = Settings.from_env(os.environ)
    approval = approval_for(event, settings)
    if isinstance(approval, str):  # no client is created to ignore an event
        return _ignored(approval)
    return deploy(event, settings, client("sagemaker"), client("lambda"), registry(settings))


def registry(settings: Settings) -> Registry:
    """The managed tracking server's registry, with this function's credentials."""
    from deploy.mlflow_registry import MlflowRegistry

    if "registry" not in _clients:
        import boto3

        credentials = boto3.Session().get_credentials()
        _clients["registry"] = MlflowRegistry.for_tracking_server(
            settings.tracking_server_arn, credentials
        )
    return _clients["registry"]
