import copy
from datetime import datetime

import pytest

from features.schema import (
    APPLICANT_DATE_FIELDS,
    JOB_DATE_FIELDS,
    parse_date,
    parse_datetime,
    unreadable_dates,
    validate_applicant,
    validate_application,
    validate_job,
    validate_prospects_entry,
)

JOB = {
    "informacoes_basicas": {"data_requicisao": "04-05-2021", "titulo_vaga": "Dev"},
    "perfil_vaga": {"estado": "São Paulo", "nivel profissional": "Pleno"},
    "beneficios": {"valor_venda": "-"},
}
APPLICANT = {
    "infos_basicas": {"local": "Campinas, São Paulo", "data_criacao": "10-11-2021 07:29:49"},
    "informacoes_pessoais": {"nome": "X"},
    "informacoes_profissionais": {"conhecimentos_tecnicos": "java"},
    "formacao_e_idiomas": {"nivel_ingles": "Básico"},
    "cargo_atual": {},
    "cv_pt": "cv",
}
PROSPECT = {
    "nome": "X",
    "codigo": "31000",
    "situacao_candidado": "Prospect",
    "data_candidatura": "17-03-2021",
    "ultima_atualizacao": "",
    "comentario": "",
    "recrutador": "",
}


def _without(record, section, key=None):
    record = copy.deepcopy(record)
    if key is None:
        del record[section]
    else:
        del record[section][key]
    return record


def test_parse_datetime_reads_both_published_formats():
    assert parse_datetime("04-05-2021") == datetime(2021, 5, 4)
    assert parse_datetime("10-11-2021 07:29:49") == datetime(2021, 11, 10, 7, 29, 49)
    assert parse_date("10-11-2021 07:29:49") == datetime(2021, 11, 10)


@pytest.mark.parametrize("unknown", ["", "00-00-0000", "0000-00-00", "  ", None])
def test_unknown_date_placeholders_parse_to_none(unknown):
    assert parse_datetime(unknown) is None
    assert parse_date(unknown) is None


@pytest.mark.parametrize("bad", ["2021-05-04", "31-02-2021", "4-5-2021", "ontem", "04/05/2021"])
def test_malformed_dates_raise_value_error(bad):
    with pytest.raises(ValueError):
        parse_datetime(bad)


def test_valid_records_have_no_problems():
    assert validate_job("5185", JOB) == []
    assert validate_applicant("31000", APPLICANT) == []
    assert validate_prospects_entry("5185", {"titulo": "t", "prospects": []}) == []
    assert validate_application("5185", PROSPECT) == []


def test_job_reason_codes():
    assert validate_job("1", ["not", "a", "dict"]) == ["not_an_object"]
    assert validate_job("1", _without(JOB, "perfil_vaga")) == ["missing_section:perfil_vaga"]
    assert validate_job("1", {**JOB, "perfil_vaga": "x"}) == ["bad_section:perfil_vaga"]
    bad_type = copy.deepcopy(JOB)
    bad_type["perfil_vaga"]["nivel_ingles"] = 3
    assert validate_job("1", bad_type) == ["bad_type:nivel_ingles"]
    assert validate_job("", JOB) == ["bad_id"]


def test_job_unknown_dates_and_missing_optional_fields_are_fine():
    job = copy.deepcopy(JOB)
    job["informacoes_basicas"]["data_requicisao"] = "00-00-0000"
    del job["beneficios"]
    job["perfil_vaga"]["nivel_ingles"] = None
    assert validate_job("1", job) == []


def test_applicant_reason_codes():
    assert validate_applicant("1", None) == ["not_an_object"]
    assert validate_applicant("1", _without(APPLICANT, "infos_basicas")) == [
        "missing_section:infos_basicas"
    ]
    assert validate_applicant("1", {**APPLICANT, "cv_pt": ["x"]}) == ["bad_type:cv_pt"]


@pytest.mark.parametrize("value", ["2021-05-04", "05-25-2021", "10/11/2021", 20210504, ["x"]])
def test_a_date_that_only_dates_a_record_never_makes_it_unusable(value):
    job = copy.deepcopy(JOB)
    job["informacoes_basicas"]["data_requicisao"] = value
    applicant = copy.deepcopy(APPLICANT)
    applicant["infos_basicas"].update(data_criacao=value, data_atualizacao=value)
    assert validate_job("1", job) == []
    assert validate_applicant("1", applicant) == []
    assert unreadable_dates(job, JOB_DATE_FIELDS) == ["data_requicisao"]
    assert unreadable_dates(applicant, APPLICANT_DATE_FIELDS) == [
        "data_criacao",
        "data_atualizacao",
    ]


def test_readable_unknown_or_absent_dates_are_not_unreadable():
    assert unreadable_dates(JOB, JOB_DATE_FIELDS) == []
    assert unreadable_dates(APPLICANT, APPLICANT_DATE_FIELDS) == []
    assert unreadable_dates({"infos_basicas": {"data_criacao": None}}, APPLICANT_DATE_FIELDS) == []
    assert unreadable_dates("not a record", APPLICANT_DATE_FIELDS) == []


def test_applicant_personal_section_is_not_required():
    assert validate_applicant("1", _without(APPLICANT, "informacoes_pessoais")) == []


def test_prospects_entry_reason_codes():
    assert validate_prospects_entry("1", "x") == ["not_an_object"]
    assert validate_prospects_entry("1", {"titulo": "t"}) == ["missing_field:prospects"]
    assert validate_prospects_entry("1", {"prospects": {}}) == ["bad_type:prospects"]


def test_application_reason_codes():
    assert validate_application("1", "x") == ["not_an_object"]
    assert validate_application("1", {**PROSPECT, "codigo": ""}) == ["missing_field:codigo"]
    assert validate_application("1", _without(PROSPECT, "codigo")) == ["missing_field:codigo"]
    assert validate_application("1", {**PROSPECT, "codigo": 31000}) == ["bad_type:codigo"]
    assert validate_application("1", {**PROSPECT, "data_candidatura": "2021-03-17"}) == [
        "bad_date:data_candidatura"
    ]
    assert validate_application("1", {**PROSPECT, "data_candidatura": "00-00-0000"}) == [
        "missing_field:data_candidatura"
    ]
    assert validate_application("1", _without(PROSPECT, "situacao_candidado")) == [
        "missing_field:situacao_candidado"
    ]


def test_several_problems_are_all_reported_main_one_first():
    prospect = {**PROSPECT, "codigo": "", "data_candidatura": "x"}
    assert validate_application("1", prospect) == [
        "missing_field:codigo",
        "bad_date:data_candidatura",
    ]
