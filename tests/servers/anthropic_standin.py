"""A local stand-in for the Anthropic Messages and Message Batches APIs, for the real SDK to call.

Answers come from a script (a queue of `Reply`) or, when the script is empty, from a
responder function; either way they call the tool the request asks for (write_draft for the
drafter, record_understanding for the classifier). Every request is recorded. Prompt caching
is simulated the way the API bills it: the prefix up to the last `cache_control` block is a
cache write the first time and a cache read afterwards, when it is long enough; tokens are
counted as characters // 4.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

API_KEY = "sk-ant-standin-key"
MIN_CACHEABLE_TOKENS = 1024  # Sonnet 4.5's minimum; shorter prefixes are never cached

Responder = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Reply:
    """One scripted answer: a write_draft call, plain text, or an HTTP error."""

    status: int = 200
    tool_input: dict[str, Any] | None = None
    text: str | None = None
    error_type: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0  # seconds to wait before answering (longer than the client timeout = hang)


def tool_answer(**fields: Any) -> Reply:
    """A write_draft call with sensible defaults for the fields not given."""
    return Reply(tool_input={**default_fields(), **fields})


def raw_tool_answer(tool_input: Any) -> Reply:
    """A write_draft call whose input is exactly this (for malformed answers)."""
    return Reply(tool_input=tool_input)


def text_answer(text: str = "Here is a draft: Hi there!") -> Reply:
    return Reply(text=text)


def rate_limited(retry_after: float | None = 1.0) -> Reply:
    headers = (("retry-after", f"{retry_after:g}"),) if retry_after is not None else ()
    return Reply(status=429, error_type="rate_limit_error", headers=headers)


def overloaded() -> Reply:
    return Reply(status=529, error_type="overloaded_error")


def server_error(status: int = 500) -> Reply:
    return Reply(status=status, error_type="api_error")


def bad_request(message: str) -> Reply:
    return Reply(status=400, error_type="invalid_request_error", text=message)


def slow(seconds: float, then: Reply | None = None) -> Reply:
    return replace(then or tool_answer(), delay=seconds)


def tool_name(body: dict[str, Any]) -> str:
    """The tool a request asks for: the forced one, else the first it offers."""
    forced = (body.get("tool_choice") or {}).get("name")
    tools = body.get("tools") or [{"name": "write_draft"}]
    return str(forced or tools[0]["name"])


def default_fields() -> dict[str, Any]:
    return {
        "subject": "A guide for your rollout",
        "body": "Hi there,\n\nThis guide may help with your rollout.\n\nBest,\nSam",
        "content_slug": None,
        "rationale": "Follows up on the rollout question.",
        "confidence": 0.8,
        "flags": [],
    }


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float  # time.monotonic() when the request arrived


@dataclass
class _Batch:
    id: str
    requests: list[dict[str, Any]]
    created: datetime
    polls: int = 0
    results: list[dict[str, Any]] = field(default_factory=list)


class StandIn:
    """The server and its state; use as a context manager or through the fixture."""

    def __init__(
        self,
        *,
        api_key: str = API_KEY,
        min_cacheable_tokens: int = MIN_CACHEABLE_TOKENS,
        latency: float = 0.0,
        batch_polls_in_progress: int = 1,
    ) -> None:
        self.api_key = api_key
        self.min_cacheable_tokens = min_cacheable_tokens
        self.latency = latency
        self.batch_polls_in_progress = batch_polls_in_progress
        self.responder: Responder = lambda body: default_fields()
        self.requests: list[Recorded] = []
        self._script: deque[Reply] = deque()
        self._cache: set[str] = set()
        self._batches: dict[str, _Batch] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._server.block_on_close = False  # a handler sleeping out a "hang" must not block stop()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, *replies: Reply) -> None:
        """Queue answers; each request to /v1/messages, and each batch item, takes the next one.

        An HTTP error at the head of the queue when a batch is created fails the create call
        itself; further down the queue it becomes an `errored` batch item.
        """
        with self._lock:
            self._script.extend(replies)

    @property
    def message_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path == "/v1/messages"]

    def start(self) -> StandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- answering ------------------------------------------------------------------------

    def _next(self) -> Reply | None:
        with self._lock:
            return self._script.popleft() if self._script else None

    def _message(self, body: dict[str, Any], reply: Reply | None) -> dict[str, Any]:
        tool_input = reply.tool_input if reply else self.responder(body)
        if reply is not None and reply.text is not None and tool_input is None:
            content: list[dict[str, Any]] = [{"type": "text", "text": reply.text}]
            stop, out = "end_turn", reply.text
        else:
            block_id = f"toolu_standin_{next(self._ids):06d}"
            content = [
                {"type": "tool_use", "id": block_id, "name": tool_name(body), "input": tool_input}
            ]
            stop, out = "tool_use", json.dumps(tool_input)
        return {
            "id": f"msg_standin_{next(self._ids):06d}",
            "type": "message",
            "role": "assistant",
            "model": body.get("model", "claude-standin"),
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": {**self._input_usage(body), "output_tokens": max(1, len(out) // 4)},
        }

    def _input_usage(self, body: dict[str, Any]) -> dict[str, int]:
        """Bill the prompt like the API: cache write, cache read or plain input."""
        segments: list[tuple[str, bool]] = []
        for tool in body.get("tools", []):
            segments.append((json.dumps(tool, sort_keys=True), "cache_control" in tool))
        system = body.get("system", "")
        for block in [{"text": system}] if isinstance(system, str) else system:
            segments.append((block.get("text", ""), "cache_control" in block))
        for message in body.get("messages", []):
            content = message.get("content", "")
            if isinstance(content, str):
                segments.append((content, False))
                continue
            for block in content:
                plain = {k: v for k, v in block.items() if k != "cache_control"}
                segments.append((json.dumps(plain, sort_keys=True), "cache_control" in block))
        marked = [i for i, (_, has_mark) in enumerate(segments) if has_mark]
        total = sum(len(text) for text, _ in segments) // 4
        if not marked:
            return {
                "input_tokens": total,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
            }
        prefix = "\x00".join(text for text, _ in segments[: marked[-1] + 1])
        prefix_tokens = sum(len(text) for text, _ in segments[: marked[-1] + 1]) // 4
        if prefix_tokens < self.min_cacheable_tokens:
            return {
                "input_tokens": total,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
            }
        key = hashlib.sha256(f"{body.get('model')}\x00{prefix}".encode()).hexdigest()
        with self._lock:
            hit = key in self._cache
            self._cache.add(key)
        return {
            "input_tokens": total - prefix_tokens,
            "cache_creation_input_tokens": 0 if hit else prefix_tokens,
            "cache_read_input_tokens": prefix_tokens if hit else 0,
        }

    def _batch_object(self, batch: _Batch) -> dict[str, Any]:
        ended = batch.polls > self.batch_polls_in_progress
        count = len(batch.requests)
        succeeded = sum(1 for r in batch.results if r["result"]["type"] == "succeeded")
        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": {
                "processing": 0 if ended else count,
                "succeeded": succeeded if ended else 0,
                "errored": count - succeeded if ended else 0,
                "canceled": 0,
                "expired": 0,
            },
            "created_at": batch.created.isoformat(),
            "expires_at": (batch.created + timedelta(hours=24)).isoformat(),
            "ended_at": datetime.now(UTC).isoformat() if ended else None,
            "cancel_initiated_at": None,
            "archived_at": None,
            "results_url": f"{self.base_url}/v1/messages/batches/{batch.id}/results"
            if ended
            else None,
        }

    def _run_batch(self, batch: _Batch) -> None:
        for item in batch.requests:
            reply = self._next()
            if reply is not None and reply.status != 200:
                error = {"type": reply.error_type, "message": "scripted batch item error"}
                result: dict[str, Any] = {
                    "type": "errored",
                    "error": {"type": "error", "error": error},
                }
            else:
                result = {"type": "succeeded", "message": self._message(item["params"], reply)}
            batch.results.append({"custom_id": item["custom_id"], "result": result})

    # --- HTTP -----------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the tests read `requests`, not stderr

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                body: Any = json.loads(raw) if raw else None
                headers = {k.lower(): v for k, v in self.headers.items()}
                with standin._lock:
                    standin.requests.append(
                        Recorded(method, self.path, headers, body, time.monotonic())
                    )
                # SDK 2.x sends the key as a bearer token; older clients send x-api-key.
                bearer = headers.get("authorization", "").removeprefix("Bearer ")
                if standin.api_key not in (headers.get("x-api-key"), bearer):
                    self._error(401, "authentication_error", "invalid x-api-key")
                    return
                path = self.path.split("?")[0]
                if method == "POST" and path == "/v1/messages":
                    self._messages(body)
                elif method == "POST" and path == "/v1/messages/batches":
                    self._create_batch(body)
                elif method == "GET" and path.startswith("/v1/messages/batches/"):
                    self._batch(path.removeprefix("/v1/messages/batches/"))
                else:
                    self._error(404, "not_found_error", f"no route {method} {path}")

            def _messages(self, body: dict[str, Any]) -> None:
                reply = standin._next()
                wait = (reply.delay if reply else 0.0) + standin.latency
                if wait and standin._stopping.wait(wait):
                    return
                if reply is not None and reply.status != 200:
                    message = reply.text or f"scripted {reply.error_type}"
                    self._error(reply.status, reply.error_type, message, reply.headers)
                    return
                self._json(200, standin._message(body, reply))

            def _create_batch(self, body: dict[str, Any]) -> None:
                with standin._lock:
                    head = standin._script[0] if standin._script else None
                    if head is not None and head.status != 200:
                        standin._script.popleft()
                if head is not None and head.status != 200:
                    self._error(head.status, head.error_type, "scripted", head.headers)
                    return
                batch_id = f"msgbatch_standin_{next(standin._ids):06d}"
                batch = _Batch(batch_id, list(body["requests"]), datetime.now(UTC))
                standin._run_batch(batch)
                with standin._lock:
                    standin._batches[batch_id] = batch
                self._json(200, standin._batch_object(batch))

            def _batch(self, rest: str) -> None:
                batch_id, _, tail = rest.partition("/")
                batch = standin._batches.get(batch_id)
                if batch is None:
                    self._error(404, "not_found_error", f"no batch {batch_id}")
                elif tail == "results":
                    lines = "".join(json.dumps(r) + "\n" for r in batch.results)
                    self._send(200, lines.encode(), "application/binary")
                else:
                    batch.polls += 1
                    self._json(200, standin._batch_object(batch))

            def _error(
                self,
                status: int,
                kind: str,
                message: str,
                headers: tuple[tuple[str, str], ...] = (),
            ) -> None:
                body = {"type": "error", "error": {"type": kind, "message": message}}
                self._json(status, body, headers)

            def _json(
                self, status: int, body: Any, headers: tuple[tuple[str, str], ...] = ()
            ) -> None:
                self._send(status, json.dumps(body).encode(), "application/json", headers)

            def _send(
                self,
                status: int,
                data: bytes,
                kind: str,
                headers: tuple[tuple[str, str], ...] = (),
            ) -> None:
                try:
                    self.send_response(status)
                    self.send_header("content-type", kind)
                    self.send_header("content-length", str(len(data)))
                    self.send_header("request-id", f"req_standin_{next(standin._ids):06d}")
                    for name, value in headers:
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout), as a real client would

        return Handler


@pytest.fixture
def anthropic_standin() -> Iterator[StandIn]:
    """A fresh stand-in API on a free loopback port; point `base_url` at `.base_url`."""
    with StandIn() as server:
        yield server
