"""Preprocess step: the raw Decision lake -> curated splits, profiles and a data report.

    vagas.json ────────┐
    applicants.json ───┼─> validate ─> profiles ─┐
    cvs/*.pdf|docx ────┘   (quarantine)          ├─> pair features ─> time split ─> Parquet
    prospects.json ─────> validate, label ───────┘                                  + report

Run as the SageMaker Processing job's entry point (``python3 steps/preprocess.py``, project root
on PYTHONPATH); every path defaults to the container path the pipeline maps. docs/data-contracts.md
fixes what it reads and writes:

- ``<train|validation|test>/<split>.parquet``: job_code, applicant_code, application_date, label,
  then ``features.FEATURE_NAMES``; ``test/oracle.parquet`` when ``_truth/oracle_scores.csv`` exists
- ``profiles/jobs.parquet``, ``profiles/applicants.parquet``: id, profile fields, event_time
- ``report/data_report.json`` and ``report/quarantine.jsonl``

Exit codes: 0 done; 2 an input file is missing, is not valid JSON or nests values deeper than
the parser can follow; 3 too little labelled data (fewer than ``--min-labelled-rows`` or a split
without both classes). The report is written in every case, with the reason when the step
stops; the reason is also the step's last line on stderr. Messages name input files as the data
set names them (``applicants.json``), not by where the job's copy lies.
Malformed records never stop the run: each goes to the quarantine with its reason. A record id
given twice in one file is one record kept (the last, as JSON readers do) and each earlier one
quarantined as ``duplicate_id``, saying which was kept.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cvtext.extract import DocumentOutcome
from cvtext.ocr import ENGINE_NAMES
from features import FEATURE_NAMES, UnknownStatusError, label_for_status
from features.frames import pair_feature_frame
from features.labels import NOT_HIRED
from features.lexicon import decode_counts
from features.profiles import (
    APPLICANT_PROFILE_FIELDS,
    JOB_PROFILE_FIELDS,
    applicant_event_time,
    applicant_profile,
    job_event_time,
    job_profile,
)
from features.schema import (
    APPLICANT_DATE_FIELDS,
    JOB_DATE_FIELDS,
    parse_date,
    unreadable_dates,
    validate_applicant,
    validate_application,
    validate_job,
    validate_prospects_entry,
)
from features.text_similarity import TEXT_MODEL_FILE, TextModel, fit_text_model
from steps.cv_files import TextOptions, documents_report, read_files

JOBS_FILE = "vagas.json"
APPLICANTS_FILE = "applicants.json"
PROSPECTS_FILE = "prospects.json"
CV_DIR = "cvs"
ORACLE_FILE = Path("_truth") / "oracle_scores.csv"
#: generated data only: scan file name -> the text the scan shows (OCR's error rate)
SCAN_TEXTS_FILE = Path("_truth") / "scanned_cv_text.json"

#: event_time of a profile whose record has no known date. The Feature Store needs an event time
#: on every record; the Unix epoch reads as "older than any real record", so any dated update of
#: the same id wins over it.
UNKNOWN_EVENT_TIME = "1970-01-01T00:00:00Z"

_PANDAS_DTYPES = {"string": "str", "integral": "Int64", "fractional": "float64"}
_SPLITS = ("train", "validation", "test")


class InputError(Exception):
    """An input file is missing or unreadable (exit code 2)."""


class InsufficientDataError(Exception):
    """Too little labelled data to train and evaluate (exit code 3)."""


@dataclass(frozen=True)
class Config:
    """The step's settings, read once from the command line."""

    raw_dir: Path
    train_dir: Path
    validation_dir: Path
    test_dir: Path
    profiles_dir: Path
    report_dir: Path
    validation_fraction: float
    test_fraction: float
    min_labelled_rows: int
    workers: int
    stale_after_days: int = 0
    ocr_engine: str = "rapidocr"
    text_cache_in: Path | None = None
    text_cache_out: Path | None = None

    @property
    def split_dirs(self) -> dict[str, Path]:
        return {"train": self.train_dir, "validation": self.validation_dir, "test": self.test_dir}


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def parse_args(argv: list[str] | None = None) -> Config:
    """Command line -> ``Config``; defaults are the SageMaker Processing container paths."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    base_in, base_out = "/opt/ml/processing/input", "/opt/ml/processing/output"
    parser.add_argument("--raw-dir", type=Path, default=Path(f"{base_in}/raw"))
    parser.add_argument("--train-dir", type=Path, default=Path(f"{base_out}/train"))
    parser.add_argument("--validation-dir", type=Path, default=Path(f"{base_out}/validation"))
    parser.add_argument("--test-dir", type=Path, default=Path(f"{base_out}/test"))
    parser.add_argument("--profiles-dir", type=Path, default=Path(f"{base_out}/profiles"))
    parser.add_argument("--report-dir", type=Path, default=Path(f"{base_out}/report"))
    parser.add_argument("--validation-fraction", type=_fraction, default=0.15)
    parser.add_argument("--test-fraction", type=_fraction, default=0.15)
    parser.add_argument("--min-labelled-rows", type=int, default=200)
    parser.add_argument(
        "--stale-after-days",
        type=int,
        default=0,
        help="label an application still in progress this many days before the newest one as "
        "not hired (0: applications in progress are never labels)",
    )
    parser.add_argument(
        "--ocr-engine",
        choices=ENGINE_NAMES,
        default="rapidocr",
        help="reads the CV pages that have no text layer (none: they stay unread)",
    )
    parser.add_argument(
        "--text-cache-dir",
        type=Path,
        default=Path(f"{base_in}/text-cache"),
        help="earlier runs' OCR by file content hash (read; missing: nothing cached)",
    )
    parser.add_argument(
        "--text-cache-out-dir",
        type=Path,
        default=None,
        help="write the cache with this run's OCR added here (default: not written; in the "
        "pipeline the ExtractText step fills the cache and Preprocess only reads it)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes for reading CV files and building profiles (default: all CPUs)",
    )
    args = parser.parse_args(argv)
    if args.validation_fraction + args.test_fraction >= 1.0:
        parser.error("--validation-fraction + --test-fraction must be below 1")
    if args.stale_after_days < 0:
        parser.error("--stale-after-days must be 0 (off) or a number of days")
    return Config(
        raw_dir=args.raw_dir,
        train_dir=args.train_dir,
        validation_dir=args.validation_dir,
        test_dir=args.test_dir,
        profiles_dir=args.profiles_dir,
        report_dir=args.report_dir,
        validation_fraction=args.validation_fraction,
        test_fraction=args.test_fraction,
        min_labelled_rows=args.min_labelled_rows,
        workers=max(1, args.workers),
        stale_after_days=args.stale_after_days,
        ocr_engine=args.ocr_engine,
        text_cache_in=args.text_cache_dir,
        text_cache_out=args.text_cache_out_dir,
    )


def log(message: str) -> None:
    """One progress line on stdout (the Processing job's CloudWatch stream)."""
    print(f"[preprocess] {message}", flush=True)


class Phases:
    """Times the step's phases and logs each one's duration."""

    def __init__(self) -> None:
        self.durations: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        elapsed = time.perf_counter() - started
        self.durations[name] = round(elapsed, 3)
        log(f"{name}: done in {elapsed:.2f}s")


@dataclass
class Quarantine:
    """Items set aside with a reason; written to quarantine.jsonl and counted in the report."""

    items: list[dict[str, str]] = field(default_factory=list)

    def add(self, kind: str, item_id: str, reason: str, detail: str = "") -> None:
        self.items.append({"kind": kind, "id": item_id, "reason": reason, "detail": detail})

    def add_problems(self, kind: str, item_id: str, problems: list[str]) -> None:
        self.add(kind, item_id, problems[0], "; ".join(problems))

    def by_reason(self, kind: str) -> dict[str, int]:
        counts = Counter(item["reason"] for item in self.items if item["kind"] == kind)
        return dict(sorted(counts.items()))


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class Duplicate:
    """An earlier record of a file whose id a later record reuses (the later one is kept)."""

    id: str
    position: int  # 1-based, among the file's records
    kept_position: int


@dataclass(frozen=True)
class RawData:
    """The three raw JSON files, parsed, with the records each file repeated."""

    jobs: dict[str, Any]
    applicants: dict[str, Any]
    prospects: dict[str, Any]
    duplicates: dict[str, list[Duplicate]] = field(default_factory=dict)  # file -> repeats


_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")


def _skip_space(text: str, index: int) -> int:
    return _WHITESPACE.match(text, index).end()  # type: ignore[union-attr]


def parse_records(text: str) -> tuple[dict[str, Any], list[Duplicate]]:
    """A JSON object keyed by id, and the earlier records of every id it repeats.

    The top level is read key by key (each value by the standard decoder, in C), so a repeated
    key is seen, where ``json.loads`` would silently keep the last. Raises
    ``json.JSONDecodeError`` for malformed JSON and ``TypeError`` when the top level is not an
    object (with the type's JSON name as message).
    """
    index = _skip_space(text, 0)
    if text[index : index + 1] != "{":
        value = json.loads(text)  # malformed JSON raises here, with its position
        raise TypeError(_json_type(value))
    records: dict[str, Any] = {}
    positions: dict[str, list[int]] = {}
    count = 0
    index = _skip_space(text, index + 1)
    if text[index : index + 1] == "}":
        index += 1
    else:
        while True:
            if text[index : index + 1] != '"':
                raise json.JSONDecodeError(
                    "Expecting property name enclosed in double quotes", text, index
                )
            key, index = json.decoder.scanstring(text, index + 1)
            index = _skip_space(text, index)
            if text[index : index + 1] != ":":
                raise json.JSONDecodeError("Expecting ':' delimiter", text, index)
            index = _skip_space(text, index + 1)
            try:
                records[key], index = _DECODER.raw_decode(text, index)
            except StopIteration:
                raise json.JSONDecodeError("Expecting value", text, index) from None
            count += 1
            positions.setdefault(key, []).append(count)
            index = _skip_space(text, index)
            if text[index : index + 1] == "}":
                index += 1
                break
            if text[index : index + 1] != ",":
                raise json.JSONDecodeError("Expecting ',' delimiter", text, index)
            index = _skip_space(text, index + 1)
    if _skip_space(text, index) != len(text):
        raise json.JSONDecodeError("Extra data", text, _skip_space(text, index))
    duplicates = [
        Duplicate(key, position, seen[-1])
        for key, seen in positions.items()
        for position in seen[:-1]
    ]
    return records, duplicates


def _json_type(value: Any) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def load_json_object(path: Path) -> tuple[dict[str, Any], list[Duplicate]]:
    """One raw JSON file, an object keyed by id, and its repeated ids; ``InputError`` otherwise.

    Messages name the file as the data set does (its name), not the job's copy of it.
    """
    name = path.name
    try:
        data = path.read_bytes()
        text = data.decode(json.detect_encoding(data))
        return parse_records(text)
    except FileNotFoundError:
        raise InputError(f"the data set has no {name}") from None
    except json.JSONDecodeError as error:
        raise InputError(
            f"{name} is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None
    except RecursionError:
        raise InputError(
            f"{name} nests arrays or objects deeper than the JSON reader can follow "
            f"(about {sys.getrecursionlimit()} levels); the Decision format nests a few"
        ) from None
    except TypeError as error:
        raise InputError(f"{name} must hold a JSON object keyed by id, not {error}") from None
    except (UnicodeDecodeError, OSError) as error:
        raise InputError(f"cannot read {name}: {type(error).__name__}: {error}") from None


def load_raw(raw_dir: Path) -> RawData:
    """Read vagas.json, applicants.json and prospects.json from ``raw_dir``."""
    jobs, job_duplicates = load_json_object(raw_dir / JOBS_FILE)
    applicants, applicant_duplicates = load_json_object(raw_dir / APPLICANTS_FILE)
    prospects, prospect_duplicates = load_json_object(raw_dir / PROSPECTS_FILE)
    return RawData(
        jobs=jobs,
        applicants=applicants,
        prospects=prospects,
        duplicates={
            JOBS_FILE: job_duplicates,
            APPLICANTS_FILE: applicant_duplicates,
            PROSPECTS_FILE: prospect_duplicates,
        },
    )


_KIND_OF_FILE = {JOBS_FILE: "job", APPLICANTS_FILE: "applicant", PROSPECTS_FILE: "application"}


def quarantine_duplicates(raw: RawData, quarantine: Quarantine) -> dict[str, int]:
    """Quarantine every earlier record of a repeated id; the count per kind."""
    counts: Counter[str] = Counter()
    for file_name, duplicates in raw.duplicates.items():
        kind = _KIND_OF_FILE[file_name]
        for duplicate in duplicates:
            what = "entry" if kind == "application" else "record"
            detail = (
                f"{file_name} gives id {duplicate.id} to {what} {duplicate.position:,} and "
                f"{what} {duplicate.kept_position:,}; the last ({duplicate.kept_position:,}) "
                f"was kept, this one ({duplicate.position:,}) set aside"
            )
            quarantine.add(kind, duplicate.id, "duplicate_id", detail)
            counts[kind] += 1
    return dict(counts)


def valid_records(
    kind: str,
    records: Mapping[str, Any],
    validate: Callable[[str, Any], list[str]],
    quarantine: Quarantine,
) -> dict[str, dict[str, Any]]:
    """The records ``validate`` finds no problem with; the others go to the quarantine."""
    valid: dict[str, dict[str, Any]] = {}
    for code, record in records.items():
        problems = validate(code, record)
        if problems:
            quarantine.add_problems(kind, code, problems)
        else:
            valid[code] = record
    return valid


# ---------------------------------------------------------------------------------------------
# CV files


def ocr_in_words(documents: Mapping[str, Any]) -> str:
    """``text from: 283 text layer, 16 OCR, 0 mixed; OCR: 16 files (12 from the cache), ...``."""
    ocr = documents["ocr"]
    line = f"text from: {_in_words(documents['text_from'])}; OCR ({ocr['engine']}): "
    line += f"{ocr['files']:,} files ({ocr['from_cache']:,} from the text cache)"
    if ocr["pages_read_now"]:
        line += (
            f", {ocr['pages_read_now']:,} pages read now in {ocr['seconds']:.1f}s "
            f"({ocr['seconds_per_page']:.2f}s a page with {ocr['workers']} workers, "
            f"{ocr['engine_seconds_per_page']:.2f}s in one)"
        )
    if ocr["mean_confidence"] is not None:
        line += f", mean confidence {ocr['mean_confidence']:.1%}"
    if "character_error_rate" in ocr:
        rate = ocr["character_error_rate"]
        line += (
            f"; character error rate {rate['mean']:.2%} over {rate['files']} scans "
            f"(max {rate['max']:.2%})"
        )
    return line


def _has_cv_pt(record: Mapping[str, Any]) -> bool:
    cv_pt = record.get("cv_pt")
    return isinstance(cv_pt, str) and bool(cv_pt.strip())


def load_scan_texts(raw_dir: Path) -> dict[str, str]:
    """``_truth/scanned_cv_text.json`` of generated data; {} for real data or a bad file."""
    try:
        texts = json.loads((raw_dir / SCAN_TEXTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return (
        {str(k): v for k, v in texts.items() if isinstance(v, str)}
        if isinstance(texts, dict)
        else {}
    )


def read_cv_files(
    cv_dir: Path,
    raw_applicants: Mapping[str, Any],
    applicants: Mapping[str, Mapping[str, Any]],
    quarantine: Quarantine,
    options: TextOptions,
) -> tuple[dict[str, str], dict[str, Any]]:
    """Text of the CV files that count, keyed by applicant code, and the document counts.

    ``cvs/<applicant_code>.<ext>``. A file is read only when its text can be the applicant's CV:
    the applicant is valid and has no ``cv_pt`` text (otherwise ``cv_pt`` wins and the file is
    counted as ``not_needed``). Files of applicants missing from applicants.json are quarantined
    as ``unknown_applicant``; unreadable files (corrupt, needs_ocr, no_text, ocr_failed,
    unsupported) with their outcome as reason. With several readable files for one applicant
    the first by name wins. Pages without a text layer are read by OCR (``options.engine``).
    """
    paths = sorted(p for p in cv_dir.iterdir() if p.is_file()) if cv_dir.is_dir() else []
    counts: Counter[str] = Counter()
    to_read: list[Path] = []
    for path in paths:
        code = path.stem
        if code not in raw_applicants:
            quarantine.add("document", path.name, "unknown_applicant")
            counts["unknown_applicant"] += 1
        elif code not in applicants:
            counts["applicant_quarantined"] += 1
        elif _has_cv_pt(applicants[code]):
            counts["not_needed"] += 1
        else:
            to_read.append(path)
    texts: dict[str, str] = {}
    outcomes: Counter[str] = Counter()
    reads, ocr_wall_s = read_files(to_read, options, log)
    for read in reads:
        result = read.extraction
        outcomes[result.outcome.value] += 1
        if result.outcome is DocumentOutcome.TEXT:
            texts.setdefault(read.path.stem, result.text)
        else:
            quarantine.add("document", read.path.name, result.outcome.value, result.detail)
    report = {
        "files": len(paths),
        "read": len(to_read),
        "by_outcome": {outcome.value: outcomes[outcome.value] for outcome in DocumentOutcome},
        "skipped": dict(sorted(counts.items())),
        "applicants_with_file_text": len(texts),
        **documents_report(reads, options, ocr_wall_s),
    }
    return texts, report


# ---------------------------------------------------------------------------------------------
# Profiles


def _iso_utc(moment: datetime | None) -> str:
    # Raw dates carry no time zone; they are taken as UTC.
    return UNKNOWN_EVENT_TIME if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def profile_frame(
    id_column: str, rows: list[dict[str, Any]], fields: Mapping[str, str]
) -> pd.DataFrame:
    """Profile rows -> frame: id, every profile field with its declared type, event_time."""
    columns = [id_column, *fields, "event_time"]
    frame = pd.DataFrame.from_records(rows, columns=columns)
    dtypes = {id_column: "str", "event_time": "str"}
    dtypes.update({name: _PANDAS_DTYPES[kind] for name, kind in fields.items()})
    return frame.astype(dtypes)


def _job_row(code: str, record: Mapping[str, Any]) -> dict[str, Any]:
    return {"job_code": code, **job_profile(record), "event_time": _iso_utc(job_event_time(record))}


def _applicant_row(code: str, record: Mapping[str, Any], file_text: str | None) -> dict[str, Any]:
    return {
        "applicant_code": code,
        **applicant_profile(record, file_text),
        "event_time": _iso_utc(applicant_event_time(record)),
    }


#: Below this many applicants a pool's start-up costs more than the profiles it shares out.
MIN_APPLICANTS_FOR_POOL = 2_000


@dataclass(frozen=True)
class _ProfileInputs:
    jobs: Mapping[str, Mapping[str, Any]]
    applicants: Mapping[str, Mapping[str, Any]]
    file_texts: Mapping[str, str]


#: The records the pool's workers read: set just before the pool forks them, so the records
#: reach the workers through the fork instead of being pickled to each of them.
_SHARED = _ProfileInputs({}, {}, {})


def _profile_rows(task: tuple[str, list[str]]) -> list[dict[str, Any]]:
    """The profile rows of one chunk of codes: ``("job", codes)`` or ``("applicant", codes)``."""
    kind, codes = task
    shared = _SHARED
    if kind == "job":
        return [_job_row(code, shared.jobs[code]) for code in codes]
    return [
        _applicant_row(code, shared.applicants[code], shared.file_texts.get(code)) for code in codes
    ]


def _chunks(kind: str, codes: list[str], count: int) -> list[tuple[str, list[str]]]:
    size = max(1, -(-len(codes) // count))
    return [(kind, codes[start : start + size]) for start in range(0, len(codes), size)]


def _rows_in_pool(tasks: list[tuple[str, list[str]]], workers: int) -> list[list[dict[str, Any]]]:
    """Each task's rows, in the tasks' order, shared out among ``workers`` forked processes.

    A profile reads the whole CV text (about 0.7 ms an applicant here): the published data's
    42,000 applicants are half a minute on one core.
    """
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_profile_rows, tasks))


def profile_frames(
    jobs: Mapping[str, Mapping[str, Any]],
    applicants: Mapping[str, Mapping[str, Any]],
    file_texts: Mapping[str, str],
    workers: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """One profile row per valid job and per valid applicant, and where CV texts came from.

    With ``workers`` > 1 and at least ``MIN_APPLICANTS_FOR_POOL`` applicants, the profiles are
    built in that many processes, jobs and applicants side by side; the rows are the same, in
    the same order.
    """
    global _SHARED
    sources: Counter[str] = Counter()
    for code, record in applicants.items():
        has_file_text = bool(file_texts.get(code))
        sources["cv_pt" if _has_cv_pt(record) else "file" if has_file_text else "none"] += 1
    job_codes, applicant_codes = list(jobs), list(applicants)
    _SHARED = _ProfileInputs(jobs, applicants, file_texts)
    try:
        if workers > 1 and len(applicant_codes) >= MIN_APPLICANTS_FOR_POOL:
            # jobs first, in fewer chunks; four applicant chunks a worker: an even finish
            job_tasks = _chunks("job", job_codes, workers)
            tasks = job_tasks + _chunks("applicant", applicant_codes, workers * 4)
            rows = _rows_in_pool(tasks, workers)
            job_rows = [row for chunk in rows[: len(job_tasks)] for row in chunk]
            applicant_rows = [row for chunk in rows[len(job_tasks) :] for row in chunk]
        else:
            job_rows = _profile_rows(("job", job_codes))
            applicant_rows = _profile_rows(("applicant", applicant_codes))
    finally:
        _SHARED = _ProfileInputs({}, {}, {})
    job_frame = profile_frame("job_code", job_rows, JOB_PROFILE_FIELDS)
    applicant_frame = profile_frame("applicant_code", applicant_rows, APPLICANT_PROFILE_FIELDS)
    return job_frame, applicant_frame, {key: sources[key] for key in ("cv_pt", "file", "none")}


# ---------------------------------------------------------------------------------------------
# Applications


@dataclass(frozen=True, slots=True)
class Application:
    """One valid application, reduced to what the pipeline may use (status only for the label)."""

    job_code: str
    applicant_code: str
    date: datetime
    status: str
    label: int | None


def collect_applications(
    raw: RawData,
    jobs: Mapping[str, Any],
    applicants: Mapping[str, Any],
    quarantine: Quarantine,
) -> tuple[list[Application], dict[str, int]]:
    """Valid applications, in file order; the rest quarantined with a reason.

    Reasons beyond ``features.schema``'s: ``unknown_job`` / ``unknown_applicant`` (code absent
    from vagas.json / applicants.json), ``invalid_job`` / ``invalid_applicant`` (the record was
    quarantined), ``unknown_status`` (not in the label table).
    """
    applications: list[Application] = []
    read = 0
    for job_code, entry in raw.prospects.items():
        problems = validate_prospects_entry(job_code, entry)
        if problems:
            quarantine.add_problems("application", job_code, problems)
            continue
        for index, prospect in enumerate(entry["prospects"]):
            read += 1
            code = prospect.get("codigo") if isinstance(prospect, dict) else None
            item_id = f"{job_code}:{code if isinstance(code, str) and code else f'#{index}'}"
            problems = validate_application(job_code, prospect)
            if problems:
                quarantine.add_problems("application", item_id, problems)
                continue
            if job_code not in jobs:
                reason = "invalid_job" if job_code in raw.jobs else "unknown_job"
                quarantine.add("application", item_id, reason)
                continue
            if code not in applicants:
                reason = "invalid_applicant" if code in raw.applicants else "unknown_applicant"
                quarantine.add("application", item_id, reason)
                continue
            status = prospect["situacao_candidado"]
            try:
                label = label_for_status(status)
            except UnknownStatusError:
                quarantine.add("application", item_id, "unknown_status", status)
                continue
            date = parse_date(prospect["data_candidatura"])
            assert date is not None  # validate_application guarantees a known date
            applications.append(Application(job_code, code, date, status, label))
    return applications, {"read": read, "valid": len(applications)}


def latest_per_pair(applications: list[Application]) -> list[Application]:
    """One application per (job, applicant): the latest by date, the later in file on a tie."""
    latest: dict[tuple[str, str], Application] = {}
    for application in applications:
        key = (application.job_code, application.applicant_code)
        kept = latest.get(key)
        if kept is None or application.date >= kept.date:
            latest[key] = application
    return list(latest.values())


# ---------------------------------------------------------------------------------------------
# Dataset and split


#: Policies the report counts labelled rows for, beside the one the run uses (days; 0: off).
REPORTED_STALE_POLICIES = (0, 180, 365, 730)


def label_policy_counts(applications: list[Application], newest: datetime | None) -> dict:
    """Labelled rows under each reported stale policy (the run uses one of them, or another)."""
    final = sum(1 for a in applications if a.label is not None)
    counts = {}
    for days in REPORTED_STALE_POLICIES:
        stale = (
            0
            if not days or newest is None
            else sum(1 for a in applications if a.label is None and (newest - a.date).days > days)
        )
        counts["in_progress_never_labelled" if not days else f"stale_after_{days}_days"] = (
            final + stale
        )
    return counts


def apply_stale_policy(applications: list[Application], days: int) -> list[Application]:
    """In-progress applications older than ``days`` before the newest become not hired.

    Many in-progress applications of the published file are years old: nobody closed them. With
    ``days`` 0 they stay unlabelled (left out of training and evaluation).
    """
    if not days or not applications:
        return applications
    newest = max(a.date for a in applications)
    return [
        Application(a.job_code, a.applicant_code, a.date, a.status, NOT_HIRED)
        if a.label is None and (newest - a.date).days > days
        else a
        for a in applications
    ]


def labelled_pairs(applications: list[Application]) -> pd.DataFrame:
    """Labelled (job, applicant) rows, oldest first (ties by job, applicant code)."""
    labelled = [a for a in applications if a.label is not None]
    labelled.sort(key=lambda a: (a.date, a.job_code, a.applicant_code))
    return pd.DataFrame(
        {
            "job_code": pd.Series([a.job_code for a in labelled], dtype="str"),
            "applicant_code": pd.Series([a.applicant_code for a in labelled], dtype="str"),
            "application_date": pd.Series([a.date for a in labelled], dtype="datetime64[ns]"),
            "label": pd.Series([a.label for a in labelled], dtype="int8"),
        }
    )


def training_documents(
    train: pd.DataFrame, job_frame: pd.DataFrame, applicant_frame: pd.DataFrame
) -> list[dict[str, int]]:
    """Lexicon term counts of the texts of the training period: its jobs' and its CVs'."""
    jobs = job_frame[job_frame["job_code"].isin(train["job_code"])]
    applicants = applicant_frame[applicant_frame["applicant_code"].isin(train["applicant_code"])]
    return [decode_counts(terms) for terms in (*jobs["terms"], *applicants["terms"])]


def with_features(
    pairs: pd.DataFrame,
    job_frame: pd.DataFrame,
    applicant_frame: pd.DataFrame,
    text_model: TextModel,
) -> pd.DataFrame:
    """``pairs`` with every feature of ``FEATURE_NAMES``."""
    features = pair_feature_frame(job_frame, applicant_frame, pairs, text_model)
    return pd.concat([pairs, features], axis=1)


def _label_counts(labels: pd.Series) -> dict[str, Any]:
    rows = int(len(labels))
    hired = int(labels.sum())
    return {
        "rows": rows,
        "hired": hired,
        "not_hired": rows - hired,
        "hire_rate": round(hired / rows, 6) if rows else None,
    }


def time_split(
    dates: pd.Series, validation_fraction: float, test_fraction: float
) -> dict[str, np.ndarray]:
    """Row positions of each split for ``dates`` sorted ascending.

    The latest ``test_fraction`` of rows is ``test``, the ``validation_fraction`` before it is
    ``validation``, the rest ``train``. Each cut moves to a day boundary: all rows of the cut's
    date go to the later split, so no date is in two splits (a split may come out smaller).
    """
    values = dates.to_numpy()
    n = len(values)
    if n and np.any(values[1:] < values[:-1]):
        raise ValueError("dates must be sorted ascending")
    n_test = round(n * test_fraction)
    n_validation = round(n * validation_fraction)

    def cut(position: int) -> int:
        if position >= n:
            return n
        return int(np.searchsorted(values, values[max(position, 0)], side="left"))

    test_start = cut(n - n_test)
    validation_start = min(cut(n - n_test - n_validation), test_start)
    return {
        "train": np.arange(0, validation_start),
        "validation": np.arange(validation_start, test_start),
        "test": np.arange(test_start, n),
    }


def _date_text(value: Any) -> str | None:
    return None if pd.isna(value) else pd.Timestamp(value).date().isoformat()


def split_dataset(
    dataset: pd.DataFrame, config: Config, why: str = ""
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Time-split ``dataset``; ``InsufficientDataError`` when a model could not be trained.

    ``why`` says where the applications went (see ``shortage_context``), for the message.
    """
    labels = _label_counts(dataset["label"])
    if labels["rows"] < config.min_labelled_rows:
        raise InsufficientDataError(
            f"{labels['rows']:,} labelled applications ({labels['hired']:,} hired, "
            f"{labels['not_hired']:,} not hired); training needs at least "
            f"{config.min_labelled_rows:,}. {why}Add raw data: applications with a final status."
        )
    positions = time_split(
        dataset["application_date"], config.validation_fraction, config.test_fraction
    )
    splits = {name: dataset.iloc[rows].reset_index(drop=True) for name, rows in positions.items()}
    summary: dict[str, Any] = {}
    for name, frame in splits.items():
        dates = frame["application_date"]
        summary[name] = {
            **_label_counts(frame["label"]),
            "date_min": _date_text(dates.min()) if len(frame) else None,
            "date_max": _date_text(dates.max()) if len(frame) else None,
        }
    for name in _SPLITS:
        counts = summary[name]
        if counts["hired"] == 0 or counts["not_hired"] == 0:
            raise InsufficientDataError(
                f"the {name} period has {counts['rows']:,} labelled applications "
                f"({counts['hired']:,} hired, {counts['not_hired']:,} not hired) out of "
                f"{labels['rows']:,}; every period needs both hires and non-hires. {why}"
                "Add raw data: applications with a final status across the whole period."
            )
    return splits, summary


def oracle_for_test(raw_dir: Path, test: pd.DataFrame) -> tuple[pd.DataFrame | None, dict]:
    """``job_code, applicant_code, oracle_p`` for the test rows, when the generator's truth exists.

    A pair listed twice in the truth file keeps its last row.
    """
    path = raw_dir / ORACLE_FILE
    if not path.is_file():
        return None, {"present": False}
    try:
        truth = pd.read_csv(path, dtype={"job_code": "str", "applicant_code": "str"})
        truth = truth[["job_code", "applicant_code", "p"]].astype({"p": "float64"})
    except (ValueError, KeyError, OSError, pd.errors.ParserError) as error:
        log(f"warning: ignoring unreadable {ORACLE_FILE}: {error}")
        return None, {"present": True, "error": str(error).splitlines()[0]}
    truth = truth.drop_duplicates(["job_code", "applicant_code"], keep="last")
    oracle = test[["job_code", "applicant_code"]].merge(
        truth.rename(columns={"p": "oracle_p"}), on=["job_code", "applicant_code"], how="inner"
    )
    return oracle, {
        "present": True,
        "test_rows_matched": len(oracle),
        "test_rows_missing": len(test) - len(oracle),
    }


# ---------------------------------------------------------------------------------------------
# Writing


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False)


def write_report(report_dir: Path, report: dict[str, Any], quarantine: Quarantine) -> None:
    """data_report.json and quarantine.jsonl."""
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "data_report.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    with (report_dir / "quarantine.jsonl").open("w", encoding="utf-8") as out:
        for item in quarantine.items:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------------------------------------
# The step


def _top_reasons(by_reason: Mapping[str, int], limit: int = 3) -> str:
    ranked = sorted(by_reason.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return ", ".join(f"{reason} {count:,}" for reason, count in ranked)


def shortage_context(application_counts: Mapping[str, int], quarantine: Quarantine) -> str:
    """Where the applications went, in a sentence or two ending with a space (or empty)."""
    read = application_counts.get("read", 0)
    by_reason = quarantine.by_reason("application")
    quarantined = sum(by_reason.values())
    if read == 0 and not quarantined:
        return "prospects.json holds no applications. "
    if application_counts.get("valid", 0) == 0:
        return (
            f"Every application was quarantined: {quarantined:,} "
            f"(top reasons: {_top_reasons(by_reason)}; report/quarantine.jsonl lists each). "
        )
    text = f"Of {read:,} applications read, "
    if quarantined:
        text += f"{quarantined:,} were quarantined (top reasons: {_top_reasons(by_reason)}), "
    return text + f"{application_counts.get('in_progress', 0):,} are still in progress. "


def _unreadable_date_counts(
    records: Mapping[str, Any], date_fields: Mapping[str, str]
) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for record in records.values():
        counts.update(unreadable_dates(record, date_fields))
    return dict(sorted(counts.items()))


def _kind_counts(
    read: int, valid: int, quarantine: Quarantine, kind: str, **more: Any
) -> dict[str, Any]:
    """Counts of one kind of item for the report: read, valid, quarantined (by reason), more."""
    by_reason = quarantine.by_reason(kind)
    return {
        "read": read,
        "valid": valid,
        "quarantined": sum(by_reason.values()),
        "quarantined_by_reason": by_reason,
        **more,
    }


def _in_words(counts: Mapping[str, int]) -> str:
    """``{'text': 76, 'needs_ocr': 4}`` -> ``76 text, 4 needs_ocr``."""
    return ", ".join(f"{value:,} {key.replace('_', ' ')}" for key, value in counts.items())


def _named_counts(counts: Mapping[str, int]) -> str:
    """``{'data_criacao': 2}`` -> ``data_criacao 2``: counts of things named as in the data."""
    return ", ".join(f"{name} {value:,}" for name, value in counts.items())


def _split_in_words(name: str, summary: Mapping[str, Any]) -> str:
    rate = summary["hire_rate"]
    hire_rate = f", hire rate {rate:.1%}" if rate is not None else ""
    return (
        f"{name}: {summary['rows']:,} rows ({summary['hired']:,} hired{hire_rate}), "
        f"{summary['date_min']} to {summary['date_max']}"
    )


def run(config: Config) -> dict[str, Any]:
    """The whole step; returns the report. Raises ``InputError`` or ``InsufficientDataError``.

    The report is written whatever happens, with ``status`` and ``message`` when it stops.
    """
    phases = Phases()
    quarantine = Quarantine()
    report: dict[str, Any] = {"status": "ok"}

    try:
        with phases.phase("read"):
            raw = load_raw(config.raw_dir)
    except InputError as error:
        report.update(status="input_error", message=str(error), durations_s=phases.durations)
        write_report(config.report_dir, report, quarantine)
        raise
    repeated = quarantine_duplicates(raw, quarantine)
    log(
        f"read {len(raw.jobs):,} jobs, {len(raw.applicants):,} applicants, "
        f"{len(raw.prospects):,} prospect lists"
        + (
            f"; ids given twice (earlier records quarantined): {_named_counts(repeated)}"
            if repeated
            else ""
        )
    )
    with phases.phase("validate"):
        jobs = valid_records("job", raw.jobs, validate_job, quarantine)
        applicants = valid_records("applicant", raw.applicants, validate_applicant, quarantine)
        job_dates = _unreadable_date_counts(jobs, JOB_DATE_FIELDS)
        applicant_dates = _unreadable_date_counts(applicants, APPLICANT_DATE_FIELDS)
        log(
            f"valid: {len(jobs):,} of {len(raw.jobs):,} jobs, "
            f"{len(applicants):,} of {len(raw.applicants):,} applicants"
        )
        if job_dates or applicant_dates:
            log(
                "unreadable dates, records kept and dated from another field or undated: "
                + _named_counts({**job_dates, **applicant_dates})
            )
    with phases.phase("documents"):
        text_options = TextOptions(
            engine=config.ocr_engine,
            cache_in=config.text_cache_in,
            cache_out=config.text_cache_out,
            workers=config.workers,
            scan_texts=load_scan_texts(config.raw_dir),
        )
        file_texts, documents = read_cv_files(
            config.raw_dir / CV_DIR, raw.applicants, applicants, quarantine, text_options
        )
        log(
            f"CV files: {documents['files']:,} found, {documents['read']:,} read "
            f"({_in_words({k: n for k, n in documents['by_outcome'].items() if n})}); "
            f"{documents['applicants_with_file_text']:,} applicants get their CV text from a file"
        )
        if documents["ocr"]["files"]:
            log(ocr_in_words(documents))
    with phases.phase("profiles"):
        job_frame, applicant_frame, cv_sources = profile_frames(
            jobs, applicants, file_texts, config.workers
        )
        log(
            f"profiles: {len(job_frame):,} jobs, {len(applicant_frame):,} applicants; "
            f"CV text from cv_pt {cv_sources['cv_pt']:,}, from a file {cv_sources['file']:,}, "
            f"none {cv_sources['none']:,}"
        )
    with phases.phase("applications"):
        applications, application_counts = collect_applications(raw, jobs, applicants, quarantine)
        unique = latest_per_pair(applications)
        newest = max((a.date for a in unique), default=None)
        policy_counts = label_policy_counts(unique, newest)
        unique = apply_stale_policy(unique, config.stale_after_days)
        labelled = sum(1 for a in unique if a.label is not None)
        application_counts.update(
            duplicates_dropped=len(applications) - len(unique),
            in_progress=len(unique) - labelled,
            labelled=labelled,
        )
        log(f"applications: {_in_words(application_counts)}")
    dataset = labelled_pairs(unique)

    report["counts"] = {
        "job": _kind_counts(
            len(raw.jobs) + repeated.get("job", 0),
            len(jobs),
            quarantine,
            "job",
            unreadable_dates=job_dates,
        ),
        "applicant": _kind_counts(
            len(raw.applicants) + repeated.get("applicant", 0),
            len(applicants),
            quarantine,
            "applicant",
            unreadable_dates=applicant_dates,
        ),
        "application": _kind_counts(
            quarantine=quarantine, kind="application", **application_counts
        ),
        "document": {**documents, "quarantined_by_reason": quarantine.by_reason("document")},
    }
    report["cv_sources"] = cv_sources
    report["statuses"] = dict(sorted(Counter(a.status for a in unique).items()))
    report["label_policy"] = {
        "stale_after_days": config.stale_after_days,
        "labelled_rows_by_policy": policy_counts,
    }
    report["labels"] = {"all": _label_counts(dataset["label"])}
    report["split"] = {
        "by": "data_candidatura",
        "validation_fraction": config.validation_fraction,
        "test_fraction": config.test_fraction,
    }

    try:
        with phases.phase("split"):
            why = shortage_context(application_counts, quarantine)
            splits, summary = split_dataset(dataset, config, why)
    except InsufficientDataError as error:
        report.update(status="insufficient_data", message=str(error))
        report["durations_s"] = phases.durations
        write_report(config.report_dir, report, quarantine)
        raise
    report["labels"].update({name: summary[name] for name in _SPLITS})
    report["split"].update(
        validation_start=summary["validation"]["date_min"],
        test_start=summary["test"]["date_min"],
    )
    for name in _SPLITS:
        log(_split_in_words(name, summary[name]))

    with phases.phase("features"):
        text_model = fit_text_model(training_documents(splits["train"], job_frame, applicant_frame))
        splits = {
            name: with_features(frame, job_frame, applicant_frame, text_model)
            for name, frame in splits.items()
        }
        log(
            f"features: {len(dataset):,} labelled rows x {len(FEATURE_NAMES)} features; text "
            f"weights from {text_model.documents:,} texts of the training period"
        )
    with phases.phase("write"):
        for name in _SPLITS:
            write_parquet(splits[name], config.split_dirs[name] / f"{name}.parquet")
        (config.train_dir / TEXT_MODEL_FILE).write_text(text_model.to_json())
        oracle, report["oracle"] = oracle_for_test(config.raw_dir, splits["test"])
        if oracle is not None:
            write_parquet(oracle, config.test_dir / "oracle.parquet")
        write_parquet(job_frame, config.profiles_dir / "jobs.parquet")
        write_parquet(applicant_frame, config.profiles_dir / "applicants.parquet")
    report["durations_s"] = phases.durations
    write_report(config.report_dir, report, quarantine)
    durations = ", ".join(f"{name} {seconds:.2f}s" for name, seconds in phases.durations.items())
    log(f"done: {len(quarantine.items):,} items quarantined; {durations}")
    return report


def main(argv: list[str] | None = None) -> int:
    """Entry point: 0 done, 2 bad input file, 3 too little labelled data."""
    config = parse_args(argv)
    started = time.perf_counter()
    try:
        run(config)
    except InputError as error:
        print(f"preprocess: error: {error}", file=sys.stderr)
        return 2
    except InsufficientDataError as error:
        print(f"preprocess: not enough labelled data: {error}", file=sys.stderr)
        return 3
    log(f"finished in {time.perf_counter() - started:.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
