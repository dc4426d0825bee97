"""The step graph of a definition: dependencies, branches, order, edges and the errors."""

from __future__ import annotations

import pytest

from pipelines.local.graph import (
    DefinitionError,
    branch_names,
    build_graph,
    data_dependencies,
)


def _job(name: str, reads: str | None = None, **extra) -> dict:
    arguments = {"ProcessingInputs": []}
    if reads:
        uri = f"Steps.{reads}.ProcessingOutputConfig.Outputs['out'].S3Output.S3Uri"
        arguments["ProcessingInputs"] = [{"S3Input": {"S3Uri": {"Get": uri}}}]
    return {"Name": name, "Type": "Processing", "Arguments": arguments, **extra}


def _gate(if_steps: list[dict], else_steps: list[dict] | None = None) -> dict:
    arguments = {
        "Conditions": [
            {
                "Type": "GreaterThanOrEqualTo",
                "LeftValue": {"Get": "Steps.Evaluate.ProcessingJobStatus"},
                "RightValue": 1,
            }
        ],
        "IfSteps": if_steps,
    }
    if else_steps is not None:
        arguments["ElseSteps"] = else_steps
    return {"Name": "Gate", "Type": "Condition", "Arguments": arguments}


def _definition() -> dict:
    register = _job("Register", reads="Train")
    fail = {"Name": "Stop", "Type": "Fail", "Arguments": {"ErrorMessage": "no"}}
    return {
        "Steps": [
            _job("Prepare"),
            _job("Ingest", reads="Prepare"),
            _job("Train", reads="Prepare"),
            _job("Evaluate", reads="Train", DependsOn=["Ingest"]),
            _gate([register], [fail]),
        ]
    }


def test_dependencies_come_from_what_a_step_reads_its_depends_on_and_its_branch() -> None:
    graph = build_graph(_definition())
    depends = {name: set(node.depends_on) for name, node in graph.steps.items()}
    assert depends == {
        "Prepare": set(),
        "Ingest": {"Prepare"},
        "Train": {"Prepare"},
        "Evaluate": {"Train", "Ingest"},  # Ingest only through DependsOn
        "Gate": {"Evaluate"},  # what its conditions read, not what its branches read
        "Register": {"Gate", "Train"},
        "Stop": {"Gate"},
    }
    assert graph.steps["Register"].branch_of == graph.steps["Stop"].branch_of == "Gate"
    assert graph.steps["Evaluate"].branch_of is None


def test_the_order_follows_dependencies_and_keeps_the_definitions_order_for_ties() -> None:
    definition = _definition()
    definition["Steps"] = definition["Steps"][::-1]  # written backwards
    order = build_graph(definition).topological_order()
    assert order.index("Prepare") < order.index("Train") < order.index("Evaluate")
    assert order.index("Ingest") < order.index("Evaluate") < order.index("Gate")
    assert order.index("Gate") < order.index("Register")
    assert order == ["Prepare", "Train", "Ingest", "Evaluate", "Gate", "Register", "Stop"]


def test_edges_label_only_a_conditions_branches() -> None:
    edges = set(build_graph(_definition()).edges())
    assert ("Gate", "Register", "if") in edges
    assert ("Gate", "Stop", "else") in edges
    assert ("Train", "Register", "") in edges  # reads Train's output: no branch label
    assert ("Ingest", "Evaluate", "") in edges
    assert len(edges) == 8


def test_branch_names_read_a_conditions_if_and_else_steps() -> None:
    gate = _gate([_job("A"), _job("B")], [])
    assert branch_names(gate, "IfSteps") == ["A", "B"]
    assert branch_names(gate, "ElseSteps") == []
    assert branch_names(_gate([_job("A")]), "ElseSteps") == []  # no else branch at all
    assert branch_names({"Name": "Gate", "Type": "Condition"}, "IfSteps") == []


def test_a_condition_without_an_else_branch_and_an_empty_definition_build() -> None:
    graph = build_graph({"Steps": [_job("Evaluate"), _gate([_job("Register")])]})
    assert graph.topological_order() == ["Evaluate", "Gate", "Register"]
    assert build_graph({}).topological_order() == []


def test_data_dependencies_of_a_step_without_arguments_are_none() -> None:
    assert data_dependencies({"Name": "Stop", "Type": "Fail"}) == set()
    assert data_dependencies({"Name": "Gate", "Type": "Condition", "Arguments": {}}) == set()
    assert data_dependencies(_job("Evaluate", reads="Train")) == {"Train"}


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([_job("A", reads="B"), _job("B", reads="A")], "dependency cycle among steps ['A', 'B']"),
        ([_job("A"), _job("A")], "step name 'A' is used twice"),
        ([_job("A", reads="Missing")], "step 'A' refers to unknown steps ['Missing']"),
        ([_job("A", DependsOn=["Ghost"])], "step 'A' refers to unknown steps ['Ghost']"),
    ],
)
def test_a_definition_sagemaker_would_refuse_is_a_definition_error(steps, message) -> None:
    with pytest.raises(DefinitionError) as raised:
        build_graph({"Steps": steps}).topological_order()
    assert str(raised.value) == message


def test_a_step_without_arguments_reads_nothing():
    from pipelines.local.graph import data_dependencies

    assert data_dependencies({"Type": "Condition"}) == set()
    assert data_dependencies({"Type": "Condition", "Arguments": {}}) == set()
    assert data_dependencies({"Type": "Fail"}) == set()
