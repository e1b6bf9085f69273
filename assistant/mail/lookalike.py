"""Domains made to pass for the lead's or the rep's: one letter off, swapped glyphs, a suffix."""

from __future__ import annotations

import unicodedata

# Second-level labels under which companies register (example.co.uk, example.com.au).
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or"})
# Letters from other scripts, and letter pairs, that read as a Latin letter in a mail client.
_GLYPHS = str.maketrans(
    {
        **dict(zip("аеорсухіјѕԁһӏ", "aeopcyxijsdhl", strict=True)),  # Cyrillic
        **dict(zip("κνοτα", "kvota", strict=True)),  # Greek
        **dict(zip("ɡⅼ0135", "gloles", strict=True)),
    }
)
_PAIRS = (("rn", "m"), ("vv", "w"), ("cl", "d"), ("l", "i"))


def registered(domain: str) -> str:
    """The part of a host name its owner registered: mail.eu.acme.co.uk -> acme.co.uk."""
    labels = [label for label in domain.lower().strip(".").split(".") if label]
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _unicode(domain: str) -> str:
    try:
        return domain.encode("ascii").decode("idna") if "xn--" in domain else domain
    except UnicodeError:
        return domain


def skeleton(domain: str) -> str:
    """How a domain reads: case, compatibility forms and look-alike glyphs folded away."""
    text = unicodedata.normalize("NFKC", _unicode(domain)).lower().translate(_GLYPHS)
    for pair, letter in _PAIRS:
        text = text.replace(pair, letter)
    return text


def _distance(a: str, b: str) -> int:
    """Edit distance with swapped neighbours counting once (Damerau, optimal string alignment)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def imitates(candidate: str, genuine: str) -> bool:
    """Whether `candidate` is a different domain dressed to be read as `genuine`."""
    mine, theirs = registered(_unicode(candidate)), registered(_unicode(genuine))
    if not mine or not theirs or mine == theirs:
        return False
    if skeleton(mine) == skeleton(theirs):
        return True
    if f".{theirs}." in f".{_unicode(candidate).lower()}.":
        return True  # northwind.com.pay-portal.net: the real name in front of another's
    name, genuine_name = mine.split(".")[0], theirs.split(".")[0]
    if len(genuine_name) >= 4 and genuine_name in name.split("-") and name != genuine_name:
        return True  # acme-billing.com for acme.com
    allowed = 1 if len(theirs) <= 8 else 2
    return _distance(mine, theirs) <= allowed
