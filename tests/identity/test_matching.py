"""Scoring and decisions: the issue's wrong-patient case, re-registration, twins, namesakes,
dates, documents; and the invariants (symmetry, a person links to themself)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rareonco.identity import Person, document_number, match_person, prepare, score_pair

AZIZ = Person(family="Rakhimov", given="Aziz", family_native="Рахимов", given_native="Азиз",
              birth_date=date(2007, 8, 11), sex="male", passport="AA1234567", country="UZ")


def one(candidate: Person, existing: Person = AZIZ) -> tuple[str, float, set[str], set[str]]:
    result = match_person(candidate, [(1, existing)], floor=0.0)
    (m,) = result.matches
    return result.decision, m.score, set(m.agreements), set(m.conflicts)


def test_the_issue_case_a_shared_passport_number_is_review_not_link() -> None:
    """Inquiry for "Каримов", born 2007-03-15, whose passport equals Rakhimov Aziz's."""
    decision, _, agreements, conflicts = one(Person(
        family_native="Каримов", birth_date=date(2007, 3, 15), passport="aa 123-45-67",
        country="UZ"))
    assert decision == "review"
    assert "passport:same" in agreements
    assert {"family:different", "birth_date:year_only"} <= conflicts


def test_a_shared_passport_with_the_same_given_name_is_still_review() -> None:
    decision, score, _, conflicts = one(Person(
        family_native="Каримов", given_native="Азиз", birth_date=date(2007, 3, 15),
        sex="male", passport="AA1234567", country="UZ"))
    assert decision == "review" and score < 0.95
    assert "family:different" in conflicts


@pytest.mark.parametrize("identifier", [{"passport": "AA1234567"},
                                        {"national_id": "30811075230011"}])
def test_never_link_on_one_identifier_alone(identifier: dict[str, str]) -> None:
    existing = Person(family="Rakhimov", given="Aziz", birth_date=date(2007, 8, 11),
                      country="UZ", **identifier)
    decision, _, agreements, _ = one(Person(country="UZ", **identifier), existing)
    assert decision == "review" and agreements >= {f"{next(iter(identifier))}:same"}


@pytest.mark.parametrize("candidate", [
    Person(family_native="Рахимов", given_native="Азиз", birth_date=date(2007, 8, 11),
           country="UZ"),
    Person(family="RAXIMOV", given="aziz", birth_date=date(2007, 8, 11), sex="male"),
    Person(family="Rahimov", given="Aziz", birth_date=date(2007, 8, 11), country="UZ",
           passport="FA 7654321"),  # a renewed passport: a soft conflict
], ids=["cyrillic", "uzbek-latin", "renewed-passport"])
def test_the_same_person_re_registered_in_another_script_links(candidate: Person) -> None:
    decision, score, agreements, conflicts = one(candidate)
    assert decision == "link" and score >= 0.95
    assert "birth_date:exact" in agreements
    assert conflicts <= {"passport:different"}


def test_a_given_name_with_a_patronymic_is_review() -> None:
    decision, _, agreements, _ = one(Person(family="Rakhimov", given="Aziz Karimovich",
                                            birth_date=date(2007, 8, 11), sex="male"))
    assert decision == "review" and "given:first_word" in agreements


def test_twins_do_not_merge() -> None:
    twin = Person(family="Rakhimov", given="Alisher", birth_date=date(2007, 8, 11),
                  sex="male", country="UZ")
    decision, _, _, conflicts = one(twin)
    assert decision == "review" and "given:different" in conflicts


def test_namesakes_born_in_another_year_are_new() -> None:
    decision, _, _, conflicts = one(Person(family="Rakhimov", given="Aziz",
                                           birth_date=date(1981, 8, 11), sex="male",
                                           country="UZ"))
    assert decision == "new" and "birth_date:different" in conflicts


def test_namesakes_born_in_the_same_year_are_review() -> None:
    decision, _, _, conflicts = one(Person(family="Rakhimov", given="Aziz",
                                           birth_date=date(2007, 2, 1), sex="male"))
    assert decision == "review" and conflicts == {"birth_date:year_only"}


def test_day_and_month_transposed_is_review() -> None:
    decision, score, _, conflicts = one(Person(family="Rakhimov", given="Aziz",
                                               birth_date=date(2007, 11, 8), sex="male"))
    assert decision == "review" and score > 0.95 and conflicts == {"birth_date:transposed"}


def test_swapped_family_and_given_names_are_review() -> None:
    decision, _, agreements, _ = one(Person(family="Aziz", given="Rakhimov",
                                            birth_date=date(2007, 8, 11), sex="male"))
    assert decision == "review" and "names:swapped" in agreements


def test_a_different_national_id_is_a_hard_conflict() -> None:
    existing = Person(family="Yusupova", given="Dilnoza", birth_date=date(1990, 5, 2),
                      national_id="123", country="UZ")
    decision, _, _, conflicts = one(Person(family_native="Юсупова", given_native="Дилноза",
                                           birth_date=date(1990, 5, 2), national_id="124",
                                           country="UZ"), existing)
    assert decision == "review" and "national_id:different" in conflicts


def test_sex_differs_is_review() -> None:
    decision, _, _, conflicts = one(Person(family="Rakhimov", given="Aziz",
                                           birth_date=date(2007, 8, 11), sex="female",
                                           country="UZ"))
    assert decision == "review" and "sex:different" in conflicts


def test_no_link_without_a_further_field() -> None:
    bare = Person(family="Rakhimov", given="Aziz", birth_date=date(2007, 8, 11))
    assert one(bare, bare)[0] == "review"


def test_strangers_are_new_and_left_out_below_the_floor() -> None:
    stranger = Person(family="Ivanova", given="Maria", birth_date=date(1966, 1, 30),
                      sex="female", country="RU")
    assert one(stranger)[0] == "new"
    assert match_person(stranger, [(1, AZIZ)]).matches == ()


def test_two_links_mean_a_duplicate_in_the_index_review() -> None:
    again = Person(family="Rakhimov", given="Aziz", birth_date=date(2007, 8, 11), sex="male")
    result = match_person(again, [(1, AZIZ), (2, AZIZ)])
    assert result.decision == "review"
    assert [m.outcome for m in result.matches] == ["link", "link"]


def test_matches_are_sorted_best_first() -> None:
    twin = Person(family="Rakhimov", given="Alisher", birth_date=date(2007, 8, 11), sex="male")
    result = match_person(AZIZ, [(5, twin), (9, AZIZ)])
    assert [m.id for m in result.matches] == [9, 5]
    assert result.decision == "link"


@pytest.mark.parametrize(("raw", "normal"), [
    ("AA 123 45 67", "AA1234567"), ("aa-1234567", "AA1234567"), ("АА1234567", "AA1234567"),
    (" fa.765/4321 ", "FA7654321"), ("", None), (" - ", None), (None, None),
])
def test_passport_normalisation(raw: str | None, normal: str | None) -> None:
    assert document_number(raw) == normal


def test_passports_of_different_countries_are_not_compared() -> None:
    a = Person(family="Ivanov", passport="AA1234567", passport_country="KZ", country="UZ")
    b = Person(family="Petrov", passport="AA1234567", country="RU")
    m = score_pair(prepare(a), prepare(b), 1)
    assert "passport:same" not in m.agreements
    assert "passport:same_number_other_country" in m.conflicts


# --------------------------------------------------------------------------- invariants
FAMILIES = ["Рахимов", "Rakhimov", "Karimov", "Юсупова", "Iusupova", "Ходжаев", "Xo'jayev",
            "Нұрланова", "Ivanov", "Қодиров"]
GIVENS = ["Азиз", "Aziz", "Dilnoza", "Дилноза", "Jasur", "Жасур", "Aziz Karimovich", "Ерлан"]


def opt(values: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.none() | values


def people() -> st.SearchStrategy[Person]:
    return st.builds(
        Person,
        family=opt(st.sampled_from(FAMILIES)), given=opt(st.sampled_from(GIVENS)),
        family_native=opt(st.sampled_from(FAMILIES)),
        birth_date=opt(st.dates(date(1940, 1, 1), date(2025, 12, 31))),
        sex=opt(st.sampled_from(["female", "male", "other", "unknown"])),
        passport=opt(st.sampled_from(["AA1234567", "aa 123 45 67", "FA7654321"])),
        national_id=opt(st.sampled_from(["30811075230011", "123"])),
        country=opt(st.sampled_from(["UZ", "KZ", "RU"])),
    )


@settings(max_examples=300, deadline=None)
@given(people(), people())
def test_scoring_is_symmetric(a: Person, b: Person) -> None:
    ab = score_pair(prepare(a), prepare(b), 1)
    ba = score_pair(prepare(b), prepare(a), 1)
    assert (ab.score, ab.outcome, ab.agreements, ab.conflicts) == \
        (ba.score, ba.outcome, ba.agreements, ba.conflicts)


@settings(max_examples=300, deadline=None)
@given(people(), st.sampled_from(FAMILIES), st.sampled_from(GIVENS),
       st.dates(date(1940, 1, 1), date(2025, 12, 31)), st.sampled_from(["female", "male"]))
def test_a_person_with_enough_data_links_to_themself(
        p: Person, family: str, given_name: str, born: date, sex: str) -> None:
    """Enough data: both names, the birth date and one more field (here the sex)."""
    from dataclasses import replace

    person = replace(p, family=family, given=given_name, birth_date=born, sex=sex)
    result = match_person(person, [(1, person)])
    assert result.decision == "link", result
