"""Tao et al. (2024), *Scaling Laws with Vocabulary*: the authors' own fitting procedures, run as released.

`scaling_core.vocabulary` fits the paper's laws to convergence with analytic gradients. The released
constants, however, come from a looser procedure: scipy's L-BFGS-B with its default tolerances and
finite-difference gradients, started from a grid, and the run with the lowest *relative mean squared
error* kept (not the lowest Huber objective it minimised). Where the objective is flat, where it stops
decides the constants, so reproducing them to their printed digits needs that procedure itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import product

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import OptimizeResult, fsolve, minimize
from scipy.special import huber

from .._checks import as_positive
from ..fit.powerlaw import PowerLaw
from ..vocabulary import (
    PARAMETER_UNIT,
    TOKEN_UNIT,
    TOKENS_PER_CHARACTER,
    VOCABULARY_CAP,
    VocabularyFit,
    _law,
    relative_mse,
    tao_starts,
)

FloatArray = NDArray[np.float64]


FINITE_DIFFERENCE_STEP = 1e-8
"""The absolute step of the forward differences scipy's L-BFGS-B takes when no gradient is given."""


def _minimize_as_released(
    batch_objective: Callable[[FloatArray], FloatArray], start: FloatArray
) -> OptimizeResult:
    """scipy's L-BFGS-B with default options and the forward-difference gradient it computes itself
    when given none, step for step; `batch_objective` maps (k, n) points to k values, so the n + 1
    evaluations of one gradient are one vectorised call instead of n + 1 calls through scipy."""
    fallback = np.sqrt(np.finfo(float).eps)

    def value_and_gradient(x: FloatArray) -> tuple[float, FloatArray]:
        step = np.full_like(x, FINITE_DIFFERENCE_STEP)
        step = np.where((x + step) - x == 0, fallback * np.where(x >= 0, 1.0, -1.0) * np.maximum(1.0, np.abs(x)), step)
        points = np.repeat(x[None, :], len(x) + 1, axis=0)
        points[np.arange(1, len(x) + 1), np.arange(len(x))] = x + step
        values = batch_objective(points)
        return float(values[0]), (values[1:] - values[0]) / ((x + step) - x)

    return minimize(value_and_gradient, start, jac=True, method="L-BFGS-B")


def tao2024_power_law_starts() -> FloatArray:
    """The authors' 400 approach-1 starts: rows (K, p), K = ln k on 20 points of [−20, 15], p on 20 of [0, 1]."""
    return np.array(list(product(np.linspace(-20, 15, 20), np.linspace(0, 1, 20))))


@dataclass(frozen=True)
class ReleasedProcedureFit:
    """Result of a fit by the authors' procedure: the winning run and every run's scores.

    `params` are the fitted parameters in the procedure's own coordinates; `objective_by_start` is the
    Huber objective each start stopped at and `relative_mse_by_start` its selection score."""

    law: PowerLaw | object
    params: FloatArray
    objective: float
    relative_mse: float
    converged: bool
    objective_by_start: FloatArray = field(repr=False)
    relative_mse_by_start: FloatArray = field(repr=False)


def fit_power_law_as_released(
    x: ArrayLike, y: ArrayLike, *, exponent: float | None = None, delta: float = 1e-3
) -> ReleasedProcedureFit:
    """y = e^K x^p as the authors fit their approach-1 laws: summed Huber loss (δ = `delta`) of the
    log-residuals, scipy L-BFGS-B with default options and numerical gradients from each of the 400
    starts of `tao2024_power_law_starts`, and the run with the lowest relative MSE of ln y kept.

    With `exponent` fixed, only K is fitted; the authors' grid then repeats each of its 20 K starts
    20 times with identical results, so each is run once."""
    x, y = as_positive("x", x), as_positive("y", y)
    if x.shape != y.shape or x.ndim != 1 or len(x) < 2:
        raise ValueError(f"x and y must be 1-D of the same length (at least 2), got {x.shape} and {y.shape}")
    if not delta > 0:
        raise ValueError(f"delta must be > 0, got {delta!r}")
    log_x, log_y = np.log(x), np.log(y)
    starts = tao2024_power_law_starts()
    if exponent is not None:
        starts = np.unique(starts[:, :1], axis=0)

    def predict(params: FloatArray) -> FloatArray:  # (k, 1 or 2) parameter rows -> (k, points)
        params = np.atleast_2d(params)
        slope = params[:, 1:2] if exponent is None else exponent
        return params[:, :1] + slope * log_x

    def objective(params: FloatArray) -> FloatArray:
        return np.sum(huber(delta, predict(params) - log_y), axis=1)

    runs = [_minimize_as_released(objective, start) for start in starts]
    scores = np.array([relative_mse(log_y, predict(run.x)[0]) for run in runs])
    best = int(np.argmin(scores))  # first of equal scores, as a strict "<" scan over the grid keeps
    params = runs[best].x
    slope = float(params[1]) if exponent is None else float(exponent)
    return ReleasedProcedureFit(
        law=PowerLaw(float(np.exp(params[0])), slope),
        params=params,
        objective=float(runs[best].fun),
        relative_mse=float(scores[best]),
        converged=bool(runs[best].success),
        objective_by_start=np.array([run.fun for run in runs]),
        relative_mse_by_start=scores,
    )


def fit_vocabulary_law_as_released(
    N_nv: ArrayLike,
    N_v: ArrayLike,
    D: ArrayLike,
    loss_u: ArrayLike,
    *,
    delta: float = 1e-3,
    exponent_bounds: tuple[float, float] = (0.1, 1.0),
    starts: ArrayLike | None = None,
) -> VocabularyFit:
    """The approach-3 law fitted as the authors' script does: summed Huber loss (δ = `delta`) of the L_u
    residuals, scipy L-BFGS-B with default options and numerical gradients from each of the 486 starts
    of `tao_starts`, and among the runs with α2 and β strictly inside `exponent_bounds` the one with the
    lowest relative MSE. D is in tokens (see `characters_to_tokens` for the two conventions).
    `starts` (rows of `tao_starts`) runs only those; the full grid takes about a minute on one core.

    `scaling_core.vocabulary.fit_vocabulary_law` minimises the same objective to convergence; this one
    stops where the authors' runs stop."""
    arrays = [np.ravel(np.asarray(v, dtype=float)) for v in (N_nv, N_v, D, loss_u)]
    if len({len(a) for a in arrays}) != 1:
        raise ValueError(f"N_nv, N_v, D and loss_u must have the same length, got {[len(a) for a in arrays]}")
    N_nv, N_v, D = (as_positive(name, a) for name, a in zip(("N_nv", "N_v", "D"), arrays[:3]))
    loss = arrays[3]
    if not np.isfinite(loss).all() or len(loss) < 6:
        raise ValueError(f"loss_u must be finite with at least 6 points, got {len(loss)}")
    grid = tao_starts() if starts is None else np.atleast_2d(np.asarray(starts, dtype=float))
    if grid.shape[1:] != (6,):
        raise ValueError(f"starts must have shape (k, 6) for (a1, a2, b, e, alpha2, beta), got {grid.shape}")
    log_n, log_nv, log_d = np.log(N_nv / PARAMETER_UNIT), np.log(N_v / PARAMETER_UNIT), np.log(D / TOKEN_UNIT)

    def predict(theta: FloatArray) -> FloatArray:  # (k, 6) rows (a1, a2, b, e, α2, β) -> (k, points)
        a1, a2, b, e, alpha2, beta = (column[:, None] for column in np.atleast_2d(theta).T)
        return np.exp(a1 - beta * log_n) + np.exp(a2 - alpha2 * log_nv) + np.exp(b - beta * log_d) - np.exp(e)

    def objective(theta: FloatArray) -> FloatArray:
        return np.sum(huber(delta, predict(theta) - loss), axis=1)

    rows, successes = [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for start in grid:
            run = _minimize_as_released(objective, start)
            rows.append([*run.x, run.fun, relative_mse(loss, predict(run.x)[0])])
            successes.append(run.success)
    candidates = np.array(rows)
    low, high = exponent_bounds
    admissible = ((candidates[:, 4:6] > low) & (candidates[:, 4:6] < high)).all(axis=1)
    admissible &= np.isfinite(candidates[:, 7])
    if not admissible.any():
        raise RuntimeError(f"no start stopped with α2 and β inside {exponent_bounds}")
    best = int(np.flatnonzero(admissible)[np.argmin(candidates[admissible, 7])])
    theta = candidates[best, :6]
    return VocabularyFit(
        law=_law(theta),
        theta=theta,
        objective=float(candidates[best, 6]),
        relative_mse=float(candidates[best, 7]),
        converged=bool(successes[best]),
        n_starts=len(candidates),
        n_admissible=int(admissible.sum()),
        candidates=candidates,
    )


def fit_exponent_as_released(x: ArrayLike, y: ArrayLike, *, delta: float = 1e-3) -> ReleasedProcedureFit:
    """y = x^p (through x = y = 1) as the authors fit approach 2's γ: summed Huber loss of the
    log-residuals, scipy L-BFGS-B with default options and numerical gradients from 20 starts p in
    [0, 1], and among the runs with p < 1 the one with the lowest relative MSE of ln y."""
    x, y = as_positive("x", x), as_positive("y", y)
    if x.shape != y.shape or x.ndim != 1 or len(x) < 1:
        raise ValueError(f"x and y must be 1-D of the same length, got {x.shape} and {y.shape}")
    if not delta > 0:
        raise ValueError(f"delta must be > 0, got {delta!r}")
    log_x, log_y = np.log(x), np.log(y)

    def objective(params: FloatArray) -> FloatArray:
        return np.sum(huber(delta, np.atleast_2d(params)[:, :1] * log_x - log_y), axis=1)

    runs = [_minimize_as_released(objective, np.array([start])) for start in np.linspace(0, 1, 20)]
    scores = np.array([relative_mse(log_y, run.x[0] * log_x) for run in runs])
    admissible = np.array([run.x[0] < 1 for run in runs])
    if not admissible.any():
        raise RuntimeError("no start stopped with an exponent below 1")
    best = int(np.flatnonzero(admissible)[np.argmin(scores[admissible])])
    return ReleasedProcedureFit(
        law=PowerLaw(1.0, float(runs[best].x[0])),
        params=runs[best].x,
        objective=float(runs[best].fun),
        relative_mse=float(scores[best]),
        converged=bool(runs[best].success),
        objective_by_start=np.array([run.fun for run in runs]),
        relative_mse_by_start=scores,
    )


def flop_minimising_vocabulary_as_released(N_nv: ArrayLike, d: ArrayLike) -> FloatArray:
    """V minimising (N_nv + V d)·r(V), found as the authors do: scipy's fsolve on dF/dV from V = 1,000.

    `scaling_core.vocabulary.flop_minimising_vocabulary` solves the same equation by bisection; the two
    roots agree to 1e-13 relative, yet approach 2's γ, fitted through them on a flat Huber objective,
    differs at its seventh digit, so reproducing the released γ needs this root-finder."""
    N_nv, d = np.broadcast_arrays(as_positive("N_nv", N_nv), as_positive("d (width)", d))
    c2, c1, c0 = TOKENS_PER_CHARACTER

    def slope(V: FloatArray, size: float, width: float) -> FloatArray:
        log_v = np.log(np.minimum(V, VOCABULARY_CAP))
        return 6 * (width * (c2 * log_v**2 + c1 * log_v + c0) + (size + width * V) / V * (2 * c2 * log_v + c1))

    roots = [fsolve(slope, 1000.0, args=(float(size), float(width)))[0] for size, width in zip(N_nv.ravel(), d.ravel())]
    return np.array(roots).reshape(N_nv.shape)
