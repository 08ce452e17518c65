"""The CT planning pages with a browser session: upload, refusals shown on the page, roles."""

from __future__ import annotations

import re

from ..conftest import browser_session as _login
from .conftest import LEFT_BOX


def test_upload_and_plan_form_errors(app, case_id, shared_ct) -> None:
    c, csrf = _login(app)
    page = c.get(f"/cases/{case_id}/imaging")
    assert page.status_code == 200 and "No CT attached" in page.text
    r = c.post(f"/cases/{case_id}/imaging/ct", data={"csrf_token": csrf},
               files=[("files", ("notes.txt", b"hello", "text/plain"))])
    assert r.status_code == 422 and 'data-testid="upload-error"' in r.text
    assert "notes.txt" in r.text
    r = c.post(f"/cases/{case_id}/imaging/ct", data={"csrf_token": csrf},
               files=[("files", (shared_ct.name, shared_ct.read_bytes(), "application/gzip"))],
               follow_redirects=False)
    assert r.status_code == 303, r.text
    page = c.get(f"/cases/{case_id}/imaging").text
    assert "122 × 101 × 112" in page and 'id="plan-create"' in page
    ct_id = re.search(r'data-ct-id="(\d+)"', page).group(1)
    form = {"csrf_token": csrf, "ct_id": ct_id, "side": "left", "margin_mm": "20",
            "tumour_box": "1, 2, 3"}
    r = c.post(f"/cases/{case_id}/imaging/plans", data=form)
    assert r.status_code == 422 and 'data-testid="plan-error"' in r.text
    assert "expected 6 numbers" in r.text and 'value="1, 2, 3"' in r.text
    r = c.post(f"/cases/{case_id}/imaging/plans",
               data={**form, "tumour_box": "400, 0, 0, 450, 50, 50"})
    assert r.status_code == 422 and "field of view" in r.text
    r = c.post(f"/cases/{case_id}/imaging/plans",
               data={**form, "side": "up", "tumour_box": ",".join(map(str, LEFT_BOX))})
    assert r.status_code == 422 and "plan-error" in r.text
    assert c.get(f"/api/v1/cases/{case_id}/plans").json() == []


def test_coordinator_cannot_open_the_page(app, case_id) -> None:
    c, _ = _login(app, "coordinator")
    r = c.get(f"/cases/{case_id}/imaging", headers={"accept": "text/html"})
    assert r.status_code == 403


def test_progress_fragment_polls_then_reloads(app, db, case_id) -> None:
    from rareonco.store.tables.imaging import ImagingStudy, PlanJob

    with db.session() as session:
        ct = ImagingStudy(case_id=case_id, kind="nifti", filename="ct.nii.gz", size_bytes=1,
                          sha256="1" * 64, storage_path="imaging/ct/x/ct.nii.gz",
                          shape=[2, 2, 2], spacing_mm=[1, 1, 1], orientation="RAS",
                          affine=[[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
        session.add(ct)
        session.flush()
        job = PlanJob(case_id=case_id, ct_id=ct.id, side="left", status="running",
                      stage="segment", progress=0.41, tumour_box_mm=LEFT_BOX)
        session.add(job)
        session.flush()
        job_id = job.id
    c, _ = _login(app)
    url = f"/cases/{case_id}/imaging/plans/{job_id}"
    page = c.get(url).text
    assert 'hx-trigger="every 1s"' in page and "segment" in page
    r = c.get(url + "/progress")
    assert r.status_code == 200 and "HX-Refresh" not in r.headers and "41 %" in r.text
    with db.session() as session:
        row = session.get(PlanJob, job_id)
        row.status, row.error, row.error_field = "failed", "tumour lies on the patient's LEFT", "side"
    r = c.get(url + "/progress")
    assert r.headers["HX-Refresh"] == "true" and "every 1s" not in r.text
    page = c.get(url).text
    assert 'data-testid="plan-error"' in page and "patient&#39;s LEFT" in page
    assert c.get(f"/cases/{case_id + 1}/imaging/plans/{job_id}/progress").status_code in (403, 404)


def test_page_speaks_russian(app, case_id) -> None:
    c, csrf = _login(app)
    c.post("/locale", data={"lang": "ru", "next": "/", "csrf_token": csrf})
    page = c.get(f"/cases/{case_id}/imaging").text
    assert "Планирование по КТ: резекция таза и имплант" in page
    assert "К случаю не прикреплено ни одного КТ." in page and "Загрузить КТ" in page
