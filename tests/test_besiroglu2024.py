"""Epoch's bootstrap resamples, drawn again, and a law's parameter vector."""

from __future__ import annotations

import numpy as np
import pytest

from scaling_core.fit import theta_from_law
from scaling_core.fit.chinchilla import law_from_theta
from scaling_core.laws import HOFFMANN_2022_UNROUNDED
from scaling_core.papers.besiroglu2024 import epoch_resamples


def test_epoch_resamples_are_numpys_legacy_draws_after_seeding() -> None:
    np.random.seed(42)
    expected = np.array([np.random.choice(240, 240) for _ in range(3)])
    drawn = epoch_resamples(240, 3, seed=42)
    np.testing.assert_array_equal(drawn, expected)
    assert drawn.shape == (3, 240)
    np.testing.assert_array_equal(epoch_resamples(240, 3), drawn)  # Epoch's seed by default


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ((0, 3, 42), "n_runs"),
        ((240, 0, 42), "n_resamples"),
        ((240, 3, -1), "seed"),
        ((240.5, 3, 42), "n_runs"),
    ],
)
def test_epoch_resamples_refuse_bad_input_by_name(args: tuple, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        epoch_resamples(*args)


def test_theta_from_law_inverts_law_from_theta() -> None:
    theta = theta_from_law(HOFFMANN_2022_UNROUNDED)
    assert theta[3] == HOFFMANN_2022_UNROUNDED.alpha
    assert np.exp(theta[0]) == pytest.approx(HOFFMANN_2022_UNROUNDED.A)
    assert law_from_theta(theta).constants() == pytest.approx(HOFFMANN_2022_UNROUNDED.constants())
