"""Which cases the Huvos necrosis grade applies to.

The grade was defined for osteosarcoma after preoperative chemotherapy (Huvos AG, Rosen G,
Marcove RC. Arch Pathol Lab Med 1977;101:14-18; Rosen G et al. Cancer 1982;49:1221-1230) and the
same percentage of necrosis of the resection specimen is the accepted response measure of Ewing
sarcoma (Picci P et al. J Clin Oncol 1997;15:1553-1559). It means nothing for other sarcomas (a
desmoplastic small round cell tumour, for one, is judged by RECIST and the surgeon's PCI/CC), so
the form is offered only for these morphologies, and the service refuses a grade on a case whose
recorded morphology is another. A case without a recorded morphology is not refused: its
diagnosis may still be pending (the page says so beside the form).
"""

from __future__ import annotations

from enum import StrEnum

from rareonco.clinical.codes import all_morphologies

#: ICD-O-3 families the grade applies to: osteosarcomas (9180-9194) and Ewing sarcoma
#: (9260/3, the code before WHO 2020, and 9364/3).
OSTEOSARCOMA_CODES = range(9180, 9195)
EWING_CODES = ("9260/3", "9364/3")


class Huvos(StrEnum):
    """Whether a case's Huvos form is offered."""

    APPLIES = "applies"
    NOT_APPLICABLE = "not_applicable"
    DIAGNOSIS_PENDING = "diagnosis_pending"


def huvos_morphologies() -> tuple[str, ...]:
    """The bundled morphology codes the grade applies to (malignant behaviour only)."""
    return tuple(m.code for m in all_morphologies()
                 if m.code.endswith("/3") and (int(m.code[:4]) in OSTEOSARCOMA_CODES
                                               or m.code in EWING_CODES))


def huvos_applies(morphology_code: str | None) -> Huvos:
    """`APPLIES` for an osteosarcoma or Ewing sarcoma, `DIAGNOSIS_PENDING` when no morphology
    is recorded, `NOT_APPLICABLE` otherwise."""
    if not morphology_code:
        return Huvos.DIAGNOSIS_PENDING
    return Huvos.APPLIES if morphology_code in huvos_morphologies() else Huvos.NOT_APPLICABLE
