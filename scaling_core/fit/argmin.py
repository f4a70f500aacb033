"""The optimum of an IsoFLOP curve by interpolation instead of a parabola (Porian et al. 2024).

A parabola in log N assumes the IsoFLOP curve is symmetric about its minimum; curves measured with a
long warmup or a mismatched schedule are not, and a parabola through all points then misplaces the
minimum. Porian et al. instead interpolate log loss against log N with an Akima spline (which
follows the points without overshooting), read the argmin off a fine geometric grid, and measure its
uncertainty by adding Gaussian noise to the losses and repeating (a noise bootstrap). This module
implements that procedure, vectorised over the replicas, for any x (parameters or tokens) and any
IsoFLOP table.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.interpolate import Akima1DInterpolator

from .._checks import as_positive
from .._typing import FloatArray
from .report import REPORT_KEY, FitReport, reports_fit
from .weighted_powerlaw import WeightedPowerLaw, aligned_replicas, fit_weighted_power_law

RandomSource = np.random.Generator | np.random.RandomState

POINTS_PER_INTERVAL = 25  # grid points per gap between measured sizes (Porian et al.)
FLOOR_FRACTION = (
    0.33  # the spread of log x* is at least this fraction of the mean gap between sizes
)


def _sorted_points(x: ArrayLike, y: ArrayLike) -> tuple[FloatArray, FloatArray]:
    x = as_positive("x", x)
    y = as_positive("y (loss)", y)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(
            f"x and y must be 1-D of the same length, got shapes {x.shape} and {y.shape}"
        )
    if len(np.unique(x)) != len(x) or len(x) < 3:
        raise ValueError(f"x must hold at least three distinct values, got {np.sort(x)}")
    order = np.argsort(x)
    return x[order], y[order]


def log_grid(x: FloatArray, points_per_interval: int = POINTS_PER_INTERVAL) -> FloatArray:
    """(m − 1)·points_per_interval geometrically spaced points from min(x) to max(x)."""
    if points_per_interval < 2:
        raise ValueError(f"points_per_interval must be >= 2, got {points_per_interval}")
    return np.geomspace(x.min(), x.max(), (len(x) - 1) * points_per_interval)


@dataclass(frozen=True)
class AkimaArgmin:
    """An Akima curve of log y against log x on a geometric grid, and its minimum."""

    grid: FloatArray
    curve: FloatArray  # y on the grid
    index: int
    report: FitReport | None = field(default=None, repr=False, compare=False)

    @property
    def interior(self) -> bool:
        """False when the minimum sits at either end of the measured range (no optimum inside
        it)."""
        return 0 < self.index < len(self.grid) - 1

    @property
    def x_star(self) -> float:
        return float(self.grid[self.index])

    @property
    def y_star(self) -> float:
        return float(self.curve[self.index])


def _grid_argmin(points_per_interval: int) -> str:
    return f"argmin on a geometric grid, {points_per_interval} points per gap between sizes"


AKIMA_OBJECTIVE = "none (the spline interpolates every point)"
NO_STARTS = "none needed (grid search)"


@reports_fit
def akima_argmin(
    x: ArrayLike, y: ArrayLike, points_per_interval: int = POINTS_PER_INTERVAL
) -> AkimaArgmin:
    """Interpolate log y against log x with an Akima spline and take the grid point of least y."""
    x, y = _sorted_points(x, y)
    grid = log_grid(x, points_per_interval)
    curve = np.exp(Akima1DInterpolator(np.log(x), np.log(y))(np.log(grid)))
    report = FitReport(
        form="argmin of an Akima spline of log y against log x",
        n_points=len(x),
        objective=AKIMA_OBJECTIVE,
        optimiser=_grid_argmin(points_per_interval),
        starts=NO_STARTS,
    )
    return AkimaArgmin(grid, curve, int(np.argmin(curve)), report)


@dataclass(frozen=True)
class ArgminBootstrap:
    """The argmins of `replicas` noisy copies of one IsoFLOP curve; end-of-range argmins are
    dropped."""

    draws: FloatArray  # valid argmins x*, in replica order
    losses: FloatArray = field(repr=False)  # interpolated y at each valid argmin
    replicas: int
    log_step: float  # log spacing of the grid
    points_per_interval: int

    @property
    def valid(self) -> int:
        return len(self.draws)

    @property
    def ok(self) -> bool:
        """At least half of the replicas have an interior optimum."""
        return self.valid >= self.replicas / 2

    @property
    def x_star(self) -> float:
        """The median valid argmin (NaN when fewer than half the replicas are valid)."""
        return float(np.median(self.draws)) if self.ok else float("nan")

    @property
    def y_star(self) -> float:
        return float(np.median(self.losses)) if self.ok else float("nan")

    def log_sd(self, floor_fraction: float = FLOOR_FRACTION) -> float:
        """Spread of log x*, floored at a fraction of the gap between sizes and inflated by the
        share of invalid replicas (replicas / valid): the sigma of Porian et al.'s weighted
        power-law fit."""
        if not self.ok:
            return float("nan")
        floor = floor_fraction * self.points_per_interval * self.log_step
        return float(max(np.std(np.log(self.draws)), floor) * self.replicas / self.valid)


def bootstrap_argmin(
    x: ArrayLike,
    y: ArrayLike,
    *,
    noise_sd: float,
    rng: RandomSource,
    replicas: int = 1000,
    points_per_interval: int = POINTS_PER_INTERVAL,
) -> ArgminBootstrap:
    """Add N(0, noise_sd²) to every y (a replicas × m draw, columns in ascending x), redo the Akima
    argmin for each replica at once, and keep the interior ones.

    `rng` is a seeded numpy Generator; a `RandomState` reproduces draws made with numpy's legacy
    global generator (as Porian et al.'s analysis does)."""
    x, y = _sorted_points(x, y)
    noise_sd = float(as_positive("noise_sd", noise_sd))
    if replicas < 2:
        raise ValueError(f"replicas must be >= 2, got {replicas}")
    noisy = y + noise_sd * rng.normal(0, 1, (replicas, len(x)))
    if (noisy <= 0).any():
        raise ValueError("noise_sd is so large that some noisy losses are <= 0")
    grid = log_grid(x, points_per_interval)
    log_curves = Akima1DInterpolator(np.log(x), np.log(noisy.T), axis=0)(
        np.log(grid)
    )  # grid × replicas
    index = np.argmin(log_curves, axis=0)
    inside = (index > 0) & (index < len(grid) - 1)
    losses = np.exp(log_curves[index[inside], np.flatnonzero(inside)])
    return ArgminBootstrap(
        grid[index[inside]], losses, replicas, float(np.log(grid[1] / grid[0])), points_per_interval
    )


@reports_fit
def isoflop_optima(
    points: pd.DataFrame,
    *,
    noise_sd: float,
    rng: RandomSource,
    replicas: int = 1000,
    points_per_interval: int = POINTS_PER_INTERVAL,
) -> pd.DataFrame:
    """Porian et al.'s optimum per compute budget of an IsoFLOP table (columns flops, n, tokens,
    loss).

    Budgets are taken in ascending order; each draws its noise for N, then for the tokens D. A
    budget has an optimum when the noiseless argmin is interior and at least half the replicas are.
    Returns one row per budget: flops, sizes, n_star and t_star (median valid argmins), loss_star
    (median interpolated minimum along D, the one the authors store), n_star_log_sd and
    t_star_log_sd, n_valid and t_valid, n_noiseless, has_optimum, and n_draws / t_draws (the valid
    argmins, for replica fits). Its report is in `attrs["report"]` (`fit.report.report_of`).
    """
    missing = {"flops", "n", "tokens", "loss"} - set(points.columns)
    if missing:
        raise ValueError(
            f"points needs the columns flops, n, tokens, loss; missing {sorted(missing)}"
        )
    rows = []
    for flops, budget in points.groupby("flops", sort=True):
        if len(budget) < 3:
            continue
        noiseless = akima_argmin(budget["n"], budget["loss"], points_per_interval)
        options = dict(
            noise_sd=noise_sd, rng=rng, replicas=replicas, points_per_interval=points_per_interval
        )
        by_n = bootstrap_argmin(
            budget["n"], budget["loss"], **options
        )  # draw order: N first, then D
        by_t = bootstrap_argmin(budget["tokens"], budget["loss"], **options)
        has_optimum = noiseless.interior and by_n.ok and by_t.ok
        rows.append(
            {
                "flops": float(flops),
                "sizes": len(budget),
                "n_star": by_n.x_star if has_optimum else np.nan,
                "t_star": by_t.x_star if has_optimum else np.nan,
                "loss_star": by_t.y_star
                if has_optimum
                else np.nan,  # the authors keep the D-axis minima
                "n_star_log_sd": by_n.log_sd(),
                "t_star_log_sd": by_t.log_sd(),
                "n_valid": by_n.valid if by_n.ok else 0,
                "t_valid": by_t.valid if by_t.ok else 0,
                "n_noiseless": noiseless.x_star,
                "has_optimum": has_optimum,
                "n_draws": by_n.draws,
                "t_draws": by_t.draws,
            }
        )
    if not rows:
        raise ValueError("points has no budget with at least three sizes: no IsoFLOP curve to fit")
    optima = pd.DataFrame(rows)
    optima.attrs[REPORT_KEY] = FitReport(
        form="per budget, N* and D* at the argmins of Akima splines of log loss against log N and "
        "log D",
        n_points=int(sum(row["sizes"] for row in rows)),
        objective=AKIMA_OBJECTIVE,
        optimiser=_grid_argmin(points_per_interval),
        starts=NO_STARTS,
        uncertainty=_noise_bootstrap(replicas, noise_sd),
    )
    return optima


def _noise_bootstrap(replicas: int, noise_sd: float) -> str:
    return f"noise bootstrap: {replicas:,} replicas of the losses plus N(0, {noise_sd:g}²) noise"


@reports_fit
def optimal_power_law(optima: pd.DataFrame, axis: str = "n") -> WeightedPowerLaw:
    """Porian et al.'s law through the optima of `isoflop_optima`: N* = k C^a (axis "n") or D* = k
    C^b (axis "t"), weighted by 1/σ², with one replica fit per bootstrap draw index (the i-th valid
    draw at each budget, as many as the scarcest list of N and D draws holds)."""
    if axis not in ("n", "t"):
        raise ValueError(f"axis must be 'n' (parameters) or 't' (tokens), got {axis!r}")
    used = optima[optima["has_optimum"]]
    if len(used) < 2:
        raise ValueError(f"a power law needs at least two budgets with an optimum, got {len(used)}")
    count = int(min(used["n_valid"].min(), used["t_valid"].min()))
    replicas = aligned_replicas(list(used[f"{axis}_draws"]), count)
    law = fit_weighted_power_law(
        used["flops"], used[f"{axis}_star"], log_sd=used[f"{axis}_star_log_sd"], replicas=replicas
    )
    optimum, exponent = ("N*", "a") if axis == "n" else ("D*", "b")
    line = law.report
    found = optima.attrs.get(REPORT_KEY)
    report = replace(
        line,
        form=f"{optimum} = k C^{exponent} through the Akima optima of {len(used)} budgets",
        objective=f"squared error of log {optimum}, weighted by 1/σ² (σ: the bootstrap spread "
        f"of log {optimum})",
        optimiser=(found.optimiser + "; then " if found else "") + line.optimiser,
        uncertainty=f"{found.uncertainty if found else 'bootstrap'}; one refit per replica "
        f"index, {count:,} refits",
    )
    return replace(law, report=report)
