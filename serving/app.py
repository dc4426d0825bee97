"""The scoring API (FastAPI): health, model card, score one pair, rank applicants for a job,
explain a score to a recruiter.

``create_app()`` builds the app from the environment's configuration (``serving.config``); tests
and the benchmark pass their own configuration, model loader or online store. The model is
loaded once and kept; while it cannot be loaded every scoring route answers 503 (and loading
is tried again after ``model_retry_seconds``), so a container without a model never crash-loops.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from explain import Explainer, build_explainer, factors_from_contributions
from features import APPLICANT_PROFILE_FIELDS, JOB_PROFILE_FIELDS
from featurestore.online import OnlineStore, OnlineStoreError, open_online_store
from serving import schemas
from serving.body import document_json_bodies, json_body, request_body_reference
from serving.config import ServingConfig, load_config
from serving.cv_files import CvFileReader
from serving.errors import (
    ApiError,
    RequestGuard,
    error_body,
    field_path,
    install_error_handlers,
)
from serving.model import LoadedModel, ModelLoadError, load_model
from serving.observability import logger, record_request_metrics, tracer
from serving.scoring import (
    Candidate,
    applicant_profile_of,
    job_profile_of,
    rank_candidates,
    score_pair,
)

API_VERSION = "1.0.0"
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": schemas.ErrorResponse, "description": description}
    for status, description in {
        400: "the body is not valid JSON",
        413: "the body is larger than the limit",
        415: "the body is not sent as application/json",
        422: "a field is missing or invalid (``error.field`` says which)",
        503: "no model is loaded yet, or the feature store cannot be reached",
    }.items()
}
ModelLoader = Callable[[], LoadedModel]


class ModelHolder:
    """The served model: loaded once, a failed load retried after a pause, never raised."""

    def __init__(self, loader: ModelLoader, retry_seconds: float) -> None:
        self._loader, self._retry_seconds = loader, retry_seconds
        self._model: LoadedModel | None = None
        self._failed_at: float | None = None
        self._lock = threading.Lock()

    @property
    def current(self) -> LoadedModel | None:
        return self._model

    def load(self) -> LoadedModel | None:
        """Try to load now (once at a time); the model, or None with the reason logged."""
        with self._lock:
            if self._model is not None:
                return self._model
            try:
                self._model = self._loader()
            except ModelLoadError as error:
                self._failed_at = time.monotonic()
                logger.error("model not loaded", extra={"reason": str(error)})
                return None
            logger.append_keys(model_name=self._model.name, model_version=self._model.version)
            logger.info("model loaded", extra={"features": len(self._model.feature_names)})
            return self._model

    def get(self) -> LoadedModel:
        """The model, trying a load when due; ``ApiError`` 503 while there is none."""
        if self._model is not None:
            return self._model
        due = self._failed_at is None or (time.monotonic() - self._failed_at >= self._retry_seconds)
        if due and self.load() is not None:
            return self._model  # type: ignore[return-value]
        raise ApiError(503, "model_unavailable", "no model is loaded; try again later")


def profile_field_types(config: ServingConfig) -> dict[str, dict[str, str]]:
    """Feature types per group, for stores that return text (SageMaker's online store)."""
    return {
        config.jobs_group: {"job_code": "String", "event_time": "String", **JOB_PROFILE_FIELDS},
        config.applicants_group: {
            "applicant_code": "String",
            "event_time": "String",
            **APPLICANT_PROFILE_FIELDS,
        },
    }


class ProfileLookup:
    """Profiles by code from the online store, opened on first use."""

    def __init__(self, config: ServingConfig, store: OnlineStore | None = None) -> None:
        self._config, self._store = config, store
        self._lock = threading.Lock()

    @property
    def configured(self) -> bool:
        return self._store is not None or bool(self._config.online_store)

    def _open(self) -> OnlineStore:
        with self._lock:
            if self._store is None:
                config = self._config
                store = open_online_store(
                    config.online_store, profile_field_types(config), config.region
                )
                if store is None:
                    raise OnlineStoreError("no online store is configured")
                self._store = store
            return self._store

    def profiles(self, group: str, codes: Sequence[str]) -> dict[str, dict[str, Any]]:
        try:
            return self._open().get_profiles(group, list(codes))
        except OnlineStoreError as error:
            logger.error("feature store lookup failed", extra={"reason": str(error)})
            raise ApiError(
                503, "feature_store_unavailable", "the feature store cannot be read; try again"
            ) from None


def _model_ref(model: LoadedModel) -> dict[str, str]:
    return {"name": model.name, "version": model.version}


def _record(model: Any) -> dict[str, Any]:
    """The fields the features read, as the client sent them (Decision format names)."""
    return model.model_dump(by_alias=True, exclude_unset=True)


def _file_text(
    reader: CvFileReader, applicant: Mapping[str, Any], cv_file: Any, field: str
) -> str | None:
    """The CV file's text when the record has no ``cv_pt`` text, as the Preprocess step reads
    a CV file only then; None without a file (or with ``cv_pt``: the file is not read)."""
    cv_pt = applicant.get("cv_pt")
    if cv_file is None or (isinstance(cv_pt, str) and cv_pt.strip()):
        return None
    return reader.text(cv_file, field)


def _no_lookups() -> ApiError:
    return ApiError(
        422,
        "lookup_unavailable",
        "this server has no feature store to look codes up in: send the records instead",
        "body.applicant_codes",
    )


def _too_many(limit: int, field: str, given: int | None = None) -> ApiError:
    got = f", got {given:,}" if given is not None else ""
    where = "applicants and applicant_codes together" if field == "body" else field
    return ApiError(
        422,
        "too_many_applicants",
        f"at most {limit:,} applicants per request ({where}){got}: split the request",
        field,
    )


def _check_codes(body: schemas.RankRequest, limit: int) -> None:
    records, codes = len(body.applicants), len(body.applicant_codes)
    if records + codes == 0:
        raise ApiError(422, "validation_error", "send at least one applicant", "body.applicants")
    if records + codes > limit:
        field = (
            "body"
            if records and codes
            else "body.applicants"
            if records
            else "body.applicant_codes"
        )
        raise _too_many(limit, field, records + codes)
    first_seen: dict[str, str] = {}
    given = [
        (f"body.applicants[{i}].applicant_code", a.applicant_code)
        for i, a in enumerate(body.applicants)
    ]
    given += [(f"body.applicant_codes[{i}]", c) for i, c in enumerate(body.applicant_codes)]
    for field, code in given:
        if code in first_seen:
            # The message names where, never the code: it could be personal data.
            raise ApiError(
                422,
                "duplicate_applicant",
                f"{field} repeats the applicant code at {first_seen[code]}",
                field,
            )
        first_seen[code] = field


def rank_body(model: type[schemas.RankRequest], limit: int):
    """The rank body dependency: an over-long list is ``too_many_applicants`` naming it."""
    parse = json_body(model)

    async def dependency(request: Request) -> schemas.RankRequest:
        try:
            return await parse(request)
        except RequestValidationError as error:
            for problem in error.errors():
                if problem["type"] == "too_long" and len(problem["loc"]) == 2:
                    raise _too_many(limit, field_path(problem["loc"])) from None
            raise

    return dependency


def freeze_startup_objects() -> None:
    """Exclude what start-up created (modules, the model) from future garbage collections.

    Called once by the entry points after the app and its model are built. Without it, a full
    collection triggered by a large request walks every long-lived object: ranking 1,000
    records then takes ~230 ms instead of ~90 ms once every few calls.
    """
    gc.collect()
    gc.freeze()


def create_served_app() -> FastAPI:
    """The app as an entry point serves it (uvicorn's factory): built, then start-up frozen."""
    app = create_app()
    freeze_startup_objects()
    return app


def create_app(
    config: ServingConfig | None = None,
    *,
    model_loader: ModelLoader | None = None,
    online_store: OnlineStore | None = None,
    metrics_enabled: bool = False,
    load_at_start: bool = True,
    explainer: Explainer | None = None,
) -> FastAPI:
    config = config or load_config()
    loader = model_loader or (
        lambda: load_model(
            config.model_uri,
            name=config.model_name,
            version=config.model_version,
            predict_threads=config.predict_threads,
            region=config.region,
        )
    )
    holder = ModelHolder(loader, config.model_retry_seconds)
    lookup = ProfileLookup(config, online_store)
    app = FastAPI(
        title="Match scoring API",
        version=API_VERSION,
        description=(
            "Scores how well applicants match a job with the approved LightGBM model. "
            "Records follow the Decision JSON format and may be partial. Every error has the "
            "shape `{error: {code, message, field, details}}`."
        ),
    )
    app.state.model_holder = holder
    app.state.cv_reader = CvFileReader(config.ocr_engine)
    install_error_handlers(app)
    rank_model = schemas.rank_request_model(config.max_rank_applicants)
    _add_routes(app, config, holder, lookup, rank_model)
    _add_explain_route(app, holder, explainer or build_explainer(config.explain))
    document_json_bodies(app, [schemas.ScoreRequest, rank_model, schemas.ExplainRequest])
    current_version = lambda: holder.current.version if holder.current else None  # noqa: E731
    app.add_middleware(
        RequestGuard,
        max_body_bytes=config.max_body_bytes,
        model_version=current_version,
        observe=record_request_metrics if metrics_enabled else None,
    )
    if load_at_start:
        holder.load()
    return app


def _add_routes(
    app: FastAPI,
    config: ServingConfig,
    holder: ModelHolder,
    lookup: ProfileLookup,
    rank_model: type[schemas.RankRequest],
) -> None:
    @app.get(
        "/health",
        response_model=schemas.HealthResponse,
        responses={503: {"model": schemas.HealthResponse, "description": "no model loaded"}},
        tags=["health"],
    )
    def health() -> Any:
        """Liveness, and readiness: 200 with the model's name and version once it is loaded."""
        try:
            model = holder.get()
        except ApiError as error:
            body = {"status": "unavailable", "model": None} | error_body(error.code, error.message)
            return JSONResponse(body, status_code=503)
        return {"status": "ok", "model": _model_ref(model)}

    # Load balancers and uptime checks often probe with HEAD.
    app.add_api_route("/health", health, methods=["HEAD"], include_in_schema=False)

    @app.get(
        "/v1/model",
        response_model=schemas.ModelInfo,
        responses={503: ERROR_RESPONSES[503]},
        tags=["model"],
    )
    def model_info() -> Any:
        """The served model: name, version, metrics, feature list, when it was trained."""
        return holder.get().describe() | {"max_rank_applicants": config.max_rank_applicants}

    @app.post(
        "/v1/score",
        response_model=schemas.ScoreResponse,
        responses=ERROR_RESPONSES,
        tags=["scoring"],
        openapi_extra=request_body_reference(schemas.ScoreRequest),
    )
    def score(
        request: Request,
        body: schemas.ScoreRequest = Depends(json_body(schemas.ScoreRequest)),  # noqa: B008
    ) -> Any:
        """Match probability of one applicant for one job, with the top contributions."""
        model = holder.get()
        applicant = _record(body.applicant)
        cv_text = _file_text(request.app.state.cv_reader, applicant, body.cv_file, "body.cv_file")
        result = _score(model, _record(body.job), applicant, body.top, cv_text)
        request.state.pairs_scored = 1
        return {
            "job_code": body.job_code,
            "applicant_code": body.applicant_code,
            "model": _model_ref(model),
        } | result

    parse_rank_body = rank_body(rank_model, config.max_rank_applicants)

    @app.post(
        "/v1/rank",
        response_model=schemas.RankResponse,
        responses={**ERROR_RESPONSES, 404: {"model": schemas.ErrorResponse}},
        tags=["scoring"],
        openapi_extra=request_body_reference(rank_model),
    )
    def rank(
        request: Request,
        body: schemas.RankRequest = Depends(parse_rank_body),  # noqa: B008
    ) -> Any:
        """Applicants for one job, best match first (records, or codes looked up)."""
        model = holder.get()
        _check_codes(body, config.max_rank_applicants)
        job = _job_profile(body, config, lookup)
        candidates, not_found = _candidates(body, config, lookup, request.app.state.cv_reader)
        ranking = _rank(model, job, candidates, body.limit)
        request.state.pairs_scored = len(candidates)
        return {
            "job_code": body.job_code,
            "model": _model_ref(model),
            "count": len(ranking),
            "ranking": ranking,
            "not_found": not_found,
        }


@tracer.capture_method(capture_response=False)
def _score(
    model: LoadedModel, job: Mapping, applicant: Mapping, top: int, cv_text: str | None = None
) -> dict[str, Any]:
    return score_pair(model, job_profile_of(job), applicant_profile_of(applicant, cv_text), top)


@tracer.capture_method(capture_response=False)
def _rank(
    model: LoadedModel, job: Mapping, candidates: list[Candidate], limit: int | None
) -> list[dict[str, Any]]:
    return rank_candidates(model, job, candidates, limit)


def _job_profile(
    body: schemas.RankRequest, config: ServingConfig, lookup: ProfileLookup
) -> Mapping[str, Any]:
    if body.job is not None:
        return job_profile_of(_record(body.job))
    if body.job_code is None:
        raise ApiError(
            422, "validation_error", "give the job as a record or a job_code", "body.job"
        )
    if not lookup.configured:
        raise ApiError(
            422,
            "lookup_unavailable",
            "this server has no feature store to look the job up in: send its record",
            "body.job_code",
        )
    found = lookup.profiles(config.jobs_group, [body.job_code])
    if body.job_code not in found:
        raise ApiError(404, "job_not_found", "the feature store holds no such job", "body.job_code")
    return found[body.job_code]


@tracer.capture_method(capture_response=False)
def _candidates(
    body: schemas.RankRequest, config: ServingConfig, lookup: ProfileLookup, reader: CvFileReader
) -> tuple[list[Candidate], list[str]]:
    candidates = []
    for index, sent in enumerate(body.applicants):
        record = _record(sent.applicant)
        field = f"body.applicants[{index}].cv_file"
        cv_text = _file_text(reader, record, sent.cv_file, field)
        profile = applicant_profile_of(record, cv_text)
        candidates.append(Candidate(sent.applicant_code, profile, "request"))
    if not body.applicant_codes:
        return candidates, []
    if not lookup.configured:
        raise _no_lookups()
    found = lookup.profiles(config.applicants_group, body.applicant_codes)
    candidates += [
        Candidate(code, found[code], "feature_store")
        for code in body.applicant_codes
        if code in found
    ]
    return candidates, [code for code in body.applicant_codes if code not in found]


def _add_explain_route(app: FastAPI, holder: ModelHolder, explainer: Explainer) -> None:
    @app.post(
        "/v1/explain",
        response_model=schemas.ExplainResponse,
        responses=ERROR_RESPONSES,
        tags=["explanations"],
        openapi_extra=request_body_reference(schemas.ExplainRequest),
    )
    def explain(
        request: Request,
        body: schemas.ExplainRequest = Depends(json_body(schemas.ExplainRequest)),  # noqa: B008
    ) -> Any:
        """The score of one pair, explained in Portuguese for a recruiter.

        The explanation cites only the returned contributions, each in the direction of its
        sign: an LLM's when one is configured and its answer is grounded, else the
        deterministic template's (``generator: template``, ``fallback_reason`` says why).
        Nothing from the records but the features' values reaches the LLM or its traces.
        """
        model = holder.get()
        applicant = _record(body.applicant)
        cv_text = _file_text(request.app.state.cv_reader, applicant, body.cv_file, "body.cv_file")
        result = _score(model, _record(body.job), applicant, body.top, cv_text)
        request.state.pairs_scored = 1
        explanation = _explain(explainer, result["probability"], result["contributions"])
        return {
            "job_code": body.job_code,
            "applicant_code": body.applicant_code,
            "probability": result["probability"],
            "model": _model_ref(model),
            "contributions": [
                {"feature": f.feature, "value": f.value, "contribution": f.contribution}
                for f in explanation.factors
            ],
            "explanation": explanation.text,
            "generator": explanation.generator,
            "prompt": _prompt_ref(explanation),
            "fallback_reason": explanation.fallback_reason,
        }


@tracer.capture_method(capture_response=False)
def _explain(explainer: Explainer, probability: float, contributions: list[dict]) -> Any:
    explanation = explainer.explain(probability, factors_from_contributions(contributions))
    # What wrote it and why, never what it says (it describes an applicant).
    logger.info(
        "explanation",
        extra={
            "generator": explanation.generator,
            "fallback_reason": explanation.fallback_reason,
            "prompt_version": explanation.prompt_version,
            "prompt_source": explanation.prompt_source,
            "llm_latency_ms": round(explanation.latency_ms, 1),
            "llm_attempts": explanation.attempts,
        },
    )
    return explanation


def _prompt_ref(explanation: Any) -> dict[str, Any] | None:
    if explanation.prompt_name is None:
        return None
    return {
        "name": explanation.prompt_name,
        "version": explanation.prompt_version,
        "source": explanation.prompt_source,
    }
