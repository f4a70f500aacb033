"""Loaders of the fitting chapter's data (Open-Athena, Llama 3 digitisation, the survey)."""

from __future__ import annotations

import numpy as np
import pytest

from scaling_core import data


def test_isoflop_table_has_five_sources_and_qc_flags() -> None:
    points = data.load("fitting_isoflops")
    assert len(points) == 947
    assert set(points["source"]) == {
        "epochai_chinchilla",
        "ml_scalefit",
        "misfitting",
        "llama_3",
        "marin_202603",
    }
    assert points["experiment"].nunique() == 8
    assert (
        points["outlier"].dtype == bool
        and (points["reason"] == "none").sum() == (~points["outlier"]).sum()
    )
    assert (points[["N", "D", "C", "loss"]] > 0).all().all()


def test_llama3_points() -> None:
    points = data.load("llama3_isoflops")
    assert len(points) == 133 and points["C"].nunique() == 10
    assert points["N"].to_numpy() == pytest.approx((points["C"] / (6 * points["D"])).to_numpy())
    assert points["loss"].between(0.69, 0.94).all()


def test_approach2_error_tables() -> None:
    table = data.load("approach2_errors")
    assert len(table) == 36
    assert table.groupby("config").size().to_dict() == {
        "Centred": 12,
        "Drift to 3×": 12,
        "Offset by 3×": 12,
    }
    relative = 100 * (table["inferred_D"] / table["true_D"] - 1)
    assert relative.to_numpy() == pytest.approx(table["rel_error_pct"].to_numpy(), abs=1e-9)


def test_scalefit_results_and_survey() -> None:
    fits = data.load("scalefit_results")
    assert {"E", "A", "B", "alpha", "beta"} <= set(fits.columns) and (fits["n"] == 217).all()
    survey = data.load("misfitting_survey")
    assert len(survey) == 51 and "Curve-fitting Method" in survey.columns
    assert survey["Title"].notna().all() and not np.any(
        survey["Title"].str.contains("TOTAL", case=False)
    )
