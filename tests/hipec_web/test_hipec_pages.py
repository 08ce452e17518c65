"""HIPEC pages with a browser session: the list and procedure pages in English and Russian."""

from __future__ import annotations

import json
import re

import pytest

from ..conftest import browser_session as _login

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)




def test_pages_speak_russian(app, case_id, procedure) -> None:
    c, csrf = _login(app)
    base = f"/cases/{case_id}/hipec"
    en = c.get(base).text
    assert "HIPEC procedures" in en and "Record a procedure" in en
    c.post("/locale", data={"lang": "ru", "next": "/", "csrf_token": csrf})
    ru = c.get(base).text
    assert "Процедуры ГИПЕК" in ru and "Записать процедуру" in ru and "запланировано" in ru
    dose = procedure["drugs"][0]["dose_mg"]
    assert f"цисплатин 100 мг/м² = {dose:g} мг" in ru  # the drug and the units in Russian
    page = c.get(f"{base}/{procedure['id']}").text
    assert "Перфузия" in page and "Тревоги" in page and "Завершить перфузию" in page
    config = json.loads(re.search(r'id="hipec-config">(.*?)</script>', page).group(1))
    assert config["ackLabel"] == "Подтвердить"
    assert config["labels"]["alarm"]["over_temperature"] == "перегрев"
    assert config["labels"]["probes"]["ip_pelvis"] == "малый таз" and config["labels"]["lang"] == "ru"
    frag = c.get(f"{base}/{procedure['id']}/analysis").text
    assert "Данных перфузии пока нет." in frag and "Протокол не импортировался." in page


CSV = ("time_s,inflow_c,outflow_c,ip_upper_c,ip_pelvis_c,pressure_mmhg,flow_l_min\n"
       + "".join(f"{t},44.0,43.0,42.4,42.3,12,1.2\n" for t in range(5))
       + "abc,44.0,43.0,42.4,42.3,12,1.2\n"
       + "".join(f"{t},44.1,43.1,42.5,42.4,12,1.2\n" for t in range(5, 12)))


def test_csv_import_shows_and_keeps_its_findings(app, clients, case_id, procedure) -> None:
    c, csrf = _login(app)
    page_url = f"/cases/{case_id}/hipec/{procedure['id']}"
    assert "No log imported." in c.get(page_url).text
    r = c.post(f"{page_url}/import", data={"csrf_token": csrf},
               files={"file": ("pump-export.csv", CSV.encode(), "text/csv")},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    page = c.get(page_url).text
    section = page[page.index('data-testid="hipec-imports"'):]
    assert "pump-export.csv" in section and "12 samples" in section
    assert "2 data-quality findings" in section
    assert "column(s) ignored: pressure_mmhg" in section and "unreadable time_s" in section

    stored = clients["clinician"].get(f"/api/v1{page_url}/imports").json()
    assert len(stored) == 1 and stored[0]["n_samples"] == 12 and stored[0]["imported_by"] == "clinician"
    assert any("pressure_mmhg" in f["issue"] for f in stored[0]["data_quality"])

    again = c.post(f"{page_url}/import", data={"csrf_token": csrf},
                   files={"file": ("pump-export.csv", CSV.encode(), "text/csv")})
    assert again.status_code == 409 and 'data-testid="import-error"' in again.text
    bad = c.post(f"{page_url}/import", data={"csrf_token": csrf},
                 files={"file": ("notes.csv", b"hello,world\n1,2\n", "text/csv")})
    assert bad.status_code == 422 and 'data-testid="import-error"' in bad.text
    assert len(clients["clinician"].get(f"/api/v1{page_url}/imports").json()) == 1
    forged = c.post(f"{page_url}/import",
                    files={"file": ("pump-export.csv", CSV.encode(), "text/csv")})
    assert forged.status_code == 403


def test_the_form_refuses_in_russian_beside_the_field(app, case_id) -> None:
    """Issue 18: a validation error on the procedure form is in the user's language, the field
    named by its label and the reason shown beside the field."""
    c, csrf = _login(app)
    c.post("/locale", data={"lang": "ru", "next": "/", "csrf_token": csrf})
    form = {"csrf_token": csrf, "procedure_date": "2026-05-20", "technique": "closed",
            "drug": "cisplatin", "dose_mg_m2": "100", "height_cm": "", "weight_kg": "68",
            "carrier_solution": "0.9% NaCl", "carrier_volume_ml": "4500",
            "target_low_c": "42", "target_high_c": "43", "planned_duration_min": "60",
            "probes": "inflow, outflow"}
    r = c.post(f"/cases/{case_id}/hipec", data=form)
    assert r.status_code == 422
    assert 'role="alert">Рост, см: обязательное поле<' in r.text
    assert 'data-field="height_cm">обязательное поле<' in r.text
    r = c.post(f"/cases/{case_id}/hipec", data={**form, "height_cm": "178", "pci": "45"})
    assert r.status_code == 422 and "(PCI, 0–39): должно быть в пределах 0–39, получено 45" in r.text
    assert 'data-field="pci"' in r.text


def test_a_dose_refusal_in_russian(app, clients, case_id) -> None:
    """The perfusion dose check speaks the page's language, its request for a reason too; the
    API keeps English."""
    c, csrf = _login(app)
    c.post("/locale", data={"lang": "ru", "next": "/", "csrf_token": csrf})
    form = {"csrf_token": csrf, "procedure_date": "2026-05-20", "technique": "closed",
            "drug": "cisplatin", "dose_mg_m2": "130", "height_cm": "178", "weight_kg": "68",
            "carrier_solution": "0.9% NaCl", "carrier_volume_ml": "4500",
            "target_low_c": "42", "target_high_c": "43", "planned_duration_min": "60",
            "probes": "inflow, outflow"}
    r = c.post(f"/cases/{case_id}/hipec", data=form)
    assert r.status_code == 422
    alert = re.search(r'role="alert">([^<]+)<', r.text).group(1)  # type: ignore[union-attr]  # the page holds the match
    assert "укажите клиническое обоснование этой дозы" in alert and "мг" in alert, alert
    assert not re.search(r"[A-Za-z]{4,}", alert.replace("cisplatin", "")), alert
    api = clients["clinician"].post(f"/api/v1/cases/{case_id}/hipec", json={
        "procedure_date": "2026-05-20", "technique": "closed", "height_cm": 178, "weight_kg": 68,
        "drugs": [{"drug": "cisplatin", "dose_mg_m2": 130}], "carrier_solution": "0.9% NaCl",
        "carrier_volume_ml": 4500})
    assert api.status_code == 422 and "give the clinical reason" in api.json()["error"]
