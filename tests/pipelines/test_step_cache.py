"""The step cache on its own: durations, keys, hits, expiry, overwritten outputs, references."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from pipelines.lake import Lake
from pipelines.local.cache import (
    StepCache,
    declared_output_uris,
    input_uris,
    output_uris,
    parse_duration,
)

PROCESSING = {
    "ProcessingInputs": [
        {"S3Input": {"S3Uri": "s3://raw/data"}},
        {"S3Input": {"S3Uri": "s3://cur/store"}},
    ],
    "ProcessingOutputConfig": {
        "Outputs": [
            {"OutputName": "out", "S3Output": {"S3Uri": "s3://cur/out"}},
            {"OutputName": "store", "S3Output": {"S3Uri": "s3://cur/store"}},
        ]
    },
}
TRAINING = {
    "InputDataConfig": [{"DataSource": {"S3DataSource": {"S3Uri": "s3://cur/train"}}}],
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P30D", timedelta(days=30)),
        ("P1Y", timedelta(days=365)),
        ("P2M", timedelta(days=60)),
        ("P1W", timedelta(weeks=1)),
        ("PT16M", timedelta(minutes=16)),
        ("PT5H", timedelta(hours=5)),
        ("PT30S", timedelta(seconds=30)),
        ("P1Y2M3W4DT5H6M7S", timedelta(days=365 + 60 + 21 + 4, hours=5, minutes=6, seconds=7)),
    ],
)
def test_iso_durations_as_cache_config_takes_them(text, expected) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "P", "PT", "30d", "P1.5D", "PT1D", "1 day"])
def test_what_is_not_a_duration_is_refused_by_name(text) -> None:
    with pytest.raises(ValueError, match="not an ISO-8601 duration"):
        parse_duration(text)


def test_the_uris_a_step_reads_and_writes() -> None:
    assert input_uris("Processing", PROCESSING) == ["s3://raw/data", "s3://cur/store"]
    assert input_uris("Training", TRAINING) == ["s3://cur/train"]
    assert input_uris("Condition", PROCESSING) == []
    assert declared_output_uris("Processing", PROCESSING) == ["s3://cur/out", "s3://cur/store"]
    assert declared_output_uris("Training", TRAINING) == []
    properties = {"ProcessingOutputConfig": {"Outputs": {"out": {"S3Output": {"S3Uri": "s3://o"}}}}}
    assert output_uris("Processing", properties) == ["s3://o"]
    model = {"ModelArtifacts": {"S3ModelArtifacts": "s3://m/model.tar.gz"}}
    assert output_uris("Training", model) == ["s3://m/model.tar.gz"]
    assert output_uris("Fail", model) == []


@pytest.fixture
def lake(tmp_path) -> Lake:
    lake = Lake(tmp_path / "lake")
    lake.write_bytes("s3://raw/data/a.txt", b"one")
    lake.write_bytes("s3://cur/store/db", b"state")
    return lake


@pytest.fixture
def cache(tmp_path, lake) -> StepCache:
    return StepCache(tmp_path / "cache", lake)


def test_the_key_follows_the_arguments_and_the_data_read_not_the_store_written(cache, lake):
    key = cache.key("Step", "Processing", PROCESSING)
    assert key == cache.key("Step", "Processing", PROCESSING)
    assert key != cache.key("Other", "Processing", PROCESSING)
    assert key != cache.key("Step", "Training", PROCESSING)
    changed = {**PROCESSING, "Environment": {"X": "1"}}
    assert key != cache.key("Step", "Processing", changed)
    lake.write_bytes("s3://cur/store/db", b"another state")  # its own output: not in the key
    assert key == cache.key("Step", "Processing", PROCESSING)
    lake.write_bytes("s3://raw/data/a.txt", b"two")  # the data it reads: a new key
    assert key != cache.key("Step", "Processing", PROCESSING)


def _properties(uri: str) -> dict:
    return {"ProcessingOutputConfig": {"Outputs": {"out": {"S3Output": {"S3Uri": uri}}}}}


def test_a_stored_step_is_a_hit_with_its_properties_and_execution(cache, lake):
    lake.write_bytes("s3://cur/out/result.json", b"{}")
    cache.store("Step", "Processing", "k1", _properties("s3://cur/out"), "exec-1")
    hit = cache.lookup("Step", "Processing", "k1", "P1D")
    assert hit is not None and hit.execution_id == "exec-1"
    assert hit.properties == _properties("s3://cur/out")
    assert cache.lookup("Step", "Processing", "k2", "P1D") is None  # another key
    assert cache.lookup("Other", "Processing", "k1", "P1D") is None  # another step


def test_an_overwritten_output_is_no_hit(cache, lake):
    lake.write_bytes("s3://cur/out/result.json", b"{}")
    cache.store("Step", "Processing", "k1", _properties("s3://cur/out"), "exec-1")
    lake.write_bytes("s3://cur/out/result.json", b'{"another": "run"}')
    assert cache.lookup("Step", "Processing", "k1", "P1D") is None


def test_an_entry_older_than_expire_after_is_no_hit(cache, lake, tmp_path):
    lake.write_bytes("s3://cur/out/result.json", b"{}")
    cache.store("Step", "Processing", "k1", _properties("s3://cur/out"), "exec-1")
    entry = tmp_path / "cache" / "Step" / "k1.json"
    body = json.loads(entry.read_text())
    body["stored_at"] = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    entry.write_text(json.dumps(body))
    assert cache.lookup("Step", "Processing", "k1", "PT1H") is None
    assert cache.lookup("Step", "Processing", "k1", "PT3H") is not None
    assert cache.lookup("Step", "Processing", "k1", None) is not None  # no expiry


def test_an_unreadable_entry_is_a_miss_said_once(cache, tmp_path):
    said: list[str] = []
    cache.warn = said.append
    entry = tmp_path / "cache" / "Step" / "k1.json"
    entry.parent.mkdir(parents=True)
    entry.write_text('{"execution_id": "exec-1"')
    assert cache.lookup("Step", "Processing", "k1", "P1D") is None
    assert cache.lookup("Step", "Processing", "k1", "P1D") is None
    assert len(said) == 1 and "cache entry of step Step is unreadable" in said[0]
    assert str(entry) in said[0]


def test_the_entries_name_the_executions_and_outputs_pruning_keeps(cache, lake, tmp_path):
    assert cache.referenced() == (set(), set())
    lake.write_bytes("s3://cur/out/result.json", b"{}")
    lake.write_bytes("s3://cur/two/result.json", b"{}")
    cache.store("Step", "Processing", "k1", _properties("s3://cur/out"), "exec-1")
    cache.store("Next", "Processing", "k2", _properties("s3://cur/two"), "exec-2")
    (tmp_path / "cache" / "Next" / "broken.json").write_text("not json")
    assert cache.referenced() == ({"exec-1", "exec-2"}, {"s3://cur/out", "s3://cur/two"})


def test_steps_that_declare_no_inputs_or_outputs_read_and_write_nothing() -> None:
    assert input_uris("Processing", {}) == []
    assert declared_output_uris("Processing", {}) == []
    assert declared_output_uris("Processing", {"ProcessingOutputConfig": {}}) == []


def test_the_key_does_not_depend_on_the_order_of_arguments(cache):
    reordered = dict(reversed(list(PROCESSING.items())))
    assert list(reordered) != list(PROCESSING)
    assert cache.key("Step", "Processing", reordered) == cache.key("Step", "Processing", PROCESSING)
    nested = {"Environment": {"A": "1", "B": "2"}}
    swapped = {"Environment": {"B": "2", "A": "1"}}
    assert cache.key("Step", "Processing", nested) == cache.key("Step", "Processing", swapped)


def test_the_key_takes_values_json_cannot_write(cache):
    early = {"StartDateTime": datetime(2026, 11, 29, 10, tzinfo=UTC)}
    later = {"StartDateTime": datetime(2026, 11, 29, 11, tzinfo=UTC)}
    assert cache.key("Step", "Processing", early) != cache.key("Step", "Processing", later)


def test_an_entry_is_indented_sorted_json_for_people_to_read(cache, lake, tmp_path):
    lake.write_bytes("s3://cur/out/result.json", b"{}")
    properties = {**_properties("s3://cur/out"), "When": datetime(2026, 11, 29, tzinfo=UTC)}
    cache.store("Step", "Processing", "k1", properties, "exec-1")
    text = (tmp_path / "cache" / "Step" / "k1.json").read_text(encoding="utf-8")
    entry = json.loads(text)
    assert text == json.dumps(entry, indent=2, sort_keys=True)
    assert entry["properties"]["When"] == "2026-11-29 00:00:00+00:00"
    hit = cache.lookup("Step", "Processing", "k1", None)
    assert hit is not None and hit.properties["When"] == "2026-11-29 00:00:00+00:00"


def test_an_entry_exactly_expire_after_old_is_still_a_hit(cache, lake, tmp_path, monkeypatch):
    lake.write_bytes("s3://cur/out/result.json", b"{}")
    cache.store("Step", "Processing", "k1", _properties("s3://cur/out"), "exec-1")
    entry = tmp_path / "cache" / "Step" / "k1.json"
    stored = datetime(2026, 11, 1, tzinfo=UTC)
    entry.write_text(json.dumps({**json.loads(entry.read_text()), "stored_at": stored.isoformat()}))

    class Clock(datetime):
        now_value = stored + timedelta(hours=1)

        @classmethod
        def now(cls, tz=None):
            return cls.now_value

    monkeypatch.setattr("pipelines.local.cache.datetime", Clock)
    assert cache.lookup("Step", "Processing", "k1", "PT1H") is not None
    Clock.now_value = stored + timedelta(hours=1, microseconds=1)
    assert cache.lookup("Step", "Processing", "k1", "PT1H") is None


@pytest.mark.parametrize(
    ("error", "said"), [(ValueError(), "(ValueError)"), (ValueError("bad"), "(ValueError: bad)")]
)
def test_the_unreadable_entry_message_names_the_error(cache, tmp_path, error, said):
    heard: list[str] = []
    cache.warn = heard.append
    cache._report_unreadable("Step", tmp_path / "k.json", error)
    assert heard == [
        f"cache entry of step Step is unreadable {said}; running the step instead, its new "
        f"entry replaces {tmp_path / 'k.json'}"
    ]
