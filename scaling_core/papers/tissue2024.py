"""Loss curves as functions of the learning-rate schedule.

`AnnealingLaw` is the law of Tissue et al. (2024): L(s) = L0 + A·S1(s)^(−α) − C·S2(s), with S1 the forward
area and S2 the annealing area of the schedule up to step s (see `scaling_core.schedules`). For a fixed α
it is linear in (L0, A, C); `fit_annealing_law` uses that to screen a grid of α by least squares, then
refines the best candidates with BFGS on the Huber loss of log-loss with its analytic gradient.

`MultiPowerLaw` is the law of Luo et al. (2025), kept for contrast:
L(t) = L0 + A·(S1(t) + S_W)^(−α) − B·Σ_{k≤t} (η_{k−1} − η_k)·G(η_k^(−γ)·S_k(t)), with S_k(t) = Σ_{τ=k}^{t} η_τ,
G(x) = 1 − (C·x + 1)^(−β), t counted from the end of the warmup and S_W the warmup's area. The constants
published with the law were fitted with the drop sum running over every step, warmup included (its rise
counting as negative drops); `MultiPowerLaw.loss_curve` does the same by default.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize

from .._checks import as_non_negative, as_positive
from ..fit.huber import huber
from ..fit.report import FitReport
from ..schedules import DEFAULT_MOMENTUM, annealing_areas

FloatArray = NDArray[np.float64]
GRADIENT_TOLERANCE = 1e-8  # per point: |∂ objective / ∂ θ| below it counts as converged


def _step_indices(name: str, steps: ArrayLike, length: int) -> NDArray[np.int64]:
    raw = np.atleast_1d(np.asarray(steps))
    if raw.ndim != 1 or not np.issubdtype(raw.dtype, np.integer):
        raise ValueError(f"{name} must be a one-dimensional array of integer steps, got {raw!r:.80}")
    if raw.min() < 0 or raw.max() >= length:
        raise ValueError(f"{name} must lie in [0, {length - 1}] (the schedule has {length} steps), got {raw.min()}…{raw.max()}")
    return raw.astype(np.int64)


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
        """Predicted loss from the forward area S1 (> 0) and the annealing area S2 (broadcast together)."""
        S1 = as_positive("S1 (forward area)", S1)
        S2 = np.asarray(S2, dtype=float)
        return self.L0 + self.A * S1**-self.alpha - self.C * S2

    def loss_curve(self, lr: ArrayLike, steps: ArrayLike, *, anneal_from: int = 0) -> FloatArray:
        """Predicted loss at `steps` (integer indices into `lr`) of the per-step schedule `lr`."""
        areas = annealing_areas(lr, self.lam, anneal_from=anneal_from)
        index = _step_indices("steps", steps, len(areas.S1))
        return self.loss(areas.S1[index], areas.S2[index])


def annealing_objective(
    theta: ArrayLike, S1: FloatArray, S2: FloatArray, log_loss: FloatArray, delta: float = 1e-3
) -> tuple[float, FloatArray]:
    """Summed Huber loss of log L − log L̂ for θ = (L0, log A, α, C), and its analytic gradient.

    Returns (inf, zeros) where the law predicts a non-positive loss, which a line search then avoids."""
    L0, log_a, alpha, C = np.asarray(theta, dtype=float)
    power = np.exp(log_a - alpha * np.log(S1))  # A·S1^(−α)
    predicted = L0 + power - C * S2
    if np.any(predicted <= 0):
        return np.inf, np.zeros(4)
    value, slope = huber(log_loss - np.log(predicted), delta)
    weight = -slope / predicted  # d Huber / d predicted
    grad = np.array([weight.sum(), (weight * power).sum(), -(weight * power * np.log(S1)).sum(), -(weight * S2).sum()])
    return float(value.sum()), grad


@dataclass(frozen=True)
class AnnealingFit:
    """Result of `fit_annealing_law`: the law, the objective at the optimum, whether the gradient vanished
    there (`converged`), and the objective reached from every refined start."""

    law: AnnealingLaw
    objective: float
    converged: bool
    n_points: int
    candidates: FloatArray = field(repr=False)  # objective of every refined start
    report: FitReport | None = field(default=None, repr=False, compare=False)


def _linear_starts(alphas: FloatArray, S1: FloatArray, S2: FloatArray, loss: FloatArray) -> FloatArray:
    """For each α, the least-squares (L0, A, C) of L = L0 + A·S1^(−α) − C·S2; rows (L0, log A, α, C)."""
    starts = []
    for alpha in alphas:
        design = np.column_stack([np.ones_like(S1), S1**-alpha, -S2])
        (L0, A, C), *_ = np.linalg.lstsq(design, loss, rcond=None)
        if L0 > 0 and A > 0:
            starts.append((L0, np.log(A), alpha, C))
    return np.array(starts).reshape(-1, 4)


def fit_annealing_law(
    S1: ArrayLike,
    S2: ArrayLike,
    loss: ArrayLike,
    *,
    lam: float = DEFAULT_MOMENTUM,
    delta: float = 1e-3,
    alphas: ArrayLike | None = None,
    refine: int = 4,
) -> AnnealingFit:
    """Fit L0, A, α, C of the annealing law to points (S1, S2, loss), pooled over one or more curves.

    lam: the λ the areas were computed with (recorded in the law). alphas: the grid of α screened by
    linear least squares (default 0.05 … 2 in steps of 0.05); the `refine` best are refined by BFGS on
    the summed Huber (δ = `delta`) loss of log-loss.
    """
    arrays = [np.ravel(np.asarray(x, dtype=float)) for x in (S1, S2, loss)]
    if len({len(x) for x in arrays}) != 1:
        raise ValueError(f"S1, S2 and loss must have the same length, got {[len(x) for x in arrays]}")
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
        raise ValueError("no α of the grid gives a positive L0 and A by least squares; check the data or pass alphas")
    log_loss = np.log(loss)
    screened = np.array([annealing_objective(s, S1, S2, log_loss, delta)[0] for s in starts])
    order = np.argsort(screened, kind="stable")[: max(1, refine)]
    # BFGS in numpy: for four parameters it beats L-BFGS-B, whose compiled core slows down badly when
    # the machine's cores are shared. A non-positive prediction returns +inf and is stepped back from.
    results = [
        minimize(annealing_objective, starts[i], args=(S1, S2, log_loss, delta), jac=True, method="BFGS", options={"gtol": 1e-10})
        for i in order
    ]
    values = np.array([r.fun for r in results])
    best = results[int(np.argmin(values))]
    gradient = annealing_objective(best.x, S1, S2, log_loss, delta)[1]
    converged = bool(np.max(np.abs(gradient)) <= GRADIENT_TOLERANCE * len(loss))
    L0, log_a, alpha, C = best.x
    law = AnnealingLaw(L0=float(L0), A=float(np.exp(log_a)), alpha=float(alpha), C=float(C), lam=lam, name="fit")
    report = FitReport(
        form="L = L0 + A S1^-alpha - C S2 (areas of the learning-rate schedule)",
        n_points=len(loss),
        objective=f"Huber (delta = {delta:g}) on log L, summed",
        optimiser="BFGS",
        starts=f"{len(grid)} alphas screened by linear least squares; "
        f"the best {len(order)} refined",
        flop_definition="not used (steps and learning rates given)",
        parameters_counted="not used (one model per fit)",
    )
    return AnnealingFit(
        law=law,
        objective=float(best.fun),
        converged=converged,
        n_points=len(loss),
        candidates=values,
        report=report,
    )


@dataclass(frozen=True)
class MultiPowerLaw:
    """The multi-power law of Luo et al. (2025); see the module docstring for the formula."""

    L0: float
    A: float
    alpha: float
    B: float
    C: float
    beta: float
    gamma: float
    name: str = "multi-power law"

    def __post_init__(self) -> None:
        for name in ("L0", "A", "alpha", "B", "C", "beta", "gamma"):
            as_positive(f"MultiPowerLaw.{name}", getattr(self, name))

    def loss_curve(self, lr: ArrayLike, steps: ArrayLike, *, anneal_from: int = 1, block: int = 64) -> FloatArray:
        """Predicted loss at `steps` (integer indices into the per-step schedule `lr`).

        The loss-drop sum counts the changes η_{k−1} − η_k of the steps k ≥ `anneal_from` (a rise counts
        as a negative drop). The default, 1, counts every step, warmup included, as the released fitting
        code does; `anneal_from` = the warmup length counts only the drops after the warmup, as the
        formula is written in the paper. Terms are summed over changed steps only, `block` evaluation
        steps at a time."""
        eta = as_non_negative("lr (learning rates)", np.atleast_1d(lr))
        index = _step_indices("steps", steps, len(eta))
        if isinstance(anneal_from, bool) or not isinstance(anneal_from, (int, np.integer)) or anneal_from < 1:
            raise ValueError(f"anneal_from must be an integer >= 1, got {anneal_from!r}")
        if np.any(eta[max(anneal_from, 1):] <= 0):
            raise ValueError("lr must be > 0 at every step whose change is counted (the law raises η_k to −γ)")
        total = np.cumsum(eta)  # S1(t) + S_W for t counted from the end of the warmup
        drop = np.zeros_like(eta)
        drop[anneal_from:] = eta[anneal_from - 1 : -1] - eta[anneal_from:]
        k = np.flatnonzero(drop)
        before_k = total[k] - eta[k]  # Σ_{τ<k} η_τ, so S_k(t) = total[t] − before_k
        scaled = eta[k] ** -self.gamma if len(k) else np.zeros(0)
        reduction = np.zeros(len(index))
        for start in range(0, len(index), block):
            t = index[start : start + block]
            upto = np.searchsorted(k, t.max(), side="right")  # drops after the block's last step add nothing
            # S_k(t) is clipped at 0 for k > t, where G(0) = 0 removes the term
            S_k = np.clip(total[t, None] - before_k[:upto], 0.0, None)
            G = 1.0 - (self.C * scaled[:upto] * S_k + 1.0) ** -self.beta
            reduction[start : start + block] = G @ drop[k[:upto]]
        return self.L0 + self.A * total[index] ** -self.alpha - self.B * reduction


# Luo et al. (2025), fitted constants printed in the README of thu-yao-01-luo/MultiPowerLaw (commit 8da9f19);
# the README warns that its values may differ from the paper's.
MPL_LUO_2025 = {
    "25M": MultiPowerLaw(L0=3.040, A=0.525, alpha=0.508, B=363.788, C=2.066, beta=0.583, gamma=0.641, name="MPL 25M"),
    "100M": MultiPowerLaw(L0=2.651, A=0.601, alpha=0.453, B=437.946, C=2.132, beta=0.598, gamma=0.655, name="MPL 100M"),
    "400M": MultiPowerLaw(L0=2.375, A=0.654, alpha=0.429, B=523.425, C=2.025, beta=0.594, gamma=0.635, name="MPL 400M"),
}


def prediction_errors(observed: ArrayLike, predicted: ArrayLike) -> dict[str, float]:
    """Relative errors |L̂ − L| / L of one curve: mean ("PredE") and worst ("WorstE"), and R²."""
    observed = as_positive("observed", observed)
    predicted = np.asarray(predicted, dtype=float)
    if observed.shape != predicted.shape:
        raise ValueError(f"observed and predicted must have the same shape, got {observed.shape} and {predicted.shape}")
    relative = np.abs(predicted - observed) / observed
    r2 = 1.0 - np.sum((observed - predicted) ** 2) / np.sum((observed - observed.mean()) ** 2)
    return {"mean": float(relative.mean()), "worst": float(relative.max()), "r2": float(r2)}


__all__ = [
    "MPL_LUO_2025",
    "AnnealingFit",
    "AnnealingLaw",
    "MultiPowerLaw",
    "annealing_objective",
    "fit_annealing_law",
    "prediction_errors",
]
