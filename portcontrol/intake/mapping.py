"""Column mappings for tabular files (CSV, XLSX): agency column names -> PortControl fields.

A mapping is a small YAML file (see mappings/generator.yaml and mappings/example_agency.yaml):

    name: example_agency
    delimiter: ";"            # optional: detected from the header when left out
    encoding: utf-8           # optional: detected (UTF-8, UTF-8 with BOM, else cp1251/latin-1)
    decimal: ","              # decimal mark in numbers (default ".")
    thousands: " "            # optional thousands separator, removed before reading numbers
    timezone: "+04:00"        # appended to dates read with a date_format (default: none)
    sheet: Manifest           # XLSX only: the worksheet (default: the first)
    columns:                  # PortControl field: agency column, or the column with options
      container_number: "Container No"
      gross_mass_kg: {column: "Gross, t", unit: t}
      eta: {column: ETA, date_format: "%d.%m.%Y %H:%M"}
      transshipment_arrival: {column: "Hub in", date_format: "%d.%m.%Y"}
      reefer: {column: Reefer, true_values: ["Y"], false_values: ["N", ""]}
      seals: {column: Seals, separator: ","}
    defaults:                 # constants for fields the file leaves empty or does not have
      port_of_call: GEPTI

New mappings need no code: put the file in mappings/ (selected by name) or pass its path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .findings import IntakeError

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"

# The flat field names: the generator's containers.csv columns (a contract, see
# portcontrol/generator/frames.py; a test keeps the two lists equal).
FIELDS = (
    "voyage_id", "vessel_imo", "vessel_name", "vessel_flag", "carrier", "port_of_call", "eta",
    "bl_number", "place_of_receipt", "port_of_loading", "transshipment_ports",
    "transshipment_arrival", "transshipment_departure", "port_of_discharge", "final_destination",
    "shipper_name", "shipper_address", "shipper_country", "consignee_name", "consignee_address",
    "consignee_country",
    "notify_name", "notify_address", "notify_country", "freight_terms", "container_number",
    "size_type", "seals", "gross_mass_kg", "vgm_kg", "full_empty", "reefer", "hs_code",
    "goods_description", "packages", "package_type", "goods_gross_kg", "goods_net_kg", "value",
    "currency", "origin_country",
)
REQUIRED = ("voyage_id", "bl_number", "container_number", "port_of_call")
MASS_FIELDS = ("gross_mass_kg", "vgm_kg", "goods_gross_kg", "goods_net_kg")
NUMBER_FIELDS = (*MASS_FIELDS, "value")
INTEGER_FIELDS = ("packages",)
DATE_FIELDS = ("eta",)  # a date and time
DAY_FIELDS = ("transshipment_arrival", "transshipment_departure")  # a calendar day
BOOL_FIELDS = ("reefer",)
LIST_FIELDS = ("seals", "transshipment_ports")
UNITS = {"kg": 1.0, "kgm": 1.0, "t": 1000.0, "tne": 1000.0, "tonne": 1000.0, "tonnes": 1000.0,
         "lb": 0.45359237, "lbs": 0.45359237, "lbr": 0.45359237}
DEFAULT_TRUE = ("1", "true", "yes", "y", "t", "x", "да", "д")
DEFAULT_FALSE = ("0", "false", "no", "n", "f", "нет", "н")
_COLUMN_KEYS = {"column", "unit", "date_format", "true_values", "false_values", "separator"}
_TOP_KEYS = {"name", "description", "delimiter", "encoding", "decimal", "thousands", "timezone",
             "sheet", "columns", "defaults", "required"}


@dataclass(frozen=True)
class Column:
    field: str
    column: str | None  # None: the field comes from `defaults` only
    factor: float = 1.0  # multiply to get kilograms
    date_format: str | None = None
    true_values: tuple[str, ...] = DEFAULT_TRUE
    false_values: tuple[str, ...] = DEFAULT_FALSE
    separator: str = ";"


@dataclass(frozen=True)
class Mapping:
    name: str
    columns: dict[str, Column]
    defaults: dict[str, str] = field(default_factory=dict)
    delimiter: str | None = None
    encoding: str | None = None
    decimal: str = "."
    thousands: str = ""
    timezone: str = ""
    sheet: str | None = None
    required: tuple[str, ...] = REQUIRED

    def resolve(self, header: list[str]) -> tuple[dict[str, str], list[str], list[str]]:
        """Match the file's header: ({field: file column}, missing required, extra columns).

        Names match ignoring case and surrounding spaces; a required field is satisfied by a
        column or by a default.
        """
        by_key: dict[str, str] = {}
        for name in header:
            by_key.setdefault(_key(name), name)
        selected: dict[str, str] = {}
        for fld, col in self.columns.items():
            if col.column is not None and _key(col.column) in by_key:
                selected[fld] = by_key[_key(col.column)]
        missing = [f"{self.columns[f].column if f in self.columns else f} (for {f})"
                   for f in self.required if f not in selected and f not in self.defaults]
        used = {_key(c) for c in selected.values()}
        extra = [name for name in header if _key(name) not in used]
        return selected, missing, extra


def _key(name: str) -> str:
    return str(name).strip().lstrip("\ufeff").casefold()


def _words(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise IntakeError(f"{where} must be a list of quoted values.",
                          message_ru=f"{where}: нужен список значений в кавычках.")
    for v in value:
        if isinstance(v, bool) or v is None:
            raise IntakeError(f"{where}: write every value in quotes (YAML reads yes/no/on/off "
                              f"unquoted as true/false).",
                              message_ru=f"{where}: каждое значение пишется в кавычках (YAML "
                              "читает yes/no/on/off без кавычек как true/false).")
    return tuple(str(v).strip().casefold() for v in value)


def _column(fld: str, spec: Any) -> Column:
    if isinstance(spec, (str, int)) and not isinstance(spec, bool):
        return Column(fld, str(spec))
    if not isinstance(spec, dict) or not set(spec) <= _COLUMN_KEYS:
        raise IntakeError(f"Mapping of field {fld!r} must be a column name or an object with "
                          f"keys {sorted(_COLUMN_KEYS)}.",
                          message_ru=f"Для поля {fld!r} нужно имя столбца или объект с ключами "
                          f"{sorted(_COLUMN_KEYS)}.")
    unit = str(spec.get("unit", "kg")).strip().lower()
    if unit not in UNITS or (unit != "kg" and fld not in MASS_FIELDS):
        raise IntakeError(f"Unit {unit!r} of field {fld!r}: units ({', '.join(UNITS)}) apply "
                          f"to the masses {', '.join(MASS_FIELDS)} only.",
                          message_ru=f"Единица {unit!r} поля {fld!r}: единицы ({', '.join(UNITS)}) "
                          f"применимы только к массам {', '.join(MASS_FIELDS)}.")
    col = spec.get("column")
    return Column(
        fld, None if col is None else str(col), UNITS[unit], spec.get("date_format"),
        _words(spec["true_values"], f"{fld}.true_values") if "true_values" in spec
        else DEFAULT_TRUE,
        _words(spec["false_values"], f"{fld}.false_values") if "false_values" in spec
        else DEFAULT_FALSE,
        str(spec.get("separator", ";")) or ";")


def mapping_from_dict(data: Any, *, origin: str = "mapping") -> Mapping:
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise IntakeError(f"{origin}: a mapping needs a 'columns' object (field: column name).",
                          message_ru=f"{origin}: в сопоставлении столбцов нужен объект "
                          "'columns' (поле: имя столбца).")
    unknown = set(data) - _TOP_KEYS
    bad_fields = [f for f in (*data["columns"], *(data.get("defaults") or {})) if f not in FIELDS]
    if unknown or bad_fields:
        raise IntakeError(f"{origin}: unknown keys {sorted(unknown)} or fields "
                          f"{sorted(map(str, bad_fields))}; fields are: {', '.join(FIELDS)}.",
                          message_ru=f"{origin}: неизвестные ключи {sorted(unknown)} или поля "
                          f"{sorted(map(str, bad_fields))}; поля: {', '.join(FIELDS)}.")
    columns = {str(f): _column(str(f), spec) for f, spec in data["columns"].items()}
    defaults = {str(k): str(v) for k, v in (data.get("defaults") or {}).items()}
    delimiter = data.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise IntakeError(f"{origin}: delimiter must be one character, e.g. ';' or '\\t'.",
                          message_ru=f"{origin}: разделитель — один символ, например ';' или "
                          "'\\t'.")
    decimal = str(data.get("decimal", "."))
    if decimal not in (".", ","):
        raise IntakeError(f"{origin}: decimal must be '.' or ','.",
                          message_ru=f"{origin}: десятичный знак — '.' или ','.")
    required = tuple(data.get("required") or REQUIRED)
    return Mapping(name=str(data.get("name") or origin), columns=columns, defaults=defaults,
                   delimiter=delimiter, encoding=data.get("encoding"), decimal=decimal,
                   thousands=str(data.get("thousands") or ""),
                   timezone=str(data.get("timezone") or ""), sheet=data.get("sheet"),
                   required=required)


def available_mappings() -> list[str]:
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.yaml"))


def load_mapping(spec: str | Path | dict[str, Any] | Mapping | None = None) -> Mapping:
    """A Mapping from a name in mappings/, a YAML path, a dict, or None (the generator's)."""
    if isinstance(spec, Mapping):
        return spec
    if isinstance(spec, dict):
        return mapping_from_dict(spec)
    path = Path(spec) if spec is not None else MAPPINGS_DIR / "generator.yaml"
    if spec is not None and not path.suffix and "/" not in str(spec):
        path = MAPPINGS_DIR / f"{spec}.yaml"
        if not path.exists():
            raise IntakeError(f"No mapping named {spec!r}; available: "
                              f"{', '.join(available_mappings())}.",
                              message_ru=f"Нет сопоставления столбцов {spec!r}; есть: "
                              f"{', '.join(available_mappings())}.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise IntakeError(f"Cannot read mapping {path}: {exc.strerror}.",
                          message_ru=f"Не удаётся прочитать сопоставление столбцов {path}: "
                          f"{exc.strerror}.") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise IntakeError(f"Mapping {path} is not valid YAML: {exc}",
                          message_ru=f"Сопоставление столбцов {path} — недопустимый YAML: "
                          f"{exc}") from None
    return mapping_from_dict(data, origin=str(path.name))
