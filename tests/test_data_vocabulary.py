"""The Tao et al. (2024) datasets: shapes, units and consistency between the grid and the checkpoint
files."""

from __future__ import annotations

import numpy as np

from scaling_core.data import available, load
from scaling_core.papers.tao2024 import tokens_per_character


def test_grid_is_six_models_by_ten_vocabularies_by_twenty_checkpoints():
    grid = load("tao2024_grid")
    assert len(grid) == 1200
    assert grid.groupby(["model", "V"]).size().eq(20).all()
    assert grid["V"].nunique() == 10 and grid["model"].nunique() == 6
    assert (grid["loss_u"] < 0).all()
    assert grid.groupby("model")["N_nv"].nunique().eq(1).all()


def test_grid_flops_count_vocabulary_parameters_and_tokens_from_characters():
    grid = load("tao2024_grid")
    np.testing.assert_allclose(grid["N_v"], grid["V"] * grid["d"])
    np.testing.assert_allclose(grid["C"], 6 * (grid["N_nv"] + grid["N_v"]) * grid["D"], rtol=1e-12)
    np.testing.assert_allclose(grid["D"], grid["H"] * tokens_per_character(grid["V"]), rtol=1e-9)


def test_checkpoint_files_are_the_smallest_models_rows_of_the_grid():
    checkpoints = load("tao2024_isoflop_33m")
    grid = load("tao2024_grid")
    assert len(checkpoints) == 200
    assert checkpoints["N_nv"].eq(33_222_784).all()
    np.testing.assert_allclose(checkpoints["loss_u"], np.log(checkpoints["ppl_u"]))
    smallest = grid[grid["model"] == 0]
    np.testing.assert_array_equal(checkpoints["loss_u"].to_numpy(), smallest["loss_u"].to_numpy())
    np.testing.assert_allclose(checkpoints["C"].to_numpy(), smallest["C"].to_numpy(), rtol=1e-12)


def test_datasets_are_listed():
    names = set(available()["name"])
    assert {"tao2024_grid", "tao2024_isoflop_33m"} <= names
