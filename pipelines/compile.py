"""Compile the pipeline to the definition JSON that SageMaker receives.

The SDK runs inside moto's in-memory AWS, so compiling needs no account and no network, for
either target. The step code the SDK uploads is captured: for the local target it is copied to
the local lake, where the local executor finds it at the S3 URIs the definition names; for the
AWS target the runner uploads it to the artifacts bucket before upserting the pipeline.

Identical code and parameters give an identical definition: processing code already goes under
a content hash, and the training job's upload prefix (a timestamp in the SDK) is pinned to a
hash of the training code here. So ``compile_cached`` keeps the last compiles under
``build/compiled/`` keyed by everything a compile reads (the project's code, ``uv.lock``, the
settings, the target, the local MLflow store's id) and hands one back when none of it changed:
the SDK is not even imported then.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from pipelines.config import PROJECT_ROOT, Settings, Target
from pipelines.lake import Lake, write_atomically

# The project's library code: locally it plays the part of the step image, so its hash is the
# local image tag and a change to it invalidates cached steps.
IMAGE_SOURCES = ("cvtext", "features", "featurestore", "steps", "tracking", "training")
LOCAL_IMAGE_REPOSITORY = "local/datathon-mlet03-steps"
TELEMETRY_CONFIG = (
    "SchemaVersion: '1.0'\nSageMaker:\n  PythonSDK:\n    Modules:\n      TelemetryOptOut: true\n"
)
# "sagemaker.config" by name: the SDK sets it to INFO whenever its own level is unset.
QUIET_LOGGERS = ("sagemaker", "sagemaker.config", "botocore", "boto3", "urllib3", "moto")


#: Compiles kept per target under ``<build_dir>/compiled/`` (the newest; older ones go).
COMPILES_KEPT = 4


@dataclass(frozen=True)
class CompiledPipeline:
    """A compiled definition and what was uploaded with it."""

    definition: dict
    uploaded: dict[str, bytes]  # s3 uri -> content
    reused: bool = False  # taken from an earlier compile of the same inputs

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


def compile_inputs_key(settings: Settings, target: Target, root: Path = PROJECT_ROOT) -> str:
    """A hash of everything a compile reads: code, locked versions, settings, target, store id."""
    pipeline_code = list((root / "pipelines").rglob("*.py"))
    digest = hashlib.sha256(hash_files(pipeline_code + image_source_files(root), root).encode())
    for part in (
        target,
        settings.model_dump_json(),
        settings.local_tracking_store_id() if target == "local" else "",
        sys.version,
    ):
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()


def _compiled_path(settings: Settings, target: Target, key: str) -> Path:
    return settings.build_dir / "compiled" / f"{target}-{key[:32]}.json"


def _read_compiled(path: Path) -> CompiledPipeline | None:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        uploaded = {uri: base64.b64decode(data) for uri, data in body["uploaded"].items()}
        return CompiledPipeline(body["definition"], uploaded, reused=True)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # missing, or not a whole compile: compile again


def _keep_compiled(path: Path, target: Target, compiled: CompiledPipeline) -> None:
    body = {
        "definition": compiled.definition,
        "uploaded": {u: base64.b64encode(b).decode() for u, b in compiled.uploaded.items()},
    }
    write_atomically(path, json.dumps(body, sort_keys=True).encode("utf-8"))
    kept = sorted(path.parent.glob(f"{target}-*.json"), key=lambda p: p.stat().st_mtime)
    for old in kept[:-COMPILES_KEPT]:
        old.unlink(missing_ok=True)


def compile_cached(settings: Settings, target: Target = "local") -> CompiledPipeline:
    """The compile of these exact inputs, kept from an earlier run, or a fresh one (then kept)."""
    if target == "aws":
        settings.require_aws()
    key = compile_inputs_key(settings, target)
    path = _compiled_path(settings, target, key)
    kept = _read_compiled(path)
    if kept is not None:
        path.touch()  # the newest in use is the last to go
        return kept
    compiled = compile_pipeline(settings, target)
    _keep_compiled(path, target, compiled)
    return compiled


def write_definition(compiled: CompiledPipeline, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(compiled.to_json())
    return path


def publish_uploads(compiled: CompiledPipeline, lake: Lake) -> None:
    """Put the uploaded step code where the definition says it is, in the local lake."""
    for uri, body in compiled.uploaded.items():
        lake.write_bytes(uri, body)
