"""CT studies and pelvic plan jobs through the API on SQLite and PostgreSQL: upload, refusal of
other content, a plan run to the end, side safety, files, timeline, roles."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from rareonco.records.imaging.schemas import PlanJobOut

from .conftest import LEFT_BOX, SHARED_DICOM, require_shared, upload, wait_for


def test_upload_nifti_reads_geometry(clients, case_id, shared_ct) -> None:
    c = clients["clinician"]
    r = upload(c, case_id, (shared_ct.name, shared_ct.read_bytes()))
    assert r.status_code == 201, r.text
    ct = r.json()
    assert ct["kind"] == "nifti" and ct["shape"] == [122, 101, 112]
    assert ct["spacing_mm"] == pytest.approx([3.0, 3.0, 3.0])
    assert ct["orientation"] == "RAS" and len(ct["sha256"]) == 64
    x_range = ct["field_of_view_mm"][0]
    assert x_range[0] < -76 and x_range[1] > 75  # both hip bones are in the field of view
    listed = c.get(f"/api/v1/cases/{case_id}/ct").json()
    assert [s["id"] for s in listed] == [ct["id"]]
    again = upload(c, case_id, (shared_ct.name, shared_ct.read_bytes()))
    assert again.status_code == 409 and again.json()["ct_id"] == ct["id"]


def test_upload_dicom_files_and_zip(clients, case_id) -> None:
    folder = require_shared(SHARED_DICOM)
    slices = [(p.name, p.read_bytes()) for p in sorted(folder.iterdir()) if p.is_file()]
    c = clients["clinician"]
    r = upload(c, case_id, *slices)
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "dicom" and r.json()["n_files"] == len(slices)
    assert r.json()["shape"] == [512, 512, 20] and r.json()["orientation"] == "LPS"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in slices:
            zf.writestr(f"series/{name}", data)
        zf.writestr("__MACOSX/._x", b"junk")
    pid = c.get(f"/api/v1/cases/{case_id}").json()["patient_id"]
    other = c.post(f"/api/v1/patients/{pid}/cases", json={"molecular_findings": []}).json()["id"]
    r = upload(c, other, ("series.zip", buf.getvalue()))
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "dicom_zip" and r.json()["shape"] == [512, 512, 20]


def _zip(*members: tuple[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def test_upload_refuses_other_content(clients, case_id, settings) -> None:
    folder = require_shared(SHARED_DICOM)
    one_slice = next(p for p in sorted(folder.iterdir()) if p.is_file()).read_bytes()
    c = clients["clinician"]
    cases = {
        "text": [("notes.txt", b"not a CT at all")],
        "png": [("scan.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 400)],
        "empty": [("empty.nii", b"")],
        "fake gzip": [("ct.nii.gz", b"\x1f\x8b" + b"\0" * 100)],
        "zip of text": [("a.zip", _zip(("readme.txt", b"hello")))],
        "zip traversal": [("evil.zip", _zip(("../../evil.dcm", one_slice)))],
        "zip absolute": [("evil.zip", _zip(("/etc/evil.dcm", one_slice)))],
        "one slice": [("one.dcm", one_slice)],
        "dicom and text": [("a.dcm", one_slice), ("b.txt", b"text")],
    }
    for what, files in cases.items():
        r = upload(c, case_id, *files)
        assert r.status_code == 422, (what, r.text)
        assert r.json()["field"] == "file", (what, r.json())
    assert "unsafe path" in upload(c, case_id, *cases["zip traversal"]).json()["error"]
    assert c.get(f"/api/v1/cases/{case_id}/ct").json() == []
    # nothing written outside the imaging folder, no staging left behind
    assert not (settings.data_dir.parent / "evil.dcm").exists()
    assert not list((settings.data_dir / "imaging" / "ct").glob(".staging-*"))


def test_size_limits(tmp_path) -> None:
    from rareonco.errors import InvalidInput
    from rareonco.records.imaging.uploads import stage_ct

    with pytest.raises(InvalidInput, match="per file"):
        stage_ct(tmp_path, [("big.nii", io.BytesIO(b"\0" * 3000))], 2000, 10_000)
    bomb = _zip(("a.dcm", b"\0" * 200_000))  # compresses to a few hundred bytes
    with pytest.raises(InvalidInput, match="larger than the limit"):
        stage_ct(tmp_path, [("bomb.zip", io.BytesIO(bomb))], 100_000, 150_000)
    assert not list(tmp_path.glob(".staging-*"))


def test_plan_validation_names_the_field(clients, case_id, ct_id) -> None:
    c = clients["clinician"]
    url = f"/api/v1/cases/{case_id}/plans"
    good = {"ct_id": ct_id, "side": "left", "tumour_box_mm": LEFT_BOX, "margin_mm": 20}
    bad = {
        "side": {**good, "side": "up"},
        "tumour_box_mm": {**good, "tumour_box_mm": [1, 2, 3, 4, 5]},
        "margin_mm": {**good, "margin_mm": 150},
        "cuts": {**good, "cuts": [[0, 0, 0, 0, 0, 0]]},
    }
    for field, body in bad.items():
        r = c.post(url, json=body)
        assert r.status_code == 422 and r.json()["field"].startswith(field), (field, r.text)
    r = c.post(url, json={**good, "tumour_box_mm": [400, 0, 0, 450, 50, 50]})
    assert r.status_code == 422 and r.json()["field"] == "tumour_box_mm"
    assert "field of view" in r.json()["error"]
    r = c.post(url, json={**good, "tumour_box_mm": None})
    assert r.status_code == 422 and r.json()["field"] == "tumour_box_mm"
    r = c.post(url, json={**good, "ct_id": ct_id + 999})
    assert r.status_code == 422 and r.json()["field"] == "ct_id"
    assert c.get(f"/api/v1/cases/{case_id}/plans").json() == []


def test_plan_runs_to_done_with_files_and_timeline(clients, case_id, ct_id) -> None:
    c = clients["clinician"]
    r = c.post(f"/api/v1/cases/{case_id}/plans",
               json={"ct_id": ct_id, "side": "left", "tumour_box_mm": LEFT_BOX})
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "queued"
    job = wait_for(c, r.json()["id"])
    assert job["status"] == "done", job
    assert PlanJobOut.model_validate(job).model_dump(mode="json") == job
    res = job["result"]
    assert "I" in res["zones"] and res["resected_bone_ml"] > 10 and res["implant_ml"] > 10
    assert res["tumour"]["side_found"] == "left" and job["progress"] == 1.0
    names = {f["name"] for f in job["files"]}
    assert {"implant.stl", "resected.stl", "remaining.stl", "plan.json", "views.png",
            "report.pdf", "segmentation.nii.gz", "implant.3mf", "report.html"} == names
    for name in ("implant.stl", "resected.stl", "remaining.stl"):
        f = c.get(f"/api/v1/plans/{job['id']}/files/{name}")
        assert f.status_code == 200 and b"SPACE=RAS" in f.content[:80], name
        n_triangles = int.from_bytes(f.content[80:84], "little")
        assert len(f.content) == 84 + 50 * n_triangles > 84
    plan = c.get(f"/api/v1/plans/{job['id']}/files/plan.json").json()
    assert plan["frame"] == "RAS" and plan["side"] == "left"
    assert c.get(f"/api/v1/plans/{job['id']}/files/views.png").content.startswith(b"\x89PNG")
    assert c.get(f"/api/v1/plans/{job['id']}/files/secret.txt").status_code == 404
    assert c.get(f"/api/v1/plans/{job['id']}/files/..%2Fplan.json").status_code == 404
    timeline = c.get(f"/api/v1/cases/{case_id}").json()["timeline"]
    events = [e for e in timeline if e["kind"] == "resection_plan"]
    assert len(events) == 1 and events[0]["id"] == job["event_id"]
    assert events[0]["payload"]["zones"] == res["zones"]
    assert events[0]["payload"]["implant_ml"] == res["implant_ml"]
    assert "LEFT" in events[0]["summary"]

    # the symmetry plane is now known for this CT: the other side is refused at once
    r = c.post(f"/api/v1/cases/{case_id}/plans",
               json={"ct_id": ct_id, "side": "right", "tumour_box_mm": LEFT_BOX})
    assert r.status_code == 422 and r.json()["field"] == "side", r.text
    assert "LEFT" in r.json()["error"] and "RIGHT" in r.json()["error"]
    assert len(c.get(f"/api/v1/cases/{case_id}/plans").json()) == 1


def test_wrong_side_job_fails_naming_both_sides(clients, case_id, ct_id) -> None:
    c = clients["clinician"]
    r = c.post(f"/api/v1/cases/{case_id}/plans",
               json={"ct_id": ct_id, "side": "right", "tumour_box_mm": LEFT_BOX})
    assert r.status_code == 202, r.text
    job = wait_for(c, r.json()["id"])
    assert job["status"] == "failed" and job["error_field"] == "side", job
    assert "LEFT" in job["error"] and "RIGHT" in job["error"]
    assert job["files"] == [] and job["result"] is None
    timeline = c.get(f"/api/v1/cases/{case_id}").json()["timeline"]
    assert not [e for e in timeline if e["kind"] == "resection_plan"]
    assert c.get(f"/api/v1/plans/{job['id']}/files/plan.json").status_code == 404


@pytest.mark.parametrize("role", ["coordinator", "researcher", "auditor"])
def test_roles_without_clinical_access_get_403(clients, case_id, role) -> None:
    c = clients[role]
    assert c.get(f"/api/v1/cases/{case_id}/ct").status_code == 403
    assert upload(c, case_id, ("x.nii", b"x")).status_code == 403
    r = c.post(f"/api/v1/cases/{case_id}/plans",
               json={"ct_id": 1, "side": "left", "tumour_box_mm": LEFT_BOX})
    assert r.status_code == 403
    assert c.get(f"/api/v1/cases/{case_id}/plans").status_code == 403
    assert c.get("/api/v1/plans/1").status_code == 403
    assert c.get("/api/v1/plans/1/files/plan.json").status_code == 403


def test_admin_may_plan(clients, case_id, shared_ct) -> None:
    r = upload(clients["admin"], case_id, (shared_ct.name, shared_ct.read_bytes()))
    assert r.status_code == 201, r.text
    assert clients["admin"].get(f"/api/v1/cases/{case_id}/ct").status_code == 200


def test_plan_json_is_the_stored_summary(clients, case_id, ct_id) -> None:
    """Unknown plan ids are 404, not 500."""
    assert clients["clinician"].get("/api/v1/plans/999999").status_code == 404
    assert json.loads(clients["clinician"].get(
        f"/api/v1/cases/{case_id}/plans").content) == []
