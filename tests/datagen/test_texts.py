"""Skills enter the data only where the generator puts them."""

from __future__ import annotations

import numpy as np
import pytest

from datagen import texts
from datagen.people import fake_company, fake_email, fake_name
from datagen.records import build_applicant, build_job
from datagen.signal import find_skills
from datagen.vocab import FILLER_POOLS, PROFILE_NAMES, PROFILES, SKILL_DISPLAY, SKILLS


def _skill_substrings(text: str) -> list[str]:
    low = text.lower()
    return [s for s in SKILLS if s in low]


def test_filler_word_lists_contain_no_skill_even_as_substring() -> None:
    leaks = {
        name: [(item, _skill_substrings(item)) for item in pool if _skill_substrings(item)]
        for name, pool in FILLER_POOLS.items()
    }
    assert {k: v for k, v in leaks.items() if v} == {}


def test_every_skill_belongs_to_a_profile_and_displays_as_its_surface_form() -> None:
    in_profiles = {s for p in PROFILES.values() for s in p["skills"]}
    assert in_profiles == set(SKILLS)
    assert {k: v.lower() for k, v in SKILL_DISPLAY.items()} == {s: s for s in SKILLS}


@pytest.mark.parametrize("seed", range(30))
def test_texts_without_skills_contain_no_skill(seed: int) -> None:
    rng = np.random.default_rng(seed)
    name = fake_name(rng)
    parts = [
        texts.job_requirements_text(rng, [], "pt"),
        texts.job_requirements_text(rng, [], "en"),
        texts.job_activities_text(rng, [], "pt"),
        texts.job_activities_text(rng, [], "en"),
        texts.cv_en_text(rng, name=name, skills=[]),
        texts.cv_text(
            rng, name=name, city="Campinas", state_code="SP", email=fake_email(rng, name),
            phone="(11) 90000-0001", objective="Busco novos desafios profissionais", skills=[],
            companies=[fake_company(rng), fake_company(rng)], course="Matemática",
            institution="Universidade Paulista", graduation_year=2010, english="Básico",
            spanish="",
        ),
    ]  # fmt: skip
    assert [_skill_substrings(p) for p in parts] == [[]] * len(parts)


@pytest.mark.parametrize("seed", range(30))
def test_texts_mention_exactly_the_given_skills(seed: int) -> None:
    rng = np.random.default_rng(seed)
    skills = [SKILLS[i] for i in rng.permutation(len(SKILLS))[: int(rng.integers(1, 7))]]
    for lang in ("pt", "en"):
        assert find_skills(texts.job_requirements_text(rng, skills, lang)) == set(skills)
        assert find_skills(texts.job_activities_text(rng, skills, lang)) == set(skills)
    assert find_skills(texts.skills_list_text(rng, skills)) == set(skills)
    assert find_skills(texts.cv_en_text(rng, name="Ana Lima", skills=skills)) == set(skills)


@pytest.mark.parametrize("seed", range(10))
def test_built_records_have_skills_only_in_skill_fields(seed: int) -> None:
    rng = np.random.default_rng(seed)
    staff = ["Ana Lima", "Paulo Costa"]
    for profile in PROFILE_NAMES:
        job = build_job(rng, profile, staff)
        perfil = job["perfil_vaga"]
        required = find_skills(perfil["competencia_tecnicas_e_comportamentais"])
        assert 3 <= len(required) <= 6
        assert find_skills(perfil["principais_atividades"]) <= required
        skill_or_area = (
            "competencia_tecnicas_e_comportamentais",
            "principais_atividades",
            "areas_atuacao",
        )  # "TI - SAP" names a skill; areas are no skill source
        other = {k: v for k, v in perfil.items() if k not in skill_or_area}
        rest = [job["informacoes_basicas"], other, job["beneficios"]]
        assert find_skills(str(rest)) == set()
        draft = build_applicant(rng, "31001", profile, staff)
        record = draft.record
        prof = dict(record["informacoes_profissionais"], conhecimentos_tecnicos="", area_atuacao="")
        rest = [
            record["infos_basicas"],
            record["informacoes_pessoais"],
            prof,
            record["formacao_e_idiomas"],
            record["cargo_atual"],
        ]
        assert find_skills(str(rest)) == set()
        assert find_skills(record["cv_en"]) <= find_skills(record["cv_pt"])
        assert find_skills(draft.cv_text) == find_skills(record["cv_pt"])
