"""MLflow tracking and registry, the same calls locally (SQLite file) and on AWS.

On AWS the tracking URI is the ARN of a SageMaker managed MLflow tracking server
(``arn:aws:sagemaker:<region>:<account>:mlflow-tracking-server/<name>``, or an ``mlflow-app``).
MLflow has no store for the ``arn`` scheme of its own: the ``sagemaker-mlflow`` plugin,
installed with the project, registers one through entry points (tracking and registry stores,
a SigV4 request-auth provider, a header provider naming the server) and artifacts go to the
server's S3 location. Locally the URI is a SQLite file under the project's folder, with
artifacts in a folder beside it. The registry (versions, approvals, the champion) is
`tracking.registry`.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tracking.registry import ModelVersionInfo

MANAGED_RESOURCE_TYPES = ("mlflow-tracking-server", "mlflow-app")
# The partitions the plugin knows (it builds the endpoint from the ARN's region).
MANAGED_SERVER_ARN = re.compile(
    r"^arn:aws(-us-gov)?:sagemaker:[a-z0-9-]+:[0-9]{12}:(mlflow-tracking-server|mlflow-app)/\S+$"
)
PLUGIN_PACKAGE = "sagemaker-mlflow"
PLUGIN_MODULE = "sagemaker_mlflow"
# MLflow finds stores for a URI scheme through these entry point groups.
PLUGIN_ENTRY_POINT_GROUPS = ("mlflow.tracking_store", "mlflow.model_registry_store")


class TrackingNotConfiguredError(RuntimeError):
    """MLFLOW_TRACKING_URI is not set, or names a server this environment cannot reach."""


def tracking_uri() -> str:
    uri = os.environ.get("MLFLOW_TRACKING_URI", "")
    if not uri:
        raise TrackingNotConfiguredError(
            "MLFLOW_TRACKING_URI is not set: the pipeline passes it to every step that tracks."
        )
    return uri


def is_managed_server(uri: str) -> bool:
    """True for the ARN of a SageMaker managed MLflow tracking server (or MLflow app)."""
    return MANAGED_SERVER_ARN.match(uri) is not None


def managed_server_plugin_problem() -> str | None:
    """Why MLflow could not reach a managed server from here, or None when it can."""
    hint = f"install {PLUGIN_PACKAGE} (pip install {PLUGIN_PACKAGE}) in this environment"
    if importlib.util.find_spec(PLUGIN_MODULE) is None:
        return f"the tracking URI is a SageMaker MLflow ARN but {PLUGIN_PACKAGE} is missing: {hint}"
    for group in PLUGIN_ENTRY_POINT_GROUPS:
        if not importlib.metadata.entry_points(group=group, name="arn"):
            return (
                f"the tracking URI is a SageMaker MLflow ARN but no MLflow plugin registers the "
                f"'arn' scheme ({group}): {hint}"
            )
    return None


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
    elif uri.startswith("arn:"):
        if not is_managed_server(uri):
            raise TrackingNotConfiguredError(
                f"MLFLOW_TRACKING_URI {uri} is not the ARN of a SageMaker MLflow tracking server "
                "(arn:aws:sagemaker:<region>:<account>:mlflow-tracking-server/<name>)"
            )
        problem = managed_server_plugin_problem()
        if problem:
            raise TrackingNotConfiguredError(problem)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return uri


def ensure_experiment(name: str) -> str:
    """The experiment's id, creating it (with a local artifact root where it applies).

    A managed server chooses the artifact location itself (its S3 artifact store): no
    location is passed for an ARN.
    """
    import mlflow

    uri = configure()
    existing = mlflow.get_experiment_by_name(name)
    if existing is not None:
        return existing.experiment_id
    location = None if is_managed_server(uri) else local_artifact_root(uri)
    return mlflow.create_experiment(name, artifact_location=location)


def download_version(info: ModelVersionInfo, destination: Path) -> Path:
    """Download a registered version's model directory (model.txt, feature list, metadata)."""
    import mlflow

    configure()
    destination.mkdir(parents=True, exist_ok=True)
    local = mlflow.artifacts.download_artifacts(
        artifact_uri=f"runs:/{info.run_id}/model_dir", dst_path=str(destination)
    )
    return Path(local)
