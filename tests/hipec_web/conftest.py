"""A case with a HIPEC procedure, and helpers to make sample batches."""

from __future__ import annotations

from typing import Any

import pytest

PROBES = ("inflow", "outflow", "ip_upper", "ip_pelvis")


@pytest.fixture
def case_id(clients, patient_body) -> int:
    c = clients["clinician"]
    pid = c.post("/api/v1/patients", json=patient_body()).json()["id"]
    r = c.post(f"/api/v1/patients/{pid}/cases", json={
        "morphology_code": "8806/3", "topography_code": "C48.1", "molecular_findings": []})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def procedure_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "procedure_date": "2026-05-20", "technique": "closed",
        "drugs": [{"drug": "cisplatin", "dose_mg_m2": 100}],
        "height_cm": 178, "weight_kg": 68, "carrier_solution": "0.9% NaCl",
        "carrier_volume_ml": 4500, "flow_rate_l_min": 1.2, "pci": 14, "cc_score": "CC-1",
    }
    body.update(over)
    return body


@pytest.fixture
def procedure(clients, case_id) -> dict[str, Any]:
    r = clients["clinician"].post(f"/api/v1/cases/{case_id}/hipec", json=procedure_body())
    assert r.status_code == 201, r.text
    return r.json()


def rows(t0: float, n: int, temp_c: float = 42.5, inflow_c: float = 44.0,
         flow: float = 1.2, dt: float = 1.0) -> dict[str, Any]:
    """A rows-shaped batch of ``n`` samples from ``t0`` with steady temperatures."""
    return {"samples": [
        {"t_s": t0 + i * dt, "flow_l_min": flow,
         "probes": {"inflow": inflow_c, "outflow": inflow_c - 1.0,
                    "ip_upper": temp_c + 0.01 * (i % 3), "ip_pelvis": temp_c - 0.01 * (i % 2)}}
        for i in range(n)]}
