"""What a process keeps between requests or tasks: the last few values it made, by key."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

T = TypeVar("T")
MISSING = object()  # what get() returns for a key not kept, when no default is given


class Kept(Generic[T]):
    """The `size` values used last, by key (least recently used dropped first). Safe to share
    between the threads of one process: the development server answers in threads, and two
    of them may score or backtest at once."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, default: object = MISSING) -> T | object:
        """The value kept under `key` (now the most recent), else `default`."""
        with self._lock:
            if key not in self._items:
                return default
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Hashable, value: T) -> T:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

