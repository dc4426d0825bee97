"""The documented signal, on hand-made inputs."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from datagen import signal as sig
from datagen.vocab import SKILLS


def _job(requirements: str, level: str, english: str, areas: str, state: str) -> dict:
    return {
        "perfil_vaga": {
            "competencia_tecnicas_e_comportamentais": requirements,
            "nivel profissional": level,
            "nivel_ingles": english,
            "areas_atuacao": areas,
            "estado": state,
        }
    }


def _applicant(known: str, level: str, english: str, area: str, local: str) -> dict:
    return {
        "infos_basicas": {"local": local},
        "informacoes_profissionais": {
            "conhecimentos_tecnicos": known,
            "nivel_profissional": level,
            "area_atuacao": area,
        },
        "formacao_e_idiomas": {"nivel_ingles": english},
    }


def test_find_skills_matches_whole_tokens_only() -> None:
    assert sig.find_skills("JavaScript e PostgreSQL no GitHub") == {"javascript", "postgresql"}
    assert sig.find_skills("asp.net, node.js, mysql, excelente") == set()
    assert sig.find_skills("Java/SQL; C#, .NET (avançado) e git.") == {
        "java",
        "sql",
        "c#",
        ".net",
        "git",
    }


def test_find_skills_collapses_line_breaks_inside_multiword_skills() -> None:
    assert sig.find_skills("Power\nBI e machine   learning") == {"power bi", "machine learning"}


def test_find_skills_finds_every_vocabulary_form() -> None:
    assert sig.find_skills(", ".join(SKILLS)) == set(SKILLS)
    assert sig.find_skills("") == frozenset()


def test_skill_coverage_is_share_of_required_skills_shown() -> None:
    assert sig.skill_coverage({"python", "sql", "aws", "git"}, {"python", "git", "excel"}) == 0.5
    assert sig.skill_coverage({"python"}, set()) == 0.0
    assert sig.skill_coverage(set(), {"python"}) == 0.0


def test_level_gap_is_distance_on_the_four_level_scale() -> None:
    assert sig.level_gap("Júnior", "Sênior") == 2
    assert sig.level_gap("Especialista", "Júnior") == 3
    assert sig.level_gap("Pleno", "Pleno") == 0
    assert sig.level_gap("senior", "SÊNIOR") == 0


def test_level_gap_with_empty_or_unknown_side_is_one() -> None:
    assert sig.level_gap("", "Sênior") == 1
    assert sig.level_gap("Especialista", "") == 1
    assert sig.level_gap("", "") == 1
    assert sig.level_gap("Analista", "Júnior") == 1
    assert sig.level_gap("Júnior", "Gerente") == 1


def test_english_ok_when_applicant_rank_reaches_job_rank() -> None:
    assert sig.english_ok("Fluente", "Avançado") == 1
    assert sig.english_ok("Intermediário", "Intermediário") == 1
    assert sig.english_ok("Básico", "Avançado") == 0
    assert sig.english_ok("", "Básico") == 0


def test_english_ok_with_empty_job_requirement_is_one() -> None:
    assert sig.english_ok("", "") == 1
    assert sig.english_ok("Nenhum", "") == 1
    assert sig.english_ok("", "Nenhum") == 1


def test_area_match_when_applicant_area_is_one_of_the_job_areas() -> None:
    job_areas = "TI - SAP, TI - Projetos"
    assert sig.area_match("TI - Projetos", job_areas) == 1
    assert sig.area_match("TI - SAP", "TI - SAP-") == 1
    assert sig.area_match("TI - Infraestrutura", job_areas) == 0
    assert sig.area_match("", job_areas) == 0
    assert sig.area_match("TI - SAP", "") == 0


def test_same_state_reads_the_state_after_the_last_comma_of_local() -> None:
    assert sig.state_of_local("Campinas, São Paulo") == "São Paulo"
    assert sig.same_state("Campinas, São Paulo", "São Paulo") == 1
    assert sig.same_state("Niterói, Rio de Janeiro", "São Paulo") == 0
    assert sig.same_state("", "São Paulo") == 0
    assert sig.same_state("Curitiba, Paraná", "") == 0


def test_linear_score_uses_the_documented_weights() -> None:
    best = sig.SignalTerms(
        skill_coverage=1.0, level_gap=0, english_ok=1, area_match=1, same_state=1
    )
    worst = sig.SignalTerms(
        skill_coverage=0.0, level_gap=3, english_ok=0, area_match=0, same_state=0
    )
    assert sig.linear_score(best) == pytest.approx(3.5 + 0.7 + 0.8 + 0.5)
    assert sig.linear_score(worst) == pytest.approx(-2.1)


def test_signal_terms_read_the_raw_record_fields() -> None:
    job = _job(
        "Requisitos:\n- Python;\n- SQL e AWS;\n- Git",
        "Sênior",
        "Avançado",
        "TI - Desenvolvimento/Programação, TI - Projetos",
        "São Paulo",
    )
    applicant = _applicant(
        "Python, Excel", "Pleno", "Fluente", "TI - Projetos", "Campinas, São Paulo"
    )
    shown = sig.applicant_shown_skills(applicant, "experiência com git e docker")
    assert shown == {"python", "excel", "git", "docker"}
    terms = sig.signal_terms(job, applicant, shown)
    assert terms == sig.SignalTerms(0.5, 1, 1, 1, 1)


def test_unreadable_cv_adds_no_skills() -> None:
    applicant = _applicant("", "Pleno", "", "", "")
    assert sig.applicant_shown_skills(applicant, "") == frozenset()


def test_signal_functions_do_not_change_their_inputs() -> None:
    job = _job("Python e SQL", "Júnior", "", "TI - SAP", "Paraná")
    applicant = _applicant("SQL", "", "Básico", "TI - SAP", "Curitiba, Paraná")
    before = copy.deepcopy((job, applicant))
    first = sig.signal_terms(job, applicant, sig.applicant_shown_skills(applicant, "python"))
    second = sig.signal_terms(job, applicant, sig.applicant_shown_skills(applicant, "python"))
    assert first == second == sig.SignalTerms(1.0, 1, 1, 1, 1)
    assert (job, applicant) == before


def test_calibrate_intercept_hits_the_target_mean_probability() -> None:
    scores = np.random.default_rng(0).normal(0.0, 1.5, size=2000)
    b = sig.calibrate_intercept(scores, target=0.12)
    assert float(sig.sigmoid(b + scores).mean()) == pytest.approx(0.12, abs=1e-9)
    assert sig.calibrate_intercept(scores, target=0.12) == b


def test_calibrate_intercept_of_constant_scores_is_the_logit() -> None:
    b = sig.calibrate_intercept(np.zeros(10), target=0.12)
    assert b == pytest.approx(math.log(0.12 / 0.88), abs=1e-9)
