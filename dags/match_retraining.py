"""match_retraining: retrain the match scorer, on SageMaker or on this machine.

On AWS (``MATCH_AIRFLOW_TARGET=aws``, the default; Amazon MWAA or the EC2 instance):

    check_conf ──► sync_raw_data ──► start_pipeline ──► wait_for_pipeline ──► report

- check_conf: the run's configuration (``pipeline_parameters``, ``source_uri``) is usable;
- sync_raw_data: the raw exports under ``source_uri`` become a content-named snapshot in the raw
  bucket (copied only when they changed), the execution's ``InputDataUrl``;
- start_pipeline: the Amazon provider's SageMakerStartPipelineOperator starts the pipeline that
  ``make pipeline-run TARGET=aws`` upserted, with those parameters;
- wait_for_pipeline: its SageMakerPipelineSensor, in reschedule mode (no worker slot held while
  SageMaker works), until the execution ends;
- report (always runs): the evaluation summary, the registered version and its approval status,
  the link to the execution in SageMaker Studio; a failed execution fails this task with the
  failed step and its reason.

Locally (``MATCH_AIRFLOW_TARGET=local``, what ``make airflow-standalone`` runs):

    check_conf ──► run_pipeline ──► report

- run_pipeline: ``python -m pipelines.run --target local`` in the project's folder, on its local
  lake, with ``data_dir`` (``--data``; empty: the demo data) and the ``pipeline_parameters``;
- report: the same report, from the local execution's record.

Trigger with a configuration, e.g. ``{"pipeline_parameters": {"MinAuc": 0.75}}``. Settings come
from ``MATCH_*`` variables (match_retraining_lib/settings.py). One schedule owner: where this
DAG is scheduled, Terraform turns the EventBridge schedule off.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pendulum
from airflow.exceptions import AirflowFailException
from airflow.sdk import DAG, Param, task
from match_retraining_lib import local_execution, sagemaker_execution
from match_retraining_lib.parameters import (
    ConfError,
    cli_arguments,
    display_name,
    pipeline_overrides,
)
from match_retraining_lib.report import RunReport
from match_retraining_lib.settings import current_settings
from match_retraining_lib.snapshot import SnapshotError, snapshot_raw_data

SETTINGS = current_settings(Path(__file__).resolve().parent)
AWS_TIMEOUT = timedelta(hours=12)  # the sensor gives up; the report then says "Executing"
LOCAL_TIMEOUT = timedelta(hours=6)
POKE_SECONDS = 60

PIPELINE_PARAMETERS = Param(
    {},
    type="object",
    title="Pipeline parameters",
    description='Overrides of the pipeline\'s parameters, e.g. {"MinAuc": 0.75, '
    '"NumBoostRound": 300}; InputDataUrl is set by the DAG.',
)
TARGET_PARAMS = {
    "aws": {
        "source_uri": Param(
            SETTINGS.source_uri,
            type="string",
            title="Raw data source",
            description="S3 prefix where the Decision exports land; synced into a snapshot.",
        )
    },
    "local": {
        "data_dir": Param(
            "",
            type="string",
            title="Data folder",
            description="Folder with vagas.json, applicants.json, prospects.json (and cvs/); "
            "empty: the demo data.",
        )
    },
}


def finish(report: RunReport) -> dict[str, Any]:
    """Print the report into the task log; fail the task when the execution did not succeed."""
    print("\n".join(report.lines()))
    if not report.succeeded:
        raise AirflowFailException(report.failure())
    return report.as_dict()


@task(multiple_outputs=True)
def check_conf(params: dict[str, Any], run_id: str) -> dict[str, Any]:
    """The run's configuration, checked before anything is copied or started."""
    try:
        overrides = pipeline_overrides(params.get("pipeline_parameters"))
    except ConfError as error:
        raise AirflowFailException(str(error)) from None
    return {
        "overrides": overrides,
        "display_name": display_name(run_id),
        "source_uri": params.get("source_uri") or SETTINGS.source_uri,
        "data_dir": params.get("data_dir") or "",
    }


# --- AWS: SageMaker ----------------------------------------------------------------------------


@task(multiple_outputs=False, retries=2, retry_delay=timedelta(minutes=1))
def sync_raw_data(overrides: dict[str, str], source_uri: str) -> dict[str, str]:
    """Snapshot the raw data; return the execution's parameters (InputDataUrl = the snapshot)."""
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    s3 = S3Hook(aws_conn_id=SETTINGS.aws_conn_id, region_name=SETTINGS.region).get_conn()
    try:
        snapshot = snapshot_raw_data(s3, source_uri, SETTINGS.raw_bucket, SETTINGS.dataset)
    except SnapshotError as error:
        raise AirflowFailException(str(error)) from None
    return {**overrides, "InputDataUrl": snapshot.uri}


@task(
    task_id="report",
    multiple_outputs=False,
    trigger_rule="all_done",
    retries=2,
    retry_delay=timedelta(minutes=1),
)
def report_sagemaker_execution(ti: Any = None) -> dict[str, Any]:
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook
    from airflow.providers.amazon.aws.hooks.sagemaker import SageMakerHook

    arn = ti.xcom_pull(task_ids="start_pipeline")
    if not arn:
        raise AirflowFailException("no execution was started: see the log of the task that failed")
    sagemaker = SageMakerHook(aws_conn_id=SETTINGS.aws_conn_id, region_name=SETTINGS.region)
    s3 = S3Hook(aws_conn_id=SETTINGS.aws_conn_id, region_name=SETTINGS.region)
    report = sagemaker_execution.read_execution(
        sagemaker.conn, s3.get_conn(), arn, SETTINGS.studio_domain_id
    )
    return finish(report)


def sagemaker_tasks() -> None:
    from airflow.providers.amazon.aws.operators.sagemaker import SageMakerStartPipelineOperator
    from airflow.providers.amazon.aws.sensors.sagemaker import SageMakerPipelineSensor

    aws = {"aws_conn_id": SETTINGS.aws_conn_id, "region_name": SETTINGS.region}
    conf = check_conf()
    execution_parameters = sync_raw_data(conf["overrides"], conf["source_uri"])
    start = SageMakerStartPipelineOperator(
        task_id="start_pipeline",
        pipeline_name=SETTINGS.pipeline_name,
        display_name=conf["display_name"],
        pipeline_params=execution_parameters,
        wait_for_completion=False,
        **aws,
    )
    wait = SageMakerPipelineSensor(
        task_id="wait_for_pipeline",
        pipeline_exec_arn=start.output,
        verbose=False,  # no ListPipelineExecutionSteps per poke; the report lists the steps
        mode="reschedule",
        poke_interval=POKE_SECONDS,
        timeout=AWS_TIMEOUT.total_seconds(),
        **aws,
    )
    wait >> report_sagemaker_execution()


# --- local: pipelines.run --target local ---------------------------------------------------------


@task(execution_timeout=LOCAL_TIMEOUT)
def run_pipeline(overrides: dict[str, str], data_dir: str, ti: Any = None) -> str:
    """Run the local pipeline; push its execution id (also when it fails) for the report."""
    import subprocess

    try:
        command = local_execution.pipeline_command(
            SETTINGS.python, cli_arguments(overrides, data_dir)
        )
    except local_execution.LocalRunError as error:
        raise AirflowFailException(str(error)) from None
    print("+ " + " ".join(command))
    before = local_execution.execution_ids(SETTINGS.lake_dir)
    completed = subprocess.run(command, cwd=SETTINGS.project_dir, check=False)
    execution = local_execution.new_execution(
        before, local_execution.execution_ids(SETTINGS.lake_dir), print
    )
    ti.xcom_push(key="execution", value=execution)
    if completed.returncode == 2:
        raise AirflowFailException("pipelines.run refused the run: see its error line above")
    if completed.returncode != 0:
        raise AirflowFailException(
            f"pipelines.run exited with code {completed.returncode}: the report says why"
        )
    return execution or ""


@task(task_id="report", multiple_outputs=False, trigger_rule="all_done")
def report_local_execution(ti: Any = None) -> dict[str, Any]:
    execution = ti.xcom_pull(task_ids="run_pipeline", key="execution")
    if not execution:
        raise AirflowFailException(
            "no execution record was written: see the log of run_pipeline (or check_conf)"
        )
    return finish(local_execution.read_execution(SETTINGS.lake_dir, execution))


def local_tasks() -> None:
    conf = check_conf()
    run_pipeline(conf["overrides"], conf["data_dir"]) >> report_local_execution()


with DAG(
    dag_id="match_retraining",
    description="Retrain the match scorer: sync the raw data, run the pipeline, report",
    doc_md=__doc__,
    schedule=SETTINGS.schedule,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,  # one retraining at a time
    params={"pipeline_parameters": PIPELINE_PARAMETERS, **TARGET_PARAMS[SETTINGS.target]},
    default_args={"owner": "ml-platform", "retries": 0},
    tags=["match-scoring", SETTINGS.target],
) as dag:
    if SETTINGS.target == "aws":
        sagemaker_tasks()
    else:
        local_tasks()


if __name__ == "__main__":
    dag.test()
