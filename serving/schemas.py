"""Request and response bodies of the API, as published in its OpenAPI schema.

Records follow the Decision JSON format (``vagas.json`` / ``applicants.json`` entries). They
may be partial: every section and field is optional, unknown values read as unknown. Only the
fields the features read are typed and kept; any other field (personal data included) is
accepted and dropped at validation, never stored or logged.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

#: Longest accepted free text (a CV); the body size limit bounds the total.
MAX_TEXT_CHARS = 200_000
MAX_CODE_CHARS = 64

Text = Annotated[str | None, Field(default=None, max_length=MAX_TEXT_CHARS)]
Code = Annotated[str, Field(min_length=1, max_length=MAX_CODE_CHARS, pattern=r"^\S(.*\S)?$")]


class _Section(BaseModel):
    # Fields the features do not read are dropped at validation: they are never kept in
    # memory past parsing, and skipping them makes validating 1,000 records ~3x cheaper.
    model_config = ConfigDict(extra="ignore")


class JobBasics(_Section):
    titulo_vaga: Text


class JobProfileSection(_Section):
    estado: Text
    cidade: Text
    nivel_profissional_spaced: Text = Field(default=None, alias="nivel profissional")
    nivel_profissional: Text = Field(
        default=None, description="read when 'nivel profissional' (the published key) is empty"
    )
    nivel_academico: Text
    nivel_ingles: Text
    nivel_espanhol: Text
    areas_atuacao: Text
    principais_atividades: Text
    competencia_tecnicas_e_comportamentais: Text


class JobRecord(_Section):
    """A ``vagas.json`` entry (partial records allowed)."""

    informacoes_basicas: JobBasics | None = None
    perfil_vaga: JobProfileSection | None = None


class ApplicantBasics(_Section):
    local: Text


class ApplicantProfessional(_Section):
    titulo_profissional: Text
    area_atuacao: Text
    conhecimentos_tecnicos: Text
    nivel_profissional: Text


class ApplicantEducation(_Section):
    nivel_academico: Text
    nivel_ingles: Text
    nivel_espanhol: Text


class ApplicantRecord(_Section):
    """An ``applicants.json`` entry (partial records allowed)."""

    infos_basicas: ApplicantBasics | None = None
    informacoes_profissionais: ApplicantProfessional | None = None
    formacao_e_idiomas: ApplicantEducation | None = None
    cv_pt: Text
    cv_en: Text


class ScoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    job_code: Code | None = None
    job: JobRecord
    applicant_code: Code | None = None
    applicant: ApplicantRecord
    top: int = Field(
        default=5, ge=0, le=50, strict=True, description="how many contributions to return"
    )


class RankedApplicantInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    applicant_code: Code
    applicant: ApplicantRecord


class RankRequest(BaseModel):
    """One job (a record, or a code to look up) and the applicants to rank.

    Applicants come as records, as codes to look up in the feature store's online store, or
    both: at most ``max_rank_applicants`` in all (``GET /v1/model`` shows it; 1,000 unless the
    server sets ``MATCH_MAX_RANK_APPLICANTS``). The job is ``job`` when given, else ``job_code``
    is looked up; one of the two is required.
    """

    model_config = ConfigDict(extra="forbid")

    job_code: Code | None = None
    job: JobRecord | None = None
    applicants: list[RankedApplicantInput] = Field(
        default_factory=list, description="records to score (codes unique across both lists)"
    )
    applicant_codes: list[Code] = Field(
        default_factory=list,
        description="codes to look up in the online store (unique; at least one applicant in all)",
        json_schema_extra={"uniqueItems": True},
    )
    limit: int | None = Field(default=None, ge=1, strict=True, description="return only the best N")


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
