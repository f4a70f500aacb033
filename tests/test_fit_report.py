"""scaling_core.fit.report: the checklist items every fit returns."""

from __future__ import annotations

import numpy as np
import pytest

from scaling_core.fit import fit_chinchilla
from scaling_core.fit.isoflop import fit_approach2
from scaling_core.fit.report import GIVEN_BY_CALLER, FitReport
from scaling_core.laws import HOFFMANN_2022


def report() -> FitReport:
    return FitReport(
        form="y = k x^p",
        n_points=7,
        objective="squared error",
        optimiser="closed form",
        starts="none",
    )


def test_data_conventions_are_filled_in_by_the_caller() -> None:
    plain = report()
    assert plain.flop_definition == GIVEN_BY_CALLER
    filled = plain.with_data(flop_definition="6ND").with_uncertainty("bootstrap, 100 resamples")
    assert filled.flop_definition == "6ND" and filled.parameters_counted == GIVEN_BY_CALLER
    assert list(filled.as_row()) == [
        "form", "n_points", "objective", "optimiser", "starts", "uncertainty",
        "flop_definition", "parameters_counted",
    ]  # fmt: skip


@pytest.mark.parametrize("bad", [{"n_points": 0}, {"objective": " "}])
def test_empty_items_are_refused(bad: dict) -> None:
    items = report().as_row() | bad
    with pytest.raises(ValueError, match="n_points|objective"):
        FitReport(**items)


def test_chinchilla_fit_reports_its_procedure() -> None:
    C = np.repeat([1e18, 1e19, 1e20], 5)
    N = np.tile(np.geomspace(3e7, 3e9, 5), 3)
    D = C / (6 * N)
    fit = fit_chinchilla(N, D, HOFFMANN_2022.loss(N, D))
    assert fit.report.n_points == 15
    assert "Huber (delta = 0.001) on log L, summed" == fit.report.objective
    assert "4,500-point grid" in fit.report.starts
    given = fit_chinchilla(N, D, HOFFMANN_2022.loss(N, D), starts=fit.theta[None, :])
    assert given.report.starts.startswith("1 given start")


def test_approach2_recovers_a_symmetric_law_and_reports() -> None:
    from scaling_core.laws import ChinchillaLaw

    law = ChinchillaLaw(E=1.7, A=400.0, B=400.0, alpha=0.3, beta=0.3, name="symmetric")
    C = np.repeat([1e18, 1e19, 1e20], 9)
    n_opt, _ = law.compute_optimal(C)
    N = n_opt * np.tile(np.geomspace(0.25, 4, 9), 3)
    fit = fit_approach2(N, C / (6 * N), C, law.loss(N, C / (6 * N)))
    assert fit.N_law.exponent == pytest.approx(0.5, abs=1e-9)
    assert fit.D_opt == pytest.approx(law.compute_optimal(fit.budgets)[1], rel=1e-9)
    assert fit.report.n_points == 27
