"""Robust fitting of the Chinchilla law.

`fit_chinchilla` follows Hoffmann et al. (2022, App. D.2): minimise the Huber loss (δ = 1e-3) of log
L − LSE(a − α log N, b − β log D, e), where A = e^a, B = e^b, E = e^e, over a grid of starts. The
objective and its analytic gradient are evaluated for a whole batch of parameter vectors at once.

With the default grid the search is fast and reaches the optimum a plain per-start L-BFGS-B run over
the whole grid reaches (the benchmark in `benchmarks/` checks it): Hoffmann's grid is screened in
one pass, a 2-D scan over (α, β) with (E, A, B) solved by non-negative least squares (variable
projection) adds starts close to every basin, the most promising of both are refined together by
batched BFGS (on at most 2,000 of the runs, which is enough to rank the basins), the best few are
converged on all runs, and the winner is polished with L-BFGS-B. Explicit `starts` are each run with
L-BFGS-B, as in the papers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize

from .._checks import as_positive
from .._typing import FloatArray
from ..laws import ChinchillaLaw
from .huber import huber
from .multistart import minimize_batch
from .report import FitReport, reports_fit
from .runs import validate_runs
from .varpro import product_grid_nnls

PARAMETER_NAMES = ("a", "b", "e", "alpha", "beta")  # a = log A, b = log B, e = log E
_FINALISTS = 4  # basins converged tightly after the rough ranking
_SCOUT_POINTS = 2000  # runs used to screen starts and rank basins (more only slow the ranking down)
_ROUGH_ITERATIONS = 400  # enough to settle every start into its basin (≤ 180 on Epoch's points)
_FINAL_ITERATIONS = (
    1000  # a finalist still moving after this many has no minimum to reach (e.g. α → −∞)
)
_LOG_FLOAT_MAX = float(np.log(np.finfo(float).max))
# |exponent| below which the law's terms are summed directly, without overflow or underflow.
_EXP_SAFE = 300.0


HOFFMANN_AXES = (
    np.arange(0.0, 25.1, 5.0),  # a = log A
    np.arange(0.0, 25.1, 5.0),  # b = log B
    np.arange(-1.0, 1.01, 0.5),  # e = log E
    np.arange(0.0, 2.01, 0.5),  # α
    np.arange(0.0, 2.01, 0.5),  # β
)
"""The values of Hoffmann's grid of starts along each parameter."""


def hoffmann_grid() -> FloatArray:
    """Hoffmann's 4,500 starts: α, β ∈ {0, .5, …, 2}, e ∈ {−1, −.5, …, 1}, a, b ∈ {0, 5, …, 25}.

    Rows are (a, b, e, α, β), the last parameter varying fastest."""
    return np.array(list(product(*HOFFMANN_AXES)))


def screen_product_grid(
    axes: tuple[ArrayLike, ...],
    log_n: FloatArray,
    log_d: FloatArray,
    log_loss: FloatArray,
    delta: float = 1e-3,
) -> FloatArray:
    """Summed Huber objective at every point of the product grid of `axes` (values of a, b, e, α,
    β), in the row order of `itertools.product`, without gradients.

    On a product grid the terms A/N^α and B/D^β take only len(a)·len(α) and len(b)·len(β) distinct
    rows, so they are exponentiated once and combined by broadcasting; one (a, b) slab at a time
    keeps memory at O(grid / (len(a)·len(b)) × points). Starts whose terms overflow score +inf.
    """
    a, b, e, alpha, beta = (np.asarray(v, dtype=float) for v in axes)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        term_n = np.exp(a[:, None, None] - alpha[None, :, None] * log_n)  # (a, α, points)
        term_d = np.exp(b[:, None, None] - beta[None, :, None] * log_d)  # (b, β, points)
        E = np.exp(e)[:, None, None, None]
        values = np.empty((len(a), len(b), len(e), len(alpha), len(beta)))
        for i, j in product(range(len(a)), range(len(b))):
            total = (
                E + term_n[i][None, :, None, :] + term_d[j][None, None, :, :]
            )  # (e, α, β, points)
            r = np.abs(log_loss - np.log(total))
            clipped = np.minimum(r, delta)
            values[i, j] = (clipped * (r - 0.5 * clipped)).sum(axis=-1)
    values[~np.isfinite(values)] = np.inf
    return values.reshape(-1)


def chinchilla_objective(
    theta: ArrayLike,
    log_n: FloatArray,
    log_d: FloatArray,
    log_loss: FloatArray,
    delta: float = 1e-3,
    mean: bool = False,
    weights: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Huber objective and its analytic gradient for one (5,) or a batch (k, 5) of parameter
    vectors.

    Returns (values of shape (k,), gradients of shape (k, 5)); `mean` divides by the number of
    points. `weights` ((n,) or (k, n)) multiplies each point's term, e.g. how often a bootstrap
    resample drew it.
    """
    theta = np.atleast_2d(np.asarray(theta, dtype=float))
    a, b, e, alpha, beta = (theta[:, i : i + 1] for i in range(5))
    t_n = a - alpha * log_n
    t_d = b - beta * log_d
    top = np.maximum(np.maximum(t_n.max(), t_d.max()), e.max())
    if top < _EXP_SAFE and min(t_n.min(), t_d.min(), e.min()) > -_EXP_SAFE:
        w_n, w_d, w_e = np.exp(t_n), np.exp(t_d), np.exp(e)  # the terms A/N^α, B/D^β, E themselves
        log_total = 0.0
    else:  # log-sum-exp shifted by the largest term, safe for any magnitude
        top = np.maximum(np.maximum(t_n, t_d), e)
        w_n, w_d, w_e = np.exp(t_n - top), np.exp(t_d - top), np.exp(e - top)
        log_total = top
    total = w_n + w_d + w_e
    log_total = log_total + np.log(total)
    value, slope = huber(log_loss - log_total, delta)
    if weights is not None:
        value = value * weights
        slope = slope * weights
    slope /= total  # d residual / d term = − softmax weight of the term
    s_n = slope * w_n
    s_d = slope * w_d
    grad = np.stack(
        [-s_n.sum(axis=1), -s_d.sum(axis=1), -(slope * w_e).sum(axis=1), s_n @ log_n, s_d @ log_d],
        axis=1,
    )
    value = value.sum(axis=1)
    if mean:
        return value / len(log_n), grad / len(log_n)
    return value, grad


@dataclass(frozen=True)
class ChinchillaFit:
    """Result of `fit_chinchilla`: the law, the parameter vector (a, b, e, α, β) and how the
    search went."""

    law: ChinchillaLaw
    theta: FloatArray
    objective: float
    converged: bool
    n_iterations: int
    message: str
    start: FloatArray
    n_starts: int
    n_refined: int
    candidates: FloatArray = field(
        repr=False
    )  # objective reached from each refined start (on the runs that rank basins)
    report: FitReport | None = field(default=None, repr=False, compare=False)


def term_warnings(law: ChinchillaLaw, N: ArrayLike, D: ArrayLike, loss: ArrayLike) -> list[str]:
    """Terms of a fitted law that vanish over the runs (e.g. A/N^α below 1e-4 of the loss at every
    run): the fit then drops that term and its parameters are set by nothing in the data."""
    N, D, loss = (
        np.ravel(as_positive(name, x)) for name, x in (("N", N), ("D", D), ("loss", loss))
    )
    small = 1e-4 * loss
    terms = (
        ("A/N^alpha", law.A * N**-law.alpha, "A and alpha"),
        ("B/D^beta", law.B * D**-law.beta, "B and beta"),
        ("E", np.full_like(loss, law.E), "E"),
    )
    return [
        f"the fit drops the term {term} (below 1e-4 of the loss at every run): {which} are not "
        "determined by these runs"
        for term, values, which in terms
        if np.all(values < small)
    ]


def theta_from_law(law: ChinchillaLaw) -> FloatArray:
    """The parameter vector (log A, log B, log E, α, β) of a law: a fit's start or its truth."""
    return np.array([np.log(law.A), np.log(law.B), np.log(law.E), law.alpha, law.beta])


def law_from_theta(theta: ArrayLike) -> ChinchillaLaw:
    """The law of a parameter vector (log A, log B, log E, α, β); both exponents must be
    positive."""
    a, b, e, alpha, beta = np.asarray(theta, dtype=float)
    if not (alpha > 0 and beta > 0):
        raise ValueError(
            f"the best fit has a non-positive exponent (alpha = {alpha:.4g}, beta = {beta:.4g}): "
            "the losses do not "
            "fall with N and D as the Chinchilla form L = E + A/N^alpha + B/D^beta requires"
        )
    if not max(a, b, e) < _LOG_FLOAT_MAX:
        raise ValueError(
            f"the fit diverges (log A = {a:.4g}, log B = {b:.4g}, log E = {e:.4g}): these runs do "
            "not determine the law"
        )
    return ChinchillaLaw(
        E=float(np.exp(e)),
        A=float(np.exp(a)),
        B=float(np.exp(b)),
        alpha=float(alpha),
        beta=float(beta),
        name="fit",
    )


def variable_projection_starts(
    N: FloatArray, D: FloatArray, loss: FloatArray, exponents: FloatArray | None = None
) -> FloatArray:
    """Starts (a, b, e, α, β) from a scan over (α, β): at fixed exponents the law is linear in (E,
    A, B), so a relative-error non-negative least-squares fit gives them exactly
    (`varpro.product_grid_nnls`); one row per (α, β) pair."""
    exponents = (
        np.geomspace(0.02, 3.0, 28) if exponents is None else np.asarray(exponents, dtype=float)
    )
    alpha, beta = (g.ravel() for g in np.meshgrid(exponents, exponents, indexing="ij"))
    w = 1.0 / loss**2  # least squares in relative error ≈ least squares in log loss
    best, _ = product_grid_nnls(N, D, loss, exponents, exponents, w)
    floor = 1e-8 * loss.min()  # an absent term starts tiny rather than at log 0
    E, A, B = np.maximum(best, floor).T
    return np.stack([np.log(A), np.log(B), np.log(E), alpha, beta], axis=1)


def _most_promising(starts: FloatArray, values: FloatArray, count: int) -> FloatArray:
    """The `count` starts with the lowest objective (ties broken by order)."""
    order = np.argsort(values, kind="stable")[:count]
    return starts[order]


def _run_lbfgsb(objective, start: FloatArray, tol: float, max_iterations: int):
    return minimize(
        objective,
        start,
        jac=True,
        method="L-BFGS-B",
        options={"ftol": tol, "gtol": tol * 1e-3, "maxiter": max_iterations},
    )


@reports_fit
def fit_chinchilla(
    N: ArrayLike,
    D: ArrayLike,
    loss: ArrayLike,
    *,
    delta: float = 1e-3,
    reduction: str = "sum",
    starts: ArrayLike | None = None,
    refine: int = 24,
    tol: float = 1e-12,
    max_iterations: int = 10_000,
) -> ChinchillaFit:
    """Fit L = E + A/N^α + B/D^β to runs (N parameters, D tokens, final loss) by Hoffmann's
    procedure.

    reduction: "sum" (Epoch's replication) or "mean" (the loss scale Hoffmann used, per Besiroglu et
    al.). starts: None searches from Hoffmann's 4,500-point grid plus variable-projection starts and
    refines the `refine` most promising of each (see the module docstring); an explicit (k, 5) array
    of (a, b, e, α, β) runs L-BFGS-B from every one of those starts, exactly as a per-start scipy
    run would (tol: L-BFGS-B's ftol, gtol = tol·1e-3; scipy's own defaults are ftol ≈ 2.2e-9, gtol =
    1e-5).
    """
    N, D, loss = validate_runs(N, D, loss)
    if reduction not in ("sum", "mean"):
        raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")
    if not delta > 0:
        raise ValueError(f"delta must be > 0, got {delta!r}")
    data = (np.log(N), np.log(D), np.log(loss), delta, reduction == "mean")
    described = dict(  # the fit report, less its starts
        form="L = E + A/N^alpha + B/D^beta (log-sum-exp parameters)",
        n_points=len(loss),
        objective=f"Huber (delta = {delta:g}) on log L, "
        + ("summed" if reduction == "sum" else "averaged"),
        optimiser="L-BFGS-B" if starts is not None else "batched BFGS, then L-BFGS-B",
        flop_definition="not used (N and D given)",
    )

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        value, grad = chinchilla_objective(theta, *data)
        return float(value[0]), grad[0]

    if starts is not None:
        grid = np.atleast_2d(np.asarray(starts, dtype=float))
        if grid.ndim != 2 or grid.shape[1] != 5 or not np.isfinite(grid).all():
            raise ValueError(
                "starts must be a finite array of shape (k, 5) for (a, b, e, alpha, beta), got "
                f"shape {grid.shape}"
            )
        results = [_run_lbfgsb(objective, start, tol, max_iterations) for start in grid]
        values = np.array([r.fun for r in results])
        best = int(np.argmin(values))
        result = results[best]
        return ChinchillaFit(
            law=law_from_theta(result.x),
            theta=result.x,
            objective=float(result.fun),
            converged=bool(result.success),
            n_iterations=int(result.nit),
            message=str(result.message),
            start=grid[best],
            n_starts=len(grid),
            n_refined=len(grid),
            candidates=values,
            report=FitReport(
                **described, starts=f"{len(grid)} given starts, each run to convergence"
            ),
        )

    if refine < 1:
        raise ValueError(f"refine must be >= 1, got {refine!r}")
    # Starts are screened and their basins ranked on at most _SCOUT_POINTS runs spread over the data
    # (all of them in the usual case); only the few finalists are then converged on every run.
    scouts = np.unique(np.linspace(0, len(N) - 1, min(len(N), _SCOUT_POINTS)).astype(int))
    scout_data = tuple(x[scouts] for x in data[:3]) + data[3:]
    grid = hoffmann_grid()
    projected = variable_projection_starts(N[scouts], D[scouts], loss[scouts])
    chosen = np.concatenate(
        [
            _most_promising(grid, screen_product_grid(HOFFMANN_AXES, *scout_data[:4]), refine),
            _most_promising(projected, chinchilla_objective(projected, *scout_data)[0], refine),
        ]
    )
    # rank the basins with a loose tolerance, then converge the best few tightly and polish the
    # winner
    rough = minimize_batch(
        lambda x, rows: chinchilla_objective(x, *scout_data),
        chosen,
        ftol=1e-8,
        gtol=1e-14,
        max_iterations=min(max_iterations, _ROUGH_ITERATIONS),
    )
    leaders = np.argsort(rough.fun, kind="stable")[:_FINALISTS]
    batch = minimize_batch(
        lambda x, rows: chinchilla_objective(x, *data),
        rough.x[leaders],
        ftol=1e-13,
        gtol=1e-14,
        max_iterations=min(max_iterations, _FINAL_ITERATIONS),
    )
    best = int(np.argmin(batch.fun))
    result = _run_lbfgsb(objective, batch.x[best], tol, max_iterations)
    theta, value = (
        (result.x, float(result.fun))
        if result.fun <= batch.fun[best]
        else (batch.x[best], float(batch.fun[best]))
    )
    return ChinchillaFit(
        law=law_from_theta(theta),
        theta=theta,
        objective=value,
        converged=bool(batch.converged[best] or result.success),
        n_iterations=int(rough.n_iterations[leaders[best]] + batch.n_iterations[best] + result.nit),
        message=(
            f"batched BFGS ({'converged' if batch.converged[best] else 'iteration limit'}), "
            f"then L-BFGS-B: {result.message}"
        ),
        start=chosen[leaders[best]],
        n_starts=len(grid) + len(projected),
        n_refined=len(chosen),
        candidates=rough.fun,
        report=FitReport(
            **described,
            starts=f"Hoffmann's {len(grid):,}-point grid and {len(projected)} "
            f"variable-projection starts; the best {refine} of each refined",
        ),
    )
