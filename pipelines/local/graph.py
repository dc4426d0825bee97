"""The step graph of a compiled definition: steps, their dependencies, branch membership."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pipelines.local.expressions import step_references


class DefinitionError(ValueError):
    """The definition is not something SageMaker would accept (cycle, unknown step, ...)."""


@dataclass(frozen=True)
class StepNode:
    name: str
    type: str
    spec: Mapping[str, Any]
    depends_on: frozenset[str]
    branch_of: str | None = None  # the ConditionStep whose branch holds this step


@dataclass
class StepGraph:
    steps: dict[str, StepNode] = field(default_factory=dict)

    def topological_order(self) -> list[str]:
        """Steps in dependency order; ties keep the definition's order (stable)."""
        order: list[str] = []
        remaining = dict(self.steps)
        while remaining:
            ready = [n for n, s in remaining.items() if s.depends_on <= set(order)]
            if not ready:
                raise DefinitionError(f"dependency cycle among steps {sorted(remaining)}")
            for name in ready:
                order.append(name)
                del remaining[name]
        return order

    def edges(self) -> Iterator[tuple[str, str, str]]:
        """(upstream, downstream, label) for drawing: label is 'if', 'else' or ''.

        Only the edge from a condition to a step of one of its branches is labelled; a step
        that merely reads a condition's properties or names it in DependsOn gets ''.
        """
        for node in self.steps.values():
            for upstream in sorted(node.depends_on):
                label = ""
                if node.branch_of == upstream:
                    parent = self.steps[upstream]
                    label = "if" if node.name in branch_names(parent.spec, "IfSteps") else "else"
                yield upstream, node.name, label


def branch_names(condition_spec: Mapping[str, Any], key: str) -> list[str]:
    return [step["Name"] for step in condition_spec.get("Arguments", {}).get(key, [])]


def data_dependencies(spec: Mapping[str, Any]) -> set[str]:
    """Steps whose properties or property files this step reads (Get / Std:JsonGet).

    A condition depends on what its conditions read, not on what its own branches read.
    """
    arguments = spec.get("Arguments", {})
    if spec.get("Type") == "Condition":
        return step_references(arguments.get("Conditions", []))
    return step_references(arguments)


def _dependencies(spec: Mapping[str, Any]) -> set[str]:
    return data_dependencies(spec) | set(spec.get("DependsOn", []))


def build_graph(definition: Mapping[str, Any]) -> StepGraph:
    """Flatten top-level and branch steps into one graph with explicit dependencies."""
    graph = StepGraph()

    def add(spec: Mapping[str, Any], branch_of: str | None) -> None:
        name = spec["Name"]
        if name in graph.steps:
            raise DefinitionError(f"step name {name!r} is used twice")
        depends = _dependencies(spec)
        if branch_of:
            depends.add(branch_of)
        graph.steps[name] = StepNode(name, spec["Type"], spec, frozenset(depends), branch_of)
        if spec["Type"] == "Condition":
            for key in ("IfSteps", "ElseSteps"):
                for child in spec["Arguments"].get(key, []):
                    add(child, name)

    for spec in definition.get("Steps", []):
        add(spec, None)
    for node in graph.steps.values():
        unknown = node.depends_on - set(graph.steps)
        if unknown:
            raise DefinitionError(f"step {node.name!r} refers to unknown steps {sorted(unknown)}")
    return graph
