"""The command line: options, errors, outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from datagen.__main__ import main, parse_args


def test_defaults_match_the_documented_cli() -> None:
    args = parse_args(["--out", "x"])
    assert (args.seed, args.scale, args.signal, args.cv_file_share) == (42, 0.1, True, None)
    assert args.profile == "real"
    assert parse_args(["--out", "x", "--profile", "rich"]).profile == "rich"
    assert parse_args(["--out", "x", "--no-signal"]).signal is False


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--out", "x", "--scale", "0"],
        ["--out", "x", "--scale", "abc"],
        ["--out", "x", "--cv-file-share", "1.2"],
        ["--out", "x", "--seed", "-3"],
        ["--out", "x", "--profile", "tidy"],
    ],
)
def test_bad_options_exit_with_status_two(argv: list[str], capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exc:
        parse_args(argv)
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err


def test_out_that_is_a_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["--out", str(target), "--scale", "0.002"]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_cli_writes_every_output_and_prints_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "lake"
    assert main(["--out", str(out), "--scale", "0.002", "--seed", "8", "--no-signal"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["signal"] is False and report["seed"] == 8
    assert "[datagen]" in captured.err
    for name in ("vagas.json", "applicants.json", "prospects.json", "_truth/oracle_scores.csv",
                 "_truth/generator_report.json"):  # fmt: skip
        assert (out / name).is_file()
    assert (out / "cvs").is_dir()
