"""The structured answer a model must give, and its JSON schema (the tool's input schema).

``{"explanation": "...", "cited_factors": [{"feature": "skill_coverage", "direction":
"favorece"}, ...]}``. Pydantic validates the shape and the bounds; ``grounding`` then checks the
answer against the factors that were sent.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

TOOL_NAME = "registrar_explicacao"
TOOL_DESCRIPTION = (
    "Registra a explicação para o recrutador e os fatores que ela cita, cada um com a direção "
    "do seu efeito."
)
MAX_EXPLANATION_CHARS = 1200


class CitedFactor(BaseModel):
    model_config = ConfigDict(extra="forbid")

    feature: str = Field(description="o identificador do fator, exatamente como foi listado")
    direction: Literal["favorece", "desfavorece"]


class StructuredAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    explanation: str = Field(
        min_length=20,
        max_length=MAX_EXPLANATION_CHARS,
        description="duas a quatro frases em português do Brasil para o recrutador",
    )
    cited_factors: list[CitedFactor] = Field(min_length=1, max_length=20)


class AnswerError(ValueError):
    """The model's answer is not the structured answer (the reason never quotes it)."""


def answer_schema() -> dict[str, Any]:
    """JSON schema of the answer, inlined (no ``$defs``: some model APIs refuse references)."""
    schema = StructuredAnswer.model_json_schema()
    definitions = schema.pop("$defs", {})
    items = schema["properties"]["cited_factors"]["items"]
    reference = items.pop("$ref").rsplit("/", 1)[-1]
    items.update(definitions[reference])
    return schema


def parse_answer(data: Any) -> StructuredAnswer:
    """A dict (tool input) or JSON text -> the answer; ``AnswerError`` saying what is wrong."""
    try:
        if isinstance(data, str | bytes):
            return StructuredAnswer.model_validate_json(data)
        return StructuredAnswer.model_validate(data)
    except ValidationError as error:
        problems = error.errors(include_input=False, include_url=False, include_context=False)
        where = ", ".join(
            f"{'.'.join(map(str, p['loc'])) or 'answer'}: {p['type']}" for p in problems[:3]
        )
        raise AnswerError(f"the answer does not fit the schema ({where})") from None


def schema_json() -> str:
    return json.dumps(answer_schema(), ensure_ascii=False)
