"""ICD-O-3 morphology and topography codes and characteristic fusion genes.

Source: WHO International Classification of Diseases for Oncology, 3rd edition, second revision
(ICD-O-3.2, 2019/2020), and WHO Classification of Tumours, Soft Tissue and Bone, 5th edition (2020).
The code lists are data (`icdo3.yaml`), loaded once and validated.
"""

from rareonco.clinical.codes._lists import (
    Morphology,
    Topography,
    all_morphologies,
    all_topographies,
    fusions_for,
    lookup_morphology,
    lookup_topography,
)

__all__ = [
    "Morphology",
    "Topography",
    "all_morphologies",
    "all_topographies",
    "fusions_for",
    "lookup_morphology",
    "lookup_topography",
]
