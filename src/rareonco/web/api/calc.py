"""Calculators (placeholder until the clinical rules library lands)."""

from fastapi import APIRouter

router = APIRouter(prefix="/calc", tags=["calculators"])
