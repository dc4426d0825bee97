"""One error shape for every failure, and the guard that refuses bad requests before parsing.

Every error is ``{"error": {"code", "message", "field", "details"}}`` with a 4xx status for a
bad request (``field`` says where: ``body.job.perfil_vaga.nivel_ingles``, ``header.content-type``)
and 503 while the model or the feature store is unavailable. Validation messages never echo
the submitted values, and no exception text or stack trace reaches a client.
"""

from __future__ import annotations

import re
import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from serving.observability import logger

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
#: Validation problems listed in an error's ``details``; the message gives the total.
MAX_DETAILS = 10
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "body_too_large",
    415: "unsupported_media_type",
}


class ApiError(Exception):
    """An error the API reports as is: status, code, message and the field at fault."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def error_body(
    code: str, message: str, field: str | None = None, details: Sequence[dict] = ()
) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field, "details": list(details)}}


def error_response(
    status: int, code: str, message: str, field: str | None = None, details: Sequence[dict] = ()
) -> JSONResponse:
    return JSONResponse(error_body(code, message, field, details), status_code=status)


def field_path(location: Sequence[str | int]) -> str:
    """``("body", "applicants", 3, "applicant")`` -> ``body.applicants[3].applicant``."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _validation_details(problems: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    # Only where, what and the rule: pydantic's "input" would echo personal data back.
    return [
        {"field": field_path(e.get("loc", ())), "message": e.get("msg", ""), "type": e["type"]}
        for e in problems
    ]


async def _on_validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    """422 with the first problem in the message and the first ``MAX_DETAILS`` in details.

    The body stays small whatever was sent: the total is counted, not listed.
    """
    problems = error.errors()
    if any(problem["type"] == "json_invalid" for problem in problems):
        return error_response(400, "malformed_json", "the body is not valid JSON", "body")
    details = _validation_details(problems[:MAX_DETAILS])
    first = details[0] if details else {"field": "body", "message": "invalid request"}
    message = f"{first['field']}: {first['message']}"
    if len(problems) > MAX_DETAILS:
        message += f" ({len(problems):,} problems; details lists the first {MAX_DETAILS})"
    return error_response(422, "validation_error", message, first["field"], details)


async def _on_api_error(request: Request, error: ApiError) -> JSONResponse:
    return error_response(error.status, error.code, error.message, error.field)


async def _on_http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
    if error.status_code == 400:
        # FastAPI's own body decoding failed (bad UTF-8, a charset, nesting too deep ...).
        return error_response(400, "malformed_json", "the body cannot be read as JSON", "body")
    code = _HTTP_CODES.get(error.status_code, "http_error")
    message = error.detail if isinstance(error.detail, str) else code.replace("_", " ")
    return error_response(error.status_code, code, message)


def log_unexpected(error: BaseException) -> None:
    """Type and frames only: an exception's message may quote a record's personal data."""
    logger.error(
        "unhandled error",
        extra={
            "error_type": type(error).__name__,
            "trace": "".join(traceback.format_tb(error.__traceback__)),
        },
    )


def internal_error(request_id: str) -> JSONResponse:
    return error_response(
        500, "internal_error", f"internal error; quote request id {request_id} when reporting it"
    )


async def _on_unexpected_error(request: Request, error: Exception) -> JSONResponse:
    # Fallback behind RequestGuard, which answers (with the request id) first.
    log_unexpected(error)
    return internal_error(request.scope.get("state", {}).get("request_id", ""))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected_error)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def request_id_of(scope: Scope) -> str:
    """Lambda's request id, else a well-formed ``X-Request-Id`` header, else a new one."""
    context = scope.get("aws.context")
    if context is not None and getattr(context, "aws_request_id", None):
        return str(context.aws_request_id)
    given = _header(scope, b"x-request-id")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


RequestObserver = Callable[[str, int, float, int], None]


class RequestGuard:
    """ASGI middleware: request id, size and media-type checks, one access-log line.

    The body is read here, up to ``max_body_bytes`` and no further, then replayed to the app:
    an oversized body is refused with 413 before any parsing, whether or not it declared its
    length.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int,
        model_version: Callable[[], str | None],
        observe: RequestObserver | None = None,
    ) -> None:
        self.app, self.max_body_bytes = app, max_body_bytes
        self.model_version, self.observe = model_version, observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_of(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        status = {"code": 500, "started": False}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"], status["started"] = message["status"], True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        with logger.append_context_keys(request_id=request_id):
            refusal, replay = await self._check(scope, receive)
            if refusal is not None:
                await refusal(scope, replay, send_with_id)
            else:
                await self._call_app(scope, replay, send_with_id, status)
            self._log(scope, status["code"], started)

    async def _call_app(self, scope: Scope, receive: Receive, send: Send, status: dict) -> None:
        """Run the app; an exception becomes a 500 in the error shape, with the request id."""
        try:
            await self.app(scope, receive, send)
        except Exception as error:
            log_unexpected(error)
            if status["started"]:
                raise
            await internal_error(scope["state"]["request_id"])(scope, receive, send)

    async def _check(self, scope: Scope, receive: Receive) -> tuple[JSONResponse | None, Receive]:
        if scope["method"] not in _BODY_METHODS:
            return None, receive
        content_type = _header(scope, b"content-type")
        if not _is_json(content_type):
            return (
                error_response(
                    415,
                    "unsupported_media_type",
                    "send the body as JSON with Content-Type: application/json",
                    "header.content-type",
                ),
                receive,
            )
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            return self._too_large(), receive
        body, complete = await self._read_body(receive)
        if not complete:
            return self._too_large(), receive
        return None, _replay(body, receive)

    def _too_large(self) -> JSONResponse:
        return error_response(
            413,
            "body_too_large",
            f"the body is larger than {self.max_body_bytes} bytes; send fewer applicants",
            "body",
        )

    async def _read_body(self, receive: Receive) -> tuple[bytes, bool]:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return b"".join(chunks), True
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return b"", False
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), True

    def _log(self, scope: Scope, status: int, started: float) -> None:
        latency_ms = (time.perf_counter() - started) * 1000
        route = scope.get("route")
        route_path = getattr(route, "path", None) or "unmatched"
        scored = int(scope.get("state", {}).get("pairs_scored", 0))
        logger.info(
            "request",
            extra={
                "method": scope["method"],
                "route": route_path,
                "status": status,
                "latency_ms": round(latency_ms, 3),
                "pairs_scored": scored,
                "model_version": self.model_version(),
            },
        )
        if self.observe is not None:
            self.observe(route_path, status, latency_ms, scored)


def _replay(body: bytes, receive: Receive) -> Receive:
    """Hand the buffered body to the app, then pass on the server's own messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
