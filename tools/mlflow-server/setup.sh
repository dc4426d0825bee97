#!/usr/bin/env bash
# Create .tools/mlflow-server: an MLflow tracking server of the managed server's version, in a
# virtual environment of its own, installed from the hash-pinned
# tools/mlflow-server/requirements.txt. Not the project's .venv: that one keeps MLflow 3.17.
#
#   tools/mlflow-server/setup.sh               # what `make mlflow-server-setup` runs (PyPI, or uv's cache)
#   UV_OFFLINE=1 tools/mlflow-server/setup.sh  # from uv's cache only (what the tests try)
#
# A failed install leaves no half-made environment behind; success is marked by .installed.
set -euo pipefail
cd "$(dirname "$0")/../.."

UV="${UV:-.uv/bin/uv}"
ENV_DIR=.tools/mlflow-server

if [[ ! -x "$UV" ]]; then
    echo "error: $UV not found: run 'make setup' first (it installs the project's uv)" >&2
    exit 2
fi

rm -rf "$ENV_DIR"
trap 'status=$?; if [[ $status -ne 0 ]]; then rm -rf "$ENV_DIR"; fi' EXIT
"$UV" venv --quiet --python 3.11 "$ENV_DIR"
"$UV" pip install --quiet --python "$ENV_DIR/bin/python" --require-hashes --only-binary :all: \
    -r tools/mlflow-server/requirements.txt
version="$("$ENV_DIR/bin/python" -c 'import mlflow; print(mlflow.__version__)')"
touch "$ENV_DIR/.installed"
echo "mlflow $version (server) in $ENV_DIR"
