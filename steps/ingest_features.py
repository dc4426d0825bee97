"""Feature ingestion step: job and applicant profiles into the feature store.

Reads ``profiles/jobs.parquet`` and ``profiles/applicants.parquet`` from the preprocessing
step and writes them to two feature groups, ``<prefix>-jobs`` and ``<prefix>-applicants``.
With the local backend the store is a folder: the pipeline hands the current store in
(``--store-in``) and takes the updated one out (``--store-out``). With the SageMaker backend
the groups live in SageMaker Feature Store (created on first use, their offline store under
``--offline-store-uri``, written by ``--role-arn``) and the step needs no store folder.
Idempotent. Writes ``ingestion_report.json`` with what was written, unchanged and failed per
group; exits 5 when more than ``--max-failed-share`` of the records failed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

import pandas as pd

from featurestore.local import LocalFeatureStore
from featurestore.sagemaker import (
    FeatureStoreError,
    SageMakerFeatureStore,
    sagemaker_feature_store,
)
from featurestore.spec import FeatureGroupError, IngestionReport, spec_from_frame
from featurestore.store import FeatureStore

GROUPS = (("jobs", "job_code"), ("applicants", "applicant_code"))
EXIT_BAD_INPUT = 2
EXIT_STORE_ERROR = 3
EXIT_FAILED_RECORDS = 5


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles-dir", default="/opt/ml/processing/input/profiles")
    parser.add_argument("--report-dir", default="/opt/ml/processing/output/report")
    parser.add_argument("--backend", choices=["local", "sagemaker"], default="local")
    parser.add_argument("--group-prefix", default="datathon-mlet03-match")
    local = parser.add_argument_group("local backend")
    local.add_argument("--store-in", default="/opt/ml/processing/input/store")
    local.add_argument("--store-out", default="/opt/ml/processing/output/store")
    aws = parser.add_argument_group("sagemaker backend")
    aws.add_argument("--offline-store-uri", help="s3:// prefix of new groups' offline store")
    aws.add_argument("--role-arn", help="role SageMaker writes new groups' offline store with")
    aws.add_argument(
        "--region",
        default=os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION"),
        help="AWS region (default: AWS_DEFAULT_REGION, else AWS_REGION)",
    )
    parser.add_argument(
        "--max-failed-share",
        type=float,
        default=0.01,
        help="fail the step when more than this share of records cannot be ingested",
    )
    return parser.parse_args(argv)


def declared_types(kind: str) -> dict[str, str]:
    """Profile field types as `features` declares them (inferred from the data when absent)."""
    import features.profiles as profiles

    return dict(getattr(profiles, f"{kind[:-1].upper()}_PROFILE_FIELDS", {}))


#: Files the local store never writes in place (a batch gets a new name; a compaction writes a
#: new file and renames it over): the store handed out links them to the ones handed in rather
#: than copying them, thousands of files at the published data's size. The SQLite online store
#: is written in place: it is copied.
LINKED_SUFFIXES = (".parquet",)


def _link_or_copy(source: str, target: str) -> str:
    if source.endswith(LINKED_SUFFIXES):
        try:
            os.link(source, target)
            return target
        except OSError:
            pass  # another file system, or a file there already: copied
    return shutil.copy2(source, target)


def prepare_store(store_in: Path, store_out: Path) -> Path:
    """The store to update: the one handed in, at the output's place (see LINKED_SUFFIXES)."""
    if store_in.exists() and store_in.resolve() != store_out.resolve():
        shutil.copytree(store_in, store_out, dirs_exist_ok=True, copy_function=_link_or_copy)
    store_out.mkdir(parents=True, exist_ok=True)
    return store_out


def backend_problem(args: argparse.Namespace) -> str | None:
    """What the chosen backend's arguments lack, in one line; None when nothing."""
    if args.backend != "sagemaker":
        return None
    needed = {"--offline-store-uri": args.offline_store_uri, "--role-arn": args.role_arn}
    missing = [flag for flag, value in needed.items() if not value]
    if missing:
        return f"--backend sagemaker needs {' and '.join(missing)}"
    if not args.offline_store_uri.startswith("s3://"):
        return f"--offline-store-uri must be an s3:// URI, not {args.offline_store_uri!r}"
    return None


def open_store(args: argparse.Namespace) -> LocalFeatureStore | SageMakerFeatureStore:
    """The store the arguments name: a local folder (copied in) or SageMaker Feature Store."""
    if args.backend == "sagemaker":
        return sagemaker_feature_store(args.offline_store_uri, args.role_arn, args.region)
    return LocalFeatureStore(prepare_store(Path(args.store_in), Path(args.store_out)))


def ingest_all(store: FeatureStore, profiles_dir: Path, prefix: str) -> list[IngestionReport]:
    reports = []
    for kind, record_id in GROUPS:
        frame = pd.read_parquet(profiles_dir / f"{kind}.parquet")
        spec = spec_from_frame(f"{prefix}-{kind}", frame, record_id, declared=declared_types(kind))
        store.ensure_group(spec)
        report = store.ingest(spec, frame)
        print(
            f"{spec.name}: {report.received} received, {report.written} written, "
            f"{report.unchanged} unchanged, {len(report.failed)} failed"
        )
        reports.append(report)
    return reports


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    problem = backend_problem(args)
    if problem:
        print(f"ERROR: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        store = open_store(args)
        try:
            reports = ingest_all(store, Path(args.profiles_dir), args.group_prefix)
        finally:
            store.close()
    except (FileNotFoundError, FeatureGroupError) as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except FeatureStoreError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return EXIT_STORE_ERROR
    out = Path(args.report_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = {"backend": args.backend, "groups": [r.as_dict() for r in reports]}
    (out / "ingestion_report.json").write_text(json.dumps(summary, indent=2, sort_keys=True))
    received = sum(r.received for r in reports)
    failed = sum(len(r.failed) for r in reports)
    if received and failed / received > args.max_failed_share:
        print(
            f"ERROR: {failed} of {received} records failed ingestion (over "
            f"{args.max_failed_share:.0%}); see ingestion_report.json",
            file=sys.stderr,
        )
        return EXIT_FAILED_RECORDS
    return 0


if __name__ == "__main__":
    sys.exit(main())
