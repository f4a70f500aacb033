"""scaling_core.fit.least_squares: the batched Levenberg–Marquardt engine and its polished best
fit."""

from __future__ import annotations

import numpy as np
import pytest

from scaling_core.fit.least_squares import batched_levenberg_marquardt, best_least_squares


def test_batched_solver_finds_the_linear_least_squares_solution_from_every_start():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=20)

    def linear(theta):
        return theta @ X.T - y, np.broadcast_to(X, (len(theta), *X.shape))

    starts = rng.normal(scale=10.0, size=(16, 3))
    theta, cost = batched_levenberg_marquardt(linear, starts)
    exact = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(theta, np.broadcast_to(exact, theta.shape), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(cost, np.sum((X @ exact - y) ** 2), rtol=1e-9)


def test_batched_solver_leaves_a_start_with_non_finite_cost_out():
    def residuals(theta):
        return np.log(theta) - 1.0, (1.0 / theta)[:, :, None]

    theta, cost = batched_levenberg_marquardt(residuals, np.array([[2.0], [-1.0]]))
    assert theta[0, 0] == pytest.approx(np.e, rel=1e-8)
    assert np.isinf(cost[1])


def test_best_least_squares_returns_the_best_start_polished_and_every_start_cost():
    x = np.linspace(0.0, 3.0, 30)
    y = 2.0 * np.exp(-0.7 * x) + 0.1

    def decay(theta):
        a, k, c = (theta[:, i : i + 1] for i in range(3))
        e = np.exp(-k * x)
        return a * e + c - y, np.stack([e, -a * x * e, np.ones_like(e)], axis=-1)

    starts = np.array([[1.0, 0.1, 0.0], [1.0, 1.0, 0.0], [-5.0, -3.0, 50.0]])
    params, rss, converged, by_start = best_least_squares(decay, starts)
    np.testing.assert_allclose(params, [2.0, 0.7, 0.1], rtol=1e-9)
    assert rss < 1e-20 and converged
    assert by_start.shape == (3,) and rss == by_start.min()


def test_best_least_squares_says_when_every_start_diverges():
    def nowhere(theta):
        return np.full((len(theta), 2), np.nan), np.full((len(theta), 2, 1), np.nan)

    with pytest.raises(RuntimeError, match="every start"):
        best_least_squares(nowhere, np.array([[1.0], [2.0]]))


def test_batched_solver_names_a_badly_shaped_start_grid():
    with pytest.raises(ValueError, match="shape"):
        batched_levenberg_marquardt(lambda t: (t, t[:, :, None]), np.ones(3))
