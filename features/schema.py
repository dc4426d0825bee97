"""What a raw Decision record must hold, checked at the pipeline's boundary, and date parsing.

The one definition of the fields the features read: ``JOB_SECTIONS``, ``APPLICANT_SECTIONS``
and ``APPLICANT_TOP_LEVEL_TEXT`` name them (every one is text); the Preprocess step validates
raw records with the functions below and the scoring API builds its request models from the
same tables (``serving.schemas``), so a value one accepts the other accepts too.

Contract: each ``validate_*`` function takes one raw record as parsed from JSON and returns a list
of short reason codes, empty when the record is usable; the first code is the main reason. Codes:

- ``not_an_object``: the record (or prospects entry) is not a JSON object
- ``bad_id``: the record's key is empty
- ``missing_section:<name>``: a section the profiles read is absent (raw files always have
  every section; an API request may leave one out: a partial record reads as unknown)
- ``bad_section:<name>``: that section is not an object
- ``missing_field:<name>``: a required value is absent or empty (an unknown date counts as absent)
- ``bad_type:<name>``: a value that must be text is something else (JSON ``null`` counts as empty)
- ``bad_date:<name>``: a date that is neither a date in the format nor an "unknown" placeholder

Optional text fields may be absent or empty; profiles treat them as unknown. Only the fields the
profiles read are checked, so personal data is never touched here either.

Fields that only date a record (``JOB_DATE_FIELDS``, ``APPLICANT_DATE_FIELDS``: when a profile
became valid, its feature-store event time) never make a record unusable: one that cannot be
read (another format, another type) is reported by ``unreadable_dates``, counted, and the
profile is dated from the next field or left undated. Only ``data_candidatura``, which places
an application in the time split, is required and checked.

Dates are "dd-mm-yyyy" or "dd-mm-yyyy HH:MM:SS"; "", "00-00-0000" (and "0000-00-00") mean
unknown and parse to ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

# Sections, and the text fields in them, that the profiles read.
JOB_SECTIONS: dict[str, tuple[str, ...]] = {
    "informacoes_basicas": ("titulo_vaga", "tipo_contratacao"),
    "perfil_vaga": (
        "estado",
        "cidade",
        "nivel profissional",
        "nivel_profissional",  # read when "nivel profissional" (the published key) is empty
        "nivel_academico",
        "nivel_ingles",
        "nivel_espanhol",
        "areas_atuacao",
        "principais_atividades",
        "competencia_tecnicas_e_comportamentais",
    ),
}
APPLICANT_SECTIONS: dict[str, tuple[str, ...]] = {
    "infos_basicas": ("local",),
    "informacoes_profissionais": (
        "titulo_profissional",
        "area_atuacao",
        "conhecimentos_tecnicos",
        "nivel_profissional",
    ),
    "formacao_e_idiomas": ("nivel_academico", "nivel_ingles", "nivel_espanhol"),
}
APPLICANT_TOP_LEVEL_TEXT: tuple[str, ...] = ("cv_pt",)
JOB_DATE_FIELDS: dict[str, str] = {"data_requicisao": "informacoes_basicas"}
APPLICANT_DATE_FIELDS: dict[str, str] = {
    "data_criacao": "infos_basicas",
    "data_atualizacao": "infos_basicas",
}
APPLICATION_REQUIRED: tuple[str, ...] = ("codigo", "situacao_candidado", "data_candidatura")

_DATE_RE = re.compile(r"(\d{2})-(\d{2})-(\d{4})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?")
_UNKNOWN_DATES = frozenset({"", "00-00-0000", "0000-00-00", "00-00-0000 00:00:00"})


def parse_datetime(value: str | None) -> datetime | None:
    """Parse "dd-mm-yyyy" or "dd-mm-yyyy HH:MM[:SS]" to a naive datetime.

    Returns ``None`` for an unknown date ("", "00-00-0000", ``None``); raises ``ValueError`` for
    anything else that is not a valid date in that format.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a date string: {value!r}")
    value = value.strip()
    if value in _UNKNOWN_DATES:
        return None
    match = _DATE_RE.fullmatch(value)
    if match is None:
        raise ValueError(f"not a dd-mm-yyyy date: {value!r}")
    day, month, year, hour, minute, second = match.groups()
    if day == "00" and month == "00" and year == "0000":
        return None
    return datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
    )


def parse_date(value: str | None) -> datetime | None:
    """Parse a "dd-mm-yyyy" date (a time part, if any, is dropped) to midnight of that day.

    Same ``None``/``ValueError`` contract as ``parse_datetime``.
    """
    parsed = parse_datetime(value)
    if parsed is None:
        return None
    return parsed.replace(hour=0, minute=0, second=0)


def _check_text_fields(
    record: Mapping[str, object], sections: dict[str, tuple[str, ...]], problems: list[str]
) -> None:
    for section_name, fields in sections.items():
        section = record.get(section_name)
        if section is None:
            problems.append(f"missing_section:{section_name}")
            continue
        if not isinstance(section, Mapping):
            problems.append(f"bad_section:{section_name}")
            continue
        for field in fields:
            value = section.get(field)
            if value is not None and not isinstance(value, str):
                problems.append(f"bad_type:{field}")


def unreadable_dates(record: object, date_fields: Mapping[str, str]) -> list[str]:
    """The date-only fields of ``record`` that hold something other than a date or "unknown".

    ``date_fields`` maps field -> section (``JOB_DATE_FIELDS``, ``APPLICANT_DATE_FIELDS``).
    Absent and null values are unknown, not unreadable.
    """
    if not isinstance(record, Mapping):
        return []
    unreadable = []
    for field, section_name in date_fields.items():
        section = record.get(section_name)
        value = section.get(field) if isinstance(section, Mapping) else None
        if value is None:
            continue
        try:
            parse_datetime(value)
        except ValueError:
            unreadable.append(field)
    return unreadable


def _check_id(code: object, problems: list[str]) -> None:
    if not isinstance(code, str) or not code.strip():
        problems.append("bad_id")


def validate_job(code: str, record: object) -> list[str]:
    """Reason codes for one ``vagas.json`` entry (empty list: usable)."""
    problems: list[str] = []
    _check_id(code, problems)
    if not isinstance(record, Mapping):
        return [*problems, "not_an_object"]
    _check_text_fields(record, JOB_SECTIONS, problems)
    return problems


def validate_applicant(code: str, record: object) -> list[str]:
    """Reason codes for one ``applicants.json`` entry (empty list: usable)."""
    problems: list[str] = []
    _check_id(code, problems)
    if not isinstance(record, Mapping):
        return [*problems, "not_an_object"]
    _check_text_fields(record, APPLICANT_SECTIONS, problems)
    for field in APPLICANT_TOP_LEVEL_TEXT:
        value = record.get(field)
        if value is not None and not isinstance(value, str):
            problems.append(f"bad_type:{field}")
    return problems


def validate_prospects_entry(job_code: str, entry: object) -> list[str]:
    """Reason codes for one ``prospects.json`` entry (the object holding a job's list)."""
    problems: list[str] = []
    _check_id(job_code, problems)
    if not isinstance(entry, Mapping):
        return [*problems, "not_an_object"]
    prospects = entry.get("prospects")
    if prospects is None:
        problems.append("missing_field:prospects")
    elif not isinstance(prospects, list):
        problems.append("bad_type:prospects")
    return problems


def validate_application(job_code: str, prospect: object) -> list[str]:
    """Reason codes for one application (an item of a job's ``prospects`` list).

    ``codigo``, ``situacao_candidado`` and ``data_candidatura`` are required: without the date an
    application cannot be placed in the time split. Whether the status is known is the label
    table's business (``features.labels``), not checked here.
    """
    problems: list[str] = []
    _check_id(job_code, problems)
    if not isinstance(prospect, Mapping):
        return [*problems, "not_an_object"]
    for field in APPLICATION_REQUIRED:
        value = prospect.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append(f"missing_field:{field}")
        elif not isinstance(value, str):
            problems.append(f"bad_type:{field}")
    date_value = prospect.get("data_candidatura")
    if isinstance(date_value, str) and date_value.strip():
        try:
            if parse_date(date_value) is None:
                problems.append("missing_field:data_candidatura")
        except ValueError:
            problems.append("bad_date:data_candidatura")
    return problems
