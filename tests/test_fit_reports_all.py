"""Every registered fit function returns a FitReport, its items derived from the call's arguments.

`TINY_CALLS` holds one small valid call per registered fit: a fit registered without one fails
`test_every_registered_fit_has_a_tiny_call`, and one whose result carries no report fails
`test_every_registered_fit_returns_a_report`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from scaling_core import fit
from scaling_core.data import load
from scaling_core.fit.report import FitReport, registered_fits, report_of, reports_fit
from scaling_core.laws import MUENNIGHOFF_2023, ChinchillaLaw
from scaling_core.papers import gadre2024, tao2024, tissue2024

SYMMETRIC = ChinchillaLaw(E=1.7, A=400.0, B=400.0, alpha=0.3, beta=0.3, name="symmetric")
BUDGETS = np.repeat([1e18, 1e19, 1e20], 5)
SIZES = SYMMETRIC.compute_optimal(BUDGETS)[0] * np.tile(np.geomspace(0.25, 4, 5), 3)
TOKENS = BUDGETS / (6 * SIZES)
LOSS = SYMMETRIC.loss(SIZES, TOKENS)
X = np.geomspace(1e18, 1e21, 6)
Y = 0.3 * X**0.5 * np.exp(0.01 * np.sin(np.arange(6)))

# data-constrained runs: three sizes, four epoch counts over a unique-token budget of 20 N
CONSTRAINED_N = np.repeat([1e8, 3e8, 1e9], 4)
CONSTRAINED_U = 20 * CONSTRAINED_N
CONSTRAINED_D = CONSTRAINED_U * np.tile([1.0, 2.0, 4.0, 8.0], 3)
CONSTRAINED_LAW = replace(MUENNIGHOFF_2023, rd_star=12.0, rn_star=4.0)
CONSTRAINED_LOSS = CONSTRAINED_LAW.loss(CONSTRAINED_N, CONSTRAINED_D, CONSTRAINED_U)
CONSTRAINED = (CONSTRAINED_N, CONSTRAINED_D, CONSTRAINED_U, CONSTRAINED_LOSS)

# the overtraining law at four sizes and three multipliers
OVERTRAINING = gadre2024.OvertrainingLaw(E=1.84, a=212.0, b=367.0, eta=0.136)
MULTIPLIERS = np.tile([10.0, 40.0, 320.0], 4)
OVERTRAINING_C = 6 * MULTIPLIERS * np.repeat([1e7, 8e7, 1.5e8, 4e8], 3) ** 2
ERROR_LOSS = np.array([5.4, 4.6, 3.9, 3.5, 3.15, 2.77])

# annealing: L = L0 + A S1^-alpha - C S2 on made-up areas
S1 = np.linspace(1.0, 20.0, 20)
S2 = np.linspace(0.0, 1.0, 20) ** 2
ANNEALING_LOSS = 2.0 + S1**-0.5 - 0.5 * S2

VOCABULARY = tao2024.VocabularyLaw(
    E=5.5, A1=1.8, A2=0.2, B=2.1, alpha1=0.45, alpha2=0.67, beta=0.45
)
_rng = np.random.default_rng(1)
VOCABULARY_RUNS = (
    _rng.choice([33e6, 85e6, 151e6, 316e6, 632e6, 1130e6], 40),
    _rng.choice([4096, 8192, 16384, 32768, 65536], 40) * 1024.0,
    np.exp(_rng.uniform(np.log(1e9), np.log(6e10), 40)),
)


def isoflop_points() -> pd.DataFrame:
    return pd.DataFrame({"flops": BUDGETS, "n": SIZES, "tokens": TOKENS, "loss": LOSS})


def tiny_optima(replicas: int = 20) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return fit.isoflop_optima(isoflop_points(), noise_sd=1e-3, rng=rng, replicas=replicas)


def released_vocabulary() -> tao2024.VocabularyFit:
    grid = load("tao2024_grid")
    rows = grid[grid["C"] >= 2.18e17]
    D = tao2024.characters_to_tokens(rows["H"], rows["V"], "repository")
    return tao2024.fit_vocabulary_law_as_released(
        rows["N_nv"], rows["N_v"], D, rows["loss_u"], starts=tao2024.tao2024_starts()[[48]]
    )


TINY_CALLS: dict[str, Callable[[], object]] = {
    "akima_argmin": lambda: fit.akima_argmin(SIZES[:5], LOSS[:5], 10),
    "bootstrap_chinchilla": lambda: fit.bootstrap_chinchilla(
        SIZES, TOKENS, LOSS, n_resamples=3, rng=np.random.default_rng(0)
    ),
    "bootstrap_data_constrained": lambda: fit.bootstrap_data_constrained(
        *CONSTRAINED, n_resamples=2, seed=0, starts=[[10.0, 5.0]]
    ),
    "fit_annealing_law": lambda: tissue2024.fit_annealing_law(S1, S2, ANNEALING_LOSS),
    "fit_approach2": lambda: fit.fit_approach2(SIZES, TOKENS, BUDGETS, LOSS),
    "fit_chinchilla": lambda: fit.fit_chinchilla(SIZES, TOKENS, LOSS),
    "fit_data_constrained": lambda: fit.fit_data_constrained(*CONSTRAINED),
    "fit_downstream_law": lambda: gadre2024.fit_downstream_law(
        ERROR_LOSS, 0.857 - 2.21 * np.exp(-0.715 * ERROR_LOSS)
    ),
    "fit_exponent_as_released": lambda: tao2024.fit_exponent_as_released(
        X / X[0], (X / X[0]) ** 0.8
    ),
    "fit_huber_likelihood": lambda: fit.fit_huber_likelihood(SIZES, TOKENS, LOSS),
    "fit_huber_power_law": lambda: tao2024.fit_huber_power_law(X, Y),
    "fit_overtraining_law": lambda: gadre2024.fit_overtraining_law(
        OVERTRAINING_C, MULTIPLIERS, OVERTRAINING.loss(OVERTRAINING_C, MULTIPLIERS)
    ),
    "fit_parabola": lambda: fit.fit_parabola(np.log10(SIZES[:5]), LOSS[:5]),
    "fit_parallel_power_laws": lambda: gadre2024.fit_parallel_power_laws(
        OVERTRAINING_C, MULTIPLIERS, OVERTRAINING.loss(OVERTRAINING_C, MULTIPLIERS)
    ),
    "fit_power_law": lambda: fit.fit_power_law(X, Y),
    "fit_power_law_as_released": lambda: tao2024.fit_power_law_as_released(X, Y, exponent=0.5),
    "fit_variable_projection": lambda: fit.fit_variable_projection(SIZES, TOKENS, LOSS),
    "fit_vocabulary_law": lambda: tao2024.fit_vocabulary_law(
        *VOCABULARY_RUNS, VOCABULARY.loss(*VOCABULARY_RUNS), refine=2
    ),
    "fit_vocabulary_law_as_released": released_vocabulary,
    "fit_weighted_power_law": lambda: fit.fit_weighted_power_law(X, Y),
    "isoflop_frontier": lambda: fit.isoflop_frontier(SIZES, LOSS, BUDGETS),
    "isoflop_optima": tiny_optima,
    "optimal_power_law": lambda: fit.optimal_power_law(tiny_optima()),
}


def test_every_registered_fit_has_a_tiny_call() -> None:
    assert sorted(registered_fits()) == sorted(TINY_CALLS)


@pytest.mark.parametrize("name", sorted(TINY_CALLS))
def test_every_registered_fit_returns_a_report(name: str) -> None:
    report = report_of(TINY_CALLS[name]())
    assert isinstance(report, FitReport)
    assert report.n_points > 0


def test_a_result_without_a_report_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="float carries no FitReport"):
        report_of(1.0)


def test_two_fits_of_one_name_in_different_modules_are_refused() -> None:
    def fit_chinchilla() -> None: ...

    with pytest.raises(ValueError, match="two fit functions are named 'fit_chinchilla'"):
        reports_fit(fit_chinchilla)


def test_akima_argmin_reports_its_points_and_grid() -> None:
    report = fit.akima_argmin(SIZES[:5], LOSS[:5], 10).report
    assert report.n_points == 5
    assert "10 points per gap" in report.optimiser


def test_isoflop_frontier_reports_the_points_on_its_curves() -> None:
    budget = BUDGETS.copy()
    budget[0] = np.nan  # on no curve: not fitted
    parabola = report_of(fit.isoflop_frontier(SIZES, LOSS, budget))
    assert parabola.n_points == 14 and "parabola" in parabola.form
    akima = report_of(fit.isoflop_frontier(SIZES, LOSS, BUDGETS, method="akima"))
    assert "Akima" in akima.form and "25 points per gap" in akima.optimiser


def test_isoflop_optima_and_their_law_report_the_noise_bootstrap() -> None:
    optima = tiny_optima(replicas=30)
    report = report_of(optima)
    assert report.n_points == 15
    assert "30 replicas" in report.uncertainty and "N(0, 0.001²)" in report.uncertainty
    law = fit.optimal_power_law(optima, "t").report
    assert law.n_points == 3 and law.form.startswith("D* = k C^b")
    assert "30 replicas" in law.uncertainty and "refits" in law.uncertainty


def test_weighted_power_law_reports_weights_and_replicas() -> None:
    plain = fit.fit_weighted_power_law(X, Y).report
    assert plain.n_points == 6 and "weighted" not in plain.objective
    assert plain.uncertainty.startswith("none")
    replicas = Y * np.exp(0.01 * np.random.default_rng(0).normal(size=(7, 6)))
    weighted = fit.fit_weighted_power_law(X, Y, log_sd=np.full(6, 0.1), replicas=replicas)
    assert "1/σ²" in weighted.report.objective and "7 refits" in weighted.report.uncertainty


def test_bootstrap_chinchilla_reports_resamples_and_refits() -> None:
    boot = TINY_CALLS["bootstrap_chinchilla"]()
    assert boot.report.uncertainty.startswith("bootstrap of the runs, 3 resamples")
    assert "warm-started" in boot.report.uncertainty
    assert boot.report.n_points == 15


def test_data_constrained_fits_report_delta_starts_and_resamples() -> None:
    one = fit.fit_data_constrained(*CONSTRAINED, starts=[[10.0, 5.0]], delta=2e-3)
    assert one.report.n_points == 12
    assert one.report.starts.startswith("1 start (given)")
    assert "delta = 0.002" in one.report.objective
    assert fit.fit_data_constrained(*CONSTRAINED).report.starts.startswith("9 starts")
    boot = TINY_CALLS["bootstrap_data_constrained"]()
    assert "2 resamples (seed 0)" in boot.report.uncertainty


def test_parallel_power_laws_report_groups_starts_and_intervals() -> None:
    report = gadre2024.fit_parallel_power_laws(
        OVERTRAINING_C, MULTIPLIERS, OVERTRAINING.loss(OVERTRAINING_C, MULTIPLIERS), level=0.9
    ).report
    assert report.n_points == 12 and "3 groups" in report.form
    assert report.starts.startswith("12 starts")
    assert report.uncertainty.startswith("t intervals of each eta_g at 90%")


def test_huber_power_law_reports_delta_and_fixed_constants() -> None:
    report = tao2024.fit_huber_power_law(X, Y, exponent=0.5, delta=0.01).report
    assert report.form == "y = k x^p (p = 0.5 fixed)" and "delta = 0.01" in report.objective
    assert report.n_points == 6


def test_released_procedures_report_their_starts() -> None:
    free = tao2024.fit_power_law_as_released(X[:4], Y[:4], delta=0.01).report
    assert free.n_points == 4 and free.starts.startswith("400 starts")
    assert "L-BFGS-B" in free.optimiser and "delta = 0.01" in free.objective
    fixed = TINY_CALLS["fit_power_law_as_released"]().report
    assert fixed.starts.startswith("20 starts") and "p = 0.5 fixed" in fixed.form
    exponent = TINY_CALLS["fit_exponent_as_released"]().report
    assert exponent.starts.startswith("20 starts p in [0, 1]")
    released = released_vocabulary().report
    assert released.starts.startswith("1 start (given)")


def test_vocabulary_law_reports_screening_and_bounds() -> None:
    refined = TINY_CALLS["fit_vocabulary_law"]().report
    assert refined.n_points == 40
    assert refined.starts.startswith("486 starts screened, the best 2 run")
    assert "alpha2, beta in (0.1, 1)" in refined.objective
