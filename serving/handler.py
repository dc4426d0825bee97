"""Lambda entry point: API Gateway HTTP API (payload format 2.0) events to the FastAPI app.

Mangum adapts the events (base64 bodies included) to ASGI; Powertools adds the Lambda context
to the logs (correlation id: the API Gateway request id), traces the invocation in X-Ray and
flushes the request metrics. The app and its model are built once per container, at import,
so the model load is part of the cold start and never repeated.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from mangum import Mangum

from serving.app import create_app, freeze_startup_objects
from serving.observability import logger, metrics, tracer

app = create_app(metrics_enabled=True)
_asgi = Mangum(app, lifespan="off")
freeze_startup_objects()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return _asgi(event, context)
