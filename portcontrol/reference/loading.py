"""Load the vendored reference files into the database, skipping those already loaded."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import models, transaction

from . import lookup
from .models import ContainerType, Country, Currency, HsCode, Port, ReferenceDataset

DATA_DIR = Path(__file__).resolve().parent / "data"


def _float(text: str) -> float | None:
    return float(text) if text else None


@dataclass(frozen=True)
class Dataset:
    name: str
    filename: str
    model: type[models.Model]
    build: Callable[[dict[str, str]], models.Model]


DATASETS = [
    Dataset("countries", "countries.csv", Country, lambda r: Country(
        code=r["alpha2"], alpha3=r["alpha3"], numeric=r["numeric"], name_en=r["name_en"],
        name_ru=r["name_ru"], region=r["region"], subregion=r["subregion"],
        currency=r["currency"])),
    Dataset("hs2022", "hs2022.csv.gz", HsCode, lambda r: HsCode(
        code=r["code"], level=int(r["level"]), parent=r["parent"], section=r["section"],
        description=r["description"])),
    Dataset("container_types", "iso6346_types.csv", ContainerType, lambda r: ContainerType(
        code=r["code"], description=r["description"], length_ft=r["length_ft"],
        height_ft=r["height_ft"], group=r["group"])),
    Dataset("currencies", "currencies.csv", Currency, lambda r: Currency(
        code=r["code"], name=r["name"], numeric=r["numeric"], minor_unit=r["minor_unit"])),
    Dataset("ports", "ports.csv.gz", Port, lambda r: Port(
        locode=r["locode"], country=r["country"], name=r["name"], functions=r["functions"],
        latitude=_float(r["lat"]), longitude=_float(r["lon"]), source=r["source"])),
]


def read_rows(filename: str) -> Iterator[dict[str, str]]:
    raw = (DATA_DIR / filename).read_bytes()
    if filename.endswith(".gz"):
        raw = gzip.decompress(raw)
    yield from csv.DictReader(io.StringIO(raw.decode("utf-8")))


def _checksum(filename: str) -> str:
    return hashlib.sha256((DATA_DIR / filename).read_bytes()).hexdigest()


def load_reference_data(*, force: bool = False) -> dict[str, int | None]:
    """Load every dataset whose file changed since it was last loaded.

    Returns {dataset: rows loaded, or None when it was already current}. Each dataset is
    replaced whole in its own transaction, so a failure leaves the previous version in place.
    """
    result: dict[str, int | None] = {}
    for ds in DATASETS:
        checksum = _checksum(ds.filename)
        current = ReferenceDataset.objects.filter(name=ds.name, checksum=checksum).exists()
        if current and not force:
            result[ds.name] = None
            continue
        objects = [ds.build(row) for row in read_rows(ds.filename)]
        with transaction.atomic():
            ds.model.objects.all().delete()
            ds.model.objects.bulk_create(objects, batch_size=2000)
            ReferenceDataset.objects.update_or_create(
                name=ds.name, defaults={"checksum": checksum, "rows": len(objects)})
        result[ds.name] = len(objects)
    lookup.clear_caches()
    return result
