"""The AWS target's clients, made in one place.

One boto3 session for the settings' region; every client retries throttling and transient
errors in botocore's standard mode with up to 10 attempts. The region and the credentials are
checked here, before any call, so that a typo or a missing login is one line, not a timeout.
Tests pass their own `AwsClients` (or an ``endpoint_url``) instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from pipelines.aws.errors import CREDENTIALS_HINT, AwsSetupError
from pipelines.config import Settings

RETRIES = {"mode": "standard", "max_attempts": 10}


@dataclass(frozen=True)
class AwsClients:
    """The clients the AWS target calls: S3 for data, code and results; SageMaker for the rest."""

    s3: Any
    sagemaker: Any


def client_config() -> Config:
    return Config(retries=dict(RETRIES), user_agent_extra="datathon-mlet03-pipelines")


def known_regions(session: boto3.Session) -> set[str]:
    """The regions SageMaker is in, in every partition botocore knows (offline)."""
    return {
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("sagemaker", partition_name=partition)
    }


def make_clients(settings: Settings, endpoint_url: str | None = None) -> AwsClients:
    """Clients for ``settings.region``; raises `AwsSetupError` for a bad region or no login."""
    session = boto3.Session(region_name=settings.region)
    if settings.region not in known_regions(session):
        raise AwsSetupError(
            f"MATCH_REGION={settings.region!r} is not a region SageMaker is in: "
            "set it to one such as us-east-1"
        )
    if session.get_credentials() is None:
        raise AwsSetupError(f"no AWS credentials found: {CREDENTIALS_HINT}")
    config = client_config()
    return AwsClients(
        s3=session.client("s3", config=config, endpoint_url=endpoint_url),
        sagemaker=session.client("sagemaker", config=config, endpoint_url=endpoint_url),
    )
