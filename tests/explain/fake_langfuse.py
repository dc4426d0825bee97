"""A Langfuse server on the loopback interface, for tests: the routes the SDK calls.

The routes and bodies follow Langfuse's public OpenAPI document (``web/public/generated/api/
openapi.yml`` in the langfuse repository, server v4): ``GET /api/public/health``,
``GET /api/public/v2/prompts/{promptName}`` (``label``, ``version``), ``POST /api/public/v2/
prompts`` (a new version; its labels move to it) and ``POST /api/public/otel/v1/traces`` (OTLP/
HTTP: protobuf or JSON, gzip or not). Every route needs HTTP Basic authentication with the
project's public and secret key (401 otherwise). Prompt bodies are checked against the
document's ``ChatPrompt`` schema (the fields it requires, transcribed below) before they are
sent, and create requests against ``CreateChatPromptRequest``. Received spans are decoded and
kept, with their attributes, for the tests to read.
"""

from __future__ import annotations

import base64
import gzip
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import jsonschema
from google.protobuf.json_format import Parse
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

SERVER_VERSION = "4.59.0"
_CHAT_MESSAGE = {
    "type": "object",
    "properties": {"role": {"type": "string"}, "content": {"type": "string"}},
    "required": ["role", "content"],
}
#: components.schemas.ChatPrompt (with BasePrompt) of the OpenAPI document
CHAT_PROMPT_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"enum": ["chat"]},
        "name": {"type": "string"},
        "version": {"type": "integer"},
        "config": {},
        "labels": {"type": "array", "items": {"type": "string"}},
        "tags": {"type": "array", "items": {"type": "string"}},
        "commitMessage": {"type": ["string", "null"]},
        "prompt": {"type": "array", "items": _CHAT_MESSAGE},
    },
    "required": ["type", "name", "version", "config", "labels", "tags", "prompt"],
}
#: components.schemas.CreateChatPromptRequest
CREATE_CHAT_PROMPT_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "prompt": {"type": "array", "items": _CHAT_MESSAGE},
        "config": {},
        "type": {"enum": ["chat"]},
        "labels": {"type": ["array", "null"], "items": {"type": "string"}},
        "tags": {"type": ["array", "null"], "items": {"type": "string"}},
        "commitMessage": {"type": ["string", "null"]},
    },
    "required": ["name", "prompt", "type"],
}


@dataclass
class Span:
    name: str
    attributes: dict[str, Any]
    trace_id: str
    scope: str


@dataclass
class FakeLangfuse:
    public_key: str
    secret_key: str
    prompts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    spans: list[Span] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    trace_bodies: list[bytes] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_prompt(self, name: str, messages: list[dict[str, str]], **extra: Any) -> dict:
        """A new version of ``name`` (labels: ``extra['labels']``, default production)."""
        body = {"name": name, "prompt": messages, "type": "chat", **extra}
        body.setdefault("labels", ["production"])
        return self._create(body)

    def _create(self, body: dict[str, Any]) -> dict[str, Any]:
        jsonschema.validate(body, CREATE_CHAT_PROMPT_SCHEMA)
        with self.lock:
            versions = self.prompts.setdefault(body["name"], [])
            labels = list(body.get("labels") or [])
            for older in versions:
                older["labels"] = [label for label in older["labels"] if label not in labels]
            prompt = {
                "type": "chat",
                "name": body["name"],
                "version": len(versions) + 1,
                "config": body.get("config") or {},
                "labels": [*labels, "latest"],
                "tags": list(body.get("tags") or []),
                "commitMessage": body.get("commitMessage"),
                "prompt": body["prompt"],
            }
            for older in versions:
                older["labels"] = [label for label in older["labels"] if label != "latest"]
            versions.append(prompt)
        jsonschema.validate(prompt, CHAT_PROMPT_SCHEMA)
        return prompt

    def find_prompt(self, name: str, label: str | None, version: int | None) -> dict | None:
        with self.lock:
            for prompt in reversed(self.prompts.get(name, [])):
                if version is not None and prompt["version"] == version:
                    return prompt
                if version is None and (label or "production") in prompt["labels"]:
                    return prompt
        return None

    def add_spans(self, body: bytes, content_type: str) -> None:
        request = ExportTraceServiceRequest()
        if content_type.startswith("application/json"):
            Parse(body.decode("utf-8"), request)
        else:
            request.ParseFromString(body)
        spans = [
            Span(
                span.name,
                {a.key: _value(a.value) for a in span.attributes},
                span.trace_id.hex(),
                scope_spans.scope.name,
            )
            for resource in request.resource_spans
            for scope_spans in resource.scope_spans
            for span in scope_spans.spans
        ]
        with self.lock:
            self.spans.extend(spans)
            self.trace_bodies.append(body)

    def generations(self) -> list[Span]:
        with self.lock:
            return [
                s
                for s in self.spans
                if s.attributes.get("langfuse.observation.type") == "generation"
            ]


def _value(value: Any) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [_value(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: _value(kv.value) for kv in value.kvlist_value.values}
    return getattr(value, kind) if kind else None


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: Any) -> None:  # quiet
        return None

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorised(self) -> bool:
        fake = self.server.fake
        expected = base64.b64encode(f"{fake.public_key}:{fake.secret_key}".encode()).decode()
        if self.headers.get("Authorization") == f"Basic {expected}":
            return True
        self._send(401, {"message": "Invalid credentials"})
        return False

    def _body(self) -> bytes:
        data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        return data

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        self.server.fake.requests.append(("GET", url.path))
        if not self._authorised():
            return
        if url.path == "/api/public/health":
            self._send(200, {"status": "OK", "version": SERVER_VERSION})
            return
        prefix = "/api/public/v2/prompts/"
        if url.path.startswith(prefix):
            query = parse_qs(url.query)
            version = query.get("version", [None])[0]
            prompt = self.server.fake.find_prompt(
                unquote(url.path[len(prefix) :]),
                query.get("label", [None])[0],
                int(version) if version else None,
            )
            if prompt is None:
                self._send(404, {"message": "Prompt not found", "error": "LangfuseNotFoundError"})
            else:
                self._send(200, prompt)
            return
        self._send(404, {"message": "not found"})

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        fake = self.server.fake
        fake.requests.append(("POST", url.path))
        if not self._authorised():
            return
        body = self._body()
        if url.path == "/api/public/otel/v1/traces":
            fake.add_spans(body, self.headers.get("Content-Type", "application/x-protobuf"))
            self._send(200, {})
        elif url.path == "/api/public/v2/prompts":
            try:
                self._send(200, fake._create(json.loads(body)))
            except (ValueError, jsonschema.ValidationError) as error:
                self._send(400, {"message": str(error)[:200]})
        else:
            self._send(404, {"message": "not found"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeLangfuse


@contextmanager
def running_fake_langfuse(public_key: str, secret_key: str) -> Iterator[FakeLangfuse]:
    """The fake on 127.0.0.1 (a free port) for the block; ``fake.url`` is its base URL."""
    fake = FakeLangfuse(public_key, secret_key)
    server = _Server(("127.0.0.1", 0), _Handler)
    server.fake = fake
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="fake-langfuse", daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
