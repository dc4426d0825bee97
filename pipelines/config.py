"""Typed settings: the one place where names, paths and AWS identifiers come from.

Defaults make the local run work with nothing set. Every field can be overridden by an
environment variable prefixed ``MATCH_`` (for example ``MATCH_BUCKET_PREFIX``,
``MATCH_ROLE_ARN``, ``MATCH_REGION``). Nothing else in the project hard-codes a bucket, an
account id or an ARN.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_ROLE_ARN = "arn:aws:iam::000000000000:role/datathon-mlet03-sagemaker-execution"

Target = Literal["local", "aws"]


class Settings(BaseSettings):
    """Settings for compiling and running the pipeline."""

    model_config = SettingsConfigDict(env_prefix="MATCH_", extra="ignore")

    pipeline_name: str = "datathon-mlet03-match"
    bucket_prefix: str = "datathon-mlet03"
    region: str = "us-east-1"
    dataset: str = Field(
        default="decision", description="folder of the raw lake holding one data set"
    )
    model_name: str = Field(default="datathon-mlet03-match", description="registered model name")
    input_data_url: str = Field(
        default="",
        description="InputDataUrl's default in the compiled definition (on AWS, the data "
        "snapshot the runner synced last); empty: s3://<raw bucket>/<dataset>",
    )

    # AWS identity; placeholders are fine for the local target, required for the AWS one.
    role_arn: str = PLACEHOLDER_ROLE_ARN
    steps_image_uri: str = Field(default="", description="ECR URI of the CPU step image")
    training_image_uri: str = Field(default="", description="ECR URI of the GPU training image")
    serving_image_uri: str = Field(
        default="", description="ECR URI of the serving image, named in model packages"
    )
    model_package_group: str = Field(
        default="", description="SageMaker model package group (default: model_name)"
    )
    processing_instance_type: str = "ml.m5.xlarge"
    training_instance_type: str = "ml.g4dn.xlarge"
    training_device: str = "gpu"
    mlflow_tracking_uri: str = ""

    # Local target.
    lake_dir: Path = PROJECT_ROOT / ".lake"
    keep_executions: int = Field(
        default=10, ge=0, description="local executions kept after a run; 0 keeps every one"
    )
    mlflow_dir: Path = PROJECT_ROOT / ".mlflow"
    build_dir: Path = PROJECT_ROOT / "build"
    local_parallel_steps: int = Field(
        default=0,
        ge=0,
        description="steps the local executor runs at once when they do not depend on each "
        "other; 0: one per CPU core, at least 2 and at most 4",
    )

    local_fork_server: bool = Field(
        default=True,
        description="start the local jobs from a process that has pandas, LightGBM and MLflow "
        "imported already (pipelines/local/forkserver.py); false: every job a fresh Python",
    )

    def parallel_steps(self) -> int:
        """``local_parallel_steps``, with 0 read as the machine's cores (2 to 4)."""
        if self.local_parallel_steps:
            return self.local_parallel_steps
        return min(4, max(2, os.cpu_count() or 1))

    @property
    def raw_bucket(self) -> str:
        return f"{self.bucket_prefix}-raw"

    @property
    def dataset_uri(self) -> str:
        """Where the data set lives in the raw bucket (locally: where the demo data goes)."""
        return f"s3://{self.raw_bucket}/{self.dataset}"

    @property
    def curated_bucket(self) -> str:
        return f"{self.bucket_prefix}-curated"

    @property
    def artifacts_bucket(self) -> str:
        return f"{self.bucket_prefix}-artifacts"

    def local_tracking_uri(self) -> str:
        """MLflow on a SQLite file under the project's folder."""
        return f"sqlite:///{(self.mlflow_dir / 'mlflow.db').resolve()}"

    def local_tracking_store_id(self) -> str:
        """An id of the local MLflow store, made with it (``<mlflow_dir>/store-id``).

        The local Train step carries it, so that its cache key changes when the store is
        removed: a cached training step never hands on a run the store no longer holds.
        """
        path = self.mlflow_dir / "store-id"
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        store_id = uuid.uuid4().hex
        path.write_text(store_id + "\n")
        return store_id

    @property
    def package_group(self) -> str:
        return self.model_package_group or self.model_name

    @property
    def offline_store_uri(self) -> str:
        """Where SageMaker Feature Store writes the offline store (the curated bucket)."""
        return f"s3://{self.curated_bucket}/feature-store-offline"

    def require_aws(self) -> None:
        """Raise ``MissingSettingError`` for the first setting the AWS target lacks."""
        if self.role_arn == PLACEHOLDER_ROLE_ARN or not self.role_arn.startswith("arn:"):
            raise MissingSettingError(
                "MATCH_ROLE_ARN", "the SageMaker execution role's ARN (terraform output)"
            )
        for variable, value, what in (
            ("MATCH_STEPS_IMAGE_URI", self.steps_image_uri, "the CPU step image's ECR URI"),
            (
                "MATCH_TRAINING_IMAGE_URI",
                self.training_image_uri,
                "the GPU training image's ECR URI",
            ),
        ):
            if not value:
                raise MissingSettingError(variable, what)
        self.tracking_uri_for("aws")

    def tracking_uri_for(self, target: Target) -> str:
        if self.mlflow_tracking_uri:
            return self.mlflow_tracking_uri
        if target == "local":
            return self.local_tracking_uri()
        raise MissingSettingError(
            "MATCH_MLFLOW_TRACKING_URI",
            "the ARN of the SageMaker managed MLflow tracking server",
        )


class MissingSettingError(RuntimeError):
    """A setting the chosen target needs is not set; the message says which and how."""

    def __init__(self, variable: str, what: str) -> None:
        super().__init__(f"{variable} is not set: set it to {what}.")
        self.variable = variable


def load_settings() -> Settings:
    """Read the settings once, from the environment over the defaults."""
    return Settings()
