"""Romanisation letter by letter, from each standard's own table, and whole names."""

from __future__ import annotations

import pytest

from rareonco.identity import SYSTEMS, romanise

RUSSIAN = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"

# Each standard's table, in the order of RUSSIAN (a letter in a word's middle, after a
# consonant, so that no positional rule applies).
TABLES = {
    # ICAO Doc 9303 (2015), Part 3, section 6
    "icao": "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch ie y - e iu ia",
    # GOST 7.79-2000 system B (Ц before a consonant or a back vowel: C)
    "gost_b": "a b v g d e yo zh z i j k l m n o p r s t u f x c ch sh shh `` y` ` e` yu ya",
    # BGN/PCGN 1947
    "bgn_pcgn": "a b v g d e ë zh z i y k l m n o p r s t u f kh ts ch sh shch \" y ' e yu ya",
    # Russian passports before ICAO (MVD order 310, 1997)
    "passport_1997": "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya",
    # Uzbek Latin alphabet (1993/1995) for the letters Uzbek Cyrillic shares with Russian
    "uzbek": "a b v g d e yo j z i y k l m n o p r s t u f x ts ch sh sh ' i - e yu ya",
}


@pytest.mark.parametrize("system", sorted(TABLES))
@pytest.mark.parametrize(("index", "letter"), list(enumerate(RUSSIAN)))
def test_each_russian_letter_as_the_standard_writes_it(system: str, index: int, letter: str) -> None:
    expected = TABLES[system].split(" ")[index].replace("-", "")
    assert romanise("б" + letter + "б", SYSTEMS[system]) == f"b{expected}b"


@pytest.mark.parametrize(("letter", "uzbek", "elsewhere"), [
    ("ў", "o'", "u"), ("қ", "q", "k"), ("ғ", "g'", "g"), ("ҳ", "h", "kh"),
])
def test_uzbek_letters(letter: str, uzbek: str, elsewhere: str) -> None:
    assert romanise(letter, SYSTEMS["uzbek"]) == uzbek
    assert romanise(letter, SYSTEMS["passport_1997"]) == elsewhere


@pytest.mark.parametrize(("letter", "latin"), [
    ("ә", "a"), ("ғ", "g"), ("қ", "k"), ("ң", "n"), ("ө", "o"), ("ұ", "u"), ("ү", "u"),
    ("һ", "h"), ("і", "i"), ("ӣ", "i"), ("ӯ", "u"), ("ҷ", "j"),
])
def test_kazakh_and_tajik_letters_in_every_russian_system(letter: str, latin: str) -> None:
    for name in ("icao", "gost_b", "bgn_pcgn", "passport_1997"):
        assert romanise(letter, SYSTEMS[name]) == latin, name


@pytest.mark.parametrize(("word", "system", "expected"), [
    ("Юсупова", "icao", "iusupova"), ("Юсупова", "passport_1997", "yusupova"),
    ("Ходжаев", "icao", "khodzhaev"), ("Ходжаев", "gost_b", "xodzhaev"),
    ("Ходжаев", "bgn_pcgn", "khodzhayev"), ("Ходжаев", "uzbek", "xodjayev"),
    ("Ерлан", "bgn_pcgn", "yerlan"), ("Ерлан", "icao", "erlan"), ("Ерлан", "uzbek", "yerlan"),
    ("Цыганов", "gost_b", "czy`ganov"), ("Кацман", "gost_b", "kacman"),
    ("Подъячев", "icao", "podieiachev"), ("Подъячев", "bgn_pcgn", 'pod"yachev'),
    ("Григорьев", "bgn_pcgn", "grigor'yev"), ("Щукин", "icao", "shchukin"),
    ("Йўлдошев", "uzbek", "yo'ldoshev"), ("Ғуломов", "uzbek", "g'ulomov"),
    ("Ismoilov", "icao", "ismoilov"),  # Latin passes through
])
def test_whole_names(word: str, system: str, expected: str) -> None:
    assert romanise(word, SYSTEMS[system]) == expected
