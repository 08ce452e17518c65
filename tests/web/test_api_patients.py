"""Patients through the API: validation, duplicates, versions, search, roles, audit."""

from sqlalchemy import select

from rareonco.store.tables.audit import AuditEntry


def test_register_read_and_audit(clients, patient_body, db) -> None:
    r = clients["coordinator"].post("/api/v1/patients", json=patient_body())
    assert r.status_code == 201, r.text
    p = r.json()
    assert p["family_name_latin"] == "Rakhimov" and p["given_names_latin"] == "Aziz"
    assert p["mrn"].startswith("RO-") and p["version"] == 1
    r = clients["clinician"].get(f"/api/v1/patients/{p['id']}")
    assert r.status_code == 200 and r.json()["passport_number"] == "FA7654321"
    with db.session() as s:
        rows = s.scalars(select(AuditEntry).where(
            AuditEntry.resource == f"patient/{p['id']}")).all()
    assert [(e.username, e.action) for e in rows] == [("coordinator", "create"),
                                                      ("clinician", "read")]
    assert all(e.client for e in rows)


def test_validation_names_each_field(clients, patient_body) -> None:
    body = patient_body(birth_date="2999-01-01", citizenship="XX", sex="m")
    body.pop("preferred_language")
    r = clients["clinician"].post("/api/v1/patients", json=body)
    assert r.status_code == 422
    fields = {d["field"]: d["reason"] for d in r.json()["detail"]}
    assert "future" in fields["birth_date"]
    assert "country code" in fields["citizenship"]
    assert set(fields) >= {"sex", "preferred_language"}
    r = clients["clinician"].post("/api/v1/patients", json=patient_body(birth_date="31.02.2007"))
    assert r.status_code == 422 and r.json()["field"] == "birth_date"
    r = clients["clinician"].post("/api/v1/patients", content="not json",
                                  headers={"content-type": "text/plain"})
    assert r.status_code == 422


def test_duplicate_identifier_is_refused_and_first_kept(clients, patient_body) -> None:
    c = clients["coordinator"]
    assert c.post("/api/v1/patients", json=patient_body()).status_code == 201
    r = c.post("/api/v1/patients", json=patient_body(family_name="Другой"))
    assert r.status_code == 409  # the matcher first: same passport, given name, birth date
    assert r.json()["field"] == "identity" and r.json()["decision"] == "review"
    r = c.post("/api/v1/patients", json=patient_body(family_name="Другой", confirm_new=True,
                                                     confirm_reason="a namesake"))
    assert r.status_code == 409  # a new person still cannot hold a passport on file
    assert r.json()["field"] == "passport_number"
    assert c.get("/api/v1/patients").json()["total"] == 1


def test_stale_version_is_refused_and_overwrites_nothing(clients, patient_body) -> None:
    c = clients["coordinator"]
    pid = c.post("/api/v1/patients", json=patient_body()).json()["id"]
    r = c.patch(f"/api/v1/patients/{pid}", json={"version": 1, "phone": "+998 1"})
    assert r.status_code == 200 and r.json()["version"] == 2
    r = c.patch(f"/api/v1/patients/{pid}", json={"version": 1, "phone": "+998 2"})
    assert r.status_code == 409
    assert c.get(f"/api/v1/patients/{pid}").json()["phone"] == "+998 1"


def test_search_in_either_script_and_filters(clients, patient_body) -> None:
    c = clients["clinician"]
    c.post("/api/v1/patients", json=patient_body())
    c.post("/api/v1/patients", json=patient_body(
        family_name="Волков", given_names="Дмитрий", citizenship="RU", residence_country="RU",
        passport_number=None))
    assert [p["family_name"] for p in c.get("/api/v1/patients?q=волк").json()["items"]] == [
        "Волков"]
    assert [p["family_name"] for p in c.get("/api/v1/patients?q=Volk").json()["items"]] == [
        "Волков"]
    assert c.get("/api/v1/patients?q=rakhimov aziz").json()["total"] == 1
    assert c.get("/api/v1/patients?country=UZ").json()["total"] == 1
    assert c.get("/api/v1/patients?country=ZZZ").status_code == 422
    page = c.get("/api/v1/patients?per_page=1&page=2").json()
    assert page["total"] == 2 and len(page["items"]) == 1


def test_roles(clients, anon, patient_body) -> None:
    pid = clients["coordinator"].post("/api/v1/patients", json=patient_body()).json()["id"]
    assert anon.get("/api/v1/patients").status_code == 401
    assert clients["auditor"].get(f"/api/v1/patients/{pid}").status_code == 403
    assert clients["researcher"].post("/api/v1/patients", json=patient_body()).status_code == 403
    view = clients["researcher"].get(f"/api/v1/patients/{pid}").json()
    assert view["deidentified"] and "family_name" not in view and "passport_number" not in view
    assert view["birth_year"] == 2007
    assert clients["researcher"].get("/api/v1/patients?q=rakh").status_code == 422
    bad = anon.get("/api/v1/patients", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_search_by_mrn_and_paging_in_name_order(clients, patient_body) -> None:
    c = clients["clinician"]
    for i, (fam, giv) in enumerate([("Петров", "Юрий"), ("Петрова", "Анна"), ("Петров", "Антон")]):
        c.post("/api/v1/patients", json=patient_body(  # siblings born the same day: confirmed
            family_name=fam, given_names=giv, passport_number=f"PP{i}", confirm_new=True,
            confirm_reason="twins"))
    names = [(p["family_name_latin"], p["given_names_latin"]) for p in
             c.get("/api/v1/patients?q=petr&per_page=2").json()["items"]]
    assert names == [("Petrov", "Anton"), ("Petrov", "Iurii")]
    page2 = c.get("/api/v1/patients?q=petr&per_page=2&page=2").json()
    assert page2["total"] == 3 and [p["given_names_latin"] for p in page2["items"]] == ["Anna"]
    mrn = c.get("/api/v1/patients?q=petrova").json()["items"][0]["mrn"]
    found = c.get(f"/api/v1/patients?q={mrn.lower()}").json()
    assert found["total"] == 1 and found["items"][0]["family_name"] == "Петрова"
    assert c.get("/api/v1/patients?q=petr anton").json()["total"] == 1
