"""Follow-up schedules (ESMO-EURACAN-GENTURIS 2021) and the ICD-O-3.2 code lists."""

import datetime as dt

import pytest

from rareonco.clinical.codes import (
    all_morphologies,
    all_topographies,
    fusions_for,
    lookup_morphology,
    lookup_topography,
)
from rareonco.clinical.followup import add_months, followup_schedule
from rareonco.errors import InvalidInput

END = dt.date(2024, 1, 31)


def test_bone_schedule():
    visits = followup_schedule(END, "bone")
    months = [v.months_after_treatment for v in visits]
    assert months[:8] == [3, 6, 9, 12, 15, 18, 21, 24]
    assert months[8:14] == [30, 36, 42, 48, 54, 60]
    assert months[14:] == [72, 84, 96, 108, 120]
    assert visits[0].date == dt.date(2024, 4, 30)
    assert visits[1].date == dt.date(2024, 7, 31)
    assert any("chest" in i for i in visits[0].imaging)


def test_soft_tissue_schedule_and_late_interval():
    months = [v.months_after_treatment for v in followup_schedule(END, "soft_tissue", years=6,
                                                                  late_interval_months=6)]
    assert months == [3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 42, 48, 54, 60, 66, 72]


def test_short_horizon():
    assert [v.months_after_treatment for v in followup_schedule(END, "bone", years=1)] == [3, 6, 9, 12]


def test_add_months_clamps_day():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2023, 11, 30), 3) == dt.date(2024, 2, 29)


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        (("2024-01-01", "bone"), {}, "end_of_treatment"),
        ((END, "cartilage"), {}, "kind"),
        ((END, "bone"), {"years": 0}, "years"),
        ((END, "bone"), {"late_interval_months": 9}, "late_interval_months"),
    ],
)
def test_followup_rejects(args, kwargs, field):
    with pytest.raises(InvalidInput) as err:
        followup_schedule(*args, **kwargs)
    assert err.value.field == field


def test_required_morphologies_and_fusions():
    assert lookup_morphology("9180/3").label_en == "Osteosarcoma, NOS"
    assert lookup_morphology("8806/3").label_ru.startswith("Десмопластическая")
    assert "EWSR1-WT1" in fusions_for("8806/3")
    assert fusions_for("9364/3")[:2] == ("EWSR1-FLI1", "EWSR1-ERG")
    assert {"SS18-SSX1", "SS18-SSX2"} <= set(fusions_for("9040/3"))
    assert "CIC-DUX4" in fusions_for("9367/3")
    assert fusions_for("9180/3") == ()
    codes = {m.code for m in all_morphologies()}
    assert {f"918{i}/3" for i in range(8)} | {"9192/3", "9193/3", "9194/3", "9370/3"} <= codes
    assert all(m.label_en and m.label_ru and m.code.endswith("/3") for m in all_morphologies())


def test_topographies_complete():
    codes = {t.code for t in all_topographies()}
    expected = ({f"C40.{i}" for i in (0, 1, 2, 3, 8, 9)} | {f"C41.{i}" for i in (0, 1, 2, 3, 4, 8, 9)}
                | {f"C47.{i}" for i in (0, 1, 2, 3, 4, 5, 6, 8, 9)} | {"C48.0", "C48.1", "C48.2", "C48.8"}
                | {f"C49.{i}" for i in (0, 1, 2, 3, 4, 5, 6, 8, 9)})
    assert codes == expected
    assert lookup_topography("c48.1").code == "C48.1"


@pytest.mark.parametrize("code", ["9999/3", "918/3", None])
def test_unknown_codes(code):
    with pytest.raises(InvalidInput):
        fusions_for(code)
    with pytest.raises(InvalidInput):
        lookup_topography("C99.9" if code else None)


@pytest.mark.parametrize(
    "text",
    [
        'morphology: [{code: "9180/3", en: a, ru: b}, {code: "9180/3", en: a, ru: b}]\ntopography: []',
        'morphology: [{code: "91803", en: a, ru: b}]\ntopography: []',
        'morphology: []\ntopography: [{code: "C41.4", en: a, ru: b}, {code: "C41.4", en: a, ru: b}]',
        'morphology: []\ntopography: [{code: "41.4", en: a, ru: b}]',
    ],
)
def test_bad_code_lists_are_refused(text):
    from rareonco.clinical.codes._lists import _parse

    with pytest.raises(ValueError, match=r"icdo3\.yaml"):
        _parse(text)
