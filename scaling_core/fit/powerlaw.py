"""Power laws y = k x^p fitted as straight lines in log-log space, with bootstrap intervals."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from .._checks import as_positive
from .._typing import FloatArray
from .report import FitReport, reports_fit


@dataclass(frozen=True)
class PowerLaw:
    """y = k x^exponent, fitted in log-log space; intervals from a bootstrap when requested."""

    k: float
    exponent: float
    exponent_interval: tuple[float, float] | None = None
    draws: FloatArray | None = field(default=None, repr=False)  # bootstrap (log k, exponent) rows
    report: FitReport | None = field(default=None, repr=False, compare=False)

    def __call__(self, x: ArrayLike) -> FloatArray:
        return self.k * as_positive("x", x) ** self.exponent


def _loglog_line(
    log_x: FloatArray, log_y: FloatArray, weights: FloatArray | None
) -> tuple[float, float]:
    slope, intercept = np.polyfit(log_x, log_y, 1, w=None if weights is None else np.sqrt(weights))
    return float(intercept), float(slope)


@reports_fit
def fit_power_law(
    x: ArrayLike,
    y: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    n_bootstrap: int = 0,
    level: float = 0.95,
    rng: np.random.Generator | None = None,
) -> PowerLaw:
    """Least-squares line through (log x, log y); with `n_bootstrap` > 0, a percentile interval of
    the exponent from resampling the points (needs an explicit, seeded `rng`)."""
    x = as_positive("x", x)
    y = as_positive("y", y)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-D of the same length, got {x.shape} and {y.shape}")
    if len(np.unique(x)) < 2:
        raise ValueError("a power law needs at least two distinct x values")
    w = None if weights is None else as_positive("weights", weights)
    log_x, log_y = np.log(x), np.log(y)
    intercept, slope = _loglog_line(log_x, log_y, w)
    report = FitReport(
        form="y = k x^p",
        n_points=len(x),
        objective="squared error of log y" + ("" if w is None else " (weighted)"),
        optimiser="closed-form least squares",
        starts="none needed (linear least squares)",
    )
    if n_bootstrap <= 0:
        return PowerLaw(float(np.exp(intercept)), slope, report=report)
    if rng is None:
        raise ValueError(
            "a bootstrap needs an explicit numpy Generator (rng=np.random.default_rng(seed))"
        )
    draws = np.empty((n_bootstrap, 2))
    for i in range(n_bootstrap):
        idx = rng.integers(0, len(x), len(x))
        while len(np.unique(x[idx])) < 2:
            idx = rng.integers(0, len(x), len(x))
        draws[i] = _loglog_line(log_x[idx], log_y[idx], None if w is None else w[idx])
    tail = (1 - level) / 2
    low, high = np.quantile(draws[:, 1], [tail, 1 - tail])
    uncertainty = f"bootstrap of the points, {n_bootstrap:,} resamples, {level:.0%} interval"
    interval = (float(low), float(high))
    return PowerLaw(
        float(np.exp(intercept)), slope, interval, draws, report.with_uncertainty(uncertainty)
    )
