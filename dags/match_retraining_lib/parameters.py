"""A DAG run's configuration, checked before anything starts.

``pipeline_parameters`` (a JSON object in the trigger form or ``--conf``) overrides the
pipeline's own parameters, ``{"MinAuc": 0.75, "NumBoostRound": 300}``; the pipeline itself says
which names exist and which types they take (SageMaker refuses an unknown name; the local run
exits 2 naming it). ``InputDataUrl`` is the one name the DAG sets: on AWS from the raw data
snapshot, locally from ``data_dir``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,255}$")
SET_BY_THE_DAG = "InputDataUrl"
# SageMaker's PipelineExecutionDisplayName: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}
DISPLAY_NAME_LENGTH = 82


class ConfError(ValueError):
    """The run's configuration cannot be used; the message names the field at fault."""


def _as_text(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise ConfError(
        f"pipeline_parameters.{name} must be a string or a number, not {type(value).__name__}"
    )


def pipeline_overrides(given: Any) -> dict[str, str]:
    """``pipeline_parameters`` of the run's configuration, as name -> text."""
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise ConfError("pipeline_parameters must be a JSON object of parameter names to values")
    overrides = {}
    for name, value in given.items():
        if not isinstance(name, str) or not NAME.match(name):
            raise ConfError(f"pipeline_parameters: {name!r} is not a pipeline parameter name")
        if name == SET_BY_THE_DAG:
            raise ConfError(
                f"pipeline_parameters.{SET_BY_THE_DAG} is set by the DAG: "
                "give source_uri (AWS) or data_dir (local) instead"
            )
        overrides[name] = _as_text(name, value)
    return overrides


def display_name(run_id: str) -> str:
    """A SageMaker execution display name that names the DAG run it came from."""
    cleaned = re.sub(r"[^A-Za-z0-9]+", "-", f"airflow-{run_id}").strip("-")
    return cleaned[:DISPLAY_NAME_LENGTH].rstrip("-")


def cli_arguments(overrides: Mapping[str, str], data_dir: str | None) -> list[str]:
    """``pipelines.run`` arguments for the local target."""
    arguments = ["--data", data_dir] if data_dir else []
    for name, value in overrides.items():
        arguments += ["--param", f"{name}={value}"]
    return arguments
