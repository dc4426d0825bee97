"""The first deployment of an environment (tools/first_deploy.sh, ``make tf-first-deploy``).

No AWS, Terraform providers or Docker engine here: ``terraform`` and ``docker`` are stand-ins
on the PATH that record their calls and keep the outputs a real state would have, with
Terraform's documented behaviour for a targeted apply: only the root outputs that derive
entirely from the targeted resources (the repository URLs) are written; the full apply writes
them all. The script, tools/tf.sh, tools/tf_env.py and the Makefile's image targets are the real
ones.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ECR = "123456789012.dkr.ecr.sa-east-1.amazonaws.com/datathon-mlet03-{env}-{name}"
DIGEST = "sha256:" + "ab" * 32

FAKE_TERRAFORM = r"""#!/usr/bin/env bash
state="$FAKE_STATE"
chdir=""
rest=()
for arg in "$@"; do
    case "$arg" in
        -chdir=*) chdir="${arg#-chdir=}" ;;
        *) rest+=("$arg") ;;
    esac
done
tag="${TF_VAR_serving_image_tag:-}"
echo "terraform ${rest[*]} | TF_VAR_serving_image_tag=$tag" >>"$state/calls"
case "${rest[0]}" in
    init) ;;
    output) cat "$state/outputs.json" ;;
    plan) touch "$chdir/tfplan" ;;
    apply)
        if [[ " ${rest[*]} " == *" -target="* ]]; then
            cp "$state/repositories.json" "$state/outputs.json"
        else
            cp "$state/everything.json" "$state/outputs.json"
        fi
        ;;
esac
"""

FAKE_DOCKER = r"""#!/usr/bin/env bash
echo "docker $*" >>"$FAKE_STATE/calls"
case "$1 ${2:-}" in
    "buildx version") exit 0 ;;
    "manifest inspect") exit 1 ;;
esac
if [[ "$1" == inspect ]]; then echo "repository@$FAKE_DIGEST"; fi
"""


def outputs(env: str, names: list[str]) -> dict:
    values = {
        "ecr_serving_url": ECR.format(env=env, name="serving"),
        "ecr_steps_url": ECR.format(env=env, name="steps"),
        "ecr_training_url": ECR.format(env=env, name="training"),
        "api_url": "https://abc.execute-api.sa-east-1.amazonaws.com",
    }
    return {name: {"value": values.get(name, name), "type": "string"} for name in names}


@pytest.fixture
def fake(tmp_path) -> dict:
    state, bin_ = tmp_path / "state", tmp_path / "bin"
    state.mkdir()
    bin_.mkdir()
    for name, script in (("terraform", FAKE_TERRAFORM), ("docker", FAKE_DOCKER)):
        (bin_ / name).write_text(script)
        (bin_ / name).chmod(0o755)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TF_", "AWS_", "ECR_", "MATCH_")) and k not in ("CI", "DIGEST")
    }
    env |= {
        "PATH": f"{bin_}{os.pathsep}{os.environ['PATH']}",
        "FAKE_STATE": str(state),
        "FAKE_DIGEST": DIGEST,
        "TF_STATE_BUCKET": "datathon-mlet03-tfstate-123456789012",
        "AWS_REGION": "sa-east-1",
        "CI": "true",
    }
    return {"state": state, "env": env}


def first_deploy(fake: dict, env: str, state: str, *make_args: str):
    """``make tf-first-deploy ENV=<env>`` from a state: none, deployed."""
    directory: Path = fake["state"]
    everything = outputs(env, ["ecr_serving_url", "ecr_steps_url", "ecr_training_url", "api_url"])
    (directory / "everything.json").write_text(json.dumps(everything))
    repositories = outputs(env, ["ecr_serving_url", "ecr_steps_url", "ecr_training_url"])
    (directory / "repositories.json").write_text(json.dumps(repositories))
    (directory / "outputs.json").write_text(json.dumps(everything if state == "deployed" else {}))
    result = subprocess.run(
        ["make", "--no-print-directory", "tf-first-deploy", f"ENV={env}", *make_args],
        cwd=ROOT,
        env=fake["env"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    calls = (directory / "calls").read_text().splitlines() if (directory / "calls").exists() else []
    return result, calls


def positions(calls: list[str], *fragments: str) -> list[int]:
    found = []
    for fragment in fragments:
        matching = [i for i, call in enumerate(calls) if fragment in call]
        assert matching, f"no call with {fragment!r} in:\n" + "\n".join(calls)
        found.append(matching[0])
    return found


def test_staging_first_deployment_makes_repositories_then_images_then_everything(fake):
    result, calls = first_deploy(fake, "staging", "none", "TAG=4f1c2ab")

    assert result.returncode == 0, result.stdout + result.stderr
    serving = ECR.format(env="staging", name="serving")
    order = positions(
        calls,
        "terraform apply -input=false -auto-approve -target=module.platform.module.ecr",
        f"docker push {serving}:4f1c2ab",
        "docker push " + ECR.format(env="staging", name="steps"),
        "terraform plan -input=false -out=tfplan",
        "terraform apply -input=false tfplan",
    )
    assert order == sorted(order), "\n".join(calls)
    applies = [call for call in calls if call.startswith("terraform apply")]
    assert all(call.endswith("TF_VAR_serving_image_tag=4f1c2ab") for call in applies), applies
    assert not (ROOT / "terraform" / "envs" / "staging" / "tfplan").exists()
    assert "staging is deployed" in result.stderr


def test_prod_first_deployment_copies_the_tested_image_by_digest(fake):
    source = ECR.format(env="staging", name="serving")
    result, calls = first_deploy(
        fake, "prod", "none", "TAG=4f1c2ab", f"DIGEST={DIGEST}", f"SOURCE_REPOSITORY={source}"
    )

    assert result.returncode == 0, result.stdout + result.stderr
    (copy,) = [call for call in calls if "imagetools create" in call]
    target = ECR.format(env="prod", name="serving")
    assert copy == (
        f"docker buildx imagetools create --prefer-index=false --tag {target}:4f1c2ab "
        f"{source}@{DIGEST}"
    )
    assert not [call for call in calls if call.startswith("docker build ")], "nothing rebuilt"
    positions(calls, "-target=module.platform.module.ecr", "imagetools create", "tfplan")


def test_a_deployed_environment_is_left_alone(fake):
    result, calls = first_deploy(fake, "prod", "deployed", "TAG=4f1c2ab")

    assert result.returncode == 0, result.stderr
    assert "prod is deployed already" in result.stderr
    assert not [call for call in calls if call.startswith(("terraform apply", "docker"))], calls


def test_an_unknown_environment_is_a_usage_error(fake):
    result, _ = first_deploy(fake, "dev", "none")

    assert result.returncode != 0
    assert "ENV must be staging or prod" in result.stderr


def test_outputs_of_an_environment_never_applied_say_how_to_deploy_it_first():
    import importlib.util

    spec = importlib.util.spec_from_file_location("tf_env", ROOT / "tools" / "tf_env.py")
    tf_env = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tf_env)
    repositories_only = outputs("prod", ["ecr_serving_url", "ecr_steps_url", "ecr_training_url"])

    with pytest.raises(tf_env.OutputError, match="make tf-first-deploy ENV=prod"):
        tf_env.environment(repositories_only, env="prod")
    assert tf_env.repositories(repositories_only)["ECR_SERVING_URL"].endswith("prod-serving")
