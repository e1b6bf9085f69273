"""A lead's question as the rep reports it: "Are you BSI C5 certified?" -> "whether we are
BSI C5 certified". English only; where the grammar is not plain enough, nothing ("")."""

from __future__ import annotations

import re

# Whose is whose once the rep speaks: the lead's "you" is the rep's "we", and back.
_SWAP = {
    "you": "we",
    "your": "our",
    "yours": "ours",
    "yourselves": "ourselves",
    "we": "you",
    "our": "your",
    "ours": "yours",
    "us": "you",
    "i": "you",
    "my": "your",
    "me": "you",
    "i'm": "you're",
    "we're": "you're",
    "you're": "we're",
    "i've": "you've",
    "we've": "you've",
    "you've": "we've",
}
_OBJECT_YOU = re.compile(r"^(?:to|for|with|from|by|of|at|about|give|send|tell|show)$", re.I)
_AUX = ("can", "could", "will", "would", "should", "is", "are", "was", "were", "has", "have")
_PRONOUNS = ("you", "we", "it", "they", "there", "i", "he", "she", "this", "that")
_DETERMINERS = ("your", "the", "our", "this", "that", "a", "an", "my", "these", "those")
# Verbs that follow "does <subject>" and take an -s once the subject comes first.
_VERBS = frozenset(
    [
        "work",
        "support",
        "include",
        "integrate",
        "handle",
        "run",
        "connect",
        "sync",
        "need",
        "require",
        "cover",
        "come",
        "allow",
        "offer",
        "store",
        "send",
        "export",
        "import",
        "have",
        "cost",
        "take",
        "use",
        "provide",
        "keep",
        "show",
        "let",
        "mean",
        "matter",
        "apply",
        "update",
        "refresh",
        "count",
        "charge",
        "stay",
        "get",
        "go",
        "fit",
        "deal",
    ]
)
_WH = re.compile(
    r"^(what(?: \w+)?|when|where|which(?: \w+)?|who|how(?: (?:much|many|long|often|soon|fast))?"
    r"(?: \w+)?)\s+(is|are|does|do|can|will|would|could|should)\s+(.+)$",
    re.I,
)
_LEAD_IN = re.compile(r"^(?:and|also|plus|so|but|oh,? and)[, ]+", re.I)
# "Could you tell me / let us know / confirm …": the question is what follows.
_ASK_IN = re.compile(
    r"^(?:can|could|would|will)\s+you\s+(?:please\s+)?"
    r"(?:tell|let|show|explain to|remind|confirm|advise|clarify)\b"
    r"(?:\s+(?:me|us)\b)?(?:\s+know\b)?",
    re.I,
)
_EMBEDDED = re.compile(r"^(?:if|whether|what|when|where|which|who|how)\b", re.I)
# "Could you reply to both of us?": a request to the rep, not a question to look into.
_REQUESTS = frozenset(
    {
        *("reply", "answer", "send", "cc", "copy", "include", "call", "ring", "email", "e-mail"),
        *("forward", "add", "loop", "share", "write", "book", "schedule", "set", "put", "resend"),
    }
)


def _swap(words: list[str]) -> list[str]:
    out = []
    for at, word in enumerate(words):
        bare = word.lower().strip(",;")
        tail = word[len(word.rstrip(",;")) :]
        if bare == "you" and at > 0 and _OBJECT_YOU.match(words[at - 1].lower()):
            out.append("us" + tail)
        elif bare in _SWAP:
            swapped = _SWAP[bare]
            out.append(swapped + tail)
        else:
            out.append(word)
    return out


def _third(verb: str) -> str:
    if verb == "have":
        return "has"
    if verb.endswith(("s", "sh", "ch", "x")):
        return verb + "es"
    return verb + "s"


def _be(aux: str, subject: str) -> str:
    """ "Are you" -> "we are"; "is it" -> "it is"; other verbs stay."""
    low = subject.lower()
    if aux.lower() in ("is", "are"):
        return "are" if low in ("we", "you", "they") else "is"
    if aux.lower() in ("was", "were"):
        return "were" if low in ("we", "you", "they") else "was"
    if aux.lower() in ("has", "have"):
        return "have" if low in ("we", "you", "they", "i") else "has"
    return aux.lower()


def _predicate(word: str) -> bool:
    low = word.lower().strip(",")
    return low in _VERBS or low.endswith(("ed", "able", "ible")) or low in _STATES


_STATES = frozenset(
    ["available", "compatible", "possible", "free", "included", "required", "open", "ready"]
)


def reported(question: str, context: str = "") -> str:
    """The question as an indirect clause, or "" when it does not read plainly.

    `context` is the sentence before: "Do you have one?" after "We need a SOC 2 report" is
    "whether we have a SOC 2 report".
    """
    clause = _reported(question)
    if clause.endswith((" one", " it")) and context:
        thing = re.search(
            r"\b(?:a|an)\s+((?:[\w-]+\s+){0,4}?[\w-]+)(?=\s+(?:for|from|to|in|on|of|that|which|before|\()|[.,;]|$)",
            context,
        )
        if thing:
            clause = clause.rsplit(" ", 1)[0] + " " + thing.group(0)
    return "" if clause.endswith(" one") else clause


def _embedded(rest: str) -> str:
    """ "if you support SSO" -> "whether we support SSO"; "what you charge" -> "what we charge"."""
    rest = re.sub(r"^(?:and\s+)+", "", rest.strip(" :,;-")).strip()
    if not _EMBEDDED.match(rest) or len(rest.split()) < 2:
        return ""
    if _WH.match(rest):  # "tell me: what is the price" asks in question order
        return _reported(rest)
    words = _swap(rest.split())
    if words[0].lower() in ("if", "whether"):
        words = ["whether", *words[1:]]
    return " ".join([words[0].lower(), *words[1:]])


def _reported(question: str) -> str:
    text = _LEAD_IN.sub("", question.strip().rstrip("?").strip())
    text = re.sub(r",?\s+(?:if not|or not)$", "", text, flags=re.I)
    asking = _ASK_IN.match(text)
    if asking:
        return _embedded(text[asking.end() :])
    text = re.split(r",\s*(?:or|and if)\b", text)[0].strip()
    words = text.split()
    request = words[2:3] and words[0].lower() in _AUX[:4] and words[1].lower() == "you"
    if request and words[2].lower().strip(",") in _REQUESTS:
        return ""
    return _direct(text, words)


def _direct(text: str, words: list[str]) -> str:
    """A question asked directly ("Are you …", "Does your app …", "How long does it …")."""
    if len(words) < 3 or len(words) > 18:
        return ""
    first, second = words[0].lower(), words[1].lower()
    if first in _AUX and second in _PRONOUNS:
        subject = _swap([words[1]])[0]
        rest = _swap(words[2:])
        return " ".join(["whether", subject, _be(first, subject), *rest])
    if first in _AUX and second in _DETERMINERS:
        # "Can your system handle 40 sites?", "Is the data encrypted at rest?"
        end = next((i for i, w in enumerate(words[2:6], 2) if _predicate(w)), None)
        if end is None:
            return ""
        return " ".join(["whether", *_swap(words[1:end]), first, *_swap(words[end:])])
    if first in ("do", "does") and second in _PRONOUNS:
        subject = _swap([words[1]])[0]
        verb = words[2].lower()
        if first == "does" and verb.isalpha():
            verb = _third(verb)
        return " ".join(["whether", subject, verb, *_swap(words[3:])])
    if first in ("do", "does") and second in _DETERMINERS:
        verb_at = next((i for i, w in enumerate(words[2:6], 2) if w.lower() in _VERBS), None)
        if verb_at is None:
            return ""
        # "the Salesforce sync run on": a verb-like noun before the verb belongs to the subject.
        while verb_at + 1 < len(words) and words[verb_at + 1].lower() in _VERBS:
            verb_at += 1
        who = _swap(words[1:verb_at])
        verb = words[verb_at].lower()
        verb = _third(verb) if first == "does" else verb
        return " ".join(["whether", *who, verb, *_swap(words[verb_at + 1 :])])
    found = _WH.match(text)
    if found:
        wh, aux, rest = found.group(1), found.group(2), found.group(3).split()
        subject = _swap([rest[0]])[0]
        if rest[0].lower() in _PRONOUNS:
            tail = _swap(rest[1:])
            if aux.lower() in ("does", "do"):
                if not tail:
                    return ""
                verb = _third(tail[0]) if aux.lower() == "does" else tail[0]
                return " ".join([wh.lower(), subject, verb, *tail[1:]])
            return " ".join([wh.lower(), subject, _be(aux, subject), *tail])
    return ""
