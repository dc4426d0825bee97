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
