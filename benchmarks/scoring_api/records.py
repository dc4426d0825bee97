"""The model and the requests the serving benchmark sends: the model folder to serve and the
model the app holds (with its figures), the job and applicant records (the generated raw data
when present, else the test factory's), the request bodies made of them (score, rank by
records, rank by codes) and the workloads that send those bodies to each route."""

from __future__ import annotations

import itertools
import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.scoring_api.figures import ROOT, BenchError, RouteFigures

DEFAULT_MODEL_DIR = ROOT / "build" / "serving" / "model"
RAW_DIR = ROOT / ".lake" / "datathon-mlet03-raw" / "decision"
RANK_SIZES = (100, 1000)
SCORE_BODIES = 50  # distinct (job, applicant) pairs the score calls cycle through


def model_source(model_dir: Path | None, workdir: Path) -> tuple[Path, str]:
    """The model folder to serve and where it came from."""
    if model_dir is not None:
        if not (model_dir / "model.txt").is_file():
            raise BenchError(f"--model-dir {model_dir} holds no model.txt")
        return model_dir.resolve(), f"--model-dir {model_dir}"
    if (DEFAULT_MODEL_DIR / "model.txt").is_file():
        return DEFAULT_MODEL_DIR, f"the exported champion ({DEFAULT_MODEL_DIR.relative_to(ROOT)})"
    from tests.serving.factory import train_model_dir

    folder = train_model_dir(workdir / "model")
    return folder, (
        "a small model trained for the bench (tests.serving.factory.train_model_dir: 40 trees "
        "of 4 leaves); run `make serve` or pass --model-dir for the champion"
    )


def served_model(app: Any, model_dir: Path, config: Any) -> Any:
    """The model the app holds, else the one in ``model_dir`` loaded as the app would."""
    holder = getattr(app.state, "model_holder", None)
    model = holder.current if holder is not None else None
    if model is None:
        from serving.model import load_model

        model = load_model(str(model_dir), predict_threads=config.predict_threads)
    return model


def model_figures(model: Any) -> dict[str, Any]:
    return {
        "trees": model.booster.num_trees(),
        "features": len(model.feature_names),
        "predict_threads": model.predict_threads,
        "name": model.name,
        "version": model.version,
    }


@dataclass
class Records:
    source: str
    jobs: list[tuple[str, dict[str, Any]]]
    applicants: list[tuple[str, dict[str, Any]]]


def _valid(records: dict[str, Any], model: Any, profile: Callable[[Any], Any]) -> list:
    """(code, record) pairs the API accepts and profiles, in file order."""
    from pydantic import ValidationError

    valid = []
    for code, record in records.items():
        if not isinstance(record, dict) or not str(code).strip() or len(str(code)) > 64:
            continue
        try:
            model.model_validate(record)
            profile(record)
        except (ValidationError, TypeError, ValueError, AttributeError):
            continue
        valid.append((str(code).strip(), record))
    return valid


def load_records(count: int) -> Records:
    """Jobs and ``count`` applicants: the generated raw data when present, else the factory's."""
    from features import applicant_profile, job_profile
    from serving import schemas

    jobs_file, applicants_file = RAW_DIR / "vagas.json", RAW_DIR / "applicants.json"
    if jobs_file.is_file() and applicants_file.is_file():
        jobs = _valid(json.loads(jobs_file.read_text("utf-8")), schemas.JobRecord, job_profile)
        applicants = _valid(
            json.loads(applicants_file.read_text("utf-8")),
            schemas.ApplicantRecord,
            applicant_profile,
        )
        if jobs and applicants:
            source = f"generated raw data ({RAW_DIR.relative_to(ROOT)}), records as stored"
            if len(applicants) < count:
                source += f"; {len(applicants)} valid applicants reused under new codes"
                applicants = [
                    (f"{code}-{k}", record)
                    for k, (code, record) in zip(
                        range(count), itertools.cycle(applicants), strict=False
                    )
                ]
            return Records(source, jobs[:SCORE_BODIES], applicants[:count])
    from tests.serving.factory import applicant_record, job_record

    return Records(
        "tests.serving.factory records (short CVs): generate data with `make data` for real ones",
        [("5185", job_record())],
        [(str(31000 + i), applicant_record(i)) for i in range(count)],
    )


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def score_bodies(records: Records) -> list[bytes]:
    jobs, applicants = records.jobs, records.applicants
    return [
        encode(
            {
                "job_code": jobs[i % len(jobs)][0],
                "job": jobs[i % len(jobs)][1],
                "applicant_code": applicants[i % len(applicants)][0],
                "applicant": applicants[i % len(applicants)][1],
                "top": 5,
            }
        )
        for i in range(SCORE_BODIES)
    ]


def rank_body(records: Records, size: int) -> bytes:
    code, job = records.jobs[0]
    applicants = [{"applicant_code": c, "applicant": r} for c, r in records.applicants[:size]]
    return encode({"job_code": code, "job": job, "applicants": applicants})


def rank_codes_body(records: Records, size: int) -> bytes:
    """The rank body of the codes scenarios: the same job and applicants, as codes."""
    codes = [code for code, _ in records.applicants[:size]]
    return encode({"job_code": records.jobs[0][0], "applicant_codes": codes})


def records_figures(records: Records) -> dict[str, Any]:
    sizes = [len(encode(r)) for _, r in records.applicants]
    cvs = [len(r.get("cv_pt") or "") for _, r in records.applicants]
    return {
        "source": records.source,
        "jobs": len(records.jobs),
        "applicants": len(records.applicants),
        "applicant_record_bytes_mean": round(statistics.fmean(sizes)),
        "cv_pt_chars_mean": round(statistics.fmean(cvs)),
        "cv_pt_chars_max": max(cvs),
    }


# --------------------------------------------------------------------------- workloads


@dataclass
class Workload:
    route: RouteFigures
    bodies: list[bytes]
    iterations: int
    warmup: int


def record_workloads(
    records: Records, scores: list[bytes], score_calls: int, rank_calls: Sequence[int]
) -> list[Workload]:
    """``POST /v1/score`` cycling ``scores``, then ``POST /v1/rank`` with the records of each
    of ``RANK_SIZES`` applicants (``rank_calls`` timed calls each)."""
    score = RouteFigures("score", "/v1/score", 1, round(statistics.fmean(map(len, scores))))
    workloads = [Workload(score, scores, score_calls, 20)]
    for size, calls, warmup in zip(RANK_SIZES, rank_calls, (10, 3), strict=True):
        body = rank_body(records, size)
        route = RouteFigures(f"rank-{size}", "/v1/rank", size, len(body))
        workloads.append(Workload(route, [body], calls, warmup))
    return workloads


def codes_workloads(records: Records, rank_calls: Sequence[int]) -> list[Workload]:
    """``POST /v1/rank`` with the same job and applicants sent as codes, for each of
    ``RANK_SIZES`` (``rank_calls`` timed calls each)."""
    workloads = []
    for size, calls, warmup in zip(RANK_SIZES, rank_calls, (10, 3), strict=True):
        body = rank_codes_body(records, size)
        route = RouteFigures(f"rank-{size}-codes", "/v1/rank", size, len(body), sends="codes")
        workloads.append(Workload(route, [body], calls, warmup))
    return workloads
