"""Staging: AJCC 8th edition T category for pelvic bone tumours and the Enneking surgical stage."""

from __future__ import annotations

from rareonco.clinical._checks import choice, integer, number
from rareonco.errors import InvalidInput

T_SIZE_CUTOFF_MM = 80.0


def ajcc8_pelvis_t(
    *,
    segments: int,
    extraosseous: bool,
    size_mm: float,
    crosses_si_joint: bool = False,
    sacral_neuroforamen: bool = False,
    vessel_encasement_or_thrombus: bool = False,
) -> str:
    """AJCC 8th edition T category of a primary tumour of the pelvis (bone chapter, pelvis table).

    Source: Amin MB et al. (eds). AJCC Cancer Staging Manual, 8th ed. Springer 2017, chapter 38
    "Bone", definition of primary tumour (T) for the pelvis:

    * T1: one pelvic segment, no extraosseous extension; T1a <= 8 cm, T1b > 8 cm.
    * T2: one segment with extraosseous extension, or two segments without; T2a/T2b by 8 cm.
    * T3: two segments with extraosseous extension; T3a/T3b by 8 cm.
    * T4: three segments or crossing the sacroiliac joint; T4a involves the sacroiliac joint and
      extends medial to the sacral neuroforamen; T4b encases the external iliac vessels or there is gross
      tumour thrombus in major pelvic vessels. A T4 tumour meeting neither returns "T4".

    ``segments`` is the number of pelvic segments involved (1-4: sacrum lateral to the
    neuroforamen, iliac wing, acetabulum/periacetabulum, pubic rami/symphysis/ischium).
    """
    n = integer(segments, "segments", 1, 4)
    size = number(size_mm, "size_mm", "mm")
    if size <= 0:
        raise InvalidInput("size_mm", f"must be positive, got {size:g}")
    flags = {
        "extraosseous": extraosseous,
        "crosses_si_joint": crosses_si_joint,
        "sacral_neuroforamen": sacral_neuroforamen,
        "vessel_encasement_or_thrombus": vessel_encasement_or_thrombus,
    }
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise InvalidInput(name, f"must be true or false, got {value!r}")
    if sacral_neuroforamen and not crosses_si_joint:
        raise InvalidInput("sacral_neuroforamen",
                           "reaching the neuroforamen implies crossing the sacroiliac joint")
    if vessel_encasement_or_thrombus:
        return "T4b"
    if crosses_si_joint or n >= 3:
        return "T4a" if sacral_neuroforamen else "T4"
    suffix = "a" if size <= T_SIZE_CUTOFF_MM else "b"
    if n == 1:
        return ("T2" if extraosseous else "T1") + suffix
    return ("T3" if extraosseous else "T2") + suffix


def enneking_stage(*, grade: str, compartment: str, metastasis: bool) -> str:
    """Enneking (MSTS) surgical stage of a malignant musculoskeletal tumour.

    Source: Enneking WF, Spanier SS, Goodman MA. A system for the surgical staging of
    musculoskeletal sarcoma. Clin Orthop Relat Res 1980;153:106-120: IA low grade (G1)
    intracompartmental (T1), IB low grade extracompartmental (T2), IIA high grade (G2)
    intracompartmental, IIB high grade extracompartmental, III any with regional or distant
    metastasis (M1).
    """
    g = choice(grade, "grade", ("low", "high"))
    c = choice(compartment, "compartment", ("intra", "extra"))
    if not isinstance(metastasis, bool):
        raise InvalidInput("metastasis", f"must be true or false, got {metastasis!r}")
    if metastasis:
        return "III"
    return ("I" if g == "low" else "II") + ("A" if c == "intra" else "B")
