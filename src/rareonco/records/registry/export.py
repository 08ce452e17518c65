"""De-identified export of a registry cohort for researchers and partner registries (issue 23).

What leaves: a ZIP with the rows (CSV or Parquet), a data dictionary and a report of what was
done to them. What never leaves: names, identifiers, contacts, free text, the record's own
pseudonym (replaced by one keyed to this export's secret), exact ages (5-year groups, 90+),
exact dates (diagnosis year only, or dates shifted per patient: intervals stay exact).
k-anonymity on the quasi-identifiers (age group, sex, country, morphology) is reached by
generalisation and at most 5 % suppression (:func:`rareonco.outcomes.deidentify.generalise_to_k`);
the report gives k, the rows suppressed and the generalisations. Every export is audited with
its purpose.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rareonco.errors import InvalidInput
from rareonco.outcomes.deidentify import (
    age_group,
    date_shift_days,
    generalise_to_k,
    k_anonymity,
    shift_date,
)
from rareonco.records.registry.cohorts import require_registry, where
from rareonco.records.registry.schemas import CohortIn
from rareonco.records.schemas import Strict
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.store.tables.registry import RegistryEntry as R

__all__ = ["EXPORT_LIMIT", "ExportIn", "ExportResult", "export_cohort"]

EXPORT_LIMIT = 200_000
QUASI_IDENTIFIERS = ("age_group", "sex", "country", "morphology")
#: column -> (type, meaning): the data dictionary shipped with every export
DICTIONARY: dict[str, tuple[str, str]] = {
    "export_id": ("text", "pseudonym of the patient in this export only"),
    "age_group": ("text", "age at diagnosis in 5-year groups, 90+ pooled; '*' when generalised"),
    "sex": ("text", "female / male; '*' when generalised"),
    "country": ("text", "ISO 3166-1 alpha-2 country of residence; '*' when generalised"),
    "morphology": ("text", "ICD-O-3 morphology (e.g. 9180/3), its 3-digit group, or '*'"),
    "site_group": ("text", "primary site group from the ICD-O-3 topography"),
    "stage": ("text", "stage as recorded (I-IV)"),
    "metastatic": ("boolean", "metastatic at diagnosis"),
    "molecular": ("text", "characteristic molecular finding (fusion), empty if none"),
    "chemotherapy": ("boolean", "received chemotherapy"),
    "surgery": ("boolean", "had surgery"),
    "radiotherapy": ("boolean", "received radiotherapy"),
    "hipec": ("boolean", "had HIPEC"),
    "margin": ("text", "surgical margin R0/R1/R2, empty without surgery"),
    "huvos_grade": ("integer", "Huvos necrosis grade I-IV as 1-4, empty when not graded"),
    "best_response": ("text", "best response (RECIST 1.1 category)"),
    "diagnosis": ("text", "diagnosis year (YYYY), or the diagnosis date shifted per patient"),
    "os_days": ("integer", "days from diagnosis to death or last contact"),
    "os_event": ("boolean", "death observed"),
    "efs_days": ("integer", "days from diagnosis to first event or last contact"),
    "efs_event": ("boolean", "relapse, metastasis, second cancer or death observed"),
    "first_event": ("integer", "at efs_days: 0 censored, 1 relapse/progression, 2 death first"),
}


class ExportIn(Strict):
    cohort: CohortIn = Field(default_factory=CohortIn)
    purpose: str = Field(min_length=10, max_length=500,
                         description="why the data are exported (study, approval number)")
    format: Literal["csv", "parquet"] = "csv"
    dates: Literal["year", "shifted"] = "year"
    k: int = Field(5, ge=2, le=50)

    @field_validator("purpose")
    @classmethod
    def _real_purpose(cls, value: str) -> str:
        if sum(ch.isalnum() for ch in value) < 10:
            raise ValueError("say what the data are for (10 letters or digits at least)")
        return value


@dataclass(frozen=True)
class ExportResult:
    filename: str
    body: bytes
    rows: int
    suppressed: int
    k: int


def _key(secret: bytes, text: str) -> str:
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()[:16]


def export_cohort(session: Session, actor: Actor, req: ExportIn, secret: bytes,
                  today: date) -> ExportResult:
    """The cohort de-identified as a ZIP (rows, dictionary.csv, report.json)."""
    require_registry(actor)
    cond = where(req.cohort)
    n = session.scalar(select(func.count()).select_from(R).where(cond)) or 0
    if n > EXPORT_LIMIT:
        raise InvalidInput("cohort", f"{n} patients; narrow the cohort to {EXPORT_LIMIT} or fewer")
    # a new key per export: two exports cannot be joined on their pseudonyms
    export_secret = hmac.new(secret, f"{actor.username}:{today}:{req.purpose}".encode(),
                             hashlib.sha256).digest()
    rows: list[dict[str, Any]] = []
    for r in session.scalars(select(R).where(cond).order_by(R.id)):
        rows.append({
            "export_id": _key(export_secret, r.pseudonym), "age_group": age_group(r.age_years),
            "sex": r.sex, "country": r.country, "morphology": r.morphology,
            "site_group": r.site_group, "stage": r.stage, "metastatic": r.metastatic,
            "molecular": r.molecular, "chemotherapy": r.chemotherapy, "surgery": r.surgery,
            "radiotherapy": r.radiotherapy, "hipec": r.hipec, "margin": r.margin,
            "huvos_grade": r.huvos_grade, "best_response": r.best_response,
            "diagnosis": (str(r.diagnosis_year) if req.dates == "year" else shift_date(
                r.diagnosis_date, date_shift_days(r.pseudonym, export_secret)).isoformat()),
            "os_days": r.os_days, "os_event": r.os_event, "efs_days": r.efs_days,
            "efs_event": r.efs_event, "first_event": r.first_event})
    kept, suppressed = generalise_to_k(rows, QUASI_IDENTIFIERS, req.k, max_suppressed_fraction=0.05)
    if len(kept) < req.k:
        raise InvalidInput("cohort", f"too small to export de-identified (fewer than {req.k} "
                                     "patients after generalisation)")
    report = {
        "purpose": req.purpose, "exported_by": actor.username, "date": today.isoformat(),
        "cohort": req.cohort.model_dump(exclude_defaults=True), "rows": len(kept),
        "suppressed_rows": suppressed, "quasi_identifiers": list(QUASI_IDENTIFIERS),
        "k": req.k, "smallest_class": k_anonymity(kept, QUASI_IDENTIFIERS, req.k).smallest_class,
        "generalised": {q: sorted({str(r[q]) for r in kept}) for q in QUASI_IDENTIFIERS
                        if any(str(r[q]) == "*" or (q == "morphology" and "/" not in str(r[q]))
                               for r in kept)},
        "dates": "diagnosis year only" if req.dates == "year" else "shifted per patient",
    }
    body = _zip(kept, req.format, report)
    audit.record(session, actor, "registry_export", "registry",
                 f"{len(kept)} rows, {suppressed} suppressed, k={req.k}, {req.format}; "
                 f"purpose: {req.purpose}")
    return ExportResult(f"registry-export-{today.isoformat()}.zip", body, len(kept), suppressed, req.k)


def _zip(rows: list[dict[str, Any]], fmt: str, report: dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        if fmt == "csv":
            text = io.StringIO()
            w = csv.DictWriter(text, fieldnames=list(DICTIONARY))
            w.writeheader()
            w.writerows(rows)
            zf.writestr("data.csv", text.getvalue())
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pylist(rows) if rows else pa.table({c: [] for c in DICTIONARY})
            out = io.BytesIO()
            pq.write_table(table, out)
            zf.writestr("data.parquet", out.getvalue())
        d = io.StringIO()
        w2 = csv.writer(d)
        w2.writerow(["column", "type", "meaning"])
        for col, (typ, meaning) in DICTIONARY.items():
            w2.writerow([col, typ, meaning])
        zf.writestr("dictionary.csv", d.getvalue())
        zf.writestr("report.json", json.dumps(report, ensure_ascii=False, indent=2))
    return buf.getvalue()
