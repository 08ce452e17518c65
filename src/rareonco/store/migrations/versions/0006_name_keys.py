"""Transliteration keys among the name tokens (Yusupova = Iusupova = Юсупова in search), and
an index on the birth date (candidate retrieval of the identity matcher).

The keys of existing patients are computed by a frozen copy of the key as this revision knows
it (migrations never import live code): the ICAO Doc 9303 romanisation of Cyrillic words and
the phonetic skeleton of `rareonco.identity.names`. The live code also keys the other
romanisations of a Cyrillic word; a patient saved again gets those too.

Revision ID: 0006
Revises: 0005
"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ICAO = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "ie", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
    "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
    "ӣ": "i", "ӯ": "u", "ҷ": "j", "ў": "u", "ҳ": "kh", "ґ": "g", "є": "ie", "ї": "i",
}
_BEFORE_STRIP = {"ş": "sh", "ç": "ch", "ı": "i", "ß": "ss", "ø": "o", "æ": "ae", "đ": "d",
                 "ł": "l"}
_DIGRAPHS = (("shch", "S"), ("shh", "S"), ("sch", "S"), ("sh", "S"), ("tch", "C"), ("ch", "C"),
             ("dzh", "J"), ("dj", "J"), ("zh", "J"))
_SINGLES = (("kh", "H"), ("x", "H"), ("h", "H"), ("gh", "g"), ("ts", "Z"), ("tz", "Z"),
            ("cz", "Z"), ("c", "Z"), ("q", "k"), ("w", "v"))
_DOUBLE = re.compile(r"(.)\1+")


def _latin(word: str) -> str:
    """Frozen: the word in lower-case Latin letters (ICAO for Cyrillic, diacritics dropped)."""
    out = []
    for ch in word.casefold():
        ch = _BEFORE_STRIP.get(ch, ch)
        if "\u0400" <= ch <= "\u052f":
            ch = _ICAO.get(ch, "")
        else:
            ch = "".join(c for c in unicodedata.normalize("NFKD", ch)
                         if not unicodedata.combining(c))
        out.append(ch)
    return "".join(c for c in "".join(out) if "a" <= c <= "z")


def name_key(word: str) -> str | None:
    """Frozen copy of `~` + the skeleton of the word's ICAO spelling."""
    s = _latin(word)
    if not s:
        return None
    for old, new in _DIGRAPHS:
        s = s.replace(old, new)
    s = re.sub(r"j(?=[aeiouy])", "J", s).replace("j", "i")
    for old, new in _SINGLES:
        s = s.replace(old, new)
    s = _DOUBLE.sub(r"\1", s.replace("y", "i"))
    return ("~" + _DOUBLE.sub(r"\1", s.replace("ie", "e")))[:120]


def upgrade() -> None:
    op.create_index("ix_patients_birth_date", "patients", ["birth_date"])
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT patient_id, token, sort_key FROM patient_name_tokens "
                                "ORDER BY patient_id")).fetchall()
    keys = {(pid, key): sort for pid, token, sort in rows
            if not token.startswith("~") and (key := name_key(token))}
    have = {(pid, token) for pid, token, _ in rows}
    new = [{"p": pid, "t": key, "s": sort} for (pid, key), sort in keys.items()
           if (pid, key) not in have]
    if new:
        conn.execute(sa.text("INSERT INTO patient_name_tokens (patient_id, token, sort_key) "
                             "VALUES (:p, :t, :s)"), new)


def downgrade() -> None:
    op.execute("DELETE FROM patient_name_tokens WHERE token LIKE '~%'")
    op.drop_index("ix_patients_birth_date", table_name="patients")
