"""Small statistical tools for judging fitted laws: interval widths, sample sizes, Wald and LR
tests.

Besiroglu et al. (2024) use each of these to ask whether a published interval is plausible and
whether two sets of estimates differ; they are general enough for any chapter that compares fits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import chi2, norm

from ._checks import as_positive


@dataclass(frozen=True)
class TestResult:
    """A test statistic, its degrees of freedom and the p-value of its χ² reference distribution."""

    statistic: float
    df: int
    p_value: float


def _level(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level!r}")
    return float(level)


def normal_interval_width(standard_error: float, level: float = 0.8) -> float:
    """Width of the central `level` interval of a normal with that standard error."""
    if not standard_error >= 0:
        raise ValueError(f"standard_error must be >= 0, got {standard_error!r}")
    return float(2 * norm.ppf(0.5 + _level(level) / 2) * standard_error)


def required_sample_size(n: float, width: float, target_width: float) -> float:
    """Runs needed to shrink an interval of `width` (measured on `n` runs) to `target_width`.

    Interval widths of a regular estimator shrink as 1/√n, so n_required = n · (width / target)²."""
    for name, value in (("n", n), ("width", width), ("target_width", target_width)):
        as_positive(name, value)
    return float(n * (width / target_width) ** 2)


def delta_method_se(gradient: ArrayLike, covariance: ArrayLike) -> float:
    """Standard error of g(θ̂) from the gradient of g at θ̂ and the covariance of θ̂: √(∇gᵀ Σ
    ∇g)."""
    g = np.atleast_1d(np.asarray(gradient, dtype=float))
    cov = np.atleast_2d(np.asarray(covariance, dtype=float))
    if cov.shape != (g.size, g.size):
        raise ValueError(
            f"covariance must have shape ({g.size}, {g.size}) to match gradient, got {cov.shape}"
        )
    variance = float(g @ cov @ g)
    if variance < 0:
        raise ValueError("covariance is not positive semi-definite along the gradient")
    return float(np.sqrt(variance))


def wald_test(estimate: ArrayLike, reference: ArrayLike, covariance: ArrayLike) -> TestResult:
    """χ² = (θ̂ − θ₀)ᵀ Σ⁻¹ (θ̂ − θ₀) with as many degrees of freedom as parameters: does θ₀ fit θ̂'s
    spread?"""
    estimate, reference = (np.atleast_1d(np.asarray(x, dtype=float)) for x in (estimate, reference))
    if estimate.shape != reference.shape or estimate.ndim != 1:
        raise ValueError(
            f"estimate and reference must be vectors of one length, got {estimate.shape} and "
            f"{reference.shape}"
        )
    gap = estimate - reference
    cov = np.atleast_2d(np.asarray(covariance, dtype=float))
    if cov.shape != (gap.size, gap.size):
        raise ValueError(f"covariance must have shape ({gap.size}, {gap.size}), got {cov.shape}")
    statistic = float(gap @ np.linalg.solve(cov, gap))
    return TestResult(statistic, gap.size, float(chi2.sf(statistic, gap.size)))


def likelihood_ratio_test(log_likelihood: float, log_likelihood_null: float, df: int) -> TestResult:
    """2 (ℓ − ℓ₀) against χ²(df): the null model (e.g. a published law) has df fewer free
    parameters."""
    if int(df) != df or df < 1:
        raise ValueError(f"df must be a positive integer, got {df!r}")
    statistic = float(2 * (log_likelihood - log_likelihood_null))
    return TestResult(statistic, int(df), float(chi2.sf(statistic, int(df))))
