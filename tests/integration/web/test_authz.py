"""Every route of the app, tried as someone who must not reach another rep's leads and drafts.

The routes come from the app's own router, so a route added later is tried too.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select
from starlette.routing import Mount, Route

from assistant.models import ContentItem, Failure, Rep
from assistant.web.server import create_app
from tests.integration.web.company import SECRET, Company, Server, csrf_of
from tests.integration.web.seeds import seed_queue

pytestmark = pytest.mark.slow

# What must never show to anyone but Ana, her manager and an admin.
ANA_SECRETS = (
    "María López",
    "maria@northwind.test",
    "useful read",
    "two to three weeks",
    "Li Wei",
    "Sam Okafor",
    "Tom Becker",
)
OBJECT_PARAMS = {"draft_id", "lead_id", "failure_id", "rep_id"}


def _routes(world: Company, monkeypatch: pytest.MonkeyPatch) -> list[Route]:
    monkeypatch.setenv(world.settings.web.secret_key_env, SECRET)
    app = create_app(world.settings, world.engine)
    routes = [r for r in app.router.routes if isinstance(r, Route)]
    mounts = [r for r in app.router.routes if isinstance(r, Mount)]
    assert [m.path for m in mounts] == ["/static"]  # public files only: no data behind a mount
    assert len(routes) >= 25
    return routes


def _params(route: Route, world: Company, draft: str) -> dict[str, Any]:
    with world.engine.connect() as connection:
        item_id = connection.execute(ContentItem.__table__.select().limit(1)).first()[0]  # type: ignore[attr-defined]
    known = {
        "draft_id": world.drafts[draft],
        "lead_id": world.leads["maria"],
        "item_id": item_id,
        "kind": "tone",
        "failure_id": world.failures["maria"],
        "rep_id": world.reps["ana@acme.test"],
        "verb": "remove",
    }
    missing = set(route.param_convertors) - set(known)
    assert not missing, f"{route.path}: teach this test about {missing}"
    return {name: known[name] for name in route.param_convertors}


def _form(csrf: str, world: Company) -> dict[str, Any]:
    """Fields any action might read, all aimed at Ana's objects."""
    return {
        "csrf": csrf,
        "next": "/queue",
        "reason": "mine now",
        "hours": "24",
        "until": "2031-01-01",
        "rep": str(world.reps["bob@acme.test"]),
        "instruction": "leak it",
        "edit": "1",
        "subject": "hijacked",
        "body": "hijacked",
        "when": "next",
        "outcome": "delivered",
        "draft": [str(world.drafts[k]) for k in ("maria", "li", "sam")],
        "content": "crm-integration-guide",
        "team": "east",
        "max_words": "31",
        "voice": "x",
        "title": "hijacked",
        "url": "https://evil.example/",
        "type": "white_paper",
        "stage": "awareness",
        "topics": "x",
        "summary": "x",
        "retired": "1",
        "reassign_to": "bob@acme.test",
        "email": "intruder@evil.test",
        "name": "Intruder",
    }


def _signed_in(client: httpx.Client, server: Server, email: str) -> httpx.Client:
    if client.get("/queue").status_code == 200:
        return client
    return server.sign_in(email)  # the last request was a sign-out


def _untouched(world: Company) -> None:
    for key in ("maria", "li", "sam"):
        draft = world.draft(key)
        assert (draft.state, draft.snoozed_until, draft.version) == ("pending", None, 1), key
        assert "hijacked" not in draft.body and "leak it" not in draft.body
    lead = world.lead("maria")
    assert (lead.status, lead.owner_id) == ("active", world.reps["ana@acme.test"])
    with Session(world.engine) as db:
        failure = db.get(Failure, world.failures["maria"])
        assert failure is not None and failure.state == "gave_up"
        reps = {r.email: r.status for r in db.exec(select(Rep)).all()}
        assert set(reps.values()) == {"active"} and "intruder@evil.test" not in reps


@pytest.mark.parametrize("intruder", ["bob@acme.test", "cara@acme.test", "walt@acme.test"])
def test_every_route_refuses_another_reps_leads_and_drafts(
    site_on: tuple[Company, Server], monkeypatch: pytest.MonkeyPatch, intruder: str
) -> None:
    world, server = site_on
    seed_queue(world)
    routes = _routes(world, monkeypatch)
    client = server.sign_in(intruder)
    tried = 0
    for route in sorted(routes, key=lambda r: r.path == "/logout"):
        for method in sorted(route.methods or ()):
            if method == "HEAD":
                continue
            for draft in ("maria", "li"):
                client = _signed_in(client, server, intruder)
                path = route.url_path_for(route.name, **_params(route, world, draft))
                data = _form(csrf_of(client), world) if method == "POST" else None
                response = client.request(method, path, data=data)
                tried += 1
                shown = response.text
                for secret in ANA_SECRETS:
                    assert secret not in shown, f"{method} {path} shows {secret!r} to {intruder}"
                if OBJECT_PARAMS & set(route.param_convertors):
                    assert response.status_code in (403, 404), (
                        f"{method} {path}: {response.status_code}"
                    )
                    assert "Traceback" not in shown
    assert tried >= 2 * len(routes)
    _untouched(world)


def test_out_of_reach_looks_exactly_like_missing(site_on: tuple[Company, Server]) -> None:
    world, server = site_on
    seed_queue(world)
    bob = server.sign_in("bob@acme.test")
    for path in (f"/drafts/{world.drafts['maria']}", f"/leads/{world.leads['maria']}"):
        theirs, missing = bob.get(path), bob.get(re.sub(r"\d+$", "987654", path))
        assert theirs.status_code == missing.status_code == 404
        assert _sentence(theirs.text) == _sentence(missing.text)


def test_the_owner_her_manager_and_an_admin_do_reach_them(site_on: tuple[Company, Server]) -> None:
    world, server = site_on
    seed_queue(world)
    for who in ("ana@acme.test", "meg@acme.test", "root@acme.test"):
        client = server.sign_in(who)
        for path in (
            f"/drafts/{world.drafts['maria']}",
            f"/leads/{world.leads['maria']}",
            "/queue",
        ):
            response = client.get(path)
            assert response.status_code == 200 and "María López" in response.text, (who, path)
    walt = server.sign_in("walt@acme.test")
    assert "WEST-ONLY-SUBJECT" in walt.get("/queue").text
    assert "BOB-ONLY-SUBJECT" not in walt.get("/queue").text
    bob = server.sign_in("bob@acme.test")
    assert bob.get("/manage").status_code == 403
    assert bob.get("/manage/rules/tone").status_code == 403


def _sentence(html: str) -> str:
    return html.split('class="error-sentence">')[1].split("<")[0]
