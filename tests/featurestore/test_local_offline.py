"""The local offline store: a file per event month and batch, read back with SageMaker's columns."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

from featurestore.local import COMPACTED_FROM, LocalFeatureStore, _partitioning
from featurestore.spec import spec_from_frame

GROUP = "match-applicants"
EVENTS = [
    "2024-03-01T08:15:00Z",
    "2024-03-01T17:40:00Z",  # same day, another hour: same file
    "2024-03-02T08:00:00Z",  # same month, another day: same file
    "2023-12-31T23:59:59Z",
]


def _frame(skill: str = "python") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "applicant_code": [f"a{n}" for n in range(len(EVENTS))],
            "event_time": EVENTS,
            "skills": [skill] * len(EVENTS),
            "years": [1.5, 2.0, 3.0, 0.5],
        }
    )


@pytest.fixture
def store(tmp_path):
    store = LocalFeatureStore(tmp_path / "store")
    yield store
    store.close()


def _ingest(store: LocalFeatureStore, frame: pd.DataFrame):
    spec = spec_from_frame(GROUP, frame, "applicant_code")
    store.ensure_group(spec)
    return store.ingest(spec, frame)


def _files(store: LocalFeatureStore) -> list[Path]:
    return sorted((store.root / "offline-store" / GROUP / "data").rglob("*.parquet"))


def _folders(store: LocalFeatureStore) -> list[str]:
    return [f.parent.relative_to(f.parents[2]).as_posix() for f in _files(store)]


def test_a_batch_writes_one_file_per_event_month(store) -> None:
    _ingest(store, _frame())
    assert sorted(_folders(store)) == ["year=2023/month=12", "year=2024/month=03"]


def test_records_read_back_with_their_event_times_partition_columns(store) -> None:
    _ingest(store, _frame())
    offline = store.read_offline(GROUP).sort_values("applicant_code")
    assert offline["applicant_code"].tolist() == ["a0", "a1", "a2", "a3"]
    assert offline["hour"].tolist() == ["08", "17", "08", "23"]
    assert offline["day"].tolist() == ["01", "01", "02", "31"]
    assert offline[["year", "month"]].iloc[3].tolist() == ["2023", "12"]
    assert not offline["is_deleted"].any()
    assert offline["years"].tolist() == [1.5, 2.0, 3.0, 0.5]


def test_the_same_batch_again_adds_no_file(store) -> None:
    _ingest(store, _frame())
    before = _files(store)
    report = _ingest(store, _frame())
    assert report.unchanged == len(EVENTS) and report.written == 0
    assert _files(store) == before


def test_a_changed_batch_is_appended_as_sagemaker_does(store) -> None:
    _ingest(store, _frame())
    _ingest(store, _frame(skill="sql"))
    offline = store.read_offline(GROUP)
    assert len(offline) == 2 * len(EVENTS)  # the offline store keeps history
    assert sorted(offline["skills"].unique()) == ["python", "sql"]
    assert store.get_records(GROUP, ["a0"])["a0"]["skills"] == "sql"


def _write_nested(store: LocalFeatureStore, frame: pd.DataFrame, keys: tuple[str, ...]) -> None:
    """A store as earlier versions wrote it: a folder per event day, or per event hour."""
    events = pd.to_datetime(frame["event_time"])
    table = frame.assign(
        write_time="2024-01-01T00:00:00+00:00",
        api_invocation_time="2024-01-01T00:00:00+00:00",
        is_deleted=False,
        year=events.dt.strftime("%Y"),
        month=events.dt.strftime("%m"),
        day=events.dt.strftime("%d"),
        hour=events.dt.strftime("%H"),
    )
    pads.write_dataset(
        pa.Table.from_pandas(table, preserve_index=False),
        store.root / "offline-store" / GROUP / "data",
        format="parquet",
        partitioning=_partitioning(keys),
        basename_template=f"old-{len(keys)}-{{i}}.parquet",
        existing_data_behavior="overwrite_or_ignore",
    )


PER_DAY = ("year", "month", "day")
PER_HOUR = (*PER_DAY, "hour")


@pytest.mark.parametrize("keys", [PER_DAY, PER_HOUR], ids=["per-day", "per-hour"])
def test_a_store_of_an_earlier_layout_is_compacted_to_months_at_the_next_ingest(
    store, keys
) -> None:
    _write_nested(store, _frame(skill="java"), keys)
    assert any("day=" in str(f) for f in _files(store))
    _ingest(store, _frame())
    assert not any("day=" in str(f) for f in _files(store))
    assert not [p for p in (store.root / "offline-store").rglob("day=*")]  # folders gone too
    offline = store.read_offline(GROUP)
    assert len(offline) == 2 * len(EVENTS)  # nothing lost, nothing doubled
    java = offline[offline["skills"] == "java"].sort_values("applicant_code")
    assert java["hour"].tolist() == ["08", "17", "08", "23"]
    assert java["day"].tolist() == ["01", "01", "02", "31"]
    assert java["years"].tolist() == [1.5, 2.0, 3.0, 0.5]


def test_day_and_hour_folders_of_one_month_are_compacted_together(store) -> None:
    _write_nested(store, _frame(skill="java"), PER_DAY)
    _write_nested(store, _frame(skill="java"), PER_HOUR)
    _ingest(store, _frame())
    assert sorted(_folders(store)).count("year=2024/month=03") == 2  # compacted + new batch
    assert len(store.read_offline(GROUP)) == 3 * len(EVENTS)


def test_a_compaction_cut_short_is_finished_without_doubling_or_loss(store) -> None:
    _write_nested(store, _frame(skill="java"), PER_HOUR)
    sources = [f for f in _files(store) if "hour=" in str(f)]
    _ingest(store, _frame())
    compacted = [f for f in _files(store) if f.name.startswith("compacted-")]
    listed = {s for f in compacted for s in json.loads(pq.read_schema(f).metadata[COMPACTED_FROM])}
    assert len(listed) == len(sources)
    _write_nested(store, _frame(skill="java").iloc[:2], PER_HOUR)  # two sources left behind
    _ingest(store, _frame())
    offline = store.read_offline(GROUP)
    assert (offline["skills"] == "java").sum() == len(EVENTS)
    assert not any("hour=" in str(f) for f in _files(store))


def test_a_new_nested_file_at_a_compacted_files_path_is_compacted_too(store) -> None:
    _write_nested(store, _frame(skill="java"), PER_DAY)
    _ingest(store, _frame())
    _write_nested(
        store,
        _frame(skill="go").assign(applicant_code=lambda f: "b" + f.index.astype(str)),
        PER_DAY,
    )
    _ingest(store, _frame())
    offline = store.read_offline(GROUP)
    assert sorted(offline["skills"].value_counts().items()) == [
        ("go", 4),
        ("java", 4),
        ("python", 4),
    ]
