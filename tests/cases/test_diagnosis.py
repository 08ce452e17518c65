"""The diagnosis through the API: ICD-O-3 search in both languages, corrections kept on the
timeline and in the audit with the version checked, stages of a named system, molecular
findings; clinical events with their dates."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from rareonco.records.cases import icdo3_search
from rareonco.records.cases.diagnosis_terms import check_stage
from rareonco.store.db import Database
from rareonco.store.tables.audit import AuditEntry

from .conftest import event, open_case, walk


def _codes(axis: icdo3_search.Axis, q: str) -> list[str]:
    return [o.code for o in icdo3_search.search(axis, q)]


def test_search_by_code_or_label_in_either_language() -> None:
    assert _codes("morphology", "9180/3")[0] == "9180/3"
    assert _codes("morphology", "9180")[0] == "9180/3"
    assert set(_codes("morphology", "918")) >= {"9180/3", "9181/3", "9187/3"}
    assert _codes("topography", "c414") == ["C41.4"]
    assert _codes("topography", "C41.4") == ["C41.4"]
    russian = _codes("morphology", "остеосаркома")
    english = _codes("morphology", "osteosarcoma")
    assert russian[0] == english[0] == "9180/3"  # "Остеосаркома, БДУ" starts with the words
    assert set(russian) == set(english) and len(russian) == 11
    assert _codes("morphology", "саркома юинга") == ["9364/3", "9260/3"]
    assert _codes("morphology", "Ewing") == ["9364/3", "9260/3"]
    assert _codes("morphology", "десмопластическая")[0] == "8806/3"
    assert _codes("topography", "кости таза") == ["C41.4"]
    assert _codes("topography", "pelvic bones") == ["C41.4"]
    assert _codes("topography", "ребра")[0] == "C41.3"  # "Рёбра": ё and е alike
    assert _codes("morphology", "nothing like this") == []
    assert len(_codes("topography", "")) == len(icdo3_search.search("topography", " "))


def test_every_code_has_a_russian_label() -> None:
    cyrillic = re.compile("[а-яё]", re.IGNORECASE)
    for axis in icdo3_search.AXES:
        for o in icdo3_search.search(axis, ""):
            assert cyrillic.search(o.label_ru) and o.label_ru != o.label_en, o.code


def test_stage_of_a_named_system_must_be_one_of_its_groups() -> None:
    assert check_stage("Enneking IIB") == "Enneking IIB"
    assert check_stage("AJCC8 bone IVA") == "AJCC8 bone IVA"
    assert check_stage("peritoneal disease, M0") == "peritoneal disease, M0"
    with pytest.raises(ValueError, match="stage group of Enneking"):
        check_stage("Enneking IV")
    with pytest.raises(ValueError, match="IIIA"):
        check_stage("AJCC8 STS IIC")


def test_icdo3_api(clients: dict[str, TestClient]) -> None:
    r = clients["clinician"].get("/api/v1/cases/icdo3/morphology", params={"q": "юинга"})
    assert r.status_code == 200
    assert [o["code"] for o in r.json()] == ["9364/3", "9260/3"]
    assert r.json()[0]["label_ru"] == "Саркома Юинга"
    assert clients["clinician"].get("/api/v1/cases/icdo3/behaviour").status_code == 422


def _version(c: TestClient, case_id: int) -> int:
    return int(c.get(f"/api/v1/cases/{case_id}").json()["version"])


def _patch(c: TestClient, case_id: int, **body: Any) -> Any:
    return c.patch(f"/api/v1/cases/{case_id}", json={"version": _version(c, case_id), **body})


def test_corrections_keep_history(clients: dict[str, TestClient], patient_body: Any,
                                  db: Database) -> None:
    c = clients["clinician"]
    case_id = open_case(c, patient_body)["id"]
    v0 = _version(c, case_id)
    r = _patch(c, case_id, morphology_code="9180/3", topography_code="C41.4",
               laterality="left", grade="G3", stage="Enneking IIB")
    assert r.status_code == 200, r.text
    assert r.json()["diagnosis"]["stage"] == "Enneking IIB" and r.json()["version"] == v0 + 1
    # a stale form changes nothing
    stale = c.patch(f"/api/v1/cases/{case_id}", json={"version": v0, "grade": "G1"})
    assert stale.status_code == 409 and stale.json()["current_version"] == v0 + 1
    assert _patch(c, case_id, stage="Enneking IV").json()["field"] == "stage"
    # the same values again: no change, no new version, no history
    same = _patch(c, case_id, morphology_code="9180/3", grade="G3")
    assert same.status_code == 200 and same.json()["version"] == v0 + 1
    notes = [e for e in c.get(f"/api/v1/cases/{case_id}/timeline").json() if e["kind"] == "note"]
    assert len(notes) == 1 and notes[0]["summary"].startswith("Diagnosis recorded:")
    assert notes[0]["payload"]["diagnosis"]["morphology_code"] == [None, "9180/3"]

    # once confirmed, a code is corrected with a reason, never removed
    walk(c, case_id, "remote_review", "accepted", "admitted")
    event(c, case_id, "pathology")
    walk(c, case_id, "diagnosis_confirmed")
    r = _patch(c, case_id, morphology_code="9186/3")
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = _patch(c, case_id, morphology_code=None, reason="wrong entry")
    assert r.status_code == 422 and r.json()["field"] == "morphology_code"
    r = _patch(c, case_id, morphology_code="9186/3", reason="Review of the slides: conventional")
    assert r.status_code == 200 and r.json()["diagnosis"]["morphology_code"] == "9186/3"
    last = [e for e in c.get(f"/api/v1/cases/{case_id}/timeline").json()
            if e["kind"] == "note"][-1]
    assert last["summary"] == ("Diagnosis corrected: morphology_code: 9180/3 → 9186/3 (reason: "
                               "Review of the slides: conventional)")
    assert last["payload"] == {"diagnosis": {"morphology_code": ["9180/3", "9186/3"]},
                               "reason": "Review of the slides: conventional"}
    with db.session() as session:
        details = session.scalars(select(AuditEntry.detail).where(
            AuditEntry.resource == f"case/{case_id}", AuditEntry.action == "update")).all()
    assert any("9180/3 → 9186/3" in d and "reason: Review" in d for d in details)
    assert clients["coordinator"].patch(f"/api/v1/cases/{case_id}", json={
        "version": _version(c, case_id), "grade": "G2"}).status_code == 403


def test_molecular_findings(clients: dict[str, TestClient], patient_body: Any) -> None:
    c = clients["clinician"]
    case_id = open_case(c, patient_body, morphology_code="8806/3")["id"]
    url = f"/api/v1/cases/{case_id}/molecular-findings"
    body = {"finding": "EWSR1-WT1 fusion", "gene": "EWSR1", "method": "RT-PCR",
            "finding_date": "2026-02-01"}
    r = c.post(url, json={**body, "version": _version(c, case_id)})
    assert r.status_code == 201, r.text
    found = r.json()["molecular_findings"]
    assert [f["finding"] for f in found] == ["EWSR1-WT1 fusion"]
    version = r.json()["version"]
    assert c.post(url, json={**body, "version": version - 1}).status_code == 409
    future = (date.today() + timedelta(days=1)).isoformat()
    assert c.post(url, json={**body, "finding_date": future,
                             "version": version}).status_code == 422
    r = c.delete(f"{url}/{found[0]['id']}", params={"version": version, "reason": "duplicate"})
    assert r.status_code == 200 and r.json()["molecular_findings"] == []
    notes = [e["summary"] for e in c.get(f"/api/v1/cases/{case_id}/timeline").json()
             if e["kind"] == "note"]
    assert notes == ["Molecular finding added: EWSR1-WT1 fusion (RT-PCR)",
                     "Molecular finding removed: EWSR1-WT1 fusion (RT-PCR) (reason: duplicate)"]
    assert c.delete(f"{url}/{found[0]['id']}",
                    params={"version": r.json()["version"]}).status_code == 404


def test_event_dates(clients: dict[str, TestClient], patient_body: Any) -> None:
    c = clients["clinician"]
    case_id = open_case(c, patient_body)["id"]
    url = f"/api/v1/cases/{case_id}/timeline"
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    r = c.post(url, json={"kind": "pathology", "event_date": tomorrow})
    assert r.status_code == 422 and r.json()["field"] == "event_date"
    r = c.post(url, json={"kind": "pathology", "event_date": tomorrow, "planned": True})
    assert r.status_code == 422 and r.json()["field"] == "planned"
    r = c.post(url, json={"kind": "imaging", "event_date": tomorrow, "planned": True,
                          "summary": "MRI of the pelvis"})
    assert r.status_code == 201 and r.json()["payload"] == {"planned": True}
    r = c.post(url, json={"kind": "imaging", "event_date": "2026-01-02", "planned": True})
    assert r.status_code == 422 and r.json()["field"] == "event_date"
    r = c.post(url, json={"kind": "biopsy", "event_date": "2001-01-01"})  # born 2007
    assert r.status_code == 422 and "birth" in r.json()["error"]
    assert c.post(url, json={"kind": "biopsy", "event_date": date.today().isoformat()}
                  ).status_code == 201
