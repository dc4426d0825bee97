"""Request and response bodies of the API, as published in its OpenAPI schema.

Records follow the Decision JSON format (``vagas.json`` / ``applicants.json`` entries). They
may be partial: every section and field is optional, unknown values read as unknown. Only the
fields the features read are typed and kept, and they come from the one table that also
validates raw records in the Preprocess step (``features.schema``): a value the step accepts
the API accepts, and the other way round. The applicant's dates (``APPLICANT_DATE_FIELDS``) are
kept too: the CV's date closes its open periods ("2019 - atual"), so experience is counted to
it; a date that is not text reads as unknown, as in the step. Any other field (personal data)
is accepted and dropped at validation, never stored or logged.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, create_model

from features.schema import (
    APPLICANT_DATE_FIELDS,
    APPLICANT_SECTIONS,
    APPLICANT_TOP_LEVEL_TEXT,
    JOB_SECTIONS,
)
from serving.config import DEFAULT_MAX_RANK_APPLICANTS

#: Longest accepted free text (a CV); the body size limit bounds the total.
MAX_TEXT_CHARS = 200_000
MAX_CODE_CHARS = 64

Text = Annotated[str | None, Field(default=None, max_length=MAX_TEXT_CHARS)]
MAX_DATE_CHARS = 64


def _date_or_unknown(value: object) -> str | None:
    # What the step reads as unknown (not text, or too long to be a date) is unknown here too.
    return value if isinstance(value, str) and len(value) <= MAX_DATE_CHARS else None


#: A date read as the step reads it: anything but a date's text is unknown, never a 422. The
#: OpenAPI document says so (any value), so that accepting ``{}`` conforms to it.
LenientDate = Annotated[
    Any,
    BeforeValidator(_date_or_unknown),
    WithJsonSchema({"description": "dd-mm-yyyy[ HH:MM[:SS]]; any other value reads as unknown"}),
    Field(default=None),
]
Code = Annotated[str, Field(min_length=1, max_length=MAX_CODE_CHARS, pattern=r"^\S(.*\S)?$")]


class _Section(BaseModel):
    # Fields the features do not read are dropped at validation: they are never kept in
    # memory past parsing, and skipping them makes validating 1,000 records ~3x cheaper.
    model_config = ConfigDict(extra="ignore")


def _attribute(key: str) -> str:
    # Decision keys may hold spaces ("nivel profissional" beside "nivel_profissional"); the
    # attribute only has to be unique, the alias is the key the client sends.
    return key.replace(" ", "__")


def _text_fields(keys: tuple[str, ...]) -> dict[str, Any]:
    return {_attribute(key): (Text, Field(default=None, alias=key)) for key in keys}


def _date_fields(keys: list[str]) -> dict[str, Any]:
    return {_attribute(key): (LenientDate, Field(default=None, alias=key)) for key in keys}


def _record_model(
    name: str,
    doc: str,
    sections: Mapping[str, tuple[str, ...]],
    section_names: Mapping[str, str],
    top_level_text: tuple[str, ...] = (),
    dates: Mapping[str, str] | None = None,
) -> type[_Section]:
    """A record model: one optional section model per section, then top-level text fields.

    ``dates`` maps a date field to its section: kept, and read leniently (``LenientDate``).
    """
    fields: dict[str, Any] = {}
    for section, keys in sections.items():
        section_dates = [key for key, where in (dates or {}).items() if where == section]
        model = create_model(
            section_names.get(section, section),
            __base__=_Section,
            **_text_fields(keys),
            **_date_fields(section_dates),
        )
        fields[section] = (model | None, None)
    fields.update(_text_fields(top_level_text))
    return create_model(name, __base__=_Section, __doc__=doc, **fields)


JobRecord = _record_model(
    "JobRecord",
    "A ``vagas.json`` entry (partial records allowed).",
    JOB_SECTIONS,
    {"informacoes_basicas": "JobBasics", "perfil_vaga": "JobProfileSection"},
)
ApplicantRecord = _record_model(
    "ApplicantRecord",
    "An ``applicants.json`` entry (partial records allowed).",
    APPLICANT_SECTIONS,
    {
        "infos_basicas": "ApplicantBasics",
        "informacoes_profissionais": "ApplicantProfessional",
        "formacao_e_idiomas": "ApplicantEducation",
    },
    APPLICANT_TOP_LEVEL_TEXT,
    APPLICANT_DATE_FIELDS,
)


#: A CV file's largest size: base64 (4/3 of it) and the JSON around it stay within Lambda's
#: 6 MB request payload and the server's body limit.
MAX_CV_FILE_BYTES = 4_000_000
MAX_CV_FILE_BASE64_CHARS = -(-MAX_CV_FILE_BYTES // 3) * 4
# Extensions spelt out letter by letter: JSON Schema's (ECMA) patterns have no flag for case.
_EXTENSIONS = "|".join(
    "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in extension)
    for extension in ("pdf", "docx", "png", "jp(e)?g", "tif(f)?")
)
CV_FILE_NAME = rf"^[^/\\]{{1,200}}\.({_EXTENSIONS})$"


def _decode_base64(value: object) -> bytes:
    if not isinstance(value, str):
        raise ValueError("must be a base64 string")
    if len(value) > MAX_CV_FILE_BASE64_CHARS:
        raise ValueError(f"the file is larger than {MAX_CV_FILE_BYTES} bytes")
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("is not valid base64") from None
    if not data:
        raise ValueError("the file is empty")
    return data


FileContent = Annotated[
    bytes,
    BeforeValidator(_decode_base64),
    WithJsonSchema(
        {
            "type": "string",
            "contentEncoding": "base64",
            "maxLength": MAX_CV_FILE_BASE64_CHARS,
            "description": f"the file's bytes in base64, at most {MAX_CV_FILE_BYTES} bytes",
        }
    ),
]


class CvFile(BaseModel):
    """The applicant's CV as a file: its text is read as the pipeline reads CV files (text
    layer first, OCR for scanned pages), and used when the record's ``cv_pt`` is empty."""

    model_config = ConfigDict(extra="forbid")

    filename: str = Field(
        pattern=CV_FILE_NAME, description="the file's name; its extension says the format"
    )
    content_base64: FileContent


class ScoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    job_code: Code | None = None
    job: JobRecord  # type: ignore[valid-type]
    applicant_code: Code | None = None
    applicant: ApplicantRecord  # type: ignore[valid-type]
    cv_file: CvFile | None = None
    top: int = Field(
        default=5, ge=0, le=50, strict=True, description="how many contributions to return"
    )


class RankedApplicantInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    applicant_code: Code
    applicant: ApplicantRecord  # type: ignore[valid-type]
    cv_file: CvFile | None = None


APPLICANTS_DESCRIPTION = "records to score (codes unique across both lists)"
CODES_DESCRIPTION = "codes to look up in the online store (unique; at least one applicant in all)"


class RankRequest(BaseModel):
    """One job (a record, or a code to look up) and the applicants to rank.

    Applicants come as records, as codes to look up in the feature store's online store, or
    both: at most ``max_rank_applicants`` in all (``GET /v1/model`` shows it; 1,000 unless the
    server sets ``MATCH_MAX_RANK_APPLICANTS``). The job is ``job`` when given, else ``job_code``
    is looked up; one of the two is required.
    """

    model_config = ConfigDict(extra="forbid")

    job_code: Code | None = None
    job: JobRecord | None = None  # type: ignore[valid-type]
    # The lengths are checked before any item is validated: an oversized list costs one error.
    applicants: list[RankedApplicantInput] = Field(
        default_factory=list,
        max_length=DEFAULT_MAX_RANK_APPLICANTS,
        description=APPLICANTS_DESCRIPTION,
    )
    applicant_codes: list[Code] = Field(
        default_factory=list,
        max_length=DEFAULT_MAX_RANK_APPLICANTS,
        description=CODES_DESCRIPTION,
        json_schema_extra={"uniqueItems": True},
    )
    limit: int | None = Field(default=None, ge=1, strict=True, description="return only the best N")


def rank_request_model(max_applicants: int) -> type[RankRequest]:
    """``RankRequest`` with both lists limited to ``max_applicants`` (the server's setting)."""
    if max_applicants == DEFAULT_MAX_RANK_APPLICANTS:
        return RankRequest
    limited: dict[str, Any] = {
        "applicants": (
            list[RankedApplicantInput],
            Field(
                default_factory=list, max_length=max_applicants, description=APPLICANTS_DESCRIPTION
            ),
        ),
        "applicant_codes": (
            list[Code],
            Field(
                default_factory=list,
                max_length=max_applicants,
                description=CODES_DESCRIPTION,
                json_schema_extra={"uniqueItems": True},
            ),
        ),
    }
    return create_model("RankRequest", __base__=RankRequest, __doc__=RankRequest.__doc__, **limited)


class ModelRef(BaseModel):
    name: str
    version: str


class Contribution(BaseModel):
    feature: str
    value: float | None = Field(description="the feature's value; null when unknown")
    contribution: float = Field(description="SHAP contribution, in log-odds")


class ScoreResponse(BaseModel):
    job_code: str | None
    applicant_code: str | None
    probability: float
    model: ModelRef
    base_value: float = Field(description="the model's expected log-odds before contributions")
    contributions: list[Contribution] = Field(description="largest absolute contributions first")
    features: dict[str, float | None]


class RankedApplicant(BaseModel):
    rank: int
    applicant_code: str
    probability: float
    source: str = Field(description="'request' (a record sent) or 'feature_store' (looked up)")


class RankResponse(BaseModel):
    job_code: str | None
    model: ModelRef
    count: int
    ranking: list[RankedApplicant]
    not_found: list[str] = Field(description="applicant codes the feature store does not hold")


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = Field(default=None, description="where in the request, e.g. body.job")
    details: list[dict[str, Any]] = Field(default_factory=list)


class ErrorResponse(BaseModel):
    error: ErrorDetail


class HealthResponse(BaseModel):
    status: str
    model: ModelRef | None = None
    error: ErrorDetail | None = None


class ModelInfo(BaseModel):
    name: str
    version: str
    trained_at: str | None
    best_iteration: int | None
    data_version: str | None
    code_version: str | None
    approval_status: str | None
    metrics: dict[str, dict[str, float]]
    feature_names: list[str]
    max_rank_applicants: int


class ExplainRequest(ScoreRequest):
    """The body of ``/v1/score``; ``top`` is how many contributions the explanation may cite."""

    top: int = Field(
        default=5,
        ge=1,
        le=10,
        strict=True,
        description="how many contributions to return and explain (1-10)",
    )


class PromptRef(BaseModel):
    name: str
    version: int = Field(description="Langfuse's version; 0 for the copy kept in the repository")
    source: str = Field(description="'langfuse' or 'repository'")


class ExplainResponse(BaseModel):
    job_code: str | None
    applicant_code: str | None
    probability: float
    model: ModelRef
    contributions: list[Contribution] = Field(
        description="the contributions the explanation is grounded in (non-zero, largest first)"
    )
    explanation: str = Field(description="a few sentences in Portuguese (pt-BR) for a recruiter")
    generator: str = Field(
        description="what wrote the explanation: the LLM's model id or 'template'"
    )
    prompt: PromptRef | None = Field(
        description="the prompt the LLM was given; null when no LLM was asked"
    )
    fallback_reason: str | None = Field(
        description=(
            "why the template replaced the LLM's answer: 'timeout', 'throttled', 'llm_error', "
            "'invalid_answer' (not grounded in the contributions) or 'no_factors'; null when "
            "the LLM's answer is used or no LLM is configured"
        )
    )
