"""The data-constrained compute-optimal allocation (Muennighoff et al. 2023, §5)."""

from __future__ import annotations

import numpy as np
import pytest

from scaling_core.allocate import data_constrained_optimal
from scaling_core.laws import MUENNIGHOFF_2023


def _on_a_fine_grid(C: float, U: float, around: float) -> float:
    N = np.geomspace(around / 10, around * 10, 200_001)
    D = C / (6 * N)
    return N[np.argmin(MUENNIGHOFF_2023.loss(N, D, np.minimum(U, D)))]


@pytest.mark.parametrize("C, U", [(1e22, 25e9), (3.24e23, 106e9), (1e18, 1e8)])
def test_matches_a_fine_grid_search(C: float, U: float) -> None:
    N, D = data_constrained_optimal(MUENNIGHOFF_2023, C, U)
    assert 6 * N * D == pytest.approx(C, rel=1e-12)
    assert N == pytest.approx(_on_a_fine_grid(C, U, float(N)), rel=1e-4)


def test_plenty_of_unique_data_gives_the_base_law_optimum() -> None:
    N, D = data_constrained_optimal(MUENNIGHOFF_2023, 1e21, 1e13)
    N_base, D_base = MUENNIGHOFF_2023.base.compute_optimal(1e21)
    assert N == pytest.approx(N_base, rel=1e-6) and D == pytest.approx(D_base, rel=1e-6)


def test_scarce_data_means_fewer_parameters_and_more_epochs() -> None:
    N, D = data_constrained_optimal(MUENNIGHOFF_2023, 1e22, np.array([25e9, 1e13]))
    assert N[0] < N[1] and D[0] > D[1] and D[0] / 25e9 > 4


def test_bad_budget_or_data_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="U \\(unique tokens\\)"):
        data_constrained_optimal(MUENNIGHOFF_2023, 1e22, 0)
    with pytest.raises(ValueError, match="C \\(FLOP budget\\)"):
        data_constrained_optimal(MUENNIGHOFF_2023, -1, 1e9)
