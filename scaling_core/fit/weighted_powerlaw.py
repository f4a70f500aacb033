"""A power law y = k x^p by weighted least squares in log-log space, refitted on bootstrap replicas.

Porian et al. (2024) weight each compute-optimal point by 1/σ², σ the spread of its log N* over the
noise bootstrap, and get intervals by refitting the line once per replica (the i-th replica at every
budget). The replica fits share the weights, so all of them are solved at once in closed form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from .._checks import as_positive
from .._typing import FloatArray
from .report import FitReport, reports_fit


@dataclass(frozen=True)
class WeightedPowerLaw:
    """y = k x^exponent; `r2` is the unweighted R² of log y; replica fits give the intervals."""

    k: float
    exponent: float
    r2: float
    replica_k: FloatArray | None = field(default=None, repr=False)
    replica_exponent: FloatArray | None = field(default=None, repr=False)
    report: FitReport | None = field(default=None, repr=False, compare=False)

    def __call__(self, x: ArrayLike) -> FloatArray:
        return self.k * as_positive("x", x) ** self.exponent

    def _replicas(self) -> tuple[FloatArray, FloatArray]:
        if self.replica_k is None or self.replica_exponent is None:
            raise ValueError("this fit has no replicas: pass replicas= to fit_weighted_power_law")
        return self.replica_k, self.replica_exponent

    def exponent_interval(self, level: float = 0.95) -> tuple[float, float]:
        """Central `level` quantile interval of the exponent over the replica fits."""
        _, exponents = self._replicas()
        tail = (1 - level) / 2
        low, high = np.quantile(exponents, [tail, 1 - tail])
        return float(low), float(high)

    def prediction_interval(self, x: float, level: float = 0.95) -> tuple[float, float]:
        """Central `level` quantile interval of k x^exponent over the replica fits."""
        k, exponents = self._replicas()
        tail = (1 - level) / 2
        low, high = np.quantile(k * float(as_positive("x", x)) ** exponents, [tail, 1 - tail])
        return float(low), float(high)


def _weighted_lines(
    log_x: FloatArray, log_y: FloatArray, weights: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Intercepts and slopes of the weighted least-squares lines through each row of log_y."""
    w = weights / weights.sum()
    centred_x = log_x - w @ log_x
    slope = (log_y * w) @ centred_x / (w @ centred_x**2)
    intercept = log_y @ w - slope * (w @ log_x)
    return intercept, slope


@reports_fit
def fit_weighted_power_law(
    x: ArrayLike,
    y: ArrayLike,
    *,
    log_sd: ArrayLike | None = None,
    replicas: ArrayLike | None = None,
) -> WeightedPowerLaw:
    """Fit log y = log k + exponent·log x with weights 1/log_sd² (equal weights without log_sd).

    `replicas` is an R × n array of alternative y (for instance the i-th bootstrap optimum at each
    x); each row is fitted with the same weights and the fits are kept for intervals."""
    x = as_positive("x", x)
    y = as_positive("y", y)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(
            f"x and y must be 1-D of the same length, got shapes {x.shape} and {y.shape}"
        )
    if len(np.unique(x)) < 2:
        raise ValueError("a power law needs at least two distinct x values")
    weights = np.ones_like(x) if log_sd is None else as_positive("log_sd", log_sd) ** -2.0
    if weights.shape != x.shape:
        raise ValueError(
            f"log_sd must have one value per point ({x.shape}), got shape {weights.shape}"
        )
    log_x, log_y = np.log(x), np.log(y)
    intercept, slope = _weighted_lines(log_x, log_y[None, :], weights)
    residual = log_y - (intercept[0] + slope[0] * log_x)
    r2 = 1 - residual @ residual / np.sum((log_y - log_y.mean()) ** 2)
    replica_k = replica_exponent = None
    if replicas is not None:
        draws = as_positive("replicas", replicas)
        if draws.ndim != 2 or draws.shape[1] != len(x):
            raise ValueError(f"replicas must be an R x {len(x)} array, got shape {draws.shape}")
        replica_intercept, replica_exponent = _weighted_lines(log_x, np.log(draws), weights)
        replica_k = np.exp(replica_intercept)
    report = FitReport(
        form="y = k x^p",
        n_points=len(x),
        objective="squared error of log y" + ("" if log_sd is None else ", weighted by 1/σ²"),
        optimiser="closed-form " + ("" if log_sd is None else "weighted ") + "least squares",
        starts="none needed (linear least squares)",
        uncertainty="none (point estimate)"
        if replica_k is None
        else f"one refit per given replica of y, {len(replica_k):,} refits",
    )
    return WeightedPowerLaw(
        float(np.exp(intercept[0])), float(slope[0]), float(r2), replica_k, replica_exponent, report
    )


def aligned_replicas(draws: Sequence[ArrayLike], count: int | None = None) -> FloatArray:
    """Stack the first `count` draws of each point into a count × points array (default: as many as
    the shortest list holds), so that row i holds the i-th bootstrap draw at every point."""
    arrays = [np.asarray(d, dtype=float) for d in draws]
    if not arrays:
        raise ValueError("draws must hold at least one array")
    shortest = min(len(a) for a in arrays)
    count = shortest if count is None else count
    if not 0 < count <= shortest:
        raise ValueError(f"count must be between 1 and {shortest} (the shortest list), got {count}")
    return np.stack([a[:count] for a in arrays], axis=1)
