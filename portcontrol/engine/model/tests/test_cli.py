"""`portcontrol model ...` through cli.main: outputs, and one-line errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from portcontrol.engine.model.cli import main

from .synth import DATE, ID, LABEL, write_csv


@pytest.fixture(scope="session")
def files(history, later, tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("cli")
    empty, header, binary = root / "empty.csv", root / "header.csv", root / "binary.csv"
    empty.write_text("")
    binary.write_bytes(bytes(range(256)) * 8)
    header.write_text(",".join(history.columns) + "\n")
    return {
        "history": write_csv(history, root / "history.csv"),
        "later": write_csv(later, root / "later.csv"),
        "unlabelled": write_csv(later.drop(LABEL), root / "unlabelled.csv"),
        "no_trader": write_csv(later.drop("trader"), root / "no_trader.csv"),
        "no_ref": write_csv(later.drop(ID), root / "no_ref.csv"),
        "yes_no": write_csv(history.with_columns(
            pl.col(LABEL).replace({"1": "yes", "0": "no"})), root / "yes_no.csv"),
        "tiny": write_csv(pl.concat([history.filter(pl.col(LABEL) == v).head(3)
                                     for v in ("0", "1")]), root / "tiny.csv"),
        "all_zero": write_csv(history.with_columns(pl.lit("0").alias(LABEL)),
                              root / "all_zero.csv"),
        "empty": str(empty), "header": str(header), "binary": str(binary),
        "missing": str(root / "absent.csv"),
        "root": str(root),
    }


@pytest.fixture(scope="session")
def cli_model(files) -> str:
    out = str(Path(files["root"]) / "model")
    status = main(["train", "--data", files["history"], "--label", LABEL, "--id", ID,
                   "--date", DATE, "--exclude", "remark", "--out", out])
    assert status == 0
    return out


def _train(data: str, out: str, *extra: str) -> list[str]:
    return ["train", "--data", data, "--label", LABEL, "--out", out, *extra]


BAD = [
    ("train: no such file", lambda f, m: _train(f["missing"], m + "x"), 1, "not found"),
    ("train: empty file", lambda f, m: _train(f["empty"], m + "x"), 1, "is empty"),
    ("train: header only", lambda f, m: _train(f["header"], m + "x"), 1, "no rows"),
    ("train: no label column", lambda f, m: ["train", "--data", f["history"], "--label",
                                             "verdict", "--out", m + "x"], 1,
     "label column 'verdict' not in the data"),
    ("train: no id column", lambda f, m: _train(f["history"], m + "x", "--id", "nr"), 1,
     "column 'nr' not in the data"),
    ("train: no date column", lambda f, m: _train(f["history"], m + "x", "--date", "when"),
     1, "date column 'when' not in the data"),
    ("train: no excluded column", lambda f, m: _train(f["history"], m + "x", "--exclude",
                                                      "ghost"), 1, "'ghost' not in the data"),
    ("train: no weight column", lambda f, m: _train(f["history"], m + "x", "--weight", "w"),
     1, "weight column 'w' not in the data"),
    ("train: weight not a positive number", lambda f, m: _train(f["history"], m + "x",
                                                                "--weight", "trader"), 1,
     "weight column 'trader' must hold positive numbers; row 1 has 'IMP"),
    ("train: label not 0/1", lambda f, m: _train(f["yes_no"], m + "x"), 1,
     "must hold only 0 and 1"),
    ("train: too few rows", lambda f, m: _train(f["tiny"], m + "x"), 1, "too little"),
    ("train: one outcome only", lambda f, m: _train(f["all_zero"], m + "x"), 1,
     "no row labelled 1"),
    ("train: not a CSV file", lambda f, m: _train(f["binary"], m + "x"), 1, ""),
    ("train: --out forgotten", lambda f, m: ["train", "--data", f["history"], "--label",
                                             LABEL], 2, "required: --out"),
    ("no such command", lambda f, m: ["predict"], 2, "invalid choice"),
    ("score: no such model", lambda f, m: ["score", "--model", m + "-gone", "--data",
                                           f["later"], "--out", m + ".csv"], 1,
     "model not found"),
    ("score: not a model", lambda f, m: ["score", "--model", f["root"], "--data", f["later"],
                                         "--out", m + ".csv"], 1, "not a PortControl model"),
    ("score: feature mismatch", lambda f, m: ["score", "--model", m, "--data",
                                              f["no_trader"], "--out", m + ".csv"], 1,
     "feature mismatch"),
    ("score: no id column", lambda f, m: ["score", "--model", m, "--data", f["no_ref"],
                                          "--out", m + ".csv"], 1,
     f"id column '{ID}' not in the data"),
    ("score: unwritable output", lambda f, m: ["score", "--model", m, "--data", f["later"],
                                               "--out", m + "/no/such/dir/s.csv"], 1,
     "cannot write"),
    ("evaluate: no label column", lambda f, m: ["evaluate", "--model", m, "--data",
                                                f["unlabelled"], "--label", LABEL], 1,
     f"label column '{LABEL}' not in the data"),
    ("evaluate: label not 0/1", lambda f, m: ["evaluate", "--model", m, "--data",
                                              f["later"], "--label", "trader"], 1,
     "must hold only 0 and 1"),
]


@pytest.mark.parametrize("argv, status, message", [pytest.param(a, s, m, id=name)
                                                   for name, a, s, m in BAD])
def test_bad_input_gives_one_line_and_a_status(files, cli_model, capsys, argv, status,
                                               message):
    assert main(argv(files, cli_model)) == status
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert message in err and "Traceback" not in err, err
    assert err.startswith("portcontrol model")


def test_corrupt_model_gives_one_line(files, cli_model, tmp_path, capsys):
    import shutil

    copy = tmp_path / "m"
    shutil.copytree(cli_model, copy)
    (copy / "booster.txt").write_text("garbage")
    assert main(["evaluate", "--model", str(copy), "--data", files["later"],
                 "--label", LABEL]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "corrupt" in err


def test_score_writes_one_row_per_input_row_without_labels(files, cli_model, tmp_path,
                                                           capsys):
    out = tmp_path / "scores.csv"
    assert main(["score", "--model", cli_model, "--data", files["unlabelled"],
                 "--out", str(out)]) == 0
    scores = pl.read_csv(out, infer_schema=False)
    source = pl.read_csv(files["unlabelled"], infer_schema=False)
    assert scores.columns == [ID, "score"]
    assert scores[ID].to_list() == source[ID].to_list()
    assert capsys.readouterr().out.startswith(f"scored {source.height:,} rows")


def test_score_can_add_reasons(files, cli_model, tmp_path):
    out = tmp_path / "scores.csv"
    assert main(["score", "--model", cli_model, "--data", files["later"], "--out", str(out),
                 "--explain", "2"]) == 0
    reasons = pl.read_csv(out)["reasons"].to_list()
    assert all(r.count(" = ") == 2 for r in reasons)


def test_evaluate_json_is_one_object_of_the_agreed_shape(files, cli_model, capsys):
    assert main(["evaluate", "--model", cli_model, "--data", files["later"], "--label", LABEL,
                 "--json"]) == 0
    out = capsys.readouterr().out
    result = json.loads(out)  # exactly one JSON document: json.loads refuses trailing text
    assert set(result) == {"precision_at", "recall_at", "rows", "positives"}
    for key in ("precision_at", "recall_at"):
        assert list(result[key]) == ["1", "2", "5", "10"]
        assert all(0.0 <= v <= 1.0 for v in result[key].values())
    labels = pl.read_csv(files["later"])[LABEL]
    assert result["rows"] == labels.len() and result["positives"] == labels.sum()


def test_evaluate_prints_a_table_and_a_summary(files, cli_model, capsys):
    assert main(["evaluate", "--model", cli_model, "--data", files["later"], "--label",
                 LABEL]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[1:5]] == ["1", "2", "5", "10"]
    assert lines[-1].startswith("evaluated 1,500 rows")


def test_train_prints_a_summary_and_writes_an_artifact(cli_model, capsys):
    assert {p.name for p in Path(cli_model).iterdir()} == {
        "booster.txt", "features.json", "history.parquet", "manifest.json"}
    manifest = json.loads((Path(cli_model) / "manifest.json").read_text())
    assert manifest["id"] == ID and manifest["label"] == LABEL and manifest["date"] == DATE
    assert "remark" not in manifest["input_columns"]


def test_train_takes_a_weight_column_that_is_never_a_feature(history, tmp_path):
    data = write_csv(history.with_columns(pl.when(pl.col(LABEL) == "1").then(pl.lit("1"))
                                          .otherwise(pl.lit("4")).alias("chance")),
                     tmp_path / "weighted.csv")
    assert main(_train(data, str(tmp_path / "m"), "--id", ID, "--date", DATE, "--exclude",
                       "remark", "--weight", "chance")) == 0
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert "chance" not in manifest["input_columns"]
    assert manifest["training"]["calibration"]["rows_weighing_more"] > 20
    assert manifest["training"]["calibration"]["weighted"] is True
    # a file to score need not have the weight column
    assert main(["score", "--model", str(tmp_path / "m"), "--data", write_csv(
        history.drop(LABEL), tmp_path / "s.csv"), "--out", str(tmp_path / "s.out")]) == 0


def test_help_exits_zero(capsys):
    assert main(["--help"]) == 0
    assert "train" in capsys.readouterr().out
    assert main(["evaluate", "--help"]) == 0


def test_management_command_delegates_to_main(files, cli_model, capsys):
    pytest.importorskip("portcontrol.risk", reason="the risk app is not in this tree yet")
    from portcontrol.risk.management.commands.model import Command

    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(["portcontrol", "model", "evaluate", "--model", cli_model,
                                 "--data", files["later"], "--label", LABEL, "--json"])
    assert exit_.value.code == 0
    assert json.loads(capsys.readouterr().out)["rows"] == 1500
