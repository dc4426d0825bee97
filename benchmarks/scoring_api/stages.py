"""Where a route's time goes: LightGBM's own predict on the rows the route scores, and the
stages a route runs (JSON, validation, records and profiles or the store lookup, feature
matrix, predict, response), each called directly on the same request body and timed alone."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from benchmarks.scoring_api.clients import timed
from benchmarks.scoring_api.figures import BenchError, RouteFigures
from benchmarks.scoring_api.records import Workload
from benchmarks.scoring_api.store import StoredProfiles


def raw_predict(
    model: Any, route: RouteFigures, matrices: Sequence[np.ndarray], iterations: int
) -> None:
    """LightGBM alone on the prepared float64 matrices (cycled), with the served num_threads."""
    booster, threads = model.booster, model.predict_threads
    rows = itertools.cycle(matrices)

    def predict() -> None:
        booster.predict(next(rows), num_threads=threads)

    def contrib() -> None:
        booster.predict(next(rows), pred_contrib=True, num_threads=threads)

    def both() -> None:
        matrix = next(rows)
        booster.predict(matrix, num_threads=threads)
        booster.predict(matrix, pred_contrib=True, num_threads=threads)

    route.raw_predict["predict"] = timed(predict, iterations)
    route.raw_reference = "predict"
    if route.name == "score":
        route.raw_predict["pred_contrib"] = timed(contrib, iterations)
        route.raw_predict["predict + pred_contrib"] = timed(both, iterations)
        route.raw_reference = "predict + pred_contrib"


def body_matrix(body: bytes, text_model: Any, stored: StoredProfiles | None = None) -> np.ndarray:
    """The feature matrix the route computes for this request body (codes: from ``stored``)."""
    from serving.scoring import applicant_profile_of, feature_matrix, job_profile_of

    parsed = json.loads(body)
    if "applicant_codes" in parsed:
        if stored is None:
            raise BenchError("a body of codes needs the online store")
        job, found = stored.lookup(parsed["job_code"], parsed["applicant_codes"])
        return feature_matrix(job, [found[code] for code in parsed["applicant_codes"]], text_model)
    if "applicant" in parsed:
        applicants = [parsed["applicant"]]
    else:
        applicants = [a["applicant"] for a in parsed["applicants"]]
    return feature_matrix(
        job_profile_of(parsed["job"]), [applicant_profile_of(a) for a in applicants], text_model
    )


def stage_breakdown(model: Any, route: RouteFigures, body: bytes, iterations: int) -> None:
    """Median ms of each stage the route runs, each called directly on the same body."""
    from serving import schemas
    from serving.scoring import (
        applicant_profile_of,
        feature_matrix,
        job_profile_of,
        top_contributions,
    )

    scoring = route.name == "score"
    request_model = schemas.ScoreRequest if scoring else schemas.RankRequest
    parsed = json.loads(body)
    request = request_model.model_validate(parsed)

    def records() -> tuple[dict, list[dict]]:
        job = request.job.model_dump(by_alias=True, exclude_unset=True)
        if scoring:
            return job, [request.applicant.model_dump(by_alias=True, exclude_unset=True)]
        return job, [
            a.applicant.model_dump(by_alias=True, exclude_unset=True) for a in request.applicants
        ]

    job_record, applicant_records = records()

    def profiles() -> tuple[dict, list[dict]]:
        return job_profile_of(job_record), [applicant_profile_of(r) for r in applicant_records]

    job, applicants = profiles()
    rows = feature_matrix(job, applicants, model.text_model)

    def predict() -> Any:
        if scoring:
            return model.probabilities(rows), model.contributions(rows)
        return model.probabilities(rows)

    predicted = predict()
    ref = {"name": model.name, "version": model.version}

    def respond() -> bytes:
        if scoring:
            probabilities, contributions = predicted
            result = {
                "job_code": request.job_code,
                "applicant_code": request.applicant_code,
                "model": ref,
                "probability": float(probabilities[0]),
                "base_value": float(contributions[0][-1]),
                "contributions": top_contributions(rows[0], contributions[0][:-1], 5),
                "features": dict(zip(model.feature_names, rows[0].tolist(), strict=True)),
            }
            return schemas.ScoreResponse.model_validate(result).model_dump_json().encode()
        order = sorted(range(len(predicted)), key=lambda i: -predicted[i])
        ranking = [
            {
                "rank": n,
                "applicant_code": request.applicants[i].applicant_code,
                "probability": float(predicted[i]),
                "source": "request",
            }
            for n, i in enumerate(order, start=1)
        ]
        result = {"job_code": request.job_code, "model": ref, "count": len(ranking)}
        result |= {"ranking": ranking, "not_found": []}
        return schemas.RankResponse.model_validate(result).model_dump_json().encode()

    stages: dict[str, Callable[[], Any]] = {
        "JSON parse": lambda: json.loads(body),
        "validation (pydantic)": lambda: request_model.model_validate(parsed),
        "records (model_dump)": records,
        "profiles": profiles,
        "feature matrix": lambda: feature_matrix(job, applicants, model.text_model),
        "LightGBM predict (score: + contrib)": predict,
        "response (model + JSON)": respond,
    }
    route.breakdown_ms = {
        name: timed(stage, iterations, warmup=1).p50_ms for name, stage in stages.items()
    }


def codes_stage_breakdown(
    model: Any, route: RouteFigures, body: bytes, iterations: int, stored: StoredProfiles
) -> None:
    """The stages of a rank by codes, each called directly on the same body (median ms): the
    store lookup replaces the records and profiles stages of a rank by records."""
    from serving import schemas
    from serving.scoring import Candidate, feature_matrix

    parsed = json.loads(body)
    request = schemas.RankRequest.model_validate(parsed)
    codes = request.applicant_codes
    if request.job_code is None or not codes:
        raise BenchError(f"{route.name}: the body holds no job_code or no applicant_codes")

    def lookup() -> tuple[Any, list[Candidate], list[str]]:
        # as the route: the job's profile, then the applicants' as candidates and the misses
        job, found = stored.lookup(request.job_code, codes)
        candidates = [Candidate(c, found[c], "feature_store") for c in codes if c in found]
        return job, candidates, [c for c in codes if c not in found]

    job, candidates, not_found = lookup()
    if job is None or not_found:
        raise BenchError(f"{route.name}: the online store misses the job or applicants")
    profiles = [c.profile for c in candidates]
    rows = feature_matrix(job, profiles, model.text_model)
    predicted = model.probabilities(rows)
    ref = {"name": model.name, "version": model.version}

    def respond() -> bytes:
        order = sorted(range(len(predicted)), key=lambda i: -predicted[i])
        ranking = [
            {
                "rank": n,
                "applicant_code": candidates[i].applicant_code,
                "probability": float(predicted[i]),
                "source": candidates[i].source,
            }
            for n, i in enumerate(order, start=1)
        ]
        result = {"job_code": request.job_code, "model": ref, "count": len(ranking)}
        result |= {"ranking": ranking, "not_found": not_found}
        return schemas.RankResponse.model_validate(result).model_dump_json().encode()

    stages: dict[str, Callable[[], Any]] = {
        "JSON parse": lambda: json.loads(body),
        "validation (pydantic)": lambda: schemas.RankRequest.model_validate(parsed),
        "store lookup (codes: job + applicants)": lookup,
        "feature matrix": lambda: feature_matrix(job, profiles, model.text_model),
        "LightGBM predict (score: + contrib)": lambda: model.probabilities(rows),
        "response (model + JSON)": respond,
    }
    route.breakdown_ms = {
        name: timed(stage, iterations, warmup=1).p50_ms for name, stage in stages.items()
    }


def measure_stages(model: Any, workloads: Sequence[Workload], store_spec: str, config: Any) -> None:
    """Each workload's stage breakdown on its first body and LightGBM's raw predict on the
    matrices of all its bodies; codes are looked up in the store at ``store_spec``."""
    stored = StoredProfiles(store_spec, config)
    try:
        for workload in workloads:
            route = workload.route
            body, iterations = workload.bodies[0], min(workload.iterations, 50)
            if route.sends == "codes":
                codes_stage_breakdown(model, route, body, iterations, stored)
            else:
                stage_breakdown(model, route, body, iterations)
            matrices = [body_matrix(body, model.text_model, stored) for body in workload.bodies]
            raw_predict(model, route, matrices, workload.iterations)
    finally:
        stored.close()
