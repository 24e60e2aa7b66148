"""Token weights remembered by an index stay bounded, and forgetting changes no weight."""

from portcontrol.engine.watchlist import weights
from portcontrol.engine.watchlist.weights import TokenWeights


def test_the_memo_of_token_weights_is_bounded(monkeypatch):
    monkeypatch.setattr(weights, "CACHE_MAX", 3)
    w = TokenWeights([frozenset({"caspian", "fresh"}), frozenset({"indus", "traders"})])
    first = {t: w(t) for t in ("caspian", "fresh", "indus", "traders", "llc", "caspian")}
    assert len(w._cache) <= 3
    assert {t: w(t) for t in first} == first
