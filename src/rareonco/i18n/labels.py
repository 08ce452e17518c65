"""Labels of the foundation's vocabularies, marked for the catalogues.

Templates show them as `_(value.replace('_', ' '))`; listing them here puts them in the
extracted catalogue (the values themselves stay English in the database and the API).
"""

from rareonco.i18n import N_

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
ROLES = (N_("admin"), N_("clinician"), N_("coordinator"), N_("researcher"), N_("auditor"))
TASK_STATUSES = (N_("open"), N_("done"), N_("cancelled"))
LOGIN_ERRORS = (N_("wrong username or password"), N_("session expired; log in again"))

# Vocabularies of the clinical features, shown as `_(value.replace('_', ' '))` on their pages.
REGIMEN_STATUSES = (N_("draft"), N_("verified"))
COURSE_STATUSES = (N_("planned"), N_("in progress"), N_("completed"), N_("stopped"))
#: `records.course_schemas.STOP_REASONS`, as the course page shows them
COURSE_STOP_REASONS = (N_("toxicity"), N_("progression"), N_("surgery"), N_("patient choice"),
                       N_("death"), N_("transferred"), N_("other"))
FINDING_SEVERITIES = (N_("block"), N_("needs reason"), N_("warn"))
NON_TARGET_STATUSES = (N_("absent"), N_("present"), N_("progression"), N_("not evaluated"))
HIPEC_STATUSES = (N_("planned"), N_("running"), N_("finished"))
PLAN_JOB_STATUSES = (N_("queued"), N_("running"), N_("done"), N_("failed"))
PATIENT_SIDES = (N_("patient's left"), N_("patient's right"))
PLAN_MESHES = (N_("Remaining bone"), N_("Resected bone"), N_("Implant template"))
