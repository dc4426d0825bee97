"""Every condition the local executor evaluates, at its boundary, as SageMaker's ConditionStep.

Conditions are built with the SDK's own classes and compiled to the definition's JSON
(``to_request``), so the executor reads exactly what SageMaker would receive. SageMaker compares
numbers by value (an Integer parameter against a Float threshold is a numeric comparison), so
mixed int/float comparisons must agree with the arithmetic.
"""

from __future__ import annotations

import pytest
from sagemaker.core.workflow.conditions import (
    ConditionEquals,
    ConditionGreaterThan,
    ConditionGreaterThanOrEqualTo,
    ConditionIn,
    ConditionLessThan,
    ConditionLessThanOrEqualTo,
    ConditionNot,
    ConditionOr,
)
from sagemaker.core.workflow.parameters import ParameterFloat, ParameterInteger

from pipelines.local.expressions import ExpressionError, Scope, evaluate_condition

SCOPE = Scope(parameters={"MinAuc": 0.7, "Rounds": 100}, execution={})
MIN_AUC = ParameterFloat("MinAuc", default_value=0.7)
ROUNDS = ParameterInteger("Rounds", default_value=100)


def as_definition(value):
    """What the compiled definition holds: parameters as their ``{"Get": ...}`` expressions."""
    if hasattr(value, "expr"):
        return value.expr
    if isinstance(value, dict):
        return {key: as_definition(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_definition(item) for item in value]
    return value


def check(condition) -> bool:
    return evaluate_condition(as_definition(condition.to_request()), SCOPE)


# (SDK class, left, right, expected): at equality, either side of it, and mixed int/float.
CASES = [
    (ConditionGreaterThanOrEqualTo, 0.7, MIN_AUC, True),  # AUC exactly at MinAuc passes
    (ConditionGreaterThanOrEqualTo, 0.6999999, MIN_AUC, False),
    (ConditionGreaterThan, 0.7, MIN_AUC, False),
    (ConditionGreaterThan, 0.7000001, MIN_AUC, True),
    (ConditionLessThan, 0.7, MIN_AUC, False),
    (ConditionLessThan, 0.6999999, MIN_AUC, True),
    (ConditionLessThanOrEqualTo, 0.7, MIN_AUC, True),
    (ConditionLessThanOrEqualTo, 0.7000001, MIN_AUC, False),
    (ConditionEquals, 100.0, ROUNDS, True),  # a float equal to an integer parameter
    (ConditionEquals, 100.5, ROUNDS, False),
    (ConditionGreaterThanOrEqualTo, ROUNDS, 100.0, True),
    (ConditionGreaterThan, ROUNDS, 99.5, True),
    (ConditionLessThan, ROUNDS, 100, False),
    (ConditionLessThanOrEqualTo, ROUNDS, 100, True),
    (ConditionEquals, "Approved", "Approved", True),
    (ConditionEquals, "Approved", "approved", False),  # strings compare exactly
]


@pytest.mark.parametrize(("kind", "left", "right", "expected"), CASES)
def test_each_operator_at_and_around_its_boundary(kind, left, right, expected) -> None:
    assert check(kind(left=left, right=right)) is expected


def test_not_or_and_in_combine_as_documented() -> None:
    passes = ConditionGreaterThanOrEqualTo(left=0.7, right=MIN_AUC)
    fails = ConditionLessThan(left=0.7, right=MIN_AUC)
    assert check(ConditionNot(expression=passes)) is False
    assert check(ConditionNot(expression=fails)) is True
    assert check(ConditionOr(conditions=[fails, passes])) is True
    assert check(ConditionOr(conditions=[fails, fails])) is False
    assert check(ConditionIn(value=ROUNDS, in_values=[50, 100])) is True
    assert check(ConditionIn(value=ROUNDS, in_values=[50, 150])) is False


def test_a_condition_list_is_an_and() -> None:
    """A ConditionStep passes only when every condition of its list holds."""
    passes = as_definition(ConditionGreaterThanOrEqualTo(left=0.7, right=MIN_AUC).to_request())
    fails = as_definition(ConditionGreaterThan(left=0.7, right=MIN_AUC).to_request())
    both = {"Type": "And", "Conditions": [passes, fails]}
    assert evaluate_condition(both, SCOPE) is False
    assert evaluate_condition({"Type": "And", "Conditions": [passes, passes]}, SCOPE) is True


@pytest.mark.parametrize(("left", "right"), [("0.8", 0.7), (True, 0.7), (None, 0.7)])
def test_an_order_comparison_of_a_non_number_is_an_error_not_an_answer(left, right) -> None:
    condition = {"Type": "GreaterThanOrEqualTo", "LeftValue": left, "RightValue": right}
    with pytest.raises(ExpressionError, match="needs two numbers"):
        evaluate_condition(condition, SCOPE)


def test_an_unknown_condition_type_is_an_error() -> None:
    condition = {"Type": "Between", "LeftValue": 1, "RightValue": 2}
    with pytest.raises(ExpressionError, match="unsupported condition type"):
        evaluate_condition(condition, SCOPE)
