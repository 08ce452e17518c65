"""HIPEC procedures through the API on SQLite and PostgreSQL: record, ingest, alarms, ack,
import, analysis, report, roles."""

from __future__ import annotations

import io

import pypdf
import pytest

from rareonco.hipec import format_csv, simulate

from .conftest import procedure_body, rows


def url(case_id: int, proc: dict, tail: str = "") -> str:
    return f"/api/v1/cases/{case_id}/hipec/{proc['id']}{tail}"


def test_create_computes_dose_and_links_timeline(clients, case_id, procedure) -> None:
    assert procedure["bsa_m2"] == pytest.approx(1.834, abs=0.001)  # Mosteller 178 cm, 68 kg
    assert procedure["drugs"] == [{"drug": "cisplatin", "dose_mg_m2": 100.0, "dose_mg": 183.0,
                                   "reason": None}]
    assert procedure["target_c"] == [42.0, 43.0] and procedure["planned_duration_min"] == 60
    assert procedure["pci"] == 14 and procedure["cc_score"] == "CC-1"
    timeline = clients["clinician"].get(f"/api/v1/cases/{case_id}/timeline").json()
    hipec = [e for e in timeline if e["kind"] == "hipec"]
    assert hipec and hipec[0]["payload"]["procedure_id"] == procedure["id"]
    assert "cisplatin 100 mg/m2 (183 mg)" in hipec[0]["summary"]
    listed = clients["clinician"].get(f"/api/v1/cases/{case_id}/hipec").json()
    assert [p["id"] for p in listed] == [procedure["id"]]


@pytest.mark.parametrize("over,field", [
    ({"pci": 40}, "pci"), ({"cc_score": "CC-4"}, "cc_score"),
    ({"technique": "semi"}, "technique"), ({"height_cm": 500}, "height_cm"),
    ({"target_low_c": 43, "target_high_c": 42}, "target_high_c"),
    ({"pci_regions": {"0": 1}}, "pci_regions.1"), ({"surgery_event_id": 999999},
                                                    "surgery_event_id"),
])
def test_create_refuses_bad_values(clients, case_id, over, field) -> None:
    r = clients["clinician"].post(f"/api/v1/cases/{case_id}/hipec", json=procedure_body(**over))
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field


def test_pci_from_regions(clients, case_id) -> None:
    regions = {str(i): (2 if i < 7 else 0) for i in range(13)}
    r = clients["clinician"].post(f"/api/v1/cases/{case_id}/hipec",
                                  json=procedure_body(pci=None, pci_regions=regions))
    assert r.status_code == 201 and r.json()["pci"] == 14


def test_ingest_rows_and_columns(clients, case_id, procedure) -> None:
    c = clients["clinician"]
    r = c.post(url(case_id, procedure, "/samples"), json=rows(0, 10))
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == 10 and r.json()["alarms"] == []
    r = c.post(url(case_id, procedure, "/samples"), json={
        "t_s": [10, 11], "probes": {"inflow": [44.0, None], "ip_upper": [42.4, 42.5]},
        "flow_l_min": [1.2, 1.2]})
    assert r.status_code == 200, r.text
    got = c.get(url(case_id, procedure, "/samples")).json()
    assert got["t_s"] == [float(i) for i in range(12)]
    assert got["probes"]["inflow"][-1] is None and got["probes"]["outflow"][-1] is None
    view = c.get(url(case_id, procedure)).json()
    assert view["samples"] == 12 and view["status"] == "running"


@pytest.mark.parametrize("body,field", [
    ({"samples": [{"t_s": 1, "probes": {"inflow": 44}}, {"t_s": 1, "probes": {"inflow": 44}}]},
     "samples.1.t_s"),
    ({"samples": [{"t_s": 0, "probes": {"inflow": 55.0}}]}, "samples.0.probes.inflow"),
    ({"samples": [{"t_s": 0, "probes": {"Inflow!": 40.0}}]}, "samples.0.probes.Inflow!"),
    ({"samples": [{"t_s": 0, "probes": {"inflow": 40.0}, "flow_l_min": -1}]},
     "samples.0.flow_l_min"),
    ({"samples": [{"t_s": "soon", "probes": {"inflow": 40.0}}]}, "samples.0.t_s"),
    ({"t_s": [0, 1], "probes": {"inflow": [40.0]}}, "probes.inflow"),
    ({"samples": []}, "samples"),
    # values are checked as arrays; the field named is still the first bad value as sent
    ({"t_s": [0, 1], "probes": {"inflow": [40.0, "NaN"]}}, "probes.inflow.1"),
    ({"t_s": [0, 1], "probes": {"inflow": [40.0, None], "ip_upper": [42.0, 19.5]}},
     "probes.ip_upper.1"),
    ({"t_s": [0, 1], "probes": {"inflow": [40.0, 41.0]}, "flow_l_min": [1.0, 11.0]},
     "flow_l_min.1"),
    ({"samples": [{"t_s": 0, "probes": {"inflow": 40.0}},
                  {"t_s": 1, "probes": {"ip_upper": 51.0, "inflow": 60.0}, "flow_l_min": 12}]},
     "samples.1.probes.ip_upper"),
    ({"samples": [{"t_s": 0, "probes": {"inflow": 40.0}, "flow_l_min": 11},
                  {"t_s": 1, "probes": {"inflow": 60.0}}]}, "samples.0.flow_l_min"),
])
def test_bad_batch_is_422_and_stores_nothing(clients, case_id, procedure, body, field) -> None:
    c = clients["clinician"]
    r = c.post(url(case_id, procedure, "/samples"), json=body)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field
    assert c.get(url(case_id, procedure)).json()["samples"] == 0


def test_overlapping_batch_is_409_with_last_time(clients, case_id, procedure) -> None:
    c = clients["clinician"]
    assert c.post(url(case_id, procedure, "/samples"), json=rows(0, 5)).status_code == 200
    r = c.post(url(case_id, procedure, "/samples"), json=rows(3, 5))
    assert r.status_code == 409 and r.json()["last_t_s"] == 4.0
    assert c.post(url(case_id, procedure, "/samples"), json=rows(5, 5)).status_code == 200
    assert c.get(url(case_id, procedure)).json()["samples"] == 10


def test_over_temperature_alarm_is_stored_and_acknowledged(clients, case_id, procedure) -> None:
    c = clients["clinician"]
    assert c.post(url(case_id, procedure, "/samples"), json=rows(0, 5)).json()["alarms"] == []
    r = c.post(url(case_id, procedure, "/samples"), json=rows(5, 5, inflow_c=45.5))
    alarms = r.json()["alarms"]
    assert [(a["type"], a["probe"]) for a in alarms] == [("over_temperature", "inflow")]
    stored = c.get(url(case_id, procedure, "/alarms")).json()
    assert [a["id"] for a in stored] == [alarms[0]["id"]]
    assert stored[0]["acknowledged_at"] is None
    assert c.get(url(case_id, procedure)).json()["open_alarms"] == 1
    aid = alarms[0]["id"]
    r = c.post(url(case_id, procedure, f"/alarms/{aid}/ack"), json={"note": "bath lowered"})
    assert r.status_code == 200, r.text
    assert r.json()["acknowledged_by"] == "clinician" and r.json()["ack_note"] == "bath lowered"
    assert c.post(url(case_id, procedure, f"/alarms/{aid}/ack")).status_code == 409
    assert c.post(url(case_id, procedure, "/alarms/999999/ack")).status_code == 404


def test_monitor_state_survives_a_restart(app, clients, case_id, procedure) -> None:
    """The over-temperature condition began before the hub was dropped; the rebuilt monitor
    still confirms it 2 s in, from the stored samples."""
    c = clients["clinician"]
    c.post(url(case_id, procedure, "/samples"), json=rows(0, 5))
    c.post(url(case_id, procedure, "/samples"), json=rows(5, 2, inflow_c=45.5))
    del app.state.hipec_hub  # as after a restart
    r = c.post(url(case_id, procedure, "/samples"), json=rows(7, 2, inflow_c=45.5))
    assert [a["type"] for a in r.json()["alarms"]] == ["over_temperature"]


def test_import_csv_analysis_and_report(clients, case_id, procedure) -> None:
    c = clients["clinician"]
    text = format_csv(simulate(20, seed=3))
    r = c.post(url(case_id, procedure, "/import"),
               files={"file": ("perfusion.csv", text.encode(), "text/csv")})
    assert r.status_code == 201, r.text
    assert r.json()["accepted"] == 20 * 60 + 1
    assert r.json()["probes"] == ["inflow", "outflow", "ip_upper", "ip_pelvis"]
    stored = c.get(url(case_id, procedure, "/imports")).json()
    assert [i["id"] for i in stored] == [r.json()["import_id"]]
    assert stored[0]["filename"] == "perfusion.csv" and stored[0]["n_samples"] == 20 * 60 + 1
    assert stored[0]["data_quality"] == r.json()["data_quality"]
    a = c.get(url(case_id, procedure, "/analysis")).json()
    assert a["n_samples"] == 1201 and a["plateau"]["start_s"] is not None
    assert set(a["probes"]) == {"inflow", "outflow", "ip_upper", "ip_pelvis"}
    html = c.get(url(case_id, procedure, "/report.html"))
    assert html.status_code == 200 and "ip_pelvis" in html.text and "cisplatin" in html.text
    pdf = c.get(url(case_id, procedure, "/report.pdf"))
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    for probe in ("inflow", "outflow", "ip_upper", "ip_pelvis"):
        assert probe in text
    bad = c.post(url(case_id, procedure, "/import"),
                 files={"file": ("x.csv", b"hello,world\n1,2\n", "text/csv")})
    assert bad.status_code == 422


def test_report_without_samples_is_404(clients, case_id, procedure) -> None:
    assert clients["clinician"].get(url(case_id, procedure, "/report.html")).status_code == 404


def test_roles(clients, case_id, procedure) -> None:
    for role in ("coordinator", "researcher", "auditor"):
        c = clients[role]
        assert c.get(f"/api/v1/cases/{case_id}/hipec").status_code == 403, role
        assert c.get(url(case_id, procedure, "/stream")).status_code == 403, role
        assert c.post(url(case_id, procedure, "/samples"), json=rows(0, 2)).status_code == 403
        assert c.post(f"/api/v1/cases/{case_id}/hipec",
                      json=procedure_body()).status_code == 403
    assert clients["admin"].get(url(case_id, procedure)).status_code == 200


def test_finished_procedure_takes_no_samples(clients, case_id, procedure) -> None:
    c = clients["clinician"]
    r = c.patch(url(case_id, procedure), json={"version": procedure["version"],
                                               "status": "finished"})
    assert r.status_code == 200 and r.json()["status"] == "finished"
    assert c.post(url(case_id, procedure, "/samples"), json=rows(0, 2)).status_code == 409
    stale = c.patch(url(case_id, procedure), json={"version": procedure["version"], "pci": 3})
    assert stale.status_code == 409


def test_reads_and_writes_are_audited(clients, case_id, procedure) -> None:
    c = clients["clinician"]
    c.post(url(case_id, procedure, "/samples"), json=rows(0, 3))
    c.get(url(case_id, procedure, "/analysis"))
    base = f"case/{case_id}/hipec/{procedure['id']}"
    entries = clients["auditor"].get("/api/v1/audit",
                                     params={"resource": base, "limit": 1000}).json()
    resources = {(e["action"], e["resource"]) for e in entries}
    assert ("create", base) in resources
    assert ("ingest", base + "/samples") in resources
    assert ("read", base + "/analysis") in resources
