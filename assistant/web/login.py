"""Signing in and out: throttled, the session rotated at sign-in and deleted at sign-out."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from assistant import clock
from assistant.db import transaction
from assistant.models import User
from assistant.web import security
from assistant.web.http import Forbidden, Form, Pages, Req, Web, page, read_form, require_origin

pages = Pages()


def _next(target: str) -> str:
    """Where to go after signing in: a path on this site only."""
    parts = urlsplit(target)
    # Browsers read "/\\host" like "//host": both would leave the site.
    if parts.scheme or parts.netloc or not target.startswith("/") or target[1:2] in ("/", "\\"):
        return "/queue"
    return target


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _login_page(
    web: Web, request: Request, error: str = "", status: int = 200, email: str = ""
) -> Response:
    cookie = request.cookies.get(security.LOGIN_COOKIE) or secrets.token_urlsafe(24)
    response = page(
        web,
        "login.html",
        status,
        error=error,
        email=email,
        token=security.login_form_token(web.secret, cookie),
        next=_next(request.query_params.get("next", "/queue")),
    )
    response.set_cookie(
        security.LOGIN_COOKIE,
        cookie,
        max_age=3600,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/login",
    )
    return response


async def login_form(request: Request) -> Response:
    web: Web = request.app.state.web
    return _login_page(web, request)


async def login(request: Request) -> Response:
    form = await read_form(request)
    return await run_in_threadpool(_login, request, form)


def _login(request: Request, form: Form) -> Response:
    web: Web = request.app.state.web
    require_origin(web, request)
    cookie = request.cookies.get(security.LOGIN_COOKIE, "")
    sent = (form.get("token") or [""])[0]
    if not cookie or not security.same(sent, security.login_form_token(web.secret, cookie)):
        raise Forbidden("This sign-in form has expired: reload the page and try again.")
    email = (form.get("email") or [""])[0].strip().lower()[:320]
    password = (form.get("password") or [""])[0][:1024]
    address = request.client.host if request.client else "unknown"
    keys = security.throttle_keys(email, address)
    now = clock.now()
    with transaction(web.engine) as db:
        locked = security.locked_until(db, keys, now)
    if locked is not None:
        minutes = max(1, round((locked - now).total_seconds() / 60))
        return _login_page(
            web,
            request,
            f"Too many failed sign-ins: try again in {minutes} minute"
            f"{'s' if minutes != 1 else ''}.",
            429,
            email,
        )
    with Session(web.engine) as db:
        user = db.exec(select(User).where(User.email == email)).first()
    if not security.check_password(user, password) or user is None:
        with transaction(web.engine) as db:
            security.record_failure(db, keys, now)
        return _login_page(web, request, "That email and password do not match.", 401, email)
    with transaction(web.engine) as db:
        security.clear_failures(db, email)
        old = request.cookies.get(security.SESSION_COOKIE)
        if old:  # rotation: whatever session the browser had is gone
            security.close_session(db, web.secret, old)
        if security.needs_rehash(user):
            user.password_hash = security.hash_password(password)
            db.add(user)
        token = security.open_session(db, web.secret, user, now, web.settings.web.session_hours)
    response = RedirectResponse(_next((form.get("next") or ["/queue"])[0]), status_code=303)
    response.set_cookie(
        security.SESSION_COOKIE,
        token,
        max_age=int(web.settings.web.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(security.LOGIN_COOKIE, path="/login")
    return response


@pages.post("/logout")
def logout(req: Req) -> Response:
    with transaction(req.engine) as db:
        security.close_session(
            db, req.web.secret, req.request.cookies.get(security.SESSION_COOKIE, "")
        )
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(security.SESSION_COOKIE, path="/")
    return response


routes = [
    Route("/login", login_form, methods=["GET"], name="login_form"),
    Route("/login", login, methods=["POST"], name="login"),
    *pages.routes,
]
