"""What the diagnosis screen offers for grade and stage, and how a stage is stored.

A case keeps its grade (``String(16)``) and stage (``String(32)``) as text, so a stage is stored
with its system: ``Enneking IIB``, ``AJCC8 bone IVA``, ``AJCC8 STS IIIA``. A stage written with
one of these prefixes must be a stage group of that system; any other text (``peritoneal
disease, M0``) is kept as written, for tumours no system stages.

Sources:
- Enneking WF, Spanier SS, Goodman MA. A system for the surgical staging of musculoskeletal
  sarcoma. Clin Orthop Relat Res 1980;(153):106-120 (adopted by the Musculoskeletal Tumor
  Society, MSTS): IA, IB, IIA, IIB, III.
- Amin MB et al. (eds). AJCC Cancer Staging Manual, 8th ed. Springer 2017: chapter 38 (bone;
  stage groups for the appendicular skeleton, trunk, skull and facial bones: IA, IB, IIA, IIB,
  III, IVA, IVB; the pelvis and spine have T categories but no stage groups) and chapters 41
  and 42 (soft tissue sarcoma of the trunk and extremities, and of the retroperitoneum: IA, IB,
  II, IIIA, IIIB, IV).
- Grade: AJCC 8th ed. G1-G3 (FNCLCC for soft tissue; Trojani M et al. Int J Cancer 1984;33:
  37-42), GX when it cannot be assessed.
"""

from __future__ import annotations

from rareonco.errors import InvalidInput
from rareonco.i18n import N_

GRADES: dict[str, str] = {
    "G1": N_("G1 (low grade, well differentiated)"),
    "G2": N_("G2 (intermediate grade)"),
    "G3": N_("G3 (high grade, poorly differentiated)"),
    "GX": N_("GX (grade cannot be assessed)"),
}

#: prefix stored before the group -> (label, stage groups)
STAGE_SYSTEMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Enneking": (N_("Enneking / MSTS (surgical stage of bone and soft-tissue sarcoma)"),
                 ("IA", "IB", "IIA", "IIB", "III")),
    "AJCC8 bone": (N_("AJCC TNM 8th, bone (appendicular skeleton, trunk, skull, face; "
                      "no stage groups for pelvis and spine)"),
                   ("IA", "IB", "IIA", "IIB", "III", "IVA", "IVB")),
    "AJCC8 STS": (N_("AJCC TNM 8th, soft tissue sarcoma (trunk, extremities, "
                     "retroperitoneum)"),
                  ("IA", "IB", "II", "IIIA", "IIIB", "IV")),
}


def stage_choices() -> list[tuple[str, str, list[str]]]:
    """(system prefix, label, the stored values of its groups) for the stage picker."""
    return [(prefix, label, [f"{prefix} {g}" for g in groups])
            for prefix, (label, groups) in STAGE_SYSTEMS.items()]


def check_stage(stage: str | None) -> str | None:
    """`stage` itself when it is a group of the system it names (or names none);
    InvalidInput("stage") for ``Enneking IV``, ``AJCC8 bone IIC``..."""
    if not stage:
        return stage
    for prefix, (_, groups) in STAGE_SYSTEMS.items():
        if stage.startswith(prefix + " "):
            group = stage[len(prefix) + 1:].strip()
            if group not in groups:
                raise InvalidInput("stage", f"{group!r} is not a stage group of {prefix}; "
                                            f"one of {', '.join(groups)}")
            return f"{prefix} {group}"
    return stage
