"""What the executor's expressions resolve to and which steps they depend on: the cases a
mutation run (mutmut, over pipelines/local/expressions.py) showed no test held."""

from __future__ import annotations

import pytest

from pipelines.local.expressions import (
    ExpressionError,
    Scope,
    evaluate_condition,
    parse_path,
    resolve,
    step_references,
    walk,
)

SCOPE = Scope(
    parameters={"Allowed": "Approved", "Rounds": 100},
    execution={"PipelineExecutionId": "local-1"},
    step_properties={"Train": {"ModelArtifacts": {"S3ModelArtifacts": "s3://a/model.tar.gz"}}},
    read_property_file=lambda step, name: {"metrics": {"auc": [0.7, 0.8]}},
)


def test_in_resolves_the_values_too() -> None:
    condition = {
        "Type": "In",
        "QueryValue": "Approved",
        "Values": [{"Get": "Parameters.Allowed"}, "Rejected"],
    }
    assert evaluate_condition(condition, SCOPE) is True


def test_step_references_collects_every_step_of_a_list_and_of_nested_values() -> None:
    arguments = [
        {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"},
        {"Std:Join": {"On": "/", "Values": [{"Get": "Steps.Preprocess.X"}, "y"]}},
        {"Get": "Parameters.Rounds"},
        {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.E"}}},
    ]
    assert step_references(arguments) == {"Train", "Preprocess", "Evaluate"}


def test_references_resolve_and_unknown_ones_are_named() -> None:
    assert resolve({"Get": "Execution.PipelineExecutionId"}, SCOPE) == "local-1"
    train = {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}
    assert resolve(train, SCOPE) == "s3://a/model.tar.gz"
    json_get = {
        "Std:JsonGet": {"PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.E"},
                        "Path": "metrics.auc[1]"}
    }  # fmt: skip
    assert resolve(json_get, SCOPE) == 0.8
    for reference, message in (
        ("Parameters.Missing", "unknown parameter 'Missing'"),
        ("Execution.Nope", "unknown execution variable 'Nope'"),
        ("Steps.Register.Arn", "step 'Register' has not run"),
        ("Other.Thing", "unsupported reference"),
    ):
        with pytest.raises(ExpressionError, match=message):
            resolve({"Get": reference}, SCOPE)


def test_a_json_get_needs_a_property_file_reference() -> None:
    with pytest.raises(ExpressionError, match="unsupported JsonGet property file 'E'"):
        resolve({"Std:JsonGet": {"PropertyFile": "E", "Path": "a"}}, SCOPE)


def test_paths_parse_names_quoted_keys_and_indexes() -> None:
    tokens = parse_path("Outputs['train'].S3Output[\"uri\"].Parts[2]")
    assert tokens == ["Outputs", "train", "S3Output", "uri", "Parts", 2]
    with pytest.raises(ExpressionError, match="cannot parse property path"):
        parse_path("a..b")


def test_walking_past_the_data_says_where_and_shows_what_was_there() -> None:
    with pytest.raises(ExpressionError, match=r"Train: no 'b' in \{\"a\": 1\}"):
        walk({"a": 1}, ["b"], "Train")
