#!/usr/bin/env bash
# Create .tools/checkov: checkov in a virtual environment of its own, installed from the
# hash-pinned tools/checkov/requirements.txt. Not the project's .venv: checkov pins its own
# boto3, networkx, pydantic, ... and would fight uv.lock.
#
#   tools/checkov/setup.sh               # what `make checkov-setup` runs (needs PyPI, or uv's cache)
#   UV_OFFLINE=1 tools/checkov/setup.sh  # from uv's cache only (what tests/iac tries)
#
# A failed install leaves no half-made environment behind; success is marked by .installed.
set -euo pipefail
cd "$(dirname "$0")/../.."

UV="${UV:-.uv/bin/uv}"
ENV_DIR=.tools/checkov

if [[ ! -x "$UV" ]]; then
    echo "error: $UV not found: run 'make setup' first (it installs the project's uv)" >&2
    exit 2
fi

rm -rf "$ENV_DIR"
trap 'status=$?; if [[ $status -ne 0 ]]; then rm -rf "$ENV_DIR"; fi' EXIT
"$UV" venv --quiet --python 3.11 "$ENV_DIR"
"$UV" pip install --quiet --python "$ENV_DIR/bin/python" --require-hashes \
    -r tools/checkov/requirements.txt
"$ENV_DIR/bin/checkov" --version >/dev/null
touch "$ENV_DIR/.installed"
echo "checkov $("$ENV_DIR/bin/checkov" --version) in $ENV_DIR"
