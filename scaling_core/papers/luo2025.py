"""Luo et al. (2025), "A Multi-Power Law for Loss Curve Prediction Across Learning Rate Schedules".

Their multi-power law, L(t) = L0 + A·(S1(t) + S_W)^(−α) − B·Σ_{k≤t} (η_{k−1} −
η_k)·G(η_k^(−γ)·S_k(t)), with S_k(t) = Σ_{τ=k}^{t} η_τ, G(x) = 1 − (C·x + 1)^(−β), t counted from
the end of the warmup and S_W the warmup's area, with the constants printed in their README and
those of their fitting logs at full precision. The constants published with the law were fitted with
the drop sum running over every step, warmup included (its rise counting as negative drops);
`MultiPowerLaw.loss_curve` does the same by default.

The schedules of their released loss curves, rebuilt step by step from the parameters in
data/annealing/PROVENANCE.md (the curves log the learning rate only every 128 steps).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .._checks import as_non_negative, as_positive
from .._typing import FloatArray
from ..data.annealing import CURVES, FINAL_LR, PEAK_LR, WARMUP_STEPS, fitting_log
from ..schedules import (
    WSD,
    Constant,
    Cosine,
    MultiStage,
    Schedule,
    Warmup,
    learning_rates,
    step_indices,
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

    def loss_curve(
        self, lr: ArrayLike, steps: ArrayLike, *, anneal_from: int = 1, block: int = 64
    ) -> FloatArray:
        """Predicted loss at `steps` (integer indices into the per-step schedule `lr`).

        The loss-drop sum counts the changes η_{k−1} − η_k of the steps k ≥ `anneal_from` (a rise
        counts as a negative drop). The default, 1, counts every step, warmup included, as the
        released fitting code does; `anneal_from` = the warmup length counts only the drops after
        the warmup, as the formula is written in the paper. Terms are summed over changed steps
        only, `block` evaluation steps at a time."""
        eta = as_non_negative("lr (learning rates)", np.atleast_1d(lr))
        index = step_indices("steps", steps, len(eta))
        if (
            isinstance(anneal_from, bool)
            or not isinstance(anneal_from, (int, np.integer))
            or anneal_from < 1
        ):
            raise ValueError(f"anneal_from must be an integer >= 1, got {anneal_from!r}")
        if np.any(eta[max(anneal_from, 1) :] <= 0):
            raise ValueError(
                "lr must be > 0 at every step whose change is counted (the law raises η_k to −γ)"
            )
        total = np.cumsum(eta)  # S1(t) + S_W for t counted from the end of the warmup
        drop = np.zeros_like(eta)
        drop[anneal_from:] = eta[anneal_from - 1 : -1] - eta[anneal_from:]
        k = np.flatnonzero(drop)
        before_k = total[k] - eta[k]  # Σ_{τ<k} η_τ, so S_k(t) = total[t] − before_k
        scaled = eta[k] ** -self.gamma if len(k) else np.zeros(0)
        reduction = np.zeros(len(index))
        for start in range(0, len(index), block):
            t = index[start : start + block]
            upto = np.searchsorted(
                k, t.max(), side="right"
            )  # drops after the block's last step add nothing
            # S_k(t) is clipped at 0 for k > t, where G(0) = 0 removes the term
            S_k = np.clip(total[t, None] - before_k[:upto], 0.0, None)
            G = 1.0 - (self.C * scaled[:upto] * S_k + 1.0) ** -self.beta
            reduction[start : start + block] = G @ drop[k[:upto]]
        return self.L0 + self.A * total[index] ** -self.alpha - self.B * reduction


# Luo et al. (2025), fitted constants printed in the README of thu-yao-01-luo/MultiPowerLaw (commit
# 8da9f19); the README warns that its values may differ from the paper's.
MPL_LUO_2025 = {
    "25M": MultiPowerLaw(
        L0=3.040, A=0.525, alpha=0.508, B=363.788, C=2.066, beta=0.583, gamma=0.641, name="MPL 25M"
    ),
    "100M": MultiPowerLaw(
        L0=2.651, A=0.601, alpha=0.453, B=437.946, C=2.132, beta=0.598, gamma=0.655, name="MPL 100M"
    ),
    "400M": MultiPowerLaw(
        L0=2.375, A=0.654, alpha=0.429, B=523.425, C=2.025, beta=0.594, gamma=0.635, name="MPL 400M"
    ),
}


def _warm(then: Schedule) -> Warmup:
    return Warmup(WARMUP_STEPS, then)


def _cosine(total: int) -> Warmup:
    return _warm(Cosine(PEAK_LR, FINAL_LR, start=WARMUP_STEPS, length=total - WARMUP_STEPS))


# file stem -> schedule, for every curve of `CURVES`
SCHEDULES: dict[str, Schedule] = {
    "constant_24000": _warm(Constant(PEAK_LR)),
    "constant_72000": _warm(Constant(PEAK_LR)),
    "cosine_24000": _cosine(24_000),
    "cosine_72000": _cosine(72_000),
    "wsd_20000_24000": _warm(WSD(PEAK_LR, FINAL_LR, 20_000, 4_000, "exponential")),
    "wsdld_20000_24000": _warm(WSD(PEAK_LR, FINAL_LR, 20_000, 4_000, "linear")),
    "wsdcon_3": _warm(MultiStage((8_000,), (PEAK_LR, 3e-5))),
    "wsdcon_9": _warm(MultiStage((8_000,), (PEAK_LR, 9e-5))),
    "wsdcon_18": _warm(MultiStage((8_000,), (PEAK_LR, 1.8e-4))),
}


def schedule_lr(name: str) -> np.ndarray:
    """Per-step learning rates η_0 … η_{T−1} of the released curve `name` (a key of `CURVES`)."""
    if name not in SCHEDULES:
        raise KeyError(f"unknown schedule {name!r}; known schedules: {', '.join(SCHEDULES)}")
    return learning_rates(SCHEDULES[name], CURVES[name][1])


def fitted_multi_power_law(size: str) -> MultiPowerLaw:
    """The multi-power law of the model `size` with the constants of the authors' fitting log."""
    return MultiPowerLaw(**fitting_log(size).parameters, name=f"MPL {size} (fitting log)")
