"""Variable projection for the Chinchilla law L = E + A/N^α + B/D^β.

At fixed exponents (α, β) the law is linear in (E, A, B), so non-negative least squares gives those
three exactly and the search is left with two dimensions instead of five. Two uses share this
module:

- `product_grid_nnls` solves the three coefficients for every (α, β) pair of a product grid at once
  (normal equations, every support of the non-negativity constraint tried), which is how
  `fit_chinchilla` gets starts near every basin;
- `fit_variable_projection` is a complete fit (Open-Athena's VPNLS): that grid scan, then L-BFGS-B
over   (α, β) on the exact projected residual sum of squares, whose gradient follows from the
envelope theorem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize, nnls

from .._typing import FloatArray
from ..laws import ChinchillaLaw
from .huber import huber
from .report import FitReport, reports_fit
from .runs import validate_runs

VARPRO_EXPONENTS = np.linspace(0.05, 0.95, 32)
"""Default scan of α and of β (32² pairs, as Open-Athena's VPNLS)."""


def product_grid_nnls(
    N: FloatArray,
    D: FloatArray,
    loss: FloatArray,
    alphas: FloatArray,
    betas: FloatArray,
    weights: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Non-negative (E, A, B) minimising Σ w (L − E − A N^-α − B D^-β)² for every pair of the
    product grid `alphas` × `betas` (β varying fastest).

    Returns (coefficients (m, 3) as E, A, B; residual sums of squares up to the constant Σ w L²).
    NNLS with three unknowns is solved exactly by trying every support (the 7 non-empty subsets) and
    keeping the feasible least-squares solution with the smallest residual, vectorised over the
    grid.
    """
    w = weights
    u = N[None, :] ** -alphas[:, None]  # (m_α, n): N^-α for each α of the scan
    v = D[None, :] ** -betas[:, None]
    pairs = len(alphas) * len(betas)
    i, j = np.divmod(np.arange(pairs), len(betas))
    wu, wv = u * w, v * w
    # Gram matrix of the columns (1, N^-α, D^-β) and their products with the losses, per (α, β) pair
    gram = np.empty((pairs, 3, 3))
    gram[:, 0, 0] = w.sum()
    gram[:, 0, 1] = gram[:, 1, 0] = wu.sum(axis=1)[i]
    gram[:, 0, 2] = gram[:, 2, 0] = wv.sum(axis=1)[j]
    gram[:, 1, 1] = (wu * u).sum(axis=1)[i]
    gram[:, 2, 2] = (wv * v).sum(axis=1)[j]
    gram[:, 1, 2] = gram[:, 2, 1] = (wu @ v.T)[i, j]
    rhs = np.stack([np.full(pairs, w @ loss), (wu @ loss)[i], (wv @ loss)[j]], axis=1)

    best_residual = np.full(pairs, np.inf)
    best = np.zeros((pairs, 3))
    for size in (1, 2, 3):
        for support in map(list, combinations(range(3), size)):
            sub = gram[:, support][:, :, support]
            try:
                coef = np.linalg.solve(sub, rhs[:, support, None])[:, :, 0]
            except (
                np.linalg.LinAlgError
            ):  # a singular pair somewhere (e.g. identical columns): least norm
                coef = (np.linalg.pinv(sub) @ rhs[:, support, None])[:, :, 0]
            full = np.zeros((pairs, 3))
            full[:, support] = coef
            # residual sum of squares up to the constant Σ w L²
            residual = np.einsum("ki,kij,kj->k", full, gram, full) - 2 * np.einsum(
                "ki,ki->k", full, rhs
            )
            better = (coef > 0).all(axis=1) & (residual < best_residual)
            best[better], best_residual[better] = full[better], residual[better]
    return best, best_residual


def linear_terms(
    N: FloatArray,
    D: FloatArray,
    loss: FloatArray,
    alpha: float,
    beta: float,
    weights: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """(E, A, B) by non-negative least squares at one (α, β), and the weighted residuals √w (L −
    fit).

    Solved on columns scaled to unit norm (Lawson–Hanson), so the coefficients are accurate even
    where the normal equations of `product_grid_nnls` would lose digits."""
    root_w = np.ones_like(loss) if weights is None else np.sqrt(weights)
    design = np.stack([np.ones_like(N), N**-alpha, D**-beta], axis=1) * root_w[:, None]
    scale = np.linalg.norm(design, axis=0)
    scaled, _ = nnls(design / scale, loss * root_w)
    coef = scaled / scale
    return coef, root_w * loss - design @ coef


def huber_linear_terms(
    N: FloatArray, D: FloatArray, loss: FloatArray, alpha: float, beta: float, delta: float
) -> tuple[FloatArray, FloatArray]:
    """(E, A, B) ≥ 0 minimising the summed Huber loss of L − E − A N^-α − B D^-β at one (α, β), and
    the residuals. The inner problem is convex; L-BFGS-B solves it on unit-norm columns from the
    least-squares solution."""
    design = np.stack([np.ones_like(N), N**-alpha, D**-beta], axis=1)
    scale = np.linalg.norm(design, axis=0)
    scaled = design / scale
    start, _ = nnls(scaled, loss)

    def objective(c: FloatArray) -> tuple[float, FloatArray]:
        value, slope = huber(loss - scaled @ c, delta)
        return float(value.sum()), -scaled.T @ slope

    result = minimize(
        objective, start, jac=True, method="L-BFGS-B", bounds=[(0, None)] * 3,
        options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 500},
    )  # fmt: skip
    coef = result.x / scale
    return coef, loss - design @ coef


def projected_huber(
    exponents: ArrayLike, N: FloatArray, D: FloatArray, loss: FloatArray, delta: float
) -> tuple[float, FloatArray]:
    """Summed Huber loss on L at (α, β) with (E, A, B) projected out, and its gradient in (α, β)
    (the envelope theorem again: the Huber loss is continuously differentiable)."""
    alpha, beta = (float(x) for x in exponents)
    (E, A, B), residual = huber_linear_terms(N, D, loss, alpha, beta, delta)
    value, slope = huber(residual, delta)
    gradient = np.array([slope @ (A * N**-alpha * np.log(N)), slope @ (B * D**-beta * np.log(D))])
    return float(value.sum()), gradient


def projected_objective(
    exponents: ArrayLike,
    N: FloatArray,
    D: FloatArray,
    loss: FloatArray,
    weights: FloatArray | None = None,
) -> tuple[float, FloatArray]:
    """Residual sum of squares at (α, β) with (E, A, B) projected out, and its gradient in (α, β).

    At the inner optimum the derivative of the sum by E, A and B is zero (or the coefficient is held
    at 0), so the gradient is that of the sum at fixed coefficients (the envelope theorem)."""
    alpha, beta = (float(x) for x in exponents)
    (E, A, B), residual = linear_terms(N, D, loss, alpha, beta, weights)
    root_w = np.ones_like(loss) if weights is None else np.sqrt(weights)
    d_alpha = root_w * A * N**-alpha * np.log(N)  # ∂(weighted residual)/∂α
    d_beta = root_w * B * D**-beta * np.log(D)
    return float(residual @ residual), 2 * np.array([residual @ d_alpha, residual @ d_beta])


@dataclass(frozen=True)
class VarProFit:
    """Result of `fit_variable_projection`: the law, (E, A, B, α, β) and how the search went."""

    law: ChinchillaLaw
    params: FloatArray  # E, A, B, alpha, beta
    objective: float  # residual sum of squares (weighted if weights were given)
    converged: bool
    message: str
    objective_by_start: FloatArray = field(
        repr=False
    )  # the scan's objective per (α, β) pair (empty if started)
    report: FitReport = field(repr=False, compare=False)


@reports_fit
def fit_variable_projection(
    N: ArrayLike,
    D: ArrayLike,
    loss: ArrayLike,
    *,
    exponents: ArrayLike = VARPRO_EXPONENTS,
    weights: ArrayLike | None = None,
    delta: float | None = None,
    start: ArrayLike | None = None,
    gtol: float = 1e-15,
    max_iterations: int = 1000,
) -> VarProFit:
    """Fit L = E + A/N^α + B/D^β with (E, A, B) projected out (Open-Athena's VPNLS).

    Least squares on L by default: the best pair of the `exponents` × `exponents` scan starts
    L-BFGS-B over (α, β) (analytic gradient), bounded to the scan's range. `weights` multiply each
    run's squared residual (e.g. 1/L² for least squares in relative error). With `delta`, the
    objective is instead the summed Huber loss on L and the inner problem a convex minimisation
    (every scan pair costs an inner solve: pass a coarser scan). `start` = (α, β) skips the scan
    (e.g. a bootstrap refit warm-started at the full-data optimum).
    """

    N, D, loss = validate_runs(N, D, loss)
    w = None if weights is None else np.asarray(weights, dtype=float)
    if w is not None and (w.shape != loss.shape or not (np.isfinite(w).all() and (w >= 0).all())):
        raise ValueError(
            f"weights must be finite, non-negative and one per run ({loss.shape}), "
            f"got shape {w.shape}"
        )
    if delta is not None and (w is not None or not delta > 0):
        raise ValueError(
            f"delta must be > 0 and cannot be combined with weights, got delta = {delta!r}"
        )
    grid = np.asarray(exponents, dtype=float)
    if grid.ndim != 1 or len(grid) < 2 or not (grid > 0).all():
        raise ValueError(
            f"exponents must be a 1-D scan of at least two positive values, got {grid!r}"
        )
    if start is not None:
        start = np.asarray(start, dtype=float)
        if start.shape != (2,) or not (start > 0).all():
            raise ValueError(f"start must be a positive (alpha, beta) pair, got {start!r}")
    bounds = [(grid.min(), grid.max())] * 2
    if delta is None:
        if start is None:
            w_full = np.ones_like(loss) if w is None else w
            scan = product_grid_nnls(N, D, loss, grid, grid, w_full)[1] + w_full @ loss**2
            x0 = grid[np.array(divmod(int(np.argmin(scan)), len(grid)))]
        else:
            scan, x0 = np.array([]), start
        result = minimize(
            projected_objective, x0, args=(N, D, loss, w), jac=True, method="L-BFGS-B",
            bounds=bounds,
            options={"ftol": 0.0, "gtol": gtol, "maxiter": max_iterations},
        )  # fmt: skip
        # with ftol = 0 the search ends when a line search can no longer lower the objective at
        # machine precision (status 2): at the optimum, that is how it stops
        converged = bool(result.success or result.status == 2)
        (E, A, B), residual = linear_terms(N, D, loss, *result.x, w)
        objective = float(residual @ residual)
    else:
        pairs = np.array(np.meshgrid(grid, grid, indexing="ij")).reshape(2, -1).T
        scan = np.array(
            [projected_huber(pair, N, D, loss, delta)[0] for pair in pairs] if start is None else []
        )
        x0 = pairs[int(np.argmin(scan))] if start is None else start
        result = minimize(
            projected_huber, x0, args=(N, D, loss, delta), jac=True, method="L-BFGS-B",
            bounds=bounds,
            options={"ftol": 0.0, "gtol": gtol, "maxiter": max_iterations},
        )  # fmt: skip
        converged = bool(result.success or result.status == 2)
        (E, A, B), residual = huber_linear_terms(N, D, loss, *result.x, delta)
        objective = float(huber(residual, delta)[0].sum())
    alpha, beta = result.x
    on_edge = any(np.isclose(x, edge) for x in (alpha, beta) for edge in bounds[0])
    law = ChinchillaLaw(
        E=float(E),
        A=float(A),
        B=float(B),
        alpha=float(alpha),
        beta=float(beta),
        name="variable projection",
    )
    if delta is None:
        objective_name = "sum of squared errors on L" + ("" if w is None else " (weighted)")
        optimiser = "variable projection: NNLS for E, A, B; L-BFGS-B over (alpha, beta)"
    else:
        objective_name = f"Huber (delta = {delta:g}) on L, summed"
        optimiser = (
            "variable projection: convex Huber solve for E, A, B; L-BFGS-B over (alpha, beta)"
        )
    report = FitReport(
        form="L = E + A/N^alpha + B/D^beta",
        n_points=len(loss),
        objective=objective_name,
        optimiser=optimiser,
        starts=f"best of a {len(grid)}x{len(grid)} (alpha, beta) scan"
        if start is None
        else "given (alpha, beta)",
    )
    # a minimum pressed against the scan's edge is a boundary stop, not a converged fit
    return VarProFit(
        law=law,
        params=np.array([E, A, B, alpha, beta]),
        objective=objective,
        converged=converged and not on_edge,
        message=str(result.message) + (" (at the edge of the exponent range)" if on_edge else ""),
        objective_by_start=scan,
        report=report,
    )
