"""Airflow for the DAG tests: its tool environment, a migrated database, a clean environment.

Airflow lives in ``.tools/airflow`` (``make airflow-setup``, Python 3.12), not in the project's
``.venv``, so the tests that need Airflow run scripts with that Python in a subprocess. When the
environment is missing, they try to make it from uv's cache only (``UV_OFFLINE=1``, no network)
and are skipped, saying so, when that is not possible.

``dag.test()`` in Airflow 3 needs an initialised database, the DAG file inside the configured
DAGs folder, and examples off: ``airflow db migrate`` runs once per test session (every
pytest-xdist worker shares it, under a lock), and each test gets its own copy of that database.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DAGS = ROOT / "dags"
TOOL_ENV = ROOT / ".tools" / "airflow"
AIRFLOW_PYTHON = TOOL_ENV / "bin" / "python"
RESULT_MARKER = "DAG-TEST-RESULT "
DAG_TEST_SCRIPT = Path(__file__).with_name("dag_test_main.py")
# Variables of the caller's shell that would change what the DAG or boto3 does.
INHERITED_PREFIXES = ("AIRFLOW", "MATCH_", "AWS_")


@pytest.fixture(scope="session")
def airflow_python() -> Path:
    """The Airflow tool environment's Python, made from uv's cache (offline) when missing."""
    TOOL_ENV.parent.mkdir(exist_ok=True)
    with (TOOL_ENV.parent / "airflow.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one maker at a time (pytest-xdist workers)
        if (TOOL_ENV / ".installed").exists() and AIRFLOW_PYTHON.exists():
            return AIRFLOW_PYTHON
        setup = subprocess.run(
            ["bash", str(ROOT / "tools" / "airflow" / "setup.sh")],
            cwd=ROOT,
            env={**os.environ, "UV_OFFLINE": "1"},
            capture_output=True,
            text=True,
            timeout=600,
        )
        if setup.returncode != 0:
            tail = (setup.stderr or setup.stdout).strip().splitlines()[-3:]
            pytest.skip(
                "the Airflow tool environment (.tools/airflow) is missing and cannot be made "
                f"offline from uv's cache; run `make airflow-setup` (needs PyPI). {tail}"
            )
    return AIRFLOW_PYTHON


def clean_environment(home: Path, **extra: str) -> dict[str, str]:
    """The environment of an Airflow subprocess: nothing of the caller's Airflow, AWS or MATCH_."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(INHERITED_PREFIXES)}
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home / 'airflow.db'}",
        # Airflow puts the DAGs folder on sys.path when it parses DAGs and runs tasks.
        PYTHONPATH=str(DAGS),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE="/nonexistent/aws-config",
        AWS_SHARED_CREDENTIALS_FILE="/nonexistent/aws-credentials",
    )
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def migrated_database(airflow_python: Path, tmp_path_factory, worker_id: str) -> Path:
    """An Airflow database after ``airflow db migrate``, made once for every worker."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent  # the folder all xdist workers' temporary folders share
    home = shared / "airflow-template"
    with (shared / "airflow-template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        database = home / "airflow.db"
        if not (home / ".migrated").exists():
            home.mkdir(exist_ok=True)
            migrate = subprocess.run(
                [str(airflow_python.parent / "airflow"), "db", "migrate"],
                env=clean_environment(home),
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert migrate.returncode == 0, f"airflow db migrate failed:\n{migrate.stderr[-3000:]}"
            (home / ".migrated").touch()
        return database


@pytest.fixture
def airflow_home(migrated_database: Path, tmp_path: Path) -> Path:
    """A fresh AIRFLOW_HOME holding a copy of the migrated database."""
    home = tmp_path / "airflow-home"
    home.mkdir()
    shutil.copy2(migrated_database, home / "airflow.db")
    return home


def run_dag_test(
    airflow_python: Path, home: Path, conf: dict, env: dict[str, str], timeout: int = 900
) -> tuple[dict, str]:
    """``dag.test(run_conf=conf)`` of match_retraining in the tool environment.

    Returns what the run left (run and task states, the report task's return value, its
    failure) and the whole output, for assertion messages.
    """
    completed = subprocess.run(
        [str(airflow_python), str(DAG_TEST_SCRIPT), json.dumps(conf)],
        cwd=ROOT,
        env=clean_environment(home, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    output = completed.stdout + completed.stderr
    (home / "dag-test.log").write_text(output)  # the whole log, for a failing assertion
    lines = [line for line in completed.stdout.splitlines() if line.startswith(RESULT_MARKER)]
    assert completed.returncode == 0 and lines, (
        f"dag.test() did not finish (whole log: {home / 'dag-test.log'}):\n{output[-6000:]}"
    )
    return json.loads(lines[-1][len(RESULT_MARKER) :]), output
