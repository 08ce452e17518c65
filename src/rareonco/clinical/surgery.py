"""Surgical classifications: pelvic resection type, surgical margin, residual tumour, complications.

Sources are cited per function.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rareonco.clinical._checks import choice
from rareonco.errors import InvalidInput

PELVIC_ZONES = ("I", "II", "III", "IV")


def enneking_dunham_type(zones: Iterable[str]) -> str:
    """Pelvic resection type from the resected zones, e.g. ``["I", "IV"]`` -> ``"I+IV"``.

    Zones after Enneking WF, Dunham WK. Resection and reconstruction for primary neoplasms
    involving the innominate bone. J Bone Joint Surg Am 1978;60(6):731-746: I ilium, II
    periacetabular, III pubis and ischium (obturator ring). Zone IV (sacral ala, a resection
    across the sacroiliac joint) is a later extension of the scheme in wide use, not in the 1978
    paper. Combinations are written in zone order joined by "+"; an iliac resection through the
    sacroiliac joint is I+IV. A string such as "I+IV" is accepted too.
    """
    if isinstance(zones, str):
        zones = [z for z in zones.replace(",", "+").split("+")]
    seen: set[str] = set()
    for i, zone in enumerate(zones):
        z = str(zone).strip().upper()
        if z not in PELVIC_ZONES:
            raise InvalidInput(f"zones.{i}", f"unknown pelvic zone {zone!r}; use I, II, III or IV")
        seen.add(z)
    if not seen:
        raise InvalidInput("zones", "name at least one resected zone")
    return "+".join(z for z in PELVIC_ZONES if z in seen)


#: Dissection plane -> Enneking margin (Enneking WF, Spanier SS, Goodman MA. A system for the
#: surgical staging of musculoskeletal sarcoma. Clin Orthop Relat Res 1980;153:106-120, table of
#: surgical margins).
ENNEKING_MARGINS = {
    "within_lesion": "intralesional",
    "reactive_zone": "marginal",
    "normal_tissue": "wide",
    "extracompartmental": "radical",
}


def enneking_margin(plane: str) -> str:
    """Enneking surgical margin from the plane of dissection.

    within the lesion -> intralesional; through the reactive zone -> marginal; through normal
    tissue beyond the reactive zone, within the compartment -> wide; the whole compartment
    removed extracompartmentally -> radical (Enneking et al. 1980).
    """
    return ENNEKING_MARGINS[choice(plane, "plane", tuple(ENNEKING_MARGINS))]


def residual_tumour(*, microscopic: bool, macroscopic: bool) -> str:
    """UICC residual tumour classification: R0 none, R1 microscopic, R2 macroscopic.

    Source: Brierley JD, Gospodarowicz MK, Wittekind C (eds). UICC TNM Classification of Malignant
    Tumours, 8th ed. 2017, "Residual tumour (R) classification". Macroscopic residual implies R2
    whatever the microscopic finding.
    """
    for name, value in (("microscopic", microscopic), ("macroscopic", macroscopic)):
        if not isinstance(value, bool):
            raise InvalidInput(name, f"must be true or false, got {value!r}")
    if macroscopic:
        return "R2"
    return "R1" if microscopic else "R0"


TREATMENTS = ("none", "pharmacological", "intervention_local", "intervention_general")
ORGAN_FAILURE = ("none", "single", "multiple")


@dataclass(frozen=True)
class ClavienDindo:
    grade: str  # I, II, IIIa, IIIb, IVa, IVb, V
    disability: bool

    @property
    def label(self) -> str:
        """Grade with the "-d" suffix for disability at discharge (Dindo 2004)."""
        return f"{self.grade}-d" if self.disability else self.grade


def clavien_dindo(
    *,
    treatment: str = "none",
    organ_failure: str = "none",
    died: bool = False,
    disability_at_discharge: bool = False,
) -> ClavienDindo:
    """Clavien-Dindo grade of a postoperative complication.

    Source: Dindo D, Demartines N, Clavien PA. Classification of surgical complications. Ann Surg
    2004;240(2):205-213, Table 1:

    * I: deviation from the normal course without pharmacological treatment or intervention
      (antiemetics, antipyretics, analgesics, diuretics, electrolytes, physiotherapy and wound
      infections opened at the bedside allowed): ``treatment="none"``.
    * II: other drugs, blood transfusion, total parenteral nutrition: ``"pharmacological"``.
    * IIIa / IIIb: surgical, endoscopic or radiological intervention without / under general
      anaesthesia: ``"intervention_local"`` / ``"intervention_general"``.
    * IVa / IVb: life-threatening complication needing intermediate or intensive care with
      single / multiple organ dysfunction: ``organ_failure="single"`` / ``"multiple"``.
    * V: death of the patient. Suffix "d" for disability at discharge.
    """
    choice(treatment, "treatment", TREATMENTS)
    choice(organ_failure, "organ_failure", ORGAN_FAILURE)
    for name, value in (("died", died), ("disability_at_discharge", disability_at_discharge)):
        if not isinstance(value, bool):
            raise InvalidInput(name, f"must be true or false, got {value!r}")
    if died:
        grade = "V"
    elif organ_failure != "none":
        grade = "IVa" if organ_failure == "single" else "IVb"
    else:
        grade = {
            "none": "I",
            "pharmacological": "II",
            "intervention_local": "IIIa",
            "intervention_general": "IIIb",
        }[treatment]
    # Grade V carries no disability suffix: the suffix describes a surviving patient.
    return ClavienDindo(grade, disability_at_discharge and grade != "V")
