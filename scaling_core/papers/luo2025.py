"""Luo et al. (2025), "A Multi-Power Law for Loss Curve Prediction Across Learning Rate Schedules".

The schedules of their released loss curves, rebuilt step by step from the parameters in
data/annealing/PROVENANCE.md (the curves log the learning rate only every 128 steps), and their
multi-power law with the constants of their fitting logs, at full precision.
"""

from __future__ import annotations

import numpy as np

from ..data.annealing import CURVES, FINAL_LR, PEAK_LR, WARMUP_STEPS, fitting_log
from ..schedules import WSD, Constant, Cosine, MultiStage, Schedule, Warmup, learning_rates
from .tissue2024 import MultiPowerLaw


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
