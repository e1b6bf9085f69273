"""The offline drafter: Jinja2 templates from templates/drafts, no model, no network.

It answers the lead's questions from the library's key points (figures as the library writes
them), introduces the content by why it fits, follows the tone rules (formality, voice,
length, banned phrases, required lines) and what it can of a rep's instruction, and varies
its wording by the draft's seed so drafts do not read alike. It writes English, German,
French and Spanish from templates written in each language (templates/drafts/<lang>/), and
answers the journey's turns (a pause, a budget freeze, a referral, a request to talk) with
their own short mail. What it cannot do (answer a question, write another language, follow
part of an instruction) it says in a flag, never pretends.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2

from assistant import resources
from assistant.language import alternatives
from assistant.llm import instructions, phrasing, salutation, turns
from assistant.llm.answers import Answer, answer_all, spoken_of
from assistant.llm.base import ContentBrief, DraftRequest, DraftResult
from assistant.llm.eventtime import event_time
from assistant.llm.kinds import FEMININE_DE, FEMININE_ES, MASCULINE_DE, kind_name
from assistant.llm.points import terms
from assistant.llm.reported import reported
from assistant.mail.intent import classify_intent

TEMPLATES = resources.folder("templates", "drafts")
SITUATIONS = ("reply", "follow_up", "re_engage", "referral_intro", "graceful_close")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_GREETING = re.compile(
    r"^(hi|hello|hey|dear|hallo|bonjour|hola|hej|thanks|thank you|many thanks|cheers|best|regards)"
    r"\b[^.!?]{0,40}[,.!]?\s*$",
    re.I,
)
_ASKS_FOR = re.compile(
    r"\b(?:send|share|forward|have|got|point me to|is there|do you have|can i get|could i get)\b",
    re.I,
)
QUOTE_WORDS = 22
LANGUAGES = {"de": "German", "fr": "French", "es": "Spanish", "nl": "Dutch", "it": "Italian"}
LANGUAGES |= {"pt": "Portuguese", "sv": "Swedish"}
_REQUEST = re.compile(
    r"^(?:please|pls|kindly|could you|can you|would you|send|share|forward)\b"
    r"|\b(?:please (?:send|share|forward)|send (?:me|us)|share (?:with )?(?:me|us))\b",
    re.I,
)
# "Please send me the deck" asks for the item; "...and send the reports out automatically?"
# asks what the product does.
_SEND_ME = re.compile(
    r"^(?:please|pls|kindly)\b|\b(?:send|share|forward)\s+(?:me|us|over|it|them|a copy)\b"
    r"|\b(?:could|can|would) you (?:please )?(?:send|share|forward)\b",
    re.I,
)
# "Is there anything on ROI?" asks for something to read, which the content answers.
_WANTS_CONTENT = re.compile(
    r"\b(?:anything|something|material|resources?|reading|documentation|info(?:rmation)?)"
    r" (?:on|about|for|regarding)\b|\b(?:etwas|unterlagen|material) (?:zu|über)\b"
    r"|\bquelque chose sur\b|\balgo sobre\b",
    re.I,
)
UNANSWERED = "the lead asked a question this offline draft does not answer: add the answer"
UNSENT = "the lead asked for something this offline draft may not include: check it"
COULD_NOT = "offline drafter could not follow"
REP_ONLY = "the lead asks about {topic}: only you can answer that; the draft leaves it to you"
QUOTED = "the answer is quoted in English, as the library writes it: translate it if you like"
WRITTEN = ("en", "de", "fr", "es")  # the languages the templates are written in
# An item light enough to mention while a budget is frozen.
LIGHT = ("blog_post", "infographic", "video", "webinar", "checklist")


def sentences(text: str) -> list[str]:
    parts = [s.strip() for s in _SENTENCE.split(text or "")]
    return [s for s in parts if s and not _GREETING.match(s) and len(s.split()) >= 3]


def _short(sentence: str) -> str:
    words = sentence.split()
    if len(words) <= QUOTE_WORDS:
        return sentence
    return " ".join(words[:QUOTE_WORDS]).rstrip(",;:") + "…"


def key_sentences(text: str | None) -> tuple[str | None, str | None]:
    """The lead's first question, else their first substantial remark."""
    found = sentences(text or "")
    question = next((s for s in found if s.endswith("?")), None)
    if question:
        return _short(question), None
    return None, (_short(found[0]) if found else None)


ACRONYMS = frozenset(
    {"api", "crm", "erp", "roi", "sso", "tco", "saas", "gdpr", "soc", "kpi", "arr", "nrr", "ai"}
)


def readable(topic: str) -> str:
    """A library topic as a person writes it: "cash_flow" -> "cash flow", "erp" -> "ERP"."""
    words = re.split(r"[_\s]+", topic.strip())
    return " ".join(w.upper() if w.lower() in ACRONYMS else w for w in words if w)


def _cased(topic: str, texts: Sequence[str]) -> str:
    """The topic as the lead or the library writes it mid-sentence: "salesforce", "Salesforce"."""
    pattern = re.compile(rf"(?<=[a-z,;] )({re.escape(topic)})\b", re.IGNORECASE)
    for text in texts:
        found = pattern.search(text)
        if found and found.group(1) != found.group(1).lower():
            return found.group(1)
    return topic


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2}


def _why(request: DraftRequest) -> str:
    """The content's topic the lead brought up, in the library's words ("ERP integration")."""
    content = request.content
    if content is None:
        return ""
    said = _words(request.latest_reply or "")
    if not said:
        said = _words(" ".join(request.lead.topics))
    texts = (request.latest_reply or "", content.title, content.summary)
    partial = ""
    for topic in content.topics:
        words = _words(topic)
        if words and words <= said:
            return _cased(readable(topic), texts)
        if not partial and words & said:
            partial = _cased(readable(topic), texts)
    return partial


def describe(summary: str, kind: str = "", *, formal: bool = False) -> str:
    """A library summary as a sentence of an email: "A tour of..." -> "It's a tour of..."."""
    text = " ".join(summary.split())
    if not text:
        return ""
    text = text if text.endswith((".", "!", "?")) else text + "."
    first = text.split()[0].lower()
    rest = text[0].lower() + text[1:]
    it_is = "It is" if formal else "It's"
    if first in ("a", "an"):
        # "A 300-person SaaS company forecasting..." is the customer of a case study.
        if kind == "case_study":
            # "A three-site trust cut turnaround..." tells what happened: the story of how.
            told = re.search(
                r"\b(?:\w+ed|cut|grew|won|built|made|took|got|saw|hit|went|ran)\b", rest
            )
            return f"{it_is} the story of how {rest}" if told else f"{it_is} the story of {rest}"
        return f"{it_is} {rest}"
    if first in ("how", "what", "why", "which", "when", "where"):
        return f"It covers {rest}"
    return text


@dataclass(frozen=True)
class _Choices:
    """Picks one wording of several by the draft's seed, skipping any with a banned phrase."""

    seed: int
    banned: tuple[str, ...]

    def __call__(self, options: Sequence[str], salt: int = 0) -> str:
        allowed = [o for o in options if not any(b.lower() in o.lower() for b in self.banned)]
        pool = allowed or list(options)
        return pool[random.Random(self.seed * 7919 + salt).randrange(len(pool))]


class OfflineDrafter:
    name = "offline"

    def __init__(self, folder: Path | None = None) -> None:
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folder or TEMPLATES),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters["lower_first"] = _lower_first

    async def draft(self, request: DraftRequest) -> DraftResult:
        return self.render(request)

    def render(self, request: DraftRequest) -> DraftResult:
        situation = request.situation if request.situation in SITUATIONS else "follow_up"
        lang = language_of(request)
        turn = turns.read(request)
        if turn.kind:
            name = f"{lang}/turn.txt.j2"
        else:
            name = f"{situation}.txt.j2" if lang == "en" else f"{lang}/letter.txt.j2"
        template = self._env.get_template(name)
        wants = instructions.read(request.instruction)
        context = self._context(request, wants)
        context |= _more(request, context, lang, turn)
        body = _tidy(template.render(context))
        if _length(body, request) > request.tone.max_words and not context["short"]:
            context = {**context, "short": True}
            body = _tidy(template.render(context))
        # Still too long: the answers lose their last sentences, longest answer first, down to
        # one sentence each; what each answers first (the price, the date) stays.
        answers = [dict(a) for a in context["answers"]]
        while _length(body, request) > request.tone.max_words:
            cut = max(answers, key=lambda a: len(_SENTENCE_END.split(a["text"])), default=None)
            said = _SENTENCE_END.split(cut["text"]) if cut else []
            if cut is None or len(said) < 2:
                break
            cut["text"] = cut["brief"] = " ".join(said[:-1])
            context = {**context, "answers": answers}
            body = _tidy(template.render(context))
        item = context["item"]
        body = _thanks_first(body, request.tone.required_lines)
        return DraftResult(
            subject=request.subject,
            body=body,
            content_slug=request.content.slug if request.content and item else None,
            rationale=_rationale(request, context, wants),
            drafter=self.name,
            confidence=0.5,
            flags=_flags(request, context, wants),
            prompt_template=f"drafts/{name}",
            content_held=request.content is not None and not item,
        )

    def _context(self, request: DraftRequest, wants: instructions.Directives) -> dict[str, Any]:
        question, remark = key_sentences(request.latest_reply)
        # "Please send the deck." asks as much as a question does.
        requested = bool(question and _REQUEST.search(question)) or bool(
            remark and _REQUEST.search(remark)
        )
        if remark and requested:
            question, remark = remark, None
        earlier = next((t.text for t in reversed(request.thread) if t.direction == "inbound"), None)
        _, hold = key_sentences(earlier) if request.situation == "re_engage" else (None, None)
        why = _why(request)
        content = request.content
        lead = request.lead
        style = wants.formality or request.tone.formality
        return {
            "pick": _Choices(request.seed, request.tone.banned_phrases),
            "style": style,
            "short": wants.shorter or request.tone.max_words < 70,
            "detail": wants.longer,
            "call": wants.propose_call,
            "first_name": lead.first_name,
            "full_name": lead.name or lead.first_name,
            "company": lead.company,
            "referrer": lead.referred_by,
            "topic": why or (readable(lead.topics[0]) if lead.topics else ""),
            "question": question,
            "remark": remark,
            "hold": hold,
            "they_said_no": bool(request.thread) and request.thread[-1].direction == "inbound",
            "requested": requested,
            "delivers": bool(question and content and why and _ASKS_FOR.search(question)),
            "item": _item(content, style == "formal") if content else None,
            "why": why,
            "touch_number": request.touch_number,
            "sign_off": request.tone.sign_off,
            "signature": request.rep.signature or request.rep.name,
            "required_lines": list(request.tone.required_lines),
        }


def language_of(request: DraftRequest) -> str:
    """The language to write in: the lead's when the templates speak it, else English."""
    lang = request.lead.language
    return lang if request.tone.reply_in_lead_language and lang in WRITTEN else "en"


def _voice(voice: str) -> dict[str, bool]:
    """What the tone rule's `voice` asks of the wording: direct drops pleasantries."""
    low = voice.lower()
    return {
        "direct": bool(re.search(r"\b(?:direct|brief|concise|to the point|no fluff)", low)),
        "warm": bool(re.search(r"\b(?:warm|friendly|personal)", low)),
    }


def _more(
    request: DraftRequest, context: dict[str, Any], lang: str, turn: turns.Turn
) -> dict[str, Any]:
    """What the answers, the languages and the journey's turns add to the template context."""
    lead, content, style = request.lead, request.content, context["style"]
    inbound = [t.text for t in request.thread if t.direction == "inbound"]
    said = [*inbound, request.latest_reply or "", lead.signed]
    name = salutation.parse(lead.name, lead.title, said)
    found: list[Answer] = []
    # A pause or a freeze may come with a question ("is it recorded?"): it is answered too.
    if request.situation == "reply" and turn.kind in ("", "pause", "freeze"):
        # The draft's item first, then what the rep's own mail linked or spoke of: a second
        # reading, since preparing the draft read the questions before any item was chosen
        # and a regenerated or swapped draft carries only the request.
        prefer = [content.slug] if content else []
        near = [item.slug for item in _mentioned(request)]
        found = [
            a
            for a in answer_all(
                request.latest_reply,
                request.library,
                prefer,
                near=near,
                zone=_where(request),
            )
            # "Send me the deck" asks for the item; "send me his mobile" is the rep's to decide.
            if a.status == "rep_only"
            or not (
                (_SEND_ME.search(a.question) and _ASKS_FOR.search(a.question))
                or _WANTS_CONTENT.search(a.question)
            )
        ]
    found = _event_times(request, found, lang)
    if turn.kind:
        # Beside a pause only what the library answers: "can you reach out in September?" is
        # the pause itself, not a question for the team.
        today = turns.today_of(request)
        found = [
            a
            for a in found
            if a.status == "answered"
            and classify_intent(a.asked or a.question, today)[0] not in ("not_now", "ready_to_talk")
        ]
    found = _once([_regional(a, request) for a in found])
    # "Can you give Kevin the details directly?" with Kevin on copy: this reply does that.
    newcomers = {_first(name) for name in request.newcomers}
    found = [
        a
        for a in found
        if not (
            a.status == "open"
            and newcomers
            and _TO_THEM.search(a.question)
            and (newcomers & set(a.question.split()) or _THEM.search(a.question))
        )
    ]
    # "How would I do that?" when the item is the way to do it, or a question about just what
    # the item is ("do you have an escalation template?"): the item answers it, no deferral.
    how = [a for a in found if a.status == "open" and _HOW_DO.match(a.asked or a.question)]
    # An item of the very kind the lead asks for ("any session my team could join?") answers
    # the question itself, whatever point elsewhere shares its words.
    covered = [
        a
        for a in found
        if (a.status == "open" and _covers(content, a.asked or a.question))
        or (
            a.status == "answered"
            and _of_kind(content, a.asked or a.question)
            and (content is None or a.slug != content.slug)  # its own point says it best
        )
    ]
    by_item = bool(content) and bool(how or covered)
    by_item_intro = "The quickest way is" if how else "That is covered in"
    if content is not None and (content.type == "webinar" or content.attachment):
        by_item_intro = "Yes:"  # the invitation or attachment follows as its own sentence
    if by_item:
        found = [a for a in found if a not in how and a not in covered]
    titles = {item.slug: item for item in request.library}
    if content:
        titles.setdefault(content.slug, content)
    product = (
        phrasing.product_name(
            [item.url for item in request.library], [item.key_points for item in request.library]
        )
        if lang == "en"
        else ""
    )
    answers = [
        {
            "status": a.status,
            "question": a.question,
            # Quoted back whole where it is short enough, never cut mid-phrase.
            "quoted": a.asked if a.asked and len(a.asked.split()) <= QUOTE_WHOLE else a.question,
            "text": _said(a, a.text, lang, product),
            "topic": a.topic,
            # "$99 a user is more than I expected": answered, but no question to thank for.
            "objection": a.topic == "objection",
            "source": _source(titles.get(a.slug), lang) if a.slug else None,
            "label": _label(a, lang, product),
            "brief": _said(a, a.brief, lang, product),
            # "Annual billing: 2 months free" names its own subject; it needs no label.
            "headed": bool(re.match(r"[^:.;]{2,40}:\s", a.text))
            and _yes(a, a.text, lang) == a.text,
            "in_item": bool(content and a.slug == content.slug),
            # Written for the lead in their language (a worked-out price): said, not quoted.
            "own": a.own,
            # The first answer from an item names it; the next ones say "there".
            "named": a.status == "answered"
            and a.slug not in {b.slug for b in found[:at] if not (lang != "en" and b.label)},
            # An open question as the rep reports it: "whether we are BSI C5 certified".
            "reported": reported(a.asked, a.context.split(". ")[0])
            if a.status == "open" and lang == "en"
            else "",
        }
        for at, a in enumerate(found)
    ]
    item = context["item"]
    asked = bool(turns.ASKS_FOR_MATERIAL.search(request.latest_reply or ""))
    if turn.kind == "referral" or (turn.kind in ("meeting", "pause") and not asked):
        item = None  # a turn is answered for itself: no content push
    elif turn.kind == "freeze" and content and content.type not in LIGHT and not asked:
        item = None
    elif answers and all(a["status"] == "rep_only" for a in answers) and not _priced(content):
        item = None  # a reply about a discount or a reference is the rep's, not a reading tip
    if item is not None and content is not None:
        item = {**item, "kind": _kind(content, lang)}
        if content.starts_at:
            zone = turns.lead_zone(request.latest_reply or "", lead.timezone, lead.email)
            item["when"] = event_time(content.starts_at, zone, lang)
            # The time already answered above: the invitation is just its sign-up link.
            item["told"] = any(a.slug == content.slug and item["when"] in a.text for a in found)
    today = turns.today_of(request)
    hours = request.rep.hours
    return {
        "lang": lang,
        "situation": request.situation,
        "greeting_line": salutation.greeting(
            name, lang, style, first_names=_on_first_names(request, name.first)
        ),
        "sign_off": salutation.sign_off(request.tone.sign_off, lang, style),
        "voice": _voice(request.tone.voice),
        "answers": answers,
        "answered": by_item or any(a["status"] == "answered" for a in answers),
        "by_item": by_item,
        "by_item_intro": by_item_intro,
        "item_named": lang != "en"
        and any(a["in_item"] and a["named"] and not a["label"] for a in answers),
        "open": [a for a in answers if a["status"] == "open"],
        # The sign-up link of an event an answer speaks of, for a draft that sends no item.
        "event_link": next(
            (
                titles[a.slug].url
                for a in found
                if a.status == "answered" and a.slug in titles and titles[a.slug].starts_at
            ),
            "",
        ),
        "rep_only": [a for a in answers if a["status"] == "rep_only"],
        "item": item,
        "turn": turn.kind,
        "until": turns.when_words(_resumes(turn), lang, today) if turn.until else "",
        "they_return": turn.they_return,
        # "Could you call me Thursday?": the rep rings, no calendar invitation.
        "call_me": bool(_CALL_ME.search(request.latest_reply or "")),
        # A call is offered to a lead near a decision with something still open; a lead who is
        # researching, or who said they are not buying, is not pushed towards one.
        "offer_call": lead.stage == "decision"
        and not _NOT_BUYING.search(request.latest_reply or "")
        and not (answers and all(a["status"] == "answered" for a in answers)),
        "asked_material": asked,
        "registered": bool(_REGISTERED.search(request.latest_reply or "")),
        "wishes": _wishes(request.latest_reply or "", request.tone.required_lines),
        "pause_when": turns.pause_when(
            turns.when_words(_resumes(turn), lang, today) if turn.until else "",
            turns.after_words(turn.after, lang, style),
            lang,
        ),
        "referred": turn.referred,
        "referred_first": turn.referred.split()[0] if turn.referred else "",
        # The colleague is on the Cc already: spoken to, not about.
        "referred_here": bool(turn.referred)
        and turn.referred.split()[0] in {_first(name) for name in request.newcomers},
        "referred_email": turn.referred_email if turn.referred_email != turn.referred else "",
        "slots": turns.slots(
            turn.day,
            today,
            lead_zone=turns.lead_zone(request.latest_reply or "", lead.timezone, lead.email),
            rep_zone=request.rep.timezone,
            hours=hours,
            lang=lang,
            wanted=turns.window(request.latest_reply or ""),
        )
        if turn.kind == "meeting" and not request.tone.booking_link
        else "",
        "booking_link": request.tone.booking_link,
        "newcomers": [
            _first(name) for name in request.newcomers or turns.introduced(request.latest_reply)
        ],
        "feminine_de": FEMININE_DE,
        "masculine_de": MASCULINE_DE,
        "feminine_es": FEMININE_ES,
    }


_NOT_BUYING = re.compile(
    r"\bnot (?:in a )?(?:buying|purchasing)|\bno budget\b|\bjust (?:researching|curious|looking)"
    r"|\bnot (?:looking to buy|ready to buy)|\bearly days\b",
    re.I,
)
# "I've registered" for the event the rep sent: thanked for in a line of its own.
_REGISTERED = re.compile(alternatives("courtesy.registered"), re.I)
# Season's wishes in the lead's reply, returned in kind: which ones.
_WISHES = tuple(
    (name, re.compile(alternatives(f"courtesy.{name}"), re.I))
    for name in ("christmas", "new_year", "holidays")
)


def _wishes(reply: str, required: Iterable[str]) -> str:
    """The season's wishes the lead sent, unless a required line of the rep's returns some."""
    said = " ".join(required)
    for name, pattern in _WISHES:
        if pattern.search(reply):
            return "" if any(p.search(said) for _, p in _WISHES) else name
    return ""


_CALL_ME = re.compile(
    r"\b(?:call|ring|phone) (?:me|us)\b|\bgive (?:me|us) a (?:call|ring)\b|\b(?:m'|nous )appeler\b"
    r"|\bappelez[- ](?:moi|nous)\b|\brufen sie (?:mich|uns)\b|\bruf (?:mich|uns)\b|\banrufen\b"
    r"|\bll[aá]m(?:e|a)(?:me|nos)\b|\bllamarme\b",
    re.I,
)
_HOW_DO = re.compile(
    r"^(?:so |and |but )?how (?:would|could|can|do|should|might|will) (?:i|we) (?:do|go about|get"
    r"|work out|calculate|see|check|test|try|model|estimate) (?:that|this|it)\b",
    re.I,
)
_WHAT_TIME = re.compile(
    r"\bwhat time\b|\bwhen (?:is|does) (?:it|that|this|the (?:webinar|session|event))\b"
    # "is it 3pm or 2pm UK?"
    r"|\bis (?:it|that) \d{1,2}(?::\d\d)? ?(?:am|pm)? or \d{1,2}(?::\d\d)? ?(?:am|pm)?\b"
    r"|\bwhat (?:is|'s) that (?:for|in) (?:us|me|the uk|uk|london)\b"
    r"|\bum wie ?viel uhr\b|\bwann (?:ist|beginnt|startet)\b|\bà quelle heure\b|\ba qué hora\b",
    re.I,
)


# Asking the rep to tell someone on the thread: answered by writing to them.
_TO_THEM = re.compile(
    r"\b(?:give|send|share|explain|walk|tell|brief|answer|take)\b[^?]{0,40}\b(?:directly|details"
    r"|through|him|her|them)\b",
    re.I,
)
_THEM = re.compile(r"\b(?:him|her|them)\b", re.I)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'„«¿¡])")


def _once(found: list[Answer]) -> list[Answer]:
    """Each sentence said once: a point two answers share stays with the first."""
    seen: set[str] = set()
    kept: list[Answer] = []
    for answer in found:
        said = _SENTENCE_END.split(answer.text) if answer.status == "answered" else []
        fresh = [s for s in said if s not in seen]
        seen.update(said)
        if said and not fresh:
            continue
        if said and len(fresh) < len(said):
            text = " ".join(fresh)
            answer = replace(answer, text=text, brief=text if answer.own else answer.brief)
        kept.append(answer)
    return kept


def _event_times(request: DraftRequest, found: list[Answer], lang: str) -> list[Answer]:
    """ "What time is that for us in London?" about a live webinar: its start in the lead's zone.

    The webinar is the draft's item or one the thread links to; the time comes from its front
    matter, shown where the lead says they are.
    """
    mentioned = _mentioned(request)
    events = [
        item
        for item in (request.content, *mentioned)
        if item is not None and item.starts_at and _ahead(item.starts_at, request)
    ]
    if not events or lang != "en":
        return found
    event, lead, rep = events[0], request.lead, request.rep
    told: list[str] = []

    def said(question: str) -> str:
        # "What time is that for us in Portland? ... for her in our Boston office?": where each
        # question says, else where the lead is; the title once.
        zone = turns.where(question, lead.timezone, lead.email, rep.timezone, rep.signature)
        time = event_time(event.starts_at, zone or _where(request), lang)
        told.append(time)
        return f'For you, "{event.title}" starts {time}.' if len(told) == 1 else f"That is {time}."

    return [
        replace(a, status="answered", text=said(a.asked or a.question), slug=event.slug)
        # The time from the event's own start, whatever other point shares the question's words.
        if a.status != "rep_only" and _WHAT_TIME.search(a.asked or a.question)
        else a
        for a in found
    ]


def _where(request: DraftRequest) -> str:
    lead, rep = request.lead, request.rep
    return turns.where(
        request.latest_reply or "", lead.timezone, lead.email, rep.timezone, rep.signature
    )


def _ahead(starts_at: str, request: DraftRequest) -> bool:
    start = datetime.fromisoformat(starts_at)
    return start.date() > turns.today_of(request)


def _mentioned(request: DraftRequest) -> list[ContentBrief]:
    """Items the rep's own mail in the thread linked to, named by their date ("On 20 January
    our Head of Data Science shows..."), or spoke of ("one of our chemical customers...")."""
    outbound = [t.text for t in request.thread if t.direction == "outbound"]
    said = " ".join(outbound)
    spoken = set(spoken_of(outbound, request.latest_reply, request.library))
    found = [item for item in request.library if item.slug in spoken]
    if not said:
        return found
    for item in request.library:
        if item.slug in spoken:
            continue
        if item.url and item.url in said:
            found.append(item)
        elif item.starts_at:
            start = datetime.fromisoformat(item.starts_at)
            month = turns.MONTH_NAMES["en"].split()[start.month - 1]
            if re.search(rf"\b{start.day} {month}\b|\b{month} {start.day}\b", said):
                found.append(item)
    return found


QUOTE_WHOLE = 30  # words of a lead's question quoted back whole
YES_COVERAGE = 0.8  # how fully a point must hold a yes-or-no question to say "yes" to it
_YES_NO = re.compile(
    r"^(?:and |also |so |but )?(?:can|could|do|does|is|are|will|would|have|has)\s+"
    r"(?:you|we|it|there|your|the|our|this|they|i)\b",
    re.I,
)
_NEGATIVE = re.compile(
    r"^\s*(?:no|not|none)\b|\bnot (?:offered|available|supported|possible|included|yet)\b"
    r"|\bcannot\b|\bcan't\b|\bisn't\b|\bdoesn't\b|\bonly\b|\bunder nda\b",
    re.I,
)


def _yes(answer: Answer, text: str, lang: str) -> str:
    """A yes-or-no question the library answers in the positive starts with "yes"."""
    if lang != "en" or answer.status != "answered" or not text:
        return text
    if answer.coverage < YES_COVERAGE:
        return text  # "Does the app work offline?" and "an app for iOS and Android": no yes
    if not _YES_NO.match(answer.asked or answer.question) or _NEGATIVE.search(text):
        return text
    if re.match(r"[^:.;]{2,40}:\s", text) or re.search(r"\byes\b", text, re.I):
        return text  # "Outbound: REST API ...", "... on iOS and Android: yes." say it already
    return "Yes, " + _lower_first(text)


def _said(answer: Answer, text: str, lang: str, product: str) -> str:
    """The point as the email says it: "yes" first where it answers a yes-or-no question, and a
    subjectless clause ("Hosted on AWS") given the product as its subject otherwise."""
    said = _yes(answer, text, lang)
    return phrasing.with_subject(said, product) if said == text and lang == "en" else said


def _label(answer: Answer, lang: str, product: str) -> str:
    """The answer's subject, where the point does not read as a sentence of its own or say its
    subject already ("Hosting: Hosted on...")."""
    first = answer.text.split()[0].lower() if answer.text.split() else ""
    if answer.label and first[:4] == answer.label.lower()[:4]:
        return ""
    if lang == "en" and phrasing.subjectless(answer.text):
        # "Syncs every 5 minutes" becomes "Acme syncs every 5 minutes"; without a name, labelled.
        return "" if product else answer.label
    if lang == "en" and phrasing.stands_alone(answer.text):
        return ""
    return answer.label


_ANY_OF = re.compile(
    r"\b(?:do you have|have you got|is there|are there|there'?s|there is|any|anything|something"
    r"|tienen|hay|avez-vous|existe|gibt es|haben sie)\b",
    re.I,
)


def _covers(content: ContentBrief | None, question: str) -> bool:
    """Whether the item's own title, summary and topics are what the question asks about."""
    if content is None:
        return False
    asked = terms(question)
    # "Do you have a template...?" of a template, "any session...?" of a webinar: its kind.
    if asked & terms(content.type.replace("_", " ")) and _ANY_OF.search(question):
        return True
    if _of_kind(content, question):
        return True
    words = {t for t in asked if not t.startswith(("~", "@"))}
    about = terms(" ".join((content.title, content.summary, *content.topics, content.type)))
    shared = words & about
    return len(shared) >= 2 and len(shared) >= 0.67 * len(words)


def _of_kind(content: ContentBrief | None, question: str) -> bool:
    return content is not None and content.type in turns.asked_kind(question)


def _on_first_names(request: DraftRequest, first: str) -> bool:
    """Whether the rep's own mail already greeted the lead by first name ("Dear Claire,")."""
    if not first:
        return False
    greeted = re.compile(rf"^\s*(?:hi|hello|hey|dear|good morning)\s+{re.escape(first)}\b", re.I)
    return any(greeted.match(t.text) for t in request.thread if t.direction == "outbound")


# Where a zone's people are, as a library names its regions ("for UK customers", "for DACH").
_REGIONS = {
    "Europe/London": r"\bUK\b|United Kingdom|Britain|England",
    "Europe/Dublin": r"Ireland|\bIE\b",
    "Europe/Berlin": r"German|DACH|Deutschland",
    "Europe/Vienna": r"Austria|DACH|Österreich",
    "Europe/Zurich": r"Switzerland|Swiss|DACH|Schweiz",
    "Europe/Paris": r"France|French",
    "Europe/Madrid": r"Spain|Spanish|España|Iberia",
    "Europe/Lisbon": r"Portugal|Iberia",
    "Europe/Amsterdam": r"Netherlands|Dutch|Benelux",
    "Europe/Brussels": r"Belgium|Benelux",
}


_REGIONS["EU"] = r"\bEU\b|European Union|Europe"
_LANGUAGE_REGIONS = {
    "de": _REGIONS["Europe/Berlin"],
    "fr": _REGIONS["Europe/Paris"],
    "es": _REGIONS["Europe/Madrid"],
    "nl": _REGIONS["Europe/Amsterdam"],
}


def _regional(answer: Answer, request: DraftRequest) -> Answer:
    """A point that lists one offer per region gives the lead's region alone: "UK South
    (London) for UK customers", not every region the library names."""
    parts = re.split(r",\s+(?:and\s+)?", answer.text.split(". ")[0])
    if answer.status != "answered" or len(parts) < 3:
        return answer
    reply = request.latest_reply or ""
    said = [
        r
        for r in _REGIONS.values()
        # "It must stay in the UK", "gehostet - in Deutschland?", "inside the EU".
        if re.search(
            rf"\b(?:(?:stay|stays|remain|remains|kept|held|hosted|stored|gehostet|hébergées?)"
            rf"\W+(?:\w+\W+)?(?:in|en|im)|inside|within)\s+(?:the\s+)?(?:{r})",
            reply,
        )
    ]
    zone = turns.lead_zone(reply, request.lead.timezone, request.lead.email)
    spoken = _LANGUAGE_REGIONS.get(request.lead.language, "")
    region = (said[0] if said else "") or _REGIONS.get(zone) or spoken
    hits = [p for p in parts if region and re.search(rf"\bfor\b.*(?:{region})", p)]
    if len(hits) != 1:
        return answer
    _, _, tail = answer.text.partition(". ")
    lead_in = parts[0].split(":")[0] + ": " if ":" in parts[0] and hits[0] != parts[0] else ""
    text = f"{lead_in}{hits[0].rstrip('.')}." + (f" {tail}" if tail else "")
    return replace(answer, text=text, brief=text)


def _priced(content: ContentBrief | None) -> bool:
    """The published prices: beside a discount question, the one item worth linking."""
    if content is None:
        return False
    about = " ".join((content.type, content.slug, *content.topics)).lower()
    return bool(re.search(r"pric|preis|tarif|precio", about))


def _resumes(turn: turns.Turn) -> date:
    """When the rep writes again: the day after a freeze that runs "through" a month's end."""
    assert turn.until is not None
    return turns.resume_day(turn.until) if turn.kind == "freeze" else turn.until


def _first(name: str) -> str:
    """A newcomer's first name; an address gives its local part ("tom.berg@..." -> "Tom")."""
    if "@" in name:
        return name.split("@")[0].split(".")[0].capitalize()
    if re.match(r"(?:Mr|Ms|Mrs|Dr|Mme|M|Herr|Frau|Sr|Sra)\.?\s", name):
        return name  # "Mme Lefèvre" is greeted as the lead wrote her
    return salutation.parse(name).first or name


def _kind(content: ContentBrief, lang: str) -> str:
    return kind_name(content.type, lang)


def _source(content: ContentBrief | None, lang: str) -> dict[str, str] | None:
    if content is None:
        return None
    return {"title": content.title, "kind": _kind(content, lang), "url": content.url}


_NAME = re.compile(r"[A-Z][a-z]+(?:'s)?\s+(?:[a-z]+s\b|is\b|has\b|was\b)")  # "Pneumetric converts"


def _lower_first(text: str) -> str:
    """The text as the middle of a sentence: "I've" keeps its capital."""
    # "I've", "ISO 27001", "SAP PM" and "Pneumetric" (a name) keep their capitals.
    if re.match(r"I\b|[A-Z][A-Z0-9]|[A-Z]\w*[A-Z]", text) or _NAME.match(text):
        return text
    return text[:1].lower() + text[1:]


def _item(content: ContentBrief, formal: bool) -> dict[str, Any]:
    kind = kind_name(content.type, "en")
    title = content.title
    # "our case study, "Case Study: Cloudrise..."" says it twice; the link still names it.
    if content.url and not content.attachment and title.lower().startswith(f"{kind}:"):
        title = title[len(kind) + 1 :].strip()
    points = [
        line.lstrip("-*• ").strip()
        for line in content.key_points.splitlines()
        if line.strip().startswith(("-", "*", "•"))
    ]
    return {
        "title": title,
        "kind": kind,
        "type": content.type,
        "url": content.url,
        "summary": describe(content.summary, content.type, formal=formal),
        "attachment": content.attachment,
        "upcoming": content.upcoming,
        "when": content.when,
        "points": points[:3],
    }


def _tidy(body: str) -> str:
    lines = [line.rstrip() for line in body.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


# A required line that thanks the lead ("Thanks for the heads-up, Steve.") is the letter's own
# opening, not a footer: it goes under the greeting, in place of the letter's own thanks.
_THANKS = re.compile(
    r"^(?:thanks|thank you|many thanks|cheers for|danke|vielen dank|herzlichen dank|merci"
    r"|gracias|muchas gracias|good to hear|great to hear|glad to hear)\b",
    re.I,
)
_GENERIC_THANKS = re.compile(
    r"^(?:many )?thanks?(?: you)?(?: so much| again)?(?: for (?:your|the) (?:reply|note|message"
    r"|email|update|quick reply|response)| for getting back to me| for letting me know)?"
    r"(?:[,;] (?:that|it) makes (?:total |complete |perfect )?sense)?[.!]$",
    re.I,
)
_FIRST_SENTENCE = re.compile(r"^(.+?[.!?])(?:\s+|$)", re.S)


def _thanks_first(body: str, required: Sequence[str]) -> str:
    opening = [line.strip() for line in required if _THANKS.match(line.strip())]
    paragraphs = body.rstrip("\n").split("\n\n")
    if not opening or len(paragraphs) < 3:
        return body
    kept = [p for p in paragraphs if p.strip() not in opening]
    # "Thank you for letting me know; that is understandable." under the same required
    # thanks keeps only what it adds: "That is understandable."
    for line in opening:
        said = kept[1].strip()
        head = line.rstrip(".!").strip()
        if said.lower().startswith(head.lower()) and said[len(head) : len(head) + 1] in ";,":
            rest = said[len(head) + 1 :].strip()
            kept[1] = rest[:1].upper() + rest[1:]
    own = _FIRST_SENTENCE.match(kept[1].strip())
    # Only a thanks that says nothing else gives way; "Thanks for being upfront about the
    # freeze" acknowledges what the lead said and stays.
    if own and _THANKS.match(own.group(1)) and _GENERIC_THANKS.match(own.group(1)):
        rest = kept[1].strip()[own.end() :].strip()
        kept = [kept[0], *([rest] if rest else []), *kept[2:]]
    return "\n\n".join([kept[0], *opening, *kept[1:]]) + "\n"


def _length(body: str, request: DraftRequest) -> int:
    """Words of the body alone: the signature and required lines do not count."""
    for fixed in (request.rep.signature or "", *request.tone.required_lines):
        if fixed.strip():
            body = body.replace(fixed.strip(), " ")
    return len(body.split())


def _rationale(
    request: DraftRequest, context: dict[str, Any], wants: instructions.Directives
) -> str:
    if context["question"]:
        why = (
            "answers the lead's request" if context["delivers"] else "takes up the lead's question"
        )
    elif context["remark"]:
        why = "responds to the lead's reply"
    else:
        why = {
            "re_engage": "re-opens the conversation now that the lead's pause is over",
            "referral_intro": "first email to a lead a colleague referred",
            "graceful_close": "closes the sequence politely and leaves the door open",
        }.get(request.situation, f"follow-up #{request.touch_number} after silence")
    if request.content:
        why += f"; shares '{request.content.slug}'"
    if wants.followed:
        why += f"; rep's instruction: {', '.join(wants.followed)}"
    return why


def _flags(
    request: DraftRequest, context: dict[str, Any], wants: instructions.Directives
) -> list[str]:
    flags = [f'{COULD_NOT}: "{clause}"' for clause in wants.unfollowed]
    content = request.content
    if wants.content_type and (content is None or content.type != wants.content_type):
        kind = wants.content_type.replace("_", " ")
        flags.append(f"{COULD_NOT}: no {kind} is left for this lead, the content is unchanged")
    answers = context["answers"]
    if answers:
        if context["open"]:
            flags.append(UNANSWERED)
        for asked in context["rep_only"]:
            flags.append(REP_ONLY.format(topic=asked["topic"]))
        if context["lang"] != "en" and any(a["status"] == "answered" for a in context["answers"]):
            flags.append(QUOTED)
    elif context["question"] and not (context["delivers"] or context["turn"] or context["by_item"]):
        flags.append(UNSENT if context["requested"] else UNANSWERED)
    language = LANGUAGES.get(request.lead.language)
    if language and request.tone.reply_in_lead_language and context["lang"] == "en":
        flags.append(f"the lead writes in {language}; this offline draft is in English")
    if context["turn"] == "meeting":
        flags.append("the lead wants to talk: confirm one of the times (or the link) yourself")
    if context["turn"] == "referral":
        flags.append("the lead referred a colleague: confirm the new lead before any mail to them")
    return flags
