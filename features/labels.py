"""The one table that turns an application's status into a training label.

Contract: every ``situacao_candidado`` value documented in decision-format.md maps to
1 (hired), 0 (not hired) or ``None`` (still in progress: not a label, the row is left out of
training and evaluation). A status not in the table raises ``UnknownStatusError``: the caller
quarantines that application instead of guessing. The status itself leaks the outcome and is
never a feature.

Lookup ignores case, accents and extra whitespace ("contratado pela decision " is known).
"""

from __future__ import annotations

from types import MappingProxyType

from features.text import normalize

HIRED = 1
NOT_HIRED = 0

#: status as published -> label (1 hired, 0 not hired, None in progress)
STATUS_LABELS: MappingProxyType[str, int | None] = MappingProxyType(
    {
        # hired: the client said yes, or the hiring paperwork started
        "Contratado pela Decision": HIRED,
        "Contratado como Hunting": HIRED,
        "Aprovado": HIRED,
        "Proposta Aceita": HIRED,
        "Documentação CLT": HIRED,
        "Documentação PJ": HIRED,
        "Documentação Cooperado": HIRED,
        # not hired: rejected by someone, or the applicant withdrew
        "Não Aprovado pelo Cliente": NOT_HIRED,
        "Não Aprovado pelo RH": NOT_HIRED,
        "Não Aprovado pelo Requisitante": NOT_HIRED,
        "Recusado": NOT_HIRED,
        "Desistiu": NOT_HIRED,
        "Desistiu da Contratação": NOT_HIRED,
        "Sem interesse nesta vaga": NOT_HIRED,
        # in progress: no outcome yet
        "Prospect": None,
        "Inscrito": None,
        "Encaminhado ao Requisitante": None,
        "Entrevista Técnica": None,
        "Entrevista com Cliente": None,
        "Em avaliação pelo RH": None,
        # a proposal is about to be sent: a negotiation stage, the outcome still open
        "Encaminhar Proposta": None,
    }
)

_BY_NORMALIZED: dict[str, int | None] = {
    normalize(status): label for status, label in STATUS_LABELS.items()
}


class UnknownStatusError(ValueError):
    """A ``situacao_candidado`` value that the label table does not know."""

    def __init__(self, status: object) -> None:
        super().__init__(f"unknown situacao_candidado: {status!r}")
        self.status = status


def label_for_status(status: str) -> int | None:
    """1 (hired), 0 (not hired) or None (in progress); raises ``UnknownStatusError``."""
    if not isinstance(status, str):
        raise UnknownStatusError(status)
    try:
        return _BY_NORMALIZED[normalize(status)]
    except KeyError:
        raise UnknownStatusError(status) from None
