"""Chemotherapy courses: planning with the regimen library, given cycles with their safety checks,
and what is measured around them (weights, labs, adverse events)."""
