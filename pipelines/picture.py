"""Draw a compiled pipeline definition: ``python -m pipelines.picture [--definition PATH]``.

The picture is the graph SageMaker Studio shows for a pipeline: one box per step (the steps of
a condition's branches included), an arrow for every dependency (a property or property file
another step reads, a DependsOn), the condition's branches labelled "if true" / "else", and a
Fail step drawn apart. It is written as SVG and PNG with matplotlib (Agg, no font downloads, no
graphviz), and identical definitions give identical SVG bytes.

``layout`` is pure (a layered drawing: layers by longest path from the sources, barycenter
ordering inside a layer, edges routed through the layers they cross); ``render`` draws it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.local.graph import DefinitionError, build_graph, data_dependencies

# Geometry, in inches (render draws one layout unit as one inch).
BOX_HEIGHT = 0.74
MIN_BOX_WIDTH = 1.9
NAME_CHAR_WIDTH = 0.088  # bold 10 pt DejaVu Sans, a little generous
TYPE_CHAR_WIDTH = 0.066  # 8 pt
BOX_PADDING = 0.42
LAYER_GAP = 0.78
BOX_GAP = 0.5  # between two boxes of a layer
LANE_GAP = 0.26  # between an edge passing through a layer and its neighbours
PORT_SPACING = 0.3
SWEEPS = 12

BRANCH_LABELS = {"if": "if true", "else": "else"}
FAIL_CAPTION = "Fail: execution stops"


@dataclass(frozen=True)
class Node:
    """A step's box: ``x`` is its centre, ``y`` its top edge (y grows downwards)."""

    name: str
    type: str
    layer: int
    order: int
    x: float
    y: float
    width: float
    height: float
    branch_of: str | None = None

    @property
    def is_fail(self) -> bool:
        return self.type == "Fail"


@dataclass(frozen=True)
class Edge:
    """``source`` -> ``target``. ``kind``: data, depends_on, if or else.

    ``points`` is the route: the source's bottom port, then for every layer the edge passes
    through the top and bottom of its lane there, then the target's top port. Between layers the
    route is a curve, inside a layer it runs straight down.
    """

    source: str
    target: str
    kind: str
    label: str
    points: tuple[tuple[float, float], ...]
    label_at: tuple[float, float] | None = None


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: Any


@dataclass(frozen=True)
class Layout:
    nodes: dict[str, Node]
    edges: tuple[Edge, ...]
    layers: tuple[tuple[str, ...], ...]  # the steps of each layer, left to right
    parameters: tuple[Parameter, ...]
    width: float
    height: float

    def edge_set(self) -> set[tuple[str, str, str]]:
        """(source, target, label) of every edge; label is "if true", "else" or ""."""
        return {(e.source, e.target, e.label) for e in self.edges}


def _edge_kind(spec: Mapping[str, Any], upstream: str, branch_label: str) -> str:
    if branch_label:
        return branch_label
    if upstream in data_dependencies(spec):
        return "data"
    return "depends_on"


def _crossings(layers: list[list[str]], down: dict[str, list[str]]) -> int:
    total = 0
    for upper, lower in zip(layers, layers[1:], strict=False):
        position = {name: i for i, name in enumerate(lower)}
        segments = [(i, position[t]) for i, name in enumerate(upper) for t in down[name]]
        for k, (a, b) in enumerate(segments):
            for c, d in segments[k + 1 :]:
                if (a - c) * (b - d) < 0:
                    total += 1
    return total


def _order_layers(
    layers: list[list[str]], up: dict[str, list[str]], down: dict[str, list[str]]
) -> list[list[str]]:
    """Barycenter sweeps, down then up; the ordering with the fewest crossings wins."""
    best = [list(layer) for layer in layers]
    best_crossings = _crossings(best, down)
    current = [list(layer) for layer in layers]
    for sweep in range(SWEEPS):
        downwards = sweep % 2 == 0
        indexes = range(1, len(current)) if downwards else range(len(current) - 2, -1, -1)
        for i in indexes:
            neighbours = up if downwards else down
            reference = current[i - 1] if downwards else current[i + 1]
            position = {name: k for k, name in enumerate(reference)}

            def key(item: tuple[int, str], neighbours=neighbours, position=position):
                k, name = item
                linked = [position[n] for n in neighbours[name]]
                return (sum(linked) / len(linked) if linked else k, k)

            current[i] = [name for _, name in sorted(enumerate(current[i]), key=key)]
        crossings = _crossings(current, down)
        if crossings < best_crossings:
            best, best_crossings = [list(layer) for layer in current], crossings
    return best


def _pool_adjacent(desired: list[float], offsets: list[float]) -> list[float]:
    """Positions closest (least squares) to ``desired`` keeping x[i+1] - x[i] >= the gaps.

    With y[i] = x[i] - offsets[i] the constraint is y non-decreasing: isotonic regression.
    """
    blocks: list[list[float]] = []  # [mean, weight]
    for target in (d - o for d, o in zip(desired, offsets, strict=True)):
        blocks.append([target, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, weight = blocks.pop()
            previous = blocks[-1]
            total = previous[1] + weight
            previous[0] = (previous[0] * previous[1] + mean * weight) / total
            previous[1] = total
    values = [mean for mean, weight in blocks for _ in range(int(weight))]
    return [v + o for v, o in zip(values, offsets, strict=True)]


def _place_x(
    layers: list[list[str]],
    up: dict[str, list[str]],
    down: dict[str, list[str]],
    width: dict[str, float],
    virtual: set[str],
) -> dict[str, float]:
    def gap(left: str, right: str) -> float:
        spacing = BOX_GAP if left not in virtual and right not in virtual else LANE_GAP
        return (width[left] + width[right]) / 2 + spacing

    offsets: list[list[float]] = []
    x: dict[str, float] = {}
    for layer in layers:
        layer_offsets = [0.0]
        for left, right in zip(layer, layer[1:], strict=False):
            layer_offsets.append(layer_offsets[-1] + gap(left, right))
        offsets.append(layer_offsets)
        widest = layer_offsets[-1]
        for name, offset in zip(layer, layer_offsets, strict=True):
            x[name] = offset - widest / 2

    def settle(i: int, neighbours: list[dict[str, list[str]]]) -> None:
        desired = []
        for name in layers[i]:
            linked = [x[n] for table in neighbours for n in table[name]]
            desired.append(sum(linked) / len(linked) if linked else x[name])
        for name, value in zip(layers[i], _pool_adjacent(desired, offsets[i]), strict=True):
            x[name] = value

    for _ in range(SWEEPS):
        for i in range(1, len(layers)):
            settle(i, [up])
        for i in range(len(layers) - 2, -1, -1):
            settle(i, [down])
    for _ in range(3):
        for i in range(len(layers)):
            settle(i, [up, down])
    left = min(x[name] - width[name] / 2 for layer in layers for name in layer)
    return {name: round(value - left, 4) for name, value in x.items()}


def _spread(centre: float, count: int, box_width: float) -> list[float]:
    if count <= 1:
        return [centre] * count
    spacing = min(PORT_SPACING, box_width * 0.72 / (count - 1))
    return [centre + (k - (count - 1) / 2) * spacing for k in range(count)]


def layout(definition: Mapping[str, Any]) -> Layout:
    """Place the steps of a compiled definition in layers and route its dependencies.

    Raises ``DefinitionError`` for a definition SageMaker would refuse (a dependency cycle, a
    reference to a step that does not exist, a step name used twice).
    """
    graph = build_graph(definition)
    order = graph.topological_order()
    layer_of: dict[str, int] = {}
    for name in order:
        depends = graph.steps[name].depends_on
        layer_of[name] = 1 + max(layer_of[d] for d in depends) if depends else 0

    # Edges, in definition order of the downstream step.
    raw_edges = []
    for upstream, downstream, branch in graph.edges():
        kind = _edge_kind(graph.steps[downstream].spec, upstream, branch)
        raw_edges.append((upstream, downstream, kind, BRANCH_LABELS.get(branch, "")))

    # Split the edges that span several layers with one virtual node per layer crossed.
    layers: list[list[str]] = [[] for _ in range(max(layer_of.values(), default=-1) + 1)]
    for name in order:
        layers[layer_of[name]].append(name)
    up: dict[str, list[str]] = {name: [] for name in order}
    down: dict[str, list[str]] = {name: [] for name in order}
    chains: list[list[str]] = []
    virtual: set[str] = set()
    for index, (upstream, downstream, _, _) in enumerate(raw_edges):
        chain = [upstream]
        for layer in range(layer_of[upstream] + 1, layer_of[downstream]):
            lane = f"\0{index}:{layer}"
            virtual.add(lane)
            layers[layer].append(lane)
            up[lane], down[lane] = [], []
            chain.append(lane)
        chain.append(downstream)
        for a, b in zip(chain, chain[1:], strict=False):
            down[a].append(b)
            up[b].append(a)
        chains.append(chain)

    layers = _order_layers(layers, up, down)

    box_width = max(
        [MIN_BOX_WIDTH]
        + [len(name) * NAME_CHAR_WIDTH + BOX_PADDING for name in order]
        + [len(_type_caption(graph.steps[n].type)) * TYPE_CHAR_WIDTH + BOX_PADDING for n in order]
    )
    box_width = round(box_width, 2)
    width = {name: (0.0 if name in virtual else box_width) for layer in layers for name in layer}
    x = _place_x(layers, up, down, width, virtual)

    def top(layer: int) -> float:
        return round(layer * (BOX_HEIGHT + LAYER_GAP), 4)

    nodes = {}
    for layer_index, layer in enumerate(layers):
        real = [name for name in layer if name not in virtual]
        for position, name in enumerate(real):
            step = graph.steps[name]
            nodes[name] = Node(
                name=name,
                type=step.type,
                layer=layer_index,
                order=position,
                x=x[name],
                y=top(layer_index),
                width=box_width,
                height=BOX_HEIGHT,
                branch_of=step.branch_of,
            )

    # Ports: a box's outgoing edges leave its bottom left to right in the order of where they
    # go next; incoming edges enter its top in the order of where they come from.
    out_ports: dict[int, float] = {}
    in_ports: dict[int, float] = {}
    for name, node in nodes.items():
        leaving = sorted(
            (k for k, chain in enumerate(chains) if chain[0] == name),
            key=lambda k: (x[chains[k][1]], k),
        )
        for k, port in zip(leaving, _spread(node.x, len(leaving), node.width), strict=True):
            out_ports[k] = port
        entering = sorted(
            (k for k, chain in enumerate(chains) if chain[-1] == name),
            key=lambda k: (x[chains[k][-2]], k),
        )
        for k, port in zip(entering, _spread(node.x, len(entering), node.width), strict=True):
            in_ports[k] = port

    edges = []
    for k, ((upstream, downstream, kind, label), chain) in enumerate(
        zip(raw_edges, chains, strict=True)
    ):
        source, target = nodes[upstream], nodes[downstream]
        points = [(round(out_ports[k], 4), round(source.y + source.height, 4))]
        for lane in chain[1:-1]:
            lane_top = top(int(lane.rsplit(":", 1)[1]))
            points += [(x[lane], lane_top), (x[lane], round(lane_top + BOX_HEIGHT, 4))]
        points.append((round(in_ports[k], 4), target.y))
        label_at = None
        if label:
            (x0, y0), (x1, y1) = points[0], points[1]
            label_at = (round((x0 + x1) / 2, 4), round((y0 + y1) / 2, 4))
        edges.append(Edge(upstream, downstream, kind, label, tuple(points), label_at))

    parameters = tuple(
        Parameter(p["Name"], p.get("Type", "String"), p.get("DefaultValue"))
        for p in definition.get("Parameters", [])
    )
    total_width = max((n.x + n.width / 2 for n in nodes.values()), default=0.0)
    total_height = top(len(layers) - 1) + BOX_HEIGHT if layers else 0.0
    return Layout(
        nodes=nodes,
        edges=tuple(edges),
        layers=tuple(tuple(n for n in layer if n not in virtual) for layer in layers),
        parameters=parameters,
        width=round(total_width, 4),
        height=round(total_height, 4),
    )


# --- drawing ------------------------------------------------------------------------------

# (fill, border) per step type; anything else is grey.
STEP_COLOURS = {
    "Processing": ("#dbeafe", "#1d4ed8"),
    "Training": ("#ede9fe", "#6d28d9"),
    "Tuning": ("#f3e8ff", "#9333ea"),
    "Transform": ("#e0f2fe", "#0369a1"),
    "Condition": ("#fef3c7", "#b45309"),
    "Fail": ("#fee2e2", "#b91c1c"),
    "RegisterModel": ("#dcfce7", "#15803d"),
    "Model": ("#ccfbf1", "#0f766e"),
    "CreateModel": ("#ccfbf1", "#0f766e"),
}
OTHER_COLOURS = ("#f1f5f9", "#475569")
EDGE_STYLES = {  # kind -> (colour, line style, legend text)
    "data": ("#475569", "solid", "reads properties / property file"),
    "depends_on": ("#475569", (0, (4, 3)), "DependsOn"),
    "if": ("#15803d", "solid", "condition: if true"),
    "else": ("#b91c1c", "solid", "condition: else"),
}
LABEL_COLOURS = {"if true": "#15803d", "else": "#b91c1c"}
FONT = "DejaVu Sans"  # ships with matplotlib
MARGIN = 0.4
TITLE_BAND = 0.95
LEGEND_WIDTH = 2.55
CAPTION_LINE = 0.21
CAPTION_CHAR_WIDTH = 0.062  # 8 pt
DPI = 150
SVG_HASH_SALT = "pipelines.picture"


def _type_caption(step_type: str) -> str:
    return FAIL_CAPTION if step_type == "Fail" else f"{step_type} step"


def _colours(step_type: str) -> tuple[str, str]:
    return STEP_COLOURS.get(step_type, OTHER_COLOURS)


def _format_default(value: Any) -> str:
    if value is None:
        return "(no default)"
    return json.dumps(value) if isinstance(value, str) else str(value)


def _caption_columns(parameters: Sequence[Parameter]) -> list[list[str]]:
    lines = [f"{p.name} ({p.type}) = {_format_default(p.default)}" for p in parameters]
    if len(lines) <= 4:
        return [lines] if lines else []
    half = (len(lines) + 1) // 2
    return [lines[:half], lines[half:]]


def _route_path(points: Sequence[tuple[float, float]]):
    from matplotlib.path import Path as MplPath

    vertices = [points[0]]
    codes = [MplPath.MOVETO]
    for k, ((x0, y0), (x1, y1)) in enumerate(zip(points, points[1:], strict=False)):
        if k % 2 == 0:  # between two layers: a curve leaving and arriving vertically
            middle = (y0 + y1) / 2
            vertices += [(x0, middle), (x1, middle), (x1, y1)]
            codes += [MplPath.CURVE4] * 3
        else:  # through a layer, straight down its lane
            vertices.append((x1, y1))
            codes.append(MplPath.LINETO)
    return MplPath(vertices, codes)


def render(layout: Layout, path_svg: Path, path_png: Path, title: str) -> None:
    """Draw ``layout`` to an SVG and a PNG (matplotlib, Agg; deterministic SVG bytes)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

    columns = _caption_columns(layout.parameters)
    caption_rows = max((len(c) for c in columns), default=0)
    caption_height = (0.25 + caption_rows * CAPTION_LINE) if columns else 0.0
    column_width = max((len(line) * CAPTION_CHAR_WIDTH for c in columns for line in c), default=0.0)
    caption_width = len(columns) * (column_width + 0.3)
    legend_kinds = [k for k in EDGE_STYLES if any(e.kind == k for e in layout.edges)]
    step_types = sorted({n.type for n in layout.nodes.values()}, key=_type_rank)
    legend_height = 0.45 + 0.27 * (len(step_types) + len(legend_kinds)) + 0.1
    graph_width = max(layout.width, 2.0)
    fig_width = 2 * MARGIN + max(graph_width + 0.5 + LEGEND_WIDTH, caption_width)
    graph_height = max(layout.height, legend_height)
    fig_height = TITLE_BAND + graph_height + 0.45 + caption_height + MARGIN
    left = MARGIN + max(0.0, (fig_width - 2 * MARGIN - LEGEND_WIDTH - 0.5 - layout.width) / 2)
    top = TITLE_BAND

    style = {
        "svg.hashsalt": SVG_HASH_SALT,
        "svg.fonttype": "none",  # text stays text: searchable, and no embedded glyphs
        "font.family": "sans-serif",
        "font.sans-serif": [FONT],
        "path.simplify": False,
    }
    with matplotlib.rc_context(style):
        figure = Figure(figsize=(fig_width, fig_height))
        FigureCanvasAgg(figure)
        ax = figure.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, fig_width)
        ax.set_ylim(fig_height, 0)  # inches, y downwards like the layout
        ax.set_axis_off()

        ax.text(MARGIN, 0.42, title, fontsize=15, fontweight="bold", color="#0f172a", va="center")
        ax.text(
            MARGIN,
            0.7,
            f"SageMaker pipeline definition: {len(layout.nodes)} steps, "
            f"{len(layout.edges)} dependencies",
            fontsize=9,
            color="#475569",
            va="center",
        )

        for edge in layout.edges:
            colour, line_style, _ = EDGE_STYLES[edge.kind]
            points = [(left + px, top + py) for px, py in edge.points]
            ax.add_patch(
                FancyArrowPatch(
                    path=_route_path(points),
                    arrowstyle="-|>",
                    mutation_scale=13,
                    color=colour,
                    linewidth=1.6 if edge.label else 1.2,
                    linestyle=line_style,
                    shrinkA=0,
                    shrinkB=0,
                    zorder=1,
                    joinstyle="round",
                    capstyle="round",
                )
            )
        for edge in layout.edges:
            if edge.label and edge.label_at:
                colour = LABEL_COLOURS.get(edge.label, "#334155")
                ax.text(
                    left + edge.label_at[0],
                    top + edge.label_at[1],
                    edge.label,
                    fontsize=8.5,
                    fontweight="bold",
                    color=colour,
                    ha="center",
                    va="center",
                    zorder=4,
                    bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": colour, "lw": 0.8},
                )

        for node in layout.nodes.values():
            fill, border = _colours(node.type)
            x0 = left + node.x - node.width / 2
            y0 = top + node.y
            outline = {
                "boxstyle": "round,pad=0,rounding_size=0.12",
                "linewidth": 2.6 if node.is_fail else 1.4,
                "linestyle": (0, (5, 2)) if node.is_fail else "solid",
            }
            box = FancyBboxPatch(
                (x0, y0), node.width, node.height, facecolor=fill, edgecolor="none", zorder=2
            )
            box.set_boxstyle(outline["boxstyle"])
            ax.add_patch(box)
            # A coloured strip on the left (clipped to the box), as Studio marks the step type.
            strip = Rectangle(
                (x0, y0), 0.11, node.height, facecolor=border, edgecolor="none", zorder=2.5
            )
            ax.add_patch(strip)
            strip.set_clip_path(box)
            ax.add_patch(
                FancyBboxPatch(
                    (x0, y0),
                    node.width,
                    node.height,
                    facecolor="none",
                    edgecolor=border,
                    zorder=3,
                    **outline,
                )
            )
            centre = left + node.x + 0.05
            ax.text(
                centre,
                y0 + node.height * 0.4,
                node.name,
                fontsize=10,
                fontweight="bold",
                color="#0f172a",
                ha="center",
                va="center",
                zorder=4,
            )
            ax.text(
                centre,
                y0 + node.height * 0.72,
                _type_caption(node.type),
                fontsize=8,
                color=border,
                ha="center",
                va="center",
                zorder=4,
            )

        _draw_legend(
            ax,
            FancyBboxPatch,
            x=left + layout.width + 0.5,
            y=top,
            step_types=step_types,
            edge_kinds=legend_kinds,
        )

        if columns:
            y = top + graph_height + 0.45
            ax.plot(
                [MARGIN, fig_width - MARGIN], [y - 0.2, y - 0.2], color="#cbd5e1", linewidth=0.8
            )
            ax.text(
                MARGIN,
                y,
                "Parameters (name, type = default)",
                fontsize=8.5,
                fontweight="bold",
                color="#334155",
                va="center",
            )
            for c, column in enumerate(columns):
                for r, line in enumerate(column):
                    ax.text(
                        MARGIN + c * (column_width + 0.3),
                        y + (r + 1) * CAPTION_LINE + 0.04,
                        line,
                        fontsize=8,
                        color="#334155",
                        va="center",
                    )

        path_svg.parent.mkdir(parents=True, exist_ok=True)
        path_png.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path_svg, format="svg", metadata={"Date": None, "Title": title})
        figure.savefig(path_png, format="png", dpi=DPI, metadata={"Software": None, "Title": title})


def _type_rank(step_type: str) -> tuple[int, str]:
    ranks = list(STEP_COLOURS)
    return (ranks.index(step_type) if step_type in ranks else len(ranks), step_type)


def _draw_legend(ax, box, *, x: float, y: float, step_types, edge_kinds) -> None:
    from matplotlib.patches import FancyArrowPatch

    rows = len(step_types) + len(edge_kinds)
    height = 0.45 + 0.27 * rows + 0.1
    ax.add_patch(
        box(
            (x, y),
            LEGEND_WIDTH,
            height,
            boxstyle="round,pad=0,rounding_size=0.08",
            facecolor="#f8fafc",
            edgecolor="#cbd5e1",
            linewidth=0.8,
        )
    )
    ax.text(x + 0.15, y + 0.25, "Legend", fontsize=9, fontweight="bold", color="#334155")
    row = y + 0.55
    for step_type in step_types:
        fill, border = _colours(step_type)
        is_fail = step_type == "Fail"
        ax.add_patch(
            box(
                (x + 0.15, row - 0.08),
                0.34,
                0.16,
                boxstyle="round,pad=0,rounding_size=0.04",
                facecolor=fill,
                edgecolor=border,
                linewidth=1.8 if is_fail else 1.1,
                linestyle=(0, (3, 1.5)) if is_fail else "solid",
            )
        )
        ax.text(x + 0.62, row, f"{step_type} step", fontsize=8, color="#334155", va="center")
        row += 0.27
    for kind in edge_kinds:
        colour, line_style, text = EDGE_STYLES[kind]
        ax.add_patch(
            FancyArrowPatch(
                (x + 0.13, row),
                (x + 0.5, row),
                arrowstyle="-|>",
                mutation_scale=10,
                color=colour,
                linewidth=1.3,
                linestyle=line_style,
                shrinkA=0,
                shrinkB=0,
            )
        )
        ax.text(x + 0.62, row, text, fontsize=8, color="#334155", va="center")
        row += 0.27


def main(argv: list[str] | None = None) -> int:
    from pipelines.config import MissingSettingError, load_settings

    settings = load_settings()
    parser = argparse.ArgumentParser(prog="pipelines.picture", description=__doc__)
    parser.add_argument(
        "--definition", type=Path, help="a compiled definition JSON (default: compile one)"
    )
    parser.add_argument("--target", choices=["local", "aws"], default="local")
    parser.add_argument(
        "--out",
        type=Path,
        default=settings.build_dir / "pipeline-graph",
        help="writes OUT.svg and OUT.png",
    )
    args = parser.parse_args(argv)
    try:
        if args.definition:
            definition = json.loads(args.definition.read_text())
        else:
            from pipelines.compile import compile_pipeline

            definition = compile_pipeline(settings, args.target).definition
        drawing = layout(definition)
    except MissingSettingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as error:  # DefinitionError and bad JSON are ValueErrors
        kind = "invalid definition" if isinstance(error, DefinitionError) else "error"
        print(f"{kind}: {error}", file=sys.stderr)
        return 1
    svg = args.out.with_name(args.out.name + ".svg")
    png = args.out.with_name(args.out.name + ".png")
    render(drawing, svg, png, settings.pipeline_name)
    print(svg)
    print(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
