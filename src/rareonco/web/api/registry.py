"""The rare-tumour registry for researchers: cohort counts, survival curves, comparisons.

Each answer is de-identified (counts of 1-4 are null) and audited with its filter."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from rareonco.records.registry import cohorts
from rareonco.records.registry.export import ExportIn, export_cohort
from rareonco.records.registry.schemas import (
    CohortIn,
    CompareIn,
    CompareOut,
    CountOut,
    CurveOut,
    SurvivalIn,
)
from rareonco.web.deps import SessionDep, UserDep

router = APIRouter(prefix="/registry", tags=["registry"])


@router.post("/count", response_model=CountOut, summary="How many patients a cohort holds")
def count(body: CohortIn, session: SessionDep, user: UserDep) -> CountOut:
    return cohorts.cohort_count(session, user.actor, body)


@router.post("/survival", response_model=CurveOut,
             summary="Kaplan-Meier of a cohort (overall or event-free survival)")
def survival(body: SurvivalIn, session: SessionDep, user: UserDep) -> CurveOut:
    return cohorts.cohort_survival(session, user.actor, body)


@router.post("/compare", response_model=CompareOut,
             summary="Kaplan-Meier curves of 2-6 cohorts and the log-rank test between them")
def compare(body: CompareIn, session: SessionDep, user: UserDep) -> CompareOut:
    return cohorts.compare_cohorts(session, user.actor, body)


@router.post("/export", summary="Export a cohort de-identified (ZIP: rows, dictionary, report)",
             responses={200: {"content": {"application/zip": {
                 "schema": {"type": "string", "format": "binary"}}},
                 "description": "data.csv or data.parquet, dictionary.csv, report.json"}})
def export(body: ExportIn, request: Request, session: SessionDep, user: UserDep) -> Response:
    secret = request.app.state.settings.effective_secret_key().encode()
    result = export_cohort(session, user.actor, body, secret, date.today())
    return Response(result.body, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{result.filename}"'})
