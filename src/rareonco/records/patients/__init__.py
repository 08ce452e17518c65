"""Patients: registration, identified and de-identified reads, updates, search."""
