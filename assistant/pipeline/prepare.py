"""What a drafter is told about one planned step, read from the database.

The request holds only this lead's thread, the team's tone rules and library, and the chosen
content. Recipients and threading come from our records and stay out of the drafter's hands.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from assistant import reading, rules
from assistant.content.library import STAGES
from assistant.content.rank import Recommendation
from assistant.errors import NotFound, StateError
from assistant.llm import instructions, language
from assistant.llm.answers import Answer, answer_all, clearly_answering, spoken_of
from assistant.llm.base import (
    ContentBrief,
    DraftRequest,
    LeadProfile,
    RepProfile,
    Turn,
    request_from_json,
    request_to_json,
)
from assistant.llm.offline import LIGHT
from assistant.llm.turns import ASKS_FOR_MATERIAL, asked_kind, lead_zone, where
from assistant.mail.compose import base_subject, reply_subject
from assistant.mail.intent import named_by_address
from assistant.models import ContentItem, Draft, Lead, Message, MessageState, Rep, Thread
from assistant.pipeline.plan import Job, step_json
from assistant.pipeline.select import Choice, choose, excluded, ranker
from assistant.records import is_suppressed

MAX_TURNS = 8


@dataclass(frozen=True)
class Prepared:
    """A planned draft before the drafter writes it: the request and our own records."""

    lead_id: int
    trigger: str
    reason: str
    request: DraftRequest
    rep_id: int
    thread_id: int | None
    reply_to_id: int | None
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    content_id: int | None
    content_reason: str
    stage: str  # where the chosen content puts the lead in the journey; "" leaves it
    step: dict[str, Any] = field(default_factory=dict)  # the planned step, as the draft keeps it
    cc: tuple[str, ...] = ()  # kept from the lead's reply (reply-all)

    def to_json(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "request"}
        # The library is re-read when the draft is stored; it would only bloat the row.
        request = request_to_json(self.request)
        request["library"] = []
        return {**data, "references": list(self.references), "request": request}

    @classmethod
    def from_json(cls, data: dict[str, Any], library: tuple[ContentBrief, ...]) -> Prepared:
        request = request_from_json(data["request"])
        values = {**data, "references": tuple(data["references"])}
        values["request"] = replace(request, library=library)
        return cls(**values)


def prepare(
    session: Session,
    job: Job,
    now: datetime,
    *,
    instruction: str | None = None,
    content_slug: str | None = None,
    keep_content_id: int | None = None,
) -> Prepared | None:
    """The request for one job; None when the lead is gone or has no owner."""
    lead = session.get(Lead, job.lead_id)
    if lead is None or lead.owner_id is None:
        return None
    rep = session.get(Rep, lead.owner_id)
    assert rep is not None and rep.id is not None and lead.id is not None
    step = job.step
    target = _target(session, step.reply_to or "")
    thread_id = target.thread_id if target else None
    turns = _turns(session, lead, thread_id)
    latest = target if target and target.direction == "inbound" else None
    said = reading.load(latest.understanding if latest else None)
    events = tuple(e.type for e in said.events)
    reply = latest.reply_text if latest else ""
    if instruction and content_slug is None:
        content_slug = _asked_for(session, lead, instruction, now, keep_content_id)
    rep_chose = content_slug is not None or keep_content_id is not None
    said_by_rep = [t.text for t in turns if t.direction == "outbound"]
    # The lead's questions read once, for the item that answers them or stands beside them.
    answers = _read_questions(session, lead, rep, reply, said_by_rep, now) if not rep_chose else []
    choice = (
        None
        if rep_chose
        else _of_asked_kind(session, lead, reply, now)
        or _answering(session, lead, answers, now)
        or _beside_rep_topic(session, lead, reply, answers, now)
    )
    # "Send me something to build the case" during a pause or freeze still gets that item.
    asked = bool(reply) and bool(ASKS_FOR_MATERIAL.search(reply))
    held_back = (
        not rep_chose and step.action == "reply" and _answered_for_itself(said) and not asked
    )
    choice = (
        None
        if held_back
        else choice
        or _pick(
            session,
            lead,
            reply=reply or " ".join(lead.topics),
            intent=said.intent,
            events=events,
            now=now,
            content_slug=content_slug,
            keep_content_id=keep_content_id,
        )
    )
    frozen = any(e.type == reading.EventType.budget_freeze for e in said.events)
    if frozen and not (rep_chose or asked) and choice is not None and choice.item.type not in LIGHT:
        choice = None  # a freeze gets at most one light item
    thread = session.get(Thread, thread_id) if thread_id else None
    subject = base_subject(thread.subject if thread else (target.subject if target else ""))
    inbound = [t.text for t in turns if t.direction == "inbound"]
    request = DraftRequest(
        situation="reply" if step.action == "reply" else step.situation,
        rep=RepProfile(rep.name, rep.email, rep.signature),
        lead=LeadProfile(
            lead.name,
            lead.email,
            lead.company,
            lead.title,
            lead.stage,
            language=lead.extra.get("language") or language.guess(inbound[-2:]),
            topics=tuple(lead.topics),
            referred_by=_referrer(session, lead),
            # Unknown to our records: where the lead's mail, signature included, says they are.
            timezone=lead.timezone or lead_zone(latest.text if latest else "", "", lead.email),
            signed=latest.text if latest else "",
        ),
        subject=subject,
        thread=turns,
        latest_reply=reply or None,
        content=_brief(choice, now),
        tone=rules.tone_for(session, rep.team, rep.email),
        touch_number=step.touch_number or 1,
        instruction=instruction,
        seed=zlib.crc32(f"{step.trigger}:{instruction}:{content_slug}".encode()),
        library=library(session, now),
        newcomers=_newcomers(session, lead, rep, latest),
        resumes_on=_resumes_on(said),
        referred=tuple(
            (e.name or "", e.email)
            for e in said.events
            if e.type == reading.EventType.referral and e.email
        ),
    )
    return Prepared(
        lead_id=lead.id,
        trigger=step.trigger or "",
        reason=step.why,
        request=request,
        rep_id=rep.id,
        thread_id=thread_id,
        reply_to_id=target.id if target and target.id else None,
        in_reply_to=target.message_id if target else None,
        references=tuple(target.references) if target else (),
        subject=reply_subject(subject)
        if subject
        else _fresh_subject(step.situation, lead, session),
        content_id=choice.item.id if choice else None,
        content_reason=choice.reason if choice else "no new content fits",
        stage=choice.stage if choice else "",
        step=step_json(step),
        cc=_reply_all(session, lead, rep, latest) if step.action == "reply" else (),
    )


_library: dict[tuple[int, str, date], tuple[ContentBrief, ...]] = {}


def library(session: Session, now: datetime) -> tuple[ContentBrief, ...]:
    """The items a draft may offer, in slug order: the same bytes until the library changes.

    Keyed on the library's size and newest change, so an import or a retirement while the
    daemon runs reaches the next prompt.
    """
    count, newest = session.exec(
        select(func.count(col(ContentItem.id)), func.max(ContentItem.updated_at))
    ).one()
    key = (int(count), str(newest), now.date())
    if key not in _library:
        items = session.exec(select(ContentItem).order_by(col(ContentItem.slug))).all()
        available = [
            i for i in items if not i.retired and (i.expires is None or i.expires >= now.date())
        ]
        _library.clear()
        _library[key] = tuple(_content(item, now, reason="") for item in available)
    return _library[key]


def _fresh_subject(situation: str, lead: Lead, session: Session) -> str:
    """A subject for a first message that answers nothing."""
    if situation == "referral_intro" and (who := _referrer(session, lead)):
        return f"{who} suggested I get in touch"
    return "Following up"


def _newcomers(session: Session, lead: Lead, rep: Rep, latest: Message | None) -> tuple[str, ...]:
    """Who the lead copied on the reply and was not on the thread before, by name if known."""
    if latest is None or not latest.cc_addrs:
        return ()
    earlier = session.exec(
        select(Message).where(
            Message.thread_id == latest.thread_id, col(Message.sent_at) < latest.sent_at
        )
    ).all()
    seen = {a.lower() for m in earlier for a in (*m.cc_addrs, *m.to_addrs)}
    seen |= {lead.email.lower(), rep.email.lower()}
    names = []
    for address in latest.cc_addrs:
        if address.lower() in seen:
            continue
        known = session.exec(select(Lead).where(Lead.email == address.lower())).first()
        # "I've added Eva Mulder, our finance director, in cc": the name the lead gave.
        named = named_by_address(latest.text or "", address)
        names.append(known.name if known and known.name else named or address)
    return tuple(names)


def _resumes_on(said: reading.StoredReading) -> str | None:
    later = [e.date for e in said.events if e.type in reading.LATER_EVENTS and e.date]
    return later[0].isoformat() if later else None


def _answered_for_itself(said: reading.StoredReading) -> bool:
    """A turn the reply is about, not content: a pause until a date, a colleague to write to
    instead, a request to talk. (A budget freeze may still carry one light item.)"""
    if said.intent == reading.Intent.ready_to_talk:
        return True
    return any(
        e.type in (reading.EventType.meeting_request, reading.EventType.referral)
        or (e.type == reading.EventType.come_back_later and e.date is not None)
        for e in said.events
    )


def _reply_all(session: Session, lead: Lead, rep: Rep, latest: Message | None) -> tuple[str, ...]:
    """Who the lead copied on the reply, kept on ours: never the rep, the lead, or an address
    that asked not to be contacted."""
    if latest is None:
        return ()
    skip = {lead.email.lower(), rep.email.lower()}
    kept = []
    for address in dict.fromkeys(a.strip().lower() for a in latest.cc_addrs):
        if address and address not in skip and not is_suppressed(session, address):
            kept.append(address)
    return tuple(kept)


def _referrer(session: Session, lead: Lead) -> str:
    if lead.referred_by_id is None:
        return ""
    source = session.get(Lead, lead.referred_by_id)
    return (source.name or source.email) if source else ""


def _target(session: Session, key: str) -> Message | None:
    """The message a step answers or follows up: ours by draft, or any by message id."""
    if key.startswith("m"):
        return session.get(Message, int(key[1:]))
    if key.startswith("d"):
        draft_id = int(key[1:])
        copy = session.exec(select(Message).where(Message.draft_id == draft_id)).first()
        if copy is not None:
            return copy
        draft = session.get(Draft, draft_id)
        if draft is not None and draft.message_id:
            return Message(
                rep_id=draft.rep_id,
                folder="",
                uidvalidity=0,
                uid=0,
                message_id=draft.message_id,
                references=draft.references,
                thread_id=draft.thread_id,
                lead_id=draft.lead_id,
                direction="outbound",
                subject=draft.subject,
                sent_at=draft.sent_at,
                text=draft.body,
            )
    return None


def _turns(session: Session, lead: Lead, thread_id: int | None) -> tuple[Turn, ...]:
    query = select(Message).where(
        Message.lead_id == lead.id, Message.state == MessageState.understood.value
    )
    if thread_id is not None:
        query = query.where(Message.thread_id == thread_id)
    rows = session.exec(query.order_by(col(Message.sent_at).desc()).limit(MAX_TURNS)).all()
    return tuple(
        Turn(
            "inbound" if m.direction == "inbound" else "outbound",
            m.sent_at,
            m.subject,
            m.reply_text or m.text,
        )
        for m in reversed(rows)
        if m.kind in (None, "human")
    )


def _brief(choice: Choice | None, now: datetime) -> ContentBrief | None:
    return _content(choice.item, now, reason=choice.reason) if choice else None


def _content(item: ContentItem, now: datetime, *, reason: str) -> ContentBrief:
    event = item.event_date
    return ContentBrief(
        slug=item.slug,
        title=item.title,
        type=item.type,
        url=item.url,
        summary=item.summary,
        key_points=item.body,
        reason=reason,
        attachment=item.file_path.rsplit("/", 1)[-1] if item.file_path else None,
        topics=tuple(item.topics),
        upcoming=item.type == "webinar" and event is not None and event > now,
        when=f"{event:%A} {event.day} {event:%B %Y, %H:%M} UTC" if event else "",
        starts_at=event.isoformat() if event else "",
    )


def _read_questions(
    session: Session, lead: Lead, rep: Rep, reply: str, said_by_rep: Sequence[str], now: datetime
) -> list[Answer]:
    """Each of the lead's questions answered from the library; what the thread speaks of
    ("you mentioned a brewery that...") answers first, and the price is worked out where the
    lead is, as the draft will give it."""
    if not reply:
        return []
    shelf = library(session, now)
    zone = where(reply, lead.timezone, lead.email, rep.timezone, rep.signature)
    return answer_all(reply, shelf, near=spoken_of(said_by_rep, reply, shelf), zone=zone)


def _upcoming(item: ContentItem, now: datetime) -> bool:
    return item.event_date is not None and item.event_date > now


def _answering(
    session: Session, lead: Lead, answers: Sequence[Answer], now: datetime
) -> Choice | None:
    """The item whose key points answer the lead's question, when the lead may still get it."""
    slug = clearly_answering(answers)
    _, items = ranker(session)
    if slug is None or slug not in items:
        return None
    item = items[slug]
    why = "its key points answer the lead's question"
    if slug in excluded(session, lead) and not _upcoming(item, now):
        # The page the lead already has, asked about: the answers come from it and point back
        # to it, rather than to an item that answers nothing they asked. (An event asked about
        # is invited to again the same way: its link is the answer.)
        why = "its key points answer the lead's question about the item they already have"
    # The answer moves the lead to its item's stage when that is where the lead is or the next
    # step on; an answer from an earlier stage leaves the lead where it is.
    ahead = STAGES.index(item.stage) - STAGES.index(lead.stage) if lead.stage in STAGES else -1
    stage = item.stage if ahead in (0, 1) else ""
    return Choice(item, Recommendation(item.slug, 0.0, item.stage, (why,)), stage)


# What the rep decides still has a page to stand beside: the published prices beside a
# discount or terms request, another customer's story beside a request for references.
_BESIDE_REP_TOPIC = {
    "discounts": ("pricing",),
    "contract terms": ("pricing",),
    "references": ("case_study",),
    "other customers": ("case_study",),
}


def _beside_rep_topic(
    session: Session, lead: Lead, reply: str, answers: Sequence[Answer], now: datetime
) -> Choice | None:
    """The item of the kind that stands beside what only the rep may answer, if one is left."""
    topics = [a.topic for a in answers if a.status == "rep_only"]
    wanted = next((_BESIDE_REP_TOPIC[t] for t in topics if t in _BESIDE_REP_TOPIC), None)
    if wanted is None:
        return None
    _, items = ranker(session)
    others = {slug for slug, item in items.items() if item.type not in wanted}
    return choose(session, lead, reply=reply, intent=None, events=(), now=now, exclude=others)


def _of_asked_kind(session: Session, lead: Lead, reply: str, now: datetime) -> Choice | None:
    """The best item of the kind the lead asks for by name ("any session my team could
    join?"), when one is left for them."""
    wanted = asked_kind(reply)
    if not wanted:
        return None
    _, items = ranker(session)
    others = {slug for slug, item in items.items() if item.type not in wanted}
    return choose(session, lead, reply=reply, intent=None, events=(), now=now, exclude=others)


def _asked_for(
    session: Session, lead: Lead, instruction: str, now: datetime, keep: int | None
) -> str | None:
    """The slug of the kind of item a rep's instruction names ("mention the webinar").

    None when the instruction names no kind, the draft's item is already of that kind, or no
    item of that kind is left for this lead (the drafter then says it could not follow).
    """
    wanted = instructions.read(instruction).content_type
    if wanted is None:
        return None
    current = session.get(ContentItem, keep) if keep is not None else None
    if current is not None and current.type == wanted:
        return None
    _, items = ranker(session)
    others = {slug for slug, item in items.items() if item.type != wanted}
    found = choose(
        session, lead, reply=instruction, intent=None, events=(), now=now, exclude=others
    )
    return found.item.slug if found else None


def _pick(
    session: Session,
    lead: Lead,
    *,
    reply: str,
    intent: str | None,
    events: tuple[str, ...],
    now: datetime,
    content_slug: str | None,
    keep_content_id: int | None,
) -> Choice | None:
    """The ranker's choice, or the rep's: a swap names a slug, a regeneration keeps its item."""
    if content_slug is None and keep_content_id is None:
        return choose(session, lead, reply=reply, intent=intent, events=events, now=now)
    _, items = ranker(session)
    if content_slug is not None:
        if content_slug not in items:
            raise NotFound(f"There is no content item '{content_slug}'.")
        if content_slug in excluded(session, lead) - _riding(session, keep_content_id):
            raise StateError(f"{lead.email} has already received '{content_slug}'.")
        item = items[content_slug]
    else:
        item = next(i for i in items.values() if i.id == keep_content_id)
    return Choice(item, Recommendation(item.slug, 0.0, item.stage, ("chosen by the rep",)))


def _riding(session: Session, content_id: int | None) -> set[str]:
    if content_id is None:
        return set()
    item = session.get(ContentItem, content_id)
    return {item.slug} if item else set()
