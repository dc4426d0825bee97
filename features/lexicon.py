"""The matching lexicon: the words of IT recruiting that job texts and CVs are compared on.

Contract: ``term_counts(normalized)`` returns how often each lexicon term occurs in text already
passed through ``features.text.normalize``: the skills of ``features.skills`` (by canonical name,
in any surface form) and the single words of ``DOMAIN_TERMS`` (technologies, practices and
business domains beyond the skill vocabulary). Nothing else is counted, so a CV's term counts
never carry its owner's name, address or contacts: only words of this fixed list. Each term
belongs to one or more domains (``DOMAIN_OF``), which ``features.domains`` aggregates.

Words are normal-form tokens (lower case, no accents, ``[a-z0-9]+``). The lists are broad on
purpose: they are the vocabulary of the trade, not of any one data set.
"""

from __future__ import annotations

import re
from collections import Counter
from types import MappingProxyType

from features.skills import SKILL_LEXICON, count_skills_normalized


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: domain -> words that say a text is about it (normal form, single tokens).
DOMAIN_TERMS: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        "development": _words(
            """
            desenvolvimento desenvolvedor programador programacao software backend frontend
            fullstack api apis rest soap microsservicos microservicos microservices spring boot
            hibernate jpa maven gradle orientacao objetos poo mvc laravel symfony django flask
            fastapi vue redux webpack npm framework frameworks codigo refatoracao componentes
            componentizacao responsivas responsivo web aplicacoes arquitetura camadas
            entity framework linq razor blazor kotlin swift ios flutter mobile aplicativos
            moveis xamarin graphql websocket
            """
        ),
        "sap_erp": _words(
            """
            erp modulo modulos fi co mm sd pp pm wm hcm hr bw basis fiori smartforms badis
            badi exits user bapi idoc hana s4 ecc advpl rotinas fiscais fiscal contabil
            contabilidade faturamento parametrizacao tributario folha pagamento compras
            estoque financeiro controladoria suprimentos logistica datasul
            """
        ),
        "data": _words(
            """
            dados data warehouse dw etl elt bi business intelligence dashboards dashboard
            indicadores kpi kpis modelagem analytics lake big ciencia estatistica
            preditivos predicao tableau qlik looker databricks airflow kafka nosql
            banco bancos dba tuning queries stored procedures pentaho ssis ssas
            """
        ),
        "infrastructure": _words(
            """
            infraestrutura servidores servidor redes rede network firewall active directory
            windows server vmware virtualizacao backup monitoramento zabbix nagios suporte
            tecnico service desk helpdesk chamados incidentes terraform ansible nuvem cloud
            containers container gcp iac pipelines ci cd disponibilidade storage datacenter
            seguranca telecom cisco
            """
        ),
        "quality": _words(
            """
            testes teste qa qualidade automacao casos regressao bdd cucumber cypress junit
            homologacao funcionais integrados ctfl istqb
            """
        ),
        "management": _words(
            """
            gestao gerenciamento cronograma pmo stakeholders escopo riscos
            pmbok pmp agil ageis kanban sprint backlog product owner governanca orcamento
            alocacao recursos contratos lideranca equipes coordenacao
            """
        ),
        "crm": _words(
            """
            crm vendas comercial apex visualforce lightning dynamics marketing
            """
        ),
        "legacy": _words(
            """
            mainframe cics jcl db2 adabas vsam batch legados legado rpg as400
            """
        ),
    }
)

#: Skills by domain (a skill may serve several).
SKILL_DOMAINS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "python": ("development", "data"),
        "java": ("development",),
        "javascript": ("development",),
        "typescript": ("development",),
        "react": ("development",),
        "angular": ("development",),
        "nodejs": ("development",),
        "sql": ("data", "development"),
        "oracle": ("data",),
        "postgresql": ("data",),
        "mongodb": ("data",),
        "sap": ("sap_erp",),
        "abap": ("sap_erp",),
        "c#": ("development",),
        ".net": ("development",),
        "php": ("development",),
        "aws": ("infrastructure",),
        "azure": ("infrastructure",),
        "docker": ("infrastructure",),
        "kubernetes": ("infrastructure",),
        "linux": ("infrastructure",),
        "power bi": ("data",),
        "excel": ("data",),
        "scrum": ("management",),
        "git": ("development",),
        "devops": ("infrastructure",),
        "jenkins": ("infrastructure",),
        "spark": ("data",),
        "hadoop": ("data",),
        "machine learning": ("data",),
        "cobol": ("legacy",),
        "delphi": ("legacy", "development"),
        "salesforce": ("crm",),
        "itil": ("infrastructure", "management"),
        "selenium": ("quality",),
        "android": ("development",),
        "html": ("development",),
        "css": ("development",),
        "totvs": ("sap_erp",),
        "protheus": ("sap_erp",),
    }
)

DOMAINS: tuple[str, ...] = tuple(DOMAIN_TERMS)
#: Words that match nothing alone: too short or too common to carry meaning in a CV.
_AMBIGUOUS = frozenset({"co", "pm", "hr", "rm", "ci", "cd", "bi", "dw", "qa", "user"})
WORDS: frozenset[str] = frozenset().union(*DOMAIN_TERMS.values()) - _AMBIGUOUS
DOMAIN_OF: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        **{
            word: tuple(d for d, words in DOMAIN_TERMS.items() if word in words)
            for word in sorted(WORDS)
        },
        **SKILL_DOMAINS,
    }
)
_TOKEN_RE = re.compile(r"[a-z0-9]+")

if set(SKILL_DOMAINS) != set(SKILL_LEXICON):  # pragma: no cover - a table kept in step
    raise ValueError("SKILL_DOMAINS must name every skill of features.skills")


def term_counts(normalized: str, tokens: list[str] | None = None) -> Counter[str]:
    """Occurrences of every lexicon term (skills by canonical name, then domain words).

    ``tokens``: the text's ``features.text.tokens``, when the caller has them already.
    """
    counts = count_skills_normalized(normalized)
    if normalized:
        words = _TOKEN_RE.findall(normalized) if tokens is None else tokens
        # filter() over the set's own test keeps the loop in C: a third less time a CV
        counts.update(filter(WORDS.__contains__, words))
    return counts


def encode_counts(counts: Counter[str] | dict[str, int]) -> str:
    """``"term:count;..."`` sorted by term: the profiles' encoding of term counts."""
    return ";".join(f"{term}:{counts[term]}" for term in sorted(counts) if counts[term] > 0)


def decode_counts(encoded: str | None) -> dict[str, int]:
    """Inverse of ``encode_counts``; ``None`` or ``""`` -> ``{}``."""
    if not encoded:
        return {}
    counts: dict[str, int] = {}
    for item in encoded.split(";"):
        term, _, count = item.rpartition(":")
        counts[term] = int(count)
    return counts
