import pytest

from features import UnknownStatusError, label_for_status
from features.labels import STATUS_LABELS

HIRED = {
    "Contratado pela Decision",
    "Contratado como Hunting",
    "Aprovado",
    "Proposta Aceita",
    "Documentação CLT",
    "Documentação PJ",
    "Documentação Cooperado",
}
NOT_HIRED = {
    "Não Aprovado pelo Cliente",
    "Não Aprovado pelo RH",
    "Não Aprovado pelo Requisitante",
    "Recusado",
    "Desistiu",
    "Desistiu da Contratação",
    "Sem interesse nesta vaga",
}
IN_PROGRESS = {
    "Prospect",
    "Inscrito",
    "Encaminhado ao Requisitante",
    "Entrevista Técnica",
    "Entrevista com Cliente",
    "Em avaliação pelo RH",
    "Encaminhar Proposta",
}


def test_table_covers_exactly_the_documented_statuses():
    assert set(STATUS_LABELS) == HIRED | NOT_HIRED | IN_PROGRESS
    assert len(STATUS_LABELS) == 21


@pytest.mark.parametrize("status", sorted(HIRED))
def test_hired_statuses_map_to_one(status):
    assert label_for_status(status) == 1


@pytest.mark.parametrize("status", sorted(NOT_HIRED))
def test_not_hired_statuses_map_to_zero(status):
    assert label_for_status(status) == 0


@pytest.mark.parametrize("status", sorted(IN_PROGRESS))
def test_in_progress_statuses_are_not_labels(status):
    assert label_for_status(status) is None


def test_lookup_ignores_case_accents_and_spacing():
    assert label_for_status("  contratado PELA decision ") == 1
    assert label_for_status("Nao Aprovado pelo Cliente") == 0
    assert label_for_status("Entrevista  Tecnica") is None


@pytest.mark.parametrize("status", ["Contratado", "", "Aprovada", None, 3])
def test_unknown_status_raises_typed_error(status):
    with pytest.raises(UnknownStatusError) as caught:
        label_for_status(status)
    assert caught.value.status == status
    assert isinstance(caught.value, ValueError)


def test_an_unknown_status_names_itself_in_the_message() -> None:
    error = UnknownStatusError("Contratado pelo Universo")
    assert str(error) == "unknown situacao_candidado: 'Contratado pelo Universo'"
    assert error.status == "Contratado pelo Universo"
