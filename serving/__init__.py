"""The scoring API: FastAPI app, Lambda handler, model loader (imports ``features`` only).

- ``serving.app``: ``create_app()``, the API (health, model, score, rank) and its error shape.
- ``serving.handler``: ``handler(event, context)``, the Lambda entry point (API Gateway HTTP API).
- ``serving.model``: loads the approved model once, from a folder, an archive or S3.
- ``serving.scoring``: records or stored profiles to features, probabilities and contributions.
- ``python -m serving``: the API on uvicorn for local use (``make serve``).
"""
