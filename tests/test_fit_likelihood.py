"""Tests of the Huber-density maximum-likelihood fit (scaling_core.fit.likelihood)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import approx_fprime, minimize_scalar

from scaling_core.fit import theta_from_law
from scaling_core.fit.likelihood import (
    best_log_scale,
    fit_huber_likelihood,
    huber_log_normaliser,
    huber_negative_log_likelihood,
    log_likelihood,
)
from scaling_core.laws import ChinchillaLaw

TRUE = ChinchillaLaw(E=1.8, A=480.0, B=2100.0, alpha=0.35, beta=0.37)


def synthetic_runs(
    rng: np.random.Generator, n: int = 120, noise: float = 0.01
) -> tuple[np.ndarray, ...]:
    N = np.exp(rng.uniform(np.log(5e7), np.log(2e10), n))
    D = np.exp(rng.uniform(np.log(3e8), np.log(3e11), n))
    loss = TRUE.loss(N, D) * np.exp(rng.laplace(0.0, noise, n))
    return N, D, loss


@pytest.mark.parametrize("delta", [1e-3, 0.1, 1.0, 3.0])
def test_normaliser_integrates_the_huber_kernel(delta: float) -> None:
    rho = lambda x: 0.5 * x * x if abs(x) <= delta else delta * (abs(x) - 0.5 * delta)  # noqa: E731
    inner = quad(lambda x: np.exp(-rho(x)), -delta, delta)[0]
    outer = 2 * quad(lambda x: np.exp(-rho(x)), delta, np.inf)[0]
    assert huber_log_normaliser(delta) == pytest.approx(np.log(inner + outer), rel=1e-9)


def test_gradient_matches_finite_differences() -> None:
    N, D, loss = synthetic_runs(np.random.default_rng(0))
    logs = (np.log(N), np.log(D), np.log(loss))
    # a scale large enough that many residuals sit in the quadratic zone exercises both branches
    for sigma in (-2.0, -9.0):
        params = np.r_[theta_from_law(TRUE) + 0.01, sigma]
        value, gradient = huber_negative_log_likelihood(params, *logs, delta=1.0)
        numeric = approx_fprime(
            params, lambda p: huber_negative_log_likelihood(p, *logs, delta=1.0)[0], 1e-7
        )
        np.testing.assert_allclose(gradient, numeric, rtol=1e-4, atol=1e-3)
        assert np.isfinite(value)


@pytest.mark.parametrize("delta", [1e-3, 1.0])
def test_best_log_scale_maximises_the_likelihood(delta: float) -> None:
    residuals = np.random.default_rng(1).normal(0.0, 0.02, 200)
    n = residuals.size

    def negative(sigma: float) -> float:
        z = residuals / np.exp(sigma)
        rho = np.where(np.abs(z) <= delta, 0.5 * z**2, delta * (np.abs(z) - 0.5 * delta))
        return rho.sum() + n * sigma

    brute = minimize_scalar(
        negative, bounds=(-25.0, 5.0), method="bounded", options={"xatol": 1e-10}
    ).x
    assert best_log_scale(residuals, delta) == pytest.approx(brute, abs=1e-6)


def test_best_log_scale_refuses_zero_residuals() -> None:
    with pytest.raises(ValueError, match="all zero"):
        best_log_scale(np.zeros(5))


def test_fit_recovers_a_known_law() -> None:
    N, D, loss = synthetic_runs(np.random.default_rng(2), n=400, noise=0.003)
    start = theta_from_law(TRUE) + np.array([-0.3, 0.4, 0.05, -0.03, 0.02])
    fit = fit_huber_likelihood(N, D, loss, start=start)
    assert fit.law.alpha == pytest.approx(TRUE.alpha, abs=0.02)
    assert fit.law.beta == pytest.approx(TRUE.beta, abs=0.02)
    assert fit.law.E == pytest.approx(TRUE.E, abs=0.02)
    assert fit.log_likelihood >= log_likelihood(TRUE, N, D, loss) - 1e-6
    # with δ tiny the density is Laplace-like: the scale s satisfies s / δ = mean absolute residual
    residuals = np.log(loss) - np.log(fit.law.loss(N, D))
    assert fit.scale == pytest.approx(np.abs(residuals).mean() * 1e-3, rel=1e-3)


def test_log_likelihood_agrees_with_the_fit_at_its_optimum() -> None:
    N, D, loss = synthetic_runs(np.random.default_rng(3))
    fit = fit_huber_likelihood(N, D, loss, start=theta_from_law(TRUE))
    assert log_likelihood(fit.law, N, D, loss) == pytest.approx(fit.log_likelihood, abs=1e-6)


def test_default_start_is_the_summed_huber_optimum() -> None:
    N, D, loss = synthetic_runs(np.random.default_rng(4), n=60)
    fit = fit_huber_likelihood(N, D, loss)
    assert fit.n_runs == 60
    assert fit.log_likelihood >= log_likelihood(TRUE, N, D, loss) - 1e-6


def test_bad_input_names_the_argument() -> None:
    N, D, loss = synthetic_runs(np.random.default_rng(5), n=10)
    with pytest.raises(ValueError, match="loss"):
        fit_huber_likelihood(N, D, -loss, start=theta_from_law(TRUE))
    with pytest.raises(ValueError, match="same length"):
        fit_huber_likelihood(N, D[:-1], loss, start=theta_from_law(TRUE))
    with pytest.raises(ValueError, match="start"):
        fit_huber_likelihood(N, D, loss, start=[1.0, 2.0])
    with pytest.raises(ValueError, match="delta"):
        fit_huber_likelihood(N, D, loss, delta=0.0, start=theta_from_law(TRUE))
    with pytest.raises(ValueError, match="params"):
        huber_negative_log_likelihood(np.zeros(5), np.log(N), np.log(D), np.log(loss))
