"""HIPEC perfusion: logs and their data quality, the alarm engine, analysis, a circuit simulator.

Modules: ``perfusion`` (value objects, probe kinds), ``logfile`` (CSV), ``prescription`` (target
and limits the alarms are relative to), ``alarms`` + ``lifecycle`` + ``forecast`` (the engine,
alarm episodes and escalation, the trend forecast), ``analysis``, ``simulator`` + ``faults``,
``perfusion_drugs`` (perfusion drug dose plausibility).

Pure: values in, values out. Files are read and written only by :func:`read_csv` /
:func:`write_csv` in :mod:`rareonco.hipec.logfile`.
"""

from .alarms import Alarm, AlarmConfig, AlarmMonitor, AlarmType
from .analysis import Acknowledge, Analysis, Plateau, ProbeSummary, analyse
from .faults import Fault, parse_fault
from .lifecycle import AlarmLife
from .logfile import format_csv, parse_csv, read_csv, write_csv
from .perfusion import (
    DataQualityFinding,
    PerfusionLog,
    SampleBatch,
    is_core,
    is_intraperitoneal,
)
from .prescription import Prescription
from .simulator import PerfusionSimulator, SimulatorParams, simulate, stream

__all__ = [
    "Acknowledge",
    "Alarm",
    "AlarmConfig",
    "AlarmLife",
    "AlarmMonitor",
    "AlarmType",
    "Analysis",
    "DataQualityFinding",
    "Fault",
    "PerfusionLog",
    "PerfusionSimulator",
    "Plateau",
    "Prescription",
    "ProbeSummary",
    "SampleBatch",
    "SimulatorParams",
    "analyse",
    "format_csv",
    "is_core",
    "is_intraperitoneal",
    "parse_csv",
    "parse_fault",
    "read_csv",
    "simulate",
    "stream",
    "write_csv",
]
