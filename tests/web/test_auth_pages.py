"""Browser sessions: HttpOnly SameSite cookie, CSRF on state changes, redirects to login."""

import re

from fastapi.testclient import TestClient


def _login(app, username: str = "clinician") -> tuple[TestClient, str]:
    c = TestClient(app)
    r = c.post("/login", data={"username": username, "password": "correct-horse-42",
                               "next": "/"}, follow_redirects=False)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    page = c.get("/").text
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page).group(1)
    return c, csrf


def test_pages_need_login(anon) -> None:
    r = anon.get("/", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_wrong_password_shows_error(anon) -> None:
    r = anon.post("/login", data={"username": "clinician", "password": "nope"})
    assert r.status_code == 401 and "wrong username or password" in r.text


def test_state_change_needs_csrf_token(app, clients, patient_body) -> None:
    pid = clients["clinician"].post("/api/v1/patients", json=patient_body()).json()["id"]
    cid = clients["clinician"].post(f"/api/v1/patients/{pid}/cases", json={}).json()["id"]
    c, csrf = _login(app)
    r = c.post(f"/cases/{cid}/transition", data={"to": "remote_review"})
    assert r.status_code == 403
    r = c.post(f"/cases/{cid}/transition", data={"to": "remote_review"},
               headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and "remote review" in r.text
    r = c.post(f"/cases/{cid}/transition", data={"to": "in_treatment"},
               headers={"X-CSRF-Token": csrf})
    assert "allowed next" in r.text


def test_intake_form_keeps_values_on_error(app) -> None:
    c, csrf = _login(app, "coordinator")
    form = {"csrf_token": csrf, "family_name": "Каримова", "given_names": "Дилноза",
            "sex": "female", "birth_date": "2099-01-01", "citizenship": "UZ",
            "residence_country": "UZ", "preferred_language": "uz",
            "referring_institution": "Samarkand Regional Oncology", "referral_country": "UZ",
            "referral_date": "2026-11-01", "reason": "pelvic mass"}
    r = c.post("/intake", data=form)
    assert r.status_code == 422 and "in the future" in r.text and "Каримова" in r.text
    form["birth_date"] = "2001-05-05"
    r = c.post("/intake", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/cases/")
    assert "Karimova" in c.get(r.headers["location"]).text
