"""The MLflow model registry: versions, their approval status, and the champion.

"Champion" means one thing everywhere: the approved version that serving runs. It is the
registered model's ``champion`` alias, which moves only on approval:

- the Register step, when the pipeline ran with ``ModelApprovalStatus=Approved`` (the local
  default);
- ``python -m pipelines.approve VERSION`` (``make approve``) locally, the equivalent of
  approving a model package in SageMaker Studio;
- on AWS, ``deploy/on_approval.py``, which EventBridge calls when a model package is approved in
  Studio: it points the scoring function at the package and moves the alias with it.

A registered model without the alias (every version still pending) has no champion; MLflow
answers the alias lookup with INVALID_PARAMETER_VALUE, not "not found", so the champion is read
from the registered model's aliases instead of being asked for by alias.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracking import connection

CHAMPION_ALIAS = "champion"
APPROVED = "Approved"
PENDING = "PendingManualApproval"
REJECTED = "Rejected"
APPROVAL_TAG = "approval_status"
DECIDED = (APPROVED, REJECTED)
MISSING_CODES = ("RESOURCE_DOES_NOT_EXIST",)


@dataclass(frozen=True)
class ModelVersionInfo:
    name: str
    version: str
    run_id: str | None
    source: str
    tags: dict[str, str]


class VersionNotFoundError(LookupError):
    """The registered model, or the version asked for, does not exist."""


def _client():
    from mlflow import MlflowClient

    connection.configure()
    return MlflowClient()


def _missing(error) -> bool:
    return error.get_http_status_code() == 404 or str(error.error_code) in MISSING_CODES


def _registered_model(client, model_name: str):
    from mlflow.exceptions import MlflowException

    try:
        return client.get_registered_model(model_name)
    except MlflowException as error:
        if _missing(error):
            return None
        raise


def _info(version) -> ModelVersionInfo:
    return ModelVersionInfo(
        name=version.name,
        version=str(version.version),
        run_id=version.run_id,
        source=version.source,
        tags=dict(version.tags or {}),
    )


def champion_version(model_name: str) -> str | None:
    """The version the champion alias points at; None without a registered model or alias."""
    model = _registered_model(_client(), model_name)
    if model is None:
        return None
    version = (model.aliases or {}).get(CHAMPION_ALIAS)
    return None if version is None else str(version)  # an int from some stores, a str from others


def champion(model_name: str) -> ModelVersionInfo | None:
    """The champion's version, or None when no version was approved yet."""
    version = champion_version(model_name)
    if version is None:
        return None
    return _info(_client().get_model_version(model_name, version))


def register_version(
    model_name: str, run_id: str, tags: dict[str, str], approval_status: str
) -> tuple[ModelVersionInfo, bool]:
    """Register (or find) the run's version and tag it; returns it and whether it is champion.

    ``Approved`` moves the champion alias to it. A re-run asking for ``PendingManualApproval``
    (the training step reused from the cache: the same run, the same version) keeps an approval
    or rejection made since: that decision is a person's, and drives what is served.
    """
    from mlflow.exceptions import MlflowException

    client = _client()
    if _registered_model(client, model_name) is None:
        try:
            client.create_registered_model(model_name, description="Candidate-job match scorer")
        except MlflowException:  # created meanwhile by a concurrent execution
            if _registered_model(client, model_name) is None:
                raise
    existing = client.search_model_versions(f"name='{model_name}' and run_id='{run_id}'")
    tags = dict(tags)
    if existing:
        version = existing[0]
        decided = (version.tags or {}).get(APPROVAL_TAG)
        if approval_status == PENDING and decided in DECIDED:
            tags[APPROVAL_TAG] = decided
        print(f"run {run_id} is already version {version.version}; updating its tags")
    else:
        version = client.create_model_version(
            model_name, source=f"runs:/{run_id}/model_dir", run_id=run_id, tags=tags
        )
    number = str(version.version)
    held = version.tags or {}  # a new version holds its tags from its creation
    for key, value in tags.items():
        if held.get(key) != value:
            client.set_model_version_tag(model_name, number, key, value)
    if approval_status == APPROVED:
        client.set_registered_model_alias(model_name, CHAMPION_ALIAS, number)
    info = ModelVersionInfo(model_name, number, run_id, version.source, tags)
    return info, champion_version(model_name) == number


def approve(model_name: str, version: str) -> tuple[ModelVersionInfo, str | None]:
    """Approve a version and make it the champion; returns it and the previous champion."""
    from mlflow.exceptions import MlflowException

    client = _client()
    try:
        found = client.get_model_version(model_name, str(version))
    except MlflowException as error:
        if _missing(error) or "INVALID_PARAMETER_VALUE" in str(error.error_code):
            raise VersionNotFoundError(
                f"{model_name} has no version {version}: {_versions_hint(client, model_name)}"
            ) from None
        raise
    previous = champion_version(model_name)
    client.set_model_version_tag(model_name, str(version), APPROVAL_TAG, APPROVED)
    client.set_registered_model_alias(model_name, CHAMPION_ALIAS, str(version))
    return _info(client.get_model_version(model_name, str(found.version))), previous


def _versions_hint(client, model_name: str) -> str:
    if _registered_model(client, model_name) is None:
        return "nothing is registered under that name yet (run the pipeline first)"
    versions = client.search_model_versions(f"name='{model_name}'")
    listed = ", ".join(
        f"{v.version} ({(v.tags or {}).get(APPROVAL_TAG, '?')})"
        for v in sorted(versions, key=lambda v: int(v.version))
    )
    return f"its versions are {listed or 'none'}"


def run_exists(run_id: str) -> bool:
    """Whether the tracking store still holds this run (a cached training step may outlive it)."""
    from mlflow.exceptions import MlflowException

    try:
        _client().get_run(run_id)
    except MlflowException as error:
        if _missing(error):
            return False
        raise
    return True


def missing_run_message(run_id: str) -> str:
    """What to tell when a model's training run is gone from the tracking store."""
    store = connection.tracking_uri()
    return (
        f"the model's MLflow run {run_id} is not in the tracking store {store}: "
        "the Train step was reused from the cache, or the run was deleted, so the model can be "
        "neither logged to nor registered from it. Train it again: locally "
        "`.venv/bin/python -m pipelines.run --no-cache` (a removed .mlflow/ folder is noticed "
        "without it); on SageMaker, start the pipeline with another NumBoostRound, or after "
        "the 30-day cache expired"
    )
