"""HIPEC procedures on a case: record, perfusion samples (batches, CSV import, live stream),
alarms and their acknowledgement, analysis and report.

Sample batches (``POST .../samples``) come as rows or columns; see
:mod:`rareonco.records.hipec.schemas`. A batch that overlaps what is stored is refused with 409
and ``last_t_s`` (so a client retrying after a lost response knows where to resume); a bad batch
with 422 naming the field. ``GET .../stream`` is a server-sent-event stream: first ``snapshot``
(samples so far, thinned; alarms; status), then ``samples``, ``alarm``, ``ack`` and ``status``
events as they are stored.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from rareonco.config import Settings
from rareonco.errors import InvalidInput
from rareonco.hipec.perfusion import SampleBatch
from rareonco.records.hipec import imports as hipec_imports
from rareonco.records.hipec import procedures as hipec
from rareonco.records.hipec import samples as hipec_samples
from rareonco.records.hipec.live_hub import LiveHub
from rareonco.records.hipec.schemas import (
    AckIn,
    AlarmOut,
    AnalysisOut,
    BatchIn,
    DataQualityOut,
    ImportOut,
    ImportResultOut,
    IngestOut,
    ProcedureIn,
    ProcedureOut,
    ProcedureUpdate,
    SamplesOut,
    SimulationIn,
    SimulationOut,
    SimulationStopOut,
)
from rareonco.security.audit import Actor
from rareonco.security.roles import Permission, require
from rareonco.store.tables.hipec import HipecProcedure
from rareonco.web import deps
from rareonco.web.deps import SessionDep, UserDep, get_settings
from rareonco.web.error_handlers import validation_details
from rareonco.web.sse import get_hub, sse

router = APIRouter(prefix="/cases", tags=["hipec"])
HubDep = Annotated[LiveHub, Depends(get_hub)]
BASE = "/{case_id}/hipec/{procedure_id}"


@router.get("/{case_id}/hipec", response_model=list[ProcedureOut])
def list_procedures(case_id: int, session: SessionDep, user: UserDep) -> list[ProcedureOut]:
    return [hipec.view(session, p) for p in hipec.list_for_case(session, user.actor, case_id)]


@router.post("/{case_id}/hipec", status_code=status.HTTP_201_CREATED, response_model=ProcedureOut)
def create_procedure(case_id: int, body: ProcedureIn, session: SessionDep,
                     user: UserDep) -> ProcedureOut:
    """Record a procedure; doses in mg are computed from dose per m2 and the BSA."""
    return hipec.view(session, hipec.create(session, user.actor, case_id, body))


@router.get(BASE, response_model=ProcedureOut)
def read_procedure(case_id: int, procedure_id: int, session: SessionDep,
                   user: UserDep) -> ProcedureOut:
    return hipec.view(session, hipec.get(session, user.actor, case_id, procedure_id))


@router.patch(BASE, response_model=ProcedureOut)
def update_procedure(case_id: int, procedure_id: int, body: ProcedureUpdate,
                     session: SessionDep, user: UserDep, hub: HubDep) -> ProcedureOut:
    proc = hipec.update(session, user.actor, case_id, procedure_id, body)
    out = hipec.view(session, proc)
    if body.status is not None:
        session.commit()
        hub.finished(procedure_id, proc.status)
    return out


async def _authenticator(request: Request) -> Callable[[Session], Actor]:
    """Resolve the caller inside the hub writer's transaction: endpoints that wait for the
    writer must not hold a writing transaction of their own (on SQLite, the write lock)."""
    sent_csrf = await deps._sent_csrf(request)
    key = (request.headers.get("authorization", ""), request.cookies.get(deps.SESSION_COOKIE),
           sent_csrf, deps.client_address(request))

    def authenticate(session: Session) -> Actor:
        # Requests with the same credential in one group commit are resolved once (same
        # transaction, so the same answer).
        cache = session.info.setdefault("hipec_auth", {})
        if key not in cache:
            cache[key] = deps._current_user(request, session, sent_csrf).actor
        actor: Actor = cache[key]
        return actor

    return authenticate


def _parse_batch(raw: bytes) -> tuple[list[SampleBatch], BaseException | None]:
    try:
        return [BatchIn.model_validate_json(raw).to_batch()], None
    except ValidationError as exc:
        first = validation_details(exc.errors())[0]
        return [], InvalidInput(first["field"], first["reason"])
    except InvalidInput as exc:
        return [], exc


@router.post(BASE + "/samples", response_class=Response,
             responses={200: {"model": IngestOut, "description": "The batch is stored."}},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": BatchIn.model_json_schema()}}}})
async def post_samples(case_id: int, procedure_id: int, request: Request) -> Response:
    """Store a batch of samples (rows or columns), run the alarm engine on it, stream both to
    subscribers. Answers when the batch is stored: ``accepted`` is then durable.

    The hot path of a live feed (each machine posts several times a second), so it stays on
    the event loop end to end: the hub is looked up directly rather than through a sync
    dependency (which FastAPI would run on a worker thread), and the answer is encoded here
    rather than by FastAPI's generic encoder (pydantic-core, no second validation)."""
    authenticate = await _authenticator(request)
    batches, error = _parse_batch(await request.body())
    result = await get_hub(request).ingest_async(authenticate, case_id, procedure_id, batches,
                                                 error)
    out = IngestOut(accepted=result.n_samples, t_first_s=result.t_first_s,
                    t_last_s=result.t_last_s, alarms=result.alarms)
    return Response(out.model_dump_json(), media_type="application/json")


@router.get(BASE + "/samples", response_class=Response,
            responses={200: {"model": SamplesOut, "description": "The samples as columns."}})
def get_samples(case_id: int, procedure_id: int, session: SessionDep, user: UserDep,
                max_points: int = Query(100_000, ge=10, le=1_000_000)) -> Response:
    """The stored samples as columns (thinned by a stride beyond ``max_points``).

    Up to millions of values: serialized once by pydantic-core, not validated a second time by
    ``response_model``."""
    hipec.get(session, user.actor, case_id, procedure_id)
    log = hipec_samples.load_log(session, procedure_id)
    return Response(hipec_samples.overview(log, max_points).model_dump_json(),
                    media_type="application/json")


@router.get(BASE + "/stream", response_class=StreamingResponse, responses={200: {
    "content": {"text/event-stream": {"schema": {"type": "string"}}},
    "description": "Server-sent events: `snapshot` (SnapshotOut) first, then `samples` "
                   "(SamplesOut), `alarm` and `ack` (AlarmOut), `status` ({status})."}})
def stream(case_id: int, procedure_id: int, session: SessionDep, user: UserDep, hub: HubDep,
           max_points: int = Query(3000, ge=10, le=100_000),
           limit: int | None = Query(None, ge=1)) -> StreamingResponse:
    """Server-sent events: ``snapshot`` first, then live ``samples``/``alarm``/``ack``/``status``.

    ``limit`` ends the stream after that many live events (for scripts and tests)."""
    proc = hipec.get(session, user.actor, case_id, procedure_id)
    sub = hub.subscribe(procedure_id)  # before the snapshot: nothing falls between the two
    try:
        first = sse("snapshot", hipec_samples.snapshot(session, proc, max_points))
    except BaseException:
        hub.unsubscribe(procedure_id, sub)
        raise

    async def events() -> AsyncIterator[str]:
        try:
            yield first
            sent = 0
            async for chunk in sub.events():
                yield chunk
                sent += chunk.count("data: ")
                if limit is not None and sent >= limit:
                    return
        finally:
            hub.unsubscribe(procedure_id, sub)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.get(BASE + "/alarms", response_model=list[AlarmOut])
def list_alarms(case_id: int, procedure_id: int, session: SessionDep,
                user: UserDep) -> list[AlarmOut]:
    return [hipec_samples.alarm_view(a)
            for a in hipec_samples.list_alarms(session, user.actor, case_id, procedure_id)]


@router.post(BASE + "/alarms/{alarm_id}/ack", response_model=AlarmOut)
def acknowledge(case_id: int, procedure_id: int, alarm_id: int, session: SessionDep,
                user: UserDep, hub: HubDep, body: AckIn | None = None) -> AlarmOut:
    alarm = hipec_samples.acknowledge(session, user.actor, case_id, procedure_id, alarm_id,
                                      body.note if body else "")
    out = hipec_samples.alarm_view(alarm)
    session.commit()
    hub.acknowledged(procedure_id, alarm.type, alarm.probe, alarm.episode,
                     out.acknowledged_by or user.actor.username)
    hub.publish(procedure_id, [sse("ack", out)])
    return out


async def import_upload(request: Request, hub: LiveHub, settings: Settings, case_id: int,
                        procedure_id: int, file: UploadFile) -> ImportResultOut:
    """Parse an uploaded perfusion CSV and store it, with its import record and data-quality
    findings, through the hub's writer (shared by the API and the procedure page)."""
    authenticate = await _authenticator(request)
    limit = settings.max_upload_mb * 1024 * 1024
    raw = await file.read(limit + 1)
    if len(raw) > limit:
        raise InvalidInput("file", f"larger than {settings.max_upload_mb} MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    try:
        log = await run_in_threadpool(hipec_samples.parse_import, text)
    except InvalidInput as exc:  # reported once the caller is known
        await hub.ingest_async(authenticate, case_id, procedure_id, [], exc)
        raise
    stored: list[int] = []

    def after(session: Session, actor: Actor, proc: HipecProcedure) -> None:
        stored.append(hipec_imports.record(session, actor, proc, log, file.filename or "").id)

    result = await hub.ingest_async(authenticate, case_id, procedure_id,
                                    hipec_samples.split(log), source="import", what="import",
                                    after=after)
    return ImportResultOut(
        accepted=result.n_samples, t_first_s=result.t_first_s, t_last_s=result.t_last_s,
        probes=list(log.probes_c), alarms=result.alarms,
        data_quality=[DataQualityOut.model_validate(f.to_dict()) for f in log.data_quality],
        import_id=stored[0] if stored else None)


@router.post(BASE + "/import", status_code=status.HTTP_201_CREATED,
             response_model=ImportResultOut)
async def import_csv(case_id: int, procedure_id: int, request: Request, hub: HubDep,
                     settings: Annotated[Settings, Depends(get_settings)],
                     file: Annotated[UploadFile, File()]) -> ImportResultOut:
    """Import a perfusion machine's CSV export (see rareonco.hipec.logfile) onto the procedure;
    the import and its data-quality findings are kept (``GET .../imports``)."""
    return await import_upload(request, hub, settings, case_id, procedure_id, file)


@router.get(BASE + "/imports", response_model=list[ImportOut])
def list_imports(case_id: int, procedure_id: int, session: SessionDep,
                 user: UserDep) -> list[ImportOut]:
    """The procedure's CSV imports, latest first, each with its data-quality findings."""
    return [hipec_imports.import_view(r)
            for r in hipec_imports.list_imports(session, user.actor, case_id, procedure_id)]


@router.get(BASE + "/analysis", response_model=AnalysisOut)
def analysis(case_id: int, procedure_id: int, session: SessionDep, user: UserDep) -> AnalysisOut:
    """Plateau, per-probe min/max/mean, time in range and CEM43, alarms (rareonco.hipec)."""
    return hipec_samples.analysis_view(session, user.actor, case_id, procedure_id)


@router.get(BASE + "/report.html", response_class=HTMLResponse, responses={200: {
    "content": {"text/html": {"schema": {"type": "string"}}},
    "description": "The perfusion report (HTML)."}})
def report_html(case_id: int, procedure_id: int, session: SessionDep,
                user: UserDep) -> HTMLResponse:
    return HTMLResponse(hipec_samples.report_html(session, user.actor, case_id, procedure_id))


@router.get(BASE + "/report.pdf", response_class=Response, responses={200: {
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    "description": "The perfusion report (PDF)."}})
def report_pdf(case_id: int, procedure_id: int, session: SessionDep, user: UserDep) -> Response:
    pdf = hipec_samples.report_pdf(session, user.actor, case_id, procedure_id)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="hipec-{case_id}-{procedure_id}.pdf"'})


@router.post(BASE + "/simulate", status_code=status.HTTP_202_ACCEPTED,
             response_model=SimulationOut)
def start_simulation(case_id: int, procedure_id: int, session: SessionDep, user: UserDep,
                     hub: HubDep, body: SimulationIn | None = None) -> SimulationOut:
    """Start a simulated perfusion on the server (demos, tests): batches go through ingest."""
    return SimulationOut.model_validate(
        hub.start_simulation(session, user.actor, case_id, procedure_id, body or SimulationIn()))


@router.delete(BASE + "/simulate", response_model=SimulationStopOut)
def stop_simulation(case_id: int, procedure_id: int, session: SessionDep, user: UserDep,
                    hub: HubDep) -> SimulationStopOut:
    require(user.actor.role, Permission.CASE_WRITE_CLINICAL)
    hipec.load(session, case_id, procedure_id)
    return SimulationStopOut(stopped=hub.stop_simulation(procedure_id))
