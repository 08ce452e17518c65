"""`rareonco hipec`: simulate a perfusion, analyse a perfusion log, render its report.

Thin commands: parse the options, call :mod:`rareonco.hipec` / :mod:`rareonco.reports`, print.
Bad input (missing file, malformed CSV, bad --target or --fault) is one line on standard error
and exit status 2, never a traceback; with ``--json`` the error is also printed as JSON.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from rareonco.errors import InvalidInput
from rareonco.hipec import Acknowledge, AlarmType, Prescription, format_csv, parse_fault, read_csv
from rareonco.hipec import analyse as analyse_log
from rareonco.hipec import simulate as simulate_log
from rareonco.hipec.analysis import DEFAULT_MAX_GAP_S, Analysis
from rareonco.hipec.simulator import DEFAULT_PROBES

from .failures import ReportingGroup, errors_as

app = typer.Typer(
    cls=ReportingGroup,
    help="HIPEC perfusion: simulate a circuit, analyse a perfusion log, render its report.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

_TARGET = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*[-:\u2013]\s*(\d+(?:[.,]\d+)?)\s*$")


def parse_target(text: str) -> tuple[float, float]:
    """``"42-43"`` -> (42.0, 43.0); raises InvalidInput(field="target")."""
    m = _TARGET.match(text)
    if m is None:
        raise InvalidInput(
            "target", f"{text!r} is not a range LOW-HIGH in C, e.g. 42-43"
        )
    low, high = (float(g.replace(",", ".")) for g in m.groups())
    if not (20.0 <= low < high <= 50.0):
        raise InvalidInput("target", f"need 20 <= LOW < HIGH <= 50 C, got {text!r}")
    return low, high


_ACK = re.compile(
    r"^\s*(?P<type>[a-z_]+)(?::(?P<probe>[a-z][a-z0-9_]*))?@(?P<t>[0-9.]+)=(?P<by>.+?)\s*$"
)


def parse_ack(text: str) -> Acknowledge:
    """``"over_temperature:ip_upper@1200=anna"`` -> an acknowledgement at 1200 s by anna."""
    m = _ACK.match(text)
    if m is None:
        raise InvalidInput("ack", f"{text!r} is not TYPE[:PROBE]@SECONDS=WHO")
    try:
        kind = AlarmType(m["type"])
    except ValueError:
        raise InvalidInput("ack", f"unknown alarm type {m['type']!r}") from None
    try:
        t_s = float(m["t"])
    except ValueError:
        raise InvalidInput("ack", f"{m['t']!r} is not a number of seconds") from None
    return Acknowledge(t_s, kind, m["probe"], m["by"])


def _prescription(target: str, duration_min: float, reach_min: float,
                  inflow_max_c: float | None, core_max_c: float,
                  flow_min_l_min: float) -> Prescription:
    low, high = parse_target(target)
    return Prescription(target_low_c=low, target_high_c=high, duration_min=duration_min,
                        reach_target_min=reach_min, inflow_max_c=inflow_max_c,
                        core_max_c=core_max_c, flow_min_l_min=flow_min_l_min)


_RX = Prescription()
TargetOpt = Annotated[str, typer.Option(help="Intraperitoneal target range, C.")]
DurationOpt = Annotated[float, typer.Option(
    "--duration-min", help="Prescribed minutes in range.")]
ReachOpt = Annotated[float, typer.Option(
    "--reach-min", help="Minutes allowed to reach the target after the pump starts.")]
InflowOpt = Annotated[float | None, typer.Option(
    "--inflow-max", help="Inflow limit, C (default: top of the target + 1.5).")]
CoreOpt = Annotated[float, typer.Option("--core-max", help="Patient core-temperature limit, C.")]
FlowOpt = Annotated[float, typer.Option("--flow-min", help="Minimum pump flow, L/min.")]
GapOpt = Annotated[float, typer.Option(
    "--max-gap-s", help="Intervals longer than this are gaps, not dosed; a log sampled more "
    "sparsely is refused unless this is raised to its interval.")]


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


@app.command()
def simulate(
    minutes: Annotated[
        float, typer.Option(help="Duration of the perfusion, min.")
    ] = 60.0,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same log.")] = 1,
    fault: Annotated[
        list[str] | None,
        typer.Option(
            help="Inject a fault, kind[:probe]@minutes[,key=value], e.g. heater_failure@3, "
            "heater_runaway@30, drift@20,rate=0.1 (set point creeping, C/min), pump_stop@40, "
            "flow_drop@30,flow=0.3 (L/min), probe_dropout:ip_pelvis@20[,for=2] (minutes), "
            "probe_flatline:ip_upper@25. Repeatable."
        ),
    ] = None,
    rate_hz: Annotated[
        float, typer.Option("--rate-hz", help="Sampling rate, Hz.")
    ] = 1.0,
    probes: Annotated[
        str,
        typer.Option(
            help="Comma-separated probe names (inflow, outflow, reservoir, ip_*, and a core "
            "probe: core, oesophageal, bladder)."
        ),
    ] = ",".join(DEFAULT_PROBES),
    out: Annotated[
        Path | None, typer.Option(help="CSV file to write (default: stdout).")
    ] = None,
) -> None:
    """Simulate a closed-circuit perfusion and write its log as CSV."""
    errors_as()
    faults = [parse_fault(f) for f in fault or []]
    names = [p.strip() for p in probes.split(",") if p.strip()]
    started = time.perf_counter()
    log = simulate_log(
        minutes, seed=seed, rate_hz=rate_hz, probes=names, faults=faults
    )
    text = format_csv(log)
    elapsed = time.perf_counter() - started
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        _stderr().print(
            f"wrote {out}: {len(log)} samples, {minutes:g} min at {rate_hz:g} Hz, "
            f"{len(faults)} fault(s), {elapsed:.2f} s"
        )


@app.command()
def analyse(
    log: Annotated[Path, typer.Argument(help="Perfusion log (CSV).")],
    target: TargetOpt = "42-43",
    duration_min: DurationOpt = _RX.duration_min,
    reach_min: ReachOpt = _RX.reach_target_min,
    inflow_max: InflowOpt = None,
    core_max: CoreOpt = _RX.core_max_c,
    flow_min: FlowOpt = _RX.flow_min_l_min,
    max_gap_s: GapOpt = DEFAULT_MAX_GAP_S,
    ack: Annotated[
        list[str] | None,
        typer.Option(help="Apply an acknowledgement TYPE[:PROBE]@SECONDS=WHO, e.g. "
                     "over_temperature:ip_upper@1200=anna. Repeatable."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Plateau, per-probe temperatures, CEM43 and coverage, every alarm and its life, data
    quality of a log, against the prescription given by the options."""
    errors_as(json=json_output)
    rx = _prescription(target, duration_min, reach_min, inflow_max, core_max, flow_min)
    acks = tuple(parse_ack(a) for a in ack or [])
    result = analyse_log(read_csv(log), prescription=rx, max_gap_s=max_gap_s,
                         acknowledgements=acks)
    if json_output:
        typer.echo(result.to_json())
        return
    _print_analysis(log, result)


def _print_analysis(log: Path, result: Analysis) -> None:
    console = Console(highlight=False, soft_wrap=True)
    p = result.plateau
    low, high = result.target_c
    console.print(f"[bold]{log}[/bold]  target {low:g}-{high:g} C, "
                  f"therapeutic time {result.time_in_range_min:.1f} min")
    if p.start_s is None:
        console.print("plateau: not reached")
    else:
        end = f"{p.end_s:g} s" if p.end_s is not None else "?"
        console.print(f"plateau: {p.start_s:g} s to {end}")
    table = Table("probe", "min C", "max C", "mean C", "in range min", "CEM43 min", "coverage",
                  "gaps min")

    def fmt(v: float | None) -> str:
        return "-" if v is None else f"{v:.2f}"

    for s in result.probes.values():
        table.add_row(s.probe, fmt(s.min_c), fmt(s.max_c), fmt(s.mean_c),
                      f"{s.time_in_range_min:.1f}", f"{s.cem43_min:.1f}", f"{s.coverage:.0%}",
                      f"{s.gap_min:.1f}")
    console.print(table)
    for a in result.alarms:
        ahead = (f" (crossing forecast at {a.predicted_crossing_s:.0f} s)"
                 if a.predicted_crossing_s is not None else "")
        console.print(f"[red]alarm L{a.level}[/red] {a.t_s:g} s {a.type.value}: "
                      f"{a.message}{ahead}")
    for life in result.alarm_lives:
        acks = "; ".join(f"acknowledged by {x.by} at {x.t_s:g} s" for x in life.acknowledgements)
        cleared = f"cleared {life.cleared_t_s:g} s" if life.cleared_t_s is not None else "active"
        console.print(f"episode {life.episode} {life.type.value} {life.probe or ''}: raised "
                      f"{life.raised_t_s:g} s, {len(life.alarms_t_s)} alarm(s) up to level "
                      f"{life.max_level}, {cleared}" + (f", {acks}" if acks else ""))
    for f in result.data_quality:
        where = f"{f.t_s:g} s" if f.t_s is not None else "file"
        console.print(f"[yellow]data quality[/yellow] {where}: {f.issue}")


@app.command()
def report(
    log: Annotated[Path, typer.Argument(help="Perfusion log (CSV).")],
    out: Annotated[Path, typer.Option(help="HTML file to write.")],
    pdf: Annotated[Path | None, typer.Option(help="Also write this PDF.")] = None,
    target: TargetOpt = "42-43",
    max_gap_s: GapOpt = DEFAULT_MAX_GAP_S,
    title: Annotated[
        str, typer.Option(help="Report title.")
    ] = "HIPEC perfusion report",
    meta: Annotated[
        list[str] | None,
        typer.Option(
            help="Procedure metadata LABEL=VALUE shown in the header. Repeatable."
        ),
    ] = None,
) -> None:
    """Render the perfusion report (chart, per-probe table, alarms) as HTML and optionally PDF."""
    from rareonco.reports.hipec_report import render_html, render_pdf

    errors_as()
    target_c = parse_target(target)
    metadata = {"Log file": log.name}
    for item in meta or []:
        label, sep, value = item.partition("=")
        if not sep or not label.strip():
            raise InvalidInput("meta", f"{item!r} is not LABEL=VALUE")
        metadata[label.strip()] = value.strip()
    perfusion = read_csv(log)
    result = analyse_log(perfusion, target_c=target_c, max_gap_s=max_gap_s)
    out.write_text(
        render_html(result, perfusion, title=title, metadata=metadata),
        encoding="utf-8",
    )
    console = _stderr()
    console.print(f"wrote {out}")
    if pdf is not None:
        with console.status("rendering PDF"):
            pdf.write_bytes(
                render_pdf(result, perfusion, title=title, metadata=metadata)
            )
        console.print(f"wrote {pdf}")
