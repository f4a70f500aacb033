"""Nonlinear least squares from many starts at once: a batched Levenberg–Marquardt iteration.

A grid of starts of a small least-squares problem is a batch of independent problems of one size.
Here every iteration solves the damped normal equations of all unfinished starts in one vectorised
call, from analytic residuals and Jacobians; `best_least_squares` then polishes the best start with
scipy's MINPACK Levenberg–Marquardt, so the optimum is as tight as a single-start solver gets it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import least_squares

from .._typing import FloatArray

ResidualsAndJacobian = Callable[[FloatArray], tuple[FloatArray, FloatArray]]


def batched_levenberg_marquardt(
    residuals_and_jacobian: ResidualsAndJacobian,
    starts: FloatArray,
    *,
    iterations: int = 300,
    tol: float = 1e-10,
) -> tuple[FloatArray, FloatArray]:
    """Minimise ½‖r(θ)‖² from every row of `starts` (k, p) at once.

    `residuals_and_jacobian` maps a (k, p) batch to residuals (k, n) and Jacobians (k, n, p). Each
    start keeps its own Marquardt damping (scaled by diag JᵀJ, so parameters of very different size
    are treated alike); a start stops when a step improves its cost by less than `tol` relative,
    when its step is smaller than `tol` relative to its parameters, or when no damping makes
    progress. Returns the final parameters (k, p) and residual sums of squares (k,), NaN-free (a
    start whose cost is not finite at its start gets +inf).
    """
    theta = np.array(starts, dtype=float, copy=True)
    if theta.ndim != 2:
        raise ValueError(f"starts must have shape (k, p), got {theta.shape}")
    k, p = theta.shape
    with np.errstate(all="ignore"):
        r, J = (
            np.array(x, dtype=float) for x in residuals_and_jacobian(theta)
        )  # copies: updated in place below
        cost = np.sum(r * r, axis=1)
    cost = np.where(np.isfinite(cost), cost, np.inf)
    damping = np.full(k, 1e-3)
    active = np.isfinite(cost)
    eye = np.eye(p)
    for _ in range(iterations):
        if not active.any():
            break
        idx = np.flatnonzero(active)
        Ja, ra = J[idx], r[idx]
        Jt = Ja.transpose(0, 2, 1)
        A = Jt @ Ja
        g = (Jt @ ra[..., None])[..., 0]
        diag = np.diagonal(A, axis1=1, axis2=2)
        floor = 1e-12 * diag.max(axis=1, keepdims=True) + 1e-300
        system = A + damping[idx, None, None] * eye * np.maximum(diag, floor)[:, None, :]
        try:
            step = -np.linalg.solve(system, g[..., None])[..., 0]
        except np.linalg.LinAlgError:
            step = -(np.linalg.pinv(system) @ g[..., None])[..., 0]
        trial = theta[idx] + step
        with np.errstate(all="ignore"):  # a wild step may overflow; it is then rejected
            r_new, J_new = residuals_and_jacobian(trial)
            new_cost = np.sum(r_new * r_new, axis=1)
            better = (
                np.isfinite(new_cost) & np.isfinite(J_new.sum(axis=(1, 2))) & (new_cost < cost[idx])
            )
        gain = np.where(better, (cost[idx] - new_cost) / np.maximum(cost[idx], 1e-300), 0.0)
        accepted = idx[better]
        theta[accepted], r[accepted], J[accepted], cost[accepted] = (
            trial[better],
            r_new[better],
            J_new[better],
            new_cost[better],
        )
        damping[idx] = np.where(better, np.maximum(damping[idx] / 3, 1e-12), damping[idx] * 4)
        tiny_step = np.all(np.abs(step) <= tol * (np.abs(theta[idx]) + tol), axis=1)
        done = (
            (better & (gain < tol))
            | tiny_step
            | (damping[idx] > 1e10)
            | ~np.all(np.isfinite(step), axis=1)
        )
        active[idx[done]] = False
    return theta, cost


def best_least_squares(
    residuals_and_jacobian: ResidualsAndJacobian, starts: FloatArray
) -> tuple[FloatArray, float, bool, FloatArray]:
    """Batched LM from every start, then scipy's MINPACK LM (analytic Jacobian) from the best one.

    Returns the best parameters (p,), their residual sum of squares, whether MINPACK reported
    success, and the residual sum of squares of every start (k,), the best one after polishing.
    """
    theta, cost = batched_levenberg_marquardt(residuals_and_jacobian, starts)
    if not np.isfinite(cost).any():
        raise RuntimeError("the least-squares fit diverged from every start; give other starts")
    best = int(np.argmin(cost))

    def single(x: FloatArray) -> tuple[FloatArray, FloatArray]:
        r, J = residuals_and_jacobian(x[None, :])
        return r[0], J[0]

    polished = least_squares(
        lambda x: single(x)[0],
        theta[best],
        jac=lambda x: single(x)[1],
        method="lm",
        xtol=1e-15,
        ftol=1e-15,
        gtol=1e-15,
    )
    rss = float(polished.fun @ polished.fun)
    if rss <= cost[best]:
        theta[best], cost[best] = polished.x, rss
    return theta[best], float(cost[best]), bool(polished.success), cost
