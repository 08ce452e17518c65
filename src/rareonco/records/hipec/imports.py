"""CSV imports onto a HIPEC procedure and the data-quality findings of their parse.

:func:`record` runs in the live hub's writer, in the savepoint of the import's samples, so an
import is stored with its findings or not at all. The findings (gaps, out-of-range values set
to missing, ignored columns; :mod:`rareonco.hipec.logfile`) stay readable on the procedure page
and through ``GET /api/v1/cases/{id}/hipec/{pid}/imports`` after the upload's answer is gone.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rareonco.hipec import PerfusionLog
from rareonco.records.hipec import procedures as hipec
from rareonco.records.hipec.schemas import DataQualityOut, ImportOut
from rareonco.records.schemas import iso
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, require
from rareonco.store.tables.hipec import HipecImport, HipecProcedure

__all__ = ["import_view", "list_imports", "record"]


def record(session: Session, actor: Actor, proc: HipecProcedure, log: PerfusionLog,
           filename: str) -> HipecImport:
    """Store what an import brought (its samples are stored by the caller)."""
    require(actor.role, Permission.CASE_WRITE_CLINICAL)
    row = HipecImport(procedure_id=proc.id, filename=filename[:255], n_samples=len(log),
                      t_first_s=float(log.t_s[0]), t_last_s=float(log.t_s[-1]),
                      probes=list(log.probes_c),
                      findings=[f.to_dict() for f in log.data_quality],
                      imported_by=actor.user_id)
    session.add(row)
    session.flush()
    audit.record(session, actor, "import", f"case/{proc.case_id}/hipec/{proc.id}/imports/{row.id}",
                 f"{filename[:80]}: {len(log)} samples; {len(row.findings)} data-quality findings")
    return row


def import_view(row: HipecImport) -> ImportOut:
    return ImportOut(
        id=row.id, procedure_id=row.procedure_id, filename=row.filename,
        n_samples=row.n_samples, t_first_s=row.t_first_s, t_last_s=row.t_last_s,
        probes=row.probes, data_quality=[DataQualityOut.model_validate(f) for f in row.findings],
        imported_by=row.user.username if row.user else None, imported_at=iso(row.imported_at))


def list_imports(session: Session, actor: Actor, case_id: int,
                 procedure_id: int) -> list[HipecImport]:
    """The procedure's imports, latest first."""
    require(actor.role, Permission.CASE_READ_CLINICAL)
    hipec.load(session, case_id, procedure_id)
    rows = session.scalars(select(HipecImport).where(HipecImport.procedure_id == procedure_id)
                           .order_by(HipecImport.imported_at.desc(), HipecImport.id.desc()))
    audit.record(session, actor, "read", f"case/{case_id}/hipec/{procedure_id}/imports")
    return list(rows.all())
