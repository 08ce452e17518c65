"""The two cases that define RareOnco, with fictional names and believable timelines.

1. A 19-year-old from Uzbekistan (Russian and Uzbek speaking) with osteosarcoma of the left
   ilium reaching the sacroiliac joint (ICD-O-3 9180/3, C41.4): confirmation, 4 preoperative
   cycles, resection of the sacroiliac region (Enneking-Dunham I+IV) with an individual implant
   designed from CT, rehabilitation and follow-up.
2. A 19-year-old domestic patient with desmoplastic small round cell tumour (8806/3, C48.1,
   EWSR1-WT1) over omentum and mesentery: 7 P6 courses (about -45 %), cytoreductive surgery with
   HIPEC (42-43 C, 60 min), continued chemotherapy and monitoring.

Dates are laid out relative to a reference day (today by default), so the demo stays current.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.records.patients import service as patients
from rareonco.records.patients.schemas import PatientIn
from rareonco.security import audit
from rareonco.security.audit import SYSTEM, Actor
from rareonco.store.tables.accounts import User
from rareonco.store.tables.cases import Case, MolecularFinding, TimelineEvent
from rareonco.store.tables.patients import Patient
from rareonco.store.tables.referrals import Referral

OSTEO_MRN = "RO-DEMO-0001"
DSRCT_MRN = "RO-DEMO-0002"


@dataclass(frozen=True)
class Ev:
    days_ago: int
    kind: str
    summary: str
    payload: dict[str, Any] | None = None


def _status(frm: str, to: str, days_ago: int, reason: str | None = None) -> Ev:
    return Ev(days_ago, "status_change", f"{frm} → {to}",
              {"from": frm, "to": to, "reason": reason, "note": "", "by": "demo"})


OSTEO_EVENTS = [
    Ev(320, "referral", "Referral from Tashkent: suspected osteosarcoma of the left ilium",
       {"country": "UZ"}),
    _status("referral_received", "remote_review", 318),
    _status("remote_review", "accepted", 312),
    Ev(300, "admission", "Admitted for diagnosis confirmation; interpreter not needed (Russian)"),
    _status("accepted", "admitted", 300),
    Ev(299, "imaging", "CT and MRI of the pelvis: destructive lesion of the left iliac wing, "
       "soft-tissue component, extension to the left sacroiliac joint; chest CT clear",
       {"modality": "CT+MRI", "region": "pelvis", "longest_diameter_mm": 92}),
    Ev(297, "biopsy", "CT-guided core biopsy of the left ilium (tract planned with the surgeon)"),
    Ev(291, "pathology", "High-grade conventional osteosarcoma (review of referring slides "
       "confirmed)", {"morphology": "9180/3", "grade": "high"}),
    _status("admitted", "diagnosis_confirmed", 290),
    Ev(288, "board_decision", "Tumour board: neoadjuvant MAP x 4 cycles, then resection of the "
       "sacroiliac region with individual implant reconstruction", {"intent": "curative"}),
    _status("diagnosis_confirmed", "board_reviewed", 288),
    _status("board_reviewed", "in_treatment", 285),
    *[Ev(285 - 28 * i, "chemotherapy_cycle", f"Preoperative cycle {i + 1} of 4 (MAP)",
         {"regimen": "MAP", "cycle": i + 1, "phase": "preoperative"}) for i in range(4)],
    Ev(170, "imaging", "Restaging CT/MRI: tumour smaller, sharper margins; no metastases",
       {"modality": "CT+MRI", "longest_diameter_mm": 74}),
    Ev(168, "resection_plan", "CT-based resection plan (zones I+IV) and implant template approved"),
    Ev(160, "surgery", "Resection of the left sacroiliac region (Enneking-Dunham I+IV), "
       "reconstruction with an individual 3D-printed titanium implant",
       {"resection_type": "I+IV", "margin": "wide", "r_status": "R0"}),
    Ev(157, "note", "Stands with support on post-operative day 3; rehabilitation started"),
    Ev(152, "pathology", "Resection specimen: 92 % necrosis (Huvos III, good responder), "
       "margins free", {"necrosis_pct": 92, "huvos": "III"}),
    Ev(145, "discharge", "Discharged to rehabilitation; adjuvant chemotherapy planned"),
    *[Ev(140 - 21 * i, "chemotherapy_cycle", f"Adjuvant cycle {i + 1} (MAP)",
         {"regimen": "MAP", "cycle": 5 + i, "phase": "adjuvant"}) for i in range(4)],
    _status("in_treatment", "follow_up", 40),
    Ev(6, "follow_up_visit", "Follow-up: walks without aids; chest CT clear; MSTS 24/30",
       {"msts_total": 24}),
]

DSRCT_EVENTS = [
    Ev(365, "referral", "Referral from the regional oncology dispensary: multiple peritoneal "
       "masses in a young man", {"country": "RU"}),
    _status("referral_received", "remote_review", 364),
    _status("remote_review", "accepted", 362),
    Ev(358, "admission", "Admitted for diagnosis"),
    _status("accepted", "admitted", 358),
    Ev(357, "imaging", "CT abdomen/pelvis: bulky nodular masses over the omentum and mesentery, "
       "sum of target diameters 186 mm", {"modality": "CT", "sum_mm": 186}),
    Ev(354, "biopsy", "Laparoscopic biopsy of an omental nodule"),
    Ev(347, "pathology", "Desmoplastic small round cell tumour; EWSR1-WT1 fusion by RT-PCR",
       {"morphology": "8806/3"}),
    _status("admitted", "diagnosis_confirmed", 346),
    Ev(344, "board_decision", "Tumour board: P6 protocol x 7 courses, then cytoreductive "
       "surgery with HIPEC if resectable", {"intent": "curative"}),
    _status("diagnosis_confirmed", "board_reviewed", 344),
    _status("board_reviewed", "in_treatment", 341),
    *[Ev(341 - 23 * i, "chemotherapy_cycle",
         f"P6 course {i + 1} of 7 ({'HD-CAV' if i + 1 in (1, 2, 3, 6) else 'IE'})",
         {"regimen": "P6", "cycle": i + 1}) for i in range(7)],
    Ev(185, "response_assessment", "CT after 7 courses: sum of diameters 102 mm (-45 % from "
       "baseline), RECIST partial response", {"sum_mm": 102, "baseline_sum_mm": 186,
                                               "recist": "PR"}),
    Ev(183, "board_decision", "Tumour board: cytoreductive surgery + HIPEC (cisplatin), "
       "then continued chemotherapy", {"intent": "curative"}),
    _status("in_treatment", "board_reviewed", 183),
    _status("board_reviewed", "in_treatment", 182),
    Ev(168, "surgery", "Cytoreductive surgery: omentectomy, resection of mesenteric nodules; "
       "PCI 14, CC-1", {"pci": 14, "cc": "CC-1"}),
    Ev(168, "hipec", "HIPEC, closed technique: cisplatin 100 mg/m2, perfusate 42-43 C, 60 min",
       {"target_c": [42, 43], "minutes": 60, "technique": "closed"}),
    Ev(150, "discharge", "Discharged; continued chemotherapy planned"),
    *[Ev(130 - 28 * i, "chemotherapy_cycle", f"Post-operative maintenance cycle {i + 1}",
         {"phase": "maintenance", "cycle": i + 1}) for i in range(4)],
    Ev(10, "imaging", "CT: no measurable peritoneal disease", {"modality": "CT"}),
]


def _patient(session: Session, mrn: str, data: PatientIn) -> Patient | None:
    if session.scalar(select(Patient.id).where(Patient.mrn == mrn)) is not None:
        return None
    return patients.create(session, SYSTEM, data.model_copy(update={"mrn": mrn}))


def _timeline(session: Session, case: Case, author: int | None, events: list[Ev],
              today: date) -> None:
    for ev in events:
        session.add(TimelineEvent(case_id=case.id, kind=ev.kind, summary=ev.summary,
                                  event_date=today - timedelta(days=ev.days_ago),
                                  payload=ev.payload or {}, author_id=author))


def load_demo_cases(session: Session, today: date | None = None) -> list[int]:
    """Create the two demo patients and cases if they are not there; return new case ids."""
    today = today or date.today()
    author = session.scalar(select(User.id).where(User.username == "demo"))
    actor = Actor(author, "demo-loader", "admin", "local")
    made: list[int] = []
    osteo = _patient(session, OSTEO_MRN, PatientIn(
        family_name="Рахимов", given_names="Азиз Бахтиёрович", family_name_latin="Rakhimov",
        given_names_latin="Aziz", sex="male", birth_date=today - timedelta(days=19 * 365 + 120),
        citizenship="UZ", residence_country="UZ", preferred_language="ru",
        other_languages=["uz"], interpreter_needed=False, passport_number="FA1234567",
        phone="+998 90 123 45 67", email="aziz.rakhimov@example.org"))
    if osteo is not None:
        ref = Referral(patient_id=osteo.id, country="UZ", referral_date=today - timedelta(320),
                       referring_institution="Republican Specialized Scientific and Practical "
                       "Medical Centre of Oncology and Radiology, Tashkent",
                       reason="Suspected osteosarcoma of the left ilium; confirmation of "
                       "diagnosis and treatment requested")
        session.add(ref)
        session.flush()
        case = Case(patient_id=osteo.id, referral_id=ref.id, status="follow_up",
                    morphology_code="9180/3", topography_code="C41.4", laterality="left",
                    site_detail="Left iliac bone with extension to the sacroiliac joint",
                    grade="G3", stage="Enneking IIB", diagnosis_date=today - timedelta(291))
        session.add(case)
        session.flush()
        _timeline(session, case, author, OSTEO_EVENTS, today)
        audit.record(session, actor, "create", f"case/{case.id}", "demo osteosarcoma case")
        made.append(case.id)
    dsrct = _patient(session, DSRCT_MRN, PatientIn(
        family_name="Волков", given_names="Дмитрий Сергеевич", sex="male",
        birth_date=today - timedelta(days=19 * 365 + 200), citizenship="RU",
        residence_country="RU", preferred_language="ru", national_id="123-456-789 00",
        phone="+7 910 555 01 23"))
    if dsrct is not None:
        ref = Referral(patient_id=dsrct.id, country="RU", referral_date=today - timedelta(365),
                       referring_institution="Regional Oncology Dispensary, Kaluga",
                       reason="Multiple peritoneal masses, suspected small round cell tumour")
        session.add(ref)
        session.flush()
        case = Case(patient_id=dsrct.id, referral_id=ref.id, status="in_treatment",
                    morphology_code="8806/3", topography_code="C48.1", laterality="midline",
                    site_detail="Omentum and mesentery, peritoneal spread",
                    grade="G3", stage="peritoneal disease, M0",  # fits String(32)
                    diagnosis_date=today - timedelta(347))
        case.molecular_findings = [MolecularFinding(
            finding="EWSR1-WT1 fusion, t(11;22)(p13;q12)", gene="EWSR1-WT1", method="RT-PCR",
            finding_date=today - timedelta(347))]
        session.add(case)
        session.flush()
        _timeline(session, case, author, DSRCT_EVENTS, today)
        audit.record(session, actor, "create", f"case/{case.id}", "demo DSRCT case")
        made.append(case.id)
    return made
