"""Watchlists in the database: store them (actions_watchlists reads the files), and screen a
scoring batch's parties, vessels and containers against the lists of the unit
(portcontrol.engine.watchlist does the matching)."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from portcontrol.accounts.models import Unit
from portcontrol.audit.log import record as audit
from portcontrol.core.kept import MISSING, Kept
from portcontrol.engine.watchlist import Kind, LoadResult, Party, Screener, WatchlistIndex
from portcontrol.engine.watchlist import WatchlistEntry as EngineEntry

from .models import Watchlist, WatchlistEntry

ROLES = ("shipper", "consignee", "notify")


def store_watchlist(*, loaded: LoadResult, unit: Unit, name: str, source_file: str,
                    acting_user: Any) -> tuple[Watchlist, int | None]:
    """Replace the entries of the unit's list `name` (created if new) with `loaded`'s, audited,
    and record who imported it and when (no user on the command line); return the list and how
    many entries it had before (None when it is new)."""
    user = acting_user if getattr(acting_user, "pk", None) else None
    with transaction.atomic():
        watchlist, created = Watchlist.objects.get_or_create(unit=unit, name=name[:120], defaults={
            "created_by": user})
        # Two imports of one list at once must not both delete and then both insert.
        watchlist = Watchlist.objects.select_for_update().get(pk=watchlist.pk)
        before = watchlist.entries_count
        watchlist.entries.all().delete()
        WatchlistEntry.objects.bulk_create([
            WatchlistEntry(watchlist=watchlist, entry_id=e.id[:200], kind=str(e.kind),
                           names=list(e.names), countries=list(e.countries),
                           imo_numbers=list(e.imo_numbers),
                           container_numbers=list(e.container_numbers))
            for e in loaded.entries], batch_size=2000)
        watchlist.entries_count = len(loaded.entries)
        watchlist.source_file = source_file[:200]
        watchlist.imported_by, watchlist.imported_at = user, timezone.now()
        watchlist.save(update_fields=["entries_count", "source_file", "imported_by",
                                      "imported_at"])
        audit(actor=acting_user, action="watchlist.import", object_type="watchlist",
              object_id=watchlist.pk, unit_id=unit.pk, before={"entries": before},
              after={"entries": len(loaded.entries), "file": source_file,
                     "rejected_rows": len(loaded.issues), "skipped": loaded.skipped})
    return watchlist, None if created else before


# units whose index a process keeps (the task worker scores unit by unit)
_INDEXES: Kept[WatchlistIndex | None] = Kept(8)


def index_for(unit: Unit) -> WatchlistIndex | None:
    """The index of the unit's lists, None without entries. Building it costs seconds for a
    large list (about 3 s for 50,000 entries) and scoring runs after every intake, so each
    process keeps the indexes it built, keyed by the unit's lists as last imported and their
    entries as stored: every import sets `imported_at` (store_watchlist) and replaces the
    entries (new ids), and a deleted list leaves the key, so a changed list is never served
    from the cache."""
    lists = tuple(Watchlist.objects.filter(unit=unit).order_by("pk")
                  .values_list("pk", "imported_at", "entries_count"))
    # and the entries as stored: an import replaces them all, with new ids
    stored = WatchlistEntry.objects.filter(watchlist__unit=unit).aggregate(
        n=Count("pk"), last=Max("pk"))
    key = (unit.pk, lists, stored["n"], stored["last"])
    kept = _INDEXES.get(key)
    if kept is not MISSING:
        return kept  # type: ignore[return-value]
    rows = WatchlistEntry.objects.filter(watchlist__unit=unit)
    entries = [EngineEntry(id=f"{r.watchlist_id}:{r.entry_id}", kind=Kind(r.kind),
                           names=tuple(r.names), countries=tuple(r.countries),
                           imo_numbers=tuple(r.imo_numbers),
                           container_numbers=tuple(r.container_numbers)) for r in rows]
    index = WatchlistIndex(entries) if entries else None
    return _INDEXES.put(key, index)


# How a reason names the part of a container's papers that matched (English, Russian).
ROLE_NAMES = {"shipper": ("shipper", "отправитель"), "consignee": ("consignee", "получатель"),
              "notify": ("notify party", "уведомляемая сторона"),
              "container": ("container", "контейнер"), "vessel": ("vessel", "судно"),
              "shipper_address": ("shipper's address", "адрес отправителя"),
              "consignee_address": ("consignee's address", "адрес получателя"),
              "notify_address": ("notify party's address", "адрес уведомляемой стороны")}


def screen_frame(frame: pl.DataFrame, index: WatchlistIndex) -> pl.DataFrame:
    """Add watchlist_score and watchlist_explanation_en/_ru: each container's best hit among
    its parties (names, and addresses against listed addresses), its vessel and its own
    number, saying which of them matched, on which list and entry, and why."""
    parties = []
    addresses = []
    columns = ["container_number", "vessel_imo",
               *[f"{r}_{c}" for r in ROLES for c in ("name", "country", "address")]]
    for i, row in enumerate(frame.select(
            [pl.col(c) if c in frame.columns else pl.lit(None, pl.String).alias(c)
             for c in columns]).iter_rows()):
        number, imo, *named = row
        if number:
            parties.append(Party(id=f"{i}:container", name="", container_number=number))
        if imo:
            parties.append(Party(id=f"{i}:vessel", name="", imo_number=imo))
        for k, role in enumerate(ROLES):
            name, country, address = named[3 * k:3 * k + 3]
            if name:
                parties.append(Party(id=f"{i}:{role}", name=name, country=country or None))
            if address and index.addresses is not None:
                addresses.append(Party(id=f"{i}:{role}_address", name=address,
                                       country=country or None))
    # entries are "list id:entry id" (index_for); the lists' names for the reasons
    listed_in = {e.id.partition(":")[0] for e in index.entries}
    lists = {str(pk): name for pk, name in Watchlist.objects.filter(
        pk__in=[int(p) for p in listed_in if p.isdigit()]).values_list("pk", "name")}
    best: dict[int, tuple[float, str, str]] = {}
    matches = Screener(index, workers=0).screen_batch(parties)
    if addresses and index.addresses is not None:
        matches += index.addresses.screen(addresses)
    for match in matches:
        i, role = match.name_id.split(":", 1)
        if match.score <= best.get(int(i), (0.0, "", ""))[0]:
            continue
        listed, _sep, entry = match.watchlist_id.partition(":")
        name = lists.get(listed, listed)
        role_en, role_ru = ROLE_NAMES[role]
        best[int(i)] = (match.score,
                        f"{role_en} on list '{name}' (entry {entry}): {match.explanation_en}",
                        f"{role_ru} в списке «{name}» (запись {entry}): {match.explanation_ru}")
    n = frame.height
    return frame.with_columns(
        pl.Series("watchlist_score", [best.get(i, (0.0,))[0] for i in range(n)],
                  dtype=pl.Float64),
        pl.Series("watchlist_explanation_en", [best.get(i, (0, None))[1] for i in range(n)],
                  dtype=pl.String),
        pl.Series("watchlist_explanation_ru", [best.get(i, (0, None, None))[2]
                                               for i in range(n)], dtype=pl.String))
