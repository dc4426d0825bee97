"""Compile the pipeline to the definition JSON that SageMaker receives.

The SDK runs inside moto's in-memory AWS, so compiling needs no account and no network, for
either target. The step code the SDK uploads is captured: for the local target it is copied to
the local lake, where the local executor finds it at the S3 URIs the definition names; for the
AWS target the runner uploads it to the artifacts bucket before upserting the pipeline.

Identical code and parameters give an identical definition: processing code already goes under
a content hash, and the training job's upload prefix (a timestamp in the SDK) is pinned to a
hash of the training code here.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from pipelines.config import PROJECT_ROOT, Settings, Target
from pipelines.lake import Lake

# The project's library code: locally it plays the part of the step image, so its hash is the
# local image tag and a change to it invalidates cached steps.
IMAGE_SOURCES = ("cvtext", "features", "featurestore", "steps", "tracking", "training")
LOCAL_IMAGE_REPOSITORY = "local/datathon-mlet03-steps"
TELEMETRY_CONFIG = (
    "SchemaVersion: '1.0'\nSageMaker:\n  PythonSDK:\n    Modules:\n      TelemetryOptOut: true\n"
)
# "sagemaker.config" by name: the SDK sets it to INFO whenever its own level is unset.
QUIET_LOGGERS = ("sagemaker", "sagemaker.config", "botocore", "boto3", "urllib3", "moto")


@dataclass(frozen=True)
class CompiledPipeline:
    """A compiled definition and what was uploaded with it."""

    definition: dict
    uploaded: dict[str, bytes]  # s3 uri -> content

    def to_json(self) -> str:
        return json.dumps(self.definition, indent=2, sort_keys=True) + "\n"


def hash_files(paths: list[Path], root: Path = PROJECT_ROOT) -> str:
    """A content hash of files, independent of where the checkout lives."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def image_source_files(root: Path = PROJECT_ROOT) -> list[Path]:
    files = [p for name in IMAGE_SOURCES for p in (root / name).rglob("*.py")]
    lock = root / "uv.lock"
    return files + ([lock] if lock.exists() else [])


def local_image_uri(root: Path = PROJECT_ROOT) -> str:
    return f"{LOCAL_IMAGE_REPOSITORY}:{hash_files(image_source_files(root), root)[:16]}"


def prepare_sdk_environment(settings: Settings) -> None:
    """Set what the SDK reads at import time.

    The SDK creates a boto3 client while importing (so a region must be set first) and reports
    usage unless its config opts out: no run here or in a customer's VPC should reach for that.
    """
    os.environ.setdefault("AWS_DEFAULT_REGION", settings.region)
    config = settings.build_dir / "sagemaker-config.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    if not config.exists() or config.read_text() != TELEMETRY_CONFIG:
        config.write_text(TELEMETRY_CONFIG)
    os.environ.setdefault("SAGEMAKER_USER_CONFIG_OVERRIDE", str(config))


def quiet_sdk_logging() -> None:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="Running within a PipelineSession")


@contextlib.contextmanager
def pinned_training_job_prefix(code_hash: str) -> Iterator[None]:
    """Make ModelTrainer upload its code under a content hash instead of a timestamp."""
    import sagemaker.train.model_trainer as model_trainer

    def unique_name(base: str, max_length: int = 63) -> str:
        return f"{base}-{code_hash[:12]}"[:max_length]

    with mock.patch.object(model_trainer, "_get_unique_name", unique_name):
        yield


@contextlib.contextmanager
def offline_aws(settings: Settings) -> Iterator[None]:
    """An in-memory AWS (moto) with the artifacts bucket the SDK uploads code to."""
    import boto3
    from moto import mock_aws

    env = {
        "AWS_DEFAULT_REGION": settings.region,
        "AWS_ACCESS_KEY_ID": "offline",
        "AWS_SECRET_ACCESS_KEY": "offline",
        "AWS_SESSION_TOKEN": "offline",
        "SAGEMAKER_VALIDATE_ROLE": "false",  # moto has no iam:SimulatePrincipalPolicy
    }
    with mock.patch.dict(os.environ, env), mock_aws():
        boto3.client("s3", region_name=settings.region).create_bucket(
            Bucket=settings.artifacts_bucket, **bucket_location(settings.region)
        )
        yield


def bucket_location(region: str) -> dict:
    """CreateBucket's location argument: S3 refuses one for us-east-1 and requires it elsewhere."""
    if region == "us-east-1":
        return {}
    return {"CreateBucketConfiguration": {"LocationConstraint": region}}


def _uploaded_objects(settings: Settings) -> dict[str, bytes]:
    import boto3

    s3 = boto3.client("s3", region_name=settings.region)
    objects: dict[str, bytes] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=settings.artifacts_bucket):
        for item in page.get("Contents", []):
            body = s3.get_object(Bucket=settings.artifacts_bucket, Key=item["Key"])["Body"].read()
            objects[f"s3://{settings.artifacts_bucket}/{item['Key']}"] = body
    return objects


def _compile(
    settings: Settings, target: Target, image: str, training_image: str
) -> CompiledPipeline:
    """Compile offline (moto): the SDK's code uploads are captured, not sent anywhere."""
    prepare_sdk_environment(settings)
    quiet_sdk_logging()
    training_code_hash = hash_files(sorted((PROJECT_ROOT / "training").rglob("*.py")))
    with offline_aws(settings):
        import boto3
        from sagemaker.core.workflow.pipeline_context import PipelineSession

        from pipelines.definition import get_pipeline

        quiet_sdk_logging()  # the SDK sets its own log levels on import

        with pinned_training_job_prefix(training_code_hash):
            session = PipelineSession(
                boto_session=boto3.Session(region_name=settings.region),
                default_bucket=settings.artifacts_bucket,
            )
            pipeline = get_pipeline(settings, target, session, image, training_image)
            definition = json.loads(pipeline.definition())
        uploaded = _uploaded_objects(settings)
    return CompiledPipeline(definition=definition, uploaded=uploaded)


def compile_local(settings: Settings) -> CompiledPipeline:
    """The local target: the project's own code is the step image."""
    image = local_image_uri()
    return _compile(settings, "local", image, image)


def compile_aws(settings: Settings) -> CompiledPipeline:
    """The AWS target: ECR images, the execution role, the managed MLflow server.

    Still compiled offline; the code the definition points at is in ``uploaded``, for the
    runner to put in the artifacts bucket before it upserts the pipeline.
    """
    settings.require_aws()
    return _compile(settings, "aws", settings.steps_image_uri, settings.training_image_uri)


def compile_pipeline(settings: Settings, target: Target = "local") -> CompiledPipeline:
    return compile_local(settings) if target == "local" else compile_aws(settings)


def write_definition(compiled: CompiledPipeline, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(compiled.to_json())
    return path


def publish_uploads(compiled: CompiledPipeline, lake: Lake) -> None:
    """Put the uploaded step code where the definition says it is, in the local lake."""
    for uri, body in compiled.uploaded.items():
        lake.write_bytes(uri, body)
