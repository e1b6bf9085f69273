"""Passwords, server-side sessions, CSRF tokens, the origin check and login throttling."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from assistant.models import LoginThrottle, User, WebSession

SESSION_COOKIE = "nurture_session"
LOGIN_COOKIE = "nurture_login"  # double-submit token for the sign-in form, before any session
MIN_PASSWORD = 10
TOUCH_EVERY = timedelta(minutes=5)  # refresh a session's expiry at most this often
THROTTLE_WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=15)
MAX_ACCOUNT_FAILURES = 5
MAX_ADDRESS_FAILURES = 30  # an office behind one NAT shares an address: allow more

_hasher = PasswordHasher()
# Verified when the account does not exist, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    """True when the password is the user's; constant-ish time whether or not the user exists."""
    try:
        return _hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and bool(user)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(user: User) -> bool:
    return _hasher.check_needs_rehash(user.password_hash)


def token_hash(secret: str, token: str) -> str:
    """The keyed hash kept in the database: a leaked table gives no usable cookie."""
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def login_form_token(secret: str, cookie: str) -> str:
    """The sign-in form's hidden field, bound to the browser's login cookie."""
    return hmac.new(secret.encode(), f"login:{cookie}".encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


@dataclass(frozen=True)
class SignedIn:
    user: User
    session: WebSession


def open_session(db: Session, secret: str, user: User, now: datetime, hours: float) -> str:
    """A new session row for the user; returns the cookie token (only its hash is stored)."""
    assert user.id is not None
    db.execute(delete(WebSession).where(col(WebSession.expires_at) < now))
    token = secrets.token_urlsafe(32)
    db.add(
        WebSession(
            token_hash=token_hash(secret, token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            seen_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    return token


def close_session(db: Session, secret: str, token: str) -> None:
    db.execute(delete(WebSession).where(col(WebSession.token_hash) == token_hash(secret, token)))


def find_session(
    db: Session, secret: str, token: str, now: datetime, hours: float
) -> SignedIn | None:
    """The signed-in user for a cookie token, or None; slides the expiry forward now and then."""
    if not token:
        return None
    row = db.exec(
        select(WebSession, User)
        .join(User, col(User.id) == WebSession.user_id)
        .where(WebSession.token_hash == token_hash(secret, token))
    ).first()
    if row is None:
        return None
    session, user = row
    if session.expires_at is None or session.expires_at <= now:
        return None
    if session.seen_at is None or now - session.seen_at > TOUCH_EVERY:
        session.seen_at, session.expires_at = now, now + timedelta(hours=hours)
        db.add(session)
        db.commit()
    return SignedIn(user, session)


def own_origin(scheme: str, host: str, public_url: str | None) -> str:
    return public_url or f"{scheme}://{host.lower()}"


def from_own_origin(origin: str | None, referer: str | None, own: str) -> bool:
    """A state change must say it comes from our own pages; saying nothing is refusal too."""
    if origin is not None:
        return origin.lower() == own
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}".lower() == own
    return False


# --- login throttling -------------------------------------------------------------------


def throttle_keys(email: str, address: str) -> dict[str, int]:
    """The counters one sign-in attempt touches, each with its failure limit."""
    return {
        f"account:{email.strip().lower()}": MAX_ACCOUNT_FAILURES,
        f"address:{address}": MAX_ADDRESS_FAILURES,
    }


def locked_until(db: Session, keys: dict[str, int], now: datetime) -> datetime | None:
    rows = db.exec(select(LoginThrottle).where(col(LoginThrottle.key).in_(list(keys)))).all()
    locks = [r.locked_until for r in rows if r.locked_until and r.locked_until > now]
    return max(locks) if locks else None


def record_failure(db: Session, keys: dict[str, int], now: datetime) -> None:
    for key, limit in keys.items():
        row = _throttle_row(db, key, now)
        if row.window_start is None or now - row.window_start > THROTTLE_WINDOW:
            row.window_start, row.failures = now, 0
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + LOCK_FOR
            row.window_start, row.failures = now, 0
        db.add(row)


def clear_failures(db: Session, email: str) -> None:
    key = f"account:{email.strip().lower()}"
    db.execute(delete(LoginThrottle).where(col(LoginThrottle.key) == key))


def _throttle_row(db: Session, key: str, now: datetime) -> LoginThrottle:
    row = db.exec(select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()).first()
    if row is not None:
        return row
    try:
        with db.begin_nested():  # two replicas may create the same counter at once
            db.add(LoginThrottle(key=key, window_start=now))
    except IntegrityError:
        pass
    found = db.exec(select(LoginThrottle).where(LoginThrottle.key == key)).first()
    assert found is not None
    return found
