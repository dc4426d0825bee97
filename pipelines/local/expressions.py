"""Resolve the expressions of a compiled pipeline definition to plain values.

The definition JSON carries four kinds of expression, as SageMaker evaluates them:
``{"Get": "Parameters.X"}``, ``{"Get": "Execution.X"}``, ``{"Get": "Steps.S.<property path>"}``,
``{"Std:Join": {"On": ..., "Values": [...]}}`` and
``{"Std:JsonGet": {"PropertyFile": {"Get": "Steps.S.PropertyFiles.F"}, "Path": "a.b[0]"}}``.
Everything here is pure: step properties and property files come in through a `Scope`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

_PATH_TOKEN = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(?:'([^']*)'|\"([^\"]*)\"|(\d+))\]")


class ExpressionError(ValueError):
    """An expression that cannot be resolved (unknown parameter, step, property or path)."""


def parse_path(path: str) -> list[str | int]:
    """Split ``Outputs['train'].S3Output.S3Uri`` or ``a.b[0]`` into keys and indexes."""
    tokens: list[str | int] = []
    position = 0
    while position < len(path):
        match = _PATH_TOKEN.match(path, position)
        if not match:
            raise ExpressionError(f"cannot parse property path {path!r} at {position}")
        name, single, double, index = match.groups()
        if name is not None:
            tokens.append(name)
        elif index is not None:
            tokens.append(int(index))
        else:
            tokens.append(single if single is not None else double)
        position = match.end()
    return tokens


def walk(value: Any, tokens: list[str | int], what: str) -> Any:
    """Follow parsed path tokens through nested dicts and lists."""
    for token in tokens:
        try:
            value = value[token]
        except (KeyError, IndexError, TypeError):
            raise ExpressionError(f"{what}: no {token!r} in {_preview(value)}") from None
    return value


def _preview(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) < 120 else text[:117] + "..."


@dataclass
class Scope:
    """What expressions can refer to during one execution."""

    parameters: Mapping[str, Any]
    execution: Mapping[str, Any]
    step_properties: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # (step name, property file name) -> parsed JSON content
    read_property_file: Callable[[str, str], Any] | None = None


def resolve(value: Any, scope: Scope) -> Any:
    """Replace every expression inside ``value`` (recursively) by what it stands for."""
    if isinstance(value, list):
        return [resolve(item, scope) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Get"}:
        return _resolve_get(value["Get"], scope)
    if set(value) == {"Std:Join"}:
        join = value["Std:Join"]
        return str(join["On"]).join(_as_text(resolve(item, scope)) for item in join["Values"])
    if set(value) == {"Std:JsonGet"}:
        return _resolve_json_get(value["Std:JsonGet"], scope)
    return {key: resolve(item, scope) for key, item in value.items()}


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _resolve_get(reference: str, scope: Scope) -> Any:
    kind, _, rest = reference.partition(".")
    if kind == "Parameters":
        if rest not in scope.parameters:
            raise ExpressionError(f"unknown parameter {rest!r}")
        return scope.parameters[rest]
    if kind == "Execution":
        if rest not in scope.execution:
            raise ExpressionError(f"unknown execution variable {rest!r}")
        return scope.execution[rest]
    if kind == "Steps":
        step, _, path = rest.partition(".")
        if step not in scope.step_properties:
            raise ExpressionError(f"step {step!r} has not run, so {reference!r} has no value")
        return walk(scope.step_properties[step], parse_path(path), reference)
    raise ExpressionError(f"unsupported reference {reference!r}")


def _resolve_json_get(spec: Mapping[str, Any], scope: Scope) -> Any:
    reference = spec["PropertyFile"]["Get"] if isinstance(spec["PropertyFile"], dict) else None
    match = re.fullmatch(r"Steps\.([^.]+)\.PropertyFiles\.(.+)", reference or "")
    if not match:
        raise ExpressionError(f"unsupported JsonGet property file {spec['PropertyFile']!r}")
    if scope.read_property_file is None:
        raise ExpressionError("property files cannot be read in this scope")
    content = scope.read_property_file(match.group(1), match.group(2))
    return walk(content, parse_path(spec["Path"]), f"JsonGet {spec['Path']!r}")


def step_references(value: Any) -> set[str]:
    """Names of the steps an argument tree refers to (its data dependencies)."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= step_references(item)
    elif isinstance(value, dict):
        get = value.get("Get")
        if isinstance(get, str) and get.startswith("Steps."):
            found.add(get.split(".")[1])
        for item in value.values():
            found |= step_references(item)
    return found


def evaluate_condition(condition: Mapping[str, Any], scope: Scope) -> bool:
    """Evaluate one condition of a ConditionStep, as SageMaker does."""
    kind = condition["Type"]
    if kind == "Not":
        return not evaluate_condition(condition["Condition"], scope)
    if kind in ("And", "Or"):
        outcomes = [evaluate_condition(c, scope) for c in condition["Conditions"]]
        return all(outcomes) if kind == "And" else any(outcomes)
    if kind == "In":
        value = resolve(condition["QueryValue"], scope)
        return value in [resolve(v, scope) for v in condition["Values"]]
    left = resolve(condition["LeftValue"], scope)
    right = resolve(condition["RightValue"], scope)
    return _compare(kind, left, right)


def _compare(kind: str, left: Any, right: Any) -> bool:
    if kind == "Equals":
        return left == right
    comparisons: dict[str, Callable[[Any, Any], bool]] = {
        "GreaterThan": lambda a, b: a > b,
        "GreaterThanOrEqualTo": lambda a, b: a >= b,
        "LessThan": lambda a, b: a < b,
        "LessThanOrEqualTo": lambda a, b: a <= b,
    }
    if kind not in comparisons:
        raise ExpressionError(f"unsupported condition type {kind!r}")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right)):
        raise ExpressionError(f"{kind} needs two numbers, got {left!r} and {right!r}")
    return comparisons[kind](left, right)
