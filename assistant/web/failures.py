"""The Failures page: items a stage could not handle, with retry and dismiss (the shunt)."""

from __future__ import annotations

from sqlmodel import Session
from starlette.responses import Response

from assistant.errors import NotFound
from assistant.models import Failure, Lead
from assistant.pipeline import shunt
from assistant.web import scope
from assistant.web.http import Pages, Req

pages = Pages()


def _reachable(db: Session, req: Req, failure_id: int) -> Failure:
    """A failure the user may act on: one of their own reps' (everything for an admin)."""
    failure = db.get(Failure, failure_id)
    allowed = scope.rep_ids(db, req.user)
    if failure is None or not scope.can_see(allowed, failure.rep_id):
        raise NotFound("There is no such failure.")
    return failure


@pages.get("/failures")
def failures_page(req: Req) -> Response:
    with Session(req.engine) as db:
        allowed = scope.rep_ids(db, req.user)
        rows = shunt.open_failures(db, allowed)
        leads = {f.lead_id: db.get(Lead, f.lead_id) for f in rows if f.lead_id is not None}
    return req.render("failures.html", failures=rows, leads=leads, max_attempts=shunt.MAX_ATTEMPTS)


@pages.post("/failures/{failure_id:int}/retry")
def retry(req: Req) -> Response:
    failure_id = int(req.request.path_params["failure_id"])
    with Session(req.engine) as db:
        _reachable(db, req, failure_id)
    shunt.retry_now(req.engine, failure_id)
    return req.redirect("/failures", flash=("ok", "It will be tried again on the next pass."))


@pages.post("/failures/{failure_id:int}/dismiss")
def dismiss(req: Req) -> Response:
    failure_id = int(req.request.path_params["failure_id"])
    with Session(req.engine) as db:
        _reachable(db, req, failure_id)
    shunt.dismiss(req.engine, failure_id)
    return req.redirect("/failures", flash=("ok", "Dismissed: it will not be tried again."))
