"""What expressions render and how their errors read (``make mutation`` judges them by it)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pipelines.local.expressions import ExpressionError, Scope, resolve, walk


def scope(**properties: dict) -> Scope:
    return Scope(parameters={"Flag": True}, execution={}, step_properties=properties)


def test_join_writes_booleans_as_the_definition_language_does():
    joined = {"Std:Join": {"On": ",", "Values": [True, False, 1, "x", {"Get": "Parameters.Flag"}]}}
    assert resolve(joined, scope()) == "true,false,1,x,true"


def test_a_missing_step_property_names_the_reference_and_what_is_there():
    properties = {"Train": {"ModelArtifacts": {"S3ModelArtifacts": "s3://b/k"}}}
    with pytest.raises(ExpressionError) as info:
        resolve({"Get": "Steps.Train.ModelArtifacts.Missing"}, scope(**properties))
    assert str(info.value) == (
        'Steps.Train.ModelArtifacts.Missing: no \'Missing\' in {"S3ModelArtifacts": "s3://b/k"}'
    )


@pytest.mark.parametrize("length", [118, 119, 120, 200])
def test_what_is_there_is_cut_at_120_characters(length):
    value = "v" * (length - 2)  # a JSON string: two quotes more
    assert len(json.dumps(value)) == length
    with pytest.raises(ExpressionError) as info:
        walk(value, ["key"], "ref")
    shown = str(info.value).removeprefix("ref: no 'key' in ")
    if length < 120:
        assert shown == json.dumps(value)
    else:
        assert shown == json.dumps(value)[:117] + "..." and len(shown) == 120


def test_what_is_there_may_hold_values_json_cannot_write():
    moment = dt.datetime(2026, 11, 29, 10, 0)
    with pytest.raises(ExpressionError) as info:
        walk({"when": moment}, ["other"], "ref")
    assert str(info.value) == 'ref: no \'other\' in {"when": "2026-11-29 10:00:00"}'


def test_json_get_without_a_property_file_reader_says_so():
    spec = {
        "Std:JsonGet": {
            "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.EvaluationReport"},
            "Path": "metrics.auc",
        }
    }
    with pytest.raises(ExpressionError) as info:
        resolve(spec, scope())
    assert str(info.value) == "property files cannot be read in this scope"
