"""Chemotherapy regimens as data, course planning and the safety checks of a cycle.

One YAML file per regimen lives in this package, each with its source and version, validated
against :mod:`rareonco.regimens.schema` when loaded. :func:`plan_course` turns a regimen, a start
date and body size into a dose sheet and calendar; :func:`rareonco.regimens.gate.assess_cycle`
lists every finding (block / override / warn) of a proposed cycle. Everything here is pure apart
from reading the bundled files.
"""

from .library import all_regimens, get_regimen, load_regimen_file, parse_regimen
from .planning import CoursePlan, CyclePlan, DrugDose, plan_course
from .schema import Regimen, RegimenFileError

__all__ = [
    "CoursePlan",
    "CyclePlan",
    "DrugDose",
    "Regimen",
    "RegimenFileError",
    "all_regimens",
    "get_regimen",
    "load_regimen_file",
    "parse_regimen",
    "plan_course",
]
