"""Dashboard figures: percentiles, overdue rules, counts by country and status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from rareonco.records.desk.dashboard import percentile

from .conftest import inquiry_body, submit_public


def test_percentile_known_values() -> None:
    assert percentile([], 50) is None
    assert percentile([3.0], 90) == 3.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile(list(range(1, 11)), 90) == 9.1  # numpy.percentile(range(1, 11), 90)


@given(st.lists(st.floats(0, 1e4), min_size=1, max_size=50))
def test_percentile_is_within_the_data_and_monotone(xs: list[float]) -> None:
    p50, p90 = percentile(xs, 50), percentile(xs, 90)
    assert min(xs) <= p50 <= p90 <= max(xs)  # type: ignore[operator]  # not None: xs is not empty


def test_dashboard_counts_times_and_overdue(anon, clients, users, db) -> None:  # type: ignore[no-untyped-def]  # pytest fixtures are untyped
    from rareonco.store.tables.desk import Inquiry

    refs = [submit_public(anon, inquiry_body(passport_number=f"AA{i}", residence_country=c),
                          files=[]).json()["reference"] for i, c in enumerate(["UZ", "UZ", "TJ"])]
    now = datetime.now(UTC)
    with db.session() as s:
        rows = {r.reference: r for r in s.query(Inquiry).all()}
        rows[refs[0]].received_at = now - timedelta(days=9)  # unanswered for 9 days: overdue
        rows[refs[1]].received_at = now - timedelta(days=4)
        rows[refs[1]].first_answer_at = now - timedelta(days=2)  # answered in 2 days
        rows[refs[1]].status = "in_review"
        rows[refs[2]].received_at = now - timedelta(days=1)
    d = clients["coordinator"].get("/api/v1/desk/dashboard").json()
    assert d["open_total"] == 3
    assert d["by_country"] == {"UZ": {"new": 1, "in_review": 1}, "TJ": {"new": 1}}
    assert d["answered"] == 1 and round(d["median_days"], 3) == 2.0
    assert [o["reference"] for o in d["overdue"]] == [refs[0]]
    assert d["overdue"][0]["reason"] == "no_answer" and d["overdue"][0]["days_over"] == 4
    assert clients["researcher"].get("/api/v1/desk/dashboard").status_code == 403
