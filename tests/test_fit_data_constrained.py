"""Fitting the decay constants of the data-constrained law (Muennighoff et al. 2023, App. A)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from scaling_core.data import load
from scaling_core.fit.data_constrained import (
    bootstrap_data_constrained,
    data_constrained_objective,
    data_constrained_runs,
    fit_data_constrained,
    muennighoff_starts,
    profile_rd_star,
)
from scaling_core.laws import MUENNIGHOFF_2023

TRUE = replace(MUENNIGHOFF_2023, rd_star=12.0, rn_star=4.0)


@pytest.fixture(scope="module")
def design() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (N, D, U) of the authors' 182 runs."""
    runs = load("constrained_runs")
    return runs["N"].to_numpy(), runs["D"].to_numpy(), runs["U"].to_numpy()


def test_starts_are_the_notebook_grid_without_zero() -> None:
    starts = muennighoff_starts()
    assert starts.shape == (9, 2)
    assert set(np.round(starts.ravel(), 6)) == {6.666667, 13.333333, 20.0}


def test_objective_gradient_matches_finite_differences(design) -> None:
    N, D, U = design
    runs = data_constrained_runs(MUENNIGHOFF_2023, N, D, U, TRUE.loss(N, D, U) * 1.002)
    theta = np.array([[9.0, 3.0], [30.0, 8.0]])
    _, grads = data_constrained_objective(theta, runs)
    for column in range(2):
        step = np.zeros(2)
        step[column] = 1e-6
        up, _ = data_constrained_objective(theta + step, runs)
        down, _ = data_constrained_objective(theta - step, runs)
        assert np.allclose(grads[:, column], (up - down) / 2e-6, rtol=1e-4, atol=1e-10)


def test_objective_is_infinite_outside_the_domain(design) -> None:
    N, D, U = design
    runs = data_constrained_runs(MUENNIGHOFF_2023, N, D, U, TRUE.loss(N, D, U))
    values, grads = data_constrained_objective([[-1.0, 3.0], [5.0, 0.0]], runs)
    assert np.all(np.isinf(values)) and np.all(grads == 0)


def test_fit_recovers_the_constants_of_noise_free_runs(design) -> None:
    N, D, U = design
    fit = fit_data_constrained(N, D, U, TRUE.loss(N, D, U))
    assert fit.converged and fit.objective < 1e-12
    assert fit.params["rd_star"] == pytest.approx(12.0, rel=1e-4)
    assert fit.params["rn_star"] == pytest.approx(4.0, rel=1e-4)
    assert fit.law.loss(1e9, 1e11, 1e10) == pytest.approx(TRUE.loss(1e9, 1e11, 1e10), rel=1e-8)
    assert fit.objective_by_start.shape == (9,) and fit.ends_by_start.shape == (9, 2)


def test_a_term_without_decay_keeps_no_constant(design) -> None:
    N, D, U = design
    data_only = replace(MUENNIGHOFF_2023, params_decay="none")
    fit = fit_data_constrained(
        N, D, U, replace(data_only, rd_star=6.0).loss(N, D, U), law=data_only
    )
    assert fit.params["rn_star"] == 0.0
    assert fit.params["rd_star"] == pytest.approx(6.0, rel=1e-4)


def test_profile_is_lowest_at_the_true_value(design) -> None:
    N, D, U = design
    values, rn = profile_rd_star([6.0, 12.0, 24.0], N, D, U, TRUE.loss(N, D, U))
    assert np.argmin(values) == 1 and values[1] < 1e-12
    assert rn[1] == pytest.approx(4.0, rel=1e-4)


def test_bootstrap_is_seeded_and_recovers_noise_free_constants(design) -> None:
    N, D, U = design
    loss = TRUE.loss(N, D, U)
    first = bootstrap_data_constrained(N, D, U, loss, n_resamples=4, seed=3, starts=[[10.0, 5.0]])
    again = bootstrap_data_constrained(N, D, U, loss, n_resamples=4, seed=3, starts=[[10.0, 5.0]])
    assert np.array_equal(first.theta, again.theta)
    assert np.allclose(first.theta, [12.0, 4.0], rtol=1e-3) and first.converged.all()


def test_bad_runs_are_refused_by_name(design) -> None:
    with pytest.raises(ValueError, match="one value per run"):
        fit_data_constrained([1e9, 2e9], [1e10, 1e10], [1e10, 1e10], [3.0])
    with pytest.raises(ValueError, match="must not exceed D"):
        fit_data_constrained([1e9], [1e9], [2e9], [3.0])
    with pytest.raises(ValueError, match="two columns"):
        fit_data_constrained([1e9], [1e10], [1e9], [3.0], starts=[[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="n_resamples"):
        bootstrap_data_constrained([1e9], [1e10], [1e9], [3.0], n_resamples=0, seed=0)
