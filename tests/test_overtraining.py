"""The over-training and downstream laws of Gadre et al. (2024) and their least-squares fits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scaling_core.papers.gadre2024 import (
    DownstreamLaw,
    OvertrainingLaw,
    downstream_residuals,
    fit_downstream_law,
    fit_overtraining_law,
    fit_parallel_power_laws,
    gadre2024_starts,
    overtraining_residuals,
)

LAW = OvertrainingLaw(E=1.84, a=212.0, b=367.0, eta=0.136)
ERR = DownstreamLaw(epsilon=0.857, k=2.21, gamma=0.715)


def finite_difference_jacobian(function, theta: np.ndarray, step: float = 1e-6) -> np.ndarray:
    base = function(theta[None, :])[0][0]
    columns = []
    for i in range(len(theta)):
        shifted = theta.copy()
        h = step * max(1.0, abs(theta[i]))
        shifted[i] += h
        columns.append((function(shifted[None, :])[0][0] - base) / h)
    return np.column_stack(columns)


# --- the laws ---------------------------------------------------------------------------------


def test_loss_is_the_paper_formula_and_broadcasts():
    C = np.array([[1e18], [1e21]])
    M = np.array([5.0, 20.0, 640.0])
    expected = LAW.E + (LAW.a * M**LAW.eta + LAW.b * M**-LAW.eta) * C**-LAW.eta
    assert LAW.loss(C, M).shape == (2, 3)
    np.testing.assert_allclose(LAW.loss(C, M), expected, rtol=1e-14)


def test_code_form_is_the_same_law():
    alpha, beta, c, E = 166.2, 366.7, -0.2729, 1.8366
    law = OvertrainingLaw.from_code_form(alpha, beta, c, E)
    N, M = np.array([1e7, 1.4e9, 6.9e9]), np.array([320.0, 640.0, 20.0])
    code = E + alpha * N**c + beta * 6 ** (c / 2) * (M * N) ** c
    np.testing.assert_allclose(law.loss_of_size(N, M), code, rtol=1e-13)
    np.testing.assert_allclose(law.code_form(), (alpha, beta, c, E), rtol=1e-13)
    assert law.b == beta  # the M^(−η) coefficient needs no 6^η factor


def test_loss_of_size_uses_c_equal_6_m_n_squared():
    N, M = 4e8, 80.0
    assert LAW.loss_of_size(N, M) == pytest.approx(LAW.loss(6 * N * (M * N), M), rel=1e-14)


def test_optimal_multiplier_minimises_the_scale():
    m_star = LAW.optimal_multiplier()
    grid = np.geomspace(m_star / 3, m_star * 3, 2001)
    assert grid[np.argmin(LAW.scale(grid))] == pytest.approx(m_star, rel=2e-3)
    with pytest.raises(ValueError, match="a > 0 and b > 0"):
        OvertrainingLaw(E=1.0, a=-1.0, b=1.0, eta=0.1).optimal_multiplier()


def test_downstream_law_and_its_inverse():
    loss = np.linspace(2.3, 6.0, 7)
    np.testing.assert_allclose(
        ERR.error(loss), ERR.epsilon - ERR.k * np.exp(-ERR.gamma * loss), rtol=1e-14
    )
    np.testing.assert_allclose(ERR.loss_for_error(ERR.error(loss)), loss, rtol=1e-12)
    with pytest.raises(ValueError, match="error must lie strictly between"):
        ERR.loss_for_error(0.9)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: LAW.loss(-1.0, 20.0), r"C \(training FLOP\) must be finite and > 0"),
        (lambda: LAW.loss(1e20, 0.0), r"M \(tokens per parameter\) must be finite and > 0"),
        (lambda: LAW.loss(np.nan, 20.0), r"C \(training FLOP\)"),
        (lambda: LAW.loss_of_size(0.0, 20.0), r"N \(parameters\)"),
        (lambda: ERR.error(-2.0), "loss must be finite and > 0"),
        (lambda: OvertrainingLaw(E=1.0, a=1.0, b=1.0, eta=0.0), "eta must be > 0"),
        (
            lambda: OvertrainingLaw(E=np.nan, a=1.0, b=1.0, eta=0.1),
            "OvertrainingLaw.E must be finite",
        ),
        (lambda: DownstreamLaw(epsilon=1.0, k=np.inf, gamma=1.0), "DownstreamLaw.k must be finite"),
    ],
)
def test_bad_input_is_refused_by_name(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- the solver and the Jacobians -------------------------------------------------------------


def test_overtraining_jacobian_matches_finite_differences():
    C, M = np.array([1e16, 1e18, 3e19, 1e21]), np.array([20.0, 320.0, 20.0, 640.0])
    evaluate = overtraining_residuals(C, M, LAW.loss(C, M) + 0.01)
    theta = np.array([LAW.E, LAW.a, LAW.b, LAW.eta])
    analytic = evaluate(theta[None, :])[1][0]
    np.testing.assert_allclose(
        analytic, finite_difference_jacobian(evaluate, theta), rtol=1e-4, atol=1e-9
    )


def test_downstream_jacobian_matches_finite_differences():
    loss = np.linspace(2.5, 5.5, 6)
    evaluate = downstream_residuals(loss, ERR.error(loss) + 0.003)
    theta = np.array([ERR.epsilon, ERR.k, ERR.gamma])
    analytic = evaluate(theta[None, :])[1][0]
    np.testing.assert_allclose(
        analytic, finite_difference_jacobian(evaluate, theta), rtol=1e-5, atol=1e-10
    )


# --- the fits ---------------------------------------------------------------------------------


def test_gadre2024_starts_are_the_authors_grid_in_paper_form():
    starts = gadre2024_starts()
    assert starts.shape == (128, 4)
    assert sorted(set(starts[:, 3])) == pytest.approx([0.05, 0.15])
    assert sorted(set(starts[:, 0])) == [0.0, 1.0, 2.0, 10.0]
    # α = 100 at c = −0.1 becomes a = 100·6^0.05; β carries over as b
    assert np.any(np.all(np.isclose(starts, [0.0, 100 * 6**0.05, 100.0, 0.05]), axis=1))


def test_fit_recovers_a_known_law_from_exact_data():
    N = np.repeat([1e7, 8e7, 1.5e8, 4e8], 3)
    M = np.tile([10.0, 40.0, 320.0], 4)
    C = 6 * M * N**2
    fit = fit_overtraining_law(C, M, LAW.loss(C, M))
    np.testing.assert_allclose(fit.params, [LAW.E, LAW.a, LAW.b, LAW.eta], rtol=1e-6)
    assert fit.objective < 1e-20
    assert fit.n_starts == 128


def test_fit_recovers_a_known_law_on_the_papers_five_run_design():
    N = np.array([1.06e7, 7.9e7, 1.54e8, 4.12e8, 1.06e7])
    M = np.array([20.0, 20.0, 20.0, 20.0, 320.0])
    C = 6 * M * N**2
    rng = np.random.default_rng(1)
    loss = LAW.loss(C, M) + rng.normal(scale=0.002, size=5)
    fit = fit_overtraining_law(C, M, loss)
    # five runs, four constants: the fit leaves one degree of freedom, so it is close, not exact
    assert fit.law.eta == pytest.approx(LAW.eta, rel=0.1)
    assert fit.objective <= np.sum((LAW.loss(C, M) - loss) ** 2)


def test_fit_overtraining_law_refuses_bad_input():
    C, M, L = (
        np.array([1e17, 1e18, 1e19, 1e20]),
        np.array([20.0, 20.0, 320.0, 20.0]),
        np.array([4.0, 3.5, 3.2, 3.0]),
    )
    with pytest.raises(ValueError, match="C, M, loss must have the same length"):
        fit_overtraining_law(C, M[:3], L)
    with pytest.raises(ValueError, match="at least 4 runs"):
        fit_overtraining_law(C[:3], M[:3], L[:3])
    with pytest.raises(ValueError, match="loss must be finite and > 0"):
        fit_overtraining_law(C, M, np.array([4.0, np.nan, 3.2, 3.0]))
    with pytest.raises(ValueError, match=r"starts must have shape \(k, 4\)"):
        fit_overtraining_law(C, M, L, starts=np.ones((3, 3)))


def test_fit_downstream_law_recovers_a_known_law_from_one_start_and_from_the_grid():
    loss = np.array([5.4, 4.6, 3.9, 3.5, 3.15, 2.77])
    error = ERR.error(loss)
    for starts in (None, [[1.0, 1.0, 1.0]]):
        fit = fit_downstream_law(loss, error, starts=starts)
        np.testing.assert_allclose(fit.params, [ERR.epsilon, ERR.k, ERR.gamma], rtol=1e-6)
    with pytest.raises(ValueError, match="at least 3 runs"):
        fit_downstream_law(loss[:2], error[:2])
    with pytest.raises(ValueError, match=r"starts must have shape \(k, 3\)"):
        fit_downstream_law(loss, error, starts=np.ones((2, 4)))


def test_parallel_power_laws_recover_shared_floor_and_exponents():
    E, scales, etas = 1.6, np.array([300.0, 500.0, 800.0]), np.array([0.10, 0.12, 0.14])
    groups = np.repeat([5.0, 20.0, 640.0], 5)
    C = np.tile(np.geomspace(1e16, 1e21, 5), 3)
    g = np.repeat(np.arange(3), 5)
    rng = np.random.default_rng(2)
    loss = E + scales[g] * C ** -etas[g] + rng.normal(scale=1e-4, size=len(C))
    fit = fit_parallel_power_laws(C, groups, loss)
    assert fit.E == pytest.approx(E, abs=0.05)
    np.testing.assert_allclose(fit.exponents, etas, atol=0.005)
    assert np.all((fit.intervals[:, 0] <= fit.exponents) & (fit.exponents <= fit.intervals[:, 1]))
    assert fit.dof == len(C) - 7
    assert fit.loss(1e18, 20.0) == pytest.approx(E + 500.0 * 1e18**-0.12, rel=1e-3)
    with pytest.raises(ValueError, match="group must be one of"):
        fit.loss(1e18, 7.0)


def test_parallel_power_laws_refuse_groups_without_two_computes():
    with pytest.raises(ValueError, match="needs at least two runs of different compute"):
        fit_parallel_power_laws(
            [1e17, 1e18, 1e19, 1e19], [5.0, 5.0, 20.0, 20.0], [4.0, 3.5, 3.0, 3.0]
        )
    with pytest.raises(ValueError, match="group must have one entry per run"):
        fit_parallel_power_laws([1e17, 1e18], [5.0], [4.0, 3.5])


def test_fitting_sets_are_the_authors_runs_of_the_given_frame():
    from scaling_core.papers.gadre2024 import error_fit_runs, loss_fit_runs

    runs = pd.DataFrame(
        {
            "model": ["0.011B", "0.011B", "0.079B", "0.154B", "0.411B", "1.4B", "1.4B", "6.9B"],
            "M": [20, 320, 20, 20, 20, 20, 640, 20],
        }
    )
    assert loss_fit_runs(runs).index.tolist() == [0, 1, 2, 3, 4]
    assert error_fit_runs(runs).index.tolist() == [0, 1, 2, 3, 4, 5]
    assert loss_fit_runs(runs, models=["0.079B"], extra=("1.4B", 640)).index.tolist() == [2, 6]
    with pytest.raises(ValueError, match="missing \\['M'\\]"):
        loss_fit_runs(runs[["model"]])
