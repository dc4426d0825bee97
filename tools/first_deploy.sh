#!/usr/bin/env bash
# The first deployment of an environment, scripted: what `make tf-plan` / `make tf-apply` cannot
# do alone, because the scoring Lambda is made from an image that must be in the environment's
# ECR repository first, and those repositories are part of the same Terraform root.
#
#   tools/first_deploy.sh <staging|prod>        (make tf-first-deploy ENV=...)
#
# 1. the image repositories alone: a targeted apply of module.platform.module.ecr (and the key it
#    uses). A targeted apply writes only the root outputs that derive from what it targeted
#    entirely, so the repository URLs (ecr_*_url) are read, and nothing else is;
# 2. the serving image tagged TAG (default: the checked-out commit): copied by digest from
#    SOURCE_REPOSITORY@DIGEST when both are given (prod receives what staging tested, as
#    deploy.yml does), else built and pushed here, together with the step images;
# 3. everything: plan, then apply exactly that plan, with serving_image_tag = TAG. This full
#    apply writes every output, so `make tf-env` / `make tf-output` work from then on.
#
# An environment that was deployed before (its outputs hold api_url) is left alone: the script
# says so and exits 0, so CI can run it before every deployment. The targeted apply asks before
# changing anything unless AUTO_APPROVE=1 or CI=true. Needs what the deployment needs:
# Terraform, AWS credentials allowed to apply the root, Docker with buildx, the backend
# (backend.hcl or TF_STATE_BUCKET, see tools/tf.sh) and the root's variables.
set -euo pipefail
cd "$(dirname "$0")/.."

env_name="${1:-}"
case "$env_name" in
    staging | prod) ;;
    *)
        echo "error: ENV must be staging or prod (got '${env_name}'): make tf-first-deploy ENV=staging" >&2
        exit 2
        ;;
esac
root="terraform/envs/$env_name"

if tools/tf.sh "$env_name" deployed; then
    echo "$env_name is deployed already (its outputs hold api_url): nothing to do here;" \
        "deployments go through make tf-plan / tf-apply ENV=$env_name" >&2
    exit 0
fi

tag="${TAG:-$(git rev-parse HEAD)}"
export TF_VAR_serving_image_tag="$tag" # a required variable, even for the targeted apply
approve=()
if [[ "${AUTO_APPROVE:-}" == "1" || "${CI:-}" == "true" ]]; then
    approve=(-auto-approve)
fi

echo "1/3 $env_name: the image repositories (targeted apply of module.platform.module.ecr)" >&2
terraform -chdir="$root" apply -input=false ${approve[@]+"${approve[@]}"} \
    -target=module.platform.module.ecr

mkdir -p build/terraform
repositories="build/terraform/$env_name-repositories.env"
if ! terraform -chdir="$root" output -json | python3 tools/tf_env.py --repositories-only \
    >"$repositories"; then
    echo "error: the targeted apply wrote no repository URLs: see 'terraform -chdir=$root output'" >&2
    exit 1
fi
set -a
# shellcheck source=/dev/null
source "$repositories"
set +a

echo "2/3 $env_name: the images, tagged $tag" >&2
if [[ -n "${DIGEST:-}" && -n "${SOURCE_REPOSITORY:-}" ]]; then
    make --no-print-directory serving-image-promote TAG="$tag" DIGEST="$DIGEST" \
        SOURCE_REPOSITORY="$SOURCE_REPOSITORY" ECR_SERVING_URL="$ECR_SERVING_URL"
else
    make --no-print-directory serving-image-push TAG="$tag" ECR_SERVING_URL="$ECR_SERVING_URL"
    make --no-print-directory images-push TAG="$(make -s images-tag)" \
        ECR_STEPS_URL="$ECR_STEPS_URL" ECR_TRAINING_URL="$ECR_TRAINING_URL"
fi

echo "3/3 $env_name: everything, with serving_image_tag=$tag (plan, then apply that plan)" >&2
tools/tf.sh "$env_name" plan
tools/tf.sh "$env_name" apply
echo "$env_name is deployed: make tf-output ENV=$env_name IMAGE_TAG=<step image tag> gives its settings" >&2
