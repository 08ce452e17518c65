"""The live stream (server-sent events): snapshot first, then samples and alarms as stored."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator

from .conftest import rows


def events(lines: Iterator[str]) -> Iterator[tuple[str, dict]]:
    kind, data = None, []
    for line in lines:
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: "):
            data.append(line[6:])
        elif line == "" and kind:
            yield kind, json.loads("".join(data))
            kind, data = None, []


def test_stream_delivers_samples_and_an_alarm(clients, case_id, procedure) -> None:
    base = f"/api/v1/cases/{case_id}/hipec/{procedure['id']}"
    writer = clients["admin"]
    writer.post(base + "/samples", json=rows(0, 5))
    with clients["clinician"].stream("GET", base + "/stream", params={"limit": 3}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        it = events(r.iter_lines())
        kind, snap = next(it)
        assert kind == "snapshot" and snap["samples"]["t_s"] == [0.0, 1.0, 2.0, 3.0, 4.0]
        assert snap["alarms"] == [] and snap["target_c"] == [42.0, 43.0]
        assert writer.post(base + "/samples", json=rows(5, 5, inflow_c=45.5)).status_code == 200
        kind, batch = next(it)
        assert kind == "samples" and batch["t_s"][0] == 5.0 and batch["probes"]["inflow"][0] == 45.5
        kind, alarm = next(it)
        assert kind == "alarm" and alarm["type"] == "over_temperature"
        assert alarm["probe"] == "inflow" and alarm["acknowledged_at"] is None
        ack = writer.post(base + f"/alarms/{alarm['id']}/ack")
        assert ack.status_code == 200
        kind, acked = next(it)
        assert kind == "ack" and acked["id"] == alarm["id"] and acked["acknowledged_by"] == "admin"


def test_stream_needs_a_login(anon, clients, case_id, procedure) -> None:
    r = anon.get(f"/api/v1/cases/{case_id}/hipec/{procedure['id']}/stream")
    assert r.status_code == 401


def test_live_feed_freezes_the_start_up_heap(clients, case_id, procedure) -> None:
    """A full garbage collection must not walk the whole app (a 110-150 ms pause with the GIL
    held, measured in benchmarks/hipec_stream.py) while alarms are on their way."""
    base = f"/api/v1/cases/{case_id}/hipec/{procedure['id']}"
    assert clients["admin"].post(base + "/samples", json=rows(0, 5)).status_code == 200
    assert gc.get_freeze_count() > 0


def test_snapshot_counts_the_stored_samples_as_the_analysis_does(clients, case_id,
                                                                 procedure) -> None:
    """The live page's header counts what is stored (the snapshot's `n_samples`), not the
    thinned points it draws: the same number as the analysis (issue 18)."""
    base = f"/api/v1/cases/{case_id}/hipec/{procedure['id']}"
    for t0 in (0, 2000, 4000):
        assert clients["admin"].post(base + "/samples", json=rows(t0, 2000)).status_code == 200
    with clients["clinician"].stream("GET", base + "/stream", params={"limit": 1}) as r:
        kind, snap = next(events(r.iter_lines()))
    assert kind == "snapshot" and len(snap["samples"]["t_s"]) < 6000
    assert snap["n_samples"] == 6000
    assert clients["clinician"].get(base + "/analysis").json()["n_samples"] == 6000
