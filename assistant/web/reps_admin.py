"""The admin's reps page: every rep with status and mailbox state; add, pause, resume, remove.

The same moves as `nurture reps`, through the same lifecycle functions; a running daemon
starts or stops the mailbox's watcher within `[daemon] reconcile_seconds`.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select
from starlette.responses import Response

from assistant import roster
from assistant.db import transaction
from assistant.lifecycle import leads as lead_moves
from assistant.lifecycle import reps as lifecycle
from assistant.models import Lead, Rep, RepStatus, UserRole
from assistant.web.http import BadInput, Pages, Req

pages = Pages()
ADMINS = frozenset({UserRole.admin})
HOME = "/manage/reps"
LABELS = {
    "email": "Email",
    "name": "Name",
    "title": "Title",
    "signature": "Signature",
    "team": "Team",
    "timezone": "Time zone",
    "auth": "Sign-in",
    "provider": "OAuth provider",
    "imap_host": "IMAP server",
    "imap_port": "IMAP port",
    "imap_security": "IMAP security",
    "imap_username": "IMAP login",
    "imap_password_env": "IMAP password variable",
    "sent_folder": "Sent folder",
    "append_to_sent": "File a copy in Sent",
    "smtp_host": "SMTP server",
    "smtp_port": "SMTP port",
    "smtp_security": "SMTP security",
    "smtp_username": "SMTP login",
    "smtp_password_env": "SMTP password variable",
}
MOVES = {"pause": lifecycle.pause, "resume": lifecycle.resume, "remove": lifecycle.remove}
DONE = {
    "pause": "is paused: its mailbox is not synced and nothing is sent from it",
    "resume": "is active again: its mailbox is watched within seconds",
    "remove": "is removed: its leads stay, to be reassigned",
}


@pages.get(HOME, roles=ADMINS)
def reps_page(req: Req) -> Response:
    lines = roster.floor(req.engine, req.settings, req.now, removed=True)
    on_floor = [line for line in lines if line.status != RepStatus.removed]
    with Session(req.engine) as db:
        ids = {email: rep_id for rep_id, email in db.exec(select(Rep.id, Rep.email)).all()}
    return req.render("manage/reps.html", lines=lines, on_floor=on_floor, ids=ids)


@pages.post(f"{HOME}/new", roles=ADMINS)
def add_rep(req: Req) -> Response:
    fields: dict[str, Any] = {key: req.field(key).strip() or None for key in roster.FIELDS}
    if fields["append_to_sent"] is not None:
        fields["append_to_sent"] = fields["append_to_sent"] == "yes"
    for port in ("imap_port", "smtp_port"):
        value = fields[port]
        if value is not None and not str(value).isdigit():
            raise BadInput(f"{LABELS[port]}: '{value}' is not a port number.")
    rep = roster.from_fields(req.field("email"), fields, lambda f: LABELS.get(f, f))
    with transaction(req.engine) as db:
        lifecycle.add(db, rep, req.actor, req.now)
    watched = "its mailbox is watched within seconds" if rep.imap else "it has no mailbox"
    return req.redirect(HOME, flash=("ok", f"{rep.email} is on the floor: {watched}."))


@pages.post(HOME + "/{rep_id:int}/{verb:str}", roles=ADMINS)
def move_rep(req: Req) -> Response:
    verb = req.request.path_params["verb"]
    if verb not in MOVES:
        raise BadInput("That is not something a rep can be made to do.")
    handed = ""
    with transaction(req.engine) as db:
        rep = db.get(Rep, req.request.path_params["rep_id"])
        if rep is None:
            raise BadInput("That rep does not exist.")
        target = lifecycle.get(db, req.field("reassign_to")) if req.field("reassign_to") else None
        if target is not None and target.id == rep.id:
            raise BadInput("Hand the leads to another rep than the one removed.")
        lifecycle.require(MOVES[verb](db, rep, req.actor, req.now), rep)
        if verb == "remove" and target is not None:
            owned = db.exec(select(Lead).where(Lead.owner_id == rep.id)).all()
            for lead in owned:
                lead_moves.reassign(db, lead, target, req.actor, req.now)
            handed = f"; {len(owned)} lead(s) now belong to {target.email}"
    return req.redirect(HOME, flash=("ok", f"{rep.email} {DONE[verb]}{handed}."))
