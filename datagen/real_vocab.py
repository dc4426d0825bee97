"""Vocabularies and distributions of the real profile: what the published Decision files hold.

Value shares come from the measurements in ``decision-format.md`` ("What the real files look
like"): jobs fill every ``perfil_vaga`` field with the values below, applicants leave their
structured fields empty and write everything in ``cv_pt``, three applications in four are still
in progress. Domain phrases and CV sentences are filler that never names a skill of the
vocabulary (a test checks it), so skills enter the text only where the builders put them.
"""

from __future__ import annotations

from typing import Final

# --- jobs ------------------------------------------------------------------------------------

#: (``nivel profissional``, weight): Analista 43%, Sênior 31%, Pleno 22%, then a few of each.
JOB_LEVELS: Final[tuple[tuple[str, float], ...]] = (
    ("Analista", 0.43), ("Sênior", 0.31), ("Pleno", 0.22), ("Especialista", 0.01),
    ("Gerente", 0.006), ("Supervisor", 0.004), ("Líder", 0.004), ("Coordenador", 0.006),
    ("Assistente", 0.004), ("Júnior", 0.006),
)  # fmt: skip

#: (``nivel_ingles`` of a job, weight).
JOB_ENGLISH: Final[tuple[tuple[str, float], ...]] = (
    ("Básico", 0.38), ("Nenhum", 0.30), ("Fluente", 0.14), ("Avançado", 0.11),
    ("Técnico", 0.04), ("Intermediário", 0.02), ("", 0.01),
)  # fmt: skip
JOB_SPANISH: Final[tuple[tuple[str, float], ...]] = (
    ("Nenhum", 0.55), ("Básico", 0.25), ("Intermediário", 0.08), ("Fluente", 0.04),
    ("Avançado", 0.04), ("Técnico", 0.02), ("", 0.02),
)  # fmt: skip
JOB_ACADEMIC: Final[tuple[tuple[str, float], ...]] = (
    ("Ensino Superior Completo", 0.67), ("Ensino Médio Completo", 0.18),
    ("Ensino Técnico Completo", 0.11), ("Ensino Superior Cursando", 0.02),
    ("Ensino Superior Incompleto", 0.02),
)  # fmt: skip
CONTRACT_TYPES: Final[tuple[tuple[str, float], ...]] = (
    ("PJ/Autônomo, CLT Full", 0.41), ("PJ/Autônomo", 0.36), ("CLT Full", 0.15),
    ("CLT Cotas", 0.03), ("Cooperado", 0.02), ("Hunting", 0.02),
    ("Hunting, PJ/Autônomo, CLT Full", 0.01),
)  # fmt: skip
#: ``modalidade`` of a prospects entry: empty 95%.
MODALITIES: Final[tuple[tuple[str, float], ...]] = (
    ("", 0.95), ("Cooperado", 0.015), ("PJ", 0.013), ("CLT", 0.012),
    ("CLT - Estratégico", 0.005), ("Hunting", 0.005),
)  # fmt: skip
#: What a job's competencies hold when nobody wrote them.
PLACEHOLDERS: Final[tuple[str, ...]] = ("desc, email", "-", "a definir", "conforme descritivo")
#: Behavioural skills of the optional key ``habilidades_comportamentais_necessarias``.
BEHAVIOURAL: Final[tuple[str, ...]] = (
    "Comunicação, trabalho em equipe, proatividade",
    "Boa comunicação e relacionamento com o cliente",
    "Organização, autonomia e foco em resultados",
    "Perfil analítico e colaborativo",
)  # fmt: skip

# --- levels as seniority ----------------------------------------------------------------------

#: Seniority of a job level on the scale applicants are drawn on (0 júnior ... 4 gestão).
#: "Analista" is the firm's catch-all title for a mid-level consultant.
JOB_SENIORITY: Final[dict[str, int]] = {
    "Júnior": 0, "Assistente": 0, "Pleno": 1, "Analista": 1, "Sênior": 2,
    "Especialista": 3, "Líder": 3, "Supervisor": 3, "Coordenador": 4, "Gerente": 4,
}  # fmt: skip
#: (applicant seniority, weight) and how many years of experience each usually has.
APPLICANT_SENIORITY: Final[tuple[tuple[int, float], ...]] = (
    (0, 0.22), (1, 0.32), (2, 0.28), (3, 0.12), (4, 0.06),
)  # fmt: skip
SENIORITY_YEARS: Final[dict[int, tuple[int, int]]] = {
    0: (1, 3),
    1: (3, 7),
    2: (6, 13),
    3: (10, 20),
    4: (12, 26),
}
#: Level word of a role title at each seniority (the CV's most recent roles carry it).
ROLE_LEVEL_WORDS: Final[dict[int, tuple[str, ...]]] = {
    0: ("júnior", "jr", "trainee", "estagiário"),
    1: ("pleno", "pl"),
    2: ("sênior", "sr"),
    3: ("especialista", "líder técnico"),
    4: ("coordenador", "gerente"),
}  # fmt: skip

# --- domains: what each profile's work is about ------------------------------------------------

#: Phrases of each profile's domain, used in job texts and in CVs (no skill of the vocabulary).
DOMAIN_PHRASES: Final[dict[str, tuple[str, ...]]] = {
    "dev_java": ("desenvolvimento de sistemas", "back-end", "microsserviços", "apis rest",
                 "orientação a objetos", "spring boot", "hibernate"),
    "dev_web": ("front-end", "aplicações web", "interfaces responsivas", "single page applications",
                "desenvolvimento web", "componentização"),
    "dev_dotnet": ("desenvolvimento de sistemas", "back-end", "apis rest", "entity framework",
                   "orientação a objetos", "arquitetura em camadas"),
    "dev_python": ("back-end", "automação de processos", "apis rest", "microsserviços",
                   "desenvolvimento de sistemas", "scripts de integração"),
    "dev_php": ("aplicações web", "desenvolvimento web", "laravel", "e-commerce", "back-end"),
    "dev_mobile": ("aplicativos móveis", "mobile", "ios", "kotlin", "publicação em lojas"),
    "sap_tech": ("módulo fi", "módulo sd", "módulo mm", "erp", "user exits", "badis", "smartforms",
                 "fiori"),
    "sap_func": ("módulo fi", "módulo co", "módulo mm", "módulo sd", "módulo pp", "erp",
                 "parametrização", "processos fiscais", "contabilidade", "faturamento"),
    "erp_totvs": ("erp", "advpl", "rotinas fiscais", "folha de pagamento", "parametrização",
                  "módulos de compras e estoque"),
    "legacy": ("mainframe", "cics", "jcl", "db2", "sistemas legados", "batch"),
    "crm": ("crm", "força de vendas", "atendimento ao cliente", "apex", "visualforce",
            "automação comercial"),
    "infra_cloud": ("infraestrutura como código", "terraform", "nuvem", "containers",
                    "pipelines de entrega", "alta disponibilidade"),
    "infra_ops": ("infraestrutura", "servidores", "redes", "active directory", "monitoramento",
                  "suporte técnico", "service desk", "virtualização", "backup"),
    "data_bi": ("business intelligence", "data warehouse", "etl", "dashboards",
                "modelagem de dados", "indicadores", "banco de dados"),
    "data_big": ("big data", "engenharia de dados", "data lake", "modelos preditivos", "etl",
                 "ciência de dados", "estatística"),
    "qa": ("testes", "qualidade de software", "automação de testes", "casos de teste",
           "testes de regressão", "bdd"),
    "pm": ("gestão de projetos", "cronograma", "pmo", "stakeholders", "escopo", "riscos",
           "metodologias ágeis"),
    "gestao": ("alocação de recursos", "gestão de pessoas", "orçamento", "indicadores",
               "governança", "contratos"),
}  # fmt: skip

# --- applicants' CVs ------------------------------------------------------------------------------

STREETS: Final[tuple[str, ...]] = (
    "rua das flores", "avenida paulista", "rua vergueiro", "rua augusta", "avenida brasil",
    "rua xv de novembro", "avenida atlântica", "rua da consolação", "rua sete de setembro",
    "avenida getúlio vargas", "rua dom pedro ii", "alameda santos",
)  # fmt: skip
QUALIFICATIONS: Final[tuple[str, ...]] = (
    "experiência em {} e {}", "vivência em projetos de {}",
    "atuação com {} em clientes de grande porte", "conhecimento sólido em {}",
    "participação em implantações de {}", "forte atuação em {} e melhoria de processos",
)  # fmt: skip
SUMMARY_OPENERS: Final[tuple[str, ...]] = (
    "profissional com {} anos de experiência em tecnologia da informação",
    "mais de {} anos de atuação na área de ti",
    "carreira de {} anos em consultorias e empresas de diversos segmentos",
)  # fmt: skip
CV_OBJECTIVES: Final[tuple[str, ...]] = (
    "atuar como {}", "oportunidade na área de {}", "cargo de {}", "posição de {}",
)  # fmt: skip
SEGMENTS: Final[tuple[str, ...]] = (
    "financeiro", "varejo", "telecomunicações", "indústria", "saúde", "seguros", "logística",
    "governo", "energia", "educação",
)  # fmt: skip
CV_TASKS: Final[tuple[str, ...]] = (
    "atendimento a usuários e levantamento de necessidades",
    "elaboração de relatórios gerenciais", "participação em reuniões de acompanhamento",
    "treinamento de novos colaboradores", "documentação de processos",
    "análise de incidentes e problemas", "apoio na definição de prioridades do time",
    "homologação de entregas com o cliente", "mapeamento de processos de negócio",
    "gestão de chamados e acordos de nível de serviço", "acompanhamento de cronogramas",
    "elaboração de planos de teste", "apoio a auditorias internas",
    "interface entre as áreas de negócio e o time técnico", "melhoria de desempenho de rotinas",
    "elaboração de manuais para usuários", "estimativas de esforço e prazos",
    "revisão de código e boas práticas", "suporte a usuários-chave",
)  # fmt: skip
CV_TASKS_WITH: Final[tuple[str, ...]] = (
    "desenvolvimento de rotinas com {}", "atuação em projetos com {}",
    "manutenção de sistemas em {}", "implantação e suporte de {}", "uso diário de {}",
    "participação na migração para {}", "sustentação de ambientes com {}",
)  # fmt: skip
CV_DOMAIN_TASKS: Final[tuple[str, ...]] = (
    "atuação em {}", "projetos de {}", "sustentação e evolução de {}", "responsável por {}",
)  # fmt: skip
COURSES: Final[tuple[str, ...]] = (
    "gestão de projetos (40h)", "metodologias ágeis (16h)", "lógica de programação (60h)",
    "modelagem de dados (32h)", "segurança da informação (20h)", "governança de ti (24h)",
    "liderança e comunicação (12h)", "arquitetura de software (40h)", "inglês instrumental",
)  # fmt: skip
ADDITIONAL: Final[tuple[str, ...]] = (
    "disponibilidade para viagens", "cnh categoria b", "disponibilidade para início imediato",
    "trabalho voluntário em organização social", "preferência por modelo híbrido",
)  # fmt: skip
MONTHS: Final[tuple[str, ...]] = tuple(f"{m:02d}" for m in range(1, 13))

# --- applications ----------------------------------------------------------------------------

#: Statuses of the published prospects.json with their counts (decision-format.md).
IN_PROGRESS_STATUSES: Final[tuple[tuple[str, float], ...]] = (
    ("Prospect", 20021), ("Encaminhado ao Requisitante", 16122), ("Inscrito", 3980),
    ("Entrevista Técnica", 579), ("Entrevista com Cliente", 469), ("Em avaliação pelo RH", 375),
    ("Encaminhar Proposta", 2),
)  # fmt: skip
HIRE_STATUSES: Final[tuple[tuple[str, float], ...]] = (
    ("Contratado pela Decision", 2758), ("Contratado como Hunting", 226), ("Aprovado", 209),
    ("Documentação PJ", 4), ("Documentação CLT", 3), ("Documentação Cooperado", 2),
    ("Proposta Aceita", 1),
)  # fmt: skip
REJECT_STATUSES: Final[tuple[tuple[str, float], ...]] = (
    ("Não Aprovado pelo Cliente", 3492), ("Desistiu", 2349), ("Não Aprovado pelo RH", 1765),
    ("Não Aprovado pelo Requisitante", 765), ("Sem interesse nesta vaga", 576),
    ("Desistiu da Contratação", 59), ("Recusado", 2),
)  # fmt: skip
#: ``data_candidatura`` years of the published file, as weights.
APPLICATION_YEARS: Final[tuple[tuple[int, float], ...]] = (
    (2018, 142), (2019, 3999), (2020, 6099), (2021, 14938), (2022, 12676), (2023, 7529),
    (2024, 7416), (2025, 960),
)  # fmt: skip

#: Every filler list, for the test that no skill leaks into them.
FILLER_POOLS: Final[dict[str, tuple[str, ...]]] = {
    "PLACEHOLDERS": PLACEHOLDERS, "BEHAVIOURAL": BEHAVIOURAL, "STREETS": STREETS,
    "QUALIFICATIONS": QUALIFICATIONS, "SUMMARY_OPENERS": SUMMARY_OPENERS,
    "CV_OBJECTIVES": CV_OBJECTIVES, "SEGMENTS": SEGMENTS, "CV_TASKS": CV_TASKS,
    "CV_TASKS_WITH": CV_TASKS_WITH, "CV_DOMAIN_TASKS": CV_DOMAIN_TASKS, "COURSES": COURSES,
    "ADDITIONAL": ADDITIONAL,
    "DOMAIN_PHRASES": tuple(p for ps in DOMAIN_PHRASES.values() for p in ps),
    "ROLE_LEVEL_WORDS": tuple(w for ws in ROLE_LEVEL_WORDS.values() for w in ws),
}  # fmt: skip
