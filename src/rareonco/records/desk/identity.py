"""Settling who an inquiry is about, when the identity matcher could not (`resolve`), and
undoing a wrong link (`relink`): the case, its referral and documents move to the right
patient, on both patients' audit trails and on the case's timeline.

Issue 18: an inquiry for Каримов, 15.03.2007, whose passport number equalled the demo
patient Rakhimov Aziz's (11.08.2007), was attached to him by the passport alone; now the
matcher answers ``review`` (one identifier never links) and a coordinator decides here.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlalchemy.orm import Session

from rareonco.errors import Conflict, InvalidInput, NotFound
from rareonco.i18n import N_
from rareonco.records.cases import service as cases
from rareonco.records.cases.schemas import EventIn
from rareonco.records.desk.inquiries import _get, attach, patient_in
from rareonco.records.desk.schemas import IdentityChoiceIn
from rareonco.records.patients import service as patients
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, require
from rareonco.store.tables.cases import Case
from rareonco.store.tables.desk import Inquiry
from rareonco.store.tables.patients import Patient
from rareonco.store.tables.referrals import Document, Referral

NEED_REASON = N_("say why this is a new person and not one of the patients on file")


def _target(session: Session, actor: Actor, inquiry: Inquiry,
            data: IdentityChoiceIn) -> tuple[Patient, str]:
    """The patient chosen (and "chosen"), or a new patient from the inquiry ("confirmed_new")."""
    if data.patient_id is not None:
        patient = session.get(Patient, data.patient_id)
        if patient is None:
            raise NotFound(f"patient {data.patient_id} not found")
        return patient, "chosen"
    if not data.reason.strip():
        raise InvalidInput("reason", NEED_REASON)
    patient = patients.create(session, actor, patient_in(inquiry), identity_check=False)
    audit.record(session, actor, "confirm_new_person", f"patient/{patient.id}",
                 f"inquiry/{inquiry.id};candidates="
                 + ",".join(str(c["id"]) for c in inquiry.identity_candidates or [])
                 + f";reason={data.reason.strip()[:500]}")
    return patient, "confirmed_new"


def resolve(session: Session, actor: Actor, inquiry_id: int, data: IdentityChoiceIn) -> Inquiry:
    """Settle an inquiry in identity review: open it on the patient chosen or on a new one."""
    require(actor.role, Permission.REFERRAL_WRITE)
    require(actor.role, Permission.PATIENT_READ)
    inquiry = _get(session, inquiry_id)
    if inquiry.status != "identity_review":
        raise Conflict(f"inquiry {inquiry.reference} is {inquiry.status}; its identity is "
                       "settled (move it to another patient instead)")
    patient, how = _target(session, actor, inquiry, data)
    inquiry.status, inquiry.matched_by = "new", how
    attach(session, actor, inquiry, patient)
    audit.record(session, actor, "resolve_identity", f"inquiry/{inquiry.id}",
                 f"patient/{patient.id};{how};reason={data.reason.strip()[:500]}")
    return inquiry


def relink(session: Session, actor: Actor, inquiry_id: int, data: IdentityChoiceIn) -> Inquiry:
    """Move an inquiry linked to the wrong patient (its case, referral and documents) to the
    patient chosen, or to a new patient from the inquiry; the reason is required."""
    require(actor.role, Permission.REFERRAL_WRITE)
    require(actor.role, Permission.PATIENT_READ)
    inquiry = _get(session, inquiry_id)
    if inquiry.patient_id is None or inquiry.case_id is None or inquiry.referral_id is None:
        raise Conflict(f"inquiry {inquiry.reference} has no patient yet; settle its identity")
    if not data.reason.strip():
        raise InvalidInput("reason", N_("say why the inquiry is on the wrong patient"))
    if data.patient_id == inquiry.patient_id:
        raise InvalidInput("patient_id", N_("the inquiry is already on this patient"))
    before = inquiry.patient_id
    patient, _ = _target(session, actor, inquiry, data)
    session.execute(update(Case).where(Case.id == inquiry.case_id)
                    .values(patient_id=patient.id, version=Case.version + 1))
    session.execute(update(Referral).where(Referral.id == inquiry.referral_id)
                    .values(patient_id=patient.id, version=Referral.version + 1))
    session.execute(update(Document).where(Document.referral_id == inquiry.referral_id)
                    .values(patient_id=patient.id))
    inquiry.patient_id, inquiry.matched_by = patient.id, "relinked"
    session.flush()
    session.expire_all()
    note = f"moved from patient {before} to patient {patient.id}: {data.reason.strip()[:500]}"
    cases.add_event(session, actor, inquiry.case_id, EventIn(
        kind="referral", event_date=date.today(),
        summary=f"Inquiry {inquiry.reference} {note}",
        payload={"inquiry": inquiry.reference, "from_patient": before, "to_patient": patient.id}))
    for pid in (before, patient.id):
        audit.record(session, actor, "move_case", f"patient/{pid}",
                     f"case/{inquiry.case_id};inquiry/{inquiry.id};{note}")
    return _get(session, inquiry_id)
