"""Many minimisations at once: BFGS run on a whole batch of parameter vectors with numpy.

A grid of starts, or the refits of a bootstrap, are independent problems of the same small
dimension. Running them one after another pays Python's overhead per start and per iteration; here
every iteration evaluates the objective and its gradient for all unfinished problems in one
vectorised call, keeps a dense inverse-Hessian approximation per problem (p × p, p small), and takes
an Armijo backtracking step.

The objective is called as `fun(x, rows)`: `x` has shape (m, p) and `rows` says which of the k
problems its m rows belong to (so a bootstrap can pick each problem's own resample weights); it
returns the values (m,) and the gradients (m, p).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._typing import FloatArray, IntArray

BatchObjective = Callable[[FloatArray, IntArray], tuple[FloatArray, FloatArray]]

_ARMIJO = 1e-4  # sufficient-decrease constant of the line search
_MAX_BACKTRACKS = 40


@dataclass(frozen=True)
class BatchMinimum:
    """Where each problem of a batch ended: x (k, p), objective (k,), iterations (k,), converged
    (k,)."""

    x: FloatArray
    fun: FloatArray
    n_iterations: NDArray[np.int64]
    converged: NDArray[np.bool_]


def minimize_batch(
    fun: BatchObjective,
    x0: ArrayLike,
    *,
    ftol: float = 1e-13,
    gtol: float = 1e-12,
    max_iterations: int = 1000,
    inverse_hessian: ArrayLike | None = None,
) -> BatchMinimum:
    """Minimise k independent smooth problems from the starts `x0` (k, p) with batched BFGS.

    A problem stops when an iteration lowers its objective by at most `ftol` relative to its value,
    when its largest gradient component is at most `gtol`, or when no step along the search
    direction decreases it (then it sits at a minimum up to rounding). `converged` is False only for
    problems still running after `max_iterations`. `inverse_hessian` ((p, p) or (k, p, p)) replaces
    the identity as the first approximation, e.g. the curvature at a nearby optimum when
    warm-starting.
    """
    x = np.array(x0, dtype=float, ndmin=2)
    k, p = x.shape
    everyone = np.arange(k)
    f, g = fun(x, everyone)
    if not np.all(np.isfinite(f)):
        raise ValueError("the objective is not finite at every start")
    eye = np.eye(p)
    if inverse_hessian is None:
        H = np.broadcast_to(eye, (k, p, p)).copy()
        scaled = np.zeros(k, dtype=bool)  # H gets its first curvature scale at the first update
    else:
        H = np.broadcast_to(np.asarray(inverse_hessian, dtype=float), (k, p, p)).copy()
        scaled = np.ones(k, dtype=bool)
    iterations = np.zeros(k, dtype=np.int64)
    active = everyone[g.__abs__().max(axis=1) > gtol]

    for _ in range(max_iterations):
        if not active.size:
            break
        d = -np.einsum("kij,kj->ki", H[active], g[active])
        slope = np.einsum("ki,ki->k", g[active], d)
        uphill = ~(slope < 0)
        if (
            uphill.any()
        ):  # the approximation lost positive definiteness: restart it as steepest descent
            H[active[uphill]] = eye
            scaled[active[uphill]] = False
            d[uphill] = -g[active[uphill]]
            slope[uphill] = -np.einsum("ki,ki->k", d[uphill], d[uphill])
        first = ~scaled[active]
        step = np.ones(len(active))
        step[first] = np.minimum(1.0, 1.0 / np.abs(d[first]).max(axis=1))

        x_new, f_new, g_new = x[active].copy(), f[active].copy(), g[active].copy()
        moved = np.zeros(len(active), dtype=bool)
        trying = np.arange(len(active))
        for _ in range(_MAX_BACKTRACKS):
            candidate = x[active[trying]] + step[trying, None] * d[trying]
            f_try, g_try = fun(candidate, active[trying])
            decrease = f_try - f[active[trying]]
            ok = np.isfinite(f_try) & (decrease <= _ARMIJO * step[trying] * slope[trying])
            took = trying[ok]
            x_new[took], f_new[took], g_new[took] = candidate[ok], f_try[ok], g_try[ok]
            moved[took] = True
            trying = trying[~ok]
            if not trying.size:
                break
            # minimiser of the quadratic through f(0), f'(0) and f(step), kept within [0.1, 0.5] ×
            # step
            t, s0, df = step[trying], slope[trying], decrease[~ok]
            with np.errstate(divide="ignore", invalid="ignore"):
                guess = -s0 * t * t / (2.0 * (df - s0 * t))
            guess = np.where(np.isfinite(guess), guess, 0.5 * t)
            step[trying] = np.clip(guess, 0.1 * t, 0.5 * t)

        rows = active[moved]
        s = x_new[moved] - x[rows]
        y = g_new[moved] - g[rows]
        reduction = f[rows] - f_new[moved]
        x[rows], f[rows], g[rows] = x_new[moved], f_new[moved], g_new[moved]
        iterations[active] += 1
        _update_inverse_hessians(H, scaled, rows, s, y)

        done = np.ones(len(active), dtype=bool)  # a problem with no acceptable step is finished
        done[moved] = (reduction <= ftol * np.maximum(np.abs(f[rows]), np.finfo(float).tiny)) | (
            np.abs(g[rows]).max(axis=1) <= gtol
        )
        active = active[~done]

    converged = np.ones(k, dtype=bool)
    converged[active] = False
    return BatchMinimum(x=x, fun=f, n_iterations=iterations, converged=converged)


def _update_inverse_hessians(
    H: FloatArray, scaled: NDArray[np.bool_], rows: IntArray, s: FloatArray, y: FloatArray
) -> None:
    """BFGS update of the inverse Hessians H[rows] in place, skipped where the curvature s·y is
    not positive."""
    sy = np.einsum("ki,ki->k", s, y)
    yy = np.einsum("ki,ki->k", y, y)
    keep = sy > 1e-12 * np.sqrt(np.einsum("ki,ki->k", s, s) * yy)
    rows, s, y, sy, yy = rows[keep], s[keep], y[keep], sy[keep], yy[keep]
    if not rows.size:
        return
    first = ~scaled[rows]
    H[rows[first]] *= (sy[first] / yy[first])[:, None, None]
    scaled[rows] = True
    h = H[rows]
    rho = 1.0 / sy
    hy = np.einsum("kij,kj->ki", h, y)
    yhy = np.einsum("ki,ki->k", y, hy)
    h += (rho * (1.0 + rho * yhy))[:, None, None] * np.einsum("ki,kj->kij", s, s)
    h -= rho[:, None, None] * (np.einsum("ki,kj->kij", hy, s) + np.einsum("ki,kj->kij", s, hy))
    H[rows] = h


def inverse_hessian_at(fun: BatchObjective, x: ArrayLike, step: float = 1e-5) -> FloatArray | None:
    """Inverse of the Hessian at `x` (p,) by central differences of the analytic gradient, for warm
    starts near `x`; None when that Hessian is not positive definite (then BFGS starts from the
    identity)."""
    x = np.asarray(x, dtype=float)
    p = len(x)
    shifts = step * np.eye(p)
    _, grads = fun(np.concatenate([x + shifts, x - shifts]), np.zeros(2 * p, dtype=np.intp))
    hessian = (grads[:p] - grads[p:]) / (2 * step)
    hessian = 0.5 * (hessian + hessian.T)
    if not np.all(np.isfinite(hessian)) or np.linalg.eigvalsh(hessian)[0] <= 0:
        return None
    return np.linalg.inv(hessian)
