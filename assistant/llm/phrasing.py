"""A library key point as a line of an email: a point that is a sentence stands alone, one that
names its own subject ("Retention: 13 months") keeps it, and only a bare fragment ("two
90-minute sessions") needs the question's subject in front of it."""

from __future__ import annotations

import re

# Words that make a clause of the words around them: auxiliaries and modals, and the verbs a
# product's key points are written with, in the third person and the past.
_BASE = (
    r"refresh|reach|push|match|watch|switch|fetch|finish|publish|attach|take|make|give|include"
    r"|cover|cut|reduce|keep|work|send|sync|store|lose|cost|need|use|get|come|stay|leave|show"
    r"|mean|require|offer|provide|allow|help|start|read|map|group|integrate|export|import|check"
    r"|alert|run|connect|support|save|add|replace|flag|track|detect|measure|log|record|update"
    r"|escalate|predict|hold|last|pay|handle|ship|deliver|encrypt|rise|drop|fall|grow|go|do"
)
_FINITE = re.compile(
    # "Cloud connectors refresh every 5 minutes": a plural subject and its verb.
    rf"(?<=s\s)(?:{_BASE})\b"
    r"|\b(?:is|are|was|were|has|have|had|can|cannot|can't|could|will|won't|would|does|doesn't|do"
    r"|don't|did|didn't|may|must|should|isn't|aren't|it's|there's|we're|we've|you're|you'll"
    r"|(?:refresh|reach|push|match|cach|watch|switch|fetch|finish|publish|attach)es"
    r"|(?:take|make|give|include|cover|cut|reduce|keep|work|send|sync|store|lose|cost|need|use"
    r"|get|come|stay|leave|show|mean|require|offer|provide|allow|help|start|read|map|group"
    r"|integrate|export|import|check|alert|run|connect|support|save|add|replace|flag|track"
    r"|detect|measure|log|record|update|escalate|predict|hold|last|pay|handle|ship|deliver"
    r"|encrypt|back|rise|drop|fall|grow|plug|pull|land|tie|link|feed|let|sit|live|go|do|say"
    r"|tell|see|find|learn|open|close|cap|rank|score|bill|charge|credit|host|calculate|compare"
    r"|generate|produce|create|assign|route|notify|remind|sign|approve|renew|expire|apply"
    r"|become|fit|suit|cost|spend|free|lower|raise|double|halve|shorten|lengthen)s"
    r"|(?:rose|fell|grew|went|came|took|made|gave|kept|cut|saw|found|got|ran|paid|held|left"
    r"|brought|built|won|lost|spent|sent|dropped|reduced|saved|increased|decreased|improved"
    r"|moved|switched|replaced|needed|used|started|finished|avoided|recovered|cleared|halved"
    r"|doubled|shortened|achieved|reached|delivered|prevented|caught|detected|removed"
    r"|raised|lowered))\b",
    re.I,
)
# "Retention: 13 months", "Hospital plan (151–800 beds): €3.60 ...": the point names its subject.
_HEADED = re.compile(r"[^:.;]{2,60}:\s")
# "Hosted on AWS in Frankfurt", "Available in English and German": a clause without its subject.
_PARTICIPLE = re.compile(
    r"(?:hosted|billed|included|available|supported|certified|encrypted|stored|kept|built"
    r"|delivered|sent|refreshed|updated|audited|tested|priced|charged|offered|provided"
    r"|integrated|connected|licensed|based|designed|made|run|deployed|located|backed up"
    r"|compatible|configurable)\b",
    re.I,
)


def stands_alone(point: str) -> bool:
    """Whether the point reads as a sentence of its own, or names its own subject."""
    return bool(_HEADED.match(point) or _FINITE.search(point))


def subjectless(point: str) -> bool:
    """A clause that lacks only its subject: "Hosted on AWS in Frankfurt", "Syncs every 5
    minutes"."""
    if _HEADED.match(point):
        return False
    first = point.split()[0] if point.split() else ""
    return bool(_PARTICIPLE.match(point)) or (
        first[:1].isupper() and first.endswith("s") and bool(_FINITE.fullmatch(first))
    )


def product_name(urls: list[str], texts: list[str]) -> str:
    """The product's name as the library writes it ("Brightfield"), from its web address; ""
    when the library never writes it."""
    for url in urls:
        host = re.sub(r"^[a-z]+://(?:www\.)?", "", url).split("/")[0]
        stem = re.split(r"[-.]", host)[0]
        if len(stem) < 3:
            continue
        found = re.search(rf"\b{re.escape(stem)}\b", " ".join(texts), re.I)
        if found and found.group()[0].isupper():
            return found.group()
    return ""


def with_subject(point: str, product: str) -> str:
    """A subjectless clause given the product as its subject: "Brightfield is hosted on AWS"."""
    if not product or not subjectless(point):
        return point
    verb = "" if _FINITE.match(point) and not _PARTICIPLE.match(point) else "is "
    return f"{product} {verb}{point[:1].lower()}{point[1:]}"
