"""Approve a registered version locally: ``python -m pipelines.approve VERSION`` (``make approve``).

The local equivalent of approving a model package in SageMaker Studio: the version's approval
status becomes Approved and the registry's ``champion`` alias moves to it, so the next pipeline
run compares against it and ``make serve`` serves it. On AWS approval happens in Studio (or
``aws sagemaker update-model-package --model-approval-status Approved``), and
``deploy/on_approval.py`` moves the alias and the scoring function together; this command
refuses a managed tracking server for that reason.
"""

from __future__ import annotations

import argparse
import os
import sys

from pipelines.config import load_settings

EXIT_USAGE = 2


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pipelines.approve", description=__doc__.splitlines()[0])
    parser.add_argument("version", help="the registered version to approve (a number)")
    parser.add_argument("--model-name", default=None, help="registered model (default: settings)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = load_settings()
    uri = settings.tracking_uri_for("local")
    if uri.startswith("arn:"):
        print(
            "error: MATCH_MLFLOW_TRACKING_URI is a SageMaker managed server: approve the model "
            f"package in SageMaker Studio (group {settings.package_group}); its deploy function "
            "then moves the champion alias with the scoring function",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if not args.version.isdigit():
        print(f"error: VERSION must be a version number, not {args.version!r}", file=sys.stderr)
        return EXIT_USAGE
    os.environ["MLFLOW_TRACKING_URI"] = uri
    from tracking import registry

    model_name = args.model_name or settings.model_name
    try:
        info, previous = registry.approve(model_name, args.version)
    except registry.VersionNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    before = f"was version {previous}" if previous else "there was none"
    if previous == info.version:
        before = "it already was"
    print(
        f"{model_name} version {info.version} approved: now the champion ({before}). "
        "The next pipeline run compares against it; `make serve` serves it."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
