"""The approval app: routes, security headers, one-sentence error pages, and the uvicorn server."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import socket
from collections.abc import Iterator

import jinja2
import uvicorn
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant import metrics, resources
from assistant.config import Settings, secret
from assistant.errors import ConfigError, NotFound, NurtureError
from assistant.web import (
    content_admin,
    content_gaps,
    dashboard,
    drafts,
    failures,
    filters,
    health,
    leads,
    login,
    mailbox,
    reps_admin,
    rules_editor,
)
from assistant.web.http import MAX_BODY, Forbidden, SignedOut, Web, page

log = logging.getLogger("nurture.web")
PAGES = resources.folder("templates", "web")
STATIC = PAGES / "static"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeaders:
    """Adds the security headers to every response, error pages and static files included.

    HSTS only when the configured public address is https: sent over plain http it would
    lock browsers out of a server that has no certificate.
    """

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.headers = [*HEADERS, HSTS] if hsts else HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + self.headers
                if not static:  # pages hold leads' mail: keep them out of shared caches
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def routes() -> list[BaseRoute]:
    return [
        *health.routes,
        *login.routes,
        *drafts.pages.routes,
        *leads.pages.routes,
        *failures.pages.routes,
        *mailbox.pages.routes,
        *dashboard.pages.routes,
        *rules_editor.pages.routes,
        *content_gaps.pages.routes,
        *content_admin.pages.routes,
        *reps_admin.pages.routes,
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


def _error(request: Request, status: int, sentence: str) -> Response:
    web: Web = request.app.state.web
    return page(web, "error.html", status, status_code=status, sentence=sentence)


async def _nurture_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, NotFound):
        return _error(request, 404, str(exc))
    if isinstance(exc, Forbidden | SignedOut):
        return _error(request, 403, str(exc))
    return _error(request, 400, str(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    sentences = {
        404: "There is no such page.",
        405: "That action is not available here.",
        413: "That form is too large.",
    }
    return _error(
        request,
        exc.status_code,
        sentences.get(exc.status_code, "That request could not be handled."),
    )


async def _crash(request: Request, exc: Exception) -> Response:
    # Starlette re-raises after this page is sent, so the server logs the traceback.
    return _error(request, 500, "Something went wrong on our side; it has been logged.")


def _asset_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(STATIC.iterdir()):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def create_app(settings: Settings, engine: Engine) -> Starlette:
    key = secret(str(settings.path), "web.secret_key_env", settings.web.secret_key_env)
    if not key or len(key) < 16:
        raise ConfigError(
            str(settings.path),
            "web.secret_key_env",
            f"environment variable {settings.web.secret_key_env} must hold at least 16 characters",
        )
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PAGES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    filters.install(env)
    app = Starlette(
        routes=routes(),
        middleware=[],
        exception_handlers={
            NurtureError: _nurture_error,
            HTTPException: _http_error,
            Exception: _crash,
        },
        max_body_size=2 * MAX_BODY,  # a hard stop for bodies sent without a length
    )
    public = settings.web.public_url or ""
    app.add_middleware(SecurityHeaders, hsts=public.startswith("https://"))
    app.state.web = Web(settings, engine, key, env, _asset_version())
    app.state.metrics = metrics.registry(engine, settings)
    return app


def _listen(host: str, port: int) -> socket.socket:
    """Bind before serving so a taken port is one clear sentence, not a server exit."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        raise NurtureError(
            f"Cannot serve the web app on {host}:{port}: {exc.strerror or exc}."
        ) from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


class _Embedded(uvicorn.Server):
    """A server inside the daemon: the daemon owns SIGTERM and SIGINT and sets should_exit."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _config(app: Starlette) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        server_header=False,
        proxy_headers=True,
        lifespan="off",
    )


async def start(
    settings: Settings, engine: Engine, host: str | None = None, port: int | None = None
) -> uvicorn.Server:
    """Start serving inside the running loop; returns once the server accepts connections."""
    app = create_app(settings, engine)
    host, port = host or settings.web.host, port or settings.web.port
    sock = _listen(host, port)
    server = _Embedded(_config(app))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not task.done():
        await asyncio.sleep(0.02)
    if task.done():
        task.result()
        raise NurtureError(f"The web app on {host}:{port} stopped as soon as it started.")
    log.info("web app on http://%s:%d", host, port)
    return server


def serve(
    settings: Settings, engine: Engine, host: str | None = None, port: int | None = None
) -> None:
    """Serve the app alone until SIGTERM or Ctrl-C."""
    app = create_app(settings, engine)
    host, port = host or settings.web.host, port or settings.web.port
    sock = _listen(host, port)
    log.info("web app on http://%s:%d", host, port)
    asyncio.run(uvicorn.Server(_config(app)).serve(sockets=[sock]))
