"""`optimal --unique-tokens U` on the command line: the data-constrained optimum."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from scaling_core.allocate import data_constrained_optimal
from scaling_core.cli import main
from scaling_core.laws import MUENNIGHOFF_2023


def test_optimal_with_unique_tokens_names_the_law_and_matches_the_library(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["optimal", "--flops", "1e22", "--unique-tokens", "25e9", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    N, D = data_constrained_optimal(MUENNIGHOFF_2023, 1e22, 25e9)
    assert answer["law"]["name"] == "muennighoff2023"
    assert answer["law"]["rd_star"] == MUENNIGHOFF_2023.rd_star
    assert answer["params"] == pytest.approx(float(N), rel=1e-12)
    assert answer["tokens"] == pytest.approx(float(D), rel=1e-12)
    assert answer["epochs"] == pytest.approx(float(D) / 25e9, rel=1e-12)
    assert answer["loss"] == pytest.approx(float(MUENNIGHOFF_2023.loss(N, D, 25e9)), rel=1e-12)
    one_epoch = answer["chinchilla_optimal"]
    assert one_epoch["params"] > answer["params"] and one_epoch["loss"] > answer["loss"]


def test_plain_text_shows_the_epochs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["optimal", "--flops", "1e22", "--unique-tokens", "25e9"]) == 0
    assert "epochs" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--unique-tokens", "-1"], "--unique-tokens: expected a positive number, got '-1'"),
        (["--unique-tokens", "1e9", "--law", "hoffmann2022"], "--law does not apply"),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(args: list[str], expected: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scaling_core", "optimal", "--flops", "1e22", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert expected in result.stderr and "Traceback" not in result.stderr
