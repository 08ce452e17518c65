"""Chemotherapy courses: planning with the regimen library (``service``), cycles prescribed
through the gate of ``rareonco course check`` (``cycles``, fed by ``checking`` and ``exposure``),
co-signed, verified or returned, administered (``signoff``, with ``pending_tasks`` for an inbox),
regimen approvals (``approvals``), and what is measured around them (``observations``)."""
