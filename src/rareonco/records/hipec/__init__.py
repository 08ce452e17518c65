"""HIPEC: procedures, perfusion samples with their alarms, CSV imports, and the live service
(one writer per procedure, subscribers, simulated perfusions)."""
