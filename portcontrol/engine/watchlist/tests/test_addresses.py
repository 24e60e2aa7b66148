"""Listed addresses are matched with the parties' addresses, as places: written otherwise
they match, another house, city or country does not, and no name is ever compared with
them. All addresses here are invented."""

from __future__ import annotations

import pytest

from portcontrol.engine.watchlist import Kind, Party, Screener, WatchlistEntry, WatchlistIndex
from portcontrol.engine.watchlist.addresses import ADDRESS_THRESHOLD, AddressIndex

LISTED = [
    WatchlistEntry("A1", Kind.ADDRESS, ("Office 12, 5 Neftchilar Avenue, Baku",
                                        "Нефтчиляр проспект 5, офис 12, Баку"), ("AZ",)),
    WatchlistEntry("A2", Kind.ADDRESS, ("56 Salyan Highway, Sumqayit",), ("AZ",)),
    WatchlistEntry("A3", Kind.ADDRESS, ("ул. Ленина, д. 5, офис 12, Ташкент",), ()),
    WatchlistEntry("A4", Kind.ADDRESS, ("Senagat St. 27, Ashgabat",), ("TM",)),
    WatchlistEntry("A5", Kind.ADDRESS, ("12 Amir Temur Street, Tashkent",), ("UZ",)),
    WatchlistEntry("C1", Kind.COMPANY, ("Kaspiy Trans LLC",), ("AZ",)),
]


@pytest.fixture(scope="module")
def index() -> WatchlistIndex:
    return WatchlistIndex(LISTED)


@pytest.mark.parametrize(("address", "country", "entry"), [
    ("5 Neftchilar ave, office 12, Baku AZ1000", "AZ", "A1"),  # abbreviated, reordered
    ("Neftchilar prospekti 5, office 12, Baku", "AZ", "A1"),  # the Cyrillic spelling's alias
    ("5 Neftchiler ave, office 12, Baku", "AZ", "A1"),  # a misspelt street
    ("56 Salyan Hwy., Sumgait AZ5003", None, "A2"),  # no country on the manifest
    ("ul. Lenina 5, of. 12, Tashkent", "UZ", "A3"),  # transliterated; no country listed
    # the street-type word in another language
    ("Senagat kochesi 27, Ashgabat", "TM", "A4"),
    ("Amir Temur koʻchasi 12, Tashkent", "UZ", "A5"),
    ("Амир Темур кўчаси 12, Ташкент", "UZ", "A5"),
    ("Нефтчиляр проспект 5, офис 12, Баку", "AZ", "A1"),
    ("Senagat kochesi 29, Ashgabat", "TM", None),  # another house
    ("5 Neftchilar ave, office 14, Baku", "AZ", None),  # another office
    ("7 Neftchilar ave, office 12, Baku", "AZ", None),  # another house
    ("5 Neftchilar ave, office 12, Baku", "GE", None),  # another country
    ("56 Salyan Hwy, Baku", "AZ", None),  # the same street and number in another city
    ("Kaspiy Trans LLC", "AZ", None),  # a company's name is no address
    ("", "AZ", None),
])
def test_addresses_match_as_places(index, address, country, entry):
    matches = index.addresses.screen([Party("p", address, country)])
    assert [m.watchlist_id for m in matches][:1] == ([entry] if entry else [])
    for m in matches:
        assert m.score >= ADDRESS_THRESHOLD and m.kind is Kind.ADDRESS


def test_the_explanation_names_the_listed_address_in_both_languages(index):
    [match] = index.addresses.screen([Party("p", "Нефтчиляр пр-т 5, офис 12, Баку", "AZ")])
    assert match.explanation_en.startswith(
        "address matches another spelling of listed address 'Нефтчиляр проспект 5, офис 12, "
        "Баку'") and match.explanation_en.endswith("same country (AZ)")
    assert match.explanation_ru.startswith(
        "адрес совпадает с другим написанием адреса из списка «Нефтчиляр проспект 5")


def test_names_are_never_compared_with_listed_addresses(index):
    screener = Screener(index, workers=0)
    assert screener.screen_batch([Party("p", "Office 12, 5 Neftchilar Avenue, Baku", "AZ")]) \
        == []
    [hit] = screener.screen_batch([Party("q", "Kaspij Trans MChJ", "AZ")])
    assert hit.watchlist_id == "C1"


def test_repeated_addresses_are_compared_once_and_each_party_gets_its_match(index,
                                                                            monkeypatch):
    from portcontrol.engine.watchlist import addresses

    calls = []
    original = addresses.compare_address
    monkeypatch.setattr(addresses, "compare_address",
                        lambda a, b: calls.append((a, b)) or original(a, b))
    parties = [Party(str(i), "56 Salyan Hwy., Sumgait", "AZ") for i in range(50)]
    matches = index.addresses.screen(parties)
    assert [m.name_id for m in matches] == [str(i) for i in range(50)]
    assert len(calls) == 1


def test_a_list_without_addresses_has_no_address_index_and_one_of_addresses_only_no_names():
    assert WatchlistIndex([e for e in LISTED if e.kind is not Kind.ADDRESS]).addresses is None
    only = WatchlistIndex(LISTED[:1])
    assert len(only.rows) == 0 and len(only.addresses) == 1
    assert Screener(only, workers=0).screen_batch([Party("p", "Kaspiy", "AZ")]) == []
    assert len(AddressIndex(LISTED)) == 5


@pytest.mark.parametrize(("written", "english"), [
    ("Senagat kochesi 27", "Senagat street 27"),
    ("Amir Temur ko'chasi 12", "Amir Temur street 12"),
    ("Амир Темур кўчаси 12", "Амир Темур street 12"),
    ("Нефтчиляр проспект 5", "Нефтчиляр avenue 5"),
    ("пр-т Нефтчиляр 5", "avenue Нефтчиляр 5"),
    ("Atatürk Caddesi No 5", "Atatürk avenue No 5"),
    ("Salyan şossesi 56", "Salyan highway 56"),
    ("Ulugbek street 4", "Ulugbek street 4"),  # already English: as written
    ("Kuchabek 4", "Kuchabek 4"),  # a word that only begins like one: as written
    ("", ""),
])
def test_street_type_words_become_english(written, english):
    from portcontrol.engine.watchlist.addresses import street_words
    assert street_words(written) == english
