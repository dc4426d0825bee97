"""Where the retraining DAG runs and what it runs on: read once from ``MATCH_*`` variables.

The DAG runs where the project is not installed (Amazon MWAA, an EC2 instance), so it does not
import ``pipelines.config``; it reads the same variable names, with the same defaults
(``MATCH_PIPELINE_NAME``, ``MATCH_BUCKET_PREFIX``, ``MATCH_REGION``, ``MATCH_DATASET``,
``MATCH_LAKE_DIR``), and a few of its own:

- ``MATCH_AIRFLOW_TARGET``: ``aws`` (default: start the SageMaker pipeline) or ``local`` (run
  ``python -m pipelines.run --target local`` in the project's folder, on its local lake);
- ``MATCH_AIRFLOW_SCHEDULE``: a cron expression, or ``none`` for manual runs only (default: weekly
  on Monday at 05:00 UTC on AWS, manual locally);
- ``MATCH_RAW_SOURCE_URI``: where new raw exports land, synced into a versioned snapshot before
  each AWS run (default ``s3://<prefix>-raw/landing/<dataset>/``);
- ``MATCH_STUDIO_DOMAIN_ID``: the SageMaker Studio domain the report links the execution in;
- ``MATCH_AWS_CONN_ID``: the Airflow connection for AWS (default ``aws_default``; without such a
  connection boto3's own chain is used: the instance or MWAA execution role);
- ``MATCH_PROJECT_DIR``, ``MATCH_PYTHON``: the checkout and the Python (its ``.venv``) that
  run the local target (default: the folder above the DAGs folder and its ``.venv``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

TARGETS = ("aws", "local")
DEFAULT_SCHEDULES = {"aws": "0 5 * * 1", "local": None}
NO_SCHEDULE = {"", "none", "manual"}
CRON = re.compile(r"^(@\w+|(\S+\s+){4}\S+)$")


class SettingsError(ValueError):
    """A ``MATCH_*`` variable has a value the DAG cannot use; the message names it."""


@dataclass(frozen=True)
class DagSettings:
    target: str
    pipeline_name: str
    bucket_prefix: str
    dataset: str
    region: str | None
    schedule: str | None
    source_uri: str
    studio_domain_id: str
    aws_conn_id: str
    project_dir: Path
    python: Path
    lake_dir: Path

    @property
    def raw_bucket(self) -> str:
        return f"{self.bucket_prefix}-raw"


def _schedule(value: str | None, target: str) -> str | None:
    if value is None:
        return DEFAULT_SCHEDULES[target]
    if value.strip().lower() in NO_SCHEDULE:
        return None
    if not CRON.match(value.strip()):
        raise SettingsError(
            f"MATCH_AIRFLOW_SCHEDULE={value!r} is not a cron expression (or 'none' for manual runs)"
        )
    return value.strip()


def load_settings(environ: Mapping[str, str], dags_folder: Path) -> DagSettings:
    """The DAG's settings from ``environ``; ``dags_folder`` is the folder holding the DAG file."""
    target = environ.get("MATCH_AIRFLOW_TARGET", "aws").strip().lower()
    if target not in TARGETS:
        raise SettingsError(f"MATCH_AIRFLOW_TARGET={target!r}: use one of {', '.join(TARGETS)}")
    bucket_prefix = environ.get("MATCH_BUCKET_PREFIX", "datathon-mlet03")
    dataset = environ.get("MATCH_DATASET", "decision")
    project_dir = Path(environ.get("MATCH_PROJECT_DIR") or dags_folder.parent).resolve()
    source_uri = environ.get("MATCH_RAW_SOURCE_URI") or (
        f"s3://{bucket_prefix}-raw/landing/{dataset}/"
    )
    if not source_uri.startswith("s3://"):
        raise SettingsError(f"MATCH_RAW_SOURCE_URI={source_uri!r} is not an s3:// URI")
    return DagSettings(
        target=target,
        pipeline_name=environ.get("MATCH_PIPELINE_NAME", "datathon-mlet03-match"),
        bucket_prefix=bucket_prefix,
        dataset=dataset,
        region=environ.get("MATCH_REGION") or None,
        schedule=_schedule(environ.get("MATCH_AIRFLOW_SCHEDULE"), target),
        source_uri=source_uri,
        studio_domain_id=environ.get("MATCH_STUDIO_DOMAIN_ID", ""),
        aws_conn_id=environ.get("MATCH_AWS_CONN_ID", "aws_default"),
        project_dir=project_dir,
        python=Path(environ.get("MATCH_PYTHON") or project_dir / ".venv" / "bin" / "python"),
        lake_dir=Path(environ.get("MATCH_LAKE_DIR") or project_dir / ".lake"),
    )


def current_settings(dags_folder: Path) -> DagSettings:
    return load_settings(os.environ, dags_folder)
