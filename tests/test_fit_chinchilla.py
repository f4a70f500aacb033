"""Tests of the Chinchilla fit: objective and gradient, the batched minimiser, the search, bad
input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from scaling_core.fit import chinchilla_objective, fit_chinchilla, hoffmann_grid, theta_from_law
from scaling_core.fit.chinchilla import variable_projection_starts
from scaling_core.fit.multistart import inverse_hessian_at, minimize_batch
from scaling_core.fit.runs import validate_runs
from scaling_core.laws import BESIROGLU_2024, HOFFMANN_2022_UNROUNDED, ChinchillaLaw

TRUE_THETA = theta_from_law(BESIROGLU_2024)


def synthetic_runs(rng: np.random.Generator, n: int = 60, noise: float = 0.01):
    """Runs over 1e7..1e10 parameters and 1..100 tokens per parameter, losses from Epoch's law."""
    N = np.exp(rng.uniform(np.log(1e7), np.log(1e10), n))
    D = N * np.exp(rng.uniform(0.0, np.log(100.0), n))
    loss = BESIROGLU_2024.loss(N, D) * np.exp(rng.normal(0.0, noise, n))
    return N, D, loss


def logs(N, D, loss):
    return np.log(N), np.log(D), np.log(loss)


def numerical_gradient(f, theta, step=1e-7):
    grad = np.empty_like(theta)
    for i in range(len(theta)):
        shift = np.zeros_like(theta)
        shift[i] = step
        grad[i] = (f(theta + shift) - f(theta - shift)) / (2 * step)
    return grad


@pytest.mark.parametrize("mean", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(
    "scale", [1.0, 400.0]
)  # 400: terms beyond exp's range, the log-sum-exp branch
def test_gradient_matches_finite_differences(mean, weighted, scale):
    rng = np.random.default_rng(0)
    data = logs(*synthetic_runs(rng))
    weights = rng.integers(0, 3, len(data[0])).astype(float) if weighted else None
    theta = TRUE_THETA + rng.normal(0, 0.05, 5)
    theta[:3] *= scale
    delta = 0.05  # large enough that both branches of the Huber loss are exercised
    value, grad = chinchilla_objective(theta, *data, delta=delta, mean=mean, weights=weights)

    def scalar(t):
        return chinchilla_objective(t, *data, delta=delta, mean=mean, weights=weights)[0][0]

    expected = numerical_gradient(scalar, theta, step=1e-6 * scale)
    np.testing.assert_allclose(grad[0], expected, rtol=1e-5, atol=1e-8 * np.abs(expected).max())
    assert np.isfinite(value).all()


def test_objective_is_batched_and_matches_a_plain_expression():
    rng = np.random.default_rng(1)
    N, D, loss = synthetic_runs(rng)
    thetas = TRUE_THETA + rng.normal(0, 0.2, (7, 5))
    values, grads = chinchilla_objective(thetas, *logs(N, D, loss))
    assert values.shape == (7,) and grads.shape == (7, 5)
    for theta, value in zip(thetas, values):
        a, b, e, alpha, beta = theta
        residual = np.log(loss) - np.log(np.exp(a) * N**-alpha + np.exp(b) * D**-beta + np.exp(e))
        huber = np.where(
            np.abs(residual) <= 1e-3, 0.5 * residual**2, 1e-3 * (np.abs(residual) - 0.5e-3)
        )
        assert value == pytest.approx(huber.sum(), rel=1e-12)


def test_hoffmann_grid_has_4500_starts_on_the_published_ranges():
    grid = hoffmann_grid()
    assert grid.shape == (4500, 5)
    for column, values in zip(
        grid.T,
        ([0, 5, 10, 15, 20, 25],) * 2 + ([-1, -0.5, 0, 0.5, 1],) + ([0, 0.5, 1, 1.5, 2],) * 2,
    ):
        np.testing.assert_array_equal(np.unique(column), values)


def test_variable_projection_recovers_linear_coefficients_at_the_true_exponents():
    rng = np.random.default_rng(2)
    N, D, loss = synthetic_runs(rng, noise=0.0)
    law = BESIROGLU_2024
    starts = variable_projection_starts(
        N, D, loss, exponents=np.array([0.2, law.alpha, law.beta, 0.6])
    )
    at_truth = starts[(starts[:, 3] == law.alpha) & (starts[:, 4] == law.beta)][0]
    np.testing.assert_allclose(at_truth, TRUE_THETA, rtol=1e-8)


def test_fit_recovers_a_law_from_noise_free_runs():
    N, D, loss = synthetic_runs(np.random.default_rng(3), noise=0.0)
    fit = fit_chinchilla(N, D, loss)
    assert fit.converged
    assert fit.objective < 1e-20
    np.testing.assert_allclose(fit.theta, TRUE_THETA, rtol=1e-6)


def test_default_search_is_at_least_as_good_as_per_start_lbfgsb_over_grid_starts():
    N, D, loss = synthetic_runs(np.random.default_rng(4))
    fit = fit_chinchilla(N, D, loss)
    grid = hoffmann_grid()[
        np.random.default_rng(0).choice(4500, 15, replace=False)
    ]  # each run by L-BFGS-B
    plain = fit_chinchilla(N, D, loss, starts=grid, tol=2.2e-9)
    assert plain.n_refined == len(grid)
    assert fit.objective <= plain.objective * (1 + 1e-9)


def test_explicit_start_is_exactly_one_lbfgsb_run():
    N, D, loss = synthetic_runs(np.random.default_rng(5))
    start = TRUE_THETA + 0.1
    fit = fit_chinchilla(N, D, loss, starts=start, tol=2.2e-9)
    data = logs(N, D, loss)

    def objective(t):
        value, grad = chinchilla_objective(t, *data)
        return value[0], grad[0]

    direct = minimize(
        objective,
        start,
        jac=True,
        method="L-BFGS-B",
        options={"ftol": 2.2e-9, "gtol": 2.2e-12, "maxiter": 10_000},
    )
    np.testing.assert_array_equal(fit.theta, direct.x)
    assert fit.n_iterations == direct.nit


def test_mean_objective_keeps_scipys_early_stop_on_a_tiny_loss_scale():
    # Besiroglu et al.'s loss-scale finding: the mean of Huber terms is so small that L-BFGS-B at
    # its default tolerances stops within a few iterations of Hoffmann's values; summed, it travels
    # far.
    N, D, loss = synthetic_runs(np.random.default_rng(6), n=240)
    start = theta_from_law(HOFFMANN_2022_UNROUNDED)
    mean = fit_chinchilla(N, D, loss, reduction="mean", starts=start, tol=2.2e-9)
    summed = fit_chinchilla(N, D, loss, starts=start, tol=2.2e-9)
    assert mean.n_iterations < summed.n_iterations
    assert np.abs(mean.theta - start).max() < np.abs(summed.theta - start).max()


def test_minimize_batch_solves_independent_problems_at_once():
    targets = np.array([[1.0, -2.0], [3.0, 0.5], [-1.0, 4.0]])
    scales = np.array([[1.0, 100.0], [10.0, 1.0], [0.1, 5.0]])

    def fun(x, rows):
        diff = x - targets[rows]
        return (scales[rows] * diff**2).sum(axis=1) + (
            x[:, 0] * x[:, 1] - targets[rows, 0] * targets[rows, 1]
        ) ** 2, (
            2 * scales[rows] * diff
            + 2 * (x[:, 0] * x[:, 1] - targets[rows, 0] * targets[rows, 1])[:, None] * x[:, ::-1]
        )

    result = minimize_batch(fun, np.zeros((3, 2)), ftol=1e-15, gtol=1e-10)
    assert result.converged.all()
    np.testing.assert_allclose(result.x, targets, atol=1e-6)
    assert (result.n_iterations > 0).all()


def test_minimize_batch_reports_problems_that_run_out_of_iterations():
    def rosenbrock(x, rows):
        a, b = x[:, 0], x[:, 1]
        value = (1 - a) ** 2 + 100 * (b - a**2) ** 2
        grad = np.stack([-2 * (1 - a) - 400 * a * (b - a**2), 200 * (b - a**2)], axis=1)
        return value, grad

    short = minimize_batch(rosenbrock, [[-1.2, 1.0]], max_iterations=3)
    assert not short.converged[0] and short.n_iterations[0] == 3
    full = minimize_batch(rosenbrock, [[-1.2, 1.0], [2.0, 2.0]], ftol=1e-15, gtol=1e-9)
    np.testing.assert_allclose(full.x, 1.0, atol=1e-5)


def test_inverse_hessian_of_a_quadratic_is_exact_and_refuses_a_saddle():
    matrix = np.array([[4.0, 1.0], [1.0, 3.0]])

    def quadratic(x, rows):
        return 0.5 * np.einsum("ki,ij,kj->k", x, matrix, x), x @ matrix

    np.testing.assert_allclose(
        inverse_hessian_at(quadratic, [0.3, -0.2]), np.linalg.inv(matrix), rtol=1e-6
    )
    saddle = np.diag([1.0, -1.0])
    assert (
        inverse_hessian_at(
            lambda x, rows: (0.5 * np.einsum("ki,ij,kj->k", x, saddle, x), x @ saddle), [0.0, 0.0]
        )
        is None
    )


GOOD = (
    np.array([1e8, 2e8, 4e8, 8e8, 1.6e9]),
    np.array([2e9, 8e9, 4e9, 3e10, 2e10]),
    np.array([3.2, 3.0, 2.9, 2.7, 2.6]),
)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"N": GOOD[0][:4]}, "same length"),
        ({"N": GOOD[0][:4], "D": GOOD[1][:4], "loss": GOOD[2][:4]}, "at least 5 runs"),
        ({"loss": np.array([3.2, np.nan, 2.9, 2.7, 2.6])}, "loss must be finite"),
        ({"D": -GOOD[1]}, "D must be finite and > 0"),
        ({"N": np.full(5, 1e8)}, "N is the same in every run up to rounding"),
        ({"D": np.full(5, 1e10)}, "D is the same in every run up to rounding"),
        # A fixed-D sweep computed in floating point: D differs only in its last bits.
        (
            {"D": 2e9 * (1 + np.array([1, -1, 0, 1, -1]) * 1e-16)},
            "D is the same in every run up to",
        ),
        ({"loss": np.full(5, 3.0)}, "same"),
        ({"N": ["a", "b", "c", "d", "e"]}, "N must be numeric"),
    ],
)
def test_degenerate_runs_are_refused_with_a_clear_message(change, message):
    runs = dict(zip(("N", "D", "loss"), GOOD)) | change
    with pytest.raises(ValueError, match=message):
        fit_chinchilla(runs["N"], runs["D"], runs["loss"])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"reduction": "median"}, "reduction"),
        ({"delta": 0.0}, "delta"),
        ({"starts": np.zeros((3, 4))}, "starts"),
        ({"starts": np.array([np.nan] * 5)}, "starts"),
        ({"refine": 0}, "refine"),
    ],
)
def test_bad_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        fit_chinchilla(*GOOD, **options)


def test_losses_rising_with_model_size_give_a_clear_error():
    N, D, _ = synthetic_runs(np.random.default_rng(7))
    rising = 2.0 + 1e-3 * N**0.3 + 50 * D**-0.3
    with pytest.raises(ValueError, match="exponent"):
        fit_chinchilla(N, D, rising)


def test_validate_runs_accepts_lists_and_pandas():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"N": GOOD[0], "D": GOOD[1], "loss": GOOD[2]})
    for got, expected in zip(validate_runs(frame["N"], list(GOOD[1]), tuple(GOOD[2])), GOOD):
        np.testing.assert_array_equal(got, expected)


@settings(max_examples=12, deadline=None, derandomize=True, database=None)
@given(
    E=st.floats(1.0, 3.0),
    A=st.floats(50.0, 5000.0),
    B=st.floats(50.0, 20000.0),
    alpha=st.floats(0.15, 0.8),
    beta=st.floats(0.15, 0.8),
)
def test_fit_recovers_any_law_from_its_own_noise_free_losses(E, A, B, alpha, beta):
    """Any law whose two terms both matter over the runs (each at least 2 % of E at the smallest N
    or D; a term far below that leaves its coefficient and exponent undetermined) is recovered."""
    law = ChinchillaLaw(E=E, A=A, B=B, alpha=alpha, beta=beta)
    N, ratio = (g.ravel() for g in np.meshgrid(np.geomspace(1e7, 1e10, 7), np.geomspace(1, 300, 6)))
    D = N * ratio
    assume(A * N.min() ** -alpha >= 0.02 * E and B * D.min() ** -beta >= 0.02 * E)
    fit = fit_chinchilla(N, D, law.loss(N, D))
    for name in ("E", "A", "B", "alpha", "beta"):
        assert getattr(fit.law, name) == pytest.approx(getattr(law, name), rel=1e-4), name
