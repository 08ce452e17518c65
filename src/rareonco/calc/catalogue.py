"""The catalogue of calculators: NAME -> (input model, function), shared by the CLI and the web API.

This is an edge: it turns JSON into the clinical value objects, calls the pure rules in
`rareonco.clinical`, and turns the results back into JSON-able dicts. Bad input of any kind
becomes `rareonco.errors.InvalidInput` naming the dotted field path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rareonco.clinical import dosing, followup, methotrexate, peritoneal, recist, renal, thermal
from rareonco.clinical.ctcae import (
    grade_anemia,
    grade_neutrophils_10e9_l,
    grade_platelets_10e9_l,
)
from rareonco.clinical.pathology import huvos_grade
from rareonco.clinical.scores import msts_score
from rareonco.clinical.staging import ajcc8_pelvis_t, enneking_stage
from rareonco.clinical.surgery import (
    clavien_dindo,
    enneking_dunham_type,
    enneking_margin,
    residual_tumour,
)
from rareonco.errors import InvalidInput, NotFound

# Strict scalars: JSON "32" is not a number and true is not 1. Ints are accepted as floats.
Num = Annotated[float, Field(strict=True)]
Int = Annotated[int, Field(strict=True)]
Bool = Annotated[bool, Field(strict=True)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def invalid_from_validation(exc: ValidationError) -> InvalidInput:
    """The first pydantic error as InvalidInput with a dotted field path (``followups.0.date``)."""
    err = exc.errors(include_url=False)[0]
    field = ".".join(str(part) for part in err["loc"]) or "body"
    return InvalidInput(field, err["msg"])


# ---------------------------------------------------------------------------- RECIST 1.1
class RecistTargetIn(_In):
    id: str = Field(min_length=1)
    organ: str = Field(min_length=1)
    node: Bool = False
    mm: Num = Field(description="longest diameter in mm; short axis for lymph nodes")


class RecistBaselineIn(_In):
    date: dt.date
    targets: list[RecistTargetIn] = Field(max_length=50)
    non_targets: list[str] = []


class RecistFollowUpIn(_In):
    date: dt.date
    targets: dict[str, Num | None] = Field(description="target id -> mm; null = not measured")
    non_target: Literal["absent", "present", "progression", "not_evaluated"] | None = Field(
        None, description="required when the baseline lists non-targets")
    new_lesions: Bool = False


class RecistIn(_In):
    baseline: RecistBaselineIn
    followups: list[RecistFollowUpIn]
    confirmation: Bool = Field(False, description="require confirmation of CR/PR (>= 4 weeks)")
    confirm_min_days: Int = Field(recist.CONFIRM_MIN_DAYS, ge=1, le=365)
    sd_min_days: Int = Field(recist.SD_MIN_DAYS, ge=0, le=365)


def _recist(inp: RecistIn) -> dict[str, Any]:
    baseline = recist.Baseline(
        inp.baseline.date,
        tuple(recist.TargetLesion(t.id, t.organ, t.node, t.mm) for t in inp.baseline.targets),
        tuple(inp.baseline.non_targets),
    )
    followups = [
        recist.FollowUp(f.date, f.targets,
                        None if f.non_target is None else recist.NonTarget(f.non_target),
                        f.new_lesions)
        for f in inp.followups
    ]
    result = recist.evaluate(
        baseline, followups, confirmation=inp.confirmation,
        confirm_min_days=inp.confirm_min_days, sd_min_days=inp.sd_min_days,
    )
    return {
        "baseline_sum_mm": result.baseline_sum_mm,
        "timepoints": [
            {
                "date": tp.date.isoformat(),
                "sum_mm": tp.sum_mm,
                "change_from_baseline_pct": tp.change_from_baseline_pct,
                "change_from_nadir_pct": tp.change_from_nadir_pct,
                "target_response": None if tp.target_response is None else tp.target_response.value,
                "overall_response": tp.overall_response.value,
            }
            for tp in result.timepoints
        ],
        "best_overall_response": result.best_overall_response.value,
        "confirmation": result.confirmed,
    }


# ---------------------------------------------------------------------------- peritoneum
class PciIn(_In):
    regions: dict[str, Int] = Field(description='all 13 regions "0".."12" -> lesion-size score 0-3')


class CcIn(_In):
    largest_residual_mm: Num
    confluent: Bool = False


# ---------------------------------------------------------------------------- thermal dose
class SampleIn(_In):
    t_s: Num
    temp_c: Num


class Cem43In(_In):
    samples: list[SampleIn]
    target_c: tuple[Num, Num] = (42.0, 43.0)
    max_gap_s: Num | None = 30.0


def _cem43(inp: Cem43In) -> dict[str, Any]:
    t = [s.t_s for s in inp.samples]
    temp = [s.temp_c for s in inp.samples]
    res = thermal.thermal_dose(t, temp, inp.target_c, inp.max_gap_s)
    low = min(inp.target_c[0], 43.0)
    above_43 = thermal.thermal_dose(t, temp, (low, 43.0), inp.max_gap_s).time_above_min
    return {
        "cem43_min": res.cem43_min,
        "time_in_range_min": res.time_in_range_min,
        "time_above_target_min": res.time_above_min,
        "time_below_target_min": res.time_below_min,
        "time_above_43_min": above_43,
        "gaps": [{"start_s": g.start_s, "end_s": g.end_s} for g in res.gaps],
        "gap_min": res.gap_min,
        "covered_min": res.covered_min,
        "sampling_interval_s": res.sampling_interval_s,
    }


# ---------------------------------------------------------------------------- body size, dosing
class BsaIn(_In):
    height_cm: Num
    weight_kg: Num
    formula: Literal["mosteller", "dubois", "haycock"] = "mosteller"


class DoseIn(_In):
    per_m2_mg: Num | None = None
    per_kg_mg: Num | None = None
    bsa_m2: Num | None = None
    weight_kg: Num | None = None
    cap_mg: Num | None = None
    modification_pct: Num = 100.0
    rounding_mg: Num | None = None


class CrclIn(_In):
    age_years: Num
    weight_kg: Num
    serum_creatinine_mg_dl: Num
    sex: Literal["female", "male"]


class CalvertIn(_In):
    target_auc: Num
    gfr_ml_min: Num
    gfr_cap_ml_min: Num | None = Field(renal.CALVERT_GFR_CAP_ML_MIN,
                                       description="125 (FDA 2010) unless null")


def _calvert(inp: CalvertIn) -> dict[str, Any]:
    res = renal.carboplatin_calvert(inp.target_auc, inp.gfr_ml_min, gfr_cap_ml_min=inp.gfr_cap_ml_min)
    return {"dose_mg": round(res.dose_mg, 1), "gfr_used_ml_min": res.gfr_used_ml_min,
            "gfr_cap_ml_min": res.cap_ml_min, "cap_applied": res.cap_applied}


class EgfrIn(_In):
    method: Literal["schwartz_bedside", "ckd_epi_2021", "cockcroft_gault", "auto"] = "auto"
    creatinine: Num = Field(description="serum creatinine, in creatinine_unit")
    creatinine_unit: Literal["umol_l", "mg_dl"]
    age_years: Num | None = None
    sex: Literal["female", "male"] | None = None
    height_cm: Num | None = None
    weight_kg: Num | None = None


def _need(value: Any, field: str, method: str) -> Any:
    if value is None:
        raise InvalidInput(field, f"required for {method}")
    return value


def _egfr(inp: EgfrIn) -> dict[str, Any]:
    scr = renal.creatinine_mg_dl(inp.creatinine, inp.creatinine_unit)
    if inp.method == "cockcroft_gault":
        crcl = renal.cockcroft_gault_ml_min(_need(inp.age_years, "age_years", inp.method),
                                            _need(inp.weight_kg, "weight_kg", inp.method), scr,
                                            _need(inp.sex, "sex", inp.method))
        return {"method": "cockcroft_gault", "crcl_ml_min": round(crcl, 1), "unit": "mL/min",
                "creatinine_mg_dl": round(scr, 3), "source": "Cockcroft DW, Gault MH. Nephron 1976;16:31-41"}
    if inp.method == "schwartz_bedside":
        value = renal.schwartz_bedside_ml_min_173m2(_need(inp.height_cm, "height_cm", inp.method), scr)
        res = renal.Egfr(value, "schwartz_bedside", "Schwartz GJ et al., J Am Soc Nephrol 2009;20:629-637")
    elif inp.method == "ckd_epi_2021":
        value = renal.ckd_epi_2021_ml_min_173m2(_need(inp.age_years, "age_years", inp.method),
                                                _need(inp.sex, "sex", inp.method), scr)
        res = renal.Egfr(value, "ckd_epi_2021", "Inker LA et al., N Engl J Med 2021;385:1737-1749")
    else:
        res = renal.estimated_gfr(age_years=_need(inp.age_years, "age_years", "auto"),
                                  creatinine_mg_dl=scr, height_cm=inp.height_cm, sex=inp.sex)
    return {"method": res.method, "egfr_ml_min_173m2": round(res.egfr_ml_min_173m2, 1),
            "unit": "mL/min/1.73 m2", "creatinine_mg_dl": round(scr, 3), "source": res.source}


class MtxLevelIn(_In):
    hours_from_start: Num
    level_um: Num


class MtxIn(_In):
    levels: list[MtxLevelIn] = Field(min_length=1, max_length=50)
    infusion_hours: Num = 4.0
    creatinine_x_baseline: Num | None = None
    urine_ph: Num | None = None
    co_medications: list[str] = Field(default_factory=list, max_length=50)


def _mtx(inp: MtxIn) -> dict[str, Any]:
    levels = [methotrexate.MtxLevel(x.hours_from_start, x.level_um) for x in inp.levels]
    res = methotrexate.assess_levels(levels, infusion_hours=inp.infusion_hours,
                                     creatinine_x_baseline=inp.creatinine_x_baseline)
    found, unknown = methotrexate.interacting_drugs(inp.co_medications)
    return {
        "levels": [{"hours_from_start": x.hours_from_start, "level_um": x.level_um,
                    "expected_max_um": (None if (e := methotrexate.expected_level_um(
                        x.hours_from_start)) is None else round(e, 4)),
                    "delayed": x in res.delayed} for x in levels],
        "delayed_elimination": bool(res.delayed),
        "leucovorin": {"category": res.rescue.category, "dose_mg": res.rescue.dose_mg,
                       "interval_h": res.rescue.interval_h, "until": res.rescue.until,
                       "source": res.rescue.source},
        "glucarpidase": {"indicated": res.glucarpidase.indicated, "reason": res.glucarpidase.reason,
                         "source": res.glucarpidase.source},
        "urine_ph_ready": methotrexate.urine_ph_ready(inp.urine_ph),
        "interacting_drugs": [{"drug": d, "class": c} for d, c in found],
        "not_checked": list(unknown),
    }


class AnthracyclineDoseIn(_In):
    drug: str
    mg_m2: Num


class AnthracyclineIn(_In):
    doses: list[AnthracyclineDoseIn]
    warn_mg_m2: Num = 400.0
    limit_mg_m2: Num = 450.0


def _anthracycline(inp: AnthracyclineIn) -> dict[str, Any]:
    res = dosing.anthracycline_exposure(
        [(d.drug, d.mg_m2) for d in inp.doses], inp.warn_mg_m2, inp.limit_mg_m2
    )
    return {
        "doxorubicin_eq_mg_m2": res.doxorubicin_eq_mg_m2,
        "status": res.status,
        "source": dosing.ANTHRACYCLINE_SOURCE,
    }


# ---------------------------------------------------------------------------- bone sarcoma, surgery
class HuvosIn(_In):
    necrosis_pct: Num


class MstsIn(_In):
    limb: Literal["lower", "upper"] = "lower"
    domains: dict[str, Int] = Field(description="six domains, each 0-5")


class ClavienDindoIn(_In):
    treatment: Literal["none", "pharmacological", "intervention_local", "intervention_general"]
    organ_failure: Literal["none", "single", "multiple"] = "none"
    died: Bool = False
    disability_at_discharge: Bool = False


class EnnekingPelvicIn(_In):
    zones: list[Literal["I", "II", "III", "IV"]] = Field(min_length=1)


class MarginIn(_In):
    plane: Literal["within_lesion", "reactive_zone", "normal_tissue", "extracompartmental"]
    microscopic_residual: Bool
    macroscopic_residual: Bool


class AjccPelvisIn(_In):
    segments: Int
    extraosseous: Bool
    size_mm: Num
    crosses_si_joint: Bool = False
    sacral_neuroforamen: Bool = False
    vessel_encasement_or_thrombus: Bool = False


class SurgicalStageIn(_In):
    grade: Literal["low", "high"]
    compartment: Literal["intra", "extra"]
    metastasis: Bool


class CtcaeLabIn(_In):
    """One of the unit-named values: counts in x 10^9/L, haemoglobin in g/dL."""

    anc_10e9_l: Num | None = None
    platelets_10e9_l: Num | None = None
    hb_g_dl: Num | None = None
    lln: Num | None = Field(None, description="laboratory lower limit of normal, same unit")


_CTCAE_LAB = {
    "anc_10e9_l": ("Neutrophil count decreased", grade_neutrophils_10e9_l),
    "platelets_10e9_l": ("Platelet count decreased", grade_platelets_10e9_l),
    "hb_g_dl": ("Anemia", grade_anemia),
}


def _ctcae_lab(inp: CtcaeLabIn) -> dict[str, Any]:
    given = [k for k in _CTCAE_LAB if getattr(inp, k) is not None]
    if len(given) != 1:
        raise InvalidInput("anc_10e9_l", "give exactly one of anc_10e9_l, platelets_10e9_l, hb_g_dl")
    term, fn = _CTCAE_LAB[given[0]]
    value = getattr(inp, given[0])
    grade = fn(value) if inp.lln is None else fn(value, inp.lln)
    return {"term": term, "grade": grade, "version": "CTCAE v5.0"}


class FollowupIn(_In):
    end_of_treatment: dt.date
    kind: Literal["bone", "soft_tissue"]
    years: Int = 10
    late_interval_months: Literal[6, 12] = 12


def _followup(inp: FollowupIn) -> dict[str, Any]:
    visits = followup.followup_schedule(
        inp.end_of_treatment, inp.kind, years=inp.years, late_interval_months=inp.late_interval_months
    )
    return {
        "visits": [
            {"date": v.date.isoformat(), "months_after_treatment": v.months_after_treatment,
             "imaging": list(v.imaging)}
            for v in visits
        ]
    }


# ---------------------------------------------------------------------------- the catalogue
@dataclass(frozen=True)
class Calculator:
    name: str
    summary: str
    model: type[_In]
    run: Callable[[Any], dict[str, Any]]
    example: Mapping[str, Any]


def _clavien_dindo(i: ClavienDindoIn) -> dict[str, Any]:
    r = clavien_dindo(**i.model_dump())
    return {"grade": r.grade, "label": r.label, "disability": r.disability}


def _c(name: str, summary: str, model: type[_In], run: Callable[[Any], dict[str, Any]],
       example: Mapping[str, Any]) -> Calculator:
    return Calculator(name, summary, model, run, example)


CALCULATORS: dict[str, Calculator] = {c.name: c for c in (
    _c("recist", "RECIST 1.1 timepoint and best overall response (Eisenhauer 2009)", RecistIn, _recist,
       {"baseline": {"date": "2024-01-10", "targets": [{"id": "T1", "organ": "liver", "node": False, "mm": 32.0}],
                     "non_targets": ["N1"]},
        "followups": [{"date": "2024-03-10", "targets": {"T1": 20.0}, "non_target": "present", "new_lesions": False}]}),
    _c("pci", "Peritoneal Cancer Index 0-39 (Jacquet and Sugarbaker 1996)", PciIn,
       lambda i: {"pci": peritoneal.pci(i.regions)},
       {"regions": {str(r): 0 for r in range(13)}}),
    _c("cc", "Completeness of cytoreduction CC-0..CC-3 (Jacquet and Sugarbaker 1996)", CcIn,
       lambda i: {"cc": peritoneal.completeness_of_cytoreduction(i.largest_residual_mm, confluent=i.confluent)},
       {"largest_residual_mm": 1.0}),
    _c("cem43", "CEM43 thermal dose and time in target range (Sapareto and Dewey 1984)", Cem43In, _cem43,
       {"samples": [{"t_s": 0, "temp_c": 42.0}, {"t_s": 10, "temp_c": 42.4}], "target_c": [42, 43], "max_gap_s": 30}),
    _c("bsa", "Body surface area in m2 (Mosteller, DuBois, Haycock)", BsaIn,
       lambda i: {"bsa_m2": round(dosing.bsa_m2(i.height_cm, i.weight_kg, i.formula), 4), "formula": i.formula},
       {"height_cm": 170, "weight_kg": 60, "formula": "mosteller"}),
    _c("dose", "Dose in mg from mg/m2 or mg/kg with cap, % modification and rounding", DoseIn,
       lambda i: _asdict(dosing.dose_mg(**i.model_dump())),
       {"per_m2_mg": 1.5, "bsa_m2": 1.8, "cap_mg": 2.0, "modification_pct": 100}),
    _c("crcl", "Creatinine clearance mL/min (Cockcroft-Gault 1976)", CrclIn,
       lambda i: {"crcl_ml_min": round(dosing.creatinine_clearance_ml_min(
           i.age_years, i.weight_kg, i.serum_creatinine_mg_dl, i.sex), 1)},
       {"age_years": 40, "weight_kg": 70, "serum_creatinine_mg_dl": 1.0, "sex": "female"}),
    _c("calvert", "Carboplatin dose mg = AUC x (GFR + 25), GFR capped at 125 (Calvert 1989, FDA 2010)",
       CalvertIn, _calvert, {"target_auc": 5, "gfr_ml_min": 100}),
    _c("egfr", "eGFR: bedside Schwartz (<18 y), CKD-EPI 2021 (>=18 y) or Cockcroft-Gault", EgfrIn, _egfr,
       {"method": "ckd_epi_2021", "creatinine": 1.0, "creatinine_unit": "mg_dl", "age_years": 50,
        "sex": "female"}),
    _c("mtx_level", "High-dose methotrexate levels: delay, leucovorin, glucarpidase (Ramsey 2018)", MtxIn, _mtx,
       {"levels": [{"hours_from_start": 24, "level_um": 8}, {"hours_from_start": 48, "level_um": 0.6}],
        "infusion_hours": 4, "urine_ph": 7.5, "co_medications": ["omeprazole"]}),
    _c("anthracycline", "Cumulative doxorubicin-equivalent dose (IGHG / Feijen 2019)", AnthracyclineIn, _anthracycline,
       {"doses": [{"drug": "doxorubicin", "mg_m2": 75}], "warn_mg_m2": 400, "limit_mg_m2": 450}),
    _c("huvos", "Huvos necrosis grade I-IV, good responder >= 90 %", HuvosIn,
       lambda i: _asdict(huvos_grade(i.necrosis_pct)), {"necrosis_pct": 95}),
    _c("msts", "MSTS 1993 functional score 0-30 and percent", MstsIn,
       lambda i: _asdict(msts_score(i.domains, i.limb)),
       {"limb": "lower", "domains": {"pain": 5, "function": 3, "emotional_acceptance": 4, "supports": 3,
                                     "walking": 3, "gait": 3}}),
    _c("clavien_dindo", "Clavien-Dindo grade of a complication (Dindo 2004)", ClavienDindoIn,
       _clavien_dindo,
       {"treatment": "intervention_general", "organ_failure": "none", "died": False}),
    _c("enneking_pelvic", "Enneking-Dunham pelvic resection type from zones", EnnekingPelvicIn,
       lambda i: {"type": enneking_dunham_type(i.zones)}, {"zones": ["I", "IV"]}),
    _c("margin", "Enneking surgical margin and UICC R classification", MarginIn,
       lambda i: {"margin": enneking_margin(i.plane),
                  "r": residual_tumour(microscopic=i.microscopic_residual, macroscopic=i.macroscopic_residual)},
       {"plane": "normal_tissue", "microscopic_residual": False, "macroscopic_residual": False}),
    _c("ajcc_pelvis", "AJCC 8th ed. T category, pelvic bone tumours", AjccPelvisIn,
       lambda i: {"t": ajcc8_pelvis_t(**i.model_dump())},
       {"segments": 2, "extraosseous": True, "size_mm": 95}),
    _c("surgical_stage", "Enneking/MSTS surgical stage IA-III (Enneking 1980)", SurgicalStageIn,
       lambda i: {"stage": enneking_stage(**i.model_dump())},
       {"grade": "high", "compartment": "extra", "metastasis": False}),
    _c("ctcae_lab", "CTCAE v5.0 grade of a low blood count", CtcaeLabIn, _ctcae_lab,
       {"anc_10e9_l": 0.8}),
    _c("followup_schedule", "Follow-up visits and imaging after high-grade sarcoma (ESMO 2021)",
       FollowupIn, _followup, {"end_of_treatment": "2024-06-30", "kind": "bone"}),
)}


def _asdict(obj: Any) -> dict[str, Any]:
    return {k: getattr(obj, k) for k in obj.__dataclass_fields__}


def get(name: str) -> Calculator:
    try:
        return CALCULATORS[name]
    except KeyError:
        raise NotFound(f"no calculator named {name!r}; known: {', '.join(CALCULATORS)}") from None


def run(name: str, payload: object) -> dict[str, Any]:
    """Validate ``payload`` (a JSON object) for calculator ``name`` and run it."""
    calc = get(name)
    if not isinstance(payload, dict):
        raise InvalidInput("body", "must be a JSON object")
    try:
        inp = calc.model.model_validate(payload)
    except ValidationError as exc:
        raise invalid_from_validation(exc) from None
    return calc.run(inp)
