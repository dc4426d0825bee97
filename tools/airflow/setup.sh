#!/usr/bin/env bash
# Create .tools/airflow: Airflow 3.0.6 and its Amazon provider in a virtual environment of their
# own, on Python 3.12 (the Python Amazon MWAA runs Airflow 3 on), installed from the hash-pinned
# tools/airflow/requirements.txt (compiled from Airflow's published constraints, kept beside it).
# Not the project's .venv: Airflow pins its own SQLAlchemy, pydantic, boto3, ...
#
#   tools/airflow/setup.sh               # what `make airflow-setup` runs (needs PyPI, or uv's cache)
#   UV_OFFLINE=1 tools/airflow/setup.sh  # from uv's cache only (what tests/dags tries)
#   AIRFLOW_PYTHON=/path/to/python3.12 tools/airflow/setup.sh
#
# Python 3.12 is found by uv (on the PATH or among uv's own Pythons), else through pyenv, else
# downloaded by uv where downloads are allowed. A failed install leaves no half-made environment
# behind; success is marked by .installed.
set -euo pipefail
cd "$(dirname "$0")/../.."

UV="${UV:-.uv/bin/uv}"
ENV_DIR=.tools/airflow
WANTED="${AIRFLOW_PYTHON:-3.12}"

if [[ ! -x "$UV" ]]; then
    echo "error: $UV not found: run 'make setup' first (it installs the project's uv)" >&2
    exit 2
fi

find_python() {
    if [[ -x "$WANTED" ]]; then
        echo "$WANTED"
    elif "$UV" python find --no-project "$WANTED" 2>/dev/null; then
        :
    elif command -v pyenv >/dev/null && prefix=$(pyenv prefix "$WANTED" 2>/dev/null) \
        && [[ -x "$prefix/bin/python$WANTED" ]]; then
        echo "$prefix/bin/python$WANTED"
    else
        echo "$WANTED"  # uv venv downloads it, where downloads are allowed
    fi
}

rm -rf "$ENV_DIR"
trap 'status=$?; if [[ $status -ne 0 ]]; then rm -rf "$ENV_DIR"; fi' EXIT
if ! "$UV" venv --quiet --python "$(find_python)" "$ENV_DIR"; then
    echo "error: no Python $WANTED for Airflow: install one (or set AIRFLOW_PYTHON to its path)" >&2
    exit 2
fi
"$UV" pip install --quiet --python "$ENV_DIR/bin/python" --require-hashes \
    -r tools/airflow/requirements.txt
# Importing Airflow may write an airflow.cfg into AIRFLOW_HOME: a throwaway one here.
version=$(AIRFLOW_HOME="$PWD/$ENV_DIR/check-home" "$ENV_DIR/bin/python" -c \
    "import airflow, airflow.sdk, airflow.providers.amazon; print(airflow.__version__)")
rm -rf "$ENV_DIR/check-home"
touch "$ENV_DIR/.installed"
echo "Airflow $version in $ENV_DIR"
