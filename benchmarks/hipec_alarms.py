"""Benchmark of the HIPEC alarm engine on simulated faults (issue 19).

N perfusions (default 200) of 60 min at 1 Hz from the circuit simulator, each with one random
fault at a random minute and random sensor noise (white noise 0.02-0.06 C, abdominal mixing
fluctuation 0.04-0.12 C), plus M fault-free perfusions (default 50) with random noise. Faults:

- ``heater_failure`` at 2-40 min: expected ``target_not_reached`` (before the target is reached)
  or ``under_temperature`` / ``under_temperature_predicted``;
- ``heater_runaway`` at 5-40 min: ``over_temperature`` (or its forecast);
- ``drift`` (set point creeping, +-0.08-0.3 C/min) at 15-30 min: ``over_*`` or ``under_*``;
- ``pump_stop``, ``flow_drop`` (0.1-0.4 L/min) at 10-50 min: ``flow_low``;
- ``probe_dropout`` / ``probe_flatline`` of an abdominal probe at 10-50 min: ``probe_silent`` /
  ``probe_flatline`` on that probe.

Printed:

- per fault kind: how many were detected (an expected alarm at or after the fault), and the
  detection delay (first expected alarm minus fault time) p50 / p95, with the alarm types that
  came first; the same for the baseline, the issue-6 engine (fixed 44.5 / 43.5 C limits,
  under-temperature only after the plateau, no target rule, no forecast), kept verbatim in
  ``benchmarks/_baseline_alarms.py`` and fed the same logs;
- on drifts: how many seconds the first forecast (``*_predicted``) of each probe comes before
  that probe's real alarm (its onset: the first sample of the run above the limit that raised
  it), and before the true crossing (the same run simulated without noise), p5 / p50 / p95;
  and how many forecast episodes were not followed by the real alarm on that probe within 3
  min (false forecasts), on faulty and fault-free runs;
- persistence: of the faults that last to the end of the run, how many are still being
  announced (an expected alarm, any level) in the last 5 minutes, and the highest level reached
  (issue 19: a sustained runaway fired 3 alarms early and then fell silent);
- false alarms (episodes, i.e. level-1 announcements; repeats of the same episode not counted)
  per 10 perfusion-hours on the fault-free runs, new engine and baseline;
- wall time, CPU count used, peak memory (max RSS of the main and worker processes).

Goals (issue 19): every fault detected; forecast >= 30 s ahead at p50 on slow drifts; < 1 false
alarm per 10 perfusion-hours.

Run: ``.venv/bin/python benchmarks/hipec_alarms.py [--faulty 200] [--clean 50] [--workers N]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from _baseline_alarms import AlarmMonitor as BaselineMonitor
from rareonco.hipec import (
    Fault,
    SimulatorParams,
    analyse,
    simulate,
)

MINUTES = 60.0
PROBES = ("inflow", "outflow", "ip_upper", "ip_pelvis")
IP = ("ip_upper", "ip_pelvis")
FORECAST_CONFIRM_S = 180.0

EXPECTED: dict[str, set[str]] = {
    "heater_failure": {"target_not_reached", "under_temperature", "under_temperature_predicted"},
    "heater_runaway": {"over_temperature", "over_temperature_predicted"},
    "drift+": {"over_temperature", "over_temperature_predicted"},
    "drift-": {"under_temperature", "under_temperature_predicted", "target_not_reached"},
    "pump_stop": {"flow_low"},
    "flow_drop": {"flow_low"},
    "probe_dropout": {"probe_silent"},
    "probe_flatline": {"probe_flatline"},
}


def make_cases(n_faulty: int, n_clean: int, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    kinds = ["heater_failure", "heater_runaway", "drift", "pump_stop", "flow_drop",
             "probe_dropout", "probe_flatline"]
    cases = []
    for i in range(n_faulty + n_clean):
        case = {"seed": int(rng.integers(1 << 30)),
                "noise_c": float(rng.uniform(0.02, 0.06)),
                "fluctuation_c": float(rng.uniform(0.04, 0.12)), "fault": None}
        if i < n_faulty:
            kind = kinds[i % len(kinds)]
            if kind == "heater_failure":
                fault = Fault(kind, float(rng.uniform(2, 40)))
            elif kind == "heater_runaway":
                fault = Fault(kind, float(rng.uniform(5, 40)))
            elif kind == "drift":
                rate = float(rng.uniform(0.08, 0.3)) * (1 if rng.random() < 0.5 else -1)
                fault = Fault(kind, float(rng.uniform(15, 30)), rate_c_min=round(rate, 3))
            elif kind == "flow_drop":
                fault = Fault(kind, float(rng.uniform(10, 50)),
                              flow_l_min=round(float(rng.uniform(0.1, 0.4)), 2))
            elif kind in ("probe_dropout", "probe_flatline"):
                fault = Fault(kind, float(rng.uniform(10, 50)), probe=IP[int(rng.integers(2))])
            else:
                fault = Fault(kind, float(rng.uniform(10, 50)))
            case["fault"] = fault
        cases.append(case)
    return cases


def _label(fault: Fault) -> str:
    if fault.kind == "drift":
        return "drift+" if (fault.rate_c_min or 0) > 0 else "drift-"
    return fault.kind


def run_case(case: dict) -> dict:
    params = SimulatorParams(noise_c=case["noise_c"], fluctuation_c=case["fluctuation_c"])
    faults = [case["fault"]] if case["fault"] else []
    log = simulate(MINUTES, seed=case["seed"], probes=PROBES, faults=faults, params=params)
    started = time.perf_counter()
    result = analyse(log)
    engine_s = time.perf_counter() - started
    baseline = BaselineMonitor(probes=list(PROBES))
    started = time.perf_counter()
    old = baseline.feed_batch(log)
    baseline_s = time.perf_counter() - started
    out = {
        "fault": case["fault"], "hours": MINUTES / 60, "engine_s": engine_s,
        "baseline_s": baseline_s,
        "alarms": [(a.type.value, a.probe, a.t_s, a.onset_s, a.level) for a in result.alarms],
        "baseline": [(a.type.value, a.probe, a.t_s) for a in old],
        "truth": None,
    }
    fault = case["fault"]
    if fault is not None and fault.kind == "drift":
        quiet = SimulatorParams(noise_c=0.0, fluctuation_c=0.0)
        truth = simulate(MINUTES, seed=case["seed"], probes=PROBES, faults=faults, params=quiet)
        out["truth"] = {p: (truth.t_s, truth.probes_c[p]) for p in PROBES}
    return out


def _pct(values: list[float], q: float) -> str:
    return f"{np.percentile(values, q):.0f}" if values else "-"


def detection(results: list[dict], key: str) -> dict[str, list]:
    """fault label -> list of (delay_s or None, first alarm type)."""
    table: dict[str, list] = defaultdict(list)
    for r in results:
        fault = r["fault"]
        if fault is None:
            continue
        label = _label(fault)
        expected = EXPECTED[label]
        hits = [a for a in r[key] if a[0] in expected and a[2] >= fault.at_s - 1e-9
                and (fault.probe is None or a[1] == fault.probe)]
        if hits:
            first = min(hits, key=lambda a: a[2])
            table[label].append((first[2] - fault.at_s, first[0]))
        else:
            table[label].append((None, None))
    return table


def persistence(results: list[dict]) -> dict[str, tuple[int, int, int, int]]:
    """fault label -> (runs, still announced in the last 5 min: new, baseline, max level 3)."""
    end_s = MINUTES * 60
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in results:
        fault = r["fault"]
        if fault is None or fault.kind not in ("heater_runaway", "heater_failure", "pump_stop",
                                               "flow_drop", "drift"):
            continue
        label = _label(fault)
        expected = EXPECTED[label] | {"target_not_reached", "flow_low"}
        row = out[label]
        row[0] += 1
        new = [a for a in r["alarms"] if a[0] in expected and a[2] >= fault.at_s]
        row[1] += any(a[2] >= end_s - 300 for a in new)
        row[2] += any(a[0] in expected and a[2] >= end_s - 300 for a in r["baseline"])
        row[3] += any(a[4] == 3 for a in new)
    return {k: tuple(v) for k, v in out.items()}  # type: ignore[misc]  # fixed-length rows


def forecast_leads(results: list[dict]) -> tuple[list[float], list[float], int, int]:
    """Leads (s) of the first forecast before the real alarm's onset and before the true
    crossing, on drift runs; confirmed and unconfirmed forecast episodes on all faulty runs."""
    lead_alarm, lead_truth = [], []
    confirmed = unconfirmed = 0
    for r in results:
        fault = r["fault"]
        if fault is None:
            continue
        alarms = r["alarms"]
        for kind in ("over", "under"):
            for probe in PROBES:
                pred = [a for a in alarms if a[0] == f"{kind}_temperature_predicted"
                        and a[1] == probe and a[4] == 1]
                real = [a for a in alarms if a[0] == f"{kind}_temperature" and a[1] == probe
                        and a[4] == 1]
                for p in pred:
                    ok = any(p[2] <= x[3] <= p[2] + FORECAST_CONFIRM_S for x in real)
                    confirmed += ok
                    unconfirmed += not ok
                if fault.kind != "drift" or not real:
                    continue
                onset = real[0][3]
                early = [p for p in pred if fault.at_s <= p[2] <= onset]
                if not early:
                    lead_alarm.append(0.0)  # forecast missed: no lead
                    continue
                lead_alarm.append(onset - early[0][2])
                t, temps = r["truth"][probe]
                limit = 43.5 if probe in IP else 44.5
                if kind == "under":
                    limit = 41.5
                hit = (temps > limit) if kind == "over" else (temps < limit)
                idx = np.flatnonzero(hit & (t >= fault.at_s))
                if idx.size:
                    lead_truth.append(float(t[idx[0]]) - early[0][2])
    return lead_alarm, lead_truth, confirmed, unconfirmed


def false_alarms(results: list[dict]) -> tuple[float, int, int, float]:
    clean = [r for r in results if r["fault"] is None]
    hours = sum(r["hours"] for r in clean)
    new = sum(1 for r in clean for a in r["alarms"] if a[4] == 1)
    old = sum(len(r["baseline"]) for r in clean)
    return hours, new, old, 10.0 / hours if hours else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--faulty", type=int, default=200)
    ap.add_argument("--clean", type=int, default=50)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=19)
    args = ap.parse_args()
    cases = make_cases(args.faulty, args.clean, args.seed)
    started = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(run_case, cases, chunksize=4))
    wall_s = time.perf_counter() - started

    print(f"{args.faulty} faulty + {args.clean} fault-free perfusions of {MINUTES:g} min at 1 Hz, "
          f"{len(PROBES)} probes, random noise; {args.workers} worker processes")
    new, old = detection(results, "alarms"), detection(results, "baseline")
    print("\nfault kind        n  detected  delay p50/p95 s  first alarm types"
          "                    | baseline detected  p50/p95 s")
    missed = 0
    for label in EXPECTED:
        rows, base = new.get(label, []), old.get(label, [])
        delays = [d for d, _ in rows if d is not None]
        base_delays = [d for d, _ in base if d is not None]
        missed += len(rows) - len(delays)
        kinds = defaultdict(int)
        for _, k in rows:
            kinds[k or "MISSED"] += 1
        kinds_text = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda x: -x[1]))
        print(f"{label:<15} {len(rows):>3}  {len(delays):>3}/{len(rows):<3}  "
              f"{_pct(delays, 50):>6} / {_pct(delays, 95):<6}  {kinds_text:<36.36} | "
              f"{len(base_delays):>3}/{len(base):<3}  {_pct(base_delays, 50):>6} / "
              f"{_pct(base_delays, 95)}")
    per_type: dict[str, list[float]] = defaultdict(list)
    for r in results:
        if r["fault"] is None:
            continue
        seen = set()
        for a in r["alarms"]:
            if a[2] >= r["fault"].at_s and a[0] not in seen and a[4] == 1:
                seen.add(a[0])
                per_type[a[0]].append(a[2] - r["fault"].at_s)
    print("\nfirst alarm of each type after the fault (all fault kinds): delay p50 / p95 s (n)")
    for kind, delays in sorted(per_type.items()):
        print(f"  {kind:<28} {_pct(delays, 50):>6} / {_pct(delays, 95):<6} ({len(delays)})")

    print("\npersisting faults still announced in the last 5 min of the run (new | baseline), "
          "and reaching level 3:")
    for label, (n, new_end, old_end, level3) in persistence(results).items():
        print(f"  {label:<15} {new_end:>3}/{n:<3} | {old_end:>3}/{n:<3}   level 3: {level3}/{n}")

    lead_alarm, lead_truth, confirmed, unconfirmed = forecast_leads(results)
    print("\nforecast lead on drifts (s), first forecast of each probe that then alarmed:")
    print(f"  before the real alarm's onset   p5 {_pct(lead_alarm, 5)}  p50 "
          f"{_pct(lead_alarm, 50)}  p95 {_pct(lead_alarm, 95)}  (n {len(lead_alarm)}, "
          f"{sum(1 for x in lead_alarm if x <= 0)} without a forecast)")
    print(f"  before the true crossing        p5 {_pct(lead_truth, 5)}  p50 "
          f"{_pct(lead_truth, 50)}  p95 {_pct(lead_truth, 95)}  (n {len(lead_truth)}; noise-free)")
    total = confirmed + unconfirmed
    print(f"  forecast episodes on faulty runs: {total}, followed by the real alarm within "
          f"{FORECAST_CONFIRM_S:g} s: {confirmed} ({confirmed / total:.0%} confirmed)"
          if total else "  no forecast episodes")

    hours, n_new, n_old, per10 = false_alarms(results)
    print(f"\nfault-free: {hours:g} perfusion-hours; false alarms (episodes): new engine {n_new} "
          f"= {n_new * per10:.2f} per 10 h; baseline {n_old} = {n_old * per10:.2f} per 10 h")

    engine_s = sum(r["engine_s"] for r in results)
    base_s = sum(r["baseline_s"] for r in results)
    data_h = sum(r["hours"] for r in results)
    rss_mb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                 resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    print(f"\nwall {wall_s:.1f} s; engine (analyse) {engine_s:.1f} s CPU for {data_h:g} h of data "
          f"= {engine_s / data_h / 3600 * 1e3:.3f} ms per second of 4-probe data; baseline engine "
          f"{base_s:.1f} s; peak RSS {rss_mb:.0f} MB (largest process)")
    print(f"goals: every fault detected: {'yes' if missed == 0 else f'NO ({missed} missed)'}; "
          f"forecast p50 >= 30 s on drifts: "
          f"{'yes' if lead_alarm and np.percentile(lead_alarm, 50) >= 30 else 'no'}; "
          f"< 1 false alarm per 10 h: {'yes' if n_new * per10 < 1 else 'no'}")


if __name__ == "__main__":
    main()
