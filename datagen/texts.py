"""Free-text builders: job requirements and activities, skill lists and CVs.

Each builder takes a ``numpy.random.Generator`` and the skills (vocabulary surface forms) that the
text must mention, and returns a string. A text mentions exactly the skills it is given, each at
least once, and no other skill: the surrounding filler comes from word lists that the tests prove
free of skills.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from datagen.draw import chance, pick, sample
from datagen.vocab import (
    ACTIVITIES_EN,
    ACTIVITIES_PT,
    COMPANY_ROLES,
    CV_ADDITIONAL,
    CV_EXTRA_COURSES,
    CV_SUMMARIES,
    CV_SUMMARIES_EN,
    CV_TASK_WITH_SKILL,
    CV_TASK_WITH_SKILL_EN,
    CV_TASKS,
    JOB_ACTIVITY_WITH_SKILL_EN,
    JOB_ACTIVITY_WITH_SKILL_PT,
    SKILL_DISPLAY,
    SKILL_INTROS_EN,
    SKILL_INTROS_PT,
    SOFT_SKILLS_EN,
    SOFT_SKILLS_PT,
)

BULLETS = ("- ", "• ", "* ", "– ")


def display(rng: np.random.Generator, skill: str) -> str:
    """How a skill is written: usually its display form ("Power BI"), sometimes lower case."""
    return skill if chance(rng, 0.2) else SKILL_DISPLAY[skill]


def join_words(words: Sequence[str], lang: str) -> str:
    """ "a, b e c" (Portuguese) or "a, b and c" (English)."""
    if len(words) <= 1:
        return "".join(words)
    conj = " e " if lang == "pt" else " and "
    return ", ".join(words[:-1]) + conj + words[-1]


def _chunks(rng: np.random.Generator, items: Sequence[str]) -> list[list[str]]:
    """Split ``items`` into consecutive groups of one or two."""
    out: list[list[str]] = []
    i = 0
    while i < len(items):
        size = 2 if (i + 1 < len(items) and chance(rng, 0.35)) else 1
        out.append(list(items[i : i + size]))
        i += size
    return out


def job_requirements_text(rng: np.random.Generator, skills: Sequence[str], lang: str) -> str:
    """``competencia_tecnicas_e_comportamentais``: mentions every skill in ``skills``."""
    bullet = pick(rng, BULLETS)
    soft = sample(rng, SOFT_SKILLS_PT if lang == "pt" else SOFT_SKILLS_EN, int(rng.integers(2, 5)))
    intros = SKILL_INTROS_PT if lang == "pt" else SKILL_INTROS_EN
    groups = _chunks(rng, list(skills))
    if chance(rng, 0.6):
        head_tech, head_soft = (
            ("Requisitos técnicos:", "Competências comportamentais:")
            if lang == "pt"
            else ("Technical requirements:", "Soft skills:")
        )
        lines = [head_tech]
        lines += [
            bullet + pick(rng, intros).format(join_words([display(rng, s) for s in g], lang)) + ";"
            for g in groups
        ]
        lines += ["", head_soft]
        lines += [bullet + s + ";" for s in soft]
        return "\n".join(lines)
    sentences = [
        pick(rng, intros).format(join_words([display(rng, s) for s in g], lang)) + "."
        for g in groups
    ]
    opener = (
        "Buscamos profissional para atuar em cliente de grande porte."
        if lang == "pt"
        else "We are looking for a professional to join a large client."
    )
    profile = ("Perfil: " if lang == "pt" else "Profile: ") + ", ".join(s.lower() for s in soft)
    return "\n".join([opener, *sentences, "", profile + "."])


def job_activities_text(rng: np.random.Generator, skills: Sequence[str], lang: str) -> str:
    """``principais_atividades``: a few activities, some naming one of ``skills``."""
    bullet = pick(rng, BULLETS)
    filler = ACTIVITIES_PT if lang == "pt" else ACTIVITIES_EN
    templates = JOB_ACTIVITY_WITH_SKILL_PT if lang == "pt" else JOB_ACTIVITY_WITH_SKILL_EN
    lines = [pick(rng, templates).format(display(rng, s)) for s in skills]
    lines += sample(rng, filler, int(rng.integers(2, 5)))
    order = rng.permutation(len(lines))
    return "\n".join(bullet + lines[int(i)] + ";" for i in order)


def skills_list_text(rng: np.random.Generator, skills: Sequence[str]) -> str:
    """``conhecimentos_tecnicos``: the skills as a list in one of a few usual layouts."""
    if not skills:
        return ""
    shown = [display(rng, s) for s in skills]
    style = int(rng.integers(4))
    if style == 0:
        return ", ".join(shown)
    if style == 1:
        return "; ".join(shown)
    if style == 2:
        return "\n".join("- " + s for s in shown)
    levels = ("básico", "intermediário", "avançado")
    return ", ".join(f"{s} ({pick(rng, levels)})" for s in shown)


def cv_text(
    rng: np.random.Generator,
    *,
    name: str,
    city: str,
    state_code: str,
    email: str,
    phone: str,
    objective: str,
    skills: Sequence[str],
    companies: Sequence[str],
    course: str,
    institution: str,
    graduation_year: int,
    english: str,
    spanish: str,
) -> str:
    """A CV in Portuguese, in its original case, that mentions every skill in ``skills``."""
    years = int(rng.integers(1, 21))
    lines = [name, f"{city} - {state_code} | {email} | {phone}".strip(" -|"), ""]
    if objective:
        lines += ["Objetivo", objective, ""]
    lines += ["Resumo Profissional", pick(rng, CV_SUMMARIES).format(years) + ".", ""]
    lines += ["Experiência Profissional"]
    groups = _chunks(rng, list(skills))
    per_job: list[list[list[str]]] = [[] for _ in companies]
    for i, g in enumerate(groups):
        per_job[i % len(companies)].append(g)
    year = 2024
    for company, job_groups in zip(companies, per_job, strict=True):
        start = year - int(rng.integers(1, 5))
        period = f"{start} a {'atual' if year == 2024 else year}"
        lines.append(f"{company} — {pick(rng, COMPANY_ROLES)} ({period})")
        tasks = [
            pick(rng, CV_TASK_WITH_SKILL).format(join_words([display(rng, s) for s in g], "pt"))
            for g in job_groups
        ]
        tasks += sample(rng, CV_TASKS, int(rng.integers(3, 7)))
        order = rng.permutation(len(tasks))
        lines += ["- " + tasks[int(i)] + "." for i in order]
        lines.append("")
        year = start
    lines += ["Formação Acadêmica", f"{course} — {institution} ({graduation_year})", ""]
    if chance(rng, 0.6):
        lines += ["Cursos Complementares"]
        lines += ["- " + c for c in sample(rng, CV_EXTRA_COURSES, int(rng.integers(1, 4)))]
        lines.append("")
    lines += ["Idiomas", f"Inglês: {english or 'não informado'}"]
    lines += [f"Espanhol: {spanish or 'não informado'}", ""]
    if chance(rng, 0.4):
        lines += ["Informações Adicionais"]
        lines += ["- " + c for c in sample(rng, CV_ADDITIONAL, int(rng.integers(1, 3)))]
        lines.append("")
    if skills and chance(rng, 0.5):
        lines += ["Conhecimentos Técnicos", ", ".join(display(rng, s) for s in skills), ""]
    return "\n".join(lines).rstrip("\n")


def cv_en_text(rng: np.random.Generator, *, name: str, skills: Sequence[str]) -> str:
    """A short English CV (``cv_en``) that mentions only skills in ``skills``."""
    years = int(rng.integers(1, 21))
    lines = [name, "", "Summary", pick(rng, CV_SUMMARIES_EN).format(years) + ".", "", "Experience"]
    for g in _chunks(rng, list(skills)):
        words = join_words([display(rng, s) for s in g], "en")
        lines.append("- " + pick(rng, CV_TASK_WITH_SKILL_EN).format(words) + ".")
    return "\n".join(lines).lower()
