"""Roles and what each may do.

- admin: everything, including accounts.
- clinician: identified patient data and clinical records.
- coordinator: the international desk: demographics, referrals, documents and logistics;
  case status but no clinical notes or clinical timeline payloads.
- researcher: de-identified views only (pseudonym, birth year, sex, countries, codes, status).
- auditor: the audit log only.
- pharmacist: reads clinical records; co-signs overrides, verifies or returns prescribed cycles
  and approves regimen versions (issue 17).
- nurse: reads clinical records; records the administration of verified cycles.
"""

from __future__ import annotations

from enum import StrEnum

from rareonco.errors import Forbidden, InvalidInput


class Role(StrEnum):
    ADMIN = "admin"
    CLINICIAN = "clinician"
    COORDINATOR = "coordinator"
    RESEARCHER = "researcher"
    AUDITOR = "auditor"
    PHARMACIST = "pharmacist"
    NURSE = "nurse"


class Permission(StrEnum):
    PATIENT_READ = "patient.read"  # identified demographics
    PATIENT_READ_DEIDENTIFIED = "patient.read_deidentified"
    PATIENT_WRITE = "patient.write"
    REFERRAL_WRITE = "referral.write"
    CASE_READ_STATUS = "case.read_status"
    CASE_READ_CLINICAL = "case.read_clinical"
    CASE_WRITE_CLINICAL = "case.write_clinical"
    CASE_TRANSITION = "case.transition"
    LOGISTICS_TRANSITION = "case.logistics_transition"
    AUDIT_READ = "audit.read"
    USER_MANAGE = "user.manage"
    CALCULATE = "calculate"
    CYCLE_COSIGN = "cycle.cosign"  # second signature on a prescription with overrides
    CYCLE_VERIFY = "cycle.verify"  # pharmacist's verification (or return) of a prescription
    CYCLE_ADMINISTER = "cycle.administer"
    REGIMEN_APPROVE = "regimen.approve"


_P = Permission
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.CLINICIAN: frozenset(
        {
            _P.PATIENT_READ, _P.PATIENT_WRITE, _P.REFERRAL_WRITE, _P.CASE_READ_STATUS,
            _P.CASE_READ_CLINICAL, _P.CASE_WRITE_CLINICAL, _P.CASE_TRANSITION,
            _P.LOGISTICS_TRANSITION, _P.CALCULATE, _P.CYCLE_COSIGN, _P.REGIMEN_APPROVE,
        }
    ),
    Role.COORDINATOR: frozenset(
        {
            _P.PATIENT_READ, _P.PATIENT_WRITE, _P.REFERRAL_WRITE, _P.CASE_READ_STATUS,
            _P.LOGISTICS_TRANSITION,
        }
    ),
    Role.RESEARCHER: frozenset({_P.PATIENT_READ_DEIDENTIFIED, _P.CALCULATE}),
    Role.AUDITOR: frozenset({_P.AUDIT_READ}),
    Role.PHARMACIST: frozenset(
        {
            _P.PATIENT_READ, _P.CASE_READ_STATUS, _P.CASE_READ_CLINICAL, _P.CALCULATE,
            _P.CYCLE_COSIGN, _P.CYCLE_VERIFY, _P.REGIMEN_APPROVE,
        }
    ),
    Role.NURSE: frozenset(
        {_P.PATIENT_READ, _P.CASE_READ_STATUS, _P.CASE_READ_CLINICAL, _P.CYCLE_ADMINISTER}
    ),
}


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInput("role", f"unknown role {value!r}; one of {', '.join(Role)}") from None


def can(role: str, permission: Permission) -> bool:
    return permission in GRANTS.get(Role(role), frozenset())


def require(role: str, permission: Permission) -> None:
    if not can(role, permission):
        raise Forbidden(f"role {role!r} may not {permission.value}")
