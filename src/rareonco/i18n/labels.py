"""Labels of the foundation's vocabularies, marked for the catalogues.

Templates show them as `_(value.replace('_', ' '))`; listing them here puts them in the
extracted catalogue (the values themselves stay English in the database and the API).
"""

from rareonco.i18n import N_, current_locale, gettext

PATHWAY_STATUSES = (
    N_("referral received"), N_("remote review"), N_("accepted"), N_("declined"),
    N_("admitted"), N_("diagnosis confirmed"), N_("board reviewed"), N_("in treatment"),
    N_("follow up"), N_("closed"),
)
CLOSE_REASONS = (N_("completed"), N_("deceased"), N_("lost to follow up"), N_("transferred"))
SEXES = (N_("female"), N_("male"), N_("other"), N_("unknown"))
LATERALITIES = (N_("left"), N_("right"), N_("bilateral"), N_("midline"),
                N_("not applicable"))
EVENT_KINDS = (
    N_("referral"), N_("status change"), N_("admission"), N_("discharge"), N_("imaging"),
    N_("biopsy"), N_("pathology"), N_("board decision"), N_("chemotherapy cycle"),
    N_("surgery"), N_("hipec"), N_("response assessment"), N_("follow up visit"),
    N_("resection plan"), N_("note"), N_("death"), N_("remote opinion"),
)
ROLES = (N_("admin"), N_("clinician"), N_("coordinator"), N_("researcher"), N_("auditor"),
         N_("pharmacist"), N_("nurse"))
TASK_STATUSES = (N_("open"), N_("done"), N_("cancelled"))
LOGIN_ERRORS = (N_("wrong username or password"), N_("session expired; log in again"))

# Vocabularies of the clinical features, shown as `_(value.replace('_', ' '))` on their pages.
REGIMEN_STATUSES = (N_("draft"), N_("verified"))
COURSE_STATUSES = (N_("planned"), N_("in progress"), N_("completed"), N_("stopped"))
#: `records.course_schemas.STOP_REASONS`, as the course page shows them
COURSE_STOP_REASONS = (N_("toxicity"), N_("progression"), N_("surgery"), N_("patient choice"),
                       N_("death"), N_("transferred"), N_("other"))
#: phases of a chemotherapy cycle (regimen files' `phase`, cycle payloads)
CYCLE_PHASES = (N_("preoperative"), N_("postoperative"), N_("neoadjuvant"), N_("adjuvant"),
                N_("induction"), N_("consolidation"), N_("maintenance"))
FINDING_SEVERITIES = (N_("block"), N_("needs reason"), N_("warn"))
NON_TARGET_STATUSES = (N_("absent"), N_("present"), N_("progression"), N_("not evaluated"))
HIPEC_STATUSES = (N_("planned"), N_("running"), N_("finished"))
PLAN_JOB_STATUSES = (N_("queued"), N_("running"), N_("done"), N_("failed"))
PATIENT_SIDES = (N_("patient's left"), N_("patient's right"))
PLAN_MESHES = (N_("Remaining bone"), N_("Resected bone"), N_("Implant template"))

#: `security.roles.Permission` values -> the action, as a refusal names it
PERMISSIONS = {
    "patient.read": N_("see a patient's identity"),
    "patient.read_deidentified": N_("see de-identified patient records"),
    "patient.write": N_("change a patient's details"),
    "referral.write": N_("record a referral"),
    "case.read_status": N_("see a case's status"),
    "case.read_clinical": N_("read the clinical record of a case"),
    "case.write_clinical": N_("write to the clinical record of a case"),
    "case.transition": N_("move a case along its pathway"),
    "case.logistics_transition": N_("move a case through its logistics steps"),
    "audit.read": N_("read the audit log"),
    "user.manage": N_("manage user accounts"),
    "calculate": N_("use the calculators"),
}
#: what a "not found" names (`NotFound` messages: "<thing> <id> not found")
RECORD_KINDS = {
    "patient": N_("patient"), "case": N_("case"), "board meeting": N_("board meeting"),
    "decision": N_("decision"), "agenda item": N_("agenda item"), "attendee": N_("attendee"),
    "task": N_("task"), "HIPEC procedure": N_("HIPEC procedure"), "procedure": N_("procedure"),
    "course": N_("course"), "cycle": N_("cycle"), "inquiry": N_("inquiry"),
    "referral": N_("referral"), "plan": N_("plan"), "study": N_("study"),
}
#: HTTP statuses -> what the error page says when the message itself says no more
HTTP_STATUSES = {
    400: N_("The request could not be understood."),
    401: N_("Log in to continue."),
    403: N_("You may not do this."),
    404: N_("Page not found."),
    405: N_("This action is not available here."),
    409: N_("This conflicts with the current state of the record."),
    422: N_("The request holds a value that cannot be accepted."),
    429: N_("Too many requests: wait a moment and try again."),
    500: N_("Internal error; it has been logged."),
}
#: laboratory keys (`<analyte>_<unit>`, as `regimens.gate.LabsIn` and the course forms name
#: them) -> (label, unit), English, marked for the catalogues; `lab_label` shows them translated
LABS = {
    "anc_10e9_l": (N_("ANC"), N_("×10⁹/L")),
    "platelets_10e9_l": (N_("Platelets"), N_("×10⁹/L")),
    "creatinine_umol_l": (N_("Creatinine"), N_("µmol/L")),
    "creatinine_mg_dl": (N_("Creatinine"), N_("mg/dL")),
    "gfr_ml_min_173m2": (N_("GFR"), N_("mL/min/1.73 m²")),
    "crcl_ml_min": (N_("Creatinine clearance"), N_("mL/min")),
    "bilirubin_x_uln": (N_("Bilirubin"), N_("× ULN")),
    "bilirubin_mg_dl": (N_("Bilirubin"), N_("mg/dL")),
    "bilirubin_umol_l": (N_("Bilirubin"), N_("µmol/L")),
    "lvef_pct": (N_("LVEF"), N_("%")),
    "alt_x_uln": (N_("ALT"), N_("× ULN")),
    "cpk_x_uln": (N_("CPK"), N_("× ULN")),
}


def lab_label(key: str) -> str:
    """`anc_10e9_l` -> "ANC, ×10⁹/L" / "АЧН, ×10⁹/л" in the current locale; an unknown key as
    it is."""
    if key not in LABS:
        return key
    label, unit = LABS[key]
    return f"{gettext(label)}, {gettext(unit)}"


# -- HIPEC -------------------------------------------------------------------------------------
HIPEC_TECHNIQUES = {"closed": N_("closed"), "open": N_("open")}
#: probe names of the perfusion logs and the simulator; `ip_*` are intraperitoneal
HIPEC_PROBES = {
    "inflow": N_("inflow"), "outflow": N_("outflow"), "ip_upper": N_("upper abdomen"),
    "ip_pelvis": N_("pelvis"), "ip_lower": N_("lower abdomen"), "ip_left": N_("left flank"),
    "ip_right": N_("right flank"), "core": N_("core (oesophageal)"),
    "bladder": N_("bladder"), "reservoir": N_("reservoir"),
}
#: units as the HIPEC and board pages write them
UNITS = (N_("mg"), N_("mg/m²"), N_("m²"), N_("ml"), N_("min"), N_("L/min"), N_("cm"), N_("kg"),
         N_("s"))


def probe_label(name: str) -> str:
    """`ip_upper` -> "верхний этаж брюшной полости"; an unknown intraperitoneal probe as
    "intraperitoneal: <name>". In English the probe keeps the name the perfusion machine's log
    gives it (what the team reads on the machine)."""
    if current_locale() == "en":
        return name
    if name in HIPEC_PROBES:
        return gettext(HIPEC_PROBES[name])
    if name.startswith("ip_"):
        return gettext("intraperitoneal: %(name)s") % {"name": name[3:].replace("_", " ")}
    return name



#: record numbers in page addresses and forms, as a refusal names them (`/patients/abc`)
FIELD_LABELS = {
    "patient_id": N_("patient number"), "case_id": N_("case number"),
    "meeting_id": N_("meeting number"), "item_id": N_("agenda item number"),
    "decision_id": N_("decision number"), "attendee_id": N_("attendee number"),
    "task_id": N_("task number"), "procedure_id": N_("procedure number"),
    "course_id": N_("course number"), "cycle_id": N_("cycle number"),
    "inquiry_id": N_("inquiry number"), "plan_id": N_("plan number"),
    "chair_id": N_("chair"), "specialty": N_("specialty"), "intent": N_("intent"),
    "pci": N_("Peritoneal Cancer Index (0-39)"), "procedure_date": N_("Date"),
    "reason": N_("Reason for a dose beyond the protocol's range"), "drug": N_("Drug"),
}


def status_change_summary(summary: str) -> str:
    """A `status_change` timeline summary (`admitted → diagnosis_confirmed (reason)`, written by
    the pathway) in the current locale; the typed reason as written."""
    head, sep, reason = summary.partition(" (")
    before, arrow, after = head.partition(" → ")
    if not arrow:
        return summary
    text = f"{gettext(before.replace('_', ' '))} → {gettext(after.replace('_', ' '))}"
    return text + (f" ({reason}" if sep else "")
