"""scaling_core.fit.varpro: variable projection, for the Chinchilla starts and the VPNLS fit."""

from __future__ import annotations

import numpy as np
import pytest

from scaling_core.fit.chinchilla import variable_projection_starts
from scaling_core.fit.varpro import (
    fit_variable_projection,
    linear_terms,
    product_grid_nnls,
    projected_objective,
)
from scaling_core.laws import ChinchillaLaw

TRUTH = ChinchillaLaw(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28, name="truth")


def runs(law: ChinchillaLaw = TRUTH) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    C = np.repeat(np.geomspace(1e17, 1e21, 5), 9)
    N = np.tile(np.geomspace(1e7, 1e10, 9), 5)
    D = C / (6 * N)
    return N, D, law.loss(N, D)


def test_grid_nnls_recovers_the_coefficients_at_the_true_exponents() -> None:
    N, D, L = runs()
    coef, residual = product_grid_nnls(
        N, D, L, np.array([0.2, 0.34]), np.array([0.28, 0.5]), np.ones_like(L)
    )
    assert coef.shape == (4, 3) and residual.shape == (4,)
    assert coef[2] == pytest.approx(
        [1.69, 406.4, 410.7], rel=1e-6
    )  # (α, β) = (0.34, 0.28) is row 2
    assert np.argmin(residual) == 2


def test_grid_nnls_keeps_coefficients_non_negative() -> None:
    N, D, _ = runs()
    falling_with_n_only = 2.0 + 50 * N**-0.3 - 1e-3 * D**-0.1  # a negative B would fit better
    coef, _ = product_grid_nnls(
        N, D, falling_with_n_only, np.array([0.3]), np.array([0.1]), np.ones_like(N)
    )
    assert (coef >= 0).all() and coef[0, 2] == 0


def test_single_pair_solve_matches_the_grid() -> None:
    N, D, L = runs()
    noisy = L * (1 + 0.01 * np.sin(np.arange(len(L))))
    grid_coef, _ = product_grid_nnls(N, D, noisy, np.array([0.3]), np.array([0.3]), np.ones_like(L))
    coef, residual = linear_terms(N, D, noisy, 0.3, 0.3)
    assert coef == pytest.approx(grid_coef[0], rel=1e-6)
    value, grad = projected_objective([0.3, 0.3], N, D, noisy)
    assert value == pytest.approx(residual @ residual)
    step = 1e-6
    numeric = [
        (projected_objective([0.3 + step * e0, 0.3 + step * e1], N, D, noisy)[0] - value) / step
        for e0, e1 in ((1, 0), (0, 1))
    ]
    assert grad == pytest.approx(numeric, rel=1e-3)


def test_fit_recovers_a_noise_free_law() -> None:
    N, D, L = runs()
    fit = fit_variable_projection(N, D, L)
    assert fit.converged
    assert fit.params == pytest.approx([1.69, 406.4, 410.7, 0.34, 0.28], rel=1e-6)
    assert fit.law.loss(N, D) == pytest.approx(L, rel=1e-10)
    assert fit.objective_by_start.shape == (32 * 32,)
    assert fit.report.n_points == len(L) and "NNLS" in fit.report.optimiser


def test_warm_start_reaches_the_same_optimum() -> None:
    N, D, L = runs()
    noisy = L * (1 + 0.005 * np.cos(np.arange(len(L))))
    scanned = fit_variable_projection(N, D, noisy)
    warm = fit_variable_projection(N, D, noisy, start=[0.3, 0.3])
    assert warm.params[3:] == pytest.approx(scanned.params[3:], abs=1e-6)
    assert warm.report.starts == "given (alpha, beta)"


def test_chinchilla_starts_are_the_grid_solution_in_log_parameters() -> None:
    N, D, L = runs()
    exponents = np.array([0.28, 0.34])
    starts = variable_projection_starts(N, D, L, exponents)
    coef, _ = product_grid_nnls(N, D, L, exponents, exponents, 1 / L**2)
    assert starts[:, :3] == pytest.approx(np.log(np.maximum(coef, 1e-8 * L.min())[:, [1, 2, 0]]))
    assert starts[1, 3:] == pytest.approx([0.28, 0.34])


@pytest.mark.parametrize(
    "bad, message",
    [({"weights": [1.0, 2.0]}, "weights must be"), ({"exponents": [0.3]}, "exponents must be"),
     ({"start": [0.3, -1.0]}, "start must be")],
)  # fmt: skip
def test_bad_options_are_refused_by_name(bad: dict, message: str) -> None:
    N, D, L = runs()
    with pytest.raises(ValueError, match=message):
        fit_variable_projection(N, D, L, **bad)
