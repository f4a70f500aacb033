"""scaling_core.fit.huber: the Huber loss and its derivative."""

from __future__ import annotations

import numpy as np
import pytest

from scaling_core.fit.huber import huber


def test_quadratic_inside_linear_outside() -> None:
    delta = 0.5
    value, slope = huber([-2.0, -0.25, 0.0, 0.25, 2.0], delta)
    assert value == pytest.approx(
        [delta * (2 - delta / 2), 0.25**2 / 2, 0.0, 0.25**2 / 2, delta * (2 - delta / 2)]
    )
    assert slope == pytest.approx([-delta, -0.25, 0.0, 0.25, delta])


def test_derivative_matches_finite_differences() -> None:
    r = np.linspace(-3e-3, 3e-3, 61) + 1.7e-5  # off the kinks at ±δ
    step = 1e-9
    numeric = (huber(r + step, 1e-3)[0] - huber(r - step, 1e-3)[0]) / (2 * step)
    assert huber(r, 1e-3)[1] == pytest.approx(numeric, abs=1e-6)


def test_continuous_at_the_threshold() -> None:
    delta = 1e-3
    inside, _ = huber(delta * (1 - 1e-12), delta)
    outside, _ = huber(delta * (1 + 1e-12), delta)
    assert inside == pytest.approx(outside, rel=1e-9)
