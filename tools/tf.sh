#!/usr/bin/env bash
# Terraform for one environment root, the way the Makefile and CI run it:
#
#   tools/tf.sh <staging|prod> <init|plan|apply|output|env|lock|deployed>
#
# init    terraform init with the S3 backend: terraform/envs/<env>/backend.hcl when it exists,
#         else TF_STATE_BUCKET (+ TF_STATE_REGION or AWS_REGION) with the key
#         datathon-mlet03/<env>/terraform.tfstate (what CI sets). A committed
#         .terraform.lock.hcl is used read-only.
# plan    init, then plan into terraform/envs/<env>/tfplan
# apply   init, then apply that saved plan (CI: plan, then apply exactly it); without a saved
#         plan, an interactive apply (it asks before changing anything)
# output  init, print the outputs, and write their MATCH_* form to build/terraform/<env>.env
# env     init (quietly), then print the outputs as NAME=value lines (tools/tf_env.py) on stdout
#         only, for `make -s tf-env ENV=... >> "$GITHUB_ENV"`
# lock    record provider checksums for Linux and macOS in .terraform.lock.hcl (commit it)
# deployed  init (quietly), then exit 0 when the environment was deployed (its outputs hold
#         api_url), 1 when not yet: tools/first_deploy.sh does its first deployment
#
# IMAGE_TAG (env): add MATCH_*_IMAGE_URI (<repository>:<tag>) to output/env.
set -euo pipefail
cd "$(dirname "$0")/.."

env_name="${1:-}"
action="${2:-}"
case "$env_name" in
    staging | prod) ;;
    *)
        echo "error: ENV must be staging or prod (got '${env_name}'): make tf-plan ENV=staging" >&2
        exit 2
        ;;
esac
root="terraform/envs/$env_name"

if ! command -v terraform >/dev/null 2>&1; then
    echo "error: terraform is not installed: install Terraform >= 1.10 (S3 lock files)" >&2
    exit 2
fi

backend_args=()
if [[ -f "$root/backend.hcl" ]]; then
    backend_args=(-backend-config=backend.hcl)
elif [[ -n "${TF_STATE_BUCKET:-}" ]]; then
    region="${TF_STATE_REGION:-${AWS_REGION:-${AWS_DEFAULT_REGION:-}}}"
    if [[ -z "$region" ]]; then
        echo "error: TF_STATE_BUCKET is set but no region: set TF_STATE_REGION or AWS_REGION" >&2
        exit 2
    fi
    backend_args=(
        -backend-config="bucket=$TF_STATE_BUCKET"
        -backend-config="key=${TF_STATE_KEY_PREFIX:-datathon-mlet03}/$env_name/terraform.tfstate"
        -backend-config="region=$region"
    )
elif [[ "$action" != "lock" ]]; then
    echo "error: no state backend for $env_name: copy $root/backend.hcl.example to" \
        "$root/backend.hcl and fill it in (terraform/README.md), or set TF_STATE_BUCKET" >&2
    exit 2
fi

lock_args=()
if [[ -f "$root/.terraform.lock.hcl" ]]; then
    lock_args=(-lockfile=readonly)
fi

tf() {
    terraform -chdir="$root" "$@"
}

init() {
    if ! tf init -input=false -no-color ${backend_args[@]+"${backend_args[@]}"} ${lock_args[@]+"${lock_args[@]}"} >&2; then
        echo "error: terraform init failed for $env_name. No AWS credentials? Check with" \
            "'aws sts get-caller-identity' (locally: aws sso login / AWS_PROFILE)." >&2
        exit 1
    fi
}

case "$action" in
    init)
        init
        ;;
    plan)
        init
        tf plan -input=false -out=tfplan
        ;;
    apply)
        init
        if [[ -f "$root/tfplan" ]]; then
            tf apply -input=false tfplan
            rm -f "$root/tfplan"
        elif [[ -t 0 ]]; then
            tf apply
        else
            echo "error: no saved plan in $root/tfplan: run make tf-plan ENV=$env_name first" >&2
            exit 2
        fi
        ;;
    output)
        init
        tf output
        mkdir -p build/terraform
        tf output -json | python3 tools/tf_env.py --image-tag "${IMAGE_TAG:-}" --env "$env_name" \
            >"build/terraform/$env_name.env"
        echo "wrote build/terraform/$env_name.env; to run the pipeline on AWS:" >&2
        echo "  set -a && source build/terraform/$env_name.env && set +a && make pipeline-run TARGET=aws" >&2
        ;;
    env)
        init
        tf output -json | python3 tools/tf_env.py --image-tag "${IMAGE_TAG:-}" --env "$env_name"
        ;;
    deployed)
        init
        tf output -json | python3 -c 'import json, sys; sys.exit("api_url" not in json.load(sys.stdin))'
        ;;
    lock)
        tf providers lock -platform=linux_amd64 -platform=linux_arm64 \
            -platform=darwin_amd64 -platform=darwin_arm64
        ;;
    *)
        echo "error: unknown action '$action' (init, plan, apply, output, env, lock, deployed)" >&2
        exit 2
        ;;
esac
