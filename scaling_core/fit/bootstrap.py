"""Bootstrap intervals for the Chinchilla law: refit on resampled runs, read spreads off the draws.

Each resample draws the n runs with replacement; its refit minimises the same Huber objective with
each run weighted by how often it was drawn. All refits start from the full-data optimum and its
curvature (they land close to it) and run together in batches of batched BFGS (see `multistart`).
(Two threads over the batches did not pay on two cores: numpy's many short operations hold the
interpreter lock.)

Memory is bounded: a batch holds a few dozen arrays of (resamples in the batch) × (runs) floats,
so the batch shrinks as the runs grow (one resample at a time for millions of runs), and each batch
draws its own resamples. Resample r is always the r-th draw from the generator, so the resamples do
not depend on the batch size (the refits agree to rounding, 1e-13: BLAS sums a batch in its own
order); only the fitted parameters, 40 bytes per resample, are kept.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from .._checks import as_positive
from .._typing import FloatArray
from ..laws import ChinchillaLaw
from .chinchilla import (
    ChinchillaFit,
    chinchilla_objective,
    fit_chinchilla,
    law_from_theta,
)
from .multistart import inverse_hessian_at, minimize_batch
from .report import FitReport, reports_fit
from .runs import validate_runs
from .scipy_bfgs import scipy_bfgs_batch

COLUMNS = ("E", "A", "B", "alpha", "beta", "a")  # the columns of `ChinchillaBootstrap.params()`
# Resamples refitted together at most: enough to amortise numpy's overhead, few enough for a
# progress bar.
_CHUNK = 500
BYTES_PER_CELL = (
    256  # peak working memory per (resample, run) of a batch being refitted (measured ≈ 225)
)
BYTES_PER_RESAMPLE = 100  # what a finished resample keeps: its parameters, flag and derived columns
DEFAULT_MEMORY_LIMIT = 1 << 30  # bytes of working memory a bootstrap may use by default (1 GiB)


def percentile_interval(draws: ArrayLike, level: float = 0.95) -> tuple[float, float]:
    """The central `level` percentile interval of bootstrap draws (NaN draws ignored)."""
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    tail = (1 - level) / 2
    # Diverged refits make an infinite or NaN bound, quietly.
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.filterwarnings("ignore", "All-NaN slice", RuntimeWarning)
        low, high = np.nanquantile(np.asarray(draws, dtype=float), [tail, 1 - tail])
    return float(low), float(high)


@dataclass(frozen=True)
class ChinchillaBootstrap:
    """Bootstrap draws of the Chinchilla law: `theta` rows are (log A, log B, log E, α, β), one per
    resample; `fit` is the fit to all the runs; `converged` says which refits met their
    tolerance; `refits` says how each refit was started and stopped."""

    theta: FloatArray
    fit: ChinchillaFit
    converged: NDArray[np.bool_] = field(repr=False)
    refits: str = field(repr=False)

    @property
    def report(self) -> FitReport:
        """The full-data fit's report, its uncertainty method being this bootstrap."""
        method = f"bootstrap of the runs, {len(self.theta):,} resamples; {self.refits}"
        return self.fit.report.with_uncertainty(method)

    def params(self) -> pd.DataFrame:
        """One row per resample: E, A, B, alpha, beta and the compute-optimal exponent a =
        β/(α+β)."""
        log_a, log_b, log_e, alpha, beta = self.theta.T
        with np.errstate(over="ignore"):  # a diverged refit shows as inf
            values = (
                np.exp(log_e),
                np.exp(log_a),
                np.exp(log_b),
                alpha,
                beta,
                beta / (alpha + beta),
            )
        return pd.DataFrame(dict(zip(COLUMNS, values)))

    def standard_errors(self) -> pd.Series:
        """Standard deviation of each parameter over the resamples (the bootstrap standard
        error)."""
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
        finite = np.isfinite(self.theta).all(axis=1) & (
            self.theta[:, :3].max(axis=1) < np.log(np.finfo(float).max)
        )
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
    """An explicit choice, else a bar for about a second's work or more, on a terminal, outside
    tests."""
    if progress is not None:
        return bool(progress)
    quiet = "PYTEST_CURRENT_TEST" in os.environ or not sys.stderr.isatty()
    return not quiet and work >= 1_000_000


def resample_counts(rng: np.random.Generator, n_resamples: int, n: int) -> NDArray[np.int64]:
    """How often each of n runs is drawn in each of the next `n_resamples` resamples, shape
    (n_resamples, n).

    Each resample is one `rng.integers(0, n, size=n)` call, so a seed fixes every resample, and
    drawing the resamples in batches of any size gives the same resamples as drawing them all at
    once."""
    counts = np.empty((n_resamples, n), dtype=np.int64)
    for row in counts:
        row[:] = np.bincount(rng.integers(0, n, size=n), minlength=n)
    return counts


def batch_size(n_runs: int, n_resamples: int, memory_limit: float) -> int:
    """Resamples refitted together so that the batch's working memory stays within `memory_limit`
    bytes. Refuses, before any work is done, a bootstrap that cannot stay within it."""
    kept = n_resamples * BYTES_PER_RESAMPLE
    per_resample = n_runs * BYTES_PER_CELL
    if kept + per_resample > memory_limit:
        raise ValueError(
            f"a bootstrap of {n_runs:,} runs with {n_resamples:,} resamples needs about "
            f"{_size(kept + per_resample)} ({_size(per_resample)} to refit one resample, "
            f"{_size(kept)} to keep the draws), more than the memory limit of "
            f"{_size(memory_limit)}; "
            "use fewer resamples or runs, or raise the limit"
        )
    return int(max(1, min(_CHUNK, n_resamples, (memory_limit - kept) // per_resample)))


def _size(n_bytes: float) -> str:
    return f"{n_bytes / 2**30:.3g} GiB" if n_bytes >= 2**30 else f"{n_bytes / 2**20:.3g} MiB"


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


@reports_fit
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
    memory_limit: float = DEFAULT_MEMORY_LIMIT,
) -> ChinchillaBootstrap:
    """Fit the Chinchilla law to all runs, then refit it on `n_resamples` resamples of the runs.

    rng: a seeded `np.random.Generator` (same seed, same draws), or else `resamples`: explicit run
    indices, one resample per row (then `n_resamples` is their number), to reuse draws made
    elsewhere. start: (log A, log B, log E, α, β) from which every refit starts, with BFGS's
    identity curvature (as Besiroglu et al. started from Hoffmann's estimates); by default each
    refit is warm-started at the full-data optimum with its curvature. stop_like_scipy: run each
    refit exactly as `scipy.optimize.minimize(method="BFGS")` with its default tolerances would from
    `start` (required), stopping where it stops rather than at the optimum (see `scipy_bfgs`).
    progress: show a tqdm bar; None shows one only for long runs on a terminal (never under tests or
    in a notebook build). memory_limit: bytes of working memory for the refits (the draws are the
    same whatever it is); a bootstrap that cannot stay within it is refused before it starts.
    """
    if (rng is None) == (resamples is None):
        raise TypeError(
            "give either rng (a numpy Generator, np.random.default_rng(seed)) or resamples, not "
            "both"
        )
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy Generator (np.random.default_rng(seed)), got {type(rng).__name__}"
        )
    N, D, loss = validate_runs(N, D, loss)
    if resamples is not None:
        counts = counts_of_resamples(resamples, len(N))
        n_resamples = len(counts)
    elif (
        isinstance(n_resamples, bool)
        or not isinstance(n_resamples, (int, np.integer))
        or n_resamples < 2
    ):
        raise ValueError(f"n_resamples must be an integer >= 2, got {n_resamples!r}")
    n_resamples = int(n_resamples)
    size = batch_size(len(N), n_resamples, as_positive("memory_limit", memory_limit).item())
    fit = fit_chinchilla(N, D, loss, delta=delta, reduction=reduction)
    data = (np.log(N), np.log(D), np.log(loss), delta, reduction == "mean")

    def full_data(x: FloatArray, rows: NDArray[np.intp]) -> tuple[FloatArray, FloatArray]:
        """The objective on all runs at each row of x, `size` rows at a time (the memory limit)."""
        parts = [chinchilla_objective(x[i : i + size], *data) for i in range(0, len(x), size)]
        return np.concatenate([v for v, _ in parts]), np.concatenate([g for _, g in parts])

    if start is None:
        origin = fit.theta
        curvature = inverse_hessian_at(full_data, fit.theta)
    else:
        origin, curvature = np.asarray(start, dtype=float), None
        if origin.shape != (5,) or not np.all(np.isfinite(origin)):
            raise ValueError(
                f"start must be 5 finite numbers (log A, log B, log E, alpha, beta), got {start!r}"
            )
    if stop_like_scipy and start is None:
        raise ValueError("stop_like_scipy needs the start of scipy's runs (start=...)")

    def refit(chunk: slice) -> tuple[FloatArray, NDArray[np.bool_]]:
        # Explicit resamples are sliced; drawn ones are drawn now, batch by batch, in order.
        drawn = (
            counts[chunk]
            if resamples is not None
            else resample_counts(rng, chunk.stop - chunk.start, len(N))
        )
        weights = drawn.astype(float)
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

    chunks = [slice(i, min(i + size, n_resamples)) for i in range(0, n_resamples, size)]
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
    if start is None:
        refits = "refits warm-started at the full-data optimum, batched BFGS"
    else:
        stop = "stopped as scipy's BFGS stops" if stop_like_scipy else "batched BFGS"
        refits = f"refits from the given start, {stop}"
    return ChinchillaBootstrap(theta=theta, fit=fit, converged=converged, refits=refits)
