"""scaling_core.fit.result: the one result shape of the multi-start fits."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from scaling_core.fit.result import FitResult


def test_fit_result_counts_its_starts_and_is_frozen():
    result = FitResult(
        law="law",
        params=np.zeros(2),
        objective=0.5,
        converged=True,
        objective_by_start=np.array([0.5, 0.7, np.inf]),
    )
    assert result.n_starts == 3
    assert result.report is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.objective = 0.1  # type: ignore[misc]
