"""The catalogue of indicators: evidence a profiler looks for, each with its explanation.

Order matters only for display. Weights are defaults; an installation overrides them in
EngineConfig.indicator_weights. Placeholders in templates name feature columns or display
names (templates.DISPLAY).
"""

from __future__ import annotations

import math

import polars as pl

from .config import EngineConfig
from .indicator import Evaluate, Indicator, cases, ramp, which
from .templates import Template as T


def _route_features(c: EngineConfig) -> dict[str, pl.Expr]:
    origins = list(c.risky_origins)
    listed = pl.col("_hubs").list.set_intersection(
        pl.lit(list(c.risky_hubs), pl.List(pl.String)))
    return {
        "route_origin_listed": (pl.col("origin_country").is_in(origins)
                                | pl.col("pol_country").is_in(origins)
                                | pl.col("place_of_receipt").str.slice(0, 2).is_in(origins)
                                ).fill_null(False),
        "_listed_hubs": listed,
        "route_listed_hubs": listed.list.join(";"),
        "route_listed_hub_count": listed.list.len().fill_null(0),
    }


def _route(c: EngineConfig) -> tuple[pl.Expr, pl.Expr]:
    origin, hub = pl.col("route_origin_listed"), pl.col("route_listed_hub_count") > 0
    return cases((origin & hub, 1.0), (origin, 0.6), (hub, 0.3))


ROUTE = Indicator(
    "route", "Route from a listed source country or through a listed transshipment hub",
    "Маршрут из страны-источника или через порт перевалки из списка", 0.35,
    ("origin_country", "port_of_loading", "place_of_receipt", "transshipment_ports"), _route,
    (T("{cargo} from {loading} ({origin}) via {listed_hubs}: listed source country and "
       "transshipment hub",
       "{cargo} из {loading} ({origin}) через {listed_hubs}: страна-источник и порт перевалки "
       "из списка"),
     T("{cargo} from {loading} ({origin}): listed source country",
       "{cargo} из {loading} ({origin}): страна-источник из списка"),
     T("{cargo} via {listed_hubs}: listed transshipment hub",
       "{cargo} через {listed_hubs}: порт перевалки из списка")),
    code_features=_route_features)


def _rarity(count: str, total: str, c: EngineConfig) -> tuple[pl.Expr, pl.Expr]:
    """Seen `count` times among `total` (enough of them): never -> 1; rarer than
    rare_pair_count -> proportionally less."""
    n, enough = pl.col(count), pl.col(total) >= c.min_origin_shipments
    rare = 1.0 - n.cast(pl.Float64) / c.rare_pair_count
    return cases((enough & (n == 0), 1.0), (enough & (n < c.rare_pair_count), rare))


UNUSUAL_HUB = Indicator(
    "route_unusual_hub", "Transshipment port rarely or never used from this loading country",
    "Порт перевалки, редко или никогда не используемый из этой страны погрузки", 0.25,
    ("port_of_loading", "transshipment_ports", "route_hub_count", "pol_total"),
    lambda c: _rarity("route_hub_count", "pol_total", c),
    (T("transshipment via {unusual_hub} never seen before on shipments loaded in "
       "{pol_country_name} ({pol_total} earlier)",
       "перевалка через {unusual_hub} ранее не встречалась в отправках со страной погрузки "
       "{pol_country_name} (прежних отправок: {pol_total})"),
     T("transshipment via {unusual_hub} seen on only {route_hub_count} of {pol_total} earlier "
       "shipments loaded in {pol_country_name}",
       "перевалка через {unusual_hub} встречалась лишь в {route_hub_count} из {pol_total} "
       "прежних отправок со страной погрузки {pol_country_name}")))

COMMODITY_ORIGIN = Indicator(
    "commodity_origin", "Commodity unusual for its country of origin",
    "Товар, необычный для страны происхождения", 0.3,
    ("origin_country", "hs4", "origin_hs_count", "origin_total"),
    lambda c: _rarity("origin_hs_count", "origin_total", c),
    (T("{goods} ({hs4}) never declared from {origin} in {origin_total} earlier shipments",
       "{goods} ({hs4}): ни разу не декларировались из страны {origin} за {origin_total} "
       "прежних отправок"),
     T("{goods} ({hs4}) declared from {origin} only {origin_hs_count} times in "
       "{origin_total} earlier shipments",
       "{goods} ({hs4}): из страны {origin} декларировались лишь {origin_hs_count} раз за "
       "{origin_total} прежних отправок")))


def _value(direction: int) -> Evaluate:
    def evaluate(c: EngineConfig) -> tuple[pl.Expr, pl.Expr]:
        # value_z is null when neither heading nor chapter has a normal range: score 0.
        score = ramp(pl.col("value_z") * direction, c.value_k, 2 * c.value_k)
        return score, which(pl.col("value_by_heading"), ~pl.col("value_by_heading"))
    return evaluate


def _value_templates(word_en: str, word_ru: str, pct: str) -> tuple[T, ...]:
    tail_en = "({value_per_kg:.2f} USD/kg; normal {value_per_kg_low:.2f}–{value_per_kg_high:.2f})"
    tail_ru = "({value_per_kg:.2f} USD/кг; обычно {value_per_kg_low:.2f}–{value_per_kg_high:.2f})"
    return tuple(
        T(f"value per kg {{{pct}:.0f}} % {word_en} the normal range of {en} {{value_ref}} "
          f"{tail_en}",
          f"стоимость за кг на {{{pct}:.0f}} % {word_ru} обычного диапазона {ru} {{value_ref}} "
          f"{tail_ru}")
        for en, ru in (("heading", "товарной позиции"), ("chapter", "группы")))


_VALUE_READS = ("value", "currency", "goods_net_kg", "hs4", "value_per_kg", "value_z")
VALUE_LOW = Indicator(
    "value_low", "Value per kg far below the normal range of its HS heading",
    "Стоимость за кг намного ниже обычной для товарной позиции", 0.35, _VALUE_READS,
    _value(-1), _value_templates("below", "ниже", "value_below_pct"))
VALUE_HIGH = Indicator(
    "value_high", "Value per kg far above the normal range of its HS heading",
    "Стоимость за кг намного выше обычной для товарной позиции", 0.15, _VALUE_READS,
    _value(1), _value_templates("above", "выше", "value_above_pct"))


def _mass(c: EngineConfig) -> tuple[pl.Expr, pl.Expr]:
    gross, goods, limit = pl.col("gross_mass_kg"), pl.col("goods_gross_kg"), pl.col("max_gross_kg")
    ratio, f = pl.col("load_ratio"), c.load_factor
    tol = 1 + c.mass_tolerance
    # On a log scale: f times the usual load starts scoring, f squared times scores 1.
    heavy = ramp(ratio.log(), math.log(f), 2 * math.log(f))
    light = ramp(-ratio.log(), math.log(f), 2 * math.log(f)).clip(0.0, 0.6)  # part loads
    # declared empty, but heavier than any empty box of its length: a false empty
    loaded_empty = ~pl.col("full") & (gross > pl.col("max_empty_kg") * tol)
    return cases((gross > limit * tol, 1.0), ((gross > 0) & (goods > gross * tol), 1.0),
                 (ratio > f, heavy), (ratio < 1 / f, light), (loaded_empty, 1.0))


MASS = Indicator(
    "mass_implausible", "Declared mass implausible for the container size or the goods",
    "Заявленная масса неправдоподобна для размера контейнера или товара", 0.3,
    ("gross_mass_kg", "goods_gross_kg", "size_type", "hs4", "load_ratio", "full_empty"),
    _mass,
    (T("declared gross mass {gross_mass_kg:.0f} kg exceeds the {max_gross_kg:.0f} kg rating "
       "of a {length_ft} ft container",
       "заявленная масса брутто {gross_mass_kg:.0f} кг больше допустимых {max_gross_kg:.0f} кг "
       "для {length_ft}-футового контейнера"),
     T("goods {goods_gross_kg:.0f} kg heavier than the container's declared gross mass "
       "{gross_mass_kg:.0f} kg",
       "груз {goods_gross_kg:.0f} кг тяжелее заявленной массы брутто контейнера "
       "{gross_mass_kg:.0f} кг"),
     T("goods {goods_gross_kg:.0f} kg, {load_ratio:.1f} times the usual load of heading {hs4} "
       "in a {length_ft} ft container ({load_median_kg:.0f} kg)",
       "груз {goods_gross_kg:.0f} кг, в {load_ratio:.1f} раза больше обычной загрузки позиции "
       "{hs4} в {length_ft}-футовом контейнере ({load_median_kg:.0f} кг)"),
     T("goods only {goods_gross_kg:.0f} kg, {load_share_pct:.0f} % of the usual load of "
       "heading {hs4} in a {length_ft} ft container ({load_median_kg:.0f} kg)",
       "груз всего {goods_gross_kg:.0f} кг, {load_share_pct:.0f} % обычной загрузки позиции "
       "{hs4} в {length_ft}-футовом контейнере ({load_median_kg:.0f} кг)"),
     T("declared empty, but the container weighs {gross_mass_kg:.0f} kg; an empty "
       "{length_ft} ft container weighs at most {max_empty_kg:.0f} kg",
       "заявлен порожним, но контейнер весит {gross_mass_kg:.0f} кг; порожний "
       "{length_ft}-футовый контейнер весит не более {max_empty_kg:.0f} кг")),
    lambda c: {"load_share_pct": 100.0 * pl.col("load_ratio")})


def _gap(measured: pl.Expr, declared: pl.Expr, name: str) -> dict[str, pl.Expr]:
    """`<name>_pct`: how far a measured mass is from the declared one, in per cent of the
    declared (null when either is unknown); `<name>_abs_pct` its size."""
    diff = pl.when(declared > 0).then(100.0 * (measured - declared) / declared)
    return {f"{name}_pct": diff, f"{name}_abs_pct": diff.abs()}


def _gap_score(name: str) -> Evaluate:
    """A mass gap (_gap) scored: weighing differences up to vgm_tolerance are normal, the
    score is full at vgm_full; the case says above (0) or below (1)."""
    def evaluate(c: EngineConfig) -> tuple[pl.Expr, pl.Expr]:
        rel = pl.col(f"{name}_pct") / 100.0
        return ramp(rel.abs(), c.vgm_tolerance, c.vgm_full), which(rel > 0, rel < 0)
    return evaluate


VGM = Indicator(
    "vgm_mismatch", "Verified gross mass (VGM) far from the declared gross mass",
    "Подтверждённая масса брутто (VGM) сильно отличается от заявленной", 0.35,
    ("gross_mass_kg", "vgm_kg"), _gap_score("vgm_diff"),
    (T("VGM {vgm_kg:.0f} kg is {vgm_diff_abs_pct:.0f} % above the declared gross mass "
       "{gross_mass_kg:.0f} kg",
       "VGM {vgm_kg:.0f} кг на {vgm_diff_abs_pct:.0f} % больше заявленной массы брутто "
       "{gross_mass_kg:.0f} кг"),
     T("VGM {vgm_kg:.0f} kg is {vgm_diff_abs_pct:.0f} % below the declared gross mass "
       "{gross_mass_kg:.0f} kg",
       "VGM {vgm_kg:.0f} кг на {vgm_diff_abs_pct:.0f} % меньше заявленной массы брутто "
       "{gross_mass_kg:.0f} кг")),
    lambda c: _gap(pl.col("vgm_kg"), pl.col("gross_mass_kg"), "vgm_diff"))


def _weighed_features(c: EngineConfig) -> dict[str, pl.Expr]:
    # what the manifest declares: the VGM where it gives one, else the gross mass
    declared = pl.when(pl.col("vgm_kg") > 0).then(pl.col("vgm_kg")).otherwise(
        pl.col("gross_mass_kg"))
    return {"declared_mass_kg": declared,
            **_gap(pl.col("weighed_mass_kg"), declared, "weighed_diff")}


WEIGHED = Indicator(
    "weighed_mass", "Mass weighed at the terminal far from the mass declared",
    "Масса при взвешивании в терминале сильно отличается от заявленной", 0.45,
    ("weighed_mass_kg", "gross_mass_kg", "vgm_kg"), _gap_score("weighed_diff"),
    (T("weighed {weighed_mass_kg:.0f} kg at the terminal (stowage plan), "
       "{weighed_diff_abs_pct:.0f} % above the {declared_mass_kg:.0f} kg declared",
       "при взвешивании в терминале {weighed_mass_kg:.0f} кг (грузовой план), на "
       "{weighed_diff_abs_pct:.0f} % больше заявленных {declared_mass_kg:.0f} кг"),
     T("weighed {weighed_mass_kg:.0f} kg at the terminal (stowage plan), "
       "{weighed_diff_abs_pct:.0f} % below the {declared_mass_kg:.0f} kg declared",
       "при взвешивании в терминале {weighed_mass_kg:.0f} кг (грузовой план), на "
       "{weighed_diff_abs_pct:.0f} % меньше заявленных {declared_mass_kg:.0f} кг")),
    _weighed_features)


def _party(role: str, en: str, ru: str, weight: float) -> Indicator:
    def evaluate(c: EngineConfig) -> tuple[pl.Expr, pl.Expr]:
        n, days = pl.col(f"{role}_shipments"), pl.col(f"{role}_days_known")
        return cases((n == 0, 1.0), (days < c.new_party_days, 0.7),
                     (n <= c.one_off_shipments, 0.4))
    name, n = f"{{{role}_name}}", f"{{{role}_shipments}}"
    return Indicator(
        f"{role}_new", f"{en.capitalize()} never seen before, new, or seen only in one-off "
        "shipments", f"{ru.capitalize()} ранее не встречался, новый или разовый", weight,
        (f"{role}_name", f"{role}_country", f"{role}_shipments", f"{role}_days_known"),
        evaluate,
        (T(f"{en} {name} never seen before", f"{ru} {name} ранее не встречался"),
         T(f"{en} {name} first seen {{{role}_days_known}} days ago ({n} earlier shipments)",
           f"{ru} {name} впервые встретился {{{role}_days_known}} дн. назад (прежних отправок: "
           f"{n})"),
         T(f"{en} {name} seen in only {n} earlier shipment(s), first on "
           f"{{{role}_first_seen}}",
           f"{ru} {name} встречался лишь в прежних отправках: {n}, впервые "
           f"{{{role}_first_seen}}")))


CONSIGNEE_NEW = _party("consignee", "consignee", "получатель", 0.3)
SHIPPER_NEW = _party("shipper", "shipper", "отправитель", 0.2)


def _seizure_features(c: EngineConfig) -> dict[str, pl.Expr]:
    return {f"{r}_seizure_pct": pl.when(pl.col(f"{r}_shipments") > 0)
            .then(100.0 * pl.col(f"{r}_seizures") / pl.col(f"{r}_shipments"))
            for r in ("consignee", "shipper")}


def _seizure(c: EngineConfig) -> tuple[pl.Expr, pl.Expr]:
    # A share, not a count: a clearing agent on 900 shipments with 5 seizures is the base rate,
    # a consignee with 1 seizure in 3 shipments is not.
    consignee = ramp(pl.col("consignee_seizure_pct").fill_null(0), 5.0, 25.0)
    shipper = ramp(pl.col("shipper_seizure_pct").fill_null(0), 5.0, 25.0)
    return cases(((consignee >= shipper) & (consignee > 0), consignee), (shipper > 0, shipper))


PARTY_SEIZURE = Indicator(
    "party_seizure", "Shipper or consignee with seizures on a notable share of its shipments",
    "Отправитель или получатель с изъятиями в заметной доле его отправок", 0.6,
    ("consignee_seizures", "consignee_shipments", "shipper_seizures", "shipper_shipments"),
    _seizure,
    tuple(T(f"{en} {{{r}_name}}: seizures on {{{r}_seizures}} of {{{r}_shipments}} earlier "
            f"shipments, last on {{{r}_last_seizure}}",
            f"{ru} {{{r}_name}}: изъятия в {{{r}_seizures}} из {{{r}_shipments}} прежних "
            f"отправок, последнее {{{r}_last_seizure}}")
          for r, en, ru in (("consignee", "consignee", "получатель"),
                            ("shipper", "shipper", "отправитель"))),
    _seizure_features)


def _reefer(c: EngineConfig) -> tuple[pl.Expr, pl.Expr]:
    dry = pl.col("hs2").is_not_null() & ~pl.col("hs2").is_in(list(c.perishable_chapters))
    return cases((pl.col("reefer") & pl.col("full") & dry, 1.0))


REEFER = Indicator(
    "reefer_non_perishable", "Reefer carrying goods that need no refrigeration",
    "Рефконтейнер с товаром, не требующим охлаждения", 0.35, ("reefer", "hs_code"), _reefer,
    (T("reefer carrying {goods} ({hs4}): chapter {hs2} goods need no refrigeration",
       "рефконтейнер с грузом {goods} ({hs4}): товары группы {hs2} не требуют охлаждения"),))


def _freight(c: EngineConfig) -> tuple[pl.Expr, pl.Expr]:
    terms = pl.col("freight_terms")
    rare = (pl.col("freight_share_pct") < 100 * c.rare_freight_share) & (
        pl.col("origin_total") >= c.min_origin_shipments)
    return cases((terms.is_not_null() & ~terms.is_in(list(c.usual_freight_terms)), 1.0),
                 (terms.is_null() & pl.col("full"), 0.3), (rare, 0.5))


FREIGHT = Indicator(
    "freight_unusual", "Unusual or missing freight terms",
    "Необычные или отсутствующие условия оплаты фрахта", 0.15,
    ("freight_terms", "freight_share_pct"), _freight,
    (T("unusual freight terms '{freight_terms}'", "необычные условия оплаты фрахта "
                                                  "'{freight_terms}'"),
     T("freight terms missing", "условия оплаты фрахта не указаны"),
     T("freight {freight_terms} on only {freight_share_pct:.1f} % of earlier shipments from "
       "{origin}", "фрахт {freight_terms} лишь в {freight_share_pct:.1f} % прежних отправок из "
                   "страны {origin}")))

SEALS = Indicator(
    "seals_changed", "Seal numbers changed between messages",
    "Номера пломб менялись между сообщениями", 0.4, ("seals_changed",),
    lambda c: cases((pl.col("seals_changed") > 0, 1.0)),
    (T("seal numbers changed between messages ({seals_changed} times); now {seals}",
       "номера пломб менялись между сообщениями ({seals_changed} раз); сейчас {seals}"),))


def _container(c: EngineConfig) -> tuple[pl.Expr, pl.Expr]:
    return cases((pl.col("container_valid").not_(), 1.0), (pl.col("clone_voyages") > 0, 1.0),
                 (pl.col("container_bl_count") > 1, 0.4))


CONTAINER = Indicator(
    "container_number", "Invalid, cloned or duplicate container number",
    "Неверный, клонированный или повторяющийся номер контейнера", 0.4,
    ("container_number", "container_valid", "clone_voyages", "container_bl_count"), _container,
    (T("container number {container_number} fails the ISO 6346 check",
       "номер контейнера {container_number} не проходит проверку ISO 6346"),
     T("container {container_number} also declared on voyage {clone_voyage}, arrivals "
       "{clone_gap_days:.0f} days apart",
       "контейнер {container_number} заявлен и в рейсе {clone_voyage}, прибытия с разницей "
       "{clone_gap_days:.0f} дн."),
     T("container {container_number} appears on {container_bl_count} bills of lading of this "
       "voyage", "контейнер {container_number} указан в {container_bl_count} коносаментах "
                 "этого рейса")))

DWELL = Indicator(
    "hub_dwell", "Long dwell at a transshipment hub", "Долгая стоянка в порту перевалки", 0.25,
    ("hub_dwell_days", "transshipment_ports"),
    lambda c: cases((pl.col("hub_count") > 0,
                     ramp(pl.col("hub_dwell_days"), c.normal_dwell_days, c.long_dwell_days))),
    # The days are those at the last transshipment port (the one the manifest dates).
    (T("{hub_dwell_days:.0f} days at transshipment in {last_hub}",
       "{hub_dwell_days:.0f} дн. на перевалке в порту {last_hub}"),))

ALERT = Indicator(
    "foreign_alert", "Container named in an alert from another unit or country",
    "Контейнер указан в ориентировке другого подразделения или страны", 0.9,
    ("foreign_alert",),
    lambda c: cases((pl.col("foreign_alert") & pl.col("alert_source").is_not_null(), 1.0),
                    (pl.col("foreign_alert"), 1.0)),
    (T("foreign alert on container {container_number} ({alert_source})",
       "иностранная ориентировка на контейнер {container_number} ({alert_source})"),
     T("foreign alert on container {container_number}",
       "иностранная ориентировка на контейнер {container_number}")))

INDICATORS: tuple[Indicator, ...] = (
    ALERT, ROUTE, UNUSUAL_HUB, COMMODITY_ORIGIN, VALUE_LOW, VALUE_HIGH, MASS, VGM, WEIGHED,
    CONSIGNEE_NEW, SHIPPER_NEW, PARTY_SEIZURE, REEFER, FREIGHT, SEALS, CONTAINER, DWELL)
BY_ID = {i.id: i for i in INDICATORS}


def registry() -> list[dict[str, object]]:
    """Every indicator with its id, descriptions, default weight and columns."""
    return [i.to_dict() for i in INDICATORS]
