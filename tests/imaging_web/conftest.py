"""A case, the shared CT (a test that needs it fails naming the path when it is missing), and
helpers to upload it and wait for a plan job."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from rareonco.config import Settings
from rareonco.example_data import example_data_dir

SHARED_DATA = example_data_dir() or Path("../shared/data")  # missing: the tests fail naming it
SHARED_CT = SHARED_DATA / "ct" / "abdomen_pelvis_3mm.nii.gz"
SHARED_DICOM = SHARED_DATA / "ct" / "upper_abdomen_dicom"
LEFT_BOX = [-90, 101, 184, -50, 141, 224]  # left ilium, RAS mm (patient's left = negative x)
PLAN_TIMEOUT_S = 400.0  # ~10 s alone; much longer on a shared, busy machine


def require_shared(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"shared test data missing: {path} (see ../shared/data/README.md)")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """As the root fixture, with room for a CT (the root one allows 1 MB per upload)."""
    return Settings(data_dir=tmp_path / "data", secret_key="test-secret", max_upload_mb=20)


@pytest.fixture(autouse=True)
def _stop_worker(app):
    """Let a plan still running finish before the database is dropped."""
    yield
    worker = getattr(app.state, "plan_worker", None)
    if worker is not None:
        worker.shutdown(wait=True)


@pytest.fixture
def shared_ct() -> Path:
    return require_shared(SHARED_CT)


@pytest.fixture
def case_id(clients, patient_body) -> int:
    c = clients["clinician"]
    pid = c.post("/api/v1/patients", json=patient_body()).json()["id"]
    r = c.post(f"/api/v1/patients/{pid}/cases", json={
        "morphology_code": "9180/3", "topography_code": "C41.4", "laterality": "left",
        "molecular_findings": []})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def upload(client, case_id: int, *files: tuple[str, bytes]):
    return client.post(f"/api/v1/cases/{case_id}/ct",
                       files=[("files", (name, data, "application/octet-stream"))
                              for name, data in files])


@pytest.fixture
def ct_id(clients, case_id, shared_ct) -> int:
    r = upload(clients["clinician"], case_id, (shared_ct.name, shared_ct.read_bytes()))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def wait_for(client, job_id: int, timeout_s: float = PLAN_TIMEOUT_S) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        r = client.get(f"/api/v1/plans/{job_id}")
        assert r.status_code == 200, r.text
        job = r.json()
        if job["status"] in ("done", "failed"):
            return job
        if time.monotonic() > deadline:
            pytest.fail(f"plan {job_id} still {job['status']} ({job['stage']}, "
                        f"{job['progress']:.0%}) after {timeout_s:.0f} s")
        time.sleep(0.5)
