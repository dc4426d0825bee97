"""The MLflow model registry's REST API, as the deploy Lambda calls it to move the champion.

Standard library and botocore only (what the Lambda runtime has): the deploy zip carries no
MLflow. A SageMaker managed tracking server is reached the way the ``sagemaker-mlflow`` plugin
reaches it: ``https://<region>.experiments.sagemaker.aws/api/2.0/mlflow/...``, the server's ARN
in the ``x-mlflow-sm-tracking-server-arn`` header, requests signed with SigV4 for the service
``sagemaker-mlflow`` (IAM actions ``sagemaker-mlflow:GetModelVersion``, ``SetModelVersionTag``,
``SetRegisteredModelAlias`` on the server). Any other MLflow server is reached at its URL,
unsigned (the tests run a real ``mlflow server``).

`MlflowRegistry.promote` does what ``tracking.registry.approve`` does with the MLflow client:
the version's ``approval_status`` tag becomes ``Approved`` and the ``champion`` alias moves to it.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

API = "/api/2.0/mlflow"
SIGNING_SERVICE = "sagemaker-mlflow"
ARN_HEADER = "x-mlflow-sm-tracking-server-arn"
CHAMPION_ALIAS = "champion"
APPROVAL_TAG = "approval_status"
APPROVED = "Approved"
TRACKING_SERVER_ARN = re.compile(
    r"^arn:(?P<partition>aws|aws-us-gov):sagemaker:(?P<region>[a-z0-9-]+):[0-9]{12}:"
    r"mlflow-tracking-server/\S+$"
)
# The plugin's DNS suffix for the partitions it supports (sagemaker_mlflow, 0.5).
DNS_SUFFIX = {"aws": "aws", "aws-us-gov": "aws"}

Opener = Callable[..., Any]


class RegistryError(RuntimeError):
    """The registry refused a call or could not be reached; the message says which and why."""

    def __init__(self, message: str, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class MlflowRegistry:
    """Registered models and versions on one MLflow server (REST API 2.0)."""

    def __init__(
        self,
        base_url: str,
        headers: Mapping[str, str] | None = None,
        credentials: Any = None,
        region: str | None = None,
        opener: Opener = urllib.request.urlopen,
        timeout: float = 15.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self.credentials = credentials
        self.region = region
        self.opener = opener
        self.timeout = timeout

    @classmethod
    def for_tracking_server(
        cls, arn: str, credentials: Any, opener: Opener = urllib.request.urlopen
    ) -> MlflowRegistry:
        """The registry of a SageMaker managed tracking server, with SigV4-signed requests."""
        match = TRACKING_SERVER_ARN.match(arn)
        if not match:
            raise ValueError(f"{arn!r} is not the ARN of a SageMaker MLflow tracking server")
        region = match.group("region")
        base_url = f"https://{region}.experiments.sagemaker.{DNS_SUFFIX[match.group('partition')]}"
        return cls(base_url, {ARN_HEADER: arn}, credentials, region, opener)

    def _signed_headers(self, method: str, url: str, body: bytes) -> dict[str, str]:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        headers = {**self.headers, "X-Amz-Content-SHA256": hashlib.sha256(body).hexdigest()}
        if body:
            headers["Content-Type"] = "application/json"
        request = AWSRequest(method=method, url=url, data=body, headers=headers)
        SigV4Auth(self.credentials, SIGNING_SERVICE, self.region).add_auth(request)
        return dict(request.headers.items())

    def call(self, method: str, path: str, body: Mapping[str, Any] | None = None, **query: str):
        """One REST call; its JSON answer, or `RegistryError` with MLflow's error code."""
        url = f"{self.base_url}{API}/{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query, quote_via=urllib.parse.quote)
        data = json.dumps(body).encode() if body is not None else b""
        if self.credentials is not None:
            headers = self._signed_headers(method, url, data)
        else:
            headers = {**self.headers, **({"Content-Type": "application/json"} if data else {})}
        request = urllib.request.Request(url, data=data or None, headers=headers, method=method)
        try:
            with self.opener(request, timeout=self.timeout) as response:
                text = response.read().decode() or "{}"
        except urllib.error.HTTPError as error:
            raise _registry_error(method, path, error) from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            message = f"MLflow {method} {path}: cannot reach {self.base_url}: {error}"
            raise RegistryError(message) from error
        return json.loads(text)

    def model_version(self, name: str, version: str) -> dict:
        return self.call("GET", "model-versions/get", name=name, version=version)["model_version"]

    def champion_version(self, name: str) -> str | None:
        model = self.call("GET", "registered-models/get", name=name)["registered_model"]
        aliases = {a["alias"]: str(a["version"]) for a in model.get("aliases", [])}
        return aliases.get(CHAMPION_ALIAS)

    def promote(self, name: str, version: str) -> str | None:
        """Approve ``version`` and make it the champion; returns the previous champion."""
        self.model_version(name, version)  # a version that does not exist is an error here
        previous = self.champion_version(name)
        self.call(
            "POST",
            "model-versions/set-tag",
            {"name": name, "version": version, "key": APPROVAL_TAG, "value": APPROVED},
        )
        self.call(
            "POST",
            "registered-models/alias",
            {"name": name, "alias": CHAMPION_ALIAS, "version": version},
        )
        return previous


def _registry_error(method: str, path: str, error: urllib.error.HTTPError) -> RegistryError:
    try:
        details = json.loads(error.read().decode() or "{}")
    except (ValueError, OSError):
        details = {}
    code = str(details.get("error_code", ""))
    message = " ".join(str(details.get("message", error.reason)).split())
    return RegistryError(
        f"MLflow {method} {path} answered {error.code} {code}: {message}".strip(),
        status=error.code,
        code=code,
    )
