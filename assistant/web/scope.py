"""Object-level authorization: which reps, leads and drafts a signed-in user may reach.

A rep reaches the leads they own, and those leads' drafts and mail; a manager those of the
reps in their team; an admin everything. Anything out of reach is reported exactly as if it
did not exist.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from assistant.errors import NotFound
from assistant.models import Draft, Lead, Rep, RepStatus, User, UserRole


def rep_ids(db: Session, user: User) -> set[int] | None:
    """The reps whose leads the user may see; None means every rep."""
    if user.role == UserRole.admin:
        return None
    if user.role == UserRole.manager:
        return {i for i in db.exec(select(Rep.id).where(Rep.team == user.team)).all() if i}
    return {user.rep_id} if user.rep_id is not None else set()


def reps(db: Session, user: User) -> list[Rep]:
    """Reps the user may hand a lead to: their own team (every rep for an admin), on the floor."""
    query = select(Rep).where(Rep.status != RepStatus.removed.value).order_by(Rep.name)
    if user.role != UserRole.admin:
        team = user.team
        if user.role == UserRole.rep and user.rep_id is not None:
            own = db.get(Rep, user.rep_id)
            team = own.team if own else team
        query = query.where(Rep.team == team)
    return list(db.exec(query).all())


def teams(db: Session, user: User) -> list[str]:
    """Teams whose rules and numbers the user may manage."""
    if user.role == UserRole.admin:
        found = set(db.exec(select(Rep.team)).all()) | {user.team}
        return sorted(found)
    return [user.team] if user.role == UserRole.manager else []


def can_see(allowed: set[int] | None, owner_id: int | None) -> bool:
    return allowed is None or (owner_id is not None and owner_id in allowed)


def lead(db: Session, user: User, lead_id: int) -> Lead:
    found = db.get(Lead, lead_id)
    if found is None or not can_see(rep_ids(db, user), found.owner_id):
        raise NotFound("There is no such lead.")
    return found


def draft(db: Session, user: User, draft_id: int) -> tuple[Draft, Lead]:
    found = db.get(Draft, draft_id)
    allowed = rep_ids(db, user)
    if found is None or not can_see(allowed, found.rep_id):
        raise NotFound("There is no such draft.")
    owner = db.get(Lead, found.lead_id)
    if owner is None or not can_see(allowed, owner.owner_id):
        raise NotFound("There is no such draft.")
    return found, owner


def leads_filter(allowed: set[int] | None) -> ColumnElement[bool]:
    """A WHERE clause limiting leads to the allowed owners (every lead for None)."""
    if allowed is None:
        return col(Lead.id).is_not(None)
    return col(Lead.owner_id).in_(allowed or {-1})
