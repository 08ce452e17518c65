"""Chemotherapy regimens as data, course planning and the safety checks of a cycle.

One YAML file per regimen lives in this package, each with its source and version, validated
against :mod:`rareonco.regimens.schema` when loaded. :func:`plan_course` turns a regimen, a start
date and body size into a dose sheet and calendar; :func:`check_cycle` lists what must be
resolved before a cycle is given. Everything here is pure apart from reading the bundled files.
"""

from .library import all_regimens, get_regimen, load_regimen_file, parse_regimen
from .planning import CoursePlan, CyclePlan, DrugDose, plan_course
from .safety import (
    Finding,
    GivenDose,
    Prechecks,
    PriorDose,
    check_cycle,
    may_proceed,
    outstanding,
)
from .schema import Regimen, RegimenFileError

__all__ = [
    "CoursePlan",
    "CyclePlan",
    "DrugDose",
    "Finding",
    "GivenDose",
    "Prechecks",
    "PriorDose",
    "Regimen",
    "RegimenFileError",
    "all_regimens",
    "check_cycle",
    "get_regimen",
    "load_regimen_file",
    "may_proceed",
    "outstanding",
    "parse_regimen",
    "plan_course",
]
