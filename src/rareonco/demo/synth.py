"""Synthetic patients and cases for scale tests and demos.

Proportions are rough figures for a sarcoma reference centre (bone and soft-tissue sarcoma
subtype mix after the RARECARE and WHO 2020 frequency tables; country mix of a centre that takes
international referrals from the CIS). They make data that looks like the real thing, no more.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import insert
from sqlalchemy.orm import Session

from rareonco.errors import InvalidInput
from rareonco.i18n.vocab import transliterate
from rareonco.records.patients.service import name_search_key, name_tokens, sort_key
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.store.tables.cases import Case, TimelineEvent
from rareonco.store.tables.patients import Patient, PatientNameToken

SUBTYPES = [  # (morphology, topography, share, median age)
    ("8850/3", "C49.2", 0.15, 55), ("8890/3", "C49.9", 0.12, 58), ("8802/3", "C49.2", 0.12, 62),
    ("9180/3", "C40.2", 0.12, 18), ("9364/3", "C41.4", 0.08, 16), ("9220/3", "C41.4", 0.09, 50),
    ("9040/3", "C49.2", 0.06, 34), ("8900/3", "C49.9", 0.06, 10), ("8806/3", "C48.1", 0.01, 22),
    ("9181/3", "C40.2", 0.03, 17), ("8852/3", "C49.2", 0.05, 45), ("8920/3", "C49.9", 0.03, 12),
    ("9040/3", "C49.9", 0.03, 30), ("9183/3", "C40.2", 0.02, 17), ("8850/3", "C48.0", 0.03, 60),
]
COUNTRIES = [("RU", "ru", 0.62), ("UZ", "ru", 0.10), ("KZ", "ru", 0.08), ("TJ", "ru", 0.05),
             ("KG", "ru", 0.04), ("AZ", "ru", 0.03), ("BY", "ru", 0.03), ("AM", "ru", 0.02),
             ("MN", "en", 0.01), ("IN", "en", 0.01), ("EG", "en", 0.01)]
STATUSES = [("referral_received", 0.05), ("remote_review", 0.06), ("accepted", 0.03),
            ("declined", 0.04), ("admitted", 0.03), ("diagnosis_confirmed", 0.03),
            ("board_reviewed", 0.04), ("in_treatment", 0.22), ("follow_up", 0.38),
            ("closed", 0.12)]
FAMILY = {"male": ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов",
                   "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев",
                   "Каримов", "Юсупов", "Рахимов", "Ахмедов", "Назаров", "Алиев", "Нурланов"],
          "female": ["Иванова", "Смирнова", "Кузнецова", "Попова", "Васильева", "Петрова",
                     "Соколова", "Михайлова", "Новикова", "Фёдорова", "Морозова", "Волкова",
                     "Каримова", "Юсупова", "Рахимова", "Ахмедова", "Назарова", "Алиева"]}
GIVEN = {"male": ["Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём",
                  "Илья", "Кирилл", "Михаил", "Азиз", "Тимур", "Рустам", "Бахтиёр", "Ержан"],
         "female": ["Анна", "Мария", "Елена", "Дарья", "Алина", "Ирина", "Екатерина", "Ольга",
                    "Наталья", "Юлия", "Дилноза", "Гульнара", "Айгерим", "Мадина", "Зарина"]}
CLOSE_REASONS = ["completed", "deceased", "lost_to_follow_up", "transferred"]
#: the pathway a case walks to reach each status (declined branches off remote review)
MAIN_PATH = ["referral_received", "remote_review", "accepted", "admitted",
             "diagnosis_confirmed", "board_reviewed", "in_treatment", "follow_up", "closed"]
TREATED = ("in_treatment", "follow_up", "closed")


def synth_timeline(rng: np.random.Generator, status: str, referred: date, today: date
                   ) -> list[dict[str, Any]]:
    """Timeline events of a synthetic case that has reached `status`: the referral, each
    pathway move, imaging and biopsy on the way to diagnosis, chemotherapy cycles three weeks
    apart and a surgery once treated, follow-up visits every three months or so. Dates run
    from `referred` and never pass `today`."""
    path = ([*MAIN_PATH[:2], "declined"] if status == "declined"
            else MAIN_PATH[:MAIN_PATH.index(status) + 1])
    span = max((today - referred).days, len(path))
    events = [{"kind": "referral", "event_date": referred, "summary": "referral received",
               "payload": {}}]
    day = 0
    for prev, nxt in itertools.pairwise(path):
        day += int(rng.integers(1, max(2, span // (2 * len(path)))))
        when = referred + timedelta(days=min(day, span))
        if nxt == "diagnosis_confirmed":
            events += [{"kind": "imaging", "event_date": when, "summary": "CT and MRI",
                        "payload": {}},
                       {"kind": "biopsy", "event_date": when, "summary": "core biopsy",
                        "payload": {}}]
        if nxt == "in_treatment":
            cycles = int(rng.integers(2, 9))
            for c in range(cycles):
                events.append({"kind": "chemotherapy_cycle",
                               "event_date": min(today, when + timedelta(days=21 * c)),
                               "summary": f"cycle {c + 1}", "payload": {"cycle": c + 1}})
            events.append({"kind": "surgery", "event_date": min(
                today, when + timedelta(days=21 * cycles + 14)), "summary": "resection",
                "payload": {}})
        events.append({"kind": "status_change", "event_date": when,
                       "summary": f"{prev} → {nxt}", "payload": {"from": prev, "to": nxt}})
    if status in ("follow_up", "closed"):
        start = events[-1]["event_date"]
        assert isinstance(start, date)
        for k in range(int(rng.integers(1, 6))):
            visit = start - timedelta(days=90 * (k + 1))
            if visit > referred:
                events.append({"kind": "follow_up_visit", "event_date": visit,
                               "summary": "follow-up visit", "payload": {}})
    return events


def _pick(rng: np.random.Generator, items: Sequence[object], weights: list[float], n: int
          ) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return rng.choice(len(items), size=n, p=w / w.sum())


def synth_rows(n: int, seed: int = 0, today: date | None = None
               ) -> Iterator[tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]]:
    """Yield (patient row, case row, timeline event rows) of plain dicts, reproducible from
    the seed."""
    rng = np.random.default_rng(seed)
    today = today or date.today()
    sub_i = _pick(rng, SUBTYPES, [s[2] for s in SUBTYPES], n)
    cty_i = _pick(rng, COUNTRIES, [c[2] for c in COUNTRIES], n)
    st_i = _pick(rng, STATUSES, [s[1] for s in STATUSES], n)
    sexes = rng.choice(["male", "female"], size=n, p=[0.55, 0.45])
    run = secrets.token_hex(3).upper()
    for i in range(n):
        morph, topo, _, median_age = SUBTYPES[sub_i[i]]
        country, lang, _ = COUNTRIES[cty_i[i]]
        sex = str(sexes[i])
        age = float(np.clip(rng.normal(median_age, median_age * 0.35 + 3), 2, 90))
        birth = today - timedelta(days=int(age * 365.25))
        family = FAMILY[sex][rng.integers(len(FAMILY[sex]))]
        given = GIVEN[sex][rng.integers(len(GIVEN[sex]))]
        fam_lat, giv_lat = transliterate(family), transliterate(given)
        status = STATUSES[st_i[i]][0]
        diag_days = int(rng.integers(10, 3650))
        patient = {
            "mrn": f"SYN-{run}-{i:07d}", "pseudonym": f"S-{run}-{i:07d}", "version": 1,
            "family_name": family, "given_names": given, "family_name_latin": fam_lat,
            "given_names_latin": giv_lat,
            "name_search": name_search_key(family, given, fam_lat, giv_lat),
            "sex": sex, "birth_date": birth, "citizenship": country, "residence_country": country,
            "preferred_language": lang, "other_languages": [],
            "interpreter_needed": lang != "ru" and bool(rng.random() < 0.7),
        }
        early = status in ("referral_received", "remote_review", "accepted", "declined")
        case = {
            "status": status, "version": 1,
            "closed_reason": CLOSE_REASONS[rng.integers(4)] if status == "closed" else None,
            "morphology_code": None if early and rng.random() < 0.5 else morph,
            "topography_code": topo, "laterality": "unknown", "site_detail": "",
            "diagnosis_date": None if early else today - timedelta(days=diag_days),
        }
        referred = (today - timedelta(days=int(rng.integers(3, 120))) if early
                    else today - timedelta(days=diag_days + int(rng.integers(7, 60))))
        yield patient, case, synth_timeline(rng, status, referred, today)


def load_synthetic(session: Session, actor: Actor, n: int, seed: int = 0, batch: int = 2000,
                   progress: Callable[[int], None] | None = None) -> int:
    """Bulk-insert n synthetic patients, each with one case and its timeline; one audit entry
    per batch."""
    if n < 1:
        raise InvalidInput("patients", "must be 1 or more")
    rows = synth_rows(n, seed)
    done = 0
    while done < n:
        chunk = [next(rows) for _ in range(min(batch, n - done))]
        ids = session.scalars(
            insert(Patient).returning(Patient.id, sort_by_parameter_order=True),
            [p for p, _, _ in chunk]).all()
        case_ids = session.scalars(
            insert(Case).returning(Case.id, sort_by_parameter_order=True),
            [dict(c, patient_id=pid) for pid, (_, c, _) in zip(ids, chunk, strict=True)]).all()
        session.execute(insert(TimelineEvent), [
            dict(e, case_id=cid) for cid, (_, _, events) in zip(case_ids, chunk, strict=True)
            for e in events])
        session.execute(insert(PatientNameToken), [
            {"patient_id": pid, "token": t,
             "sort_key": sort_key(p["family_name_latin"], p["given_names_latin"], pid)}
            for pid, (p, _, _) in zip(ids, chunk, strict=True)
            for t in name_tokens(p["name_search"])])
        audit.record(session, actor, "bulk_create", "patients",
                     f"{len(ids)} synthetic patients, ids {ids[0]}..{ids[-1]}")
        session.commit()
        done += len(chunk)
        if progress:
            progress(len(chunk))
    return done
