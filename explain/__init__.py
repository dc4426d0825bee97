"""Recruiter-facing explanations of a match score, in Portuguese (pt-BR).

One entry point, ``Explainer.explain(probability, contributions)``: the model's largest
contributions become *factors*; an LLM (Amazon Bedrock's Converse API, or a SageMaker endpoint)
writes a few sentences from them with a prompt kept in Langfuse (a copy ships here as the
fallback), and the answer is checked against the factors (``grounding``). Without an LLM, or
when its answer is invalid, late or failed, the deterministic template (``template``) writes the
explanation and the result says why. Every LLM call is traced to Langfuse when it is
configured.

Only feature names, values and contributions reach the prompt: never a record's text, so no
name, e-mail, phone, CPF, address or CV text is sent to a model or traced. This package imports
nothing of the pipeline or of serving; boto3 and langfuse are imported only when configured.
"""

from explain.factors import Factor, factors_from_contributions
from explain.service import Explainer, Explanation, build_explainer
from explain.settings import ExplainSettings

__all__ = [
    "ExplainSettings",
    "Explainer",
    "Explanation",
    "Factor",
    "build_explainer",
    "factors_from_contributions",
]
