"""Record builders of the real profile: jobs with every field filled, CVs that say it all.

A real-profile job starts as a rich-profile job (``records.build_job``) and takes the published
value shares, domain phrases in its texts, skills in its title and activities as well as its
competencies (which are sometimes the activities again, sometimes a placeholder), and the
optional keys. A real-profile applicant keeps the personal data of ``records.build_applicant``
but leaves the structured fields empty at the published rates and writes a long, lower-cased
``cv_pt``: address and postcode, objective, summary of qualifications, experience with dates,
education, courses, languages. Its seniority shows in the role titles and the dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from datagen import real_vocab as rv
from datagen import records, texts
from datagen.draw import chance, fmt_date, pick, pick_weighted, random_date, sample
from datagen.people import fake_company
from datagen.vocab import PROFILES, SKILL_DISPLAY, STATE_CODES

#: Share of applicants whose structured fields are all empty (the published 83-84%).
BARE_APPLICANT_SHARE = 0.835
#: Among the others, share that lists technical knowledge (95% empty overall).
KNOWLEDGE_SHARE = 0.30
#: Applicants without any CV text (0.6%).
NO_CV_SHARE = 0.006
#: How wordy a CV is (log-normal): the published median is about 2,700 characters, the longest
#: about 26,000.
VERBOSITY_MU, VERBOSITY_SIGMA, MAX_VERBOSITY = 0.58, 0.62, 4.0
#: Share of CVs with a list of projects.
PROJECTS_SHARE = 0.35


def _domain(rng: np.random.Generator, profile: str, k: int) -> list[str]:
    return sample(rng, rv.DOMAIN_PHRASES[profile], k)


def _titled(rng: np.random.Generator, title: str, skills: Sequence[str], level: str) -> str:
    """A job title, sometimes naming a skill ("Consultor SAP") or its level."""
    if skills and chance(rng, 0.4):
        title = f"{title} {SKILL_DISPLAY[pick(rng, skills)]}"
    if level in ("Júnior", "Pleno", "Sênior") and chance(rng, 0.3):
        title = f"{title} {level}"
    return title


def _activities(rng: np.random.Generator, profile: str, skills: Sequence[str]) -> str:
    """``principais_atividades``: tasks of the domain, naming some of the job's skills."""
    named = sample(rng, skills, int(rng.integers(1, max(2, len(skills)))))
    lines = [
        pick(rng, ("Desenvolvimento e manutenção de soluções com {}", "Atuar em projetos de {}",
                   "Suporte e evolução de ambientes com {}")).format(SKILL_DISPLAY[s])
        for s in named
    ]  # fmt: skip
    lines += [
        pick(rng, ("Atuar com {}", "Responsável por {}", "Apoiar o time em {}")).format(phrase)
        for phrase in _domain(rng, profile, int(rng.integers(2, 4)))
    ]
    order = rng.permutation(len(lines))
    return "\n".join("- " + lines[int(i)] + ";" for i in order)


def _competencies(
    rng: np.random.Generator, profile: str, skills: Sequence[str], activities: str
) -> str:
    """Often the activities again, sometimes a placeholder, else requirements of their own."""
    u = float(rng.random())
    if u < 0.30:
        return activities
    if u < 0.38:
        return pick(rng, rv.PLACEHOLDERS)
    requirements = texts.job_requirements_text(rng, list(skills), "pt")
    domain = ", ".join(_domain(rng, profile, 2))
    return f"{requirements}\nDesejável vivência em {domain}."


def build_job(rng: np.random.Generator, profile: str, staff: Sequence[str]) -> dict:
    """One ``vagas.json`` value of the real profile."""
    job = records.build_job(rng, profile, staff)
    basic, perfil = job["informacoes_basicas"], job["perfil_vaga"]
    level = pick_weighted(rng, rv.JOB_LEVELS)
    skills = records.job_skills(rng, profile)
    activities = _activities(rng, profile, skills)
    basic["titulo_vaga"] = _titled(rng, pick(rng, PROFILES[profile]["titles"]), skills, level)
    basic["tipo_contratacao"] = pick_weighted(rng, rv.CONTRACT_TYPES)
    perfil.update(
        {
            "nivel profissional": level,
            "nivel_academico": pick_weighted(rng, rv.JOB_ACADEMIC),
            "nivel_ingles": pick_weighted(rng, rv.JOB_ENGLISH),
            "nivel_espanhol": pick_weighted(rng, rv.JOB_SPANISH),
            "principais_atividades": activities,
            "competencia_tecnicas_e_comportamentais": _competencies(
                rng, profile, skills, activities
            ),
        }
    )
    if not perfil["estado"]:
        perfil["estado"], perfil["cidade"] = "São Paulo", "São Paulo"
    if chance(rng, 0.3):
        perfil["habilidades_comportamentais_necessarias"] = pick(rng, rv.BEHAVIOURAL)
    if chance(rng, 0.1):
        basic["nome_substituto"] = ""
    if chance(rng, 0.2):
        basic["data_inicial"] = basic["data_requicisao"]
    return job


@dataclass(frozen=True)
class Career:
    """What an applicant's CV shows about them: seniority, years, skills, domain."""

    seniority: int
    years: int
    skills: tuple[str, ...]
    profile: str | None


def draw_career(rng: np.random.Generator, profile: str | None) -> Career:
    seniority = pick_weighted(rng, rv.APPLICANT_SENIORITY)
    low, high = rv.SENIORITY_YEARS[seniority]
    years = int(rng.integers(low, high + 1))
    return Career(seniority, years, tuple(records.applicant_skills(rng, profile)), profile)


def _role(rng: np.random.Generator, profile: str | None, seniority: int) -> str:
    title = pick(rng, PROFILES[profile]["titles"]) if profile else "assistente administrativo"
    return f"{title.lower()} {pick(rng, rv.ROLE_LEVEL_WORDS[seniority])}"


def _experience(
    rng: np.random.Generator, career: Career, verbosity: float, until: dt.date
) -> list[str]:
    """Dated roles, newest first, that add up to the career's years; skills spread over them.

    ``verbosity`` scales how many tasks each role lists (some CVs are terse, a few very long).
    """
    n_roles = max(1, min(10, int(rng.integers(1, 3)) + career.years // 4))
    spans = rng.multinomial(max(career.years, n_roles) * 12 - n_roles, [1 / n_roles] * n_roles) + 1
    skills = list(career.skills)
    lines: list[str] = []
    end = dt.date(until.year, until.month, 1)
    for index, months in enumerate(spans.tolist()):
        start = end - dt.timedelta(days=30 * months)
        level = max(0, career.seniority - index // 2)
        period = f"{start.month:02d}/{start.year} a " + (
            "atual" if index == 0 else f"{end.month:02d}/{end.year}"
        )
        lines.append(
            f"{fake_company(rng).lower()} | {_role(rng, career.profile, level)} | {period}"
        )
        named = skills[index::n_roles] if index < len(skills) else []
        tasks = [pick(rng, rv.CV_TASKS_WITH).format(SKILL_DISPLAY[s].lower()) for s in named]
        if career.profile:
            tasks += [
                pick(rng, rv.CV_DOMAIN_TASKS).format(p)
                for p in _domain(rng, career.profile, int(rng.integers(1, 3)))
            ]
        tasks += [
            pick(rng, rv.CV_TASKS) for _ in range(max(2, round(rng.integers(4, 10) * verbosity)))
        ]
        order = rng.permutation(len(tasks))
        lines += ["- " + tasks[int(i)] + ";" for i in order]
        lines.append("")
        end = start
    return lines


def _projects(rng: np.random.Generator, career: Career, verbosity: float) -> list[str]:
    """A list of projects: client segment, domain, what was done."""
    assert career.profile is not None
    count = max(1, round(rng.integers(2, 6) * verbosity))
    return [
        f"- projeto de {pick(rng, rv.DOMAIN_PHRASES[career.profile])} para cliente do segmento "
        f"{pick(rng, rv.SEGMENTS)}: {pick(rng, rv.CV_TASKS)}, {pick(rng, rv.CV_TASKS)};"
        for _ in range(count)
    ]


def cv_date(record: dict) -> dt.date:
    """When the CV was written: the record's last update ("atual" roles run until then)."""
    day, month, year = record["infos_basicas"]["data_atualizacao"][:10].split("-")
    return dt.date(int(year), int(month), int(day))


def _address(rng: np.random.Generator, city: str, state: str) -> str:
    number, postcode = int(rng.integers(10, 3000)), int(rng.integers(1000, 99999))
    code = STATE_CODES.get(state, "SP").lower()
    return (
        f"{pick(rng, rv.STREETS)}, {number} - {city.lower()}/{code} - "
        f"cep {postcode // 1000:02d}{postcode % 1000:03d}-{int(rng.integers(0, 999)):03d}"
    )


def cv_text(rng: np.random.Generator, record: dict, career: Career, city: str, state: str) -> str:
    """The long, lower-cased ``cv_pt`` of the real files."""
    basic = record["infos_basicas"]
    title = _role(rng, career.profile, career.seniority)
    lines = [
        basic["nome"].lower(),
        _address(rng, city, state),
        f"{basic['telefone']} | {basic['email']}",
        "",
    ]
    lines += ["objetivo", pick(rng, rv.CV_OBJECTIVES).format(title), ""]
    lines += [
        "resumo de qualificações",
        "- " + pick(rng, rv.SUMMARY_OPENERS).format(career.years) + ";",
    ]
    if career.profile:
        for _ in range(int(rng.integers(2, 5))):
            phrases = _domain(rng, career.profile, 2)
            lines.append("- " + pick(rng, rv.QUALIFICATIONS).format(*phrases) + ";")
    lines.append(f"- atuação nos segmentos {' e '.join(sample(rng, rv.SEGMENTS, 2))};")
    verbosity = min(MAX_VERBOSITY, float(rng.lognormal(VERBOSITY_MU, VERBOSITY_SIGMA)))
    until = cv_date(record)
    lines += ["", "experiência profissional", *_experience(rng, career, verbosity, until)]
    if career.profile and chance(rng, PROJECTS_SHARE):
        lines += ["principais projetos", *_projects(rng, career, verbosity), ""]
    education = record["formacao_e_idiomas"]
    course = education.get("cursos") or "sistemas de informação"
    school = education.get("instituicao_ensino_superior") or "universidade paulista"
    graduated = until.year - career.years - int(rng.integers(0, 3))
    lines += ["formação acadêmica", f"{course.lower()} - {school.lower()} ({graduated})", ""]
    lines += ["cursos", *("- " + c for c in sample(rng, rv.COURSES, int(rng.integers(1, 5)))), ""]
    lines += [
        "idiomas",
        f"inglês: {pick(rng, ('básico', 'intermediário', 'avançado', 'técnico'))}",
        "",
    ]
    if chance(rng, 0.5):
        lines += ["informações adicionais", *("- " + a for a in sample(rng, rv.ADDITIONAL, 2))]
    return "\n".join(lines).strip("\n")


_EMPTIED = {
    "infos_basicas": ("objetivo_profissional", "local"),
    "informacoes_profissionais": (
        "titulo_profissional", "area_atuacao", "conhecimentos_tecnicos", "certificacoes",
        "remuneracao",
    ),
    "formacao_e_idiomas": ("nivel_academico", "nivel_ingles", "nivel_espanhol"),
}  # fmt: skip


@dataclass(frozen=True)
class RealApplicant:
    """An ``applicants.json`` value of the real profile, its CV text and its career."""

    draft: records.ApplicantDraft
    career: Career


def build_applicant(
    rng: np.random.Generator, code: str, profile: str | None, staff: Sequence[str]
) -> RealApplicant:
    """One applicant of the real profile (``profile`` None: from outside IT)."""
    draft = records.build_applicant(rng, code, profile, staff)
    record = draft.record
    career = draw_career(rng, profile)
    local = record["infos_basicas"]["local"] or "São Paulo, São Paulo"
    city, _, state = local.partition(", ")
    cv = "" if chance(rng, NO_CV_SHARE) else cv_text(rng, record, career, city, state)
    if chance(rng, BARE_APPLICANT_SHARE):
        for section, keys in _EMPTIED.items():
            record[section].update({key: "" for key in keys})
    elif not chance(rng, KNOWLEDGE_SHARE):
        record["informacoes_profissionais"]["conhecimentos_tecnicos"] = ""
    record["informacoes_profissionais"]["nivel_profissional"] = ""
    if not chance(rng, 0.02):
        record["formacao_e_idiomas"]["outro_idioma"] = pick(rng, ("-", ""))
    if not chance(rng, 0.02):
        record["informacoes_profissionais"]["certificacoes"] = ""
    record["cv_pt"], record["cv_en"] = cv, ""
    return RealApplicant(records.ApplicantDraft(record, cv), career)


def application_date(rng: np.random.Generator, requested: dt.date) -> dt.date:
    """Applications arrive within a month of the requisition."""
    return requested + dt.timedelta(days=int(rng.integers(0, 31)))


def requisition_date(rng: np.random.Generator) -> dt.date:
    """A requisition date whose year follows the published application years."""
    year = pick_weighted(rng, rv.APPLICATION_YEARS)
    end = dt.date(year, 12, 1) if year < 2025 else dt.date(2025, 3, 31)
    return random_date(rng, dt.date(year, 1, 1), end)


def with_real_dates(job: dict, requested: dt.date) -> dict:
    job["informacoes_basicas"]["data_requicisao"] = fmt_date(requested)
    if "data_inicial" in job["informacoes_basicas"]:
        job["informacoes_basicas"]["data_inicial"] = fmt_date(requested)
    return job
