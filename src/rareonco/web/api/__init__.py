"""JSON API under /api/v1: one router per resource."""

from fastapi import APIRouter

from rareonco.web.api import audit_log, auth, calc, cases, patients, referrals

api_router = APIRouter(prefix="/api/v1")
for module in (auth, patients, referrals, cases, audit_log, calc):
    api_router.include_router(module.router)
