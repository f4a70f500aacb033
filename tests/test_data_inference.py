"""scaling_core.data.inference: Sardana et al.'s 47 training runs as a tidy table."""

from __future__ import annotations

import numpy as np
import pytest

from scaling_core import data


@pytest.fixture(scope="module")
def runs():
    return data.load("inference_runs")


def test_the_47_runs_and_their_sizes(runs) -> None:
    assert len(runs) == 47
    assert runs["size"].value_counts().to_dict() == {
        "150M": 12,
        "370M": 10,
        "750M": 9,
        "1.3B": 8,
        "2.5B": 7,
        "6B": 1,
    }
    assert runs["N"].min() == 151e6 and runs["N"].max() == 6.05e9
    assert runs["tokens_per_param"].min() == 10 and runs["tokens_per_param"].max() == 10_000


def test_tokens_are_parameters_times_ratio(runs) -> None:
    assert runs["D"].to_numpy() == pytest.approx(
        (runs["N"] * runs["tokens_per_param"]).to_numpy(), rel=1e-12
    )


def test_columns_are_typed_and_scores_are_fractions(runs) -> None:
    scores = [c for c in runs.columns if c.startswith("gauntlet_")] + ["mmlu"]
    assert len(scores) == 7
    assert runs[scores].dtypes.eq(np.float64).all()
    assert ((runs[scores] >= 0) & (runs[scores] <= 1)).all().all()
    assert runs["loss"].between(2.0, 4.0).all()
    assert runs["batch_size"].dtype == np.int64


def test_loss_falls_with_more_tokens_for_every_size(runs) -> None:
    for _, group in runs.groupby("size"):
        ordered = group.sort_values("tokens_per_param")["loss"].to_numpy()
        assert np.all(np.diff(ordered) < 0)


def test_listed_in_the_catalogue() -> None:
    assert "inference_runs" in set(data.available()["name"])
