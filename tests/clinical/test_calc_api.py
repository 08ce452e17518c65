"""`POST /api/v1/calc/NAME` on a bare app with the platform's error handlers."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rareonco.calc import get, run
from rareonco.calc.catalogue import CALCULATORS
from rareonco.errors import InvalidInput, NotFound
from rareonco.web.api.calc import router
from rareonco.web.error_handlers import install_error_handlers


@pytest.fixture(scope="module")
def client():
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router, prefix="/api/v1")
    return TestClient(app)


@pytest.mark.parametrize("name", list(CALCULATORS))
def test_examples(client, name):
    res = client.post(f"/api/v1/calc/{name}", json=dict(CALCULATORS[name].example))
    assert res.status_code == 200, res.text
    assert res.json() == run(name, dict(CALCULATORS[name].example))


def test_pci(client):
    res = client.post("/api/v1/calc/pci", json={"regions": {str(r): 3 for r in range(13)}})
    assert res.json() == {"pci": 39}


@pytest.mark.parametrize(
    ("name", "body", "field"),
    [
        ("bsa", {"height_cm": 250, "weight_kg": 2}, "weight_kg"),
        ("bsa", {"height_cm": "x", "weight_kg": 60}, "height_cm"),
        ("cc", {"largest_residual_mm": -1}, "largest_residual_mm"),
        ("recist", {"baseline": {"date": "2024-01-01", "targets": []},
                    "followups": [{"date": "2024-02-01", "targets": {}, "non_target": "gone"}]},
         "followups.0.non_target"),
    ],
)
def test_422(client, name, body, field):
    res = client.post(f"/api/v1/calc/{name}", json=body)
    assert res.status_code == 422
    assert res.json()["field"] == field and res.json()["error"]


def test_unknown_and_listing(client):
    assert client.post("/api/v1/calc/nope", json={}).status_code == 404
    names = [c["name"] for c in client.get("/api/v1/calc/").json()]
    assert names == list(CALCULATORS)
    paths = client.get("/openapi.json").json()["paths"]
    assert "requestBody" in paths["/api/v1/calc/recist"]["post"]


def test_registry_direct():
    with pytest.raises(NotFound):
        get("nope")
    with pytest.raises(InvalidInput) as err:
        run("bsa", [1])
    assert err.value.field == "body"
    with pytest.raises(InvalidInput) as err:
        run("ctcae_lab", {"platelets_10e9_l": 80, "lln": 10})
    assert err.value.field == "lln"
    assert run("ctcae_lab", {"hb_g_dl": 9.5, "lln": 13.0})["grade"] == 2
    # Counts in x 10^9/L (unit in the field name): ANC 0.8 is grade 3 (CTCAE v5.0: <1.0-0.5).
    assert run("ctcae_lab", {"anc_10e9_l": 0.8})["grade"] == 3
    assert run("ctcae_lab", {"platelets_10e9_l": 24})["grade"] == 4
    for bad in ({}, {"anc_10e9_l": 0.8, "hb_g_dl": 9.0}):
        with pytest.raises(InvalidInput) as err:
            run("ctcae_lab", bad)
        assert err.value.field == "anc_10e9_l"
    with pytest.raises(InvalidInput) as err:
        run("ctcae_lab", {"test": "neutrophils", "value": 800})  # the old /mm3 form is refused
    assert err.value.field == "test"


def test_calvert_reports_the_cap():
    res = run("calvert", {"target_auc": 6, "gfr_ml_min": 250})
    assert res == {"dose_mg": 900.0, "gfr_used_ml_min": 125.0, "gfr_cap_ml_min": 125.0,
                   "cap_applied": True}
    assert run("calvert", {"target_auc": 6, "gfr_ml_min": 250, "gfr_cap_ml_min": None})["dose_mg"] == 1650.0


def test_egfr_calculator_methods():
    adult = run("egfr", {"method": "ckd_epi_2021", "creatinine": 88.42, "creatinine_unit": "umol_l",
                         "age_years": 50, "sex": "female"})
    assert adult["egfr_ml_min_173m2"] == round(142 * (1 / 0.7) ** -1.2 * 0.9938**50 * 1.012, 1)
    child = run("egfr", {"method": "auto", "creatinine": 0.5, "creatinine_unit": "mg_dl",
                         "age_years": 12, "height_cm": 140})
    assert (child["method"], child["egfr_ml_min_173m2"]) == ("schwartz_bedside", 115.6)
    sch = run("egfr", {"method": "schwartz_bedside", "creatinine": 0.5, "creatinine_unit": "mg_dl",
                       "height_cm": 140})
    assert sch["egfr_ml_min_173m2"] == 115.6
    cg = run("egfr", {"method": "cockcroft_gault", "creatinine": 1.0, "creatinine_unit": "mg_dl",
                      "age_years": 40, "weight_kg": 70, "sex": "female"})
    assert cg["crcl_ml_min"] == round(100 * 70 / 72 * 0.85, 1) and cg["unit"] == "mL/min"
    with pytest.raises(InvalidInput) as err:
        run("egfr", {"method": "ckd_epi_2021", "creatinine": 1.0, "creatinine_unit": "mg_dl", "sex": "male"})
    assert err.value.field == "age_years"
    with pytest.raises(InvalidInput) as err:
        run("egfr", {"creatinine": 1.0, "creatinine_unit": "mmol_l", "age_years": 30})
    assert err.value.field == "creatinine_unit"


def test_mtx_level_calculator():
    res = run("mtx_level", {"levels": [{"hours_from_start": 24, "level_um": 60},
                                       {"hours_from_start": 42, "level_um": 12}],
                            "creatinine_x_baseline": 1.8, "urine_ph": 6.5,
                            "co_medications": ["Bactrim", "ondansetron"]})
    assert res["delayed_elimination"] and res["leucovorin"]["dose_mg"] == 150
    assert res["glucarpidase"]["indicated"] is True and res["urine_ph_ready"] is False
    assert res["interacting_drugs"] == [{"drug": "co-trimoxazole",
                                         "class": "co-trimoxazole (sulfonamide antibacterial)"}]
    assert res["not_checked"] == ["ondansetron"]
    assert res["levels"][0]["expected_max_um"] == 10.0
