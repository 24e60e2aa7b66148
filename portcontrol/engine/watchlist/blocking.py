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

import numpy as np
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

    Each item is a name's tokens, or those tokens already joined by spaces (tokens are never
    empty and never hold spaces)."""
    # One string per name is far cheaper to hand to polars than a list per name, and polars
    # splits it again. Positions come with the split lists (a window over the owners cost
    # several times more), and the token attributes are computed once per distinct token:
    # a batch of names is made of few distinct words.
    joined = pl.Series("tok", [t if isinstance(t, str) else " ".join(t) for t in token_lists],
                       dtype=pl.String)
    lists = joined.str.split(" ")
    frame = lists.to_frame().with_row_index("owner").with_columns(
        pos=pl.int_ranges(lists.list.len(), dtype=pl.UInt16)).explode("tok", "pos").filter(
        pl.col("tok") != "")
    vocab = frame["tok"].unique().to_frame()
    vocab = vocab.with_columns(
        w=weights.of(vocab["tok"]),
        len=pl.col("tok").str.len_chars().cast(pl.Int32),
        digits=pl.col("tok").str.contains(r"^\d+$"),
        first=pl.col("tok").str.slice(0, 1),
    )
    return frame.join(vocab, on="tok", how="left", maintain_order="left")


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

    A batch of names is made of few distinct words (a million manifest lines carry some
    thousands), and a token's keys, postings and credits depend on the token alone: they are
    computed once per distinct token, then put beside every name that has it.
    """
    if qtokens.height == 0:
        return pl.DataFrame(schema={"q": pl.UInt32, "row": pl.UInt32, "est": pl.Float64})
    qtotals = qtokens.lazy().group_by("owner").agg(
        wq_total=pl.col("w").sum(),
        wq_freq=pl.col("w").filter(pl.col("tok").is_in(list(frequent))).sum(),
    ).rename({"owner": "q"})
    # token id -> token, weight (a token's weight is a function of the token)
    vocab = qtokens.select("tok", "w").unique("tok", maintain_order=True).with_row_index("owner")
    credit = pl.when(pl.col("exact") & pl.col("cexact")).then(1.0).otherwise(EDIT_CREDIT)
    per_word = key_frame(vocab.with_columns(pos=pl.lit(0, pl.UInt16))).join(
        postings.lazy(), on="h", how="inner").group_by("owner", "row").agg(
        mq=(pl.col("w") * credit).max(), mc=(pl.col("cw") * credit).max()).rename(
        {"owner": "t"})
    occurrences = qtokens.lazy().select("owner", "pos", "tok").join(
        vocab.lazy().select(pl.col("owner").alias("t"), "tok"), on="tok").select(
        pl.col("owner").alias("q"), "t")
    totals, words, occ = pl.collect_all([qtotals, per_word.sort("t", "row"), occurrences])
    return _top_pairs(totals, words, occ, row_weight, floor=floor, top_k=top_k)


def _top_pairs(totals: pl.DataFrame, words: pl.DataFrame, occ: pl.DataFrame,
               row_weight: pl.DataFrame, *, floor: float, top_k: int) -> pl.DataFrame:
    """The estimate of every (name, listed name) pair that shares a keyed token, summed over
    the name's tokens, and the top_k pairs per name at or above floor.

    In numpy: a name's pairs are the postings of each of its tokens (words, sorted by token t)
    repeated for each occurrence (occ: q, t), then summed per pair; sorting and summing
    integer arrays is several times faster than grouping a frame of that size."""
    empty = pl.DataFrame(schema={"q": pl.UInt32, "row": pl.UInt32, "est": pl.Float64})
    if words.height == 0 or occ.height == 0:
        return empty
    t_word = words["t"].to_numpy()
    counts = np.bincount(t_word, minlength=int(occ["t"].max()) + 1)
    starts = np.cumsum(counts) - counts
    q_occ, t_occ = occ["q"].to_numpy().astype(np.int64), occ["t"].to_numpy()
    repeat = counts[t_occ]
    total = int(repeat.sum())
    if total == 0:
        return empty
    # for each occurrence, the positions of its token's postings in `words`
    first = np.cumsum(repeat) - repeat
    index = np.repeat(starts[t_occ] - first, repeat) + np.arange(total)
    rows = words["row"].to_numpy().astype(np.int64)
    width = int(row_weight.height)
    pair, inverse = np.unique(np.repeat(q_occ, repeat) * width + rows[index],
                              return_inverse=True)
    mq = np.bincount(inverse, weights=words["mq"].to_numpy()[index])
    mc = np.bincount(inverse, weights=words["mc"].to_numpy()[index])
    q, row = pair // width, pair % width
    size = int(totals["q"].max()) + 1
    wq_total, wq_freq = np.zeros(size), np.zeros(size)
    wq_total[totals["q"].to_numpy()] = totals["wq_total"].to_numpy()
    wq_freq[totals["q"].to_numpy()] = totals["wq_freq"].to_numpy()
    cw_total = np.zeros(width)
    cw_total[row_weight["row"].to_numpy()] = row_weight["cw_total"].to_numpy()
    # Frequent query tokens are assumed to match: their keys were dropped, so the join cannot
    # tell. No conflict penalty here: a word two slips away has no key and would look missing.
    # Rounded so that the order of floating-point sums cannot change which rows are kept.
    est = np.round(np.clip((mq + mc + 2 * wq_freq[q]) / (wq_total[q] + cw_total[row]),
                           0.0, 1.0), 9)
    keep = est >= floor
    q, row, est = q[keep], row[keep], est[keep]
    order = np.lexsort((row, -est, q))  # by name, best estimate first, then row
    q, row, est = q[order], row[order], est[order]
    start = np.flatnonzero(np.r_[True, q[1:] != q[:-1]]) if len(q) else np.zeros(0, int)
    rank = np.arange(len(q)) - np.repeat(start, np.diff(np.r_[start, len(q)]))
    top = rank < top_k
    return pl.DataFrame({"q": q[top], "row": row[top], "est": est[top]},
                        schema={"q": pl.UInt32, "row": pl.UInt32, "est": pl.Float64})
