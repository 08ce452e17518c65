"""Referrals from other hospitals (often abroad) and the documents that come with them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rareonco.errors import NotFound
from rareonco.records.referrals.schemas import ReferralIn, ReferralOut
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, require
from rareonco.store.tables.patients import Patient
from rareonco.store.tables.referrals import Referral


def create(session: Session, actor: Actor, patient_id: int, data: ReferralIn) -> Referral:
    require(actor.role, Permission.REFERRAL_WRITE)
    if session.get(Patient, patient_id) is None:
        raise NotFound(f"patient {patient_id} not found")
    ref = Referral(patient_id=patient_id, created_by=actor.user_id, **data.model_dump())
    session.add(ref)
    session.flush()
    audit.record(session, actor, "create", f"referral/{ref.id}", f"patient/{patient_id}")
    return ref


def get(session: Session, actor: Actor, referral_id: int) -> Referral:
    require(actor.role, Permission.PATIENT_READ)
    ref = session.get(Referral, referral_id)
    if ref is None:
        raise NotFound(f"referral {referral_id} not found")
    audit.record(session, actor, "read", f"referral/{referral_id}", f"patient/{ref.patient_id}")
    return ref


def view(ref: Referral) -> ReferralOut:
    """The referral with its documents, as the API answers and the patient page shows it."""
    return ReferralOut.model_validate(ref)
