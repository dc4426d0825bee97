"""The DAG's settings (``MATCH_*``) and a run's configuration, without Airflow.

The DAG cannot import ``pipelines.config`` (MWAA has no project installed), so its defaults are
checked here against the project's own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dags.match_retraining_lib.parameters import (
    ConfError,
    cli_arguments,
    display_name,
    pipeline_overrides,
)
from dags.match_retraining_lib.settings import SettingsError, load_settings
from pipelines.config import Settings

DAGS = Path(__file__).resolve().parents[2] / "dags"


def test_defaults_name_what_the_project_names() -> None:
    project = Settings()
    settings = load_settings({}, DAGS)

    assert settings.target == "aws"
    assert settings.pipeline_name == project.pipeline_name
    assert settings.raw_bucket == project.raw_bucket
    assert settings.dataset == project.dataset
    assert settings.lake_dir == project.lake_dir
    assert settings.project_dir == DAGS.parent
    assert settings.python == DAGS.parent / ".venv" / "bin" / "python"
    assert settings.source_uri == f"s3://{project.raw_bucket}/landing/{project.dataset}/"
    assert settings.schedule == "0 5 * * 1"


def test_local_target_is_manual_unless_given_a_schedule() -> None:
    assert load_settings({"MATCH_AIRFLOW_TARGET": "local"}, DAGS).schedule is None
    given = {"MATCH_AIRFLOW_TARGET": "local", "MATCH_AIRFLOW_SCHEDULE": "0 6 * * *"}
    assert load_settings(given, DAGS).schedule == "0 6 * * *"
    assert load_settings({"MATCH_AIRFLOW_SCHEDULE": "none"}, DAGS).schedule is None


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MATCH_AIRFLOW_TARGET", "sagemaker"),
        ("MATCH_AIRFLOW_SCHEDULE", "every monday"),
        ("MATCH_RAW_SOURCE_URI", "/data/landing"),
    ],
)
def test_a_bad_setting_is_refused_naming_the_variable(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        load_settings({variable: value}, DAGS)


def test_pipeline_parameters_become_text_for_sagemaker_and_the_cli() -> None:
    overrides = pipeline_overrides({"MinAuc": 0.75, "NumBoostRound": 300, "Flag": True})

    assert overrides == {"MinAuc": "0.75", "NumBoostRound": "300", "Flag": "true"}
    assert cli_arguments(overrides, "/data") == [
        "--data",
        "/data",
        "--param",
        "MinAuc=0.75",
        "--param",
        "NumBoostRound=300",
        "--param",
        "Flag=true",
    ]
    assert cli_arguments({}, "") == []
    assert pipeline_overrides(None) == {}


@pytest.mark.parametrize(
    ("given", "field"),
    [
        (["MinAuc"], "pipeline_parameters must be a JSON object"),
        ({"Min Auc": 1}, "'Min Auc' is not a pipeline parameter name"),
        ({"MinAuc": None}, "pipeline_parameters.MinAuc must be a string or a number"),
        ({"MinAuc": {"value": 1}}, "pipeline_parameters.MinAuc must be a string or a number"),
        ({"InputDataUrl": "s3://x/y"}, "pipeline_parameters.InputDataUrl is set by the DAG"),
    ],
)
def test_a_bad_configuration_names_the_field_at_fault(given: object, field: str) -> None:
    with pytest.raises(ConfError, match=field.replace(".", r"\.")):
        pipeline_overrides(given)


def test_display_name_fits_sagemakers_pattern() -> None:
    name = display_name("manual__2026-11-28T18:40:00.051263+00:00")

    assert name == "airflow-manual-2026-11-28T18-40-00-051263-00-00"
    long = display_name("scheduled__" + "x" * 200)
    assert len(long) <= 82 and not long.endswith("-")
