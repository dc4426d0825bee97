"""Registration step: a new version in the MLflow model registry, champion alias when approved.

Runs only on the condition's true branch. Idempotent: a model already registered from the same
training run is not registered twice; its version is reused and its approval status updated
(a pending re-run keeps an approval or rejection made since; `tracking.registry`).
On AWS (``--model-package-group`` given) it also creates a SageMaker model package in that
group, found again by the training run id on a re-run: approving it in SageMaker Studio is what
drives deployment. Writes ``registration.json`` (name, version, approval status, champion or
not, model data URL, model package ARN and group).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from steps import model_package
from steps.model_files import ModelFilesError, load_model_dir, unpack_model_archive
from tracking import connection, registry

APPROVAL_STATUSES = model_package.APPROVAL_STATUSES
EXIT_BAD_INPUT = 2
PACKAGE_GROUP_DESCRIPTION = "Candidate-job match scorer (model packages from the pipeline)"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", default="/opt/ml/processing/input/model")
    parser.add_argument("--evaluation-dir", default="/opt/ml/processing/input/evaluation")
    parser.add_argument("--output-dir", default="/opt/ml/processing/output/registration")
    parser.add_argument("--model-name", default="datathon-mlet03-match")
    parser.add_argument("--approval-status", default="PendingManualApproval")
    parser.add_argument("--model-data-url", default="")
    parser.add_argument(
        "--model-package-group", default="", help="SageMaker model package group; empty: skip"
    )
    parser.add_argument(
        "--evaluation-uri", default="", help="S3 prefix of the evaluation output (evaluation.json)"
    )
    parser.add_argument("--inference-image-uri", default="", help="ECR URI of the serving image")
    parser.add_argument(
        "--region", default=os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION", "")
    )
    return parser.parse_args(argv)


def sagemaker_client(region: str):
    """The SageMaker client for the model package calls (tests replace this function)."""
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 5})
    return boto3.client("sagemaker", region_name=region, config=config)


def package_arguments_problem(args: argparse.Namespace) -> str | None:
    """What is missing for a model package, checked before anything is registered."""
    if not args.model_package_group:
        return None
    if not args.evaluation_uri.startswith("s3://"):
        return "--evaluation-uri (the evaluation output's s3:// prefix) is required with a group"
    if not args.model_data_url.startswith("s3://"):
        return "--model-data-url (the model.tar.gz on S3) is required with a group"
    if not args.region:
        return "no region: pass --region or set AWS_DEFAULT_REGION"
    return None


def package_metadata(info: registry.ModelVersionInfo, metadata: dict, test_auc) -> dict:
    return {
        model_package.RUN_ID_KEY: info.run_id or "",
        "mlflow_model_name": info.name,
        "mlflow_model_version": info.version,
        "data_version": metadata.get("data_version", ""),
        "code_version": metadata.get("code_version", ""),
        "test_auc": f"{test_auc:.6f}" if isinstance(test_auc, float) else "",
    }


def register_package(
    args: argparse.Namespace, info: registry.ModelVersionInfo, metadata: dict, test_auc
) -> model_package.PackageResult:
    """Ensure the group, then find (or create) the run's package in it."""
    from botocore.exceptions import BotoCoreError

    try:
        client = sagemaker_client(args.region)
    except (BotoCoreError, ValueError) as error:
        message = f"cannot build a SageMaker client for region {args.region!r}: {error}"
        raise model_package.ModelPackageError(message) from error
    model_package.ensure_model_package_group(
        client, args.model_package_group, PACKAGE_GROUP_DESCRIPTION
    )
    spec = model_package.PackageSpec(
        group=args.model_package_group,
        model_data_url=args.model_data_url,
        approval_status=args.approval_status,
        evaluation_s3_uri=args.evaluation_uri,
        image_uri=args.inference_image_uri,
        metadata=package_metadata(info, metadata, test_auc),
        description=(
            f"{info.name} version {info.version}, {model_package.run_marker(info.run_id or '')}"
        ),
    )
    return model_package.ensure_model_package(client, spec)


def version_tags(
    approval_status: str, evaluation: dict, model_data_url: str, metadata: dict
) -> dict:
    metrics = evaluation.get("metrics", {})
    tags = {
        "approval_status": approval_status,
        "model_data_url": model_data_url,
        "data_version": metadata.get("data_version", ""),
        "code_version": metadata.get("code_version", ""),
    }
    tags |= {f"test_{k}": f"{v:.6f}" for k, v in metrics.items() if isinstance(v, float)}
    return tags


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.approval_status not in APPROVAL_STATUSES:
        print(f"ERROR: --approval-status must be one of {APPROVAL_STATUSES}", file=sys.stderr)
        return EXIT_BAD_INPUT
    problem = package_arguments_problem(args)
    if problem:
        print(f"ERROR: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    with tempfile.TemporaryDirectory() as tmp:
        try:
            model = load_model_dir(unpack_model_archive(Path(args.model_dir), Path(tmp)))
            evaluation = json.loads((Path(args.evaluation_dir) / "evaluation.json").read_text())
        except (OSError, json.JSONDecodeError, ModelFilesError) as error:
            print(f"ERROR: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
    run_id = model.metadata.get("mlflow_run_id")
    if not run_id:
        print("ERROR: the model's metadata has no MLflow run id to register", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        run_exists = registry.run_exists(run_id)
    except connection.TrackingNotConfiguredError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not run_exists:
        print(f"ERROR: {registry.missing_run_message(run_id)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    tags = version_tags(args.approval_status, evaluation, args.model_data_url, model.metadata)
    test_auc = evaluation.get("metrics", {}).get("auc")
    try:
        info, champion = registry.register_version(
            args.model_name, run_id, tags, args.approval_status
        )
        package = (
            register_package(args, info, model.metadata, test_auc)
            if args.model_package_group
            else None
        )
    except (connection.TrackingNotConfiguredError, model_package.ModelPackageError) as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    approval_status = info.tags.get(registry.APPROVAL_TAG, args.approval_status)
    result = {
        "model_name": info.name,
        "version": info.version,
        "approval_status": approval_status,
        "champion": champion,
        "mlflow_run_id": run_id,
        "model_data_url": args.model_data_url,
        "test_auc": test_auc,
        "model_package_group": args.model_package_group or None,
        "model_package_arn": package.arn if package else None,
        "model_package_approval_status": package.approval_status if package else None,
    }
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "registration.json").write_text(json.dumps(result, indent=2, sort_keys=True))
    print(
        f"registered {info.name} version {info.version} ({approval_status})"
        + (", the champion" if champion else "")
    )
    if package:
        action = "created" if package.created else "already registered"
        if package.status_updated:
            action += ", approval status updated"
        print(f"model package {package.arn} ({package.approval_status}; {action})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
