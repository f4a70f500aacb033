"""`python -m scaling_core fit`: the law with intervals, the rule, warnings, errors, inputs."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scaling_core.cli import main
from scaling_core.laws import BESIROGLU_2024, HOFFMANN_2022


def write_runs(path: Path, N, D, loss) -> Path:
    pd.DataFrame({"N": N, "D": D, "loss": loss}).to_csv(path, index=False)
    return path


@pytest.fixture
def sweep(tmp_path: Path) -> Path:
    """48 runs from Epoch's law with 0.5 % noise, 8 sizes × 6 tokens-per-parameter ratios."""
    N, ratio = (g.ravel() for g in np.meshgrid(np.geomspace(1e7, 3e9, 8), np.geomspace(2, 200, 6)))
    D = N * ratio
    loss = BESIROGLU_2024.loss(N, D) * np.exp(np.random.default_rng(0).normal(0, 0.005, N.size))
    return write_runs(tmp_path / "runs.csv", N, D, loss)


def fit_json(capsys, *args: str) -> dict:
    assert main(["fit", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_fit_reports_the_law_with_intervals_and_the_rule(sweep, capsys):
    answer = fit_json(
        capsys, str(sweep), "--bootstrap", "200", "--seed", "3", "--budgets", "1e21", "5.88e23"
    )
    assert answer["runs"] == 48
    for name in ("E", "A", "B", "alpha", "beta"):
        row = answer["parameters"][name]
        assert row["low"] <= row["estimate"] <= row["high"]
        assert row["low"] <= getattr(BESIROGLU_2024, name) <= row["high"]
        assert row["standard_error"] > 0
    rule = answer["compute_optimal"]
    assert rule["a"] == pytest.approx(answer["parameters"]["a"]["estimate"]) and rule["a"] + rule[
        "b"
    ] == pytest.approx(1)
    assert [b["flops"] for b in answer["budgets"]] == [1e21, 5.88e23]
    for budget in answer["budgets"]:
        assert budget["params"] == pytest.approx(rule["G"] * (budget["flops"] / 6) ** rule["a"])
    chinchilla = answer["budgets"][1]
    assert chinchilla["params"] * chinchilla["tokens"] * 6 == pytest.approx(5.88e23)
    assert (
        chinchilla["tokens_per_param_low"]
        <= chinchilla["tokens_per_param"]
        <= chinchilla["tokens_per_param_high"]
    )
    assert (
        chinchilla["tokens_per_param_low"]
        <= BESIROGLU_2024.tokens_per_parameter(5.88e23)
        <= chinchilla["tokens_per_param_high"]
    )
    assert answer["warnings"] == []
    assert answer["converged"] is True


def test_same_seed_same_intervals(sweep, capsys):
    first, second = (
        fit_json(capsys, str(sweep), "--bootstrap", "50", "--seed", "9") for _ in range(2)
    )
    assert first == second


def test_plain_text_shows_a_parameter_table(sweep, capsys):
    assert main(["fit", str(sweep), "--bootstrap", "0"]) == 0
    out = capsys.readouterr().out
    assert "estimate" in out and "alpha" in out and "tokens_per_param" in out
    assert "none (--bootstrap 0)" in out


def test_one_tokens_per_parameter_ratio_is_flagged(tmp_path, capsys):
    N = np.geomspace(1e7, 1e9, 12)
    D = 20 * N
    loss = BESIROGLU_2024.loss(N, D) * np.exp(np.random.default_rng(1).normal(0, 0.002, N.size))
    answer = fit_json(
        capsys, str(write_runs(tmp_path / "one_ratio.csv", N, D, loss)), "--bootstrap", "50"
    )
    assert any("same tokens-per-parameter ratio" in w for w in answer["warnings"])


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m scaling_core fit ARGS`, run in this process (a new interpreter per case would
    spend seconds on imports); the entry point itself is run as a program by the pipe test."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(["fit", *args])
        except SystemExit as stop:  # argparse's usage errors
            status = stop.code
    return subprocess.CompletedProcess(args, status, out.getvalue(), err.getvalue())


@pytest.mark.parametrize(
    ("content", "extra", "expected"),
    [
        (None, [], "no such file"),
        ("N,D\n1e8,2e9\n", [], "missing column(s) loss"),
        ("N,D,loss\n1e8,2e9,abc\n", [], "column loss must hold positive numbers; line 2"),
        ("N,D,loss\n1e8,-2e9,3.1\n", [], "column D must hold positive numbers"),
        ("N,D,loss\n1e8,2e9,3.1\n2e8,4e9,3.0\n", [], "at least 5 runs"),
        (
            "N,D,loss\n" + "".join(f"1e8,{d}e9,{3 - d / 10}\n" for d in range(1, 7)),
            [],
            "N is the same in every run up to rounding",
        ),
        (
            "N,D,loss\n1e8,2e9,nan\n",
            [],
            "column loss must hold positive numbers; line 2 is missing or not a number",
        ),
        (
            "N,D,loss\n1e8,2e9,3\n1e8,,3\n",
            [],
            "column D must hold positive numbers; line 3 is missing or not a number",
        ),
        ("N,D,loss\n1e8,2e9,inf\n", [], "line 2 has inf, which is not finite"),
        ("N,D,loss\n1e8,2e9,lots\n", [], "line 2 has 'lots', which is not a number"),
        ("N,D,loss\n", [], "has no rows, only a header"),
        ("", [], "is empty; expected a CSV file with a header line N,D,loss"),
        (
            "N,D,loss\n"
            + "".join(f"{n}e8,{d}e9,{3 - d / 10},\n" for n, d in zip(range(1, 7), range(2, 8))),
            ["--budgets", "5e-324"],
            "C (FLOP budget) = 4.941e-324 is too extreme",
        ),
        ("N,D,loss\n1e8,2e9,3\n", ["--bootstrap", "1"], "at least 2 resamples"),
        (
            "N,D,loss\n1e8,2e9,3\n",
            ["--bootstrap", "many"],
            "--bootstrap: expected 0 (no bootstrap) or a whole number of at least 2 resamples, "
            "got 'many'",
        ),
        ("N,D,loss\n1e8,2e9,3\n", ["--seed", "-4"], "--seed: expected a whole number >= 0"),
        ("N,D,loss\n1e8,2e9,3\n", ["--level", "95"], "--level: expected a probability"),
    ],
)
def test_bad_input_exits_2_with_one_clear_line(tmp_path, content, extra, expected):
    path = tmp_path / "runs.csv"
    if content is not None:
        path.write_text(content)
    result = run(str(path), *extra)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(("error:", "usage:", "python -m scaling_core fit: error:"))
    )
    assert "np.float64" not in result.stderr
    if result.stderr.startswith("error:"):
        assert len(result.stderr.strip().splitlines()) == 1


def test_a_fixed_d_sweep_computed_in_floating_point_is_refused(tmp_path):
    """D = N × ratio with the ratios reversed: D is 2e9 in every run up to rounding (it takes
    several distinct float values), so B and beta cannot be separated from E."""
    N = np.geomspace(1e7, 1e9, 12)
    D = N * np.geomspace(2, 200, 12)[::-1]
    assert len(np.unique(D)) > 1
    loss = HOFFMANN_2022.loss(N, D) * np.exp(np.random.default_rng(0).normal(0, 0.002, N.size))
    result = run(str(write_runs(tmp_path / "fixed_d.csv", N, D, loss)))
    assert result.returncode == 2
    assert (
        "D is the same in every run up to rounding" in result.stderr
        and "B and beta" in result.stderr
    )


def test_runs_at_one_compute_budget_are_flagged(tmp_path, capsys):
    N = np.geomspace(1e7, 1e9, 12)
    D = 1e19 / N
    loss = BESIROGLU_2024.loss(N, D) * np.exp(np.random.default_rng(2).normal(0, 0.002, N.size))
    answer = fit_json(
        capsys, str(write_runs(tmp_path / "isoflop.csv", N, D, loss)), "--bootstrap", "0"
    )
    assert any("same compute 6ND" in w for w in answer["warnings"])


def test_json_of_a_fit_with_diverging_refits_is_strict(tmp_path, capsys):
    """12 noisy runs: some refits diverge, their standard errors are not finite and become null
    with a reason."""
    N, ratio = (g.ravel() for g in np.meshgrid(np.geomspace(1e7, 1e9, 4), np.geomspace(5, 50, 3)))
    loss = BESIROGLU_2024.loss(N, N * ratio) * np.exp(
        np.random.default_rng(3).normal(0, 0.05, N.size)
    )
    assert (
        main(
            [
                "fit",
                str(write_runs(tmp_path / "noisy.csv", N, N * ratio, loss)),
                "--bootstrap",
                "100",
                "--json",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    answer = json.loads(text, parse_constant=lambda c: pytest.fail(f"not JSON: {c}"))
    assert answer["null_values"] and all(
        "float range" in why or "not a number" in why for why in answer["null_values"].values()
    )


def test_standard_input_a_pipe_and_trailing_commas(sweep, tmp_path):
    text = sweep.read_text()
    from_file = run(str(sweep), "--bootstrap", "0", "--json")
    assert from_file.returncode == 0, from_file.stderr
    expected = json.loads(from_file.stdout)
    from_stdin = subprocess.run(
        [sys.executable, "-m", "scaling_core", "fit", "-", "--bootstrap", "0", "--json"],
        input=text,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert from_stdin.returncode == 0, from_stdin.stderr
    assert json.loads(from_stdin.stdout) | {"file": str(sweep)} == expected
    trailing = tmp_path / "trailing.csv"
    trailing.write_text("\n".join(line + "," for line in text.splitlines()) + "\n")
    with_commas = run(str(trailing), "--bootstrap", "0", "--json")
    assert with_commas.returncode == 0, with_commas.stderr
    assert json.loads(with_commas.stdout)["parameters"] == expected["parameters"]
    fifo = tmp_path / "runs.fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen(
        [sys.executable, "-m", "scaling_core", "fit", str(fifo), "--bootstrap", "0", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    fifo.write_text(text)
    out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err
    assert json.loads(out)["parameters"] == expected["parameters"]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        ("directory", "is a directory; expected a CSV file"),
        ("png", "not a text file (it holds binary data)"),
    ],
)
def test_what_is_not_a_csv_file_is_named(tmp_path, make, expected):
    path = tmp_path / "input"
    if make == "directory":
        path.mkdir()
    else:
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10")
    result = run(str(path))
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {path}: {expected}")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_bootstrap_too_large_for_memory_is_refused_at_once(sweep):
    result = run(str(sweep), "--bootstrap", "100000000")
    assert result.returncode == 2
    assert (
        "100,000,000 resamples needs about" in result.stderr
        and "memory limit of 1 GiB" in result.stderr
    )
    assert len(result.stderr.strip().splitlines()) == 1
