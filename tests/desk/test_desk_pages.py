"""The public inquiry form and the desk pages in HTML."""

from __future__ import annotations

from .conftest import PDF

FORM = {"family_name": "Шарипов", "given_names": "Рустам", "birth_date": "2005-08-21",
        "sex": "male", "citizenship": "TJ", "residence_country": "TJ",
        "preferred_language": "ru", "email": "r@example.org",
        "diagnosis_text": "Osteosarcoma of the femur", "consent": "1"}


def test_public_form_in_three_languages(anon) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    assert "Inquiry for treatment" in anon.get("/inquiry").text
    anon.cookies.set("rareonco_lang", "ru")
    assert "Обращение на лечение" in anon.get("/inquiry").text
    anon.cookies.set("rareonco_lang", "uz")
    page = anon.get("/inquiry").text
    assert "Davolanish uchun murojaat" in page and "Oʻzbekcha" in page


def test_public_form_submit_consent_honeypot_and_rate(anon) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    files = [("files", ("biopsy.pdf", PDF, "application/pdf"))]
    r = anon.post("/inquiry", data={**FORM, "consent": ""}, files=files)
    assert r.status_code == 422 and 'data-field="consent"' in r.text
    r = anon.post("/inquiry", data={**FORM, "website": "http://spam"}, files=files)
    assert r.status_code == 200 and "inquiry-reference" not in r.text  # robots get nothing
    r = anon.post("/inquiry", data=FORM, files=[("files", ("a.pdf", b"GIF89a", "image/gif"))])
    assert r.status_code == 422 and "unsupported file type" in r.text
    assert 'value="Шарипов"' in r.text  # what was typed is kept
    for _ in range(4):
        r = anon.post("/inquiry", data=FORM, files=files)
        assert r.status_code == 200 and 'data-testid="inquiry-reference"' in r.text
    r = anon.post("/inquiry", data=FORM, files=files)
    assert r.status_code == 429 and "too many inquiries" in r.text


def test_dashboard_and_inquiry_page(anon, app) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    import re

    from fastapi.testclient import TestClient

    anon.post("/inquiry", data=FORM, files=[("files", ("biopsy.pdf", PDF, "application/pdf"))])
    b = TestClient(app)
    b.post("/login", data={"username": "coordinator", "password": "correct-horse-42"})
    page = b.get("/desk", headers={"accept": "text/html"}).text
    assert "Tajikistan" in page and "INQ-" in page
    link = re.search(r'href="(/desk/inquiries/\d+)"', page).group(1)  # type: ignore[union-attr]  # the page holds the match
    page = b.get(link, headers={"accept": "text/html"}).text
    assert "biopsy.pdf" in page and "Assign a specialist" in page
    assert 'data-testid="opinion-form"' not in page  # the desk does not write opinions
