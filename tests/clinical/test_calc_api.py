"""`POST /api/v1/calc/NAME` on a bare app with the platform's error handlers."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from rareonco.calc import get, run
from rareonco.calc.registry import CALCULATORS
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
        run("ctcae_lab", {"test": "platelets", "value": 80000, "lln": 10})
    assert err.value.field == "lln"
    assert run("ctcae_lab", {"test": "hemoglobin", "value": 9.5, "lln": 13.0})["grade"] == 2
