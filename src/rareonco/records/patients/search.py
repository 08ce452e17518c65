"""Patient search on the indexes: name prefixes in either script, MRN, country, code, status.

Every path reads only what one page needs, with plain Core statements (the search runs on
most requests and the ORM's identity map would cost more than the queries):

* **Name alone** (`page_by_name`). Each word of the query must start a word of the patient's
  names, or its transliteration key must start one of theirs (`name_keys`: Yusupova, Iusupova
  and Юсупова share ``~iusupova``; Rakhimov and Рахимов ``~raHimov``); words and keys live in
  `patient_name_tokens` with the patient's list order (`sort_key`).
  For the query's longest word, the distinct index words it and its keys prefix are found
  by a loose index scan (one index seek per word); each word's first patients are read in list order
  with a LIMIT straight from the (token, sort_key, patient_id) index, and the database sorts
  only those few runs (a top-k union): a page costs O(words x page) index rows, not a sort
  of every match. A prefix that starts more than `MAX_TOKEN_RUNS` distinct words (a
  one-letter query), or a query of several words, falls back to one sorted query.
* **Country alone** (`page_by_country`). Citizenship or residence: the first rows of each
  branch come in list order from its own index ((country, family, given, id)) and only those
  are sorted together, instead of every patient of a large country.

The runs are merged by the database, not in Python, so the order is always the database's
collation (token and sort key are "C"-collated on PostgreSQL, as SQLite's BINARY).
* **Anything else** (`page_by_filters`): one filtered, sorted query.

Counts stop at `COUNT_LIMIT`: "more than 1,000 patients" tells the user to narrow the search
as well as an exact figure would, at a fraction of the cost on a large registry.

The statements of the common paths are built once, with bound parameters (building and
hashing a statement costs SQLAlchemy several times what SQLite takes to run it), and on
PostgreSQL run on the driver's cursor (`store.hot_reads`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    Select,
    String,
    and_,
    any_,
    bindparam,
    case,
    func,
    literal,
    null,
    or_,
    select,
    union,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from rareonco.identity import skeleton, spellings
from rareonco.store.hot_reads import HotRead
from rareonco.store.tables.cases import Case
from rareonco.store.tables.patients import Patient, PatientNameToken

COUNT_LIMIT = 1000
#: Distinct index words a name prefix may start before the merge gives way to one sort.
MAX_TOKEN_RUNS = 24
#: Marks a transliteration key among the index words (names are case-folded words; no name
#: word starts with it once `clean` has run, and keys keep the skeleton's capitals).
KEY_MARK = "~"

_T = PatientNameToken.__table__
_P = Patient.__table__
_C = Case.__table__
_ORDER = (_P.c.family_name_latin, _P.c.given_names_latin, _P.c.id)
_LO: BindParameter[str] = bindparam("lo")
_HI: BindParameter[str] = bindparam("hi")
_N: BindParameter[int] = bindparam("n")
_OFFSET: BindParameter[int] = bindparam("offset")
_LIMIT: BindParameter[int] = bindparam("limit")
#: COUNT_LIMIT + 1: a capped count at least this is "more than ..."
_CAP: BindParameter[int] = bindparam("cap")


def _counted(query: Select[Any]) -> Select[Any]:
    """Rows of `query`, counting no further than the bound `cap` (see `_count`)."""
    return select(func.count().label("n")).select_from(query.limit(_CAP).subquery())


def _count(conn: Connection, counted: Select[Any],
           params: dict[str, object] | None = None) -> int:
    """Run a `_counted` statement: the count stops at COUNT_LIMIT + 1 ("more than ...")."""
    return conn.scalar(counted, {**(params or {}), "cap": COUNT_LIMIT + 1}) or 0


_HAS_PREFIX = HotRead(select(_T.c.patient_id).where(_T.c.patient_id == bindparam("pid"),
                                                    _T.c.token >= _LO, _T.c.token < _HI)
                      .limit(1))
_COUNTRY: BindParameter[str] = bindparam("country")
_COUNTRY_RUNS = union(*(select(*_ORDER).where(col == _COUNTRY).order_by(*_ORDER).limit(_N)
                        .subquery().select() for col in (_P.c.citizenship, _P.c.residence_country))
                      ).subquery()  # UNION also drops a patient found in both branches
_COUNT_CITIZENS = _counted(select(_P.c.id).where(_P.c.citizenship == _COUNTRY))
_COUNT_OTHER_RESIDENTS = _counted(select(_P.c.id).where(_P.c.residence_country == _COUNTRY,
                                                        _P.c.citizenship != _COUNTRY))


def _country_count() -> Select[Any]:
    """Citizens, then residents who are not citizens, each read from its index and capped:
    the second count only runs when there are at most COUNT_LIMIT citizens (CASE evaluates
    only the branch it takes), and then it is bounded too (residents who are citizens are
    among those few). The citizens' count is an aggregate in FROM, so it runs once."""
    citizens = _COUNT_CITIZENS.subquery()
    return select(case((citizens.c.n >= _CAP, citizens.c.n),
                       else_=citizens.c.n + _COUNT_OTHER_RESIDENTS.scalar_subquery()))


_COUNT_COUNTRY = HotRead(_country_count())
_COUNTRY_PAGE = HotRead(
    select(_COUNTRY_RUNS.c.id, _COUNT_COUNTRY.statement.scalar_subquery().label("total"))
    .order_by(_COUNTRY_RUNS.c.family_name_latin, _COUNTRY_RUNS.c.given_names_latin,
              _COUNTRY_RUNS.c.id).offset(_OFFSET).limit(_LIMIT))


@dataclass(slots=True)
class CaseRow:
    """A case as listed with its patient (`records.patients.service.view`)."""

    id: int
    status: str
    morphology_code: str | None
    topography_code: str | None


@dataclass(slots=True)
class PatientRow:
    """The patient columns a view shows, read by Core statements instead of an ORM object
    (the search and the case page run on most requests), with their cases."""

    id: int
    version: int
    mrn: str
    pseudonym: str
    family_name: str
    given_names: str
    family_name_latin: str
    given_names_latin: str
    sex: str
    birth_date: dt.date
    citizenship: str
    residence_country: str
    preferred_language: str
    other_languages: list[str]
    interpreter_needed: bool
    national_id: str | None
    passport_number: str | None
    passport_country: str | None
    phone: str | None
    email: str | None
    address: str | None
    cases: list[CaseRow] = field(default_factory=list)

    @classmethod
    def from_mapping(cls, m: dict[str, Any], prefix: str = "") -> PatientRow:
        """The row from `m`, whose keys are the column names after `prefix`."""
        return cls(**{name: m[prefix + name] for name in PATIENT_ROW_COLUMNS})


#: the patient columns of a `PatientRow` (not the search key, which only the index needs)
PATIENT_ROW_COLUMNS = tuple(f.name for f in fields(PatientRow) if f.name != "cases")
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_CASE_COLUMNS = tuple(f.name for f in fields(CaseRow))
_PATIENT_COLUMNS = [_P.c[name] for name in PATIENT_ROW_COLUMNS]
_PATIENTS_AND_CASES = (
    select(*_PATIENT_COLUMNS, *(_C.c[name].label(f"case_{name}") for name in _CASE_COLUMNS))
    .outerjoin(_C, _C.c.patient_id == _P.c.id).order_by(_C.c.id))
_PATIENTS_WITH_CASES = _PATIENTS_AND_CASES.where(_P.c.id.in_(_IDS))
#: PostgreSQL: the ids as one array parameter, so the statement text is the same for every page
#: (prepared once per connection) instead of an IN list rendered again for each call
_PATIENTS_WITH_CASES_PG = HotRead(_PATIENTS_AND_CASES.where(
    _P.c.id == any_(bindparam("ids", type_=ARRAY(Integer)))), as_given=("ids",))


def query_terms(q: str) -> list[str]:
    """The words of a name query, case-folded, longest (most selective) first."""
    return sorted(set(q.casefold().split()), key=lambda t: (-len(t), t))


def name_keys(word: str) -> set[str]:
    """The transliteration keys of one name word (either script): `KEY_MARK` and the phonetic
    skeleton of each of its Latin spellings (`rareonco.identity.names`), at most 120 characters.

    >>> sorted(name_keys("Юсупова")), sorted(name_keys("Iusupova")), sorted(name_keys("Рахимов"))
    (['~iusupova'], ['~iusupova'], ['~raHimov'])
    """
    return {(KEY_MARK + skeleton(s))[:120] for s in spellings(word) if s}


def term_ranges(term: str) -> list[tuple[str, str]]:
    """The index ranges a query word reaches: the words it starts, then the keys its own keys
    start (so "Yusup" reaches Iusupova and Юсупова)."""
    ranges = [(term, term + "\uffff")]
    ranges += [(key, key + "\uffff") for key in sorted(name_keys(term)) if key != term]
    return ranges


def page_by_name(conn: Connection, q: str, offset: int, limit: int) -> tuple[list[int], int]:
    """Ids of one page of patients whose names match every word of `q`, or whose MRN is `q`,
    in list order, and the number of matches (capped at COUNT_LIMIT + 1).

    A one-word query takes three statements: the words it starts with the MRN probe, the page
    with its count, then (`load_patients`) the patients."""
    terms = query_terms(q)
    if not terms:
        return [], 0
    ranges = term_ranges(terms[0])
    tokens, mrn_id = _words_and_mrn(conn, ranges[0], q, MAX_TOKEN_RUNS + 1)
    for extra in ranges[1:]:
        if len(tokens) > MAX_TOKEN_RUNS:
            break
        tokens += _words_and_mrn(conn, extra, None, MAX_TOKEN_RUNS + 1 - len(tokens))[0]
    tokens = list(dict.fromkeys(tokens))
    if len(terms) == 1 and len(tokens) <= MAX_TOKEN_RUNS:
        ids, total = _merged_runs(conn, tokens, offset, limit)
    else:
        ids, total = _sorted_matches(conn, terms, offset, limit)
    if mrn_id is not None and mrn_id not in ids and not _matches_all(conn, mrn_id, terms):
        total += 1
        if offset == 0:  # the patient with that MRN leads the first page
            ids = [mrn_id, *ids][:limit]
    return ids, total


def page_by_country(conn: Connection, country: str, offset: int,
                    limit: int) -> tuple[list[int], int]:
    """Ids of one page of patients who are citizens or residents of `country`, in list order,
    and their number: one statement (a page past the end costs a second, for the count)."""
    params = {"country": country, "n": offset + limit, "offset": offset, "limit": limit,
              "cap": COUNT_LIMIT + 1}
    rows = _COUNTRY_PAGE.rows(conn, params)
    if rows:
        return [r.id for r in rows], rows[0].total
    return [], _COUNT_COUNTRY.scalar(conn, params) or 0


@cache
def _tokens_count(words: int) -> Select[Any]:
    """Distinct patients holding one of the index words t0..t(words-1), capped at
    COUNT_LIMIT + 1.

    A patient holds several of them (a name and its key; Иванов Иван), so the exact count needs
    de-duplication, which reads every entry; it is only needed when the answer can be at most
    COUNT_LIMIT: when no single word alone reaches the cap (then at most `words` x cap entries
    are read). CASE evaluates its branches in order and only as far as it must (PostgreSQL and
    SQLite alike), and each single-word count is capped too."""
    in_words = _T.c.token.in_([bindparam(f"t{k}") for k in range(words)])
    distinct = _counted(select(_T.c.patient_id).where(in_words).distinct()).scalar_subquery()
    each = [_counted(select(_T.c.patient_id).where(_T.c.token == bindparam(f"t{k}")))
            .scalar_subquery() for k in range(words)]
    return select(case(*((n >= _CAP, _CAP) for n in each), else_=distinct))


def page_by_filters(conn: Connection, conds: Sequence[ColumnElement[bool]], offset: int,
                    limit: int) -> tuple[list[int], int]:
    """Ids of one page of patients meeting every condition, in list order, and their count."""
    ids = list(conn.scalars(select(_P.c.id).where(*conds).order_by(*_ORDER)
                            .offset(offset).limit(limit)))
    return ids, _count(conn, _counted(select(_P.c.id).where(*conds)))


def name_condition(q: str) -> ColumnElement[bool]:
    """A WHERE condition on patients: every word of `q` starts a name word (or a key), or `q`
    is the MRN."""
    by_name = None
    for term in query_terms(q):
        hit = select(_T.c.patient_id).where(_term_condition(term))
        if by_name is not None:  # every word must match: nest, one index range per word
            hit = hit.where(_T.c.patient_id.in_(by_name))
        by_name = hit
    by_mrn = select(_P.c.id).where(_P.c.mrn == q.strip().upper())
    return _P.c.id.in_(union(by_name, by_mrn) if by_name is not None else by_mrn)


def load_patients(conn: Connection, ids: Sequence[int]) -> list[PatientRow]:
    """The patients with `ids`, in that order, each with `cases` (id, status, codes)."""
    if not ids:
        return []
    rows: dict[int, PatientRow] = {}
    found = (_PATIENTS_WITH_CASES_PG.rows(conn, {"ids": list(ids)})
             if conn.dialect.name == "postgresql"
             else conn.execute(_PATIENTS_WITH_CASES, {"ids": list(ids)}).all())
    for r in found:
        m = r._asdict()
        p = rows.get(r.id)
        if p is None:
            p = rows[r.id] = PatientRow.from_mapping(m)
        if r.case_id is not None:
            p.cases.append(CaseRow(*(m[f"case_{c}"] for c in _CASE_COLUMNS)))
    return [rows[i] for i in ids if i in rows]


def _term_condition(term: str) -> ColumnElement[bool]:
    """Index words starting with `term` or with one of its keys (`term_ranges`)."""
    return or_(*(and_(_T.c.token >= lo, _T.c.token < hi) for lo, hi in term_ranges(term)))


def _words_statement() -> Select[Any]:
    """The distinct index words in [lo, hi), at most `at_most` of them, by a loose index scan
    in one recursive query (each next word is one seek: `min(token) > previous word`); and
    ahead of them, in the same statement, the patient whose MRN is `mrn`, if any."""
    seed = select(func.min(_T.c.token).label("token"), literal(1).label("n")).where(
        _T.c.token >= _LO, _T.c.token < _HI).cte("words", recursive=True)
    following = select(func.min(_T.c.token)).where(_T.c.token > seed.c.token,
                                                   _T.c.token < _HI).scalar_subquery()
    words = seed.union_all(select(following, seed.c.n + 1).where(
        seed.c.token.is_not(None), seed.c.n < bindparam("at_most")))
    found = union_all(
        select(null().cast(String).label("token"), _P.c.id.label("mrn_id"),
               literal(0).label("n")).where(_P.c.mrn == bindparam("mrn")),
        select(words.c.token, null().cast(Integer), words.c.n).where(words.c.token.is_not(None)),
    ).subquery()
    return select(found.c.token, found.c.mrn_id).order_by(found.c.n)


_WORDS_AND_MRN = HotRead(_words_statement())


def _words_and_mrn(conn: Connection, lo_hi: tuple[str, str], q: str | None,
                   at_most: int) -> tuple[list[str], int | None]:
    """The distinct index words in the range `lo_hi` (at most `at_most`; a prefix shared by
    thousands of patients but few distinct words costs a few index seeks, not a scan of every
    entry), and the id of the patient whose MRN is `q` (None if none, or if `q` has spaces)."""
    mrn: str | None = q.strip().upper() if q else None
    if not mrn or any(ch.isspace() for ch in mrn):
        mrn = None  # `mrn = NULL` matches no patient
    tokens: list[str] = []
    mrn_id = None
    for token, patient_id in _WORDS_AND_MRN.rows(
            conn, {"lo": lo_hi[0], "hi": lo_hi[1], "at_most": at_most, "mrn": mrn}):
        if token is None:
            mrn_id = patient_id
        else:
            tokens.append(token)
    return tokens, mrn_id


@cache
def _runs_statement(words: int) -> Select[Any]:
    """One page over `words` index words, with the count of all matches (`_prefix_count`):
    each word's first `n` patients in `sort_key` order straight from the (token, sort_key,
    patient_id) index; a patient two of the words start appears once (grouped); then sorted
    and paged."""
    runs = union_all(*(select(_T.c.patient_id, _T.c.sort_key)
                       .where(_T.c.token == bindparam(f"t{k}")).order_by(_T.c.sort_key)
                       .limit(_N).subquery().select() for k in range(words))).subquery()
    return (select(runs.c.patient_id, _tokens_count(words).scalar_subquery().label("total"))
            .group_by(runs.c.patient_id, runs.c.sort_key)
            .order_by(runs.c.sort_key).offset(_OFFSET).limit(_LIMIT))


@cache
def _runs_read(words: int) -> HotRead:
    return HotRead(_runs_statement(words))


@cache
def _tokens_count_read(words: int) -> HotRead:
    return HotRead(_tokens_count(words))


def _merged_runs(conn: Connection, tokens: Sequence[str], offset: int,
                 limit: int) -> tuple[list[int], int]:
    """One page of the patients `tokens` (the index words a query word reaches) lead to, and
    their count; a page past the end costs a second statement, for the count."""
    if not tokens:
        return [], 0
    params: dict[str, object] = {f"t{k}": token for k, token in enumerate(tokens)}
    params.update(n=offset + limit, offset=offset, limit=limit, cap=COUNT_LIMIT + 1)
    rows = _runs_read(len(tokens)).rows(conn, params)
    if rows:
        return [r.patient_id for r in rows], rows[0].total
    return [], _tokens_count_read(len(tokens)).scalar(conn, params) or 0


def _sorted_matches(conn: Connection, terms: list[str], offset: int,
                    limit: int) -> tuple[list[int], int]:
    """Several words, or a very short prefix: match on the index, sort the matches once."""
    hit = select(_T.c.patient_id, _T.c.sort_key).where(_term_condition(terms[0]))
    for term in terms[1:]:  # every word must start a word of the names (or a key)
        hit = hit.where(_T.c.patient_id.in_(select(_T.c.patient_id)
                                            .where(_term_condition(term))))
    matches = hit.group_by(_T.c.patient_id, _T.c.sort_key).subquery()
    ids = list(conn.scalars(select(matches.c.patient_id).order_by(matches.c.sort_key)
                            .offset(offset).limit(limit)))
    return ids, _count(conn, _counted(select(matches.c.patient_id)))


def _matches_all(conn: Connection, patient_id: int, terms: list[str]) -> bool:
    return all(any(_HAS_PREFIX.scalar(conn, {"pid": patient_id, "lo": lo, "hi": hi}) is not None
                   for lo, hi in term_ranges(term)) for term in terms)
