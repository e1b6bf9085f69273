"""The manager's content library: add, edit and retire items, and see what each one did."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from starlette.responses import Response

from assistant.content.library import PERSONAS, STAGES, TYPES
from assistant.content.store import set_retired
from assistant.db import transaction
from assistant.errors import NotFound
from assistant.models import ContentDelivery, ContentItem, Direction, Lead, Message
from assistant.records import audit
from assistant.web import scope
from assistant.web.http import MANAGERS, BadInput, Pages, Req

pages = Pages()
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # the library's own rule for file slugs


@dataclass
class Results:
    """What one item did for the leads in the user's reach."""

    sent: int = 0
    replied: int = 0
    sales_ready: int = 0

    @property
    def reply_rate(self) -> float | None:
        return self.replied / self.sent if self.sent else None


def results(db: Session, allowed: set[int] | None) -> dict[int, Results]:
    """Per item: deliveries, leads who replied after it, leads who became sales-ready after."""
    last_reply = dict(
        db.exec(
            select(Message.lead_id, func.max(Message.sent_at))
            .where(Message.direction == Direction.inbound.value, Message.kind == "human")
            .group_by(col(Message.lead_id))
        ).all()
    )
    rows = db.exec(
        select(
            ContentDelivery.content_id,
            ContentDelivery.lead_id,
            ContentDelivery.delivered_at,
            Lead.sales_ready_at,
        )
        .join(Lead, col(Lead.id) == ContentDelivery.lead_id)
        .where(scope.leads_filter(allowed))
    ).all()
    out: dict[int, Results] = {}
    for content_id, lead_id, at, ready_at in rows:
        r = out.setdefault(content_id, Results())
        r.sent += 1
        reply = last_reply.get(lead_id)
        if at is not None and reply is not None and reply > at:
            r.replied += 1
        if at is not None and ready_at is not None and ready_at > at:
            r.sales_ready += 1
    return out


@pages.get("/manage/content", roles=MANAGERS)
def library(req: Req) -> Response:
    show_retired = req.param("retired") == "1"
    with Session(req.engine) as db:
        query = select(ContentItem).order_by(ContentItem.stage, ContentItem.title)
        if not show_retired:
            query = query.where(ContentItem.retired == False)  # noqa: E712
        items = db.exec(query).all()
        numbers = results(db, scope.rep_ids(db, req.user))
    return req.render(
        "manage/content.html",
        items=items,
        numbers=numbers,
        show_retired=show_retired,
        stages=STAGES,
    )


def _item(db: Session, req: Req) -> ContentItem:
    item = db.get(ContentItem, int(req.request.path_params["item_id"]))
    if item is None:
        raise NotFound("There is no such content item.")
    return item


def _form(
    req: Req,
    item: ContentItem | None,
    error: str = "",
    status: int = 200,
    values: dict[str, Any] | None = None,
) -> Response:
    numbers = None
    if item is not None and item.id is not None:
        with Session(req.engine) as db:
            numbers = results(db, scope.rep_ids(db, req.user)).get(item.id, Results())
    return req.render(
        "manage/content_form.html",
        item=item,
        values=values or _values(item),
        error=error,
        numbers=numbers,
        # An imported item may carry its own kind and roles ("podcast", "fleet manager").
        types=_choices(TYPES, [item.type] if item else []),
        stages=STAGES,
        personas=_choices(PERSONAS, item.personas if item else []),
        http_status=status,
    )


def _choices(known: tuple[str, ...], own: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*known, *(o for o in own if o)]))


def _values(item: ContentItem | None) -> dict[str, Any]:
    if item is None:
        return {
            "slug": "",
            "title": "",
            "type": "white_paper",
            "url": "",
            "stage": "awareness",
            "topics": "",
            "personas": [],
            "industries": "",
            "summary": "",
            "body": "",
            "expires": "",
            "event_date": "",
        }
    return {
        "slug": item.slug,
        "title": item.title,
        "type": item.type,
        "url": item.url,
        "stage": item.stage,
        "topics": ", ".join(item.topics),
        "personas": item.personas,
        "industries": ", ".join(item.industries),
        "summary": item.summary,
        "body": item.body,
        "expires": item.expires.isoformat() if item.expires else "",
        "event_date": item.event_date.strftime("%Y-%m-%dT%H:%M") if item.event_date else "",
    }


def _words(text: str) -> list[str]:
    # The library's spelling: lowercase, spaces and hyphens as underscores, no repeats.
    return list(
        dict.fromkeys(
            re.sub(r"[\s-]+", "_", w.strip().lower()) for w in text.split(",") if w.strip()
        )
    )


def _read(req: Req, item: ContentItem) -> None:
    """Fill the item from the form, or raise BadInput naming the field."""
    title, url = " ".join(req.field("title").split()), req.field("url").strip()
    if not title:
        raise BadInput("The title is empty.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
        raise BadInput("The address must start with http:// or https://.")
    kind, stage = req.field("type"), req.field("stage")
    if kind not in _choices(TYPES, [item.type]) or stage not in STAGES:
        raise BadInput("Pick a type and a stage from the lists.")
    personas = [p for p in req.fields("personas") if p in _choices(PERSONAS, item.personas)]
    topics = _words(req.field("topics"))
    if not topics:
        raise BadInput("List at least one topic, separated by commas.")
    summary, body = req.field("summary").strip(), req.field("body").replace("\r\n", "\n").strip()
    if not summary:
        raise BadInput("The summary is needed: one or two sentences on what the item offers.")
    try:
        expires = date.fromisoformat(req.field("expires")) if req.field("expires") else None
        event = datetime.fromisoformat(req.field("event_date")) if req.field("event_date") else None
    except ValueError:
        raise BadInput("A date is not valid; use the date pickers.") from None
    item.title, item.url, item.type, item.stage = title, url, kind, stage
    item.topics, item.personas, item.industries = topics, personas, _words(req.field("industries"))
    item.summary, item.body, item.expires = summary, body, expires
    item.event_date = event.replace(tzinfo=UTC) if event and event.tzinfo is None else event
    item.updated_at = req.now  # a new timestamp makes the ranker re-index the library


@pages.get("/manage/content/new", roles=MANAGERS)
def new_item(req: Req) -> Response:
    return _form(req, None)


@pages.post("/manage/content/new", roles=MANAGERS)
def create_item(req: Req) -> Response:
    slug = req.field("slug").strip().lower()
    item = ContentItem(slug=slug, title="", type="", url="", stage="")
    try:
        if not SLUG.fullmatch(slug) or len(slug) > 80:
            raise BadInput("The short name must be lowercase letters, digits and single hyphens.")
        _read(req, item)
        with transaction(req.engine) as db:
            db.add(item)
            db.flush()
            audit(db, req.actor, "content_added", None, req.now, slug=slug)
    except IntegrityError:
        return _form(req, None, f"The short name '{slug}' is taken.", 400, _posted(req))
    except BadInput as exc:
        return _form(req, None, str(exc), 400, _posted(req))
    return req.redirect(f"/manage/content/{item.id}", flash=("ok", f"Added “{item.title}”."))


def _posted(req: Req) -> dict[str, Any]:
    values: dict[str, Any] = {k: req.field(k) for k in _values(None)}
    values["personas"] = req.fields("personas")
    return values


@pages.get("/manage/content/{item_id:int}", roles=MANAGERS)
def edit_item(req: Req) -> Response:
    with Session(req.engine) as db:
        item = _item(db, req)
    return _form(req, item)


@pages.post("/manage/content/{item_id:int}", roles=MANAGERS)
def save_item(req: Req) -> Response:
    with transaction(req.engine) as db:
        item = _item(db, req)
        try:
            _read(req, item)
        except BadInput as exc:
            db.rollback()
            return _form(req, item, str(exc), 400, {**_posted(req), "slug": item.slug})
        db.add(item)
        audit(db, req.actor, "content_edited", None, req.now, slug=item.slug)
    return req.redirect(f"/manage/content/{item.id}", flash=("ok", "Saved."))


@pages.post("/manage/content/{item_id:int}/retire", roles=MANAGERS)
def retire_item(req: Req) -> Response:
    with transaction(req.engine) as db:
        item = set_retired(db, _item(db, req).slug, req.field("retired", "1") == "1", req.now)
        audit(
            db,
            req.actor,
            "content_retired" if item.retired else "content_restored",
            None,
            req.now,
            slug=item.slug,
        )
        text = "Retired: it will not be suggested again." if item.retired else "Back in use."
    return req.redirect(req.back(f"/manage/content/{item.id}"), flash=("ok", text))
