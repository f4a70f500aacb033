"""The annealing curves of Luo et al. (2025) load tidy, and their fitting logs parse completely."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scaling_core.data import available, load
from scaling_core.data.annealing import (
    CURVES,
    MPL_PARAMETERS,
    WARMUP_STEPS,
    fitting_log,
    parse_fitting_log,
)

# rows per curve and size, as listed in data/annealing/PROVENANCE.md
ROWS = {
    "constant_24000": (171, 171, 171),
    "constant_72000": (546, 546, 546),
    "cosine_24000": (171, 171, 171),
    "cosine_72000": (546, 546, 546),
    "wsd_20000_24000": (170, 171, 171),
    "wsdld_20000_24000": (170, 171, 171),
    "wsdcon_3": (95, 109, 109),
    "wsdcon_9": (95, 109, 109),
    "wsdcon_18": (95, 109, 109),
}


@pytest.fixture(scope="module")
def curves() -> pd.DataFrame:
    return load("annealing_curves")


def test_listed_with_a_description() -> None:
    assert "annealing_curves" in set(available()["name"])


def test_columns_and_types(curves: pd.DataFrame) -> None:
    assert list(curves.columns) == [
        "size",
        "N",
        "schedule",
        "family",
        "total_steps",
        "step",
        "lr",
        "loss",
    ]
    assert list(curves["size"].cat.categories) == ["25M", "100M", "400M"]
    assert list(curves["schedule"].cat.categories) == list(CURVES)
    assert curves["step"].dtype.kind == "i" and curves["loss"].dtype == float
    assert set(zip(curves["size"], curves["N"])) == {
        ("25M", 25e6),
        ("100M", 100e6),
        ("400M", 400e6),
    }


def test_row_counts_match_the_provenance(curves: pd.DataFrame) -> None:
    counts = curves.groupby(["schedule", "size"], observed=True).size().unstack("size")
    for name, rows in ROWS.items():
        assert tuple(counts.loc[name, ["25M", "100M", "400M"]]) == rows, name


def test_every_curve_starts_after_warmup_and_ends_before_its_total(curves: pd.DataFrame) -> None:
    by_curve = curves.groupby(["size", "schedule"], observed=True)
    assert (by_curve["step"].min() >= WARMUP_STEPS).all()
    assert (by_curve["step"].max() < by_curve["total_steps"].max()).all()
    assert (by_curve["step"].apply(lambda s: s.is_monotonic_increasing)).all()
    assert curves["loss"].between(2.0, 5.0).all()


def test_fitting_logs_give_the_constants_and_the_metrics_in_full() -> None:
    log = fitting_log("25M")
    assert list(log.parameters) == list(MPL_PARAMETERS)
    assert (
        log.parameters["L0"] == 3.0404540607184405 and log.parameters["gamma"] == 0.6414225733502996
    )
    assert log.averages.loc["test", "r2_score"] == 0.9988020610656915
    assert log.averages.loc["test", "prede"] == 0.0011022317743749073
    train = log.metrics[log.metrics["set"] == "train"]["schedule"]
    test = log.metrics[log.metrics["set"] == "test"]["schedule"]
    assert list(train) == ["cosine_24000", "constant_24000", "wsdcon_9"]
    assert sorted(test) == sorted(set(CURVES) - set(train))
    assert not log.metrics.isna().any().any()
    assert list(log.metrics.columns[2:]) == list(log.averages.columns)


@pytest.mark.parametrize("size", ["100M", "400M"])
def test_every_size_has_a_log_with_six_test_curves(size: str) -> None:
    log = fitting_log(size)
    assert (log.metrics["set"] == "test").sum() == 6
    # the printed averages are the means of the printed per-curve metrics
    means = log.metrics.groupby("set")[list(log.averages.columns)].mean()
    np.testing.assert_allclose(means.loc[log.averages.index], log.averages, rtol=1e-12)


def test_unknown_size_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="25M, 100M, 400M"):
        fitting_log("1B")


def test_a_truncated_log_is_refused_with_what_is_missing() -> None:
    text = (Path(__file__).parents[1] / "data" / "annealing" / "logs" / "25.log").read_text()
    with pytest.raises(ValueError, match="no 'Best Parameters"):
        parse_fitting_log(text[: text.index("Best Parameters")], "25.log")
    with pytest.raises(ValueError, match="training and the test set"):
        parse_fitting_log(text[text.index("Evaluating on test set") :], "25.log")
    with pytest.raises(ValueError, match="has 2 numbers"):
        parse_fitting_log("INFO:__main__:Best Parameters: [1.0, 2.0]\n", "x.log")
