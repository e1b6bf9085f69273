"""The rep's queue and one draft's page: approve, edit, reject, snooze, regenerate, swap."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from anyio.from_thread import run as run_async
from sqlmodel import Session, col, select
from starlette.responses import Response

from assistant.db import transaction
from assistant.errors import NotFound, StateError
from assistant.lifecycle import drafts as lifecycle
from assistant.models import AuditEntry, ContentItem, Draft, DraftState, DraftVersion, Rep
from assistant.pipeline.approve import approve, reject, resolve_unknown
from assistant.pipeline.draft import redraft
from assistant.pipeline.select import Choice, choose
from assistant.web import cards, scope
from assistant.web.http import BadInput, Pages, Req

pages = Pages()
SNOOZE_HOURS = {4: "4 hours", 24: "1 day", 72: "3 days", 168: "1 week"}
MAX_INSTRUCTION = 500


def _draft_id(req: Req) -> int:
    return int(req.request.path_params["draft_id"])


@pages.get("/")
def home(req: Req) -> Response:
    return req.redirect("/queue")


@pages.get("/queue")
def queue_page(req: Req) -> Response:
    with Session(req.engine) as db:
        if req.param("view") == "snoozed":
            rows = cards.snoozed(db, req.user, req.now)
            return req.render(
                "snoozed.html", cards=cards.build(db, rows), show_rep=req.user.role != "rep"
            )
        page = int(req.param("page", "1")) if req.param("page", "1").isdigit() else 1
        shown = cards.page_of(db, req.user, req.now, page)
        hot = cards.sales_ready(db, req.user)
    return req.render(
        "queue.html",
        queue=shown,
        hot=hot,
        show_rep=req.user.role != "rep",
        snooze_hours=SNOOZE_HOURS,
    )


@pages.post("/queue/approve")
def approve_many(req: Req) -> Response:
    ids = [int(v) for v in req.fields("draft") if v.isdigit()]
    if not ids:
        raise BadInput("Select at least one draft to approve.")
    done, problems = 0, []
    for draft_id in ids:
        try:
            with Session(req.engine) as db:
                scope.draft(db, req.user, draft_id)
            approve(req.engine, req.settings, draft_id, req.actor, req.now)
            done += 1
        except (NotFound, StateError) as exc:
            problems.append(str(exc))
    text = f"Approved {done} draft{'s' if done != 1 else ''}; they go out at the next allowed time."
    if problems:
        text += f" {len(problems)} could not be approved: {problems[0]}"
    return req.redirect(req.back(), flash=("error" if problems else "ok", text))


@pages.get("/drafts/{draft_id:int}")
def draft_page(req: Req) -> Response:
    with Session(req.engine) as db:
        draft, lead = scope.draft(db, req.user, _draft_id(req))
        row = next(iter(cards.build(db, [(draft, lead, _rep(db, draft.rep_id))])))
        history = db.exec(
            select(AuditEntry)
            .where(AuditEntry.draft_id == draft.id)
            .order_by(col(AuditEntry.at), col(AuditEntry.id))
        ).all()
        versions = db.exec(
            select(DraftVersion)
            .where(DraftVersion.draft_id == draft.id)
            .order_by(col(DraftVersion.version).desc())
        ).all()
        others = suggestions(db, row, req.now) if draft.state == DraftState.pending else []
    return req.render(
        "draft.html",
        card=row,
        history=history,
        versions=versions,
        suggestions=others,
        snooze_hours=SNOOZE_HOURS,
        show_rep=req.user.role != "rep",
    )


def _rep(db: Session, rep_id: int) -> Rep:
    rep = db.get(Rep, rep_id)
    assert rep is not None
    return rep


def suggestions(db: Session, card: cards.Card, now: datetime, limit: int = 4) -> list[Choice]:
    """Other content the ranker would pick for this lead now, best first."""
    understanding = card.last.understanding if card.last else {}
    events = tuple(e.get("type", "") for e in understanding.get("events", []))
    reply = (card.last.reply_text if card.last else "") or " ".join(card.lead.topics)
    skip = {card.item.slug} if card.item else set()
    found: list[Choice] = []
    while len(found) < limit:
        choice = choose(
            db,
            card.lead,
            reply=reply,
            intent=understanding.get("intent"),
            events=events,
            now=now,
            exclude=skip,
        )
        if choice is None:
            break
        found.append(choice)
        skip.add(choice.item.slug)
    return found


def _send_after(req: Req) -> datetime | None:
    """None for 'the next allowed time'; else the picked time in the browser's time zone."""
    if req.field("when", "next") != "at":
        return None
    raw = req.field("send_at").strip()
    try:
        zone = ZoneInfo(req.field("tz") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise BadInput("Pick the date and time the email should go out.") from None
    moment = moment.replace(tzinfo=zone) if moment.tzinfo is None else moment
    if moment < req.now - timedelta(minutes=1):
        raise BadInput("The send time you picked is in the past.")
    return moment


def _when(draft: Draft) -> str:
    """When an approved draft leaves, as the send schedule decided it."""
    if draft.send_after is None:
        return "at the next send"
    text = f"on {draft.send_after:%d %b %Y at %H:%M} UTC"
    return f"{text} ({draft.schedule_note})" if draft.schedule_note else text


@pages.post("/drafts/{draft_id:int}/approve")
def approve_one(req: Req) -> Response:
    draft_id = _draft_id(req)
    with Session(req.engine) as db:
        scope.draft(db, req.user, draft_id)
    subject = body = None
    if req.field("edit") == "1":
        subject = req.field("subject").strip()
        # Browsers send textarea line breaks as CRLF; the draft keeps LF.
        body = req.field("body").replace("\r\n", "\n")
        if not subject:
            raise BadInput("The subject is empty.")
        if not body.strip():
            raise BadInput("The email is empty.")
    send_after = _send_after(req)
    # The edit form lists the draft's Cc as boxes; the addresses left ticked go out.
    cc = req.fields("cc") if req.field("cc_shown") == "1" else None
    draft = approve(
        req.engine,
        req.settings,
        draft_id,
        req.actor,
        req.now,
        subject=subject,
        body=body,
        send_after=send_after,
        cc=cc,
    )
    return req.redirect(
        req.back(),
        flash=("ok", f"Approved: the email to {draft.recipient} goes out {_when(draft)}."),
    )


@pages.post("/drafts/{draft_id:int}/reject")
def reject_one(req: Req) -> Response:
    draft_id = _draft_id(req)
    with Session(req.engine) as db:
        _, lead = scope.draft(db, req.user, draft_id)
    reject(req.engine, draft_id, req.actor, req.field("reason")[:1000], req.now)
    return req.redirect(req.back(), flash=("ok", f"Rejected the draft to {lead.email}."))


@pages.post("/drafts/{draft_id:int}/snooze")
def snooze(req: Req) -> Response:
    draft_id = _draft_id(req)
    hours = int(req.field("hours", "24")) if req.field("hours", "24").isdigit() else -1
    if hours not in SNOOZE_HOURS and hours != 0:
        raise BadInput("Pick how long to snooze the draft.")
    until = req.now + timedelta(hours=hours) if hours else None
    with transaction(req.engine) as db:
        draft, _ = scope.draft(db, req.user, draft_id)
        lifecycle.snooze(db, draft, until, req.actor, req.now)
    text = f"Snoozed for {SNOOZE_HOURS[hours]}." if hours else "Back in the queue."
    return req.redirect(req.back(), flash=("ok", text))


@pages.post("/drafts/{draft_id:int}/resolve")
def resolve(req: Req) -> Response:
    draft_id = _draft_id(req)
    outcome = req.field("outcome")
    if outcome not in ("delivered", "resend"):
        raise BadInput("Say whether the email arrived or should be sent again.")
    with Session(req.engine) as db:
        scope.draft(db, req.user, draft_id)
    resolve_unknown(req.engine, draft_id, req.actor, delivered=outcome == "delivered", now=req.now)
    text = "Marked as sent." if outcome == "delivered" else "It will be sent again."
    return req.redirect(req.back(f"/drafts/{draft_id}"), flash=("ok", text))


@pages.post("/drafts/{draft_id:int}/regenerate")
def regenerate(req: Req) -> Response:
    draft_id = _draft_id(req)
    instruction = " ".join(req.field("instruction").split())[:MAX_INSTRUCTION]
    if not instruction:
        raise BadInput("Say what the new draft should do differently.")
    with Session(req.engine) as db:
        scope.draft(db, req.user, draft_id)
    run_async(_redraft, req, draft_id, instruction, None)
    return req.redirect(req.back(f"/drafts/{draft_id}"), flash=("ok", "Here is the new draft."))


@pages.post("/drafts/{draft_id:int}/swap")
def swap(req: Req) -> Response:
    draft_id = _draft_id(req)
    with Session(req.engine) as db:
        scope.draft(db, req.user, draft_id)
        item = db.exec(select(ContentItem).where(ContentItem.slug == req.field("content"))).first()
        if item is None or item.retired:
            raise BadInput("Pick one of the suggested content items.")
    run_async(_redraft, req, draft_id, None, item.slug)
    return req.redirect(
        req.back(f"/drafts/{draft_id}"), flash=("ok", f"Redrafted around “{item.title}”.")
    )


async def _redraft(req: Req, draft_id: int, instruction: str | None, slug: str | None) -> None:
    await redraft(
        req.web.context(),
        draft_id,
        actor=req.actor,
        now=req.now,
        instruction=instruction,
        content_slug=slug,
    )
