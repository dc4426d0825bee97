"""What the explanations need to know: which LLM, its budget, and where Langfuse is.

Filled by the caller (serving reads it from ``MATCH_EXPLAIN_*`` and ``MATCH_LANGFUSE_*``
environment variables). The defaults configure no LLM and no Langfuse: the template answers,
with no network call.
"""

from __future__ import annotations

from dataclasses import dataclass

BACKENDS = ("", "bedrock", "sagemaker")


@dataclass(frozen=True)
class ExplainSettings:
    #: "" (the template only), "bedrock" or "sagemaker"
    backend: str = ""
    #: Bedrock model id, inference profile id or ARN
    model_id: str = ""
    #: SageMaker endpoint (and inference component, when the endpoint hosts several)
    endpoint_name: str = ""
    inference_component: str = ""
    region: str | None = None
    #: seconds for one explanation's LLM work, prompt fetch included; then the template answers
    timeout_s: float = 6.0
    max_attempts: int = 3
    max_tokens: int = 400
    #: USD per 1,000 tokens, for the traced cost (Langfuse can also price known models itself)
    input_price_per_1k: float | None = None
    output_price_per_1k: float | None = None
    langfuse_host: str = ""
    langfuse_public_key: str = ""
    langfuse_secret_key: str = ""
    #: a Secrets Manager secret holding {"public_key", "secret_key"} (read on first use)
    langfuse_secret_arn: str = ""
    langfuse_environment: str = ""
    prompt_name: str = "match-explanation"
    prompt_label: str = "production"
    prompt_cache_ttl_s: int = 300
    #: the longest a trace export may hold a response back (the rest is sent later)
    flush_timeout_s: float = 1.0

    @property
    def llm_configured(self) -> bool:
        return self.backend != ""

    @property
    def langfuse_configured(self) -> bool:
        keys = bool(self.langfuse_public_key and self.langfuse_secret_key)
        return bool(self.langfuse_host) and (keys or bool(self.langfuse_secret_arn))
