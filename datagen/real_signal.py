"""The real profile's hire signal: where it can live in real records.

    z = intercept + 2.8 * skill_coverage + 1.2 * domain_fit - 0.6 * seniority_gap
        + 0.4 * clt + 0.6 * hunting - 0.3 * management
    p = sigmoid(z)

- ``skill_coverage``: share of the skills named anywhere in the job's text (title, activities,
  competencies) that the applicant's readable CV or ``conhecimentos_tecnicos`` names; 0 when
  the job names none.
- ``domain_fit``: 1 when the applicant's career is in the job's profile (the CV's domain
  phrases and role titles say so), 0.5 in the same area, else 0.
- ``seniority_gap``: |the applicant's seniority (0 júnior ... 4 coordenação), shown by the CV's
  role titles and dated experience - the job level's (``real_vocab.JOB_SENIORITY``)|.
- job effects, read from the job record: ``clt`` (the contract type includes "CLT Full"),
  ``hunting`` (it includes "Hunting"), ``management`` (a coordinator or manager position).
- An applicant whose CV cannot be read (none, corrupt) shows no skills, no domain
  and a seniority gap of 1: the truth uses only what the pipeline can see (a scan is read by
  OCR, so its text counts).

The intercept is calibrated so that 26% of labelled applications are hires (the published
rate among applications with a final status).
"""

from __future__ import annotations

from dataclasses import dataclass

from datagen import real_vocab as rv
from datagen import signal as sig
from datagen.real_records import Career
from datagen.vocab import PROFILES

W_COVERAGE = 2.8
W_DOMAIN = 1.2
W_SENIORITY_GAP = -0.6
W_CLT = 0.4
W_HUNTING = 0.6
W_MANAGEMENT = -0.3
TARGET_HIRE_RATE = 0.26
UNKNOWN_GAP = 1


@dataclass(frozen=True)
class RealTerms:
    skill_coverage: float
    domain_fit: float
    seniority_gap: int
    clt: int
    hunting: int
    management: int


def job_text_skills(job: dict) -> frozenset[str]:
    """Skills named in the job's title, activities and competencies."""
    perfil = job["perfil_vaga"]
    text = " ".join(
        (
            job["informacoes_basicas"]["titulo_vaga"],
            perfil["principais_atividades"],
            perfil["competencia_tecnicas_e_comportamentais"],
        )
    )
    return sig.find_skills(text)


def domain_fit(job_profile: str, career: Career) -> float:
    if career.profile is None:
        return 0.0
    if career.profile == job_profile:
        return 1.0
    same_area = PROFILES[career.profile]["area"] == PROFILES[job_profile]["area"]
    return 0.5 if same_area else 0.0


def terms(
    job: dict, job_profile: str, applicant: dict, career: Career, readable_cv: str
) -> RealTerms:
    """The signal's inputs for one (job, applicant) pair."""
    basic, perfil = job["informacoes_basicas"], job["perfil_vaga"]
    level = rv.JOB_SENIORITY.get(perfil["nivel profissional"], 1)
    contract = basic["tipo_contratacao"]
    readable = bool(readable_cv.strip())
    shown = sig.applicant_shown_skills(applicant, readable_cv)
    return RealTerms(
        skill_coverage=sig.skill_coverage(job_text_skills(job), shown),
        domain_fit=domain_fit(job_profile, career) if readable else 0.0,
        seniority_gap=abs(career.seniority - level) if readable else UNKNOWN_GAP,
        clt=int("CLT Full" in contract),
        hunting=int("Hunting" in contract),
        management=int(level == 4),
    )


def linear_score(t: RealTerms) -> float:
    """The signal without its intercept."""
    return (
        W_COVERAGE * t.skill_coverage
        + W_DOMAIN * t.domain_fit
        + W_SENIORITY_GAP * t.seniority_gap
        + W_CLT * t.clt
        + W_HUNTING * t.hunting
        + W_MANAGEMENT * t.management
    )
