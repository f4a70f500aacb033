"""scaling_core.fit.isoflop and scaling_core.fit.powerlaw: parabolas, their minima, and power
laws."""

from __future__ import annotations

import numpy as np
import pytest

from scaling_core.fit import (
    assign_budgets,
    fit_parabola,
    fit_power_law,
    isoflop_minimum,
    nearest_budgets,
)


def test_parabola_recovers_its_vertex() -> None:
    x = np.linspace(7.5, 10.5, 9)
    parabola = fit_parabola(x, 2.5 + 0.3 * (x - 9.1) ** 2)
    assert parabola.vertex == pytest.approx(9.1)
    assert parabola(9.1) == pytest.approx(2.5)


def test_isoflop_minimum_is_in_parameters() -> None:
    N = np.logspace(8, 10, 7)
    loss = 2.0 + 0.05 * (np.log10(N) - np.log10(3e9)) ** 2
    assert isoflop_minimum(N, loss) == pytest.approx(3e9, rel=1e-9)


def test_parabola_refuses_what_has_no_minimum() -> None:
    with pytest.raises(ValueError, match="three distinct x"):
        fit_parabola([1.0, 1.0, 2.0], [3.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="opens downward"):
        fit_parabola([1.0, 2.0, 3.0], [1.0, 2.0, 1.0])
    with pytest.raises(ValueError, match="same shape"):
        fit_parabola([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"N \(parameters\)"):
        isoflop_minimum([-1.0, 1e9, 2e9], [3.0, 2.0, 3.0])


def test_power_law_recovers_exponent_and_interval_covers_it() -> None:
    rng = np.random.default_rng(7)
    C = np.logspace(18, 22, 12)
    N_opt = 0.1 * C**0.49 * np.exp(rng.normal(0, 0.03, C.size))
    law = fit_power_law(C, N_opt, n_bootstrap=400, rng=np.random.default_rng(1))
    assert law.exponent == pytest.approx(0.49, abs=0.02)
    low, high = law.exponent_interval
    assert low < 0.49 < high and high - low < 0.05
    assert law.draws.shape == (400, 2)
    again = fit_power_law(C, N_opt, n_bootstrap=400, rng=np.random.default_rng(1))
    assert again.exponent_interval == law.exponent_interval  # same seed, same interval


def test_power_law_exact_and_weighted() -> None:
    x = np.array([1.0, 10.0, 100.0, 1000.0])
    law = fit_power_law(x, 3.0 * x**0.5, weights=[1.0, 2.0, 3.0, 4.0])
    assert law.k == pytest.approx(3.0) and law.exponent == pytest.approx(0.5)
    assert law(400.0) == pytest.approx(60.0)


def test_power_law_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="explicit numpy Generator"):
        fit_power_law([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], n_bootstrap=10)
    with pytest.raises(ValueError, match="two distinct x"):
        fit_power_law([2.0, 2.0], [1.0, 3.0])
    with pytest.raises(ValueError, match="y must be finite and > 0"):
        fit_power_law([1.0, 2.0], [1.0, 0.0])


def _isoflop_runs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Three budgets whose losses are exact parabolas in log10 N with vertices at 1e8, 3e8 and 1e9,
    plus an off-budget run (NaN budget) that must be ignored."""
    budgets, vertices = [1e19, 1e20, 1e21], [1e8, 3e8, 1e9]
    N, loss, budget = [], [], []
    for C, vertex in zip(budgets, vertices):
        sizes = vertex * np.geomspace(0.25, 4, 7)
        N += list(sizes)
        loss += list(2.0 + 0.1 * np.log10(sizes / vertex) ** 2)
        budget += [C] * 7
    return np.array(N + [5e8]), np.array(loss + [1.0]), np.array(budget + [np.nan])


def test_isoflop_frontier_finds_each_budgets_minimum_by_either_method() -> None:
    from scaling_core.fit import isoflop_frontier

    N, loss, budget = _isoflop_runs()
    for method, tolerance in (("parabola", 1e-9), ("akima", 0.02)):
        frontier = isoflop_frontier(N, loss, budget, method=method)
        assert frontier["C"].tolist() == [1e19, 1e20, 1e21]
        assert frontier["points"].tolist() == [7, 7, 7]
        np.testing.assert_allclose(
            np.log10(frontier["N_opt"]), np.log10([1e8, 3e8, 1e9]), atol=tolerance
        )
        np.testing.assert_allclose(frontier["D_opt"], frontier["C"] / (6 * frontier["N_opt"]))
        np.testing.assert_allclose(
            frontier["tokens_per_parameter"], frontier["D_opt"] / frontier["N_opt"]
        )
        assert frontier["inside"].all()
    skewed = loss.copy()
    skewed[:7] += (
        0.05 * np.log10(N[:7] / 1e8) ** 3
    )  # asymmetric curve: Akima follows it, a parabola shifts
    by_parabola = isoflop_frontier(N, skewed, budget)["N_opt"][0]
    by_akima = isoflop_frontier(N, skewed, budget, method="akima")["N_opt"][0]
    assert abs(np.log10(by_akima / 1e8)) < abs(np.log10(by_parabola / 1e8))


def test_isoflop_frontier_refuses_bad_input() -> None:
    from scaling_core.fit import isoflop_frontier

    N, loss, budget = _isoflop_runs()
    with pytest.raises(ValueError, match="method must be"):
        isoflop_frontier(N, loss, budget, method="spline")
    with pytest.raises(ValueError, match="same length"):
        isoflop_frontier(N, loss[:-1], budget)


def test_approach2_by_either_method_recovers_the_symmetric_exponent() -> None:
    # alpha = beta: the optimum is N* = sqrt(C / 6) * (A / B)^(1/(2 alpha)), so a = b = 1/2 exactly.
    budgets = np.repeat([1e19, 1e20, 1e21], 9)
    centre = np.sqrt(budgets / 6)
    N = centre * np.tile(np.geomspace(1 / 8, 8, 9), 3)
    D = budgets / (6 * N)
    loss = 1.7 + 400 * N**-0.3 + 400 * D**-0.3
    from scaling_core.fit.isoflop import fit_approach2

    # The parabola is exact for alpha = beta on a centred grid; Akima interpolates 9 points.
    for method, tolerance in (("parabola", 1e-9), ("akima", 1e-2)):
        fit = fit_approach2(N, D, budgets, loss, method=method)
        assert fit.N_law.exponent == pytest.approx(0.5, abs=tolerance)
        assert fit.D_law.exponent == pytest.approx(0.5, abs=tolerance)
    with pytest.raises(ValueError, match="'parabola' or 'akima'"):
        fit_approach2(N, D, budgets, loss, method="spline")


def test_assign_budgets_takes_the_nearest_budget_inside_the_window() -> None:
    budgets = (1e19, 1e20)
    C = np.array([1e19, 0.95e19, 1.05e20, 3e19, 0.5e20])
    # log10 offsets: 0, -0.022, +0.021 (outside +0.01), far from both, -0.301
    assigned = assign_budgets(C, budgets, (-0.03, 0.01))
    np.testing.assert_array_equal(assigned, [1e19, 1e19, np.nan, np.nan, np.nan])
    assert np.isnan(assign_budgets([1.05e20], budgets, (-0.03, 0.01))).all()
    assert assign_budgets([1.05e20], budgets, (-0.03, 0.03))[0] == 1e20
    nearest, offset = nearest_budgets(C, budgets)
    np.testing.assert_array_equal(nearest, [1e19, 1e19, 1e20, 1e19, 1e20])
    np.testing.assert_allclose(offset, np.log10(C / nearest))


@pytest.mark.parametrize(
    ("C", "budgets", "window", "named"),
    [
        ([-1e19], (1e19,), (-0.03, 0.01), "C"),
        ([1e19], (0.0,), (-0.03, 0.01), "budgets"),
        ([1e19], (1e19,), (0.01, 0.03), "window"),
        ([1e19], (1e19,), (float("nan"), 0.01), "window"),
    ],
)
def test_assign_budgets_refuses_bad_input_by_name(C, budgets, window, named) -> None:
    with pytest.raises(ValueError, match=named):
        assign_budgets(C, budgets, window)
