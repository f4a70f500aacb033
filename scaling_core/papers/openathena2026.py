"""Czech (Open Athena, 2026), "Problems with Chinchilla Approach 2": the noise-free IsoFLOP designs
on which approach 2 is biased, the closed form of that bias, the conditioning of the five-parameter
fit, and the cost of a misallocated budget.

A design samples `points` model sizes log-spaced over [N_c/k, k·N_c] at each budget, D = C/(6N),
where the centre N_c is the true N* moved by a constant factor (`scale`: N*/scale) and by a drift
growing linearly in log C from nothing at the smallest budget to `drift` (log10 units) at the
largest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .._checks import as_positive
from .._typing import FloatArray
from ..laws import ChinchillaLaw

SURFACES = {
    "Symmetric": ChinchillaLaw(E=1.69, A=400.0, B=400.0, alpha=0.31, beta=0.31, name="Symmetric"),
    "Chinchilla": ChinchillaLaw(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28, name="Chinchilla"),
    # α/β = 3 with α + β = 0.62, as Open-Athena computes it
    "Asymmetric": ChinchillaLaw(
        E=1.69, A=406.4, B=410.7, alpha=0.62 * 3 / 4, beta=0.62 / 4, name="Asymmetric"
    ),
}
"""The three noise-free surfaces of the article."""

GRIDS = {"XS (±2×)": 2.0, "S (±4×)": 4.0, "L (±8×)": 8.0, "XL (±16×)": 16.0}
"""Grid names and their half-width factors k."""

BUDGETS = np.array([1e17, 1e18, 1e19, 1e20, 1e21])
POINTS = 15


def centre_offsets(budgets: ArrayLike, drift: float = 0.0, scale: float = 1.0) -> FloatArray:
    """log10(N_c/N*) per budget: −log10(scale) minus a drift rising linearly in log C to `drift`."""
    log_c = np.log10(as_positive("budgets", budgets))
    span = log_c.max() - log_c.min()
    rising = (log_c - log_c.min()) / span if span > 0 else np.zeros_like(log_c)
    return -np.log10(as_positive("scale", scale)) - drift * rising


def isoflop_design(
    law: ChinchillaLaw,
    half_width: float,
    *,
    budgets: ArrayLike = BUDGETS,
    points: int = POINTS,
    drift: float = 0.0,
    scale: float = 1.0,
) -> pd.DataFrame:
    """Noise-free IsoFLOP points of `law`: columns C, N, D (= C/6N), loss."""
    if not (half_width > 1 and points >= 3):
        raise ValueError(
            f"need a half-width factor > 1 and at least 3 points, got {half_width!r}, {points!r}"
        )
    budgets = as_positive("budgets", budgets)
    n_opt, _ = law.compute_optimal(budgets)
    centre = np.log10(n_opt) + centre_offsets(budgets, drift, scale)
    span = np.log10(half_width)
    log_n = centre[:, None] + np.linspace(-span, span, points)[None, :]
    C = np.repeat(budgets, points)
    N = 10 ** log_n.ravel()
    D = C / (6 * N)
    return pd.DataFrame({"C": C, "N": N, "D": D, "loss": law.loss(N, D)})


def vertex_shift(alpha: float, beta: float, offsets: ArrayLike) -> float:
    """log10(D̂*/D*) of a least-squares parabola in log10 D through the noise-free points at log10 D
    offsets `offsets` from the true D*, in closed form.

    Along an IsoFLOP the law is L = E + G (10^{α t}/α + 10^{−β t}/β), t = log10(D/D*), G the common
    value of α A/N*^α and β B/D*^β at the optimum: the budget, E, A and B only scale and shift the
    curve, so the vertex the parabola finds depends on α, β and the offsets alone. With α = β and
    symmetric offsets the curve is even in t and the vertex exact; otherwise the cubic term tilts it
    by about −ln 10 · (α − β)/6 · Σt⁴/Σt² (the first term of the expansion)."""
    t = np.asarray(offsets, dtype=float)
    f = 10 ** (alpha * t) / alpha + 10 ** (-beta * t) / beta
    design = np.stack([np.ones_like(t), t, t**2], axis=1)
    c0, c1, c2 = np.linalg.lstsq(design, f, rcond=None)[0]
    return float(-c1 / (2 * c2))


def approach2_error_closed_form(
    law: ChinchillaLaw, half_width: float, *, at: float = 1e24, budgets: ArrayLike = BUDGETS,
    points: int = POINTS, drift: float = 0.0, scale: float = 1.0,
) -> float:  # fmt: skip
    """Relative error (%) of approach 2's D* at `at` FLOP from the per-budget vertex shifts."""
    budgets = as_positive("budgets", budgets)
    span = np.log10(half_width)
    grid = np.linspace(-span, span, points)
    shifts = np.array(
        [
            vertex_shift(law.alpha, law.beta, -o - grid)
            for o in centre_offsets(budgets, drift, scale)
        ]
    )
    _, d_opt = law.compute_optimal(budgets)
    slope, intercept = np.polyfit(np.log10(budgets), np.log10(d_opt) + shifts, 1)
    _, true_d = law.compute_optimal(at)
    return float(100 * (10 ** (intercept + slope * np.log10(at)) / true_d - 1))


def jacobian(law: ChinchillaLaw, N: ArrayLike, D: ArrayLike) -> FloatArray:
    """∂L/∂(E, A, B, α, β) at every run, shape (n, 5)."""
    N, D = as_positive("N", N), as_positive("D", D)
    n_term, d_term = N**-law.alpha, D**-law.beta
    return np.stack(
        [np.ones_like(N), n_term, d_term, -law.A * n_term * np.log(N), -law.B * d_term * np.log(D)],
        axis=1,
    )


def rss_hessians(law: ChinchillaLaw, N: ArrayLike, D: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Hessians of the residual sum of squares at a law that fits the runs exactly: in (E, A, B, α,
    β), and in (α, β) with E, A, B projected out.

    With zero residuals the Hessian is 2 JᵀJ exactly; projecting the linear coefficients out leaves
    the Schur complement of their block (the Golub–Pereyra reduced problem)."""
    J = jacobian(law, N, D)
    full = 2 * J.T @ J
    linear, cross, nonlinear = full[:3, :3], full[:3, 3:], full[3:, 3:]
    return full, nonlinear - cross.T @ np.linalg.solve(linear, cross)


def condition_number(hessian: ArrayLike) -> float:
    """Largest over smallest eigenvalue of a symmetric positive-definite matrix."""
    eigenvalues = np.linalg.eigvalsh(np.asarray(hessian, dtype=float))
    if eigenvalues[0] <= 0:
        raise ValueError(
            f"the matrix is not positive definite (smallest eigenvalue {eigenvalues[0]:.3g})"
        )
    return float(eigenvalues[-1] / eigenvalues[0])


def budget_reaching(
    law: ChinchillaLaw, loss: float, *, low: float = 1e10, high: float = 1e40
) -> float:
    """The budget C at which the compute-optimal allocation of `law` reaches `loss` (bisection)."""
    if not law.E < loss:
        raise ValueError(f"loss {loss!r} is not above the law's floor E = {law.E!r}")
    lo, hi = np.log(low), np.log(high)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        n_opt, d_opt = law.compute_optimal(np.exp(mid))
        lo, hi = (mid, hi) if law.loss(n_opt, d_opt) > loss else (lo, mid)
    return float(np.exp(0.5 * (lo + hi)))


def misallocation(law: ChinchillaLaw, budget: float, tokens: float) -> float:
    """Fraction of `budget` wasted by training on `tokens` (N = C/6D) instead of the law's optimum:
    one minus the budget the optimum needs to reach the same loss over `budget` (Open-Athena's
    DCL)."""
    N = budget / (6 * tokens)
    return 1 - budget_reaching(law, float(law.loss(N, tokens))) / budget
