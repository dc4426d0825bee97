"""The picture of the compiled definition: its layout, the SVG/PNG it renders, the CLI.

The expected edges are derived from the definition JSON independently of pipelines.local.graph
(a plain walk over the steps and their "Get": "Steps.X..." references) and also pinned by hand
for this pipeline.
"""

from __future__ import annotations

import copy
import json
import re
import struct
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.compile import compile_pipeline
from pipelines.config import Settings
from pipelines.local.graph import DefinitionError
from pipelines.picture import Layout, layout, main, render

SVG_TEXT = "{http://www.w3.org/2000/svg}text"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
STEP_REFERENCE = re.compile(r'"Get": "Steps\.([^".]+)\.')

# This pipeline's graph, by hand: (upstream, downstream, branch label).
EXPECTED_EDGES = {
    ("ExtractText", "Preprocess", ""),
    ("Preprocess", "IngestFeatures", ""),
    ("Preprocess", "Train", ""),
    ("Preprocess", "Evaluate", ""),
    ("Train", "Evaluate", ""),
    ("Evaluate", "CheckModelQuality", ""),
    ("CheckModelQuality", "Register", "if true"),
    ("CheckModelQuality", "FailModelQuality", "else"),
    ("Train", "Register", ""),
    ("Evaluate", "Register", ""),
    ("Evaluate", "FailModelQuality", ""),  # its error message quotes the evaluation report
}


@pytest.fixture(scope="module")
def definition(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("picture")
    settings = Settings(
        lake_dir=root / "lake", mlflow_dir=root / "mlflow", build_dir=root / "build"
    )
    return compile_pipeline(settings, "local").definition


@pytest.fixture(scope="module")
def drawing(definition) -> Layout:
    return layout(definition)


@pytest.fixture(scope="module")
def rendered(drawing, tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("rendered")
    svg, png = root / "graph.svg", root / "graph.png"
    render(drawing, svg, png, "datathon-mlet03-match")
    return svg, png


def all_steps(steps: list[dict], parent: str | None = None, branch: str = "") -> Iterator:
    """(spec, enclosing condition, "IfSteps"/"ElseSteps") for every step, branches included."""
    for spec in steps:
        yield spec, parent, branch
        if spec["Type"] == "Condition":
            for key in ("IfSteps", "ElseSteps"):
                yield from all_steps(spec["Arguments"].get(key, []), spec["Name"], key)


def derived_edges(definition: dict) -> set[tuple[str, str, str]]:
    edges = set()
    for spec, parent, branch in all_steps(definition["Steps"]):
        name = spec["Name"]
        arguments = spec.get("Arguments", {})
        reads = arguments.get("Conditions", []) if spec["Type"] == "Condition" else arguments
        for upstream in STEP_REFERENCE.findall(json.dumps(reads)):
            edges.add((upstream, name, ""))
        for upstream in spec.get("DependsOn", []):
            edges.add((upstream, name, ""))
        if parent:
            edges.add((parent, name, "if true" if branch == "IfSteps" else "else"))
    return edges


def test_every_step_is_a_node(definition, drawing):
    names = {spec["Name"] for spec, _, _ in all_steps(definition["Steps"])}
    assert set(drawing.nodes) == names
    assert {"Register", "FailModelQuality"} <= names  # the condition's branches are in
    types = {spec["Name"]: spec["Type"] for spec, _, _ in all_steps(definition["Steps"])}
    assert {name: node.type for name, node in drawing.nodes.items()} == types
    assert drawing.nodes["FailModelQuality"].is_fail
    assert [name for name, node in drawing.nodes.items() if node.is_fail] == ["FailModelQuality"]
    assert sorted(n for layer in drawing.layers for n in layer) == sorted(names)


def test_edges_are_the_true_dependencies(definition, drawing):
    assert drawing.edge_set() == derived_edges(definition)
    assert drawing.edge_set() == EXPECTED_EDGES
    assert len(drawing.edges) == len(EXPECTED_EDGES)
    kinds = {(e.source, e.target): e.kind for e in drawing.edges}
    assert kinds[("CheckModelQuality", "Register")] == "if"
    assert kinds[("CheckModelQuality", "FailModelQuality")] == "else"
    assert kinds[("Evaluate", "CheckModelQuality")] == "data"  # a JsonGet of a property file


def test_layers_are_longest_paths_and_edges_go_down(drawing):
    upstream: dict[str, set[str]] = {name: set() for name in drawing.nodes}
    for edge in drawing.edges:
        upstream[edge.target].add(edge.source)
        assert drawing.nodes[edge.target].layer > drawing.nodes[edge.source].layer
    for name, node in drawing.nodes.items():
        expected = 1 + max(drawing.nodes[u].layer for u in upstream[name]) if upstream[name] else 0
        assert node.layer == expected, name
    assert drawing.layers[0] == ("ExtractText",)
    assert set(drawing.layers[-1]) == {"Register", "FailModelQuality"}


def test_boxes_do_not_overlap_and_edges_avoid_them(drawing):
    nodes = list(drawing.nodes.values())
    for i, a in enumerate(nodes):
        for b in nodes[i + 1 :]:
            apart_x = abs(a.x - b.x) >= (a.width + b.width) / 2
            apart_y = a.y + a.height <= b.y or b.y + b.height <= a.y
            assert apart_x or apart_y, (a.name, b.name)
        assert a.x - a.width / 2 >= 0 and a.x + a.width / 2 <= drawing.width + 1e-6
        assert a.y >= 0 and a.y + a.height <= drawing.height + 1e-6
    for edge in drawing.edges:
        source, target = drawing.nodes[edge.source], drawing.nodes[edge.target]
        (x0, y0), (x1, y1) = edge.points[0], edge.points[-1]
        assert y0 == pytest.approx(source.y + source.height)
        assert abs(x0 - source.x) < source.width / 2
        assert y1 == pytest.approx(target.y)
        assert abs(x1 - target.x) < target.width / 2
        # Where it passes through a layer, it runs in a lane clear of that layer's boxes.
        for lane_x, lane_y in edge.points[1:-1]:
            for node in nodes:
                if node.y <= lane_y <= node.y + node.height:
                    assert abs(lane_x - node.x) > node.width / 2, (edge, node.name)


def test_branch_labels_sit_on_their_edges(drawing):
    labelled = {e.label: e for e in drawing.edges if e.label}
    assert set(labelled) == {"if true", "else"}
    condition = drawing.nodes["CheckModelQuality"]
    for edge in labelled.values():
        assert edge.label_at is not None
        assert condition.y + condition.height < edge.label_at[1] < drawing.nodes[edge.target].y


def test_layout_is_deterministic(definition, drawing):
    assert layout(copy.deepcopy(definition)) == drawing


def test_svg_names_every_step(drawing, rendered):
    svg, _ = rendered
    texts = [element.text or "" for element in ET.parse(svg).getroot().iter(SVG_TEXT)]
    for name in drawing.nodes:
        assert name in texts
    assert {"if true", "else", "datathon-mlet03-match"} <= set(texts)
    for parameter in drawing.parameters:  # the caption lists the parameters with defaults
        assert any(text.startswith(f"{parameter.name} (") for text in texts), parameter.name
    assert any("MinAuc (Float) = 0.7" in text for text in texts)


def test_png_is_a_png_of_sensible_size(rendered):
    _, png = rendered
    data = png.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", data[16:24])
    assert 600 <= width <= 4000 and 600 <= height <= 4000, (width, height)


def test_identical_definitions_give_identical_svg_bytes(definition, rendered, tmp_path):
    svg, _ = rendered
    again_svg, again_png = tmp_path / "again.svg", tmp_path / "again.png"
    render(layout(copy.deepcopy(definition)), again_svg, again_png, "datathon-mlet03-match")
    assert again_svg.read_bytes() == svg.read_bytes()


def tiny(steps: list[dict]) -> dict:
    return {"Version": "2020-12-01", "Parameters": [], "Steps": steps}


def processing(name: str, depends_on: list[str] | None = None, reads: str | None = None) -> dict:
    spec: dict = {"Name": name, "Type": "Processing", "Arguments": {}}
    if depends_on:
        spec["DependsOn"] = depends_on
    if reads:
        spec["Arguments"]["Input"] = {"Get": f"Steps.{reads}.ProcessingOutputConfig"}
    return spec


def test_a_cycle_is_a_definition_error():
    with pytest.raises(DefinitionError, match="cycle"):
        layout(tiny([processing("A", depends_on=["B"]), processing("B", reads="A")]))


def test_a_dangling_reference_is_a_definition_error():
    with pytest.raises(DefinitionError, match="Nowhere"):
        layout(tiny([processing("A"), processing("B", reads="Nowhere")]))
    with pytest.raises(DefinitionError, match="Ghost"):
        layout(tiny([processing("A", depends_on=["Ghost"])]))


def test_depends_on_a_condition_is_not_a_branch():
    gate = {
        "Name": "Gate",
        "Type": "Condition",
        "Arguments": {
            "Conditions": [{"Type": "Equals", "LeftValue": 1, "RightValue": 1}],
            "IfSteps": [processing("Yes")],
            "ElseSteps": [],
        },
    }
    drawing = layout(tiny([gate, processing("After", depends_on=["Gate"])]))
    assert drawing.edge_set() == {("Gate", "Yes", "if true"), ("Gate", "After", "")}
    assert {e.target: e.kind for e in drawing.edges} == {"Yes": "if", "After": "depends_on"}


def test_cli_writes_svg_and_png(definition, tmp_path, capsys):
    path = tmp_path / "definition.json"
    path.write_text(json.dumps(definition))
    assert main(["--definition", str(path), "--out", str(tmp_path / "out" / "graph")]) == 0
    svg, png = tmp_path / "out" / "graph.svg", tmp_path / "out" / "graph.png"
    assert ET.parse(svg).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    assert png.read_bytes().startswith(PNG_SIGNATURE)
    assert capsys.readouterr().out.split() == [str(svg), str(png)]


def test_cli_without_aws_settings_says_which_and_exits_2(tmp_path, capsys, monkeypatch):
    for variable in ("MATCH_ROLE_ARN", "MATCH_STEPS_IMAGE_URI", "MATCH_TRAINING_IMAGE_URI"):
        monkeypatch.delenv(variable, raising=False)
    assert main(["--target", "aws", "--out", str(tmp_path / "graph")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: MATCH_ROLE_ARN") and error.count("\n") == 1
    assert not list(tmp_path.iterdir())


def test_cli_refuses_a_broken_definition(tmp_path, capsys):
    path = tmp_path / "definition.json"
    path.write_text(json.dumps(tiny([processing("A", depends_on=["Ghost"])])))
    assert main(["--definition", str(path), "--out", str(tmp_path / "graph")]) == 1
    assert "Ghost" in capsys.readouterr().err
