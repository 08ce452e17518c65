"""Outcomes across patients (issue 23): survival statistics and de-identification, pure.

- :mod:`.survival`: Kaplan-Meier with confidence intervals and numbers at risk, the log-rank test,
  cumulative incidence with competing risks (Aalen-Johansen) and Cox regression, over plain
  sequences (durations in days or months, event flags); lifelines does the estimation.
- :mod:`.deidentify`: per-patient date shifting, age groups, small-cell suppression and
  k-anonymity with generalisation of the quasi-identifiers.

Nothing here reads storage or the clock: the registry service (records) gathers the rows.
"""
