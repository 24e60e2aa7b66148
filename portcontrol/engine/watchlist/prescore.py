"""A vectorised upper bound of the name score, so that Python scores only likely matches.

For every candidate pair from blocking, every (screened token, listed token) pair is compared at
once with rapidfuzz's cpdist (C, all cores), using the same token similarity as
features.token_similarity. The bound relaxes features.align_tokens in the safe direction:

* each screened token takes its best partner, even one another token also took (the greedy
  one-to-one alignment can only do worse);
* the conflict penalty counts only tokens that have no partner at all (fewer than, or as many
  as, the alignment leaves over);
* a name whose word count differs may match as one run of letters: that similarity is computed
  too and the larger one kept;
* country agreement is assumed (its largest boost), legal forms are assumed to agree.

So a pair whose bound is below the threshold cannot reach it, and skipping it loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from .features import ALGORITHM, CONFLICT_PENALTY, INITIAL_SIMILARITY, TOKEN_FLOOR

BOOST = sum(f.weight for f in ALGORITHM if f.name == "country")


def _token_similarity(frame: pl.DataFrame) -> pl.Series:
    """features.token_similarity for the token pairs of `frame`, vectorised.

    frame has qtok, ctok and the token attributes qlen, clen, qdigits, cdigits, qfirst, cfirst.
    """
    distance = process.cpdist(frame["qtok"].to_list(), frame["ctok"].to_list(),
                              scorer=OSA.distance, workers=-1)
    longest = pl.max_horizontal("qlen", "clen")
    edits = pl.when(longest <= 5).then(1).when(longest <= 11).then(2).otherwise(3)
    one_letter = (pl.col("qlen") == 1) | (pl.col("clen") == 1)
    far = ((pl.col("qlen") - pl.col("clen")).abs() > edits) | pl.col("qdigits") | pl.col(
        "cdigits")
    initial = (pl.col("qfirst") == pl.col("cfirst")) & pl.col("qfirst").str.contains("^[a-z]$")
    return frame.with_columns(d=pl.Series(distance, dtype=pl.Int32)).select(
        pl.when(pl.col("qtok") == pl.col("ctok")).then(1.0)
        .when(one_letter).then(pl.when(initial).then(INITIAL_SIMILARITY).otherwise(0.0))
        .when(far | (pl.col("d") > edits)).then(0.0)
        .otherwise(1.0 - pl.col("d") / longest)
    ).to_series()


def joined_frame(tokens: pl.DataFrame, runs: Sequence[str] | None = None) -> pl.DataFrame:
    """owner, j (the tokens run together in order), n (how many tokens), w (total weight).

    runs, when given, are the j of owners 0, 1, 2... already computed (NormName.run)."""
    if runs is None:
        return tokens.group_by("owner").agg(j=pl.col("tok").sort_by("pos").str.join(""),
                                            n=pl.len(), w=pl.col("w").sum())
    counts = tokens.group_by("owner").agg(n=pl.len(), w=pl.col("w").sum())
    return pl.DataFrame({"j": list(runs)}, schema={"j": pl.String}).with_row_index(
        "owner").join(counts, on="owner")


def name_bounds(pairs: pl.DataFrame, qtokens: pl.DataFrame, ctokens: pl.DataFrame,
                cjoined: pl.DataFrame, qjoined: pl.DataFrame | None = None,
                floor: float | None = None) -> pl.DataFrame:
    """(q, row, bound) for candidate pairs (q, row).

    qtokens: token_frame of the screened names; ctokens: the same for the listed names;
    cjoined, qjoined: their joined_frame (qjoined is computed when not given). With a floor,
    only bounds at or above it are exact (the caller keeps only those); below it a bound may
    come out lower than without the floor, never higher.
    """
    qjoined = joined_frame(qtokens) if qjoined is None else qjoined
    # Token pairs are compared once each (a similarity depends on the two tokens alone, and a
    # batch's candidate pairs share few distinct token pairs), found through integer ids.
    ctokens = ctokens.join(pairs.select(pl.col("row").alias("owner")).unique(), on="owner",
                           how="semi")
    vocab = pl.concat([qtokens.select("tok", "len", "digits", "first"),
                       ctokens.select("tok", "len", "digits", "first")]).unique(
        "tok").with_row_index("tid")
    qt = qtokens.lazy().join(vocab.lazy().select("tok", "tid"), on="tok").select(
        pl.col("owner").alias("q"), pl.col("pos").alias("qpos"), pl.col("w").alias("qw"),
        pl.col("len").alias("qlen"), pl.col("tid").alias("qtid"))
    ct = ctokens.lazy().join(vocab.lazy().select("tok", "tid"), on="tok").select(
        pl.col("owner").alias("row"), pl.col("pos").alias("cpos"), pl.col("w").alias("cw"),
        pl.col("len").alias("clen"), pl.col("tid").alias("ctid"))
    # Only token pairs that could be similar are compared: a length gap over three letters
    # is beyond every edit allowance (initials aside).
    compared = pairs.lazy().select("q", "row").join(qt, on="q").join(ct, on="row").filter(
        ((pl.col("qlen") - pl.col("clen")).abs() <= 3) | (pl.col("qlen") == 1)
        | (pl.col("clen") == 1)).with_columns(
        pair=pl.col("qtid").cast(pl.UInt64) * (1 << 32) + pl.col("ctid")).collect()
    word_pairs = compared.select("pair", "qtid", "ctid").unique("pair").join(
        vocab.select(pl.col("tid").alias("qtid"), pl.col("tok").alias("qtok"),
                     pl.col("len").alias("qlen"), pl.col("digits").alias("qdigits"),
                     pl.col("first").alias("qfirst")), on="qtid").join(
        vocab.select(pl.col("tid").alias("ctid"), pl.col("tok").alias("ctok"),
                     pl.col("len").alias("clen"), pl.col("digits").alias("cdigits"),
                     pl.col("first").alias("cfirst")), on="ctid")
    sims = word_pairs.select("pair", sim=_token_similarity(word_pairs)).filter(
        pl.col("sim") > 0)
    tok = compared.lazy().join(sims.lazy(), on="pair")
    # Each token's best partner; tokens with no partner at all are what the penalty counts.
    a = tok.group_by("q", "row", "qpos").agg(
        m=(pl.col("sim") * (pl.col("qw") + pl.col("cw"))).max(), w=pl.col("qw").first(),
    ).group_by("q", "row").agg(m=pl.col("m").sum(), wq_matched=pl.col("w").sum())
    b = tok.group_by("q", "row", "cpos").agg(w=pl.col("cw").first()).group_by("q", "row").agg(
        wc_matched=pl.col("w").sum())
    frame = pairs.lazy().select("q", "row").join(
        qjoined.lazy().select(pl.col("owner").alias("q"), pl.col("n").alias("nq"),
                              pl.col("w").alias("wq"), pl.col("j").str.len_chars().alias("lq")),
        on="q").join(
        cjoined.lazy().select(pl.col("owner").alias("row"), pl.col("n").alias("nc"),
                              pl.col("w").alias("wc"), pl.col("j").str.len_chars().alias("lc")),
        on="row").join(a, on=["q", "row"], how="left").join(b, on=["q", "row"], how="left"
                                                            ).with_columns(
        pl.col("m", "wq_matched", "wc_matched").fill_null(0.0)).collect()
    lone = pl.min_horizontal((pl.col("wq") - pl.col("wq_matched")).clip(0.0),
                             (pl.col("wc") - pl.col("wc_matched")).clip(0.0))
    align = ((pl.col("m") - 2 * CONFLICT_PENALTY * lone) / (pl.col("wq") + pl.col("wc"))
             ).clip(0.0, 1.0)
    frame = frame.with_columns(align=align)
    joined = _joined(frame, qjoined, cjoined, floor)
    return frame.select("q", "row", bound=pl.max_horizontal("align", joined) + BOOST)


def _joined(frame: pl.DataFrame, qjoined: pl.DataFrame, cjoined: pl.DataFrame,
            floor: float | None) -> pl.Series:
    """Run-together similarity (features.align_tokens) where the word counts differ, else 0.

    Levenshtein similarity is 1 - distance / longer length, and the distance is at least the
    difference in length: a pair whose shorter run is under TOKEN_FLOOR of the longer cannot
    reach TOKEN_FLOOR, so its 0 is known without comparing. With a floor for the bound, pairs
    that could not bring it to the floor (a run similarity below floor - BOOST) are not
    compared either: the run similarity then decides no bound at or above the floor."""
    need = TOKEN_FLOOR if floor is None else max(TOKEN_FLOOR, floor - BOOST)
    ratio = pl.min_horizontal("lq", "lc") / pl.max_horizontal("lq", "lc")
    chosen = frame.with_row_index("_i").filter(
        (pl.col("nq") != pl.col("nc")) & (ratio >= need - 1e-9)).select("_i", "q", "row").join(
        qjoined.select(pl.col("owner").alias("q"), pl.col("j").alias("qj")), on="q").join(
        cjoined.select(pl.col("owner").alias("row"), pl.col("j").alias("cj")), on="row")
    out = np.zeros(frame.height)
    if chosen.height:
        # float64: rapidfuzz returns float32 by default, a bound 1e-8 below the exact score
        sims = process.cpdist(chosen["qj"].to_list(), chosen["cj"].to_list(),
                              scorer=Levenshtein.normalized_similarity, workers=-1,
                              dtype=np.float64)
        out[chosen["_i"].to_numpy()] = np.where(sims >= TOKEN_FLOOR, sims, 0.0)
    return pl.Series("joined", out)
