"""Bootstrap intervals for the Chinchilla law: refit on resampled runs, read spreads off the draws.

Each resample draws the n runs with replacement; its refit minimises the same Huber objective with each
run weighted by how often it was drawn. All refits start from the full-data optimum and its curvature (they
land close to it) and run together in batches of batched BFGS (see `multistart`). (Two threads over
the batches did not pay on two cores: numpy's many short operations hold the interpreter lock.)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from .._checks import as_positive
from ..laws import ChinchillaLaw
from .chinchilla import ChinchillaFit, chinchilla_objective, fit_chinchilla, law_from_theta, validate_runs
from .multistart import inverse_hessian_at, minimize_batch
from .report import FitReport
from .scipy_bfgs import scipy_bfgs_batch

FloatArray = NDArray[np.float64]
COLUMNS = ("E", "A", "B", "alpha", "beta", "a")  # the columns of `ChinchillaBootstrap.params()`
_CHUNK = 500  # resamples refitted together: enough to amortise numpy's overhead, few enough for a progress bar


def percentile_interval(draws: ArrayLike, level: float = 0.95) -> tuple[float, float]:
    """The central `level` percentile interval of bootstrap draws (NaN draws ignored)."""
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    tail = (1 - level) / 2
    with np.errstate(invalid="ignore"):  # infinite draws (diverged refits) make an infinite or NaN bound
        low, high = np.nanquantile(np.asarray(draws, dtype=float), [tail, 1 - tail])
    return float(low), float(high)


@dataclass(frozen=True)
class ChinchillaBootstrap:
    """Bootstrap draws of the Chinchilla law: `theta` rows are (log A, log B, log E, α, β), one per
    resample; `fit` is the fit to all the runs; `converged` says which refits met their tolerance."""

    theta: FloatArray
    fit: ChinchillaFit
    converged: NDArray[np.bool_] = field(repr=False)

    @property
    def report(self) -> FitReport:
        """The full-data fit's report, its uncertainty method being this bootstrap."""
        method = f"bootstrap of the runs, {len(self.theta):,} resamples"
        return self.fit.report.with_uncertainty(method)

    def params(self) -> pd.DataFrame:
        """One row per resample: E, A, B, alpha, beta and the compute-optimal exponent a = β/(α+β)."""
        log_a, log_b, log_e, alpha, beta = self.theta.T
        with np.errstate(over="ignore"):  # a diverged refit shows as inf
            values = (np.exp(log_e), np.exp(log_a), np.exp(log_b), alpha, beta, beta / (alpha + beta))
        return pd.DataFrame(dict(zip(COLUMNS, values)))

    def standard_errors(self) -> pd.Series:
        """Standard deviation of each parameter over the resamples (the bootstrap standard error)."""
        with np.errstate(invalid="ignore"):  # NaN where a refit diverged to infinity
            return self.params().std(ddof=1).rename("standard error")

    def interval(self, level: float = 0.95) -> pd.DataFrame:
        """Percentile interval of each parameter: one row per parameter, columns low and high."""
        params = self.params()
        rows = [percentile_interval(params[column], level) for column in params]
        return pd.DataFrame(rows, index=params.columns, columns=["low", "high"])

    def derived(self, quantity: Callable[[ChinchillaLaw], float]) -> FloatArray:
        """Draws of any quantity of the law, e.g. `lambda law: law.tokens_per_parameter(5.88e23)`.

        A resample whose refit has no valid law (an exponent <= 0, or diverged) gives a NaN draw."""
        out = np.full(len(self.theta), np.nan)
        valid = self._valid()
        for i in np.flatnonzero(valid):
            out[i] = float(quantity(law_from_theta(self.theta[i])))
        return out

    def _valid(self) -> NDArray[np.bool_]:
        """Draws that make a law: finite, positive exponents, coefficients within float range."""
        finite = np.isfinite(self.theta).all(axis=1) & (self.theta[:, :3].max(axis=1) < np.log(np.finfo(float).max))
        return finite & (self.theta[:, 3] > 0) & (self.theta[:, 4] > 0)

    def tokens_per_parameter(self, C: float) -> FloatArray:
        """Draws of the compute-optimal D/N at budget C (FLOP): (C/6)^(b−a) / G², vectorised."""
        C = float(as_positive("C (FLOP budget)", C))
        log_a, log_b, _, alpha, beta = self.theta.T
        with np.errstate(invalid="ignore", divide="ignore"):
            log_g = (np.log(alpha) + log_a - np.log(beta) - log_b) / (alpha + beta)
            ratio = np.exp((alpha - beta) / (alpha + beta) * np.log(C / 6) - 2 * log_g)
        return np.where(self._valid(), ratio, np.nan)


def _show_progress(progress: bool | None, work: int) -> bool:
    """An explicit choice, else a bar for about a second's work or more, on a terminal, outside tests."""
    if progress is not None:
        return bool(progress)
    quiet = "PYTEST_CURRENT_TEST" in os.environ or not sys.stderr.isatty()
    return not quiet and work >= 1_000_000


def resample_counts(rng: np.random.Generator, n_resamples: int, n: int) -> NDArray[np.int64]:
    """How often each of n runs is drawn in each resample, (n_resamples, n), from one
    `rng.integers(0, n, size=(n_resamples, n))` call (so a seed fixes every resample)."""
    drawn = rng.integers(0, n, size=(n_resamples, n))
    flat = drawn + n * np.arange(n_resamples)[:, None]
    return np.bincount(flat.ravel(), minlength=n_resamples * n).reshape(n_resamples, n)


def counts_of_resamples(resamples: ArrayLike, n: int) -> NDArray[np.int64]:
    """How often each of n runs appears in each row of explicit resamples (k, m) of run indices,
    e.g. draws made elsewhere with another generator that a replication must reuse exactly."""
    indices = np.asarray(resamples)
    if indices.ndim != 2 or indices.shape[0] < 2 or not np.issubdtype(indices.dtype, np.integer):
        raise ValueError(
            "resamples must be a 2-d integer array of run indices, one resample per row "
            "(at least 2), "
            f"got dtype {indices.dtype} and shape {indices.shape}"
        )
    if indices.min() < 0 or indices.max() >= n:
        raise ValueError(
            f"resamples hold run indices from 0 to {n - 1}, got {indices.min()} to {indices.max()}"
        )
    flat = indices + n * np.arange(len(indices))[:, None]
    return np.bincount(flat.ravel(), minlength=len(indices) * n).reshape(len(indices), n)


def bootstrap_chinchilla(
    N: ArrayLike,
    D: ArrayLike,
    loss: ArrayLike,
    *,
    n_resamples: int = 4000,
    rng: np.random.Generator | None = None,
    resamples: ArrayLike | None = None,
    start: ArrayLike | None = None,
    stop_like_scipy: bool = False,
    delta: float = 1e-3,
    reduction: str = "sum",
    progress: bool | None = None,
) -> ChinchillaBootstrap:
    """Fit the Chinchilla law to all runs, then refit it on `n_resamples` resamples of the runs.

    rng: a seeded `np.random.Generator` (same seed, same draws), or else `resamples`: explicit
    run indices, one resample per row (then `n_resamples` is their number), to reuse draws made
    elsewhere. start: (log A, log B, log E, α, β) from which every refit starts, with BFGS's identity
    curvature (as Besiroglu et al. started from Hoffmann's estimates); by default each refit is
    warm-started at the full-data optimum with its curvature. stop_like_scipy: run each refit exactly
    as `scipy.optimize.minimize(method="BFGS")` with its default tolerances would from `start`
    (required), stopping where it stops rather than at the optimum (see `scipy_bfgs`). progress:
    show a tqdm bar; None shows one only for long runs on a terminal (never under tests or in a
    notebook build).
    """
    if (rng is None) == (resamples is None):
        raise TypeError(
            "give either rng (a numpy Generator, np.random.default_rng(seed)) or resamples, not both"
        )
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy Generator (np.random.default_rng(seed)), got {type(rng).__name__}"
        )
    N, D, loss = validate_runs(N, D, loss)
    if resamples is not None:
        counts = counts_of_resamples(resamples, len(N)).astype(float)
        n_resamples = len(counts)
    elif (
        isinstance(n_resamples, bool)
        or not isinstance(n_resamples, (int, np.integer))
        or n_resamples < 2
    ):
        raise ValueError(f"n_resamples must be an integer >= 2, got {n_resamples!r}")
    else:
        counts = resample_counts(rng, int(n_resamples), len(N)).astype(float)
    fit = fit_chinchilla(N, D, loss, delta=delta, reduction=reduction)
    data = (np.log(N), np.log(D), np.log(loss), delta, reduction == "mean")
    if start is None:
        origin = fit.theta
        curvature = inverse_hessian_at(lambda x, rows: chinchilla_objective(x, *data), fit.theta)
    else:
        origin, curvature = np.asarray(start, dtype=float), None
        if origin.shape != (5,) or not np.all(np.isfinite(origin)):
            raise ValueError(
                f"start must be 5 finite numbers (log A, log B, log E, alpha, beta), got {start!r}"
            )
    if stop_like_scipy and start is None:
        raise ValueError("stop_like_scipy needs the start of scipy's runs (start=...)")

    def refit(chunk: slice) -> tuple[FloatArray, NDArray[np.bool_]]:
        weights = counts[chunk]
        if stop_like_scipy:
            runs = scipy_bfgs_batch(
                lambda x, rows: chinchilla_objective(x, *data, weights=weights[rows]),
                np.broadcast_to(origin, (len(weights), 5)),
                lambda x, row: tuple(
                    part[0] for part in chinchilla_objective(x, *data, weights=weights[row])
                ),
            )
            return runs.x, runs.converged
        result = minimize_batch(
            lambda x, rows: chinchilla_objective(x, *data, weights=weights[rows]),
            np.broadcast_to(origin, (len(weights), 5)),
            ftol=1e-12,
            gtol=1e-14,
            max_iterations=2000,
            inverse_hessian=curvature,
        )
        return result.x, result.converged

    chunks = [slice(i, min(i + _CHUNK, n_resamples)) for i in range(0, n_resamples, _CHUNK)]
    theta = np.empty((n_resamples, 5))
    converged = np.empty(n_resamples, dtype=bool)
    bar = None
    if _show_progress(progress, n_resamples * len(N)):
        from tqdm.auto import tqdm

        bar = tqdm(total=n_resamples, desc="bootstrap refits", unit="fit")
    for chunk in chunks:
        theta[chunk], converged[chunk] = refit(chunk)
        if bar is not None:
            bar.update(chunk.stop - chunk.start)
    if bar is not None:
        bar.close()
    return ChinchillaBootstrap(theta=theta, fit=fit, converged=converged)
