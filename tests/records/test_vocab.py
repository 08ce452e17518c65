import pytest

from rareonco.errors import InvalidInput
from rareonco.i18n.vocab import country, language, transliterate


def test_icao_transliteration_of_russian_and_uzbek_names() -> None:
    # ICAO Doc 9303 examples as used on Russian passports since 2014
    assert transliterate("Рахимов") == "Rakhimov"
    assert transliterate("Юлия") == "Iuliia"
    assert transliterate("Щукин") == "Shchukin"
    assert transliterate("Фёдоров") == "Fedorov"
    assert transliterate("Ўрол") == "O'rol"


def test_codes_are_validated() -> None:
    assert country("uz", "c") == "UZ"
    assert language("RU", "l") == "ru"
    with pytest.raises(InvalidInput):
        country("XX", "citizenship")
    with pytest.raises(InvalidInput):
        language("xx", "preferred_language")
