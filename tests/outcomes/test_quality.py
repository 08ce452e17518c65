"""Registry data quality: missing, out of range and inconsistent values are listed, never fixed."""

from __future__ import annotations

import datetime as dt

from rareonco.outcomes.quality import check_record, quality_report
from rareonco.outcomes.registry_record import Event, RegistryRecord, Treatment, survival_time

D = dt.date
AS_OF = D(2026, 12, 1)


def _osteosarcoma(**kw: object) -> RegistryRecord:
    base: dict[str, object] = dict(
        key="p1", morphology="9180/3", topography="C41.4", diagnosis_date=D(2024, 1, 10),
        age_years=19, sex="male", country="UZ", last_contact=D(2026, 10, 1), margin="R0",
        huvos_grade=3, best_response="PR",
        treatments=(Treatment("chemotherapy", D(2024, 1, 20), D(2024, 4, 30)),
                    Treatment("surgery", D(2024, 5, 20), D(2024, 5, 20)),
                    Treatment("chemotherapy", D(2024, 6, 10), D(2024, 11, 1))),
        visits=(D(2025, 2, 1), D(2025, 5, 1)))
    base.update(kw)
    return RegistryRecord(**base)  # type: ignore[arg-type]


def _codes(r: RegistryRecord) -> set[tuple[str, str]]:
    return {(i.field, i.kind) for i in check_record(r, AS_OF)}


def test_a_complete_record_has_no_issue() -> None:
    assert check_record(_osteosarcoma(), AS_OF) == []


def test_missing_values_are_named() -> None:
    r = _osteosarcoma(morphology=None, sex="", last_contact=None)
    assert {("morphology", "missing"), ("sex", "missing"), ("last_contact", "missing")} <= _codes(r)
    msgs = {i.field: i.message_ru for i in check_record(r, AS_OF)}
    assert msgs["morphology"] == "не указано: морфология"


def test_out_of_range_values() -> None:
    r = _osteosarcoma(age_years=130, huvos_grade=5, margin="R3", best_response="good",
                      last_contact=D(2027, 1, 1))
    assert {("age_years", "out_of_range"), ("huvos_grade", "out_of_range"), ("margin", "out_of_range"),
            ("best_response", "out_of_range"), ("last_contact", "out_of_range")} <= _codes(r)


def test_the_issue_bad_inputs_are_inconsistencies() -> None:
    # a follow-up visit before treatment ended, death before a later visit, a relapse without a date
    r = _osteosarcoma(visits=(D(2024, 9, 1), D(2025, 8, 1)),
                      events=(Event("local_relapse", None), Event("death", D(2025, 6, 1))))
    codes = _codes(r)
    assert ("visits.0", "inconsistent") in codes  # before the end of treatment (2024-11-01)
    assert ("visits.1", "inconsistent") in codes  # after the death
    assert ("last_contact", "inconsistent") in codes  # 2026-10-01 after the death
    assert ("events.0.date", "missing") in codes


def test_dates_before_diagnosis_and_treatment_order() -> None:
    r = _osteosarcoma(events=(Event("metastasis", D(2023, 12, 1)),),
                      treatments=(Treatment("surgery", D(2024, 6, 1), D(2024, 5, 1)),
                                  Treatment("chemo", None)))
    codes = _codes(r)
    assert ("events.0.date", "inconsistent") in codes
    assert ("treatments.0.end", "inconsistent") in codes
    assert ("treatments.1.kind", "out_of_range") in codes and ("treatments.1.start", "missing") in codes


def test_two_deaths_and_an_event_after_death() -> None:
    r = _osteosarcoma(last_contact=D(2025, 1, 1), visits=(),
                      events=(Event("death", D(2025, 1, 1)), Event("death", D(2025, 2, 1)),
                              Event("relapse", D(2024, 12, 1))))
    codes = _codes(r)
    assert ("events", "inconsistent") in codes and ("events.1.date", "inconsistent") in codes
    assert ("events.2.kind", "out_of_range") in codes


def test_huvos_on_dsrct_and_margin_without_surgery() -> None:
    r = _osteosarcoma(morphology="8806/3", treatments=(Treatment("chemotherapy", D(2024, 1, 20)),))
    codes = _codes(r)
    assert ("huvos_grade", "inconsistent") in codes and ("margin", "inconsistent") in codes
    assert ("huvos_grade", "inconsistent") not in _codes(_osteosarcoma(morphology="9260/3"))


def test_report_counts_by_field_and_kind() -> None:
    issues, counts = quality_report([_osteosarcoma(), _osteosarcoma(key="p2", sex=None),
                                     _osteosarcoma(key="p3", sex=None, huvos_grade=9)], AS_OF)
    assert counts == {"huvos_grade:out_of_range": 1, "sex:missing": 2}
    assert {i.key for i in issues} == {"p2", "p3"}


def test_survival_times() -> None:
    r = _osteosarcoma(events=(Event("metastasis", D(2025, 1, 10)), Event("death", D(2026, 1, 10))))
    assert survival_time(r, "efs") == (366, 1)
    assert survival_time(r, "os") == (731, 1)
    alive = _osteosarcoma()
    assert survival_time(alive, "os") == ((D(2026, 10, 1) - D(2024, 1, 10)).days, 0)
    assert survival_time(_osteosarcoma(diagnosis_date=None), "os") is None
    assert survival_time(_osteosarcoma(last_contact=None), "efs") is None


def test_site_groups() -> None:
    from rareonco.outcomes.registry_record import site_group

    assert site_group("C41.4") == "pelvis" and site_group("c40.2") == "limb"
    assert site_group("C49.2") == "limb" and site_group("C48.1") == "peritoneum"
    assert site_group("C41.2") == "axial" and site_group("C34.1") == "other"
