"""scaling_core.papers.openathena2026: designs, the approach-2 bias in closed form, conditioning,
misallocation."""

from __future__ import annotations

import numpy as np
import pytest

from scaling_core.fit.isoflop import fit_approach2
from scaling_core.papers.openathena2026 import (
    SURFACES,
    approach2_error_closed_form,
    condition_number,
    isoflop_design,
    misallocation,
    rss_hessians,
    vertex_shift,
)


def simulated_error(name: str, k: float, **design: float) -> float:
    law = SURFACES[name]
    points = isoflop_design(law, k, **design)
    fit = fit_approach2(points.N, points.D, points.C, points.loss)
    return 100 * (fit.D_law(1e24)[()] / law.compute_optimal(1e24)[1] - 1)


@pytest.mark.parametrize("k", [2.0, 16.0])
@pytest.mark.parametrize("design", [{}, {"scale": 3.0}, {"drift": np.log10(3)}])
def test_closed_form_matches_simulation(k: float, design: dict) -> None:
    for name in SURFACES:
        assert approach2_error_closed_form(SURFACES[name], k, **design) == pytest.approx(
            simulated_error(name, k, **design), abs=1e-8
        )


def test_equal_exponents_and_centred_grid_are_unbiased() -> None:
    assert vertex_shift(0.31, 0.31, np.linspace(-1, 1, 15)) == pytest.approx(0.0, abs=1e-14)
    assert vertex_shift(0.34, 0.28, np.linspace(-1, 1, 15)) < 0  # α > β: D* underestimated


def test_design_lies_on_the_budgets() -> None:
    points = isoflop_design(SURFACES["Chinchilla"], 8.0, points=5)
    assert len(points) == 25
    assert (6 * points.N * points.D).to_numpy() == pytest.approx(points.C.to_numpy())
    with pytest.raises(ValueError, match="half-width"):
        isoflop_design(SURFACES["Chinchilla"], 1.0)


def test_projection_improves_conditioning() -> None:
    points = isoflop_design(SURFACES["Asymmetric"], 8.0)
    full, projected = rss_hessians(SURFACES["Asymmetric"], points.N, points.D)
    assert full.shape == (5, 5) and projected.shape == (2, 2)
    assert condition_number(projected) < 1e-6 * condition_number(full)
    with pytest.raises(ValueError, match="positive definite"):
        condition_number(-np.eye(2))


def test_optimal_allocation_wastes_nothing() -> None:
    law = SURFACES["Chinchilla"]
    _, d_opt = law.compute_optimal(1e22)
    assert misallocation(law, 1e22, d_opt) == pytest.approx(0.0, abs=1e-9)
    assert misallocation(law, 1e22, 2 * d_opt) > 0
