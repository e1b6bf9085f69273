"""Request plumbing shared by every page: sign-in, role, origin and CSRF checks, rendering."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

import jinja2
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from assistant import clock, runtime
from assistant.config import Settings
from assistant.errors import NotFound, NurtureError
from assistant.models import User, UserRole, WebSession
from assistant.pipeline.context import Context
from assistant.web import security

Form = dict[str, list[str]]
Handler = Callable[["Req"], Response]
EVERYONE = frozenset(UserRole)
MANAGERS = frozenset({UserRole.manager, UserRole.admin})
MAX_FORM_FIELDS = 2_000
MAX_BODY = 1024 * 1024


class Forbidden(NurtureError):
    """The signed-in user may not do this (or the request did not come from our pages)."""


class SignedOut(NurtureError):
    """A state change without a live session."""


class BadInput(NurtureError):
    """A form field the user can fix; the sentence says which and how."""


@dataclass
class Web:
    """What every request needs, built once when the app starts."""

    settings: Settings
    engine: Engine
    secret: str
    pages: jinja2.Environment
    asset_version: str
    _context: Context | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def context(self) -> Context:
        """The pipeline's context (the drafter above all), built on first use."""
        with self._lock:
            if self._context is None:
                self._context = runtime.context(self.settings, self.engine)
            return self._context


@dataclass
class Req:
    """One signed-in request, as a page handler sees it."""

    request: Request
    web: Web
    user: User
    session: WebSession
    form: Form
    now: datetime

    @property
    def engine(self) -> Engine:
        return self.web.engine

    @property
    def settings(self) -> Settings:
        return self.web.settings

    @property
    def actor(self) -> str:
        return self.user.email

    def field(self, name: str, default: str = "") -> str:
        values = self.form.get(name)
        return values[0] if values else default

    def fields(self, name: str) -> list[str]:
        return self.form.get(name, [])

    def param(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default)

    def back(self, default: str = "/queue") -> str:
        """The page to return to after an action: a local path from the form, never elsewhere."""
        target = self.field("next")
        return (
            target if target.startswith("/") and not target.startswith(("//", "/\\")) else default
        )

    def flash(self, kind: str, text: str) -> None:
        _set_flash(self.engine, self.session, f"{kind}|{text}")

    def redirect(self, path: str, flash: tuple[str, str] | None = None) -> Response:
        if flash:
            self.flash(*flash)
        return RedirectResponse(path, status_code=303)

    def render(self, template: str, http_status: int = 200, **context: Any) -> Response:
        flash = None
        if self.session.flash:
            kind, _, text = self.session.flash.partition("|")
            flash = {"kind": kind, "text": text}
            _set_flash(self.engine, self.session, "")
        return page(
            self.web,
            template,
            http_status,
            user=self.user,
            csrf_token=self.session.csrf_token,
            flash=flash,
            path=self.request.url.path,
            now=self.now,
            **context,
        )


def page(web: Web, template: str, http_status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("user", None)
    context.setdefault("flash", None)
    html = web.pages.get_template(template).render(v=web.asset_version, **context)
    return HTMLResponse(html, status_code=http_status)


def _set_flash(engine: Engine, session: WebSession, value: str) -> None:
    session.flash = value
    with Session(engine) as db:
        db.execute(update(WebSession).where(col(WebSession.id) == session.id).values(flash=value))
        db.commit()


async def read_form(request: Request) -> Form:
    """Form fields as lists of text; uploads are not accepted anywhere."""
    if request.method != "POST":
        return {}
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY:
        raise HTTPException(413)  # the app's own limit stops longer bodies sent without a length
    async with request.form(max_files=0, max_fields=MAX_FORM_FIELDS) as data:
        return {
            key: [v for v in data.getlist(key) if not isinstance(v, UploadFile)] for key in data
        }


def require_origin(web: Web, request: Request) -> None:
    own = security.own_origin(
        request.url.scheme, request.headers.get("host", ""), web.settings.web.public_url
    )
    if not security.from_own_origin(
        request.headers.get("origin"), request.headers.get("referer"), own
    ):
        raise Forbidden("This request did not come from Nurture's own pages, so it was refused.")


def _dispatch(
    handler: Handler, request: Request, form: Form, roles: frozenset[UserRole]
) -> Response:
    web: Web = request.app.state.web
    now = clock.now()
    with Session(web.engine, expire_on_commit=False) as db:
        signed = security.find_session(
            db,
            web.secret,
            request.cookies.get(security.SESSION_COOKIE, ""),
            now,
            web.settings.web.session_hours,
        )
    if request.method == "POST":
        require_origin(web, request)
    if signed is None:
        if request.method == "POST":
            raise SignedOut("Your session has ended: sign in again to continue.")
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    if request.method == "POST" and not security.same(
        (form.get("csrf") or [""])[0], signed.session.csrf_token
    ):
        raise Forbidden("This form has expired: reload the page and try again.")
    if signed.user.role not in roles:
        raise Forbidden(
            "This page is for managers."
            if UserRole.manager in roles
            else "This page is for admins."
        )
    req = Req(request, web, signed.user, signed.session, form, now)
    try:
        return handler(req)
    except (NotFound, Forbidden, SignedOut):
        raise
    except NurtureError as exc:
        # A refused action (a race, a bad field, a drafter failure) is a sentence on the page
        # the user came from, not an error page.
        if request.method != "POST":
            raise
        return req.redirect(req.back(), flash=("error", str(exc)))


class Pages:
    """The routes of one module, every handler behind the same checks, run off the event loop."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def get(self, path: str, roles: Iterable[UserRole] = EVERYONE) -> Callable[[Handler], Handler]:
        return self._add(path, "GET", frozenset(roles))

    def post(self, path: str, roles: Iterable[UserRole] = EVERYONE) -> Callable[[Handler], Handler]:
        return self._add(path, "POST", frozenset(roles))

    def _add(
        self, path: str, method: str, roles: frozenset[UserRole]
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            async def endpoint(request: Request) -> Response:
                form = await read_form(request)
                return await run_in_threadpool(_dispatch, handler, request, form, roles)

            endpoint.__name__ = handler.__name__
            self.routes.append(Route(path, endpoint, methods=[method], name=handler.__name__))
            return handler

        return register
