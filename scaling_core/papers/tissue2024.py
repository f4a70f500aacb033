"""Loss curves as functions of the learning-rate schedule.

`AnnealingLaw` is the law of Tissue et al. (2024): L(s) = L0 + A·S1(s)^(−α) − C·S2(s), with S1 the
forward area and S2 the annealing area of the schedule up to step s (see `scaling_core.schedules`).
For a fixed α it is linear in (L0, A, C); `fit_annealing_law` uses that to screen a grid of α by
least squares, then refines the best candidates with BFGS on the Huber loss of log-loss with its
analytic gradient. The multi-power law of Luo et al. (2025), its contrast, is in
`scaling_core.papers.luo2025`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from .._checks import as_positive
from .._typing import FloatArray
from ..fit.huber import huber
from ..fit.multistart import minimize_batch
from ..fit.report import FitReport, reports_fit
from ..fit.result import FitResult
from ..schedules import DEFAULT_MOMENTUM, annealing_areas, step_indices

GRADIENT_TOLERANCE = 1e-8  # per point: |∂ objective / ∂ θ| below it counts as converged


@dataclass(frozen=True)
class AnnealingLaw:
    """L = L0 + A·S1^(−α) − C·S2 (Tissue et al. 2024); `lam` is the momentum decay λ used for S2."""

    L0: float
    A: float
    alpha: float
    C: float
    lam: float = DEFAULT_MOMENTUM
    name: str = "annealing law"

    def __post_init__(self) -> None:
        for name in ("L0", "A", "alpha"):
            as_positive(f"AnnealingLaw.{name}", getattr(self, name))
        if not np.isfinite(self.C):
            raise ValueError(f"AnnealingLaw.C must be finite, got {self.C!r}")
        if not (np.isfinite(self.lam) and 0.0 <= self.lam < 1.0):
            raise ValueError(f"AnnealingLaw.lam must be in [0, 1), got {self.lam!r}")

    def loss(self, S1: ArrayLike, S2: ArrayLike) -> FloatArray:
        """Predicted loss from the forward area S1 (> 0) and the annealing area S2 (broadcast
        together)."""
        S1 = as_positive("S1 (forward area)", S1)
        S2 = np.asarray(S2, dtype=float)
        return self.L0 + self.A * S1**-self.alpha - self.C * S2

    def loss_curve(self, lr: ArrayLike, steps: ArrayLike, *, anneal_from: int = 0) -> FloatArray:
        """Predicted loss at `steps` (integer indices into `lr`) of the per-step schedule `lr`."""
        areas = annealing_areas(lr, self.lam, anneal_from=anneal_from)
        index = step_indices("steps", steps, len(areas.S1))
        return self.loss(areas.S1[index], areas.S2[index])


def annealing_objective(
    theta: ArrayLike, S1: FloatArray, S2: FloatArray, log_loss: FloatArray, delta: float = 1e-3
) -> tuple[FloatArray, FloatArray]:
    """Summed Huber loss of log L − log L̂ and its analytic gradient, for one (4,) or a batch (k, 4)
    of vectors θ = (L0, log A, α, C): values of shape () or (k,), gradients (4,) or (k, 4).

    The value is +inf (gradient zero) where the law predicts a non-positive or overflowing loss,
    which a line search then steps back from."""
    theta = np.asarray(theta, dtype=float)
    batch = np.atleast_2d(theta)
    L0, log_a, alpha, C = (batch[:, i : i + 1] for i in range(4))
    log_s1 = np.log(S1)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        power = np.exp(log_a - alpha * log_s1)  # A·S1^(−α)
        predicted = L0 + power - C * S2
        valid = np.all((predicted > 0) & np.isfinite(predicted), axis=1)
        value, slope = huber(log_loss - np.log(predicted), delta)
        weight = -slope / predicted  # d Huber / d predicted
        grad = np.stack(
            [
                weight.sum(axis=1),
                (weight * power).sum(axis=1),
                -(weight * power * log_s1).sum(axis=1),
                -(weight * S2).sum(axis=1),
            ],
            axis=1,
        )
    values = np.where(valid, value.sum(axis=1), np.inf)
    grad[~valid] = 0.0
    return (values[0], grad[0]) if theta.ndim == 1 else (values, grad)


def _linear_starts(
    alphas: FloatArray, S1: FloatArray, S2: FloatArray, loss: FloatArray
) -> FloatArray:
    """For each α, the least-squares (L0, A, C) of L = L0 + A·S1^(−α) − C·S2; rows (L0, log A, α,
    C)."""
    starts = []
    for alpha in alphas:
        design = np.column_stack([np.ones_like(S1), S1**-alpha, -S2])
        (L0, A, C), *_ = np.linalg.lstsq(design, loss, rcond=None)
        if L0 > 0 and A > 0:
            starts.append((L0, np.log(A), alpha, C))
    return np.array(starts).reshape(-1, 4)


CurvePoints = dict[str, FloatArray]
"""One loss curve at its logged steps: arrays step, S1, S2 and loss."""


def curve_points(
    curves: pd.DataFrame,
    size: str,
    schedules: Mapping[str, ArrayLike],
    lam: float = DEFAULT_MOMENTUM,
    anneal_from: int = 0,
) -> dict[str, CurvePoints]:
    """S1, S2 (under momentum `lam`) and the loss at the logged steps of every curve of the model
    `size`, one entry per schedule name of `schedules` (its per-step learning rates); `curves` has
    the columns size, schedule, step and loss (`load("annealing_curves")`)."""
    missing = {"size", "schedule", "step", "loss"} - set(curves.columns)
    if missing:
        raise ValueError(
            f"curves needs the columns size, schedule, step, loss; missing {sorted(missing)}"
        )
    points = {}
    for name, lr in schedules.items():
        curve = curves[(curves["size"] == size) & (curves["schedule"] == name)]
        if curve.empty:
            raise ValueError(f"curves holds no curve of size {size!r} and schedule {name!r}")
        step = curve["step"].to_numpy()
        areas = annealing_areas(lr, lam, anneal_from=anneal_from)
        points[name] = {
            "step": step,
            "S1": areas.S1[step],
            "S2": areas.S2[step],
            "loss": curve["loss"].to_numpy(),
        }
    return points


def pooled_points(
    points: Mapping[str, CurvePoints], names: Sequence[str]
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(S1, S2, loss) of the curves `names`, concatenated in that order: the input of a fit to
    several curves at once."""
    unknown = [n for n in names if n not in points]
    if unknown:
        raise ValueError(f"no points for the curves {unknown}; known: {list(points)}")
    S1, S2, loss = (np.concatenate([points[n][key] for n in names]) for key in ("S1", "S2", "loss"))
    return S1, S2, loss


@reports_fit
def fit_annealing_law(
    S1: ArrayLike,
    S2: ArrayLike,
    loss: ArrayLike,
    *,
    lam: float = DEFAULT_MOMENTUM,
    delta: float = 1e-3,
    alphas: ArrayLike | None = None,
    refine: int = 4,
) -> FitResult[AnnealingLaw]:
    """Fit L0, A, α, C of the annealing law to points (S1, S2, loss), pooled over one or more
    curves.

    lam: the λ the areas were computed with (recorded in the law). alphas: the grid of α screened by
    linear least squares (default 0.05 … 2 in steps of 0.05); the `refine` best are refined together
    by batched BFGS on the summed Huber (δ = `delta`) loss of log-loss. `params` are (L0, log A, α,
    C); `converged` says whether the gradient vanished at the optimum.
    """
    arrays = [np.ravel(np.asarray(x, dtype=float)) for x in (S1, S2, loss)]
    if len({len(x) for x in arrays}) != 1:
        raise ValueError(
            f"S1, S2 and loss must have the same length, got {[len(x) for x in arrays]}"
        )
    S1 = as_positive("S1 (forward area)", arrays[0])
    S2 = arrays[1]
    if not np.all(np.isfinite(S2)):
        raise ValueError("S2 (annealing area) must be finite")
    loss = as_positive("loss", arrays[2])
    if len(loss) < 4:
        raise ValueError(f"fitting four parameters needs at least 4 points, got {len(loss)}")
    if not delta > 0:
        raise ValueError(f"delta must be > 0, got {delta!r}")
    grid = np.arange(0.05, 2.001, 0.05) if alphas is None else as_positive("alphas", alphas)
    starts = _linear_starts(np.atleast_1d(grid), S1, S2, loss)
    if len(starts) == 0:
        raise ValueError(
            "no α of the grid gives a positive L0 and A by least squares; check the data or pass "
            "alphas"
        )
    log_loss = np.log(loss)
    screened = annealing_objective(starts, S1, S2, log_loss, delta)[0]
    order = np.argsort(screened, kind="stable")[: max(1, refine)]
    order = order[np.isfinite(screened[order])]
    if len(order) == 0:
        raise ValueError(
            "the law predicts a non-positive loss from every start; check the data or pass alphas"
        )

    def objective(theta: FloatArray, rows: NDArray[np.intp]) -> tuple[FloatArray, FloatArray]:
        return annealing_objective(theta, S1, S2, log_loss, delta)

    refined = minimize_batch(objective, starts[order])
    best = int(np.argmin(refined.fun))
    params = refined.x[best]
    gradient = annealing_objective(params, S1, S2, log_loss, delta)[1]
    converged = bool(np.max(np.abs(gradient)) <= GRADIENT_TOLERANCE * len(loss))
    L0, log_a, alpha, C = params
    law = AnnealingLaw(
        L0=float(L0), A=float(np.exp(log_a)), alpha=float(alpha), C=float(C), lam=lam, name="fit"
    )
    report = FitReport(
        form="L = L0 + A S1^-alpha - C S2 (areas of the learning-rate schedule)",
        n_points=len(loss),
        objective=f"Huber (delta = {delta:g}) on log L, summed",
        optimiser="batched BFGS",
        starts=f"{len(grid)} alphas screened by linear least squares; "
        f"the best {len(order)} refined",
        flop_definition="not used (steps and learning rates given)",
        parameters_counted="not used (one model per fit)",
    )
    return FitResult(law, params, float(refined.fun[best]), converged, refined.fun, report)


def prediction_errors(observed: ArrayLike, predicted: ArrayLike) -> dict[str, float]:
    """Relative errors |L̂ − L| / L of one curve: mean ("PredE") and worst ("WorstE"), and R²."""
    observed = as_positive("observed", observed)
    predicted = np.asarray(predicted, dtype=float)
    if observed.shape != predicted.shape:
        raise ValueError(
            f"observed and predicted must have the same shape, got {observed.shape} and "
            f"{predicted.shape}"
        )
    relative = np.abs(predicted - observed) / observed
    r2 = 1.0 - np.sum((observed - predicted) ** 2) / np.sum((observed - observed.mean()) ** 2)
    return {"mean": float(relative.mean()), "worst": float(relative.max()), "r2": float(r2)}


__all__ = [
    "AnnealingLaw",
    "annealing_objective",
    "fit_annealing_law",
    "prediction_errors",
]
