"""Counts scale linearly with --scale; small runs still get every kind of messiness."""

from __future__ import annotations

import pytest

from datagen.generator import Sizes, build_dataset, malformed_count


def test_scale_one_is_the_published_size() -> None:
    sizes = Sizes.for_scale(1.0)
    assert (sizes.jobs, sizes.applicants, sizes.applications) == (14_000, 42_000, 53_000)


def test_sizes_are_proportional_to_scale() -> None:
    tenth, full = Sizes.for_scale(0.1), Sizes.for_scale(1.0)
    assert (tenth.jobs, tenth.applicants, tenth.applications) == (1_400, 4_200, 5_300)
    assert abs(full.missing_codes - 10 * tenth.missing_codes) <= 10


def test_generated_counts_roughly_double_with_scale() -> None:
    small = build_dataset(9, 0.01, True, 0.1, profile="rich").report["counts"]
    double = build_dataset(9, 0.02, True, 0.1, profile="rich").report["counts"]
    for key in ("jobs", "applicants", "applications"):
        assert double[key] == 2 * small[key]
    for key in ("labelled", "hires", "applications_in_progress"):
        assert 1.5 < double[key] / small[key] < 2.6
    assert double["cv_files"]["total"] == 2 * small["cv_files"]["total"]


def test_malformed_records_are_about_two_per_thousand_and_at_least_one() -> None:
    assert malformed_count(14_000) == 28
    assert malformed_count(140) == 1
    assert malformed_count(3) == 1
    counts = build_dataset(9, 0.01, True, 0.1, profile="rich").report["counts"]["malformed"]
    assert counts == {"jobs": 1, "applicants": 1, "applications": 1}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scale": 0.0}, "scale"),
        ({"cv_file_share": 1.5}, "cv_file_share"),
        ({"seed": -1}, "seed"),
    ],
)
def test_build_dataset_rejects_bad_arguments(kwargs: dict, message: str) -> None:
    args = {"seed": 1, "scale": 0.01, "signal": True, "cv_file_share": 0.1} | kwargs
    with pytest.raises(ValueError, match=message):
        build_dataset(**args)
