"""Issue 19 on the platform: alarms relative to the procedure's prescription, the stored
level/episode/limit/forecast fields, and an acknowledgement that reaches the live monitor
(quiet until the condition worsens), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from .conftest import procedure_body


def _url(case_id: int, proc: dict[str, Any], tail: str = "") -> str:
    return f"/api/v1/cases/{case_id}/hipec/{proc['id']}{tail}"


def _batch(t0: float, n: int, ip_c: float, inflow_c: float = 41.8,
           slope_c_s: float = 0.0) -> dict[str, Any]:
    """``n`` 1 Hz samples from ``t0``: both intraperitoneal probes at ``ip_c`` (plus
    ``slope_c_s`` per second), a little noise so no probe reads as flat."""
    out = []
    for i in range(n):
        wobble = 0.03 * ((i * 7) % 5 - 2) / 2
        ip = ip_c + slope_c_s * i + wobble
        out.append({"t_s": t0 + i, "flow_l_min": 1.2,
                    "probes": {"inflow": inflow_c + wobble, "outflow": inflow_c - 1.0 - wobble,
                               "ip_upper": ip, "ip_pelvis": ip - 0.05}})
    return {"samples": out}


def _procedure(clients: Any, case_id: int, **over: Any) -> dict[str, Any]:
    r = clients["clinician"].post(f"/api/v1/cases/{case_id}/hipec",
                                  json=procedure_body(**over))
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    return created


def _alarms(clients: Any, case_id: int, proc: dict[str, Any], kind: str,
            probe: str | None = None) -> list[dict[str, Any]]:
    got = clients["clinician"].get(_url(case_id, proc, "/alarms")).json()
    return [a for a in got if a["type"] == kind and (probe is None or a["probe"] == probe)]


def test_alarm_is_relative_to_the_prescription(clients, case_id) -> None:
    c = clients["clinician"]
    low = _procedure(clients, case_id, target_low_c=40, target_high_c=41)
    usual = _procedure(clients, case_id)  # 42-43 C
    for proc in (low, usual):
        r = c.post(_url(case_id, proc, "/samples"), json=_batch(0, 20, 42.5))
        assert r.status_code == 200, r.text
    over = _alarms(clients, case_id, low, "over_temperature", "ip_upper")
    assert over, "42.5 C in the abdomen on a 40-41 C prescription must alarm"
    a = over[0]
    assert a["level"] == 1 and a["episode"] is not None and a["episode"] >= 1
    assert a["limit_value"] == 41.5 and a["value"] >= 42.4
    assert a["predicted_crossing_s"] is None and a["ack_t_s"] is None
    assert not _alarms(clients, case_id, usual, "over_temperature")  # 42.5 C is in 42-43 C


def test_predicted_alarm_is_stored_with_its_crossing(clients, case_id) -> None:
    c = clients["clinician"]
    proc = _procedure(clients, case_id)  # 42-43 C: intraperitoneal limit 43.5 C
    r = c.post(_url(case_id, proc, "/samples"), json=_batch(0, 60, 42.5))
    assert r.status_code == 200, r.text
    r = c.post(_url(case_id, proc, "/samples"), json=_batch(60, 90, 42.5, slope_c_s=0.02))
    assert r.status_code == 200, r.text
    predicted = _alarms(clients, case_id, proc, "over_temperature_predicted")
    assert predicted, [a["type"] for a in c.get(_url(case_id, proc, "/alarms")).json()]
    first = predicted[0]
    assert first["predicted_crossing_s"] is not None
    assert first["predicted_crossing_s"] > first["t_s"]
    real = _alarms(clients, case_id, proc, "over_temperature", first["probe"])
    assert not real or real[0]["t_s"] > first["t_s"]
    streamed = r.json()["alarms"]
    assert any(a["type"] == "over_temperature_predicted" and a["level"] == 1 for a in streamed)


def test_acknowledged_alarm_is_quiet_until_it_worsens(clients, case_id) -> None:
    c = clients["clinician"]
    proc = _procedure(clients, case_id, target_low_c=40, target_high_c=41)
    assert c.post(_url(case_id, proc, "/samples"), json=_batch(0, 10, 42.5)).status_code == 200
    first = _alarms(clients, case_id, proc, "over_temperature", "ip_upper")
    assert len(first) == 1
    r = c.post(_url(case_id, proc, f"/alarms/{first[0]['id']}/ack"), json={"note": "cooling"})
    assert r.status_code == 200, r.text
    assert r.json()["ack_t_s"] == 9.0 and r.json()["acknowledged_by"]
    # the same condition for longer than the repeat interval (300 s): no repeat
    for t0 in range(10, 420, 60):
        assert c.post(_url(case_id, proc, "/samples"),
                      json=_batch(t0, 60, 42.5)).status_code == 200
    assert len(_alarms(clients, case_id, proc, "over_temperature", "ip_upper")) == 1
    # the other probe, not acknowledged, repeats and escalates
    pelvis = _alarms(clients, case_id, proc, "over_temperature", "ip_pelvis")
    assert len(pelvis) >= 2 and pelvis[1]["level"] == 2
    assert pelvis[1]["episode"] == pelvis[0]["episode"]
    # worse (0.5 C beyond the acknowledged value): a repeat, one level up
    assert c.post(_url(case_id, proc, "/samples"), json=_batch(430, 10, 43.3)).status_code == 200
    again = _alarms(clients, case_id, proc, "over_temperature", "ip_upper")
    assert len(again) == 2 and again[1]["level"] == 2 and again[1]["t_s"] >= 430
    assert again[1]["episode"] == first[0]["episode"] and again[1]["acknowledged_at"] is None


def test_rebuilt_monitor_reapplies_the_acknowledgement(clients, case_id, app) -> None:
    """After a restart (the monitor dropped), the stored acknowledgement is applied again."""
    c = clients["clinician"]
    proc = _procedure(clients, case_id, target_low_c=40, target_high_c=41)
    assert c.post(_url(case_id, proc, "/samples"), json=_batch(0, 10, 42.5)).status_code == 200
    first = _alarms(clients, case_id, proc, "over_temperature", "ip_upper")[0]
    assert c.post(_url(case_id, proc, f"/alarms/{first['id']}/ack")).status_code == 200
    hub = app.state.hipec_hub
    hub._live(proc["id"]).monitor = None  # as after a restart: rebuilt from the store
    for t0 in range(10, 420, 60):
        assert c.post(_url(case_id, proc, "/samples"),
                      json=_batch(t0, 60, 42.5)).status_code == 200
    assert len(_alarms(clients, case_id, proc, "over_temperature", "ip_upper")) == 1
