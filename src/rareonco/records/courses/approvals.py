"""Regimen approval (issue 17): a regimen version is a draft until a pharmacist and a clinician
(two different users) approve it; prescribing an unapproved version is an ``override`` finding of
the gate (``regimen_approved=False``). Each approval is stored and audited; a new version of the
regimen file needs new approvals.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.errors import Conflict, Forbidden
from rareonco.records.courses.schemas import RegimenApprovalOut
from rareonco.regimens import all_regimens, get_regimen
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, Role, require
from rareonco.store.tables.accounts import User
from rareonco.store.tables.courses import RegimenApproval

__all__ = ["approval_view", "approvals", "approve_regimen", "is_approved"]

_APPROVING_ROLES = (Role.PHARMACIST.value, Role.CLINICIAN.value)


def is_approved(session: Session, regimen_id: str, version: str) -> bool:
    roles = set(session.scalars(select(RegimenApproval.role).where(
        RegimenApproval.regimen_id == regimen_id, RegimenApproval.regimen_version == version)))
    return roles >= set(_APPROVING_ROLES)


def approve_regimen(session: Session, actor: Actor, regimen_id: str,
                    note: str = "") -> RegimenApprovalOut:
    """Approve the library's current version of the regimen in the actor's role (pharmacist or
    clinician); the same user cannot give both approvals."""
    require(actor.role, Permission.REGIMEN_APPROVE)
    if actor.role not in _APPROVING_ROLES:
        raise Forbidden("a regimen is approved by a pharmacist and by a clinician")
    regimen = get_regimen(regimen_id)
    rows = _rows(session, regimen.id, regimen.version)
    if actor.role in rows:
        raise Conflict(f"{regimen.id} v{regimen.version} is already approved by a {actor.role}")
    if any(r.user_id == actor.user_id for r in rows.values()):
        raise Conflict("the second approval must come from another person")
    if actor.user_id is None:
        raise Forbidden("an approval needs a signed-in user")
    session.add(RegimenApproval(regimen_id=regimen.id, regimen_version=regimen.version,
                                role=actor.role, user_id=actor.user_id, note=note))
    session.flush()
    audit.record(session, actor, "approve", f"regimen/{regimen.id}/v{regimen.version}",
                 f"as {actor.role}")
    return approval_view(session, regimen.id)


def _rows(session: Session, regimen_id: str, version: str) -> dict[str, RegimenApproval]:
    return {r.role: r for r in session.scalars(select(RegimenApproval).where(
        RegimenApproval.regimen_id == regimen_id, RegimenApproval.regimen_version == version))}


def approval_view(session: Session, regimen_id: str) -> RegimenApprovalOut:
    regimen = get_regimen(regimen_id)
    rows = _rows(session, regimen.id, regimen.version)
    ids = {r.user_id for r in rows.values()}
    names = dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all()
                 ) if ids else {}
    by = {role: names.get(r.user_id) for role, r in rows.items()}
    return RegimenApprovalOut(
        regimen=regimen.id, version=regimen.version, file_status=regimen.status,
        approved=set(rows) >= set(_APPROVING_ROLES), pharmacist=by.get(Role.PHARMACIST.value),
        clinician=by.get(Role.CLINICIAN.value))


def approvals(session: Session, actor: Actor) -> list[RegimenApprovalOut]:
    """Every regimen of the library with its approval."""
    require(actor.role, Permission.CASE_READ_CLINICAL)
    return [approval_view(session, r.id) for r in all_regimens()]
