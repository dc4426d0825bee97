"""Registration step: a new version in the MLflow model registry, champion alias when approved.

Runs only on the condition's true branch. Idempotent: a model already registered from the same
training run is not registered twice; its version is reused and its approval status updated.
Writes ``registration.json`` (name, version, approval status, champion or not, model data URL).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import tracking
from steps.model_files import ModelFilesError, load_model_dir, unpack_model_archive

APPROVAL_STATUSES = ("Approved", "PendingManualApproval", "Rejected")
EXIT_BAD_INPUT = 2


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", default="/opt/ml/processing/input/model")
    parser.add_argument("--evaluation-dir", default="/opt/ml/processing/input/evaluation")
    parser.add_argument("--output-dir", default="/opt/ml/processing/output/registration")
    parser.add_argument("--model-name", default="datathon-mlet03-match")
    parser.add_argument("--approval-status", default="PendingManualApproval")
    parser.add_argument("--model-data-url", default="")
    return parser.parse_args(argv)


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


def register(
    model_name: str, run_id: str, tags: dict[str, str], approval_status: str
) -> tracking.ModelVersionInfo:
    """Register (or find) the run's model version, tag it, move the champion alias if approved."""
    import mlflow
    from mlflow import MlflowClient

    tracking.configure()
    client = MlflowClient()
    try:
        client.get_registered_model(model_name)
    except mlflow.exceptions.MlflowException:
        client.create_registered_model(model_name, description="Candidate-job match scorer")
    existing = client.search_model_versions(f"name='{model_name}' and run_id='{run_id}'")
    if existing:
        version = existing[0]
        print(f"run {run_id} is already version {version.version}; updating its tags")
    else:
        version = client.create_model_version(
            model_name, source=f"runs:/{run_id}/model_dir", run_id=run_id, tags=tags
        )
    for key, value in tags.items():
        client.set_model_version_tag(model_name, str(version.version), key, value)
    if approval_status == tracking.APPROVED:
        client.set_registered_model_alias(model_name, tracking.CHAMPION_ALIAS, str(version.version))
    return tracking.ModelVersionInfo(model_name, str(version.version), run_id, version.source, tags)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.approval_status not in APPROVAL_STATUSES:
        print(f"ERROR: --approval-status must be one of {APPROVAL_STATUSES}", file=sys.stderr)
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
    tags = version_tags(args.approval_status, evaluation, args.model_data_url, model.metadata)
    info = register(args.model_name, run_id, tags, args.approval_status)
    champion = args.approval_status == tracking.APPROVED
    result = {
        "model_name": info.name,
        "version": info.version,
        "approval_status": args.approval_status,
        "champion": champion,
        "mlflow_run_id": run_id,
        "model_data_url": args.model_data_url,
        "test_auc": evaluation.get("metrics", {}).get("auc"),
    }
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "registration.json").write_text(json.dumps(result, indent=2, sort_keys=True))
    print(
        f"registered {info.name} version {info.version} ({args.approval_status})"
        + (", now the champion" if champion else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
