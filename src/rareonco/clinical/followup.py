"""Follow-up schedule after treatment of a high-grade sarcoma.

Sources:

* Bone: Strauss SJ, Frezza AM, Abecassis N et al. Bone sarcomas: ESMO-EURACAN-GENTURIS-ERN
  PaedCan Clinical Practice Guideline for diagnosis, treatment and follow-up. Ann Oncol
  2021;32(12):1520-1536, section "Follow-up, long-term implications and survivorship": physical
  examination, local imaging and chest imaging every 3 months in years 1-2, every 6 months in
  years 3-5, then every 6-12 months to year 10 (``late_interval_months`` picks 6 or 12).
* Soft tissue: Gronchi A, Miah AB, Dei Tos AP et al. Soft tissue and visceral sarcomas:
  ESMO-EURACAN-GENTURIS Clinical Practice Guidelines. Ann Oncol 2021;32(11):1348-1365, section
  "Follow-up": high grade every 3-4 months in the first 2-3 years (3 months for 3 years here),
  twice a year to year 5, then once a year.

Times run from the end of treatment; visit dates add calendar months (the 31st becomes the last
day of a shorter month).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from rareonco.clinical._checks import choice, integer
from rareonco.errors import InvalidInput

IMAGING = {
    "bone": ("chest imaging (CT or X-ray)", "local site imaging (X-ray; MRI if indicated)"),
    "soft_tissue": ("chest CT", "local site MRI (or ultrasound)"),
}

# (interval in months, until month) per sarcoma kind; the last step's interval is set per call.
_PHASES = {
    "bone": ((3, 24), (6, 60)),
    "soft_tissue": ((3, 36), (6, 60)),
}


@dataclass(frozen=True)
class Visit:
    date: dt.date
    months_after_treatment: int
    imaging: tuple[str, ...]


def add_months(start: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic, clamping the day to the target month's length."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def followup_schedule(
    end_of_treatment: dt.date,
    kind: str,
    *,
    years: int = 10,
    late_interval_months: int = 12,
) -> tuple[Visit, ...]:
    """Visit dates and imaging for a high-grade ``kind`` ("bone" or "soft_tissue") sarcoma.

    ``years`` (1-20) bounds the schedule; after year 5 visits are every ``late_interval_months``
    (6 or 12; the bone guideline allows 6-12, the soft-tissue guideline says yearly).
    """
    if not isinstance(end_of_treatment, dt.date):
        raise InvalidInput("end_of_treatment", "must be a date")
    k = choice(kind, "kind", tuple(_PHASES))
    horizon = integer(years, "years", 1, 20) * 12
    late = integer(late_interval_months, "late_interval_months", 6, 12)
    if late not in (6, 12):
        raise InvalidInput("late_interval_months", "must be 6 or 12")
    phases = (*_PHASES[k], (late, horizon))
    visits: list[Visit] = []
    month = 0
    for interval, until in phases:
        while month + interval <= min(until, horizon):
            month += interval
            visits.append(Visit(add_months(end_of_treatment, month), month, IMAGING[k]))
    return tuple(visits)
