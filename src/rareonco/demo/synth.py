"""Synthetic patients and cases for scale tests and demos.

Proportions are rough figures for a sarcoma reference centre (bone and soft-tissue sarcoma
subtype mix after the RARECARE and WHO 2020 frequency tables; country mix of a centre that takes
international referrals from the CIS). They make data that looks like the real thing, no more.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import date, timedelta

import numpy as np
from sqlalchemy import insert
from sqlalchemy.orm import Session

from rareonco.records.patients import name_search_key, name_tokens, sort_key
from rareonco.records.vocab import transliterate
from rareonco.security import audit
from rareonco.security.audit import Actor
from rareonco.store.tables import Case, Patient, PatientNameToken

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


def _pick(rng: np.random.Generator, items: list, weights: list[float], n: int) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return rng.choice(len(items), size=n, p=w / w.sum())


def synth_rows(n: int, seed: int = 0, today: date | None = None
               ) -> Iterator[tuple[dict, dict]]:
    """Yield (patient row, case row) pairs of plain dicts, reproducible from the seed."""
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
        yield patient, case


def load_synthetic(session: Session, actor: Actor, n: int, seed: int = 0, batch: int = 2000,
                   progress=None) -> int:  # type: ignore[no-untyped-def]
    """Bulk-insert n synthetic patients, each with one case; one audit entry per batch."""
    if n < 1:
        from rareonco.errors import InvalidInput

        raise InvalidInput("patients", "must be 1 or more")
    rows = synth_rows(n, seed)
    done = 0
    while done < n:
        chunk = [next(rows) for _ in range(min(batch, n - done))]
        ids = session.scalars(
            insert(Patient).returning(Patient.id, sort_by_parameter_order=True),
            [p for p, _ in chunk]).all()
        session.execute(insert(Case), [dict(c, patient_id=pid)
                                       for pid, (_, c) in zip(ids, chunk, strict=True)])
        session.execute(insert(PatientNameToken), [
            {"patient_id": pid, "token": t,
             "sort_key": sort_key(p["family_name_latin"], p["given_names_latin"], pid)}
            for pid, (p, _) in zip(ids, chunk, strict=True) for t in name_tokens(p["name_search"])])
        audit.record(session, actor, "bulk_create", "patients",
                     f"{len(ids)} synthetic patients, ids {ids[0]}..{ids[-1]}")
        session.commit()
        done += len(chunk)
        if progress:
            progress(len(chunk))
    return done
