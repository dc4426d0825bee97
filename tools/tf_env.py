"""Turn an env root's ``terraform output -json`` into environment variables, one NAME=value a line.

    terraform -chdir=terraform/envs/staging output -json | python3 tools/tf_env.py [--image-tag T]

``make tf-env ENV=staging`` prints them (CI appends them to ``$GITHUB_ENV``); ``make tf-output``
also writes them to ``build/terraform/<env>.env`` for a shell:
``set -a && source build/terraform/staging.env && set +a && make pipeline-run TARGET=aws``.

The lines are plain ``NAME=value`` with no quoting, a format both ``$GITHUB_ENV`` and a POSIX
shell read the same way; a value that would need quoting (whitespace, quotes, ``$``, ``;`` ...)
is an error, not silently mangled. With ``--image-tag`` (the tag CI pushed) the image URIs are
added; without it they are left out, and ``make pipeline-run TARGET=aws`` says which variable
is missing. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping
from typing import Any

#: Variable <- terraform output. MATCH_* are the settings pipelines/config.py reads (and
#: MATCH_API_URL the integration tests); the others are for CI's own steps.
SETTINGS = {
    "MATCH_REGION": "region",
    "MATCH_BUCKET_PREFIX": "bucket_prefix",
    "MATCH_PIPELINE_NAME": "pipeline_name",
    "MATCH_MODEL_NAME": "model_package_group",
    "MATCH_MODEL_PACKAGE_GROUP": "model_package_group",
    "MATCH_ROLE_ARN": "sagemaker_role_arn",
    "MATCH_MLFLOW_TRACKING_URI": "mlflow_tracking_server_arn",
    "MATCH_API_URL": "api_url",
    "ECR_SERVING_URL": "ecr_serving_url",
    "ECR_STEPS_URL": "ecr_steps_url",
    "ECR_TRAINING_URL": "ecr_training_url",
    "PIPELINE_OPERATOR_ROLE_ARN": "pipeline_operator_role_arn",
    "SERVING_FUNCTION_NAME": "serving_function_name",
    "RAW_BUCKET": "raw_bucket",
    "ARTIFACTS_BUCKET": "artifacts_bucket",
}
#: MATCH_*_IMAGE_URI <- repository URL output, with the image tag appended.
IMAGES = {
    "MATCH_STEPS_IMAGE_URI": "ecr_steps_url",
    "MATCH_TRAINING_IMAGE_URI": "ecr_training_url",
    "MATCH_SERVING_IMAGE_URI": "ecr_serving_url",
}
#: Variable <- output that a root applied before the output existed lacks: empty until then.
OPTIONAL = {"AIRFLOW_DAG_BUCKET": "airflow_dag_bucket"}
OUTPUTS_READ = sorted({*SETTINGS.values(), *IMAGES.values(), "api_authorization"})
#: What the first deployment reads after its targeted apply of the repositories alone.
REPOSITORIES = {
    "ECR_SERVING_URL": "ecr_serving_url",
    "ECR_STEPS_URL": "ecr_steps_url",
    "ECR_TRAINING_URL": "ecr_training_url",
}
SAFE_VALUE = re.compile(r"^[A-Za-z0-9_.:/@+=,%-]*$")


class OutputError(ValueError):
    """The terraform outputs lack something, or hold a value that cannot be written plainly."""


def _check_present(outputs: Mapping[str, Any], names: list[str], env: str) -> None:
    missing = [name for name in names if name not in outputs]
    if missing:
        where = f"ENV={env}" if env else "ENV=<env>"
        raise OutputError(
            f"terraform outputs lack {', '.join(missing)}: the environment was never fully "
            f"applied. Its first deployment is `make tf-first-deploy {where}`, once "
            "(terraform/README.md, First deployment)"
        )


def _value(outputs: Mapping[str, Any], name: str) -> str:
    item = outputs[name]
    text = str(item["value"] if isinstance(item, Mapping) and "value" in item else item)
    if not SAFE_VALUE.match(text):
        raise OutputError(f"output {name} holds characters a NAME=value line cannot carry")
    return text


def repositories(outputs: Mapping[str, Any], env: str = "") -> dict[str, str]:
    """The image repositories' URLs: all a targeted apply of the repositories writes."""
    _check_present(outputs, sorted(REPOSITORIES.values()), env)
    return {variable: _value(outputs, output) for variable, output in REPOSITORIES.items()}


def environment(outputs: Mapping[str, Any], image_tag: str = "", env: str = "") -> dict[str, str]:
    """The variables for ``outputs`` (terraform's ``output -json`` object)."""
    _check_present(outputs, OUTPUTS_READ, env)

    def value(name: str) -> str:
        return _value(outputs, name)

    values = {variable: value(output) for variable, output in SETTINGS.items()}
    values |= {v: value(o) if o in outputs else "" for v, o in OPTIONAL.items()}
    if value("api_authorization") == "AWS_IAM":
        values["MATCH_API_AUTH"] = "iam"
    if image_tag:
        if not SAFE_VALUE.match(image_tag):
            raise OutputError("the image tag holds characters an image tag cannot have")
        for variable, output in IMAGES.items():
            values[variable] = f"{value(output)}:{image_tag}"
    return values


def render(values: Mapping[str, str]) -> str:
    return "".join(f"{name}={text}\n" for name, text in values.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image-tag", default="", help="tag of the pushed images")
    parser.add_argument("--env", default="", help="the environment (for messages)")
    parser.add_argument(
        "--repositories-only", action="store_true", help="only ECR_*_URL (first deployment)"
    )
    args = parser.parse_args(argv)
    try:
        outputs = json.load(sys.stdin)
        if args.repositories_only:
            sys.stdout.write(render(repositories(outputs, args.env)))
            return 0
        values = environment(outputs, args.image_tag, args.env)
    except (json.JSONDecodeError, OutputError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not args.image_tag:
        print("note: no image tag given: MATCH_*_IMAGE_URI left out", file=sys.stderr)
    sys.stdout.write(render(values))
    return 0


if __name__ == "__main__":
    sys.exit(main())
