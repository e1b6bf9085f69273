"""Liveness, readiness and Prometheus metrics: the endpoints a load balancer and a scraper call."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from assistant import clock
from assistant.db import schema_revisions
from assistant.metrics import sync_lag
from assistant.web.http import Web


def healthz(request: Request) -> Response:
    """Alive: answers without touching the database."""
    return JSONResponse({"status": "ok"})


def not_ready(web: Web) -> list[str]:
    """One sentence for each reason the app should not get traffic; empty when ready."""
    try:
        with web.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return [f"The database cannot be reached: {getattr(exc, 'orig', exc)}."]
    current, head = schema_revisions(web.engine)
    problems = []
    if current != head:
        problems.append(
            f"The database schema is at revision {current or 'none'}, not {head}: "
            "run `nurture init`."
        )
        return problems
    limit = web.settings.daemon.max_sync_lag_seconds
    with Session(web.engine) as session:
        lags = sync_lag(session, web.settings, clock.now())
    for mailbox, seconds in lags.items():
        if seconds is None:
            problems.append(f"Mailbox {mailbox} has never been synced.")
        elif seconds > limit:
            problems.append(
                f"Mailbox {mailbox} last synced {seconds:.0f} s ago "
                f"(limit: daemon.max_sync_lag_seconds = {limit:g})."
            )
    return problems


def readyz(request: Request) -> Response:
    problems = not_ready(request.app.state.web)
    if problems:
        return JSONResponse({"status": "not ready", "problems": problems}, status_code=503)
    return JSONResponse({"status": "ready"})


def metrics(request: Request) -> Response:
    registry: CollectorRegistry = request.app.state.metrics
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


routes = [
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
]
