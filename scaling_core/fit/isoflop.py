"""IsoFLOP analysis (approach 2 of Hoffmann et al. 2022): per compute budget, the model size at the
minimum of loss against log N, by a parabola (Hoffmann) or by Akima interpolation (Porian et al.
2024)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .._checks import as_positive
from .._typing import FloatArray
from .argmin import AkimaArgmin, akima_argmin
from .powerlaw import PowerLaw, fit_power_law
from .report import REPORT_KEY, FitReport, reports_fit


@dataclass(frozen=True)
class Parabola:
    """y = c0 + c1 x + c2 x², with its vertex."""

    c0: float
    c1: float
    c2: float
    report: FitReport | None = field(default=None, repr=False, compare=False)

    @property
    def vertex(self) -> float:
        return -self.c1 / (2 * self.c2)

    def __call__(self, x: ArrayLike) -> FloatArray:
        x = np.asarray(x, dtype=float)
        return self.c0 + self.c1 * x + self.c2 * x**2


@reports_fit
def fit_parabola(x: ArrayLike, y: ArrayLike) -> Parabola:
    """Least-squares parabola; refuses fewer than three distinct x or a curve opening downward."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same shape, got {x.shape} and {y.shape}")
    if len(np.unique(x)) < 3:
        raise ValueError(
            f"a parabola needs at least three distinct x values, got {len(np.unique(x))}"
        )
    c2, c1, c0 = np.polyfit(x, y, 2)
    if c2 <= 0:
        raise ValueError(
            "the fitted parabola opens downward: these points have no interior minimum"
        )
    report = FitReport(
        form="y = c0 + c1 x + c2 x^2",
        n_points=len(x),
        objective="squared error of y",
        optimiser="closed-form least squares",
        starts="none needed (linear least squares)",
    )
    return Parabola(float(c0), float(c1), float(c2), report)


def isoflop_minimum(N: ArrayLike, loss: ArrayLike) -> float:
    """N at the vertex of a parabola fitted to loss against log10 N (Hoffmann's approach 2)."""
    N = as_positive("N (parameters)", N)
    return float(10 ** fit_parabola(np.log10(N), loss).vertex)


def nearest_budgets(C: ArrayLike, budgets: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """For each run, the nearest of `budgets` and the distance to it in decades
    (log10 C − log10 budget)."""
    C = as_positive("C (FLOP)", np.ravel(np.asarray(C, dtype=float)))
    budgets = as_positive("budgets (FLOP)", np.ravel(np.asarray(budgets, dtype=float)))
    distance = np.log10(C)[:, None] - np.log10(budgets)
    nearest = np.abs(distance).argmin(axis=1)
    return budgets[nearest], distance[np.arange(len(C)), nearest]


def assign_budgets(C: ArrayLike, budgets: ArrayLike, window: tuple[float, float]) -> FloatArray:
    """Each run's IsoFLOP budget: the nearest of `budgets` when log10 C − log10 budget lies in
    `window` (decades, low ≤ 0 ≤ high), else NaN (a run on no IsoFLOP curve, which
    `isoflop_frontier` ignores). For data that record compute but not the budget a run was
    meant for, like points read off a figure."""
    low, high = window
    if not (np.isfinite(low) and np.isfinite(high) and low <= 0 <= high):
        raise ValueError(
            f"window must be (low, high) decades with low <= 0 <= high, got {window!r}"
        )
    nearest, offset = nearest_budgets(C, budgets)
    return np.where((offset >= low) & (offset <= high), nearest, np.nan)


def _argmin_per_budget(
    x: FloatArray, loss: FloatArray, budget: FloatArray, method: str
) -> list[tuple[float, float, int, Parabola | AkimaArgmin]]:
    """Per finite budget, ascending: (C, x at the minimum of loss, points, the fit that found
    it)."""
    if method not in ("parabola", "akima"):
        raise ValueError(f"method must be 'parabola' or 'akima', got {method!r}")
    found = []
    for C in np.unique(budget[np.isfinite(budget)]):
        on = budget == C
        try:
            if method == "parabola":
                fit = fit_parabola(np.log10(x[on]), loss[on])
                x_star = float(10**fit.vertex)
            else:
                fit = akima_argmin(x[on], loss[on])
                x_star = fit.x_star
        except ValueError as error:
            raise ValueError(f"budget {C:.3g} FLOP: {error}") from None
        found.append((float(C), x_star, int(on.sum()), fit))
    return found


@reports_fit
def isoflop_frontier(
    N: ArrayLike, loss: ArrayLike, budget: ArrayLike, *, method: str = "parabola"
) -> pd.DataFrame:
    """Approach 2: per compute budget C, the size N_opt at the minimum of loss against N, and
    D_opt = C/6N_opt.

    method: "parabola" (Hoffmann et al. 2022: least-squares parabola in log10 N, its vertex) or
    "akima" (Porian et al. 2024: Akima interpolation in log N, argmin on a fine grid; no symmetry
    assumed).
    Runs whose budget is NaN lie on no IsoFLOP curve and are ignored. One row per budget, ascending:
    C, points, N_opt, D_opt, tokens_per_parameter, inside (N_opt within the sampled sizes), and fit
    (the `Parabola` in log10 N, or the `AkimaArgmin`). Its report is in `attrs["report"]`
    (`fit.report.report_of`).
    """
    N = as_positive("N (parameters)", np.ravel(np.asarray(N, dtype=float)))
    loss = np.ravel(np.asarray(loss, dtype=float))
    budget = np.ravel(np.asarray(budget, dtype=float))
    if not N.shape == loss.shape == budget.shape:
        raise ValueError(
            "N, loss and budget must have the same length, "
            f"got {N.size}, {loss.size}, {budget.size}"
        )
    rows = [
        {
            "C": C,
            "points": points,
            "N_opt": N_opt,
            "D_opt": C / (6 * N_opt),
            "tokens_per_parameter": C / (6 * N_opt**2),
            "inside": bool(N[budget == C].min() <= N_opt <= N[budget == C].max()),
            "fit": fit,
        }
        for C, N_opt, points, fit in _argmin_per_budget(N, loss, budget, method)
    ]
    if not rows:
        raise ValueError("budget holds no finite value: no run lies on an IsoFLOP curve")
    frontier = pd.DataFrame(rows)
    first = rows[0]["fit"].report  # every budget's fit is of one method, so one report says how
    by_parabola = method == "parabola"
    frontier.attrs[REPORT_KEY] = FitReport(
        form="per budget, N_opt at the "
        + (
            "vertex of a parabola in log10 N"
            if by_parabola
            else "argmin of an Akima spline in log N"
        ),
        n_points=int(sum(row["points"] for row in rows)),
        objective="squared error of L per budget" if by_parabola else first.objective,
        optimiser=first.optimiser,
        starts=first.starts,
        flop_definition="the nominal budget of each IsoFLOP curve; D_opt = C/6N_opt",
    )
    return frontier


@dataclass(frozen=True)
class Approach2Fit:
    """Approach 2: a parabola's vertex per budget, then power laws N* = k C^a and D* = k' C^b."""

    budgets: FloatArray
    N_opt: FloatArray  # vertex of loss against log10 N, per budget
    D_opt: FloatArray  # vertex of loss against log10 D, per budget
    N_law: PowerLaw
    D_law: PowerLaw
    report: FitReport = field(repr=False, compare=False)


@reports_fit
def fit_approach2(
    N: ArrayLike, D: ArrayLike, C: ArrayLike, loss: ArrayLike, *, method: str = "parabola"
) -> Approach2Fit:
    """Hoffmann's approach 2 on IsoFLOP points grouped by their nominal budget C.

    Per budget, the minimum of loss against log10 N gives N*, and the one against log10 D gives D*
    (separately, as Open-Athena and Llama 3 do: with D = C/6N both vertices agree only when the data
    lie on one exact IsoFLOP), each by a parabola or by Akima interpolation as in
    `isoflop_frontier`; straight lines in log-log space through (C, N*) and (C, D*) give the
    laws."""
    named = (("N", N), ("D", D), ("C", C), ("loss", loss))
    N, D, C, loss = (np.ravel(as_positive(name, x)) for name, x in named)
    if not len(N) == len(D) == len(C) == len(loss):
        lengths = ", ".join(str(len(x)) for x in (N, D, C, loss))
        raise ValueError(f"N, D, C and loss must have the same length, got {lengths}")
    by_size = _argmin_per_budget(N, loss, C, method)
    if len(by_size) < 2:
        raise ValueError(f"approach 2 needs at least two budgets, got {len(by_size)}")
    budgets = np.array([row[0] for row in by_size])
    N_opt = np.array([row[1] for row in by_size])
    D_opt = np.array([row[1] for row in _argmin_per_budget(D, loss, C, method)])
    report = FitReport(
        form="N* = k C^a and D* = k' C^b from per-budget "
        + ("parabolas" if method == "parabola" else "Akima minima"),
        n_points=len(loss),
        objective=(
            "squared error of L per budget (parabolas in log10 N, log10 D); of log N*, log D* "
            "(lines)"
            if method == "parabola"
            else "none per budget (Akima interpolation); squared error of log N*, log D* (lines)"
        ),
        optimiser="closed-form least squares" if method == "parabola" else "grid argmin",
        starts="none needed (linear least squares)" if method == "parabola" else "none needed",
        flop_definition="the nominal budget of each IsoFLOP curve",
    )
    N_law, D_law = fit_power_law(budgets, N_opt), fit_power_law(budgets, D_opt)
    return Approach2Fit(budgets, N_opt, D_opt, N_law, D_law, report)
