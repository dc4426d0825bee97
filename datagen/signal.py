"""The generator's hire signal, exactly as documented in ``docs/data-contracts.md``.

    z = intercept + 3.5 * skill_coverage - 0.7 * level_gap + 0.7 * english_ok
        + 0.8 * area_match + 0.5 * same_state
    p = sigmoid(z)

Every function here is pure and reads the raw record fields (strings), so the truth is computed
from the very data the pipeline will see. Rules for the cases the contract leaves open:

- Skills are found in lower-cased text with runs of whitespace collapsed to one space (a PDF may
  wrap "power bi" over two lines), as whole tokens: a surface form must not be preceded by a
  letter, digit, "_", "#", "." or "+" nor followed by a letter, digit, "_", "#" or "+". So "java"
  is not found in "javascript", "sql" not in "postgresql", "git" not in "github".
- ``skill_coverage`` is 0 when the job names no skill.
- ``level_gap``: a level outside Júnior/Pleno/Sênior/Especialista ("Analista", "Gerente", ...)
  counts like an empty one (gap 1). Matching ignores case and accents.
- ``english_ok``: an empty or unknown level counts as "Nenhum" (0) on both sides.
- ``area_match``: the job's ``areas_atuacao`` may hold several areas joined by ", " (a trailing
  "-" on an area is ignored); the applicant's ``area_atuacao`` must equal one of them.
- ``same_state``: the state is the text after the last ", " of ``local``; an empty side never
  matches.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from datagen.vocab import LANGUAGE_ORDER, LEVEL_ORDER, SKILLS

W_COVERAGE = 3.5
W_LEVEL_GAP = -0.7
W_ENGLISH = 0.7
W_AREA = 0.8
W_STATE = 0.5

#: Share of labelled applications that are hires.
TARGET_HIRE_RATE = 0.12

_SKILL_PATTERN = re.compile(
    r"(?<![\w#.+])("
    + "|".join(re.escape(s) for s in sorted(SKILLS, key=lambda s: (-len(s), s)))
    + r")(?![\w#+])"
)
_SPACES = re.compile(r"\s+")


def _fold(text: str) -> str:
    """Lower-case, strip accents and surrounding space: "Sênior " -> "senior"."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_LEVELS = {_fold(k): v for k, v in LEVEL_ORDER.items()}
_LANGUAGES = {_fold(k): v for k, v in LANGUAGE_ORDER.items()}


def find_skills(text: str) -> frozenset[str]:
    """Skills of the vocabulary that ``text`` mentions (see the module docstring for the rule)."""
    if not text:
        return frozenset()
    normalised = _SPACES.sub(" ", text.lower())
    return frozenset(m.group(1) for m in _SKILL_PATTERN.finditer(normalised))


def skill_coverage(required: Iterable[str], shown: Iterable[str]) -> float:
    """Share of ``required`` skills found in ``shown``; 0.0 when nothing is required."""
    req = set(required)
    if not req:
        return 0.0
    return len(req & set(shown)) / len(req)


def level_rank(level: str) -> int | None:
    """Ordinal of a professional level (Júnior=0 ... Especialista=3), None when not on the scale."""
    return _LEVELS.get(_fold(level or ""))


def level_gap(applicant_level: str, job_level: str) -> int:
    """``|rank(applicant) - rank(job)|``, or 1 when either side is empty or off the scale."""
    a, j = level_rank(applicant_level), level_rank(job_level)
    if a is None or j is None:
        return 1
    return abs(a - j)


def english_rank(level: str) -> int:
    """Nenhum=0, Básico=1, Intermediário=2, Avançado=3, Fluente=4; empty or unknown = 0."""
    return _LANGUAGES.get(_fold(level or ""), 0)


def english_ok(applicant_level: str, job_level: str) -> int:
    """1 when the applicant's English rank is at least the job's, else 0."""
    return int(english_rank(applicant_level) >= english_rank(job_level))


def split_areas(areas: str) -> list[str]:
    """The areas of a job's ``areas_atuacao`` ("A, B" or "A-, B-"), folded for comparison."""
    parts = (_fold(p).rstrip("-").strip() for p in (areas or "").split(", "))
    return [p for p in parts if p]


def area_match(applicant_area: str, job_areas: str) -> int:
    """1 when the applicant's ``area_atuacao`` is one of the job's ``areas_atuacao``."""
    area = _fold(applicant_area or "").rstrip("-").strip()
    return int(bool(area) and area in split_areas(job_areas))


def state_of_local(local: str) -> str:
    """The state of a ``local`` such as "Campinas, São Paulo" ("" when there is none)."""
    if not local or ", " not in local:
        return ""
    return local.rsplit(", ", 1)[1].strip()


def same_state(applicant_local: str, job_state: str) -> int:
    """1 when the state in the applicant's ``local`` equals the job's ``estado``."""
    a, j = _fold(state_of_local(applicant_local)), _fold(job_state or "")
    return int(bool(a) and a == j)


@dataclass(frozen=True)
class SignalTerms:
    """The five inputs of the signal for one (job, applicant) pair."""

    skill_coverage: float
    level_gap: int
    english_ok: int
    area_match: int
    same_state: int


def linear_score(t: SignalTerms) -> float:
    """The signal without its intercept."""
    return (
        W_COVERAGE * t.skill_coverage
        + W_LEVEL_GAP * t.level_gap
        + W_ENGLISH * t.english_ok
        + W_AREA * t.area_match
        + W_STATE * t.same_state
    )


def job_required_skills(job: dict) -> frozenset[str]:
    """Skills a job record requires: those in ``competencia_tecnicas_e_comportamentais``."""
    return find_skills(job["perfil_vaga"]["competencia_tecnicas_e_comportamentais"])


def applicant_shown_skills(applicant: dict, readable_cv_text: str) -> frozenset[str]:
    """Skills an applicant record shows: ``conhecimentos_tecnicos`` plus the readable CV text.

    ``readable_cv_text`` is the JSON ``cv_pt`` or the text of a PDF with a text layer or a DOCX;
    pass "" for a corrupt CV file (a scan is read by OCR).
    """
    known = applicant["informacoes_profissionais"]["conhecimentos_tecnicos"]
    return find_skills(known) | find_skills(readable_cv_text)


def signal_terms(job: dict, applicant: dict, shown_skills: Iterable[str]) -> SignalTerms:
    """The signal's inputs for a job record and an applicant record (raw Decision format)."""
    perfil = job["perfil_vaga"]
    prof = applicant["informacoes_profissionais"]
    return SignalTerms(
        skill_coverage=skill_coverage(job_required_skills(job), shown_skills),
        level_gap=level_gap(prof["nivel_profissional"], perfil["nivel profissional"]),
        english_ok=english_ok(
            applicant["formacao_e_idiomas"]["nivel_ingles"], perfil["nivel_ingles"]
        ),
        area_match=area_match(prof["area_atuacao"], perfil["areas_atuacao"]),
        same_state=same_state(applicant["infos_basicas"]["local"], perfil["estado"]),
    )


def sigmoid(z: np.ndarray | float) -> np.ndarray:
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def calibrate_intercept(
    scores: np.ndarray, target: float = TARGET_HIRE_RATE, iterations: int = 200
) -> float:
    """The intercept b with mean(sigmoid(b + scores)) == target, by bisection (deterministic)."""
    if not 0.0 < target < 1.0:
        raise ValueError(f"target must be in (0, 1), got {target}")
    s = np.asarray(scores, dtype=float)
    if s.size == 0:
        return math.log(target / (1.0 - target))
    lo, hi = -50.0 - float(s.max()), 50.0 - float(s.min())
    for _ in range(iterations):
        mid = (lo + hi) / 2.0
        if float(sigmoid(mid + s).mean()) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2.0
