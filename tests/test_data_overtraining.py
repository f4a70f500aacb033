"""The Gadre et al. (2024) loaders: 104 runs joined with their loss evaluations and downstream
tasks."""

from __future__ import annotations

import numpy as np
import pytest

from scaling_core.data import available, load
from scaling_core.data.overtraining import SUBSET_17, average_errors


@pytest.fixture(scope="module")
def runs():
    return load("gadre2024_runs")


@pytest.fixture(scope="module")
def tasks():
    return load("gadre2024_downstream")


def test_both_datasets_are_listed():
    names = set(available()["name"])
    assert {"gadre2024_runs", "gadre2024_downstream"} <= names


def test_one_row_per_run_and_loss_evaluation(runs):
    assert len(runs) == 104 * 8
    assert runs["run"].nunique() == 104
    assert runs.groupby("run")["eval"].nunique().eq(8).all()
    assert not runs.duplicated(["run", "eval"]).any()
    assert runs.drop_duplicates("run")["train_set"].value_counts().to_dict() == {
        "RedPajama": 35,
        "RefinedWeb": 35,
        "C4": 34,
    }
    assert not runs.isna().any().any()


def test_run_columns_are_consistent(runs):
    np.testing.assert_allclose(runs["M"], runs["D"] / runs["N"], rtol=1e-12)
    np.testing.assert_allclose(runs["C"], 6 * runs["N"] * runs["D"], rtol=1e-15)
    assert (runs["N_non_embedding"] < runs["N"]).all()
    assert runs["N"].min() == 10_569_312 and runs["N"].max() == 6_889_410_560
    assert sorted(runs["M"].unique()) == [5, 10, 20, 40, 80, 160, 320, 640]
    assert ((runs["loss_lower95"] <= runs["loss"]) & (runs["loss"] <= runs["loss_upper95"])).all()
    assert runs.loc[runs["eval"] == "c4_val", "eval_tokens"].eq(174_077_952).all()


def test_the_larger_models_have_the_multipliers_the_provenance_lists(runs):
    one = runs[(runs["model"] == "1.4B")].groupby("train_set")["M"].unique().apply(sorted).to_dict()
    assert one == {"C4": [20, 80], "RedPajama": [20, 640], "RefinedWeb": [20, 320]}
    assert runs.loc[runs["model"] == "6.9B", "M"].eq(20).all()


def test_the_headline_targets_read_as_published(runs):
    c4 = runs[(runs["eval"] == "c4_val") & (runs["train_set"] == "RedPajama")].set_index("model")
    assert c4.loc["1.4B"].query("M == 640")["loss"].item() == pytest.approx(2.5021, abs=5e-5)
    assert c4.loc["6.9B", "loss"] == pytest.approx(2.4250, abs=5e-5)
    assert c4.loc["1.4B"].query("M == 640")["err_avg17"].item() == pytest.approx(0.4752, abs=5e-5)
    assert c4.loc["6.9B", "err_avg17"] == pytest.approx(0.4716, abs=5e-5)


def test_one_row_per_run_and_task(tasks):
    assert len(tasks) == 104 * 46
    assert tasks.groupby("run")["task"].nunique().eq(46).all()
    assert set(tasks.loc[tasks["in_subset17"], "task"]) == set(SUBSET_17) and len(SUBSET_17) == 17
    np.testing.assert_allclose(tasks["error"], 1 - tasks["accuracy"])
    assert tasks["random_error"].between(0, 1).all() and not tasks.isna().any().any()


def test_averages_joined_to_the_runs_match_the_task_table(runs, tasks):
    averages = average_errors(tasks).set_index("run")
    joined = runs.drop_duplicates("run").set_index("run")[["err_avg46", "err_avg17"]]
    np.testing.assert_allclose(
        joined.sort_index(), averages.loc[joined.index].sort_index(), rtol=1e-15
    )
    subset = tasks[tasks["in_subset17"] & (tasks["run"] == "rpj-open_lm_7b-1.0")]
    assert averages.loc["rpj-open_lm_7b-1.0", "err_avg17"] == pytest.approx(
        subset["error"].mean(), rel=1e-15
    )


def test_loaders_return_fresh_frames(runs):
    again = load("gadre2024_runs")
    again.loc[:, "loss"] = 0.0
    assert load("gadre2024_runs")["loss"].gt(0).all()
