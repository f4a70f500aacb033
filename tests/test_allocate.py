"""scaling_core.allocate: the Chinchilla-style model of a loss and Sardana et al.'s
inference-aware optimum."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from scaling_core.allocate import (
    compute_optimal_for_loss,
    compute_optimal_tokens,
    inference_demand_for_size,
    inference_optimal,
    total_flops,
)
from scaling_core.laws import BESIROGLU_2024, HOFFMANN_2022, SARDANA_2024, ChinchillaLaw

# The constants Sardana et al.'s repository uses by default (Hoffmann's approach 3, exponents to 3
# digits).
SARDANA = SARDANA_2024


def tokens_for_loss(law: ChinchillaLaw, N: np.ndarray, loss: float) -> np.ndarray:
    return (law.B / (loss - law.E - law.A * N**-law.alpha)) ** (1 / law.beta)


def brute_force_optimum(law: ChinchillaLaw, loss: float, demand: float) -> float:
    """N minimising lifetime FLOPs along the iso-loss curve, by a bounded scalar search (no
    calculus)."""
    log_n_min = np.log(law.A / (loss - law.E)) / law.alpha
    N_c = float(compute_optimal_for_loss(law, loss)[0])

    def cost(x):
        return float(np.log(total_flops(np.exp(x), tokens_for_loss(law, np.exp(x), loss), demand)))

    return float(
        np.exp(
            minimize_scalar(
                cost,
                bounds=(log_n_min + 1e-6, np.log(N_c) + 1),
                method="bounded",
                options={"xatol": 1e-12},
            ).x
        )
    )


@pytest.mark.parametrize("law", [SARDANA, HOFFMANN_2022, BESIROGLU_2024])
def test_chinchilla_style_model_of_a_loss_is_compute_optimal(law: ChinchillaLaw) -> None:
    loss = np.array([1.95, 2.1, 2.6])
    N, D = compute_optimal_for_loss(law, loss)
    assert law.loss(N, D) == pytest.approx(loss, rel=1e-13)
    N_opt, D_opt = law.compute_optimal(6 * N * D)
    assert N == pytest.approx(N_opt, rel=1e-10)
    assert D == pytest.approx(D_opt, rel=1e-10)
    assert compute_optimal_tokens(law, N) == pytest.approx(D, rel=1e-12)


def test_readme_worked_example() -> None:
    # Sardana et al.'s repository README: `compute_optimal.py --loss 1.947 --inference_tokens 2e12`.
    N, D = inference_optimal(SARDANA, 1.947, 2e12)
    N_c, D_c = compute_optimal_for_loss(SARDANA, 1.947)
    assert round(float(N) / 1e10, 3) == 2.418
    assert round(float(D) / 1e12, 3) == 2.657
    assert round(100 * float(N / N_c), 2) == 70.96
    assert round(100 * float(D / D_c), 2) == 146.77
    assert round(100 * float(total_flops(N, D, 2e12) / total_flops(N_c, D_c, 2e12)), 2) == 95.22


def test_the_readme_loss_is_the_rounded_loss_of_70b_on_1t_tokens() -> None:
    exact = float(SARDANA.loss(70e9, 1e12))
    assert round(exact, 3) == 1.947
    N_exact, _ = inference_optimal(SARDANA, exact, 2e12)
    N_rounded, _ = inference_optimal(SARDANA, 1.947, 2e12)
    assert round(float(N_exact) / 1e10, 3) != 2.418  # the printed digits need the rounded input
    assert 0 < np.log(N_rounded / N_exact) < 0.005
    # The Chinchilla-style size obeys d ln N_c / dℓ = −1 / (α(ℓ − E)) exactly.
    N_c_exact, _ = compute_optimal_for_loss(SARDANA, exact)
    N_c_rounded, _ = compute_optimal_for_loss(SARDANA, 1.947)
    expected = np.log((exact - SARDANA.E) / (1.947 - SARDANA.E)) / SARDANA.alpha
    assert np.log(N_c_rounded / N_c_exact) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("demand", [1e9, 2e12, 1e14, 1e18])
@pytest.mark.parametrize("loss", [1.9, 2.05, 3.0])
def test_optimum_matches_a_brute_force_search(loss: float, demand: float) -> None:
    N, D = inference_optimal(SARDANA, loss, demand)
    assert float(N) == pytest.approx(brute_force_optimum(SARDANA, loss, demand), rel=1e-5)
    assert SARDANA.loss(N, D) == pytest.approx(loss, rel=1e-13)


def test_zero_demand_is_the_chinchilla_style_model() -> None:
    loss = np.linspace(1.8, 3.5, 7)
    N, D = inference_optimal(HOFFMANN_2022, loss, 0.0)
    N_c, D_c = compute_optimal_for_loss(HOFFMANN_2022, loss)
    assert N == pytest.approx(N_c, rel=1e-12)
    assert D == pytest.approx(D_c, rel=1e-12)


def test_broadcasting_and_monotonicity() -> None:
    loss = np.array([1.9, 2.0, 2.5])[:, None]
    demand = np.logspace(8, 16, 9)[None, :]
    N, D = inference_optimal(SARDANA, loss, demand)
    assert N.shape == D.shape == (3, 9)
    assert np.all(np.diff(N, axis=1) < 0) and np.all(np.diff(D, axis=1) > 0)
    assert np.all(np.diff(N, axis=0) < 0)  # a worse loss needs a smaller model


def test_extreme_demands_converge() -> None:
    loss = np.linspace(1.7, 10, 40)[:, None]
    demand = np.r_[0, np.logspace(0, 30, 31)][None, :]
    N, D = inference_optimal(SARDANA, loss, demand)
    assert np.all(np.isfinite(N)) and np.all(np.isfinite(D))
    assert SARDANA.loss(N, D) == pytest.approx(np.broadcast_to(loss, N.shape), rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    alpha=st.floats(0.1, 0.8),
    beta=st.floats(0.1, 0.8),
    excess=st.floats(0.05, 2.0),
    log_demand=st.floats(6, 20),
    shift=st.floats(-0.3, 0.3).filter(lambda s: abs(s) > 1e-3),
)
def test_no_neighbour_on_the_iso_loss_curve_is_cheaper(
    alpha: float, beta: float, excess: float, log_demand: float, shift: float
) -> None:
    law = ChinchillaLaw(E=1.7, A=400.0, B=400.0, alpha=alpha, beta=beta)
    loss, demand = law.E + excess, 10**log_demand
    N, D = inference_optimal(law, loss, demand)
    neighbour = N * np.exp(shift)
    if law.A * neighbour**-law.alpha >= excess:  # this neighbour cannot reach the loss at all
        return
    best = total_flops(N, D, demand)
    assert total_flops(neighbour, tokens_for_loss(law, neighbour, loss), demand) >= best * (
        1 - 1e-12
    )


def test_demand_for_size_inverts_the_optimum() -> None:
    loss = np.array([1.9, 2.05, 2.4])[:, None]
    demand = np.logspace(9, 16, 8)[None, :]
    N, _ = inference_optimal(SARDANA, loss, demand)
    assert inference_demand_for_size(SARDANA, loss, N) == pytest.approx(
        np.broadcast_to(demand, N.shape), rel=1e-6
    )
    N_c, _ = compute_optimal_for_loss(SARDANA, 2.0)
    assert float(inference_demand_for_size(SARDANA, 2.0, N_c)) == pytest.approx(
        0.0, abs=1e-3 * 1e12
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: inference_optimal(SARDANA, 1.6, 1e12), "irreducible loss E = 1.69"),
        (lambda: inference_optimal(SARDANA, 2.0, -1.0), "inference_tokens must be finite and >= 0"),
        (lambda: inference_optimal(SARDANA, "low", 1e12), "loss must be numeric"),
        (lambda: compute_optimal_for_loss(SARDANA, np.nan), "loss must be finite and > 0"),
        (lambda: compute_optimal_tokens(SARDANA, 0), "N \\(parameters\\) must be finite and > 0"),
        (
            lambda: inference_demand_for_size(SARDANA, 2.0, 1e12),
            "must not exceed the Chinchilla-style size",
        ),
        (lambda: inference_demand_for_size(SARDANA, 2.0, 1e5), "too small"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_total_flops() -> None:
    assert float(total_flops(1e9, 2e10, 5e10)) == pytest.approx(6 * 1e9 * 2e10 + 2 * 1e9 * 5e10)


def test_numerical_allocation_of_a_custom_loss_finds_an_optimum_below_a_thousand_parameters() -> (
    None
):
    from scaling_core.allocate import compute_optimal

    custom = lambda N, D: HOFFMANN_2022.loss(N, D)  # noqa: E731 - a plain callable takes the numerical path
    N, D = compute_optimal(custom, [1e6, 1e24])
    exact_N, exact_D = HOFFMANN_2022.compute_optimal([1e6, 1e24])
    np.testing.assert_allclose(N, exact_N, rtol=1e-6)
    np.testing.assert_allclose(D, exact_D, rtol=1e-6)
    assert N[0] < 1000  # about 307: below the old search window's lower end


@pytest.mark.parametrize(
    ("loss", "budget", "message"),
    [
        (lambda N, D: 2 + 1 / N, 1e6, "keeps falling toward D = 1 token"),
        (lambda N, D: 2 + 1 / D, 1e6, "keeps falling toward N = 1 parameter"),
        (lambda N, D: HOFFMANN_2022.loss(N, D), 3, "at least 6 FLOP"),
    ],
)
def test_numerical_allocation_never_returns_the_end_of_its_range(
    loss, budget: float, message: str
) -> None:
    from scaling_core.allocate import compute_optimal

    with pytest.raises(ValueError, match=message):
        compute_optimal(loss, budget)


def test_answers_beyond_the_float_range_are_refused() -> None:
    with pytest.raises(ValueError, match="too extreme"):
        HOFFMANN_2022.compute_optimal(5e-324)
    with pytest.raises(ValueError, match="too extreme"):
        compute_optimal_for_loss(HOFFMANN_2022, 1e300)
    with pytest.raises(ValueError, match="too extreme"):
        inference_optimal(HOFFMANN_2022, 1e300, 0.0)
