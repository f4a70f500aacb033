"""scipy's BFGS run in lockstep must stop exactly where scipy.optimize.minimize stops."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from scaling_core.fit import chinchilla_objective
from scaling_core.fit.bootstrap import bootstrap_chinchilla
from scaling_core.fit.scipy_bfgs import scipy_bfgs_batch
from scaling_core.laws import BESIROGLU_2024

HOFFMANN = np.array([6.0073404, 6.0179186, 0.5267228, 0.33917084, 0.2849083])


def runs(seed: int = 0, noise: float = 0.01):
    rng = np.random.default_rng(seed)
    N, ratio = (g.ravel() for g in np.meshgrid(np.geomspace(1e7, 3e9, 8), np.geomspace(2, 200, 6)))
    D = N * ratio
    loss = BESIROGLU_2024.loss(N, D) * np.exp(rng.normal(0.0, noise, N.size))
    return np.log(N), np.log(D), np.log(loss)


def test_each_problem_stops_where_scipy_stops():
    log_n, log_d, log_loss = runs()
    weights = np.random.default_rng(1).integers(0, 3, size=(12, log_n.size)).astype(float)

    def batch(x, rows):
        return chinchilla_objective(x, log_n, log_d, log_loss, weights=weights[rows])

    def single(x, row):
        value, gradient = chinchilla_objective(x, log_n, log_d, log_loss, weights=weights[row])
        return value[0], gradient[0]

    ours = scipy_bfgs_batch(batch, np.broadcast_to(HOFFMANN, (12, 5)), single)
    assert not ours.handed_to_scipy.any()
    for row in range(12):
        theirs = minimize(lambda x: single(x, row), HOFFMANN, jac=True, method="BFGS")
        assert ours.iterations[row] == theirs.nit
        assert ours.converged[row] == theirs.success
        np.testing.assert_allclose(
            ours.x[row], theirs.x, rtol=0, atol=1e-5
        )  # sums round differently: flat in log A
        # short of the optimum: scipy's default gradient tolerance is loose
        assert (
            np.abs(
                chinchilla_objective(ours.x[row], log_n, log_d, log_loss, weights=weights[row])[1]
            ).max()
            > 1e-9
        )


def test_a_problem_already_at_its_tolerance_does_not_move():
    def batch(x, rows):
        return (x**2).sum(axis=1), 2 * x

    result = scipy_bfgs_batch(
        batch, [[1e-7, 0.0], [1.0, -2.0]], lambda x, row: ((x**2).sum(), 2 * x)
    )
    np.testing.assert_array_equal(result.x[0], [1e-7, 0.0])
    assert result.iterations.tolist()[0] == 0 and result.converged.all()
    np.testing.assert_allclose(result.x[1], 0.0, atol=1e-5)


def test_bootstrap_can_stop_like_scipy_and_needs_a_start():
    log_n, log_d, log_loss = runs(2)
    N, D, loss = np.exp(log_n), np.exp(log_d), np.exp(log_loss)
    indices = np.random.default_rng(3).integers(0, N.size, size=(5, N.size))
    stopped = bootstrap_chinchilla(
        N, D, loss, resamples=indices, start=HOFFMANN, stop_like_scipy=True
    )
    counts = np.stack([np.bincount(row, minlength=N.size) for row in indices]).astype(float)
    for row in range(5):
        theirs = minimize(
            lambda x: tuple(
                p[0] for p in chinchilla_objective(x, log_n, log_d, log_loss, weights=counts[row])
            ),
            HOFFMANN,
            jac=True,
            method="BFGS",
        )
        np.testing.assert_allclose(
            stopped.theta[row], theirs.x, rtol=0, atol=1e-5
        )  # sums round differently: flat in log A
    with pytest.raises(ValueError, match="stop_like_scipy needs"):
        bootstrap_chinchilla(N, D, loss, resamples=indices, stop_like_scipy=True)
