"""Vocabularies of the synthetic Decision data: skills, skill profiles, places, levels, statuses.

Everything here is constant data. The skill vocabulary and its surface forms are the ones fixed in
``docs/data-contracts.md``; every other word list (names, cities, clients, titles, filler phrases)
is checked by the tests to contain no skill surface form, even as a substring, so that skills only
ever enter the data where the generator puts them on purpose.
"""

from __future__ import annotations

from typing import Final

# --- skills ----------------------------------------------------------------------------------

#: The skill vocabulary, surface forms as they are matched in text (lower case).
SKILLS: Final[tuple[str, ...]] = (
    "python", "java", "javascript", "typescript", "react", "angular", "nodejs", "sql", "oracle",
    "postgresql", "mongodb", "sap", "abap", "c#", ".net", "php", "aws", "azure", "docker",
    "kubernetes", "linux", "power bi", "excel", "scrum", "git", "devops", "jenkins", "spark",
    "hadoop", "machine learning", "cobol", "delphi", "salesforce", "itil", "selenium", "android",
    "html", "css", "totvs", "protheus",
)  # fmt: skip

#: How a skill is usually written in job ads and CVs; lower-casing gives back the surface form.
SKILL_DISPLAY: Final[dict[str, str]] = {
    "python": "Python", "java": "Java", "javascript": "JavaScript", "typescript": "TypeScript",
    "react": "React", "angular": "Angular", "nodejs": "NodeJS", "sql": "SQL", "oracle": "Oracle",
    "postgresql": "PostgreSQL", "mongodb": "MongoDB", "sap": "SAP", "abap": "ABAP", "c#": "C#",
    ".net": ".NET", "php": "PHP", "aws": "AWS", "azure": "Azure", "docker": "Docker",
    "kubernetes": "Kubernetes", "linux": "Linux", "power bi": "Power BI", "excel": "Excel",
    "scrum": "Scrum", "git": "Git", "devops": "DevOps", "jenkins": "Jenkins", "spark": "Spark",
    "hadoop": "Hadoop", "machine learning": "Machine Learning", "cobol": "COBOL",
    "delphi": "Delphi", "salesforce": "Salesforce", "itil": "ITIL", "selenium": "Selenium",
    "android": "Android", "html": "HTML", "css": "CSS", "totvs": "TOTVS", "protheus": "Protheus",
}  # fmt: skip

# --- areas and skill profiles ----------------------------------------------------------------

AREA_DEV: Final = "TI - Desenvolvimento/Programação"
AREA_SYS: Final = "TI - Sistemas e Ferramentas"
AREA_SAP: Final = "TI - SAP"
AREA_INFRA: Final = "TI - Infraestrutura"
AREA_PROJ: Final = "TI - Projetos"
AREA_GEST: Final = "Gestão e Alocação de Recursos de TI"
AREA_DB: Final = "TI - Banco de Dados"
AREA_QA: Final = "TI - Qualidade/Testes"

#: Areas of jobs and of IT applicants (the published ``areas_atuacao`` strings).
IT_AREAS: Final[tuple[str, ...]] = (
    AREA_DEV, AREA_SYS, AREA_SAP, AREA_INFRA, AREA_PROJ, AREA_GEST, AREA_DB, AREA_QA,
)  # fmt: skip

#: Areas some applicants come from; no job asks for them.
OTHER_AREAS: Final[tuple[str, ...]] = (
    "Administrativa", "Comercial", "Financeira/Controladoria", "Recursos Humanos",
)  # fmt: skip

#: A profile is a kind of position: its area, the skills it draws from, and job titles.
#: Jobs require skills of their profile; applicants hold skills of theirs.
PROFILES: Final[dict[str, dict]] = {
    "dev_java": {
        "area": AREA_DEV,
        "skills": ("java", "sql", "oracle", "git", "jenkins", "linux"),
        "titles": ("Desenvolvedor Back-end", "Analista Desenvolvedor", "Programador"),
    },
    "dev_web": {
        "area": AREA_DEV,
        "skills": ("javascript", "typescript", "react", "angular", "nodejs", "html", "css", "git"),
        "titles": ("Desenvolvedor Front-end", "Desenvolvedor Full Stack", "Desenvolvedor Web"),
    },
    "dev_dotnet": {
        "area": AREA_DEV,
        "skills": ("c#", ".net", "sql", "azure", "git", "javascript"),
        "titles": ("Desenvolvedor de Sistemas", "Analista Programador", "Engenheiro de Software"),
    },
    "dev_python": {
        "area": AREA_DEV,
        "skills": ("python", "sql", "git", "docker", "aws", "linux"),
        "titles": ("Engenheiro de Software", "Desenvolvedor Back-end", "Analista Desenvolvedor"),
    },
    "dev_php": {
        "area": AREA_DEV,
        "skills": ("php", "javascript", "html", "css", "sql", "git"),
        "titles": ("Desenvolvedor Web", "Programador", "Desenvolvedor Full Stack"),
    },
    "dev_mobile": {
        "area": AREA_DEV,
        "skills": ("android", "java", "git", "nodejs", "scrum"),
        "titles": ("Desenvolvedor Mobile", "Engenheiro de Aplicativos", "Desenvolvedor de Apps"),
    },
    "sap_tech": {
        "area": AREA_SAP,
        "skills": ("sap", "abap", "oracle", "sql", "excel"),
        "titles": ("Consultor Técnico", "Analista Técnico ERP", "Desenvolvedor ERP"),
    },
    "sap_func": {
        "area": AREA_SAP,
        "skills": ("sap", "excel", "itil", "power bi", "scrum"),
        "titles": ("Consultor Funcional", "Analista Funcional", "Consultor de Módulo Financeiro"),
    },
    "erp_totvs": {
        "area": AREA_SYS,
        "skills": ("totvs", "protheus", "sql", "delphi", "excel"),
        "titles": ("Analista de Sistemas ERP", "Consultor de ERP", "Analista de Sistemas"),
    },
    "legacy": {
        "area": AREA_SYS,
        "skills": ("cobol", "delphi", "oracle", "sql", "linux"),
        "titles": ("Analista de Sistemas", "Programador de Sistemas Legados", "Analista Mainframe"),
    },
    "crm": {
        "area": AREA_SYS,
        "skills": ("salesforce", "javascript", "sql", "excel", "scrum"),
        "titles": ("Consultor de CRM", "Analista de CRM", "Administrador de Plataforma CRM"),
    },
    "infra_cloud": {
        "area": AREA_INFRA,
        "skills": ("aws", "azure", "docker", "kubernetes", "linux", "devops", "jenkins", "git"),
        "titles": ("Engenheiro de Nuvem", "Analista de Infraestrutura", "Engenheiro de Plataforma"),
    },
    "infra_ops": {
        "area": AREA_INFRA,
        "skills": ("linux", "itil", "azure", "docker", "oracle"),
        "titles": ("Analista de Suporte", "Analista de Infraestrutura", "Administrador de Redes"),
    },
    "data_bi": {
        "area": AREA_DB,
        "skills": ("sql", "postgresql", "oracle", "mongodb", "power bi", "excel"),
        "titles": ("Analista de Dados", "Administrador de Banco de Dados", "Analista de BI"),
    },
    "data_big": {
        "area": AREA_DB,
        "skills": ("python", "spark", "hadoop", "machine learning", "sql", "aws"),
        "titles": ("Engenheiro de Dados", "Cientista de Dados", "Analista de Dados"),
    },
    "qa": {
        "area": AREA_QA,
        "skills": ("selenium", "java", "python", "git", "scrum", "jenkins"),
        "titles": ("Analista de Testes", "Analista de Qualidade", "Automatizador de Testes"),
    },
    "pm": {
        "area": AREA_PROJ,
        "skills": ("scrum", "itil", "excel", "power bi", "devops", "sap"),
        "titles": ("Gerente de Projetos", "Analista de Projetos", "Coordenador de Projetos"),
    },
    "gestao": {
        "area": AREA_GEST,
        "skills": ("excel", "scrum", "itil", "power bi", "salesforce"),
        "titles": ("Analista de Alocação", "Gestor de Recursos", "Coordenador de Alocação"),
    },
}

#: Profile names in a fixed order (never iterate a dict or set where order matters).
PROFILE_NAMES: Final[tuple[str, ...]] = tuple(PROFILES)

#: Titles of applicants from non-IT areas.
OTHER_TITLES: Final[tuple[str, ...]] = (
    "Assistente Administrativo", "Analista Financeiro", "Executivo de Contas",
    "Analista de Recursos Humanos", "Auxiliar de Escritório", "Vendedor Interno",
)  # fmt: skip

# --- places ----------------------------------------------------------------------------------

#: State -> (weight, cities). Weights follow a recruiting firm centred on São Paulo.
STATES: Final[dict[str, tuple[float, tuple[str, ...]]]] = {
    "São Paulo": (0.52, ("São Paulo", "Campinas", "Barueri", "Santo André", "Osasco",
                         "São Bernardo do Campo", "Sorocaba", "Ribeirão Preto",
                         "São José dos Campos", "Jundiaí")),
    "Rio de Janeiro": (0.13, ("Rio de Janeiro", "Niterói", "Duque de Caxias", "Petrópolis")),
    "Minas Gerais": (0.09, ("Belo Horizonte", "Uberlândia", "Contagem", "Juiz de Fora")),
    "Paraná": (0.06, ("Curitiba", "Londrina", "Maringá")),
    "Rio Grande do Sul": (0.04, ("Porto Alegre", "Caxias do Sul", "Canoas")),
    "Santa Catarina": (0.04, ("Florianópolis", "Joinville", "Blumenau")),
    "Distrito Federal": (0.03, ("Brasília",)),
    "Bahia": (0.02, ("Salvador", "Feira de Santana")),
    "Pernambuco": (0.02, ("Recife", "Olinda")),
    "Goiás": (0.02, ("Goiânia",)),
    "Ceará": (0.02, ("Fortaleza",)),
    "Espírito Santo": (0.01, ("Vitória", "Vila Velha")),
}  # fmt: skip

STATE_NAMES: Final[tuple[str, ...]] = tuple(STATES)
STATE_WEIGHTS: Final[tuple[float, ...]] = tuple(w for w, _ in STATES.values())

#: Two-letter codes, used in CV headers ("Campinas - SP").
STATE_CODES: Final[dict[str, str]] = {
    "São Paulo": "SP", "Rio de Janeiro": "RJ", "Minas Gerais": "MG", "Paraná": "PR",
    "Rio Grande do Sul": "RS", "Santa Catarina": "SC", "Distrito Federal": "DF", "Bahia": "BA",
    "Pernambuco": "PE", "Goiás": "GO", "Ceará": "CE", "Espírito Santo": "ES",
}  # fmt: skip

#: Area codes for the fake phone numbers.
STATE_DDD: Final[dict[str, str]] = {
    "São Paulo": "11", "Rio de Janeiro": "21", "Minas Gerais": "31", "Paraná": "41",
    "Rio Grande do Sul": "51", "Santa Catarina": "48", "Distrito Federal": "61", "Bahia": "71",
    "Pernambuco": "81", "Goiás": "62", "Ceará": "85", "Espírito Santo": "27",
}  # fmt: skip

REGIONS: Final[tuple[str, ...]] = ("", "", "", "Grande São Paulo", "Interior", "Capital", "")
NEIGHBOURHOODS: Final[tuple[str, ...]] = (
    "Centro", "Vila Olímpia", "Brooklin", "Pinheiros", "Bela Vista", "Alphaville", "Barra",
    "Savassi", "Batel", "Moema",
)  # fmt: skip

# --- levels ----------------------------------------------------------------------------------

#: Ordinal professional levels used by the signal.
LEVEL_ORDER: Final[dict[str, int]] = {"Júnior": 0, "Pleno": 1, "Sênior": 2, "Especialista": 3}

#: (value, weight) of the job's ``nivel profissional``; non-ordinal values count as unknown.
JOB_LEVELS: Final[tuple[tuple[str, float], ...]] = (
    ("Júnior", 0.17), ("Pleno", 0.28), ("Sênior", 0.28), ("Especialista", 0.08),
    ("Analista", 0.07), ("Gerente", 0.02), ("Líder", 0.02), ("Coordenador", 0.02),
    ("Técnico de Nível Médio", 0.02), ("Assistente", 0.01), ("", 0.03),
)  # fmt: skip

#: (value, weight) of the applicant's ``nivel_profissional``.
APPLICANT_LEVELS: Final[tuple[tuple[str, float], ...]] = (
    ("Júnior", 0.18), ("Pleno", 0.24), ("Sênior", 0.22), ("Especialista", 0.06),
    ("Analista", 0.05), ("Assistente", 0.03), ("Auxiliar", 0.02), ("", 0.20),
)  # fmt: skip

#: Ordinal language levels used by the signal.
LANGUAGE_ORDER: Final[dict[str, int]] = {
    "Nenhum": 0, "Básico": 1, "Intermediário": 2, "Avançado": 3, "Fluente": 4,
}  # fmt: skip

JOB_ENGLISH: Final[tuple[tuple[str, float], ...]] = (
    ("", 0.14), ("Nenhum", 0.14), ("Básico", 0.18), ("Intermediário", 0.24),
    ("Avançado", 0.22), ("Fluente", 0.08),
)  # fmt: skip
APPLICANT_ENGLISH: Final[tuple[tuple[str, float], ...]] = (
    ("", 0.10), ("Nenhum", 0.16), ("Básico", 0.24), ("Intermediário", 0.24),
    ("Avançado", 0.17), ("Fluente", 0.09),
)  # fmt: skip
SPANISH: Final[tuple[tuple[str, float], ...]] = (
    ("", 0.2), ("Nenhum", 0.3), ("Básico", 0.25), ("Intermediário", 0.15),
    ("Avançado", 0.07), ("Fluente", 0.03),
)  # fmt: skip
OTHER_LANGUAGES: Final[tuple[str, ...]] = (
    "Francês - Básico",
    "Alemão - Básico",
    "Italiano - Intermediário",
    "Japonês - Básico",
)

ACADEMIC_LEVELS: Final[tuple[str, ...]] = (
    "Ensino Médio Completo", "Ensino Técnico Completo", "Ensino Superior Incompleto",
    "Ensino Superior Cursando", "Ensino Superior Completo", "Pós Graduação Incompleto",
    "Pós Graduação Completo", "Mestrado Completo", "Doutorado Completo",
)  # fmt: skip
ACADEMIC_WEIGHTS: Final[tuple[float, ...]] = (0.06, 0.05, 0.1, 0.08, 0.4, 0.07, 0.18, 0.05, 0.01)

COURSES: Final[tuple[str, ...]] = (
    "Ciência da Computação", "Sistemas de Informação", "Análise e Desenvolvimento de Sistemas",
    "Engenharia da Computação", "Engenharia de Produção", "Administração de Empresas",
    "Processamento de Dados", "Tecnologia em Redes de Computadores", "Matemática",
)  # fmt: skip
INSTITUTIONS: Final[tuple[str, ...]] = (
    "Universidade Paulista", "Universidade Presbiteriana Mackenzie", "Universidade Estácio",
    "Faculdade de Tecnologia do Estado", "Universidade Federal Fluminense",
    "Pontifícia Universidade Católica", "Universidade Nove de Julho", "Universidade Anhembi",
    "Centro Universitário do Vale", "Universidade Federal de Minas Gerais",
)  # fmt: skip

CERTIFICATIONS: Final[tuple[str, ...]] = (
    "PMP", "ISTQB Foundation", "CCNA", "COBIT 5 Foundation", "LPIC-1", "Six Sigma Green Belt",
    "PSM I", "CTFL", "MCSA",
)  # fmt: skip

# --- job metadata ----------------------------------------------------------------------------

CONTRACT_TYPES: Final[tuple[str, ...]] = (
    "CLT Full", "PJ/Autônomo", "Cooperado", "CLT Cotas", "Hunting", "Estagiário",
    "Candidato Interno",
)  # fmt: skip
CONTRACT_WEIGHTS: Final[tuple[float, ...]] = (0.42, 0.3, 0.1, 0.05, 0.06, 0.03, 0.04)
PRIORITIES: Final[tuple[str, ...]] = (
    "Alta: Alta complexidade 3 a 5 dias", "Média: Média complexidade 6 a 10 dias",
    "Baixa: Baixa complexidade 11 a 30 dias", "",
)  # fmt: skip
OBJECTIVES: Final[tuple[str, ...]] = ("Contratação", "Prospecção", "Posição aberta preventiva", "")
ORIGINS: Final[tuple[str, ...]] = ("Nova Posição", "Substituição", "")
DEADLINES: Final[tuple[str, ...]] = ("Indeterminado", "Determinado", "")
DIVISIONS: Final[tuple[str, ...]] = (
    "Decision São Paulo", "Decision Rio de Janeiro", "Decision Minas Gerais", "Decision Paraná",
)  # fmt: skip
SCHEDULES: Final[tuple[str, ...]] = (
    "",
    "",
    "Comercial",
    "08:00 às 17:00",
    "09:00 às 18:00",
    "Escala 12x36",
    "Flexível",
)
EQUIPMENT: Final[tuple[str, ...]] = ("", "Nenhum -", "Notebook padrão", "Notebook do cliente")
TRAVEL: Final[tuple[str, ...]] = ("", "Não", "Sim, eventuais", "Não -")
OBSERVATIONS: Final[tuple[str, ...]] = (
    "", "", "", "Início imediato.", "Alocação no cliente com possibilidade de trabalho remoto.",
    "Projeto de longa duração.", "Vaga confidencial, não divulgar o nome do cliente.",
    "Modelo híbrido, três dias presenciais por semana.",
)  # fmt: skip
SALE_VALUES: Final[tuple[str, ...]] = (
    "-",
    "",
    "R$",
    "R$ 95,00 - Hora",
    "R$ 12.000,00 - Mensal",
    "R$ 130,00 - Hora",
    "160 -",
)
BUY_VALUES: Final[tuple[str, ...]] = (
    "-",
    "",
    "R$",
    "Hora - 80",
    "Mensal - 9000",
    "fechado em 7500",
)

COMPANY_SUFFIXES: Final[tuple[str, ...]] = (
    "Tecnologia Ltda", "Serviços Financeiros S.A.", "Consultoria", "e Associados",
    "Indústria e Comércio", "Seguros S.A.", "Logística Ltda", "Telecom", "Varejo S.A.",
    "Engenharia", "Participações",
)  # fmt: skip
COMPANY_PREFIXES: Final[tuple[str, ...]] = (
    "Grupo", "Banco", "Companhia", "Rede", "Instituto", "",
)  # fmt: skip

# --- people (all fake) -----------------------------------------------------------------------

FIRST_NAMES: Final[tuple[str, ...]] = (
    "Ana", "Maria", "Juliana", "Fernanda", "Camila", "Beatriz", "Larissa", "Patrícia", "Aline",
    "Mariana", "Vanessa", "Renata", "Letícia", "Gabriela", "Bruna", "Carolina", "Isabela",
    "João", "José", "Carlos", "Paulo", "Lucas", "Pedro", "Rafael", "Gustavo", "Felipe", "Bruno",
    "Rodrigo", "Marcelo", "Thiago", "Eduardo", "André", "Leonardo", "Ricardo", "Vinícius",
    "Matheus", "Diego", "Fábio", "Luiz", "Sérgio",
)  # fmt: skip
SURNAMES: Final[tuple[str, ...]] = (
    "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima",
    "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes",
    "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques",
    "Machado", "Mendes", "Freitas", "Cardoso", "Ramos", "Gonçalves", "Santana", "Teixeira",
    "Moraes", "Batista", "Campos", "Correia", "Pinto",
)  # fmt: skip

SEXES: Final[tuple[str, ...]] = ("Masculino", "Feminino", "")
MARITAL: Final[tuple[str, ...]] = ("Solteiro", "Casado", "Divorciado", "União Estável", "")
SOURCES: Final[tuple[str, ...]] = (
    "Site de Empregos", "Indicação", "Anúncio", "Outros", "Redes Sociais", "",
)  # fmt: skip
REFERRALS: Final[tuple[str, ...]] = (
    "", "", "Site de Empregos: Portal de Vagas", "Indicação: Colaborador", "Anúncio: Jornal",
    "Outros: Evento",
)  # fmt: skip
SALARIES: Final[tuple[str, ...]] = (
    "", "", "R$ 4.500,00", "R$ 7.000,00", "R$ 9.500,00", "12000", "CLT 8.000,00 / PJ 70,00 hora",
    "A combinar", "R$ 15.000,00 mensal", "PJ 90/h",
)  # fmt: skip

# --- application statuses (situacao_candidado) -----------------------------------------------

#: Statuses that mean the applicant was hired (label 1), with relative weights.
HIRE_STATUSES: Final[tuple[tuple[str, float], ...]] = (
    ("Contratado pela Decision", 0.55), ("Contratado como Hunting", 0.08), ("Aprovado", 0.1),
    ("Proposta Aceita", 0.08), ("Documentação CLT", 0.08), ("Documentação PJ", 0.08),
    ("Documentação Cooperado", 0.03),
)  # fmt: skip

#: Statuses that mean the applicant was not hired (label 0), with relative weights.
REJECT_STATUSES: Final[tuple[tuple[str, float], ...]] = (
    ("Não Aprovado pelo Cliente", 0.32), ("Não Aprovado pelo RH", 0.18),
    ("Não Aprovado pelo Requisitante", 0.12), ("Recusado", 0.08), ("Desistiu", 0.14),
    ("Desistiu da Contratação", 0.06), ("Sem interesse nesta vaga", 0.10),
)  # fmt: skip

#: Statuses of applications still in progress (no label), with relative weights.
IN_PROGRESS_STATUSES: Final[tuple[tuple[str, float], ...]] = (
    ("Prospect", 0.3), ("Inscrito", 0.2), ("Encaminhado ao Requisitante", 0.25),
    ("Entrevista Técnica", 0.1), ("Entrevista com Cliente", 0.08), ("Em avaliação pelo RH", 0.07),
)  # fmt: skip

COMMENTS_HIRE: Final[tuple[str, ...]] = (
    "Contratado pelo cliente após entrevista.", "Proposta aceita, documentação enviada.",
    "Aprovado pelo gestor, início previsto para o próximo mês.", "Candidato aprovado.",
)  # fmt: skip
COMMENTS_REJECT: Final[tuple[str, ...]] = (
    "Cliente optou por outro candidato.", "Perfil não aderente à vaga.",
    "Candidato não retornou contato.", "Pretensão salarial acima do orçamento.",
    "Não compareceu à entrevista.", "Candidato aceitou outra proposta.",
)  # fmt: skip
COMMENTS_OPEN: Final[tuple[str, ...]] = (
    "Aguardando retorno do cliente.", "Currículo encaminhado ao requisitante.",
    "Entrevista agendada.", "Em análise pela equipe.", "Contato realizado por telefone.",
)  # fmt: skip

MODALITIES: Final[tuple[str, ...]] = ("", "", "", "CLT Full", "PJ/Autônomo", "Cooperado")

# --- filler text (must never contain a skill) ------------------------------------------------

SOFT_SKILLS_PT: Final[tuple[str, ...]] = (
    "Boa comunicação verbal e escrita", "Trabalho em equipe", "Proatividade",
    "Capacidade analítica", "Organização e foco em resultados", "Facilidade de aprendizado",
    "Perfil colaborativo", "Relacionamento interpessoal", "Disponibilidade para reuniões",
    "Autonomia e senso de dono", "Visão sistêmica", "Resiliência sob pressão",
)  # fmt: skip
SOFT_SKILLS_EN: Final[tuple[str, ...]] = (
    "Strong communication skills", "Team player", "Proactive attitude", "Analytical thinking",
    "Attention to detail", "Ownership and autonomy", "Good stakeholder management",
    "Willingness to learn", "Problem solving",
)  # fmt: skip
ACTIVITIES_PT: Final[tuple[str, ...]] = (
    "Levantamento de requisitos junto às áreas de negócio",
    "Elaboração de documentação técnica", "Participação em cerimônias do time",
    "Acompanhamento de indicadores", "Apoio à equipe de sustentação",
    "Análise e correção de incidentes", "Participação em projetos de melhoria contínua",
    "Interação com o cliente para entendimento das demandas", "Estimativa de esforço das tarefas",
    "Revisão de entregas de outros membros do time",
)  # fmt: skip
ACTIVITIES_EN: Final[tuple[str, ...]] = (
    "Gather requirements with business stakeholders", "Write technical documentation",
    "Take part in team ceremonies", "Support the operations team",
    "Analyse and fix incidents", "Estimate tasks and deliveries", "Review peers' work",
)  # fmt: skip
SKILL_INTROS_PT: Final[tuple[str, ...]] = (
    "Experiência com {}", "Conhecimento em {}", "Vivência com {}", "Domínio de {}",
    "Experiência sólida em {}", "Conhecimentos avançados em {}", "Desejável experiência em {}",
)  # fmt: skip
SKILL_INTROS_EN: Final[tuple[str, ...]] = (
    "Experience with {}", "Solid knowledge of {}", "Hands-on experience in {}",
    "Proficiency in {}", "Nice to have: {}",
)  # fmt: skip
JOB_ACTIVITY_WITH_SKILL_PT: Final[tuple[str, ...]] = (
    "Desenvolvimento e manutenção de soluções com {}", "Atuar em projetos utilizando {}",
    "Suporte e evolução de ambientes com {}", "Implantação de melhorias envolvendo {}",
)  # fmt: skip
JOB_ACTIVITY_WITH_SKILL_EN: Final[tuple[str, ...]] = (
    "Build and maintain solutions using {}", "Work on projects based on {}",
    "Support and evolve environments running {}",
)  # fmt: skip
CV_SUMMARIES: Final[tuple[str, ...]] = (
    "Profissional com {} anos de experiência na área de tecnologia",
    "Atuação de {} anos em consultorias e empresas de grande porte",
    "Carreira de {} anos com foco em entregas de qualidade",
)  # fmt: skip
CV_OBJECTIVES: Final[tuple[str, ...]] = (
    "Atuar na área de tecnologia contribuindo com minha experiência",
    "Busco novos desafios profissionais", "Crescimento profissional em uma empresa sólida",
    "Oportunidade de recolocação no mercado", "",
)  # fmt: skip
CV_TASK_WITH_SKILL: Final[tuple[str, ...]] = (
    "Desenvolvimento de rotinas com {}", "Atuação em projetos com {}",
    "Manutenção de sistemas em {}", "Implantação e suporte de {}", "Uso diário de {}",
    "Participação na migração para {}",
)  # fmt: skip
CV_TASKS: Final[tuple[str, ...]] = (
    "Atendimento a usuários e levantamento de necessidades", "Elaboração de relatórios gerenciais",
    "Participação em reuniões de acompanhamento", "Treinamento de novos colaboradores",
    "Documentação de processos", "Análise de incidentes e problemas",
    "Apoio na definição de prioridades do time", "Homologação de entregas com o cliente",
    "Mapeamento de processos de negócio", "Gestão de chamados e acordos de nível de serviço",
    "Acompanhamento de cronogramas e entregas", "Elaboração de planos de teste",
    "Apoio a auditorias internas", "Participação em comitês de mudança",
    "Interface entre as áreas de negócio e o time técnico", "Melhoria de desempenho de rotinas",
    "Condução de reuniões diárias com o time", "Elaboração de manuais para usuários",
)  # fmt: skip
CV_EXTRA_COURSES: Final[tuple[str, ...]] = (
    "Gestão de Projetos (40h)", "Metodologias Ágeis (16h)", "Lógica de Programação (60h)",
    "Modelagem de Dados (32h)", "Segurança da Informação (20h)", "Governança de TI (24h)",
    "Liderança e Comunicação (12h)", "Arquitetura de Software (40h)",
)  # fmt: skip
CV_ADDITIONAL: Final[tuple[str, ...]] = (
    "Disponibilidade para viagens", "CNH categoria B", "Disponibilidade para início imediato",
    "Trabalho voluntário em organização social", "Preferência por modelo híbrido",
)  # fmt: skip
CV_SUMMARIES_EN: Final[tuple[str, ...]] = (
    "Professional with {} years of experience in technology",
    "Consultant with {} years of experience in large companies",
)  # fmt: skip
CV_TASK_WITH_SKILL_EN: Final[tuple[str, ...]] = (
    "Worked with {}", "Built and supported systems with {}", "Daily use of {}",
)  # fmt: skip
COMPANY_ROLES: Final[tuple[str, ...]] = (
    "Analista", "Consultor", "Desenvolvedor", "Estagiário", "Analista Sênior", "Coordenador",
    "Técnico", "Assistente",
)  # fmt: skip

#: Every filler / metadata word list, for the test that no skill leaks into them. The published
#: area "TI - SAP" is the one exception in the data: it names a skill, but areas are never read
#: for skills (only ``competencia_tecnicas_e_comportamentais``, ``conhecimentos_tecnicos``, CVs).
FILLER_POOLS: Final[dict[str, tuple[str, ...]]] = {
    "OTHER_AREAS": OTHER_AREAS, "OTHER_TITLES": OTHER_TITLES, "REGIONS": REGIONS,
    "NEIGHBOURHOODS": NEIGHBOURHOODS, "OTHER_LANGUAGES": OTHER_LANGUAGES,
    "ACADEMIC_LEVELS": ACADEMIC_LEVELS, "COURSES": COURSES, "INSTITUTIONS": INSTITUTIONS,
    "CERTIFICATIONS": CERTIFICATIONS, "CONTRACT_TYPES": CONTRACT_TYPES, "PRIORITIES": PRIORITIES,
    "OBJECTIVES": OBJECTIVES, "ORIGINS": ORIGINS, "DEADLINES": DEADLINES, "DIVISIONS": DIVISIONS,
    "SCHEDULES": SCHEDULES, "EQUIPMENT": EQUIPMENT, "TRAVEL": TRAVEL,
    "OBSERVATIONS": OBSERVATIONS, "SALE_VALUES": SALE_VALUES, "BUY_VALUES": BUY_VALUES,
    "COMPANY_SUFFIXES": COMPANY_SUFFIXES, "COMPANY_PREFIXES": COMPANY_PREFIXES,
    "FIRST_NAMES": FIRST_NAMES, "SURNAMES": SURNAMES, "SEXES": SEXES, "MARITAL": MARITAL,
    "SOURCES": SOURCES, "REFERRALS": REFERRALS, "SALARIES": SALARIES,
    "COMMENTS_HIRE": COMMENTS_HIRE, "COMMENTS_REJECT": COMMENTS_REJECT,
    "COMMENTS_OPEN": COMMENTS_OPEN, "MODALITIES": MODALITIES, "SOFT_SKILLS_PT": SOFT_SKILLS_PT,
    "SOFT_SKILLS_EN": SOFT_SKILLS_EN, "ACTIVITIES_PT": ACTIVITIES_PT,
    "ACTIVITIES_EN": ACTIVITIES_EN, "SKILL_INTROS_PT": SKILL_INTROS_PT,
    "SKILL_INTROS_EN": SKILL_INTROS_EN, "JOB_ACTIVITY_WITH_SKILL_PT": JOB_ACTIVITY_WITH_SKILL_PT,
    "JOB_ACTIVITY_WITH_SKILL_EN": JOB_ACTIVITY_WITH_SKILL_EN, "CV_SUMMARIES": CV_SUMMARIES,
    "CV_OBJECTIVES": CV_OBJECTIVES, "CV_TASK_WITH_SKILL": CV_TASK_WITH_SKILL,
    "CV_TASKS": CV_TASKS, "CV_EXTRA_COURSES": CV_EXTRA_COURSES, "CV_ADDITIONAL": CV_ADDITIONAL,
    "CV_SUMMARIES_EN": CV_SUMMARIES_EN,
    "CV_TASK_WITH_SKILL_EN": CV_TASK_WITH_SKILL_EN, "COMPANY_ROLES": COMPANY_ROLES,
    "STATE_NAMES": STATE_NAMES, "CITIES": tuple(c for _, cs in STATES.values() for c in cs),
    "PROFILE_TITLES": tuple(t for p in PROFILES.values()
                                                  for t in p["titles"]),
    "JOB_LEVELS": tuple(v for v, _ in JOB_LEVELS),
    "APPLICANT_LEVELS": tuple(v for v, _ in APPLICANT_LEVELS),
    "LANGUAGE_LEVELS": tuple(LANGUAGE_ORDER),
    "STATUSES": tuple(s for s, _ in HIRE_STATUSES + REJECT_STATUSES + IN_PROGRESS_STATUSES),
}  # fmt: skip
