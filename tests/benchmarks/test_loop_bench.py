"""The loop benchmark's table: runs as multiples of R, against the issue's aims."""

from __future__ import annotations

from benchmarks.loop_bench import Run, rows, step_rows


def _run(name: str, seconds: float) -> Run:
    steps = {"Preprocess": ("Succeeded", seconds / 2), "Train": ("Cached", 0.0)}
    return Run(name, seconds, steps, 0.8192)


def test_each_run_is_read_in_r_against_its_aim() -> None:
    table = rows(0.25, 2.0, [_run("cold", 13.0), _run("warm", 5.0)])
    assert table[0] == ["0.25", "cold", "13.0", "6.5", "NOT met (<= 6 R)", "0.8192"]
    assert table[1] == ["0.25", "warm", "5.0", "2.5", "met (<= 3 R)", "0.8192"]
    assert rows(0.5, 2.0, [_run("cold", 13.0)])[0][4] == ""  # no aim at that scale


def test_steps_are_listed_with_status_seconds_and_r_per_run() -> None:
    table = step_rows(2.0, [_run("cold", 10.0), _run("warm", 1.0)])
    assert table[0] == ["Preprocess", "succeeded", "5.0", "2.50", "succeeded", "0.5", "0.25"]
    assert table[1] == ["Train", "cached", "0.0", "0.00", "cached", "0.0", "0.00"]
