"""The Huber loss, the robust objective of most scaling-law fits (Hoffmann et al. 2022, App. D.2).

Quadratic for residuals within ±δ, linear beyond, so that a few runs far off the law do not dominate
the fit; with δ = 1e-3 on log-loss it is close to a least-absolute-deviations fit.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._typing import FloatArray


def huber(residual: ArrayLike, delta: float) -> tuple[FloatArray, FloatArray]:
    """Elementwise Huber loss ρ_δ(r) and its derivative ψ_δ(r) = clip(r, −δ, δ)."""
    r = np.asarray(residual, dtype=float)
    slope = np.clip(r, -delta, delta)
    return slope * (r - 0.5 * slope), slope
