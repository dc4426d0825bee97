"""The bench reports quality as the share of the achievable lift, as the run's summary does."""

from __future__ import annotations

import pytest

from benchmarks.pipeline_bench import quality_figures


def test_quality_is_the_share_of_the_lift_over_chance() -> None:
    figures = quality_figures(
        {"metrics": {"auc": 0.8}, "best_achievable": {"auc": 0.9}, "rows": 400}
    )
    assert figures.normalized_auc == pytest.approx(0.75)  # not 0.8 / 0.9 = 0.889
    assert (figures.auc, figures.best_auc, figures.test_rows) == (0.8, 0.9, 400)


def test_a_ceiling_at_chance_gives_zero_not_a_division_error() -> None:
    figures = quality_figures({"metrics": {"auc": 0.52}, "best_achievable": {"auc": 0.5}})
    assert figures.normalized_auc == 0.0
