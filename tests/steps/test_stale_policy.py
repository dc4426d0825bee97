"""`--stale-after-days` (`StaleAfterDays`): applications left in progress long become not hired."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from features.labels import HIRED, NOT_HIRED
from steps.preprocess import (
    Application,
    apply_stale_policy,
    label_policy_counts,
    main,
    parse_args,
)
from tests.steps.test_preprocess import build_raw, cli_args

NEWEST = datetime(2024, 6, 30)


def _app(code: str, day: str, label: int | None) -> Application:
    status = {None: "Prospect", HIRED: "Contratado pela Decision", NOT_HIRED: "Desistiu"}[label]
    return Application("1", code, datetime.fromisoformat(day), status, label)


APPS = [
    _app("a", "2024-06-30", HIRED),  # the newest
    _app("b", "2024-06-01", None),  # 29 days before: stays in progress
    _app("c", "2023-12-01", None),  # 212 days
    _app("d", "2022-01-01", None),  # 911 days
    _app("e", "2022-01-01", NOT_HIRED),
]


def test_zero_days_keeps_in_progress_applications_unlabelled() -> None:
    assert apply_stale_policy(APPS, 0) == APPS


def test_old_in_progress_applications_become_not_hired_and_nothing_else_changes() -> None:
    after = {a.applicant_code: a for a in apply_stale_policy(APPS, 180)}
    assert [after[c].label for c in "abcde"] == [HIRED, None, NOT_HIRED, NOT_HIRED, NOT_HIRED]
    assert after["c"].status == "Prospect"  # the status read stays what the file says
    assert [a.label for a in apply_stale_policy(APPS, 365)] == [HIRED, None, None, 0, 0]


def test_the_report_counts_labelled_rows_under_each_policy() -> None:
    counts = label_policy_counts(APPS, NEWEST)
    assert counts == {
        "in_progress_never_labelled": 2,
        "stale_after_180_days": 4,
        "stale_after_365_days": 3,
        "stale_after_730_days": 3,
    }
    assert label_policy_counts([], None)["stale_after_180_days"] == 0


def test_negative_days_are_refused(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exc:
        parse_args(["--raw-dir=x", "--stale-after-days=-1"])
    assert exc.value.code == 2
    assert "--stale-after-days" in capsys.readouterr().err


def test_the_step_labels_more_rows_with_the_policy_and_reports_it(tmp_path) -> None:
    raw = build_raw(tmp_path)
    assert main(cli_args(tmp_path / "off", raw)) == 0
    assert main(cli_args(tmp_path / "on", raw, "--stale-after-days=1")) == 0

    def report(run: str) -> dict:
        path = tmp_path / run / "out" / "report" / "data_report.json"
        return json.loads(path.read_text())

    off, on = report("off"), report("on")
    assert off["label_policy"]["stale_after_days"] == 0
    assert on["label_policy"]["stale_after_days"] == 1
    off_rows = off["labels"]["all"]["rows"]
    assert on["labels"]["all"]["rows"] > off_rows
    assert off["label_policy"]["labelled_rows_by_policy"]["in_progress_never_labelled"] == off_rows
