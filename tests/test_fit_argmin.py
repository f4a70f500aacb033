"""Interpolated IsoFLOP argmins, their noise bootstrap, and weighted power laws with replica
fits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scaling_core.fit.argmin import (
    akima_argmin,
    bootstrap_argmin,
    isoflop_optima,
    log_grid,
    optimal_power_law,
)
from scaling_core.fit.weighted_powerlaw import aligned_replicas, fit_weighted_power_law


def skewed_curve(n: np.ndarray, n_opt: float) -> np.ndarray:
    """A loss curve in log N whose minimum is at n_opt, steep on the left and flat on the right."""
    u = np.log(n / n_opt)
    return 3.0 + 0.08 * (np.exp(-1.5 * u) + 1.5 * u - 1)


def test_grid_has_points_per_interval_and_spans_the_range() -> None:
    x = np.array([1e6, 4e6, 1.6e7, 6.4e7])
    grid = log_grid(x, 25)
    assert len(grid) == 75 and grid[0] == x[0] and grid[-1] == x[-1]


def test_akima_argmin_finds_the_minimum_of_a_skewed_curve() -> None:
    n = np.geomspace(1e6, 1e9, 13)
    found = akima_argmin(n, skewed_curve(n, 3e7))
    assert found.interior
    assert abs(np.log(found.x_star / 3e7)) < 0.05


def test_akima_argmin_flags_a_minimum_at_the_edge() -> None:
    n = np.geomspace(1e6, 1e8, 6)
    assert not akima_argmin(n, 4.0 - 0.1 * np.log10(n)).interior


def test_akima_argmin_ignores_the_order_of_the_points() -> None:
    n = np.geomspace(1e6, 1e9, 9)
    loss = skewed_curve(n, 1e8)
    assert akima_argmin(n[::-1], loss[::-1]).x_star == akima_argmin(n, loss).x_star


def test_a_skewed_curve_fools_a_parabola_but_not_the_interpolation() -> None:
    n = np.geomspace(1e6, 1e9, 13)
    loss = skewed_curve(n, 3e7)
    c2, c1, _ = np.polyfit(np.log(n), loss, 2)
    parabola_error = abs(-c1 / (2 * c2) - np.log(3e7))
    akima_error = abs(np.log(akima_argmin(n, loss).x_star / 3e7))
    assert akima_error < parabola_error / 4


def test_bootstrap_is_reproducible_and_centred() -> None:
    n = np.geomspace(1e6, 1e9, 10)
    loss = skewed_curve(n, 3e7)
    first = bootstrap_argmin(n, loss, noise_sd=0.002, rng=np.random.default_rng(3), replicas=400)
    again = bootstrap_argmin(n, loss, noise_sd=0.002, rng=np.random.default_rng(3), replicas=400)
    np.testing.assert_array_equal(first.draws, again.draws)
    assert first.ok and first.valid <= 400
    assert abs(np.log(first.x_star / 3e7)) < 0.2
    assert first.log_sd() >= 0.33 * 25 * first.log_step


def test_bootstrap_spread_grows_with_the_noise() -> None:
    n = np.geomspace(1e6, 1e9, 10)
    loss = skewed_curve(n, 3e7)
    spreads = [
        np.std(
            np.log(
                bootstrap_argmin(
                    n, loss, noise_sd=sd, rng=np.random.default_rng(0), replicas=300
                ).draws
            )
        )
        for sd in (0.001, 0.01)
    ]
    assert spreads[1] > 2 * spreads[0]


def test_bootstrap_with_a_legacy_generator_matches_a_per_replica_loop() -> None:
    n = np.geomspace(1e6, 1e9, 7)
    loss = skewed_curve(n, 2e7)
    fast = bootstrap_argmin(n, loss, noise_sd=0.01, rng=np.random.RandomState(42), replicas=50)
    noise = np.random.RandomState(42).normal(0, 1, (50, len(n)))
    slow = [akima_argmin(n, loss + 0.01 * row) for row in noise]
    np.testing.assert_array_equal(fast.draws, [a.x_star for a in slow if a.interior])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"x": [1.0, 2.0], "y": [3.0, 2.0]}, "at least three"),
        ({"x": [1.0, 2.0, -3.0], "y": [3.0, 2.0, 3.0]}, "x must be finite and > 0"),
        ({"x": [1.0, 2.0, 3.0], "y": [3.0, 2.0]}, "same length"),
    ],
)
def test_bad_points_are_refused_by_name(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        akima_argmin(**kwargs)


def test_bad_noise_is_refused() -> None:
    with pytest.raises(ValueError, match="noise_sd"):
        bootstrap_argmin(
            [1.0, 2.0, 3.0], [3.0, 2.0, 3.0], noise_sd=0.0, rng=np.random.default_rng(0)
        )


def test_isoflop_optima_recovers_a_known_power_law() -> None:
    budgets = 1e17 * 2.0 ** np.arange(6)
    n = np.geomspace(1e6, 1e10, 17)
    rows = [
        {"flops": c, "n": size, "tokens": c / (6 * size), "loss": loss}
        for c in budgets
        for size, loss in zip(n, skewed_curve(n, 1e-3 * c**0.6))
    ]
    optima = isoflop_optima(
        pd.DataFrame(rows), noise_sd=0.001, rng=np.random.default_rng(1), replicas=200
    )
    assert optima["has_optimum"].all()
    law = fit_weighted_power_law(optima["flops"], optima["n_star"], log_sd=optima["n_star_log_sd"])
    assert law.exponent == pytest.approx(0.6, abs=0.02)


def test_isoflop_optima_needs_the_columns() -> None:
    with pytest.raises(ValueError, match="missing"):
        isoflop_optima(
            pd.DataFrame({"flops": [1.0], "n": [1.0]}), noise_sd=0.01, rng=np.random.default_rng(0)
        )


def test_weighted_fit_recovers_exact_law_and_matches_polyfit() -> None:
    x = np.geomspace(1e16, 1e20, 9)
    y = 2e-3 * x**0.55 * np.exp(0.05 * np.sin(np.arange(9)))
    sd = np.linspace(0.05, 0.3, 9)
    law = fit_weighted_power_law(x, y, log_sd=sd)
    slope, intercept = np.polyfit(np.log(x), np.log(y), 1, w=1 / sd)
    assert law.exponent == pytest.approx(slope, rel=1e-12)
    assert np.log(law.k) == pytest.approx(intercept, rel=1e-12)
    exact = fit_weighted_power_law(x, 2e-3 * x**0.55)
    assert exact.exponent == pytest.approx(0.55, abs=1e-12) and exact.r2 == pytest.approx(1.0)


def test_replica_fits_equal_separate_fits_and_give_intervals() -> None:
    rng = np.random.default_rng(5)
    x = np.geomspace(1e16, 1e20, 8)
    replicas = 1e-2 * x**0.5 * np.exp(rng.normal(0, 0.05, (200, 8)))
    law = fit_weighted_power_law(x, replicas.mean(axis=0), replicas=replicas)
    assert law.replica_exponent[7] == pytest.approx(
        fit_weighted_power_law(x, replicas[7]).exponent, rel=1e-12
    )
    low, high = law.exponent_interval()
    assert low < 0.5 < high
    n_low, n_high = law.prediction_interval(5.88e23)
    assert n_low < law(5.88e23) < n_high


def test_intervals_need_replicas() -> None:
    law = fit_weighted_power_law([1.0, 2.0, 4.0], [1.0, 2.0, 4.0])
    with pytest.raises(ValueError, match="no replicas"):
        law.exponent_interval()


def test_aligned_replicas_keeps_the_shortest_length() -> None:
    stacked = aligned_replicas([[1, 2, 3], [4, 5], [6, 7, 8, 9]])
    np.testing.assert_array_equal(stacked, [[1, 4, 6], [2, 5, 7]])
    with pytest.raises(ValueError, match="count"):
        aligned_replicas([[1, 2]], count=3)


def test_bad_weights_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="log_sd"):
        fit_weighted_power_law([1.0, 2.0, 4.0], [1.0, 2.0, 4.0], log_sd=[1.0, 0.0, 1.0])


def test_optimal_power_law_refuses_a_bad_axis_and_too_few_optima() -> None:
    table = pd.DataFrame({"has_optimum": [True, False], "n_valid": [10, 0], "t_valid": [10, 0]})
    with pytest.raises(ValueError, match="axis"):
        optimal_power_law(table, "loss")
    with pytest.raises(ValueError, match="at least two budgets"):
        optimal_power_law(table)
