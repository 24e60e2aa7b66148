"""Kept: the last few values by key, least recently used dropped first, shared by threads."""

from __future__ import annotations

import threading

from portcontrol.core.kept import MISSING, Kept


def test_the_least_recently_used_goes_first():
    kept: Kept[int | None] = Kept(2)
    kept.put("a", 1)
    kept.put("b", None)  # None is a value like any other
    assert kept.get("a") == 1  # "a" is now the most recent
    kept.put("c", 3)
    assert kept.get("b") is MISSING and kept.get("a") == 1 and kept.get("c") == 3
    assert kept.get("x", "none") == "none" and len(kept) == 2
    kept.clear()
    assert len(kept) == 0 and kept.get("a") is MISSING


def test_threads_share_it_without_losing_the_bound():
    kept: Kept[int] = Kept(8)
    errors = []

    def work(offset: int) -> None:
        try:
            for i in range(2000):
                kept.put((offset + i) % 13, i)
                kept.get((offset + 2 * i) % 13)
        except Exception as exc:  # noqa: BLE001 - any error fails the test below
            errors.append(exc)
    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(kept) == 8
