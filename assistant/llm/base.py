"""What a drafter is given and what it returns; the one protocol every drafter follows.

Everything here is plain data. Recipients, From and threading headers are not part of a
draft result: they come from our records when the draft is approved.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from assistant.mail.classify import Understanding

Situation = Literal["reply", "follow_up", "re_engage", "referral_intro", "graceful_close"]


@dataclass(frozen=True)
class RepProfile:
    name: str
    email: str
    signature: str
    timezone: str = ""  # IANA name; meeting times are offered inside the rep's hours
    hours: str = "09:00-17:00"


@dataclass(frozen=True)
class LeadProfile:
    name: str
    email: str
    company: str
    title: str
    stage: str
    language: str = "en"
    topics: tuple[str, ...] = ()
    referred_by: str = ""  # the colleague who pointed the rep to this lead, as our records say
    timezone: str = ""  # IANA name: event and meeting times are shown in it
    # The lead's latest mail as sent, signature included ("Dr Rajesh Menon"): read for how
    # they sign their name, never shown. Untrusted.
    signed: str = ""

    @property
    def first_name(self) -> str:
        first = self.name.split()[0] if self.name.strip() else ""
        return first or self.email.split("@")[0].split(".")[0].capitalize()


@dataclass(frozen=True)
class Turn:
    """One message of the thread, oldest first. `text` of inbound turns is untrusted."""

    direction: Literal["inbound", "outbound"]
    at: datetime | None
    subject: str
    text: str


@dataclass(frozen=True)
class ContentBrief:
    slug: str
    title: str
    type: str
    url: str
    summary: str
    key_points: str = ""
    reason: str = ""
    attachment: str | None = None  # file name when the item is attached, not linked
    topics: tuple[str, ...] = ()
    upcoming: bool = False  # a webinar still to come: an invitation, not a recording
    when: str = ""  # the live event's date and time as a person writes it, for webinars
    starts_at: str = ""  # the live event's start, ISO 8601 with zone; midnight UTC: a date only


@dataclass(frozen=True)
class ToneRules:
    voice: str = "Warm, direct and helpful; a colleague, not a marketer."
    formality: str = "neutral"  # casual | neutral | formal
    max_words: int = 140
    reading_level: str = "plain"
    banned_phrases: tuple[str, ...] = ("just checking in", "circling back", "touching base")
    required_lines: tuple[str, ...] = ()
    sign_off: str = "Best,"
    reply_in_lead_language: bool = True
    booking_link: str = ""  # a lead ready to talk is given this link instead of times
    version: int = 0


@dataclass(frozen=True)
class DraftRequest:
    situation: Situation
    rep: RepProfile
    lead: LeadProfile
    subject: str  # the thread's subject, without Re: prefixes
    thread: tuple[Turn, ...]
    latest_reply: str | None  # the new text of the lead's latest reply (untrusted)
    content: ContentBrief | None
    tone: ToneRules
    touch_number: int = 1
    instruction: str | None = None  # a rep's "regenerate with an instruction"
    seed: int = 0  # lets the offline drafter vary wording deterministically
    # The team's available library, byte-stable in order: the model's cached catalogue and
    # the links a draft may carry.
    library: tuple[ContentBrief, ...] = ()
    # People the lead newly copied on the latest reply, by name (else address): the draft
    # greets them in a line of their own.
    newcomers: tuple[str, ...] = ()
    # The day the lead asked to be written to again (ISO), as the plan read it: a draft may
    # name it although the thread says it in words ("after Labor Day").
    resumes_on: str | None = None
    # The colleagues the lead pointed us to, as the reading found them (name, address): in the
    # text, on Cc or in the signature.
    referred: tuple[tuple[str, str], ...] = ()


@dataclass
class Usage:
    """Tokens a model use took, and their price in US dollars (None: no price is known)."""

    input_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    batched: bool = False  # some of it went through the Message Batches API at half price


@dataclass
class DraftResult:
    subject: str
    body: str
    content_slug: str | None
    rationale: str
    drafter: str  # "offline" | "anthropic:<model>" | "offline (model unavailable)"
    confidence: float = 1.0
    flags: list[str] = field(default_factory=list)
    prompt_template: str = ""
    prompt_hash: str = ""
    usage: Usage | None = None
    # The drafter left the chosen item out on purpose (a pause, a referral, a discount reply).
    content_held: bool = False


class Drafter(Protocol):
    name: str

    async def draft(self, request: DraftRequest) -> DraftResult: ...


class ReplyClassifier(Protocol):
    """Reads a person's reply more closely than the offline rules do (see `classifier`)."""

    name: str

    async def classify(
        self,
        offline: Understanding,
        *,
        subject: str,
        today: date,
        ignore_addresses: frozenset[str] = frozenset(),
    ) -> tuple[Understanding, Usage]: ...


def request_to_json(request: DraftRequest) -> dict[str, Any]:
    """A request as JSON values, for a draft that waits in a batch across restarts."""
    data = asdict(request)
    data["thread"] = [
        {**turn, "at": turn["at"].isoformat() if turn["at"] else None} for turn in data["thread"]
    ]
    return data


def request_from_json(data: dict[str, Any]) -> DraftRequest:
    """The request `request_to_json` wrote, whole again."""

    def brief(item: dict[str, Any]) -> ContentBrief:
        return ContentBrief(**{**item, "topics": tuple(item.get("topics", ()))})

    tone = data["tone"]
    lead = data["lead"]
    return DraftRequest(
        situation=data["situation"],
        rep=RepProfile(**data["rep"]),
        lead=LeadProfile(**{**lead, "topics": tuple(lead.get("topics", ()))}),
        subject=data["subject"],
        thread=tuple(
            Turn(
                t["direction"],
                datetime.fromisoformat(t["at"]) if t["at"] else None,
                t["subject"],
                t["text"],
            )
            for t in data["thread"]
        ),
        latest_reply=data["latest_reply"],
        content=brief(data["content"]) if data["content"] else None,
        tone=ToneRules(
            **{
                **tone,
                "banned_phrases": tuple(tone["banned_phrases"]),
                "required_lines": tuple(tone["required_lines"]),
            }
        ),
        touch_number=data["touch_number"],
        instruction=data["instruction"],
        seed=data["seed"],
        library=tuple(brief(item) for item in data.get("library", ())),
        newcomers=tuple(data.get("newcomers", ())),
        referred=tuple((name, email) for name, email in data.get("referred", ())),
    )
