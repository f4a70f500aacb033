"""The runs of Muennighoff et al. (2023) load tidy, and the vendored tables are what the extraction
script writes from the vendored notebook."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from scaling_core.data import available, load, path_of


@pytest.fixture(scope="module")
def runs() -> pd.DataFrame:
    return load("constrained_runs")


@pytest.fixture(scope="module")
def all_runs() -> pd.DataFrame:
    return load("constrained_runs_all")


def test_listed_with_a_description() -> None:
    assert {"constrained_runs", "constrained_runs_all"} <= set(available()["name"])


def test_fit_runs_match_the_provenance(runs: pd.DataFrame) -> None:
    assert list(runs.columns) == ["name", "N", "D", "U", "epochs", "loss"]
    assert len(runs) == 182 and runs["name"].is_unique
    assert runs["N"].min() == 7_098_752 and runs["N"].max() == 8.67e9
    assert runs["D"].max() == 9.0e11 and runs["epochs"].max() == 9000
    assert (runs["U"] <= runs["D"]).all()
    assert (runs["epochs"] - runs["D"] / runs["U"]).abs().max() < 1e-6
    assert runs["loss"].min() == 2.336741 and runs["loss"].max() == 8.102005
    budgets = runs["U"].value_counts()
    assert (budgets[1e8], budgets[4e8], budgets[1.5e9]) == (75, 27, 25)


def test_all_runs_contain_the_fit_runs(runs: pd.DataFrame, all_runs: pd.DataFrame) -> None:
    assert len(all_runs) == 296 and all_runs["in_fit"].sum() == 182
    fit = all_runs[all_runs["in_fit"]].set_index("name")
    pd.testing.assert_series_equal(fit.loc[runs["name"], "loss"], runs.set_index("name")["loss"])
    assert all_runs["U"].value_counts()[1e8] == 93
    assert (all_runs["note"] != "").sum() == 2


def test_extraction_reproduces_the_vendored_tables(tmp_path: Path) -> None:
    script = path_of("constrained/derived/extract_runs.py")
    notebook = path_of("constrained/datablations/utils/parametric_fit.ipynb")
    done = subprocess.run(
        [sys.executable, str(script), str(notebook), str(tmp_path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("byte-for-byte: True") == 2
    for name in ("runs_fit182.csv", "runs_all.csv"):
        assert (tmp_path / name).read_bytes() == path_of(f"constrained/derived/{name}").read_bytes()
