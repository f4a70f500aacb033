"""The annealing law (Tissue et al. 2024), its fit, and the multi-power law (Luo et al. 2025)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scaling_core.papers.luo2025 import MPL_LUO_2025, MultiPowerLaw
from scaling_core.papers.tissue2024 import (
    AnnealingLaw,
    annealing_objective,
    fit_annealing_law,
    prediction_errors,
)
from scaling_core.schedules import (
    WSD,
    Constant,
    Cosine,
    MultiStage,
    Warmup,
    annealing_areas,
    learning_rates,
)

TRUE_LAW = AnnealingLaw(L0=2.4, A=0.6, alpha=0.5, C=0.55)


def curves_of(law: AnnealingLaw, schedules, total: int = 12_000, every: int = 100):
    """(S1, S2, loss) sampled every `every` steps after a 1,000-step warmup, pooled over
    schedules."""
    steps = np.arange(1_000, total, every)
    parts = []
    for schedule in schedules:
        areas = annealing_areas(learning_rates(Warmup(1_000, schedule), total), law.lam)
        parts.append((areas.S1[steps], areas.S2[steps]))
    S1 = np.concatenate([p[0] for p in parts])
    S2 = np.concatenate([p[1] for p in parts])
    return S1, S2, law.loss(S1, S2)


def test_loss_is_the_formula() -> None:
    np.testing.assert_allclose(TRUE_LAW.loss(4.0, 0.1), 2.4 + 0.6 * 4.0**-0.5 - 0.55 * 0.1)


def test_loss_curve_reads_the_areas_at_the_requested_steps() -> None:
    lr = learning_rates(Warmup(10, Cosine(1e-3, 1e-4, 10, 90)), 100)
    areas = annealing_areas(lr, TRUE_LAW.lam)
    steps = np.array([10, 50, 99])
    np.testing.assert_allclose(
        TRUE_LAW.loss_curve(lr, steps), TRUE_LAW.loss(areas.S1[steps], areas.S2[steps])
    )
    with pytest.raises(ValueError, match="steps"):
        TRUE_LAW.loss_curve(lr, np.array([100]))
    with pytest.raises(ValueError, match="integer"):
        TRUE_LAW.loss_curve(lr, np.array([1.5]))


@pytest.mark.parametrize(
    ("field", "value"), [("L0", -1.0), ("A", 0.0), ("alpha", np.nan), ("C", np.inf), ("lam", 1.0)]
)
def test_bad_constants_are_refused_by_name(field: str, value: float) -> None:
    constants = {"L0": 2.0, "A": 0.5, "alpha": 0.5, "C": 0.5, "lam": 0.999} | {field: value}
    with pytest.raises(ValueError, match=field):
        AnnealingLaw(**constants)


def test_objective_gradient_matches_finite_differences() -> None:
    S1, S2, loss = curves_of(TRUE_LAW, [Cosine(3e-4, 3e-5, 1_000, 11_000), Constant(3e-4)])
    noisy = loss * np.exp(np.random.default_rng(0).normal(0, 3e-3, loss.shape))
    theta = np.array([2.3, np.log(0.7), 0.45, 0.4])
    _, grad = annealing_objective(theta, S1, S2, np.log(noisy))
    step = 1e-6
    numeric = [
        (
            annealing_objective(theta + step * e, S1, S2, np.log(noisy))[0]
            - annealing_objective(theta - step * e, S1, S2, np.log(noisy))[0]
        )
        / (2 * step)
        for e in np.eye(4)
    ]
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-9)


@settings(max_examples=15, deadline=None)
@given(
    L0=st.floats(1.5, 3.5),
    A=st.floats(0.2, 1.5),
    alpha=st.floats(0.2, 1.0),
    C=st.floats(0.1, 1.0),
)
def test_fit_recovers_the_law_the_curves_were_drawn_from(
    L0: float, A: float, alpha: float, C: float
) -> None:
    law = AnnealingLaw(L0=L0, A=A, alpha=alpha, C=C)
    S1, S2, loss = curves_of(law, [Cosine(3e-4, 3e-5, 1_000, 11_000), Constant(3e-4)])
    fitted = fit_annealing_law(S1, S2, loss).law
    np.testing.assert_allclose(
        [fitted.L0, fitted.A, fitted.alpha, fitted.C], [L0, A, alpha, C], rtol=1e-4
    )


def test_fit_on_noisy_curves_predicts_an_unseen_schedule() -> None:
    rng = np.random.default_rng(7)
    S1, S2, loss = curves_of(TRUE_LAW, [Cosine(3e-4, 3e-5, 1_000, 11_000), Constant(3e-4)])
    fit = fit_annealing_law(S1, S2, loss * np.exp(rng.normal(0, 2e-3, loss.shape)))
    assert fit.converged and fit.objective == fit.objective_by_start.min()
    unseen = curves_of(TRUE_LAW, [WSD(3e-4, 3e-5, 9_000, 3_000, "linear")])
    errors = prediction_errors(unseen[2], fit.law.loss(unseen[0], unseen[1]))
    assert errors["worst"] < 2e-3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([1.0, 2.0], [0.0], [3.0, 3.0]), "same length"),
        (([1.0, 2.0, 3.0], [0.0] * 3, [3.0] * 3), "at least 4"),
        (([1.0, 2.0, 3.0, -4.0], [0.0] * 4, [3.0] * 4), "S1"),
        (([1.0, 2.0, 3.0, 4.0], [0.0] * 4, [3.0, 3.0, np.nan, 3.0]), "loss"),
        (([1.0, 2.0, 3.0, 4.0], [0.0, 0.0, np.inf, 0.0], [3.0] * 4), "S2"),
    ],
)
def test_fit_refuses_bad_input(args, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fit_annealing_law(*args)


def test_multi_power_law_under_a_constant_schedule_is_a_power_law_in_the_area() -> None:
    law = MPL_LUO_2025["400M"]
    lr = learning_rates(Constant(3e-4), 5_000)
    steps = np.array([0, 999, 4_999])
    np.testing.assert_allclose(
        law.loss_curve(lr, steps), law.L0 + law.A * (3e-4 * (steps + 1)) ** -law.alpha
    )


def test_multi_power_law_single_drop_has_its_closed_form() -> None:
    law = MultiPowerLaw(L0=2.0, A=0.5, alpha=0.5, B=400.0, C=2.0, beta=0.6, gamma=0.6)
    high, low, at = 3e-4, 1e-4, 1_000
    lr = learning_rates(MultiStage((at,), (high, low)), 3_000)
    steps = np.array([at - 1, at, 2_999])
    area_after = low * (steps - at + 1)  # S_k(t) for the drop at k = at
    G = np.where(steps >= at, 1 - (law.C * low**-law.gamma * area_after + 1) ** -law.beta, 0.0)
    expected = law.L0 + law.A * np.cumsum(lr)[steps] ** -law.alpha - law.B * (high - low) * G
    np.testing.assert_allclose(law.loss_curve(lr, steps), expected, rtol=1e-12)


def test_multi_power_law_block_size_and_warmup_convention() -> None:
    law = MPL_LUO_2025["25M"]
    lr = learning_rates(Warmup(200, Cosine(3e-4, 3e-5, 200, 1_800)), 2_000)
    steps = np.arange(200, 2_000, 7)
    np.testing.assert_allclose(
        law.loss_curve(lr, steps, block=5), law.loss_curve(lr, steps, block=1_000), rtol=1e-13
    )
    every_step = law.loss_curve(lr, steps)
    after_warmup = law.loss_curve(lr, steps, anneal_from=200)
    assert np.all(
        every_step > after_warmup
    )  # the warmup's rise counts as a negative drop: a higher loss
    with pytest.raises(ValueError, match="anneal_from"):
        law.loss_curve(lr, steps, anneal_from=0)
    with pytest.raises(ValueError, match="lr must be > 0"):
        law.loss_curve(np.zeros(10), np.array([5]), anneal_from=1)


def test_prediction_errors() -> None:
    errors = prediction_errors([2.0, 4.0], [2.2, 4.0])
    assert errors["mean"] == pytest.approx(0.05) and errors["worst"] == pytest.approx(0.1)
    assert errors["r2"] == pytest.approx(1 - 0.04 / 2.0)
    with pytest.raises(ValueError, match="same shape"):
        prediction_errors([2.0, 4.0], [2.0])


def test_curve_points_read_the_areas_at_the_logged_steps_and_pool_in_order() -> None:
    import pandas as pd

    from scaling_core.papers.tissue2024 import curve_points, pooled_points
    from scaling_core.schedules import annealing_areas

    rates = {"flat": np.full(10, 1e-3), "decay": np.linspace(1e-3, 1e-4, 10)}
    curves = pd.DataFrame(
        {
            "size": ["S"] * 4,
            "schedule": ["flat", "flat", "decay", "decay"],
            "step": [3, 9, 4, 8],
            "loss": [3.0, 2.9, 3.1, 2.8],
        }
    )
    points = curve_points(curves, "S", rates, lam=0.99)
    areas = annealing_areas(rates["decay"], 0.99)
    np.testing.assert_array_equal(points["decay"]["S1"], areas.S1[[4, 8]])
    np.testing.assert_array_equal(points["decay"]["S2"], areas.S2[[4, 8]])
    S1, S2, loss = pooled_points(points, ["decay", "flat"])
    np.testing.assert_array_equal(loss, [3.1, 2.8, 3.0, 2.9])
    with pytest.raises(ValueError, match="no curve of size 'M'"):
        curve_points(curves, "M", rates)
    with pytest.raises(ValueError, match="no points for the curves \\['cosine'\\]"):
        pooled_points(points, ["cosine"])


def test_objective_refuses_an_overflowing_prediction_quietly() -> None:
    """A line search's trial step can send A·S1^(−α) past float range: the objective is +inf
    there with a zero gradient (a step to step back from), not NaN, and numpy says nothing."""
    S1, S2, log_loss = np.array([1e-3, 1e-2]), np.array([0.0, 0.0]), np.log([3.0, 2.9])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value, grad = annealing_objective(np.array([2.0, 700.0, 5.0, 0.0]), S1, S2, log_loss)
    assert value == np.inf
    np.testing.assert_array_equal(grad, 0.0)
