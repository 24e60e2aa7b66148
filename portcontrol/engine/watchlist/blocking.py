"""Blocking: find, for every screened name, the few listed names worth a closer look.

Every token gives keys: the token itself; for tokens of 5+ letters each form with one letter
deleted, so that two words one slip apart (a typo, a dropped, doubled or swapped letter) share
a key; and its consonants alone, for transliterations that differ in two vowels. Keys held by
more than POSTING_CAP listed names (the deletions of "logistik", "trans"...) are left out of the
index: they would pull in thousands of candidates and say little. Key generation, the join, the
grouping and the top-k all run in polars over a whole batch at once.

Each candidate gets an estimate of its name score from the keys alone: the idf weight of the
matched tokens (an exact token counts fully, a key-only match EDIT_CREDIT) over the weight of
both names, plus the weight of the screened name's frequent tokens (whose keys were left out),
which might match too. The estimate is no bound (a word two slips away has no key), so the
caller keeps candidates well below its threshold; prescore then bounds them exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from .weights import TokenWeights

MIN_DELETE_LEN = 5
MAX_DELETE_POS = 24
POSTING_CAP = 300
EDIT_CREDIT = 0.8


def token_frame(token_lists: Sequence[Sequence[str] | str], weights: TokenWeights
                ) -> pl.DataFrame:
    """One row per token: owner (index in token_lists), pos, tok, w (weight), and what the
    similarity bound needs about the token: len, digits (all digits), first (letter).

    Each item is a name's tokens, or those tokens already joined by spaces."""
    # Tokens never hold spaces: one string per name is far cheaper to hand to polars than a
    # list per name, and polars splits it again.
    joined = pl.Series("tok", [t if isinstance(t, str) else " ".join(t) for t in token_lists],
                       dtype=pl.String)
    frame = joined.str.split(" ").to_frame().with_row_index("owner").explode("tok").filter(
        pl.col("tok") != "").with_columns(
        pos=pl.int_range(pl.len(), dtype=pl.UInt16).over("owner"))
    return frame.with_columns(
        w=weights.of(frame["tok"]),
        len=pl.col("tok").str.len_chars().cast(pl.Int32),
        digits=pl.col("tok").str.contains(r"^\d+$"),
        first=pl.col("tok").str.slice(0, 1),
    )


def key_frame(tokens: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """Keys of every token: itself (exact), its one-letter deletions and its consonants."""
    lf = tokens.lazy()
    tok, length = pl.col("tok"), pl.col("tok").str.len_chars()
    exact = lf.select("owner", "pos", "w", key=tok, exact=pl.lit(True))
    deletions = lf.filter(length >= MIN_DELETE_LEN).with_columns(
        i=pl.int_ranges(0, pl.min_horizontal(length, MAX_DELETE_POS))).explode("i").select(
        "owner", "pos", "w", key=tok.str.slice(0, pl.col("i")) + tok.str.slice(pl.col("i") + 1),
        exact=pl.lit(False))
    # Vowels are where transliterations disagree most (Lembervan / Lambarvan, Велибейзаде /
    # Vəlibəyzadə): the consonants alone are one more key, for words two vowels apart.
    consonants = lf.select("owner", "pos", "w", key=tok.str.replace_all("[aeiou]", ""),
                           exact=pl.lit(False)).filter(pl.col("key").str.len_chars() >= 3)
    consonants = consonants.with_columns(key=pl.lit("~") + pl.col("key"))
    # No dedup needed: skeletons have no doubled letters, so one token's deletions are distinct.
    return pl.concat([exact, deletions, consonants]).select(
        "owner", "pos", "w", "exact", h=pl.col("key").hash(seed=11))


def index_keys(tokens: pl.DataFrame) -> tuple[pl.DataFrame, frozenset[str]]:
    """The posting frame of the listed names' token_frame, and the tokens too frequent to
    block on."""
    keys = key_frame(tokens).collect()
    counts = keys.group_by("h").len()
    keep = counts.filter(pl.col("len") <= POSTING_CAP).select("h")
    postings = keys.join(keep, on="h", how="semi").rename(
        {"owner": "row", "pos": "cpos", "w": "cw", "exact": "cexact"})
    frequent_hashes = counts.filter(pl.col("len") > POSTING_CAP).select("h")
    exact_tokens = tokens.with_columns(h=pl.col("tok").hash(seed=11))
    frequent = exact_tokens.join(frequent_hashes, on="h", how="semi")["tok"].unique()
    return postings.sort("h", "row", "cpos"), frozenset(frequent.to_list())


def candidates(qtokens: pl.DataFrame, postings: pl.DataFrame, row_weight: pl.DataFrame,
               frequent: frozenset[str], *, floor: float, top_k: int) -> pl.DataFrame:
    """(q, row, est) for each screened name q and listed-name row whose estimate >= floor.

    qtokens is the token_frame of the screened names; row_weight has columns row, cw_total
    (total token weight of each listed name). At most top_k rows per q, best estimates first;
    the order is deterministic.
    """
    if qtokens.height == 0:
        return pl.DataFrame(schema={"q": pl.UInt32, "row": pl.UInt32, "est": pl.Float64})
    qtotals = qtokens.lazy().group_by("owner").agg(
        wq_total=pl.col("w").sum(),
        wq_freq=pl.col("w").filter(pl.col("tok").is_in(list(frequent))).sum(),
    ).rename({"owner": "q"})
    joined = key_frame(qtokens).rename({"owner": "q", "pos": "qpos", "w": "qw"}).join(
        postings.lazy(), on="h", how="inner")
    credit = pl.when(pl.col("exact") & pl.col("cexact")).then(1.0).otherwise(EDIT_CREDIT)
    per_token = joined.group_by("q", "row", "qpos").agg(
        mq=(pl.col("qw") * credit).max(), mc=(pl.col("cw") * credit).max())
    per_pair = per_token.group_by("q", "row").agg(mq=pl.col("mq").sum(), mc=pl.col("mc").sum())
    # Frequent query tokens are assumed to match: their keys were dropped, so the join cannot
    # tell. No conflict penalty here: a word two slips away has no key and would look missing.
    matched = pl.col("mq") + pl.col("mc") + 2 * pl.col("wq_freq")
    scored = per_pair.join(qtotals, on="q").join(row_weight.lazy(), on="row").with_columns(
        est=(matched / (pl.col("wq_total") + pl.col("cw_total"))).clip(0.0, 1.0))
    kept = scored.filter(pl.col("est") >= floor).sort(
        ["q", "est", "row"], descending=[False, True, False])
    return kept.group_by("q", maintain_order=True).head(top_k).select(
        "q", "row", "est").collect()
