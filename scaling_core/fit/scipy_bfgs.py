"""scipy's BFGS, step for step, on many independent problems at once.

A replication sometimes needs an optimiser's exact stopping point, not the optimum: Besiroglu et al.
(2024) refit 4,000 bootstrap resamples with `scipy.optimize.minimize(method="BFGS")` and its default
gradient tolerance (1e-5), and their printed standard errors and test statistics carry the digits of
where each run stopped. Looping over scipy takes minutes; here every problem follows scipy's
algorithm (identity start, the same Moré–Thuente line search with c1 = 1e-4, c2 = 0.9, the same
initial step and BFGS update) while the objective is evaluated for all of them in one call. The line
search is scipy's own `DCSRCH` state machine, driven one step at a time. A problem whose line search
fails (where scipy would fall back to another search) is handed to scipy itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.optimize._dcsrch import DCSRCH  # scipy's line search, the same one BFGS uses

from .._typing import FloatArray

IntArray = NDArray[np.int64]
BatchObjective = Callable[[FloatArray, IntArray], tuple[FloatArray, FloatArray]]
_C1, _C2, _XTOL, _STEP_MIN, _STEP_MAX = 1e-4, 0.9, 1e-14, 1e-100, 1e100  # scipy's BFGS line search
_SEARCH_STEPS = 100


@dataclass(frozen=True)
class ScipyBfgsBatch:
    """Where each problem stopped, its objective, its iterations, whether it met the gradient
    tolerance (scipy's `success`), and which went through scipy itself."""

    x: FloatArray
    fun: FloatArray
    iterations: IntArray
    converged: NDArray[np.bool_]
    handed_to_scipy: NDArray[np.bool_]


def _line_searches(
    fun: BatchObjective,
    x: FloatArray,
    p: FloatArray,
    f: FloatArray,
    slope: FloatArray,
    step: FloatArray,
    rows: IntArray,
) -> tuple[FloatArray, FloatArray, FloatArray, NDArray[np.bool_]]:
    """scipy's `scalar_search_wolfe1` along p for each row: step, value, gradient, success."""
    searches = [DCSRCH(None, None, _C1, _C2, _XTOL, _STEP_MIN, _STEP_MAX) for _ in rows]
    state = [(float(a), float(v), float(s), b"START") for a, v, s in zip(step, f, slope)]
    value = f.copy()
    gradient = np.full_like(p, np.nan)
    done = np.zeros(len(rows), dtype=bool)
    ok = np.zeros(len(rows), dtype=bool)
    for _ in range(_SEARCH_STEPS):
        wanted = []
        for i in np.flatnonzero(~done):
            stp, phi, dphi, task = searches[i]._iterate(*state[i])
            if not np.isfinite(stp) or task[:2] != b"FG":
                done[i] = True
                ok[i] = np.isfinite(stp) and task[:4] == b"CONV"
                state[i] = (stp, phi, dphi, task)
                continue
            state[i] = (stp, phi, dphi, task)
            wanted.append(i)
        if not wanted:
            break
        wanted = np.array(wanted)
        steps = np.array([state[i][0] for i in wanted])
        values, gradients = fun(x[wanted] + steps[:, None] * p[wanted], rows[wanted])
        slopes = np.einsum("ij,ij->i", gradients, p[wanted])
        value[wanted], gradient[wanted] = values, gradients
        for j, i in enumerate(wanted):
            state[i] = (steps[j], float(values[j]), float(slopes[j]), state[i][3])
    step_found = np.array([s[0] for s in state])
    return step_found, value, gradient, ok & done


def scipy_bfgs_batch(
    fun: BatchObjective,
    x0: ArrayLike,
    single: Callable[[FloatArray, int], tuple[float, FloatArray]],
    *,
    gtol: float = 1e-5,
    max_iterations: int | None = None,
) -> ScipyBfgsBatch:
    """Run `scipy.optimize.minimize(method="BFGS", jac=True)` from each row of `x0` (k, p), in
    lockstep.

    fun(x, rows) evaluates problems `rows` at x (len(rows), p) and returns values and gradients;
    single(x, row) evaluates one problem (for the rare problem handed to scipy itself).
    """
    x = np.array(x0, dtype=float, ndmin=2)
    k, p = x.shape
    max_iterations = 200 * p if max_iterations is None else max_iterations
    everyone = np.arange(k)
    f, g = fun(x, everyone)
    f, g = np.array(f, dtype=float), np.array(g, dtype=float)
    H = np.broadcast_to(np.eye(p), (k, p, p)).copy()
    previous = f + np.linalg.norm(g, axis=1) / 2  # scipy's guess that makes the first step about 1
    iterations = np.zeros(k, dtype=np.int64)
    handed = np.zeros(k, dtype=bool)
    active = everyone[np.abs(g).max(axis=1) > gtol]
    while active.size:
        direction = -np.einsum("kij,kj->ki", H[active], g[active])
        slope = np.einsum("ij,ij->i", g[active], direction)
        with np.errstate(divide="ignore", invalid="ignore"):
            guess = np.minimum(1.0, 1.01 * 2 * (f[active] - previous[active]) / slope)
        guess = np.where((slope != 0) & (guess >= 0), guess, 1.0)
        step, value, gradient, ok = _line_searches(
            fun, x[active], direction, f[active], slope, guess, active
        )
        handed[active[~ok]] = True
        rows, step, direction, value, gradient = (
            active[ok],
            step[ok],
            direction[ok],
            value[ok],
            gradient[ok],
        )
        s = step[:, None] * direction
        x[rows] += s
        y = gradient - g[rows]
        previous[rows], f[rows], g[rows] = f[rows], value, gradient
        iterations[rows] += 1
        going = (
            (np.abs(gradient).max(axis=1) > gtol)
            & np.isfinite(value)
            & (iterations[rows] < max_iterations)
        )
        going &= step * np.linalg.norm(direction, axis=1) > 0
        handed[rows[~np.isfinite(value)]] = True
        rows, s, y = rows[going], s[going], y[going]
        curvature = np.einsum("ij,ij->i", y, s)
        rho = np.where(curvature == 0, 1000.0, 1.0 / np.where(curvature == 0, 1.0, curvature))
        left = np.eye(p) - rho[:, None, None] * s[:, :, None] * y[:, None, :]
        H[rows] = (
            left @ H[rows] @ left.transpose(0, 2, 1)
            + rho[:, None, None] * s[:, :, None] * s[:, None, :]
        )
        active = rows
    converged = np.abs(g).max(axis=1) <= gtol
    for row in np.flatnonzero(handed):
        result = minimize(
            lambda z: single(z, int(row)),
            np.array(x0, dtype=float, ndmin=2)[row],
            jac=True,
            method="BFGS",
            options={"gtol": gtol, "maxiter": max_iterations},
        )
        x[row], f[row], iterations[row], converged[row] = (
            result.x,
            result.fun,
            result.nit,
            result.success,
        )
    return ScipyBfgsBatch(
        x=x, fun=f, iterations=iterations, converged=converged, handed_to_scipy=handed
    )
