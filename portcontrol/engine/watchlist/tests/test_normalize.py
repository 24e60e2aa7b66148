"""Normalisation: transliteration, legal forms, romanisation folds, punctuation. Invented names."""

from __future__ import annotations

import pytest

from portcontrol.engine.watchlist.normalize import normalize_name, skeleton


@pytest.mark.parametrize(
    ("raw", "tokens", "forms"),
    [
        ("ООО «Тарвелин Транс»", ("tarvelin", "trans"), {"llc"}),
        ("Tarvelin Trans LLC", ("tarvelin", "trans"), {"llc"}),
        ("TARVELIN TRANS OOO", ("tarvelin", "trans"), {"llc"}),
        ("Tarvelin-Trans Co., Ltd.", ("tarvelin", "trans"), {"llc"}),
        ("ТОО «Зарбекло Логистикс»", ("zarbeklo", "logistiks"), {"llc"}),
        ("Zarbeklo Logistics TOO", ("zarbeklo", "logistiks"), {"llc"}),
        ("Qumdarlik Savdo MChJ", ("kumdarlik", "savdo"), {"llc"}),
        ("Кумдарлик Савдо МЧЖ", ("kumdarlik", "savdo"), {"llc"}),
        ("MCHZH KUMDARLIK SAVDO", ("kumdarlik", "savdo"), {"llc"}),
        ("Oltinbarg S.A.", ("oltinbarg",), {"jsc"}),
        ("АО «Шалкытемир»", ("salkitemir",), {"jsc"}),
        ("ЗАО Шалкытемир", ("salkitemir",), {"jsc"}),
        ("Shalkytemir JSC", ("salkitemir",), {"jsc"}),
        ("ИП Зарипулаев Тимурбек", ("zaripulaev", "timurbek"), {"sp"}),
        ("IP Zaripulaev Timurbek", ("zaripulaev", "timurbek"), {"sp"}),
        ("Velmara GmbH", ("velmara",), {"llc"}),
        ("Ləmbərvan Neft Ticarət MMC", ("lambarvan", "neft", "tikarat"), {"llc"}),
        ("შპს თბილვარჯანი ტრანსი", ("tbilvarjani", "transi"), {"llc"}),
        ("Tbilvarjani Transi Sh.P.S.", ("tbilvarjani", "transi"), {"llc"}),
        ("DERMAVİK DIŞ TİCARET LİMİTED ŞİRKETİ", ("dermavik", "dis", "tikaret"), {"llc"}),
    ],
)
def test_tokens_and_legal_forms(raw: str, tokens: tuple[str, ...], forms: set[str]) -> None:
    norm = normalize_name(raw)
    assert norm.tokens == tokens
    assert set(norm.forms) == forms


@pytest.mark.parametrize(
    "spellings",
    [
        ("Kaspiy", "Kaspij", "Kaspii", "Caspiy", "Каспий"),
        ("Yuriy", "Yurij", "Iurii", "Юрий"),
        ("Shchukin", "Schukin", "Щукин"),
        ("Pyotr", "Petr", "Пётр"),
        ("Zhanna", "Janna", "Жанна"),
        ("Khasan", "Hasan", "Xasan", "Хасан"),
        ("Qazaq", "Kazak", "Қазақ"),
        ("Şirvan", "Shirvan", "Ширван"),
    ],
)
def test_romanisation_variants_share_a_skeleton(spellings: tuple[str, ...]) -> None:
    assert len({normalize_name(s).tokens for s in spellings}) == 1


def test_legal_form_alone_is_kept_as_the_name() -> None:
    assert normalize_name("ООО").tokens == ("o",)


def test_supplementary_forms_only_at_the_edges() -> None:
    # "Too" inside a name is a word, not the Kazakh legal form.
    assert normalize_name("Alfa Too Beta").tokens == ("alfa", "to", "beta")
    assert normalize_name("TOO Alfa Beta").tokens == ("alfa", "beta")


def test_initials_split_but_dotted_legal_forms_stay_whole() -> None:
    assert normalize_name("Кудратходжаев Ф.И.").tokens[1:] == ("f", "i")
    assert normalize_name("Alfa L.L.C.").forms == frozenset({"llc"})


def test_script_is_noticed_for_the_explanation() -> None:
    assert normalize_name("Тарвелин").non_latin
    assert not normalize_name("Ləmbərvan").non_latin  # Azerbaijani Latin is Latin
    assert not normalize_name("Tarvelin").non_latin


def test_skeleton_keeps_digits() -> None:
    assert skeleton("2024") == "2024"


def test_many_names_at_once_as_one_by_one() -> None:
    """parallel.normalize_many (ASCII names split by polars, the rest name by name) packs
    exactly what normalize_name gives, in every field."""
    import random

    from portcontrol.engine.watchlist.parallel import normalize_many, pack
    from portcontrol.engine.watchlist.synthetic import (
        PERTURBATIONS,
        invent_company,
        invent_person,
    )

    rng = random.Random(5)
    names = ["", " ", "...", "LLC", "ООО", "S.A.", "A B", "Too Too", "ip ip ip", "co ltd co",
             "Oltinbarg S.A.", "Kumtebaeva A.S.", "L.L.C. Mirzavand", "Tarvelin-Trans Co., Ltd.",
             "MV Kaspiy Star IMO 9074729", "MSCU 123456-5", "TCLU7654320", "tclu 765432 0",
             "O'zbek Savdo", "Ləmbərvan Neft", "Kuzeyanadolu Halı San. ve Tic. A.Ş.",
             "Cholistan Chenab Pharma & Co.", '"Imereti Guria Motors" LLC', "Xxx Cccc Xx",
             "LİMİTED Şirketi", "Петров П.П.", "İMO 9074729", "trade 1 2 3"]
    for _ in range(300):
        name = rng.choice([invent_company, invent_person])(rng)
        names.append(name)
        names.append(rng.choice(list(PERTURBATIONS.values()))(name, rng))
    packed = normalize_many(names)
    assert packed == pack(names, [normalize_name(n) for n in names])
    # and each name comes back whole (the watchlist index keeps these)
    assert [packed.norm(i) for i in range(len(names))] == [normalize_name(n) for n in names]
