"""The rep's mailbox page: its OAuth connection, and Connect Google / Microsoft with PKCE."""

from __future__ import annotations

import asyncio
import json

from cryptography.fernet import InvalidToken
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from assistant import roster
from assistant.clock import now
from assistant.errors import NotFound, NurtureError
from assistant.models import Rep
from assistant.oauth import flow
from assistant.oauth.providers import provider
from assistant.oauth.store import GrantStore, cipher
from assistant.web.http import Pages, Req
from assistant.web.sync_status import statuses

pages = Pages()
COOKIE = "nurture_oauth"  # the pending flow: state, PKCE verifier, provider; encrypted
FLOW_SECONDS = 600
LABELS = {"google": "Google", "microsoft": "Microsoft", "custom": "your provider"}


def _own_email(req: Req) -> str:
    with Session(req.engine) as db:
        rep = db.get(Rep, req.user.rep_id) if req.user.rep_id is not None else None
    if rep is None:
        raise NotFound("Only a rep has a mailbox to connect.")
    return rep.email


def _store(req: Req) -> GrantStore:
    return GrantStore(req.engine, cipher(req.settings.oauth.token_key_env))


def _providers(req: Req) -> list[str]:
    oauth = req.settings.oauth
    return [name for name in LABELS if getattr(oauth, name) is not None]


def _redirect_uri(req: Req) -> str:
    base = req.settings.web.public_url or str(req.request.base_url).rstrip("/")
    return f"{base}/mailbox/callback"


@pages.get("/mailbox")
def mailbox_page(req: Req) -> Response:
    email = _own_email(req)
    grant = _store(req).get(email) if _providers(req) else None
    rep = roster.find(req.engine, email, roster.ANY)
    with Session(req.engine) as db:
        sync_statuses = statuses(db, req.settings, now(), [email])
    return req.render(
        "mailbox.html",
        sync_statuses=sync_statuses,
        email=email,
        grant=grant,
        providers=[(name, LABELS[name]) for name in _providers(req)],
        configured=rep.imap.provider if rep and rep.imap else None,
    )


@pages.get("/mailbox/connect")
def connect(req: Req) -> Response:
    name = req.param("provider")
    if name not in _providers(req):
        raise NotFound(f"No OAuth client for {name} is configured.")
    email = _own_email(req)
    started = flow.start(
        provider(req.settings.oauth, name, str(req.settings.path)), _redirect_uri(req), email
    )
    pending = json.dumps(
        {"state": started.state, "verifier": started.verifier, "provider": name, "user": email}
    )
    sealed = cipher(req.settings.oauth.token_key_env).encrypt(pending.encode()).decode()
    response = RedirectResponse(started.url, status_code=303)
    response.set_cookie(
        COOKIE,
        sealed,
        max_age=FLOW_SECONDS,
        httponly=True,
        samesite="lax",  # the provider's redirect back is a top-level navigation
        secure=req.request.url.scheme == "https",
        path="/mailbox",
    )
    return response


@pages.get("/mailbox/callback")
def callback(req: Req) -> Response:
    email = _own_email(req)
    try:
        pending = json.loads(
            cipher(req.settings.oauth.token_key_env).decrypt(
                req.request.cookies.get(COOKIE, "").encode(), ttl=FLOW_SECONDS
            )
        )
    except (InvalidToken, ValueError):
        return _done(req, "error", "That sign-in took too long or was not started here: try again.")
    if pending["user"] != email or pending["state"] != req.param("state"):
        return _done(req, "error", "That sign-in was not started here: try again.")
    name = pending["provider"]
    if req.param("error"):
        return _done(req, "error", f"{LABELS[name].capitalize()} did not grant access.")
    settings = req.settings
    chosen = provider(settings.oauth, name, str(settings.path))
    try:
        token = asyncio.run(
            flow.finish(chosen, _redirect_uri(req), req.param("code"), pending["verifier"])
        )
    except NurtureError as exc:
        return _done(req, "error", str(exc))
    scope = token.get("scope") or " ".join(chosen.scopes)
    _store(req).save(email, name, str(scope), str(token["refresh_token"]))
    return _done(req, "ok", f"Your mailbox is connected through {LABELS[name]}; it syncs now.")


def _done(req: Req, kind: str, text: str) -> Response:
    response = req.redirect("/mailbox", flash=(kind, text))
    response.delete_cookie(COOKIE, path="/mailbox")
    return response
