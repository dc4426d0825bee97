"""Structured logs, X-Ray traces and latency metrics through Powertools for AWS Lambda.

Every log line is JSON with the service name; request lines add the request id and the model
version. Nothing from a request body is ever logged: records carry personal data (names,
e-mails, phones, CPF). Tracing switches itself off outside Lambda; metrics (CloudWatch EMF)
are flushed by the Lambda handler and are off when the app runs under uvicorn.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = "match-scoring"
NAMESPACE = "MatchScoring"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


def record_request_metrics(route: str, status: int, latency_ms: float, scored: int) -> None:
    """Latency per route, plus how many pairs were scored (for rank sizes)."""
    metrics.add_dimension(name="route", value=route)
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=latency_ms)
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    if status >= 500:
        metrics.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=1)
    elif status >= 400:
        metrics.add_metric(name="ClientErrors", unit=MetricUnit.Count, value=1)
    if scored:
        metrics.add_metric(name="PairsScored", unit=MetricUnit.Count, value=scored)
