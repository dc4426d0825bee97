"""AWS errors as one line that says what to fix.

The AWS target never shows a traceback for something the user can set right: a bucket that
does not exist, a role SageMaker refuses, missing or rejected credentials, a region that is
not one. `explain` turns botocore's exceptions into such a line; `AwsSetupError` carries it to
the command line, which prints ``error: <line>`` and exits 2.
"""

from __future__ import annotations

import re

from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    SSOError,
    TokenRetrievalError,
)

from pipelines.config import Settings

CREDENTIALS_HINT = (
    "set AWS_PROFILE (after `aws sso login`) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
)
REJECTED_CREDENTIALS = {
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidAccessKeyId",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
}
ACCESS_DENIED = {"AccessDenied", "AccessDeniedException"}
PIPELINE_CALLS = {"CreatePipeline", "UpdatePipeline"}


class AwsSetupError(RuntimeError):
    """Something about the AWS account or settings must be fixed; the message says what."""


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


def _role_refused(operation: str, code: str, message: str) -> bool:
    lowered = message.lower()
    if operation not in PIPELINE_CALLS:
        return False
    if code in ACCESS_DENIED:
        return "passrole" in lowered or "role" in lowered
    return code == "ValidationException" and "role" in lowered


def pipeline_missing(error: ClientError) -> bool:
    """Whether the error says the pipeline does not exist."""
    details = error.response.get("Error", {})
    # SageMaker answers ResourceNotFound; moto a ValidationException "Could not find pipeline".
    return (
        details.get("Code") == "ResourceNotFound"
        or "could not find pipeline" in str(details.get("Message", "")).lower()
    )


def explain_client_error(error: ClientError, settings: Settings) -> str:
    details = error.response.get("Error", {})
    code = str(details.get("Code", "Unknown"))
    message = one_line(details.get("Message", ""))
    operation = error.operation_name
    if code == "NoSuchBucket":
        bucket = details.get("BucketName", "")
        return (
            f"bucket {bucket} does not exist in this account: create the buckets "
            f"(terraform apply) or set MATCH_BUCKET_PREFIX (now {settings.bucket_prefix!r})"
        )
    if _role_refused(operation, code, message):
        return (
            f"SageMaker refused the pipeline role {settings.role_arn} ({code}: {message}): set "
            "MATCH_ROLE_ARN to the execution role from `terraform output` and allow "
            "iam:PassRole on it"
        )
    if code in REJECTED_CREDENTIALS:
        return f"AWS rejected the credentials ({code}: {message}): {CREDENTIALS_HINT}"
    if code in ACCESS_DENIED:
        return (
            f"not allowed to call {operation} ({message}): give the identity running this "
            "that permission, or use one that has it"
        )
    if pipeline_missing(error):
        return (
            f"pipeline {settings.pipeline_name} does not exist in {settings.region}: create it "
            'with `make pipeline-run TARGET=aws AWS_ARGS="--upsert-only"`'
        )
    return f"{operation} failed ({code}): {message}"


def explain(error: Exception, settings: Settings) -> str:
    """One line for an AWS error: what went wrong and what to change."""
    if isinstance(error, ClientError):
        return explain_client_error(error, settings)
    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return f"no usable AWS credentials ({one_line(error)}): {CREDENTIALS_HINT}"
    if isinstance(error, SSOError | TokenRetrievalError):
        return f"the AWS SSO session is not valid ({one_line(error)}): run `aws sso login`"
    if isinstance(error, EndpointConnectionError):
        return (
            f"cannot reach {error.kwargs.get('endpoint_url', 'AWS')}: check MATCH_REGION "
            f"(now {settings.region!r}) and the network"
        )
    return one_line(error)
