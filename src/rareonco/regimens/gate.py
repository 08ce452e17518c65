"""The cycle gate of issue 17: every finding with its severity (block / override / warn) for one
proposed cycle, from values alone. ``rareonco course check`` is this function over JSON.

Rules and sources (each threshold is regimen data with its own source; see the YAML files):

* caps (``cap_mg``): any excess is ``override`` (a cap has no tolerance above it, apart from the
  rounding of the printed per-day doses, :data:`PRINTED_MG_STEP` / 2 per day); above
  :data:`HARD_FACTOR` x the cap ``block`` (issue 17: vincristine 3.34 mg against 2 mg);
* single dose against the computed dose: more than the regimen's ``dose_tolerance`` (10 %,
  RareOnco policy) ``override``; above :data:`HARD_FACTOR` x the computed dose ``block``;
* pre-checks (``prechecks``): missing ``block``; outside the bound ``override``. GFR is compared in
  mL/min/1.73 m2: a measured GFR, else an eGFR from creatinine (:func:`rareonco.clinical.renal.
  estimated_gfr`: bedside Schwartz under 18, CKD-EPI 2021 from 18);
* organ function (``organ_modifications``): a band with 0 % ``block``; a dose above the band's
  percentage (plus tolerance) ``override``;
* next-cycle window (``next_cycle_window``): before the earliest day ``override``, after the latest
  ``warn``;
* cumulative anthracycline: :func:`rareonco.clinical.anthracyclines.cumulative_anthracycline`
  (warn at 80 %, override beyond the limit + 1 %);
* body weight (``weight_measured_on``, given by the platform): none recorded or older than
  :data:`WEIGHT_MAX_AGE_DAYS` (14, RareOnco policy of issue 4) before the start ``warn``;
* regimen approval: ``regimen_approved`` None (``course check``): a draft file ``warn``s;
  False (the platform: the version lacks a pharmacist's and a clinician's approval) ``override``;
* course guard rails (the platform passes them; issue 17 item 7): a regimen other than the one the
  case's signed board decision recommends (``board_regimens``) ``override``; a cycle of another of
  the patient's courses (``other_cycle_starts``) less than this regimen's cycle length away
  ``override`` (two concurrent courses must not stack cycles silently).

:data:`HARD_FACTOR` = 1.5: no published sarcoma protocol varies a dose by half again (vincristine
1.5 vs 2 mg/m2 is 33 %); 1.5 x is a unit or transcription error, which no reason can justify.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rareonco.clinical.anthracyclines import IGHG_EQUIVALENCE, cumulative_anthracycline
from rareonco.clinical.drugs import resolve_drug
from rareonco.clinical.renal import creatinine_mg_dl, estimated_gfr
from rareonco.errors import InvalidInput

from .findings import Override, SafetyFinding, Severity, parse_override
from .library import get_regimen
from .planning import CoursePlan, CyclePlan, plan_course
from .schema import Precheck, Regimen
from .toxicity import toxicity_findings

__all__ = ["HARD_FACTOR", "WEIGHT_MAX_AGE_DAYS", "CycleCheckIn", "GateResult", "assess_cycle", "check_json"]

HARD_FACTOR = 1.5
PRINTED_MG_STEP = 0.01  # the dose sheet's and the plan's mg precision
WEIGHT_MAX_AGE_DAYS = 14
#: one given dose: (drug, day of the cycle, mg)
Dose = tuple[str, int, float]
BILIRUBIN_UMOL_L_PER_MG_DL = 17.1  # bilirubin 584.66 g/mol: 10 000 / 584.66 = 17.10
Num = Annotated[float, Field(strict=True)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class DoseIn(_In):
    drug: str = Field(min_length=1)
    day: int = Field(ge=1, le=366)
    mg: Num = Field(ge=0)


class LabsIn(_In):
    taken_on: dt.date | None = None
    anc_10e9_l: Num | None = Field(None, ge=0, le=200)
    platelets_10e9_l: Num | None = Field(None, ge=0, le=3000)
    creatinine_umol_l: Num | None = None
    creatinine_mg_dl: Num | None = None
    gfr_ml_min_173m2: Num | None = Field(None, ge=0, le=300)
    crcl_ml_min: Num | None = Field(None, ge=0, le=400)
    bilirubin_x_uln: Num | None = Field(None, ge=0, le=50)
    bilirubin_mg_dl: Num | None = Field(None, ge=0, le=50)
    bilirubin_umol_l: Num | None = Field(None, ge=0, le=850)
    lvef_pct: Num | None = Field(None, ge=5, le=90)
    alt_x_uln: Num | None = Field(None, ge=0, le=100)
    cpk_x_uln: Num | None = Field(None, ge=0, le=100)


class PriorIn(_In):
    drug: str = Field(min_length=1)
    mg_m2: Num = Field(ge=0, le=2000)


class OverrideIn(_In):
    finding: str
    drug: str | None = None
    reason_code: str
    text: str


class CycleCheckIn(_In):
    regimen: str = Field(min_length=1)
    cycle: int = Field(ge=1)
    height_cm: Num = Field(ge=40, le=272)
    weight_kg: Num = Field(gt=0, le=650)
    age_years: Num = Field(ge=0, le=120)
    sex: Literal["female", "male"] | None = None
    planned_start: dt.date
    start: dt.date
    previous_cycle_start: dt.date | None = None
    doses: list[DoseIn] = Field(default_factory=list, max_length=100)
    labs: LabsIn = Field(default_factory=LabsIn)
    prior_anthracyclines: list[PriorIn] = Field(default_factory=list, max_length=200)
    overrides: list[OverrideIn] = Field(default_factory=list, max_length=50)
    bsa_formula: Literal["mosteller", "dubois", "haycock"] = "mosteller"
    n_cycles: int | None = Field(None, ge=1, le=60)
    #: None: the regimen file's status decides (draft -> warn); False: not approved -> override.
    regimen_approved: bool | None = None
    #: Regimens (id or name) the case's signed board decision recommends; None: no decision.
    board_regimens: list[str] | None = Field(None, max_length=20)
    #: Starts of the cycles of the patient's other courses (this course's previous cycle is
    #: ``previous_cycle_start``).
    other_cycle_starts: list[dt.date] = Field(default_factory=list, max_length=500)
    #: a published variant of the regimen (P6: ``previously-treated``); None = the standard one
    variant: str | None = Field(None, max_length=40)
    #: worst CTCAE v5.0 grade per term since the previous cycle (e.g. "peripheral sensory
    #: neuropathy": 3), applied through the regimen's toxicity tables
    toxicities: dict[str, int] = Field(default_factory=dict, max_length=30)
    #: When the dosing weight was measured; "none" = no weight recorded (the platform); None =
    #: not checked (``course check``).
    weight_measured_on: dt.date | Literal["none"] | None = None


@dataclass(frozen=True)
class GateResult:
    findings: tuple[SafetyFinding, ...]
    overridden: tuple[tuple[SafetyFinding, Override], ...]
    cumulative_doxorubicin_equivalent_mg_m2: float
    bsa_m2: float
    egfr_ml_min_173m2: float | None
    egfr_method: str | None

    @property
    def may_proceed(self) -> bool:
        """False while any block or override finding stands (an override also needs a second
        person's co-signature, recorded by the platform)."""
        return not any(f.severity in ("block", "override") for f in self.findings)

    def to_dict(self) -> dict[str, object]:
        by_key = {(f.code, f.drug): o for f, o in self.overridden}
        return {
            "may_proceed": self.may_proceed,
            "findings": [f.to_dict() | ({"override": {"reason_code": o.code, "text": o.text,
                                                      "awaiting_cosignature": True}}
                                        if (o := by_key.get((f.code, f.drug))) else {})
                         for f in self.findings],
            "cumulative_doxorubicin_equivalent_mg_m2": round(
                self.cumulative_doxorubicin_equivalent_mg_m2, 1),
            "bsa_m2": round(self.bsa_m2, 4),
            "egfr_ml_min_173m2": (None if self.egfr_ml_min_173m2 is None
                                  else round(self.egfr_ml_min_173m2, 1)),
            "egfr_method": self.egfr_method,
        }


def check_json(payload: object) -> dict[str, object]:
    """Validate a JSON object (``rareonco course check``) and assess it."""
    if not isinstance(payload, dict):
        raise InvalidInput("body", "must be a JSON object")
    try:
        req = CycleCheckIn.model_validate(payload)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        raise InvalidInput(".".join(str(p) for p in err["loc"]) or "body", err["msg"]) from None
    return assess_cycle(req).to_dict()


def _labs(req: CycleCheckIn) -> tuple[dict[str, float], float | None, str | None]:
    labs = req.labs
    if labs.taken_on is not None and labs.taken_on > req.start:
        raise InvalidInput("labs.taken_on", f"{labs.taken_on} is after the cycle start {req.start}")
    values = {
        k: v for k, v in labs.model_dump().items() if v is not None and k != "taken_on"}
    if labs.creatinine_umol_l is not None and labs.creatinine_mg_dl is not None:
        raise InvalidInput("labs.creatinine_mg_dl", "give creatinine in one unit only")
    egfr: float | None = None
    method: str | None = None
    scr = None
    if labs.creatinine_umol_l is not None:
        scr = creatinine_mg_dl(labs.creatinine_umol_l, "umol_l", "labs.creatinine_umol_l")
    elif labs.creatinine_mg_dl is not None:
        scr = creatinine_mg_dl(labs.creatinine_mg_dl, "mg_dl", "labs.creatinine_mg_dl")
    if labs.gfr_ml_min_173m2 is None and scr is not None and (req.age_years < 18 or req.sex):
        est = estimated_gfr(age_years=req.age_years, creatinine_mg_dl=scr,
                            height_cm=req.height_cm, sex=req.sex)
        egfr, method = est.egfr_ml_min_173m2, est.method
        values["gfr_ml_min_173m2"] = egfr
    elif labs.gfr_ml_min_173m2 is not None:
        egfr, method = labs.gfr_ml_min_173m2, "measured"
    if labs.bilirubin_mg_dl is None and labs.bilirubin_umol_l is not None:
        values["bilirubin_mg_dl"] = labs.bilirubin_umol_l / BILIRUBIN_UMOL_L_PER_MG_DL
    return values, egfr, method


_UNITS = {"anc_10e9_l": ("ANC", "x10^9/L"), "platelets_10e9_l": ("platelets", "x10^9/L"),
          "gfr_ml_min_173m2": ("GFR", "mL/min/1.73 m2"), "bilirubin_mg_dl": ("bilirubin", "mg/dL"),
          "crcl_ml_min": ("creatinine clearance", "mL/min"), "lvef_pct": ("LVEF", "%"),
          "bilirubin_x_uln": ("bilirubin", "x ULN"), "alt_x_uln": ("ALT", "x ULN"),
          "cpk_x_uln": ("CPK", "x ULN")}


def assess_cycle(req: CycleCheckIn) -> GateResult:
    """Every finding for cycle ``req.cycle`` of ``req.regimen`` as proposed in ``req``."""
    regimen = get_regimen(req.regimen)
    plan = plan_course(regimen, req.planned_start, req.height_cm, req.weight_kg,
                       bsa_formula=req.bsa_formula, n_cycles=req.n_cycles,
                       age_years=req.age_years, variant=req.variant)
    if req.cycle > len(plan.cycles):
        raise InvalidInput("cycle", f"{regimen.id} has cycles 1-{len(plan.cycles)}")
    cycle = plan.cycles[req.cycle - 1]
    doses = [(resolve_drug(d.drug, f"doses.{i}.drug").id, d.day, d.mg)
             for i, d in enumerate(req.doses)] or [
        (d.drug, day, d.mg_per_day) for d in cycle.drugs for day in d.days]
    values, egfr, method = _labs(req)
    tol = regimen.dose_tolerance.pct if regimen.dose_tolerance else 10.0
    findings: list[SafetyFinding] = []
    findings += _approval_findings(regimen, req)
    findings += _dose_findings(cycle, doses, tol)
    given = {d for d, _, _ in doses}
    findings += _precheck_findings(regimen, given, values)
    findings += _organ_findings(regimen, cycle, doses, values, tol)
    findings += toxicity_findings(regimen, cycle, doses, req.toxicities, tol)
    findings += _window_findings(regimen, plan, req)
    findings += _course_findings(regimen, req)
    findings += _weight_findings(req)
    total, anth = _anthracycline(regimen, doses, plan.bsa_m2, req)
    findings += anth
    overridden = _overrides(req, findings)
    return GateResult(tuple(findings), overridden, total, plan.bsa_m2, egfr, method)


def _dose_findings(cycle: CyclePlan, doses: list[Dose], tol: float) -> list[SafetyFinding]:
    by_drug = {d.drug: d for d in cycle.drugs}
    out: list[SafetyFinding] = []
    per_drug: dict[str, float] = defaultdict(float)
    for drug, day, mg in doses:
        plan = by_drug.get(drug)
        if plan is None or day not in plan.days:
            out.append(SafetyFinding("unplanned_dose", "override", drug, day,
                                     {"drug": drug, "day": day}))
            continue
        per_drug[drug] += mg
        ref = plan.protocol_mg_per_day
        dev = (mg - ref) / ref * 100.0
        if abs(dev) > tol + 1e-9:
            sev: Severity = "block" if mg > HARD_FACTOR * ref else "override"
            out.append(SafetyFinding("dose_deviation", sev, drug, day, {
                "drug": drug, "day": day, "given_mg": round(mg, 2), "computed_mg": ref,
                "deviation_pct": dev, "tolerance_pct": tol}))
        if plan.cap_mg is not None and plan.cap_per == "day" and mg > plan.cap_mg + 1e-9:
            out.append(_cap(drug, mg, plan.cap_mg, "day"))
    for drug, total in per_drug.items():
        plan = by_drug[drug]
        # The dose sheet prints mg to 0.01: a cycle cap split over n days may be exceeded by the
        # printed values' rounding (3 x 0.67 = 2.01 mg of vincristine for a 2 mg cap), never more.
        rounding = PRINTED_MG_STEP / 2 * len(plan.days)
        if plan.cap_mg is not None and plan.cap_per == "course" and total > plan.cap_mg + rounding:
            out.append(_cap(drug, total, plan.cap_mg, "course"))
    return out


def _cap(drug: str, mg: float, cap: float, per: str) -> SafetyFinding:
    sev: Severity = "block" if mg > HARD_FACTOR * cap + 1e-9 else "override"
    return SafetyFinding("cap_exceeded", sev, drug, None, {
        "drug": drug, "given_mg": round(mg, 2), "cap_mg": cap, "per": per,
        "per_ru": "день" if per == "day" else "курс"})


def _precheck_findings(regimen: Regimen, given: set[str], values: dict[str, float]
                       ) -> list[SafetyFinding]:
    out: list[SafetyFinding] = []
    tests: dict[str, list[Precheck]] = defaultdict(list)
    for check in regimen.prechecks:
        if "*" in check.drugs or given.intersection(check.drugs):
            tests[check.test].append(check)
    for test, checks in tests.items():
        label, unit = _UNITS[test]
        value = values.get(test)
        if value is None and test == "bilirubin_mg_dl" and "bilirubin_x_uln" in values:
            continue  # measured; the mg/dL table then cannot be applied (organ findings warn)
        if value is None:
            drugs = sorted({d for c in checks for d in c.drugs if d == "*" or d in given})
            out.append(SafetyFinding("precheck_missing", "block", None, None, {
                "test": label, "drugs": ", ".join(drugs), "source": checks[0].source.strip()}))
            continue
        mins = [(c.min, c) for c in checks if c.min is not None]
        maxs = [(c.max, c) for c in checks if c.max is not None]
        low = max(mins, key=lambda m: m[0]) if mins else None
        high = min(maxs, key=lambda m: m[0]) if maxs else None
        if low is not None and value < low[0]:
            out.append(SafetyFinding("precheck_failed", "override", None, None, {
                "test": label, "value": round(value, 2), "unit": unit, "op": ">=",
                "limit": low[0], "source": low[1].source.strip()}))
        elif high is not None and value > high[0]:
            out.append(SafetyFinding("precheck_failed", "override", None, None, {
                "test": label, "value": round(value, 2), "unit": unit, "op": "<=",
                "limit": high[0], "source": high[1].source.strip()}))
    return out


def _organ_findings(regimen: Regimen, cycle: CyclePlan, doses: list[Dose], values: dict[str, float],
                    tol: float) -> list[SafetyFinding]:
    out: list[SafetyFinding] = []
    for table in regimen.organ_modifications:
        value = values.get(table.test)
        planned = next((d for d in cycle.drugs if d.drug == table.drug), None)
        given_mg = sum(mg for drug, _, mg in doses if drug == table.drug)
        if value is None or planned is None or given_mg == 0:
            continue
        band = next((b for b in table.bands if value > b.above
                     and (b.up_to is None or value <= b.up_to)), None)
        if band is None:
            continue
        given_pct = given_mg / (planned.protocol_mg_per_day * len(planned.days)) * 100.0
        if band.dose_pct == 0 or given_pct > band.dose_pct + tol + 1e-9:
            label, unit = _UNITS[table.test]
            out.append(SafetyFinding(
                "organ_dose_modification", "block" if band.dose_pct == 0 else "override",
                table.drug, None, {"drug": table.drug, "test": label, "value": round(value, 2),
                                   "unit": unit, "dose_pct": band.dose_pct, "given_pct": given_pct,
                                   "source": table.source.strip()}))
    return out


def _window_findings(regimen: Regimen, plan: CoursePlan, req: CycleCheckIn) -> list[SafetyFinding]:
    if req.previous_cycle_start is None or req.cycle == 1:
        return []
    if req.previous_cycle_start >= req.start:
        raise InvalidInput("previous_cycle_start", "must be before start")
    nominal = (plan.cycles[req.cycle - 1].start - plan.cycles[req.cycle - 2].start).days
    window = regimen.next_cycle_window
    early = window.earliest_days_before_nominal if window else 0
    late = window.latest_days_after_nominal if window else 14
    days = (req.start - req.previous_cycle_start).days
    # Day numbers as in the protocol: the previous cycle's start is day 1.
    params = {"cycle": req.cycle, "day": days + 1, "earliest_day": nominal - early + 1,
              "latest_day": nominal + late + 1}
    if days < nominal - early:
        return [SafetyFinding("before_earliest_day", "override", params=params)]
    if days > nominal + late:
        return [SafetyFinding("after_latest_day", "warn", params=params)]
    return []


def _weight_findings(req: CycleCheckIn) -> list[SafetyFinding]:
    if req.weight_measured_on == "none":
        return [SafetyFinding("weight_missing", "warn")]
    if req.weight_measured_on is None:
        return []
    if req.weight_measured_on > req.start:
        raise InvalidInput("weight_measured_on", "after the cycle start")
    age = (req.start - req.weight_measured_on).days
    if age > WEIGHT_MAX_AGE_DAYS:
        return [SafetyFinding("weight_stale", "warn", params={
            "days": age, "max_days": WEIGHT_MAX_AGE_DAYS})]
    return []


def _approval_findings(regimen: Regimen, req: CycleCheckIn) -> list[SafetyFinding]:
    params = {"regimen": regimen.id, "version": regimen.version}
    if req.regimen_approved is False:
        return [SafetyFinding("regimen_unapproved", "override", params=params)]
    if req.regimen_approved is None and regimen.status != "verified":
        return [SafetyFinding("regimen_draft", "warn", params=params)]
    return []


def _course_findings(regimen: Regimen, req: CycleCheckIn) -> list[SafetyFinding]:
    """The guard rails across courses: the board's regimen and cycles of other courses."""
    out: list[SafetyFinding] = []
    if req.board_regimens:
        names = {regimen.id.casefold(), regimen.name.casefold()}
        if not names.intersection(r.strip().casefold() for r in req.board_regimens):
            out.append(SafetyFinding("board_decision_differs", "override", params={
                "regimen": regimen.id, "board": ", ".join(req.board_regimens)}))
    near = sorted((abs((other - req.start).days), other) for other in req.other_cycle_starts
                  if abs((other - req.start).days) < regimen.cycle_length_days)
    if near:
        out.append(SafetyFinding("cycle_overlap", "override", params={
            "other_start": near[0][1].isoformat(), "days": near[0][0],
            "cycle_length_days": regimen.cycle_length_days}))
    return out


def _anthracycline(regimen: Regimen, doses: list[Dose], bsa_m2: float, req: CycleCheckIn
                   ) -> tuple[float, list[SafetyFinding]]:
    prior = [(p.drug, p.mg_m2) for p in req.prior_anthracyclines]
    for i, p in enumerate(req.prior_anthracyclines):
        if resolve_drug(p.drug, f"prior_anthracyclines.{i}.drug").id not in IGHG_EQUIVALENCE:
            raise InvalidInput(f"prior_anthracyclines.{i}.drug", f"{p.drug!r} is not an anthracycline")
    now = [(drug, mg / bsa_m2) for drug, _, mg in doses if drug in IGHG_EQUIVALENCE]
    limit = regimen.anthracycline_limit.limit_mg_m2 if regimen.anthracycline_limit else 450.0
    res = cumulative_anthracycline(prior + now, limit, "prior_anthracyclines")
    if not now or res.status == "ok":
        return res.total_mg_m2, []
    code: str = "anthracycline_warning"
    severity: Severity = "warn"
    if res.status == "override":
        code, severity = "anthracycline_limit", "override"
    return res.total_mg_m2, [SafetyFinding(code, severity, "doxorubicin", None, {
        "total": res.total_mg_m2, "limit": limit})]


def _overrides(req: CycleCheckIn, findings: list[SafetyFinding]
               ) -> tuple[tuple[SafetyFinding, Override], ...]:
    out = []
    for i, o in enumerate(req.overrides):
        parsed = parse_override(o.reason_code, o.text, f"overrides.{i}")
        drug = resolve_drug(o.drug, f"overrides.{i}.drug").id if o.drug else None
        match = [f for f in findings if f.code == o.finding and f.drug == drug]
        if not match:
            raise InvalidInput(f"overrides.{i}.finding", f"no finding {o.finding!r} for {drug}")
        if match[0].severity == "block":
            raise InvalidInput(f"overrides.{i}.finding", "a block cannot be overridden")
        out.append((match[0], parsed))
    return tuple(out)
