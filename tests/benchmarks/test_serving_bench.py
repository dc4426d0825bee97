"""The serving benchmark's pure parts: the ``-X importtime`` reading, the target checks, the
figures' rendering and JSON, the workloads, and the script's command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from benchmarks.scoring_api.cold import TOP_IMPORTS, parse_importtime
from benchmarks.scoring_api.figures import (
    ASGI,
    HTTP,
    ColdStart,
    Figures,
    Latency,
    RouteFigures,
)
from benchmarks.scoring_api.records import RANK_SIZES, Records, codes_workloads, record_workloads
from benchmarks.scoring_api.report import _digits, _ms, print_targets, target_checks, write_json
from benchmarks.scoring_api.store import _sqlite_spec
from benchmarks.serving_bench import parse_args

ROOT = Path(__file__).resolve().parents[2]


def _importtime(*entries: tuple[int, str, int, int]) -> str:
    """``-X importtime`` output as CPython writes it: (depth, module, self us, cumulative us),
    children before their parent."""
    lines = ["import time: self [us] | cumulative | imported package"]
    lines += [f"import time: {s:>9} | {c:>10} | {'  ' * d}{name}" for d, name, s, c in entries]
    return "\n".join(lines) + "\n"


SAMPLE = _importtime(
    (0, "json", 80, 80),
    (0, "serving", 100, 100),
    (4, "numpy.core", 200, 200),
    (3, "numpy", 300, 500),
    (2, "lightgbm.basic", 400, 900),
    (1, "lightgbm", 600, 1500),
    (2, "pydantic", 450, 450),
    (1, "fastapi", 250, 700),
    (1, "numpy.linalg", 50, 50),
    (0, "serving.app", 700, 3000),
)


def test_importtime_gives_the_serving_app_total_and_packages_by_cumulative_time() -> None:
    total, top = parse_importtime("a warning line\n" + SAMPLE)
    assert total == 3.0
    assert [cost.package for cost in top] == ["lightgbm", "fastapi", "numpy", "pydantic", "json"]
    by_package = {cost.package: cost for cost in top}
    lightgbm = by_package["lightgbm"]
    # lightgbm.basic runs inside lightgbm: only the outermost import counts as cumulative
    assert (lightgbm.cumulative_ms, lightgbm.self_ms, lightgbm.modules) == (1.5, 1.0, 2)
    assert lightgbm.imported_by == "serving"
    assert by_package["pydantic"].imported_by == "fastapi"
    assert by_package["json"].imported_by == "-"


def test_a_package_imported_from_two_places_sums_its_outermost_imports() -> None:
    _, top = parse_importtime(SAMPLE)
    numpy = next(cost for cost in top if cost.package == "numpy")
    # numpy (500, under lightgbm) and numpy.linalg (50, under serving); numpy.core is inside
    assert numpy.cumulative_ms == pytest.approx(0.55)
    assert numpy.self_ms == pytest.approx(0.55)
    assert numpy.modules == 3
    assert numpy.imported_by == "lightgbm"  # the larger of its outermost imports


def test_importtime_keeps_the_slowest_packages_only_and_no_total_without_serving_app() -> None:
    entries = [(0, f"pkg{k:02d}", 10, 100 * (k + 1)) for k in range(TOP_IMPORTS + 3)]
    total, top = parse_importtime(_importtime(*entries))
    assert total is None
    assert len(top) == TOP_IMPORTS
    assert top[0].package == f"pkg{TOP_IMPORTS + 2:02d}"
    assert top[-1].package == "pkg03"


def _latency(p50: float, p99: float, n: int = 50) -> Latency:
    return Latency(n=n, mean_ms=p50, p50_ms=p50, p99_ms=p99, max_ms=p99)


def _cold(environment: str, label: str, runs: list[float]) -> ColdStart:
    return ColdStart(
        environment=environment,
        label=label,
        python=["python"],
        runs_s=runs,
        median_s=sorted(runs)[len(runs) // 2],
        max_s=max(runs),
        first_run_s=runs[0],
        split_median_s={"imports": 0.1},
        modules=100,
        heavy_modules=[],
        import_total_ms=None,
        top_imports=[],
    )


def _route(name: str, latency: Latency | None, **breakdown: float) -> RouteFigures:
    sends = "codes" if name.endswith("codes") else "records"
    route = RouteFigures(name, "/v1/score", 1, 100, sends=sends)
    if latency is not None:
        route.latency[ASGI] = latency
    route.breakdown_ms = dict(breakdown)
    return route


def _figures(cold: list[ColdStart], routes: list[RouteFigures]) -> Figures:
    return Figures(
        generated_at="2024-01-01T00:00:00+00:00",
        machine={"cpu_count": 2},
        model={},
        records={},
        online_store={},
        cold_start=cold,
        cold_start_skipped=[],
        server_start_s=None,
        health={ASGI: _latency(1.0, 2.0)},
        routes=routes,
        targets=[],
    )


def test_targets_are_checked_against_the_lambda_cold_start_and_the_asgi_p99() -> None:
    figures = _figures(
        [_cold("venv", "(a) project venv", [3.0, 3.5]), _cold("lambda", "(b) Lambda", [0.7, 0.9])],
        [
            _route("score", _latency(5.0, 12.0)),
            _route("rank-1000", _latency(30.0, 45.0)),
        ],
    )
    checks = target_checks(figures)
    assert [check.met for check in checks] == [True, False, True, None]
    cold, score, records, codes = checks
    assert cold.measured == "median 0.90 s, max 0.90 s"
    assert cold.checked_against == "max of 2 runs, (b) Lambda"
    assert score.measured == "p50 5.00 ms, p99 12.00 ms"
    assert records.target == "POST /v1/rank, 1,000 applicants (records)"
    assert (codes.measured, codes.checked_against) == ("-", "not run")
    assert all(check.note == "" for check in checks)  # no codes route: nothing to compare


def test_targets_without_cold_start_and_with_both_rank_paths() -> None:
    figures = _figures(
        [],
        [
            _route("rank-1000", _latency(60.0, 70.0), profiles=40.0),
            _route(
                "rank-1000-codes",
                _latency(10.0, 20.0),
                **{"store lookup (codes: job + applicants)": 3.0},
            ),
        ],
    )
    checks = target_checks(figures)
    assert [(check.target, check.met) for check in checks] == [
        ("cold start", None),
        ("POST /v1/rank, 1,000 applicants (records)", False),
        ("POST /v1/rank, 1,000 applicants (codes)", True),
    ]
    assert "(40.0 ms of profiles against a 3.0 ms store lookup)" in checks[-1].note


def test_print_targets_names_each_result(capsys: pytest.CaptureFixture[str]) -> None:
    figures = _figures([], [_route("score", _latency(5.0, 12.0))])
    figures.targets = target_checks(figures)
    print_targets(figures)
    out = capsys.readouterr().out
    assert out.startswith("\n4. Targets\n")
    assert "MISSED" in out and "not measured" in out
    assert " met" not in out


def test_ms_and_digits_render_the_latency_columns() -> None:
    assert _ms(None) == "-"
    assert _ms(1234.5678) == "1,234.57"
    assert _ms(0.12345, 3) == "0.123"
    assert _ms(12.0, 1) == "12.0"
    assert [_digits(v) for v in (0.5, 0.999, 1.0, 9.99, 10.0, 250.0)] == [3, 3, 2, 2, 1, 1]


def test_latency_of_seconds_is_in_milliseconds() -> None:
    latency = Latency.of([0.001, 0.002, 0.003, 0.010])
    assert latency.n == 4
    assert latency.mean_ms == pytest.approx(4.0)
    assert latency.p50_ms == pytest.approx(2.5)
    assert latency.max_ms == pytest.approx(10.0)
    assert 9.0 < latency.p99_ms < 10.0


def test_json_holds_every_figure_field_in_order(tmp_path: Path) -> None:
    figures = _figures(
        [_cold("venv", "(a) project venv", [1.5])], [_route("score", _latency(5.0, 6.0))]
    )
    figures.routes[0].latency[HTTP] = _latency(7.0, 8.0)
    path = tmp_path / "out" / "serving-bench.json"
    write_json(path, figures)
    written = json.loads(path.read_text("utf-8"))
    assert list(written) == [f.name for f in fields(Figures)]
    assert list(written)[-1] == "explain"
    assert written["routes"][0]["latency"][HTTP] == {
        "n": 50,
        "mean_ms": 7.0,
        "p50_ms": 7.0,
        "p99_ms": 8.0,
        "max_ms": 8.0,
    }
    assert written["cold_start"][0]["runs_s"] == [1.5]


def test_workloads_send_records_then_codes_for_each_rank_size() -> None:
    count = max(RANK_SIZES)
    records = Records(
        "hand-built",
        [("J1", {"title": "dev"})],
        [(f"A{i}", {"cv_pt": "x" * (i % 3)}) for i in range(count)],
    )
    scores = [b"{}", b"{...}"]
    sent = record_workloads(records, scores, 7, (11, 13))
    assert [(w.route.name, w.route.pairs, w.iterations, w.warmup) for w in sent] == [
        ("score", 1, 7, 20),
        ("rank-100", 100, 11, 10),
        ("rank-1000", 1000, 13, 3),
    ]
    assert sent[0].bodies == scores and sent[0].route.body_bytes == 4
    rank = json.loads(sent[2].bodies[0])
    assert rank["job_code"] == "J1" and len(rank["applicants"]) == 1000
    assert sent[2].route.body_bytes == len(sent[2].bodies[0])
    codes = codes_workloads(records, (11, 13))
    assert [(w.route.name, w.route.sends, w.iterations) for w in codes] == [
        ("rank-100-codes", "codes", 11),
        ("rank-1000-codes", "codes", 13),
    ]
    body = json.loads(codes[0].bodies[0])
    assert body == {"job_code": "J1", "applicant_codes": [f"A{i}" for i in range(100)]}


def test_only_an_existing_sqlite_file_is_a_store(tmp_path: Path) -> None:
    store = tmp_path / "online-store.sqlite"
    store.touch()
    assert _sqlite_spec(f' "sqlite:///{store}" ') == f"sqlite:///{store.resolve()}"
    assert _sqlite_spec(f"sqlite:///{tmp_path / 'missing.sqlite'}") is None
    assert _sqlite_spec("sqlite:///") is None
    assert _sqlite_spec("dynamodb://table") is None


def test_call_counts_are_checked() -> None:
    assert parse_args(["--cold-runs", "0"]).cold_runs == 0
    args = parse_args([])
    assert (args.cold_runs, args.score_calls, args.rank1000_calls) == (5, 500, 50)
    with pytest.raises(SystemExit):
        parse_args(["--score-calls", "0"])
    with pytest.raises(SystemExit):
        parse_args(["--cold-runs", "-1"])


def test_the_script_runs_as_a_module() -> None:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.serving_bench", "--help"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: benchmarks.serving_bench")
    assert "Time the scoring API: cold start, warm latency" in result.stdout
    for flag in ("--model-dir", "--json", "--cold-runs", "--no-http", "--no-lambda", "--uv"):
        assert flag in result.stdout
