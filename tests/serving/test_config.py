from __future__ import annotations

import pytest

from serving.config import ConfigError, ServingConfig, load_config


def test_defaults_need_no_environment() -> None:
    config = load_config({})
    assert config == ServingConfig(model_uri=config.model_uri)
    assert config.jobs_group == "datathon-mlet03-match-jobs"
    assert config.applicants_group == "datathon-mlet03-match-applicants"


def test_values_come_from_match_variables() -> None:
    config = load_config(
        {
            "MATCH_MODEL_URI": "s3://bucket/model.tar.gz",
            "MATCH_MODEL_VERSION": "3",
            "MATCH_ONLINE_STORE": "sagemaker",
            "MATCH_FEATURE_GROUP_PREFIX": "staging-match",
            "MATCH_MAX_RANK_APPLICANTS": "200",
            "MATCH_MAX_BODY_BYTES": "1000",
            "AWS_REGION": "sa-east-1",
        }
    )
    assert config.model_uri == "s3://bucket/model.tar.gz" and config.model_version == "3"
    assert config.jobs_group == "staging-match-jobs" and config.region == "sa-east-1"
    assert (config.max_rank_applicants, config.max_body_bytes) == (200, 1000)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MATCH_MAX_RANK_APPLICANTS": "many"}, "MATCH_MAX_RANK_APPLICANTS must be a whole"),
        ({"MATCH_MAX_BODY_BYTES": "0"}, "MATCH_MAX_BODY_BYTES must be at least 1"),
        ({"MATCH_ONLINE_STORE": "redis://x"}, "MATCH_ONLINE_STORE must be empty"),
        ({"MATCH_MODEL_RETRY_SECONDS": "-1"}, "must not be negative"),
    ],
)
def test_bad_values_name_the_variable(env: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(env)


def test_explain_defaults_to_the_template_and_no_langfuse() -> None:
    settings = load_config({}).explain
    assert not settings.llm_configured and not settings.langfuse_configured


def test_explain_settings_come_from_match_variables() -> None:
    settings = load_config(
        {
            "MATCH_EXPLAIN_BACKEND": "Bedrock",
            "MATCH_EXPLAIN_MODEL_ID": "us.anthropic.claude-3-5-haiku-20241022-v1:0",
            "MATCH_EXPLAIN_TIMEOUT_SECONDS": "4.5",
            "MATCH_EXPLAIN_INPUT_PRICE_PER_1K": "0.0008",
            "MATCH_LANGFUSE_HOST": "https://langfuse.internal.example.com",
            "MATCH_LANGFUSE_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:1:secret:lf",
            "AWS_REGION": "us-east-1",
        }
    ).explain
    assert (settings.backend, settings.timeout_s, settings.region) == ("bedrock", 4.5, "us-east-1")
    assert settings.input_price_per_1k == 0.0008 and settings.output_price_per_1k is None
    assert settings.llm_configured and settings.langfuse_configured


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MATCH_EXPLAIN_BACKEND": "openai"}, "MATCH_EXPLAIN_BACKEND must be empty"),
        ({"MATCH_EXPLAIN_BACKEND": "bedrock"}, "needs MATCH_EXPLAIN_MODEL_ID"),
        ({"MATCH_EXPLAIN_BACKEND": "sagemaker"}, "needs MATCH_EXPLAIN_ENDPOINT_NAME"),
        ({"MATCH_LANGFUSE_HOST": "langfuse:3000"}, "MATCH_LANGFUSE_HOST must be an http"),
        ({"MATCH_EXPLAIN_TIMEOUT_SECONDS": "0"}, "must be more than 0"),
        ({"MATCH_EXPLAIN_OUTPUT_PRICE_PER_1K": "cheap"}, "must be a price"),
    ],
)
def test_bad_explain_values_name_the_variable(env: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(env)


def test_ocr_engine_defaults_to_none_and_refuses_an_unknown_name() -> None:
    assert load_config({"MATCH_MODEL_URI": "m"}).ocr_engine == "none"
    assert load_config({"MATCH_MODEL_URI": "m", "MATCH_OCR_ENGINE": "textract"}).ocr_engine == (
        "textract"
    )
    with pytest.raises(ConfigError, match="MATCH_OCR_ENGINE must be one of none, rapidocr"):
        load_config({"MATCH_MODEL_URI": "m", "MATCH_OCR_ENGINE": "tesseract"})
