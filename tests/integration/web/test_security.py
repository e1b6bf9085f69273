"""Sessions, CSRF, origin checks, headers, throttling and error pages, on the real server."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import Session, select
from starlette.testclient import TestClient

from assistant import config
from assistant.db import make_engine
from assistant.models import WebSession
from assistant.web.security import (
    LOGIN_COOKIE,
    MAX_ACCOUNT_FAILURES,
    MAX_ADDRESS_FAILURES,
    SESSION_COOKIE,
)
from assistant.web.server import CSP, create_app
from tests.integration.web.company import PASSWORD, SECRET, Company, Server, csrf_of
from tests.integration.web.seeds import seed_queue

pytestmark = pytest.mark.slow

Site = tuple[Company, Server]


def _login_token(client: httpx.Client) -> str:
    return client.get("/login").text.split('name="token" value="')[1].split('"')[0]


def _try_login(client: httpx.Client, email: str, password: str) -> httpx.Response:
    return client.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "token": _login_token(client),
            "next": "/queue",
        },
    )


def _sessions(world: Company) -> int:
    with Session(world.engine) as db:
        return db.exec(select(func.count()).select_from(WebSession)).one()


def test_every_response_carries_the_strict_policy_and_security_headers(site: Site) -> None:
    _, server = site
    client = server.sign_in("ana@acme.test")
    for path in ("/login", "/queue", "/static/app.css", "/no-such-page"):
        headers = client.get(path).headers
        assert headers["content-security-policy"] == CSP, path
        assert "frame-ancestors 'none'" in CSP and "script-src 'self'" in CSP
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
    assert client.get("/queue").headers["cache-control"] == "no-store"


def test_session_cookie_is_httponly_lax_and_secure_only_over_https(site: Site) -> None:
    _, server = site
    plain = server.client(headers={"Origin": server.url})
    response = _try_login(plain, "ana@acme.test", PASSWORD)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    # Behind a TLS-terminating proxy on loopback, the cookies are marked Secure.
    proxied = server.client(
        headers={
            "X-Forwarded-Proto": "https",
            "Origin": server.url.replace("http://", "https://"),
        },
    )
    form = proxied.get("/login")
    assert "Secure" in form.headers["set-cookie"]
    # This test client speaks plain HTTP to the server, so hand the Secure cookie back itself.
    proxied.cookies.set(LOGIN_COOKIE, form.headers["set-cookie"].split(";")[0].split("=", 1)[1])
    token = form.text.split('name="token" value="')[1].split('"')[0]
    response = proxied.post(
        "/login",
        data={
            "email": "ana@acme.test",
            "password": PASSWORD,
            "token": token,
            "next": "/queue",
        },
    )
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


def test_signing_in_rotates_the_session_and_signing_out_deletes_it(site_on: Site) -> None:
    world, server = site_on
    client = server.sign_in("ana@acme.test")
    first = client.cookies[SESSION_COOKIE]
    assert _sessions(world) == 1
    response = _try_login(client, "ana@acme.test", PASSWORD)
    second = response.cookies[SESSION_COOKIE]
    assert second != first and _sessions(world) == 1
    stale = server.client(cookies={SESSION_COOKIE: first})
    assert stale.get("/queue").headers["location"].startswith("/login")
    client.cookies.set(SESSION_COOKIE, second)
    client.post("/logout", data={"csrf": csrf_of(client)})
    assert _sessions(world) == 0
    assert client.get("/queue").status_code == 303


def test_state_changes_need_the_token_and_our_own_origin(site_on: Site) -> None:
    world, server = site_on
    seed_queue(world)
    client = server.sign_in("ana@acme.test")
    token = csrf_of(client)
    path = f"/drafts/{world.drafts['maria']}/approve"
    attempts = [
        ({"when": "next"}, {}),  # no token
        ({"csrf": "forged", "when": "next"}, {}),  # a wrong token
        ({"csrf": token, "when": "next"}, {"Origin": "http://evil.example"}),  # foreign origin
        ({"csrf": token, "when": "next"}, {"Origin": "null"}),
        ({"csrf": token, "when": "next"}, {"Origin": "", "Referer": "http://evil.example/page"}),
    ]
    for data, headers in attempts:
        response = client.post(path, data=data, headers=headers)
        assert response.status_code == 403, (data, headers)
        assert "refused" in response.text or "expired" in response.text
    no_origin = server.client(cookies=client.cookies)
    assert no_origin.post(path, data={"csrf": token}).status_code == 403
    assert world.draft("maria").state == "pending"
    # The sign-in form is protected the same way.
    foreign = server.client(headers={"Origin": "http://evil.example"})
    assert _try_login(foreign, "ana@acme.test", PASSWORD).status_code == 403
    assert client.post(path, data={"csrf": token, "when": "next"}).status_code == 303
    assert world.draft("maria").state == "approved"


def test_sign_in_is_throttled_per_account(site_on: Site) -> None:
    _, server = site_on
    client = server.client(headers={"Origin": server.url})
    for _ in range(MAX_ACCOUNT_FAILURES):
        response = _try_login(client, "ana@acme.test", "wrong password!")
        assert response.status_code == 401
        assert "do not match" in response.text
    locked = _try_login(client, "ana@acme.test", PASSWORD)
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.text
    assert _try_login(client, "bob@acme.test", PASSWORD).status_code == 303


def test_sign_in_is_throttled_per_address(site_on: Site) -> None:
    _, server = site_on
    client = server.client(headers={"Origin": server.url})
    for i in range(MAX_ADDRESS_FAILURES):
        assert _try_login(client, f"guess{i}@acme.test", "nope nope nope").status_code == 401
    assert _try_login(client, "bob@acme.test", PASSWORD).status_code == 429


def test_sign_in_never_sends_the_browser_elsewhere(site: Site) -> None:
    _, server = site
    client = server.client(headers={"Origin": server.url})
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post(
            "/login",
            data={
                "email": "ana@acme.test",
                "password": PASSWORD,
                "token": _login_token(client),
                "next": target,
            },
        )
        assert response.headers["location"] == "/queue", target
    anonymous = server.client()
    assert anonymous.get("/drafts/1").headers["location"] == "/login?next=/drafts/1"


def test_errors_are_one_sentence_never_a_traceback(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world, server = site
    client = server.sign_in("ana@acme.test")
    for method, path, status in (
        ("GET", "/nope", 404),
        ("PUT", "/queue", 405),
        ("GET", "/drafts/424242", 404),
    ):
        response = client.request(method, path)
        assert response.status_code == status
        sentence = re.findall(r'class="error-sentence">([^<]+)<', response.text)
        assert len(sentence) == 1 and sentence[0].endswith(".")
    # A crash inside a page: the store is gone from under the app.
    monkeypatch.setenv("TEST_WEB_SECRET", SECRET)
    broken = make_engine(f"sqlite:///{tmp_path}/empty.db")
    app = create_app(config.load(world.settings.path or tmp_path), broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.cookies.set(SESSION_COOKIE, "x")
        response = client.get("/queue")
    assert response.status_code == 500
    assert "Traceback" not in response.text and "sqlite" not in response.text.lower()
    assert "Something went wrong on our side" in response.text
