"""Server-rendered pages (Jinja2 + htmx, no build step)."""

from fastapi import APIRouter

from rareonco.web.pages import cases, intake, login, patients

pages_router = APIRouter(include_in_schema=False)
for module in (login, patients, cases, intake):
    pages_router.include_router(module.router)
