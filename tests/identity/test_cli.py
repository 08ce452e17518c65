"""`rareonco patient match` through Typer's test runner on the real application."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from rareonco.cli import app

EXISTING = {"id": 1, "family": "Rakhimov", "given": "Aziz", "family_native": "Рахимов",
            "given_native": "Азиз", "birth_date": "2007-08-11", "sex": "male",
            "passport": "AA1234567", "country": "UZ"}


def run(payload: object) -> tuple[int, dict[str, object]]:
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    out = CliRunner().invoke(app, ["patient", "match"], input=text)
    return out.exit_code, json.loads(out.stdout.strip().splitlines()[0])


def test_the_issue_case_is_review_with_its_conflicts() -> None:
    code, body = run({"candidate": {"family_native": "Каримов", "birth_date": "2007-03-15",
                                    "passport": "AA 123-45-67", "country": "UZ"},
                      "existing": [EXISTING]})
    assert code == 0
    assert body["decision"] == "review"
    (match,) = body["matches"]
    assert match["id"] == 1 and 0.0 <= match["score"] <= 1.0
    assert "passport:same" in match["agreements"]
    assert {"family:different", "birth_date:year_only"} <= set(match["conflicts"])


def test_re_registration_links_and_strangers_are_left_out() -> None:
    stranger = {"id": "p-2", "family": "Ivanova", "given": "Maria", "birth_date": "1966-01-30",
                "sex": "female", "country": "RU"}
    code, body = run({"candidate": {"family": "Raximov", "given": "Aziz",
                                    "birth_date": "2007-08-11", "sex": "male"},
                      "existing": [stranger, EXISTING]})
    assert code == 0 and body["decision"] == "link"
    assert [m["id"] for m in body["matches"]] == [1]


def test_no_existing_persons_is_new() -> None:
    assert run({"candidate": {"family": "Karimov"}}) == (0, {"decision": "new", "matches": []})


@pytest.mark.parametrize(("payload", "field"), [
    ('{"candidate": ', "body"),
    ("[]", "body"),
    ({"candidate": {"birth_date": "2007-13-15"}}, "candidate.birth_date"),
    ({"candidate": {}, "existing": [{"id": 1, "birth_date": "15.03.2007"}]},
     "existing.0.birth_date"),
    ({"candidate": {}, "existing": [{"id": 1, "birth_date": "2999-01-01"}]},
     "existing.0.birth_date"),
    ({"candidate": {"sex": "f"}}, "candidate.sex"),
    ({"candidate": {"country": "Uzbekistan"}}, "candidate.country"),
    ({"candidate": {"surname": "X"}}, "candidate.surname"),
    ({"candidate": {}, "existing": [{"family": "X"}]}, "existing.0.id"),
    ({"candidate": {}, "existing": [{"id": 1}, {"id": 1}]}, "existing.1.id"),
    ({"existing": []}, "candidate"),
])
def test_bad_input_exits_2_naming_the_field(payload: object, field: str) -> None:
    code, body = run(payload)
    assert code == 2
    assert body["field"] == field and body["error"]


def test_help_describes_the_shapes() -> None:
    out = CliRunner().invoke(app, ["patient", "match", "--help"])
    assert out.exit_code == 0 and "link|review|new" in out.stdout
