"""Bad arguments fail early with a message that names the problem."""

from __future__ import annotations

from datetime import date

import pytest

from portcontrol.generator import GeneratorError, generate, parse_destinations


@pytest.mark.parametrize("kwargs, fragment", [
    ({"containers": 0}, "positive integer"),
    ({"containers": -5}, "positive integer"),
    ({"containers": 2.5}, "positive integer"),
    ({"containers": 10**9}, "At most"),
    ({"seed": -1}, "non-negative"),
    ({"days": 0}, "Days"),
    ({"destinations": {}}, "At least one"),
    ({"destinations": {"XXZZZ": 1.0}}, "not a UN/LOCODE"),
    ({"destinations": {"GEPTI": 0.0}}, "must be positive"),
])
def test_bad_arguments_raise_a_clear_error(tmp_path, kwargs, fragment):
    args = {"containers": 10, "seed": 1, **kwargs}
    with pytest.raises(GeneratorError, match=fragment):
        generate(tmp_path / "out", **args)
    assert not (tmp_path / "out" / "containers.csv").exists()


def test_an_output_path_that_is_a_file_is_refused(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(GeneratorError, match="output directory"):
        generate(blocker / "sub", containers=10, seed=1)


@pytest.mark.parametrize("text, expected", [
    ("GEPTI=0.45,PKKHI=0.45,AZBAK=0.1", {"GEPTI": 0.45, "PKKHI": 0.45, "AZBAK": 0.1}),
    (" gepti = 1 ", {"GEPTI": 1.0}),
])
def test_parse_destinations(text, expected):
    assert parse_destinations(text) == expected


@pytest.mark.parametrize("text", ["GEPTI", "GEPTI=abc"])
def test_parse_destinations_rejects_malformed_text(text):
    with pytest.raises(GeneratorError):
        parse_destinations(text)


def test_generate_accepts_a_start_date_and_returns_the_summary(tmp_path):
    summary = generate(tmp_path, containers=50, seed=1, start=date(2027, 1, 4), days=2)
    assert summary["parameters"]["start"] == "2027-01-04"
    assert summary["containers"] == 50 and summary["out_dir"] == str(tmp_path)


def test_management_command_wraps_errors_and_prints_one_summary_line(tmp_path, capsys):
    pytest.importorskip("django")
    from django.core.management.base import CommandError

    from portcontrol.manifests.management.commands.generate import Command

    options = {"containers": 40, "seed": 3, "out": tmp_path, "start": "2026-11-23", "days": 7,
               "destinations": "GEPTI=1"}
    Command().handle(**options)
    line = capsys.readouterr().out.strip()
    assert line.startswith("generated 40 containers") and str(tmp_path) in line
    for bad, fragment in [({"containers": 0}, "positive"),
                          ({"destinations": "NOPE1=1"}, "UN/LOCODE"),
                          ({"start": "2026-02-30"}, "YYYY-MM-DD")]:
        with pytest.raises(CommandError, match=fragment):
            Command().handle(**{**options, **bad})
