"""Typed outputs: every API route of patients, cases, referrals, auth, audit and calc documents
a 2xx body schema in the OpenAPI, and real answers validate against their Out models."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter

from rareonco.records.cases.schemas import CaseOut, CasePageOut, EventOut
from rareonco.records.patients.schemas import AnyPatientOut, PatientPageOut
from rareonco.records.referrals.schemas import ReferralOut, StoredDocumentOut
from rareonco.web.api import audit_log as audit_api
from rareonco.web.api import auth as auth_api
from rareonco.web.api import calc as calc_api
from rareonco.web.api import cases as cases_api
from rareonco.web.api import patients as patients_api
from rareonco.web.api import referrals as referrals_api
from rareonco.web.api.audit_log import AuditEntryOut, ChainCheckOut
from rareonco.web.api.auth import MeOut
from rareonco.web.api.calc import CalculatorOut

#: the API modules of these features
MODULES = (patients_api, cases_api, referrals_api, auth_api, audit_api, calc_api)


def _operations(app: Any) -> list[tuple[str, str, dict[str, Any]]]:
    mine = {(f"/api/v1{r.path}", m.lower()) for module in MODULES for r in module.router.routes
            if getattr(r, "include_in_schema", False) for m in r.methods}
    paths = app.openapi()["paths"]
    found = [(path, method, op) for path, ops in paths.items() for method, op in ops.items()
             if (path, method) in mine]
    assert len(found) == len(mine)
    return found


def test_every_route_documents_its_2xx_body(app: Any) -> None:
    ops = _operations(app)
    assert len(ops) >= 20
    for path, method, op in ops:
        ok = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        assert ok, f"{method} {path}: no 2xx response"
        for code, response in ok.items():
            content = response.get("content")
            assert content, f"{method} {path} {code}: no body documented"
            for media_type, body in content.items():
                schema = body.get("schema")
                assert schema and schema != {}, f"{method} {path} {code} {media_type}: no schema"


def test_files_declare_their_media_types(app: Any) -> None:
    op = app.openapi()["paths"]["/api/v1/documents/{document_id}"]["get"]
    content = op["responses"]["200"]["content"]
    assert {"application/pdf", "image/png", "application/dicom"} <= set(content)
    assert content["application/pdf"]["schema"] == {"type": "string", "format": "binary"}


def test_hot_routes_document_their_models(app: Any) -> None:
    paths = app.openapi()["paths"]
    search = paths["/api/v1/patients"]["get"]["responses"]["200"]["content"]
    case = paths["/api/v1/cases/{case_id}"]["get"]["responses"]["200"]["content"]
    assert search["application/json"]["schema"]["$ref"].endswith("/PatientPageOut")
    assert case["application/json"]["schema"]["$ref"].endswith("/CaseOut")


def _validates(model: Any, body: Any) -> None:
    """`body` validates against `model`, and the model gives back exactly `body` (unset keys
    stay absent)."""
    adapter = TypeAdapter(model)
    value = adapter.validate_python(body)
    assert adapter.dump_python(value, mode="json", exclude_unset=True) == body


@pytest.mark.parametrize("role", ["clinician", "coordinator", "researcher"])
def test_answers_validate_against_their_out_models(clients: Any, patient_body: Any,
                                                   role: str) -> None:
    c = clients["clinician"]
    patient = c.post("/api/v1/patients", json=patient_body()).json()
    ref = c.post(f"/api/v1/patients/{patient['id']}/referrals", json={
        "referring_institution": "Tashkent Oncology Centre", "country": "UZ",
        "referral_date": "2026-01-12", "reason": "suspected osteosarcoma"}).json()
    _validates(ReferralOut, ref)
    case = c.post(f"/api/v1/patients/{patient['id']}/cases", json={
        "referral_id": ref["id"], "morphology_code": "9180/3", "topography_code": "C41.4",
        "molecular_findings": [{"finding": "MDM2 amplification", "method": "FISH"}]}).json()
    _validates(CaseOut, case)
    event = c.post(f"/api/v1/cases/{case['id']}/timeline", json={
        "kind": "pathology", "event_date": "2026-02-10", "summary": "high-grade"}).json()
    _validates(EventOut, event)
    doc = clients["coordinator"].post(f"/api/v1/referrals/{ref['id']}/documents",
                                      files={"file": ("h.pdf", b"%PDF-1.4\n" + b"x" * 10)})
    _validates(StoredDocumentOut, doc.json())

    me = clients[role]
    _validates(PatientPageOut, me.get("/api/v1/patients", params={"country": "UZ"}).json())
    _validates(CaseOut, me.get(f"/api/v1/cases/{case['id']}").json())
    if role != "researcher":
        _validates(AnyPatientOut, me.get(f"/api/v1/patients/{patient['id']}").json())
        _validates(CasePageOut, me.get("/api/v1/cases").json())
        _validates(list[EventOut], me.get(f"/api/v1/cases/{case['id']}/timeline").json())
        _validates(ReferralOut, c.get(f"/api/v1/referrals/{ref['id']}").json())
    else:
        _validates(AnyPatientOut, me.get(f"/api/v1/patients/{patient['id']}").json())
    _validates(MeOut, me.get("/api/v1/auth/me").json())


def test_audit_and_calculator_answers_validate(clients: Any) -> None:
    auditor = clients["auditor"]
    _validates(list[AuditEntryOut], auditor.get("/api/v1/audit").json())
    _validates(ChainCheckOut, auditor.get("/api/v1/audit/verify").json())
    _validates(list[CalculatorOut], clients["clinician"].get("/api/v1/calc/").json())
