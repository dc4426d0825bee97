"""MLflow tracking and registry, the same calls locally (SQLite file) and on AWS.

On AWS the tracking URI is the ARN of a SageMaker managed MLflow tracking server; the
``sagemaker-mlflow`` plugin, installed with the project, signs the requests. Locally it is a
SQLite file under the project's folder, with artifacts in a folder beside it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CHAMPION_ALIAS = "champion"
APPROVED = "Approved"


class TrackingNotConfiguredError(RuntimeError):
    """MLFLOW_TRACKING_URI is not set for a step that needs the registry."""


@dataclass(frozen=True)
class ModelVersionInfo:
    name: str
    version: str
    run_id: str | None
    source: str
    tags: dict[str, str]


def tracking_uri() -> str:
    uri = os.environ.get("MLFLOW_TRACKING_URI", "")
    if not uri:
        raise TrackingNotConfiguredError(
            "MLFLOW_TRACKING_URI is not set: the pipeline passes it to every step that tracks."
        )
    return uri


def local_artifact_root(uri: str) -> str | None:
    """For a SQLite tracking store, keep artifacts in a folder beside the database file."""
    if not uri.startswith("sqlite:///"):
        return None
    database = Path(uri[len("sqlite:///") :])
    return (database.parent / "artifacts").resolve().as_uri()


def configure() -> str:
    """Point MLflow at the configured tracking URI (creating the local folder if needed)."""
    import mlflow

    uri = tracking_uri()
    if uri.startswith("sqlite:///"):
        Path(uri[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return uri


def ensure_experiment(name: str) -> str:
    """The experiment's id, creating it (with a local artifact root where it applies)."""
    import mlflow

    uri = configure()
    existing = mlflow.get_experiment_by_name(name)
    if existing is not None:
        return existing.experiment_id
    return mlflow.create_experiment(name, artifact_location=local_artifact_root(uri))


def _version_info(version) -> ModelVersionInfo:
    return ModelVersionInfo(
        name=version.name,
        version=str(version.version),
        run_id=version.run_id,
        source=version.source,
        tags=dict(version.tags or {}),
    )


def champion(model_name: str) -> ModelVersionInfo | None:
    """The version carrying the champion alias, or None when there is none yet."""
    from mlflow import MlflowClient
    from mlflow.exceptions import MlflowException

    configure()
    client = MlflowClient()
    try:
        return _version_info(client.get_model_version_by_alias(model_name, CHAMPION_ALIAS))
    except MlflowException as error:
        if error.get_http_status_code() == 404 or "RESOURCE_DOES_NOT_EXIST" in str(
            error.error_code
        ):
            return None
        raise


def download_version(info: ModelVersionInfo, destination: Path) -> Path:
    """Download a registered version's model directory (model.txt, feature list, metadata)."""
    import mlflow

    configure()
    destination.mkdir(parents=True, exist_ok=True)
    local = mlflow.artifacts.download_artifacts(
        artifact_uri=f"runs:/{info.run_id}/model_dir", dst_path=str(destination)
    )
    return Path(local)
