"""PCI/CC, Huvos, Enneking-Dunham, margins, Clavien-Dindo, MSTS, AJCC pelvis T, Enneking stage,
CTCAE v5."""

import pytest

from rareonco.clinical.ctcae import (
    AdverseEvent,
    grade_anemia,
    grade_neutrophils,
    grade_platelets,
)
from rareonco.clinical.pathology import HuvosGrade, huvos_grade
from rareonco.clinical.peritoneal import (
    REGIONS,
    completeness_of_cytoreduction,
    lesion_size_score,
    pci,
)
from rareonco.clinical.scores import MstsScore, msts_score
from rareonco.clinical.staging import ajcc8_pelvis_t, enneking_stage
from rareonco.clinical.surgery import (
    clavien_dindo,
    enneking_dunham_type,
    enneking_margin,
    residual_tumour,
)
from rareonco.errors import InvalidInput


def raises_on(field, fn, *args, **kwargs):
    with pytest.raises(InvalidInput) as err:
        fn(*args, **kwargs)
    assert err.value.field == field


# ---------------------------------------------------------------- PCI and CC
def test_pci_range():
    assert len(REGIONS) == 13
    assert pci({r: 0 for r in range(13)}) == 0
    assert pci({str(r): 3 for r in range(13)}) == 39
    assert pci({**{str(r): 0 for r in range(13)}, "6": 3, "0": 2}) == 5


@pytest.mark.parametrize(
    ("regions", "field"),
    [
        ({str(r): 0 for r in range(12)}, "regions.12"),
        ({**{str(r): 0 for r in range(13)}, "13": 1}, "regions.13"),
        ({**{str(r): 0 for r in range(13)}, "x": 1}, "regions.x"),
        ({**{str(r): 0 for r in range(13)}, "06": 1}, "regions.06"),
        ({**{str(r): 0 for r in range(13)}, 6: 1}, "regions.6"),
        ({**{str(r): 0 for r in range(13)}, "5": 4}, "regions.5"),
        ({**{str(r): 0 for r in range(13)}, "5": -1}, "regions.5"),
        ({**{str(r): 0 for r in range(13)}, "5": 1.5}, "regions.5"),
        ({**{str(r): 0 for r in range(13)}, "5": True}, "regions.5"),
        ({**{str(r): 0 for r in range(13)}, None: 1}, "regions.None"),
    ],
)
def test_pci_rejects(regions, field):
    raises_on(field, pci, regions)


@pytest.mark.parametrize(
    ("mm", "confluent", "score"),
    [(0, False, 0), (0.1, False, 1), (5.0, False, 1), (5.1, False, 2), (50.0, False, 2),
     (50.1, False, 3), (1.0, True, 3)],
)
def test_lesion_size(mm, confluent, score):
    assert lesion_size_score(mm, confluent=confluent) == score


@pytest.mark.parametrize(
    ("mm", "confluent", "cc"),
    [(0, False, "CC-0"), (2.4, False, "CC-1"), (2.5, False, "CC-2"), (25.0, False, "CC-2"),
     (25.1, False, "CC-3"), (1.0, True, "CC-3")],
)
def test_cc(mm, confluent, cc):
    assert completeness_of_cytoreduction(mm, confluent=confluent) == cc


def test_negative_sizes_rejected():
    raises_on("largest_residual_mm", completeness_of_cytoreduction, -1)
    raises_on("largest_mm", lesion_size_score, -0.1)
    raises_on("largest_mm", lesion_size_score, "big")
    raises_on("largest_residual_mm", completeness_of_cytoreduction, float("inf"))


# ---------------------------------------------------------------- Huvos
@pytest.mark.parametrize(
    ("pct", "grade", "good"),
    [(0, "I", False), (49.9, "I", False), (50, "II", False), (89.9, "II", False), (90, "III", True),
     (99.9, "III", True), (100, "IV", True)],
)
def test_huvos(pct, grade, good):
    assert huvos_grade(pct) == HuvosGrade(grade, good)


def test_huvos_rejects():
    raises_on("necrosis_pct", huvos_grade, 101)
    raises_on("necrosis_pct", huvos_grade, -1)


# ---------------------------------------------------------------- surgery
@pytest.mark.parametrize(
    ("zones", "expected"),
    [(["I", "IV"], "I+IV"), (["IV", "I"], "I+IV"), (["ii", "I"], "I+II"), (["III"], "III"),
     (["I", "II", "III"], "I+II+III"), ("I+IV", "I+IV"), ("II,III", "II+III")],
)
def test_enneking_dunham(zones, expected):
    assert enneking_dunham_type(zones) == expected


def test_enneking_dunham_rejects():
    raises_on("zones.1", enneking_dunham_type, ["I", "V"])
    raises_on("zones", enneking_dunham_type, [])


def test_margins_and_r():
    assert [enneking_margin(p) for p in
            ("within_lesion", "reactive_zone", "normal_tissue", "extracompartmental")] == [
        "intralesional", "marginal", "wide", "radical"]
    raises_on("plane", enneking_margin, "somewhere")
    assert residual_tumour(microscopic=False, macroscopic=False) == "R0"
    assert residual_tumour(microscopic=True, macroscopic=False) == "R1"
    assert residual_tumour(microscopic=False, macroscopic=True) == "R2"
    assert residual_tumour(microscopic=True, macroscopic=True) == "R2"
    raises_on("microscopic", residual_tumour, microscopic="yes", macroscopic=False)


@pytest.mark.parametrize(
    ("kwargs", "label"),
    [
        ({}, "I"),
        ({"treatment": "pharmacological"}, "II"),
        ({"treatment": "intervention_local"}, "IIIa"),
        ({"treatment": "intervention_general", "disability_at_discharge": True}, "IIIb-d"),
        ({"treatment": "intervention_general", "organ_failure": "single"}, "IVa"),
        ({"organ_failure": "multiple"}, "IVb"),
        ({"organ_failure": "multiple", "died": True, "disability_at_discharge": True}, "V"),
    ],
)
def test_clavien_dindo(kwargs, label):
    assert clavien_dindo(**kwargs).label == label


def test_clavien_dindo_rejects():
    raises_on("treatment", clavien_dindo, treatment="antibiotics")
    raises_on("organ_failure", clavien_dindo, organ_failure="two")
    raises_on("died", clavien_dindo, died=1)


# ---------------------------------------------------------------- MSTS
LOWER = {"pain": 5, "function": 3, "emotional_acceptance": 4, "supports": 3, "walking": 3, "gait": 3}


def test_msts():
    assert msts_score(LOWER) == MstsScore(21, 70.0)
    assert msts_score({k: 5 for k in LOWER}).percent == 100.0
    upper = {"pain": 0, "function": 0, "emotional_acceptance": 0, "hand_positioning": 0,
             "dexterity": 0, "lifting": 1}
    assert msts_score(upper, "upper") == MstsScore(1, 3.3)


def test_msts_rejects():
    raises_on("domains.lifting", msts_score, {**LOWER, "lifting": 2})
    raises_on("domains.gait", msts_score, {k: v for k, v in LOWER.items() if k != "gait"})
    raises_on("domains.pain", msts_score, {**LOWER, "pain": 6})
    raises_on("limb", msts_score, LOWER, "arm")


# ---------------------------------------------------------------- staging
@pytest.mark.parametrize(
    ("kwargs", "t"),
    [
        ({"segments": 1, "extraosseous": False, "size_mm": 80}, "T1a"),
        ({"segments": 1, "extraosseous": False, "size_mm": 80.1}, "T1b"),
        ({"segments": 1, "extraosseous": True, "size_mm": 50}, "T2a"),
        ({"segments": 2, "extraosseous": False, "size_mm": 90}, "T2b"),
        ({"segments": 2, "extraosseous": True, "size_mm": 90}, "T3b"),
        ({"segments": 3, "extraosseous": True, "size_mm": 90}, "T4"),
        ({"segments": 2, "extraosseous": True, "size_mm": 90, "crosses_si_joint": True,
          "sacral_neuroforamen": True}, "T4a"),
        ({"segments": 1, "extraosseous": True, "size_mm": 90, "vessel_encasement_or_thrombus": True}, "T4b"),
    ],
)
def test_ajcc_pelvis(kwargs, t):
    assert ajcc8_pelvis_t(**kwargs) == t


def test_ajcc_pelvis_rejects():
    raises_on("segments", ajcc8_pelvis_t, segments=0, extraosseous=False, size_mm=10)
    raises_on("size_mm", ajcc8_pelvis_t, segments=1, extraosseous=False, size_mm=0)
    raises_on("extraosseous", ajcc8_pelvis_t, segments=1, extraosseous="no", size_mm=10)
    raises_on("sacral_neuroforamen", ajcc8_pelvis_t, segments=1, extraosseous=True, size_mm=10,
              sacral_neuroforamen=True)


@pytest.mark.parametrize(
    ("grade", "compartment", "metastasis", "stage"),
    [("low", "intra", False, "IA"), ("low", "extra", False, "IB"), ("high", "intra", False, "IIA"),
     ("high", "extra", False, "IIB"), ("low", "intra", True, "III")],
)
def test_enneking_stage(grade, compartment, metastasis, stage):
    assert enneking_stage(grade=grade, compartment=compartment, metastasis=metastasis) == stage


def test_enneking_stage_rejects():
    raises_on("grade", enneking_stage, grade="G3", compartment="intra", metastasis=False)
    raises_on("metastasis", enneking_stage, grade="low", compartment="intra", metastasis=None)


# ---------------------------------------------------------------- CTCAE v5
def test_adverse_event_model():
    ae = AdverseEvent("Febrile neutropenia", 3)
    assert ae.meaning == "severe or medically significant"
    raises_on("term", AdverseEvent, "Bad day", 2)
    raises_on("grade", AdverseEvent, "Febrile neutropenia", 2)
    raises_on("grade", AdverseEvent, "Nausea", 6)


@pytest.mark.parametrize(
    ("anc", "grade"), [(2000, 0), (1999, 1), (1500, 1), (1499, 2), (1000, 2), (999, 3), (500, 3), (499, 4), (0, 4)]
)
def test_neutrophils(anc, grade):
    assert grade_neutrophils(anc) == grade


def test_platelets_and_anemia():
    assert grade_platelets(150000) == 0
    assert grade_platelets(74999) == 2
    assert grade_platelets(24999) == 4
    assert grade_anemia(12.0) == 0
    assert grade_anemia(10.0) == 1
    assert grade_anemia(9.9) == 2
    assert grade_anemia(7.9) == 3
    assert grade_anemia(11.0, lln_g_dl=13.5) == 1
    raises_on("lln", grade_anemia, 9.0, lln_g_dl=9.0)
    raises_on("anc_per_mm3", grade_neutrophils, -1)


# --- CTCAE v5.0 blood counts in x 10^9/L (issue 17) ---------------------------------------------

def test_ctcae_counts_in_10e9_per_litre():
    from rareonco.clinical.ctcae import grade_neutrophils_10e9_l, grade_platelets_10e9_l

    # Neutrophil count decreased: 3 = <1.0-0.5, 4 = <0.5 x 10^9/L; ANC 0.8 is grade 3, not 4.
    assert [grade_neutrophils_10e9_l(v) for v in (2.0, 1.9, 1.5, 1.4, 1.0, 0.8, 0.5, 0.49)] == \
        [0, 1, 1, 2, 2, 3, 3, 4]
    # Platelet count decreased: 1 <LLN-75, 2 <75-50, 3 <50-25, 4 <25 x 10^9/L.
    assert [grade_platelets_10e9_l(v) for v in (150, 100, 74, 49, 24)] == [0, 1, 2, 3, 4]
