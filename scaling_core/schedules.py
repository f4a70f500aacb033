"""Learning-rate schedules as functions of the step, and the areas under them that loss-curve laws
use.

A schedule is any callable that maps an array of optimizer steps to learning rates. The ones here
cover the schedules of the annealing literature: constant, cosine, warmup-stable-decay (WSD) with
exponential or linear decay, and piecewise-constant multi-stage schedules; `Warmup` puts a linear
warmup in front of any of them.

`annealing_areas` turns a per-step learning-rate sequence η_0, η_1, … into the two quantities of the
annealing law of Tissue et al. (2024):

- the forward area S1(s) = Σ_{i≤s} η_i, and
- the annealing area S2(s) = Σ_{i≤s} m_i, with the momentum m_i = λ·m_{i−1} + (η_{i−1} − η_i).

Both are running sums, so a schedule cut into segments gives the same areas when each segment starts
from the state (`AreaState`) in which the previous one ended.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.signal import lfilter

from ._checks import as_non_negative, as_positive
from ._typing import FloatArray

Schedule = Callable[[ArrayLike], FloatArray]

DEFAULT_MOMENTUM = 0.999  # λ of Tissue et al. (2024)


def _steps(step: ArrayLike) -> FloatArray:
    return as_non_negative("step", step)


def _fraction(step: FloatArray, start: float, length: float) -> FloatArray:
    """Progress through [start, start + length], clipped to [0, 1]."""
    return np.clip((step - start) / length, 0.0, 1.0)


@dataclass(frozen=True)
class Constant:
    """η(s) = peak."""

    peak: float

    def __post_init__(self) -> None:
        as_positive("peak", self.peak)

    def __call__(self, step: ArrayLike) -> FloatArray:
        return np.full(np.shape(_steps(step)), float(self.peak))


@dataclass(frozen=True)
class Cosine:
    """Half a cosine from `peak` at step `start` down to `final` at step `start + length`, then
    `final`."""

    peak: float
    final: float
    start: float
    length: float

    def __post_init__(self) -> None:
        as_positive("peak", self.peak)
        as_non_negative("final", self.final)
        as_non_negative("start", self.start)
        as_positive("length", self.length)

    def __call__(self, step: ArrayLike) -> FloatArray:
        f = _fraction(_steps(step), self.start, self.length)
        return self.final + (self.peak - self.final) * 0.5 * (1.0 + np.cos(np.pi * f))


@dataclass(frozen=True)
class WSD:
    """Warmup-stable-decay without its warmup: `peak` until `decay_start`, then a decay to `final`
    over `decay_length` steps, then `final`. decay="exponential" interpolates geometrically, η =
    peak^(1−f)·final^f; decay="linear" interpolates linearly."""

    peak: float
    final: float
    decay_start: float
    decay_length: float
    decay: str = "linear"

    def __post_init__(self) -> None:
        as_positive("peak", self.peak)
        as_non_negative("decay_start", self.decay_start)
        as_positive("decay_length", self.decay_length)
        if self.decay == "exponential":
            as_positive("final (an exponential decay needs final > 0)", self.final)
        elif self.decay == "linear":
            as_non_negative("final", self.final)
        else:
            raise ValueError(f"decay must be 'exponential' or 'linear', got {self.decay!r}")

    def __call__(self, step: ArrayLike) -> FloatArray:
        f = _fraction(_steps(step), self.decay_start, self.decay_length)
        if self.decay == "exponential":
            return self.peak ** (1.0 - f) * self.final**f
        return self.peak + (self.final - self.peak) * f


@dataclass(frozen=True)
class MultiStage:
    """Piecewise constant: `values[0]` before `boundaries[0]`, `values[j]` from `boundaries[j−1]`
    on."""

    boundaries: tuple[float, ...]
    values: tuple[float, ...]

    def __post_init__(self) -> None:
        bounds = np.atleast_1d(as_non_negative("boundaries", self.boundaries))
        values = np.atleast_1d(as_positive("values", self.values))
        if len(values) != len(bounds) + 1:
            raise ValueError(
                f"values must have one entry more than boundaries, got {len(values)} and "
                f"{len(bounds)}"
            )
        if np.any(np.diff(bounds) <= 0):
            raise ValueError(f"boundaries must be strictly increasing, got {tuple(bounds)}")
        object.__setattr__(self, "boundaries", tuple(float(b) for b in bounds))
        object.__setattr__(self, "values", tuple(float(v) for v in values))

    def __call__(self, step: ArrayLike) -> FloatArray:
        index = np.searchsorted(np.asarray(self.boundaries), _steps(step), side="right")
        return np.asarray(self.values)[index]


@dataclass(frozen=True)
class Warmup:
    """A linear warmup from 0 to `then(steps − 1)` over steps 0 … steps − 1, then the schedule
    `then`.

    The warmup's last step already reaches the value the schedule starts from (as in
    `numpy.linspace(0, peak, steps)`), so there is no jump at the end of the warmup."""

    steps: int
    then: Schedule

    def __post_init__(self) -> None:
        if (
            isinstance(self.steps, bool)
            or not isinstance(self.steps, (int, np.integer))
            or self.steps < 2
        ):
            raise ValueError(f"steps (warmup length) must be an integer >= 2, got {self.steps!r}")

    def __call__(self, step: ArrayLike) -> FloatArray:
        s = _steps(step)
        top = float(np.asarray(self.then(self.steps - 1)))
        ramp = top * s / (self.steps - 1)
        return np.where(s < self.steps, ramp, self.then(s))


def step_indices(name: str, steps: ArrayLike, length: int) -> NDArray[np.int64]:
    """Integer indices `steps` into a per-step schedule of `length` steps, checked (named `name` in
    errors)."""
    raw = np.atleast_1d(np.asarray(steps))
    if raw.ndim != 1 or not np.issubdtype(raw.dtype, np.integer):
        raise ValueError(
            f"{name} must be a one-dimensional array of integer steps, got {raw!r:.80}"
        )
    if raw.min() < 0 or raw.max() >= length:
        raise ValueError(
            f"{name} must lie in [0, {length - 1}] (the schedule has {length} steps), got "
            f"{raw.min()}…{raw.max()}"
        )
    return raw.astype(np.int64)


def learning_rates(schedule: Schedule, total_steps: int) -> FloatArray:
    """The per-step learning rates η_0 … η_{total_steps − 1} of `schedule`."""
    if (
        isinstance(total_steps, bool)
        or not isinstance(total_steps, (int, np.integer))
        or total_steps < 1
    ):
        raise ValueError(f"total_steps must be a positive integer, got {total_steps!r}")
    return np.asarray(schedule(np.arange(total_steps, dtype=float)), dtype=float)


@dataclass(frozen=True)
class AreaState:
    """Where a learning-rate sequence ended: the running sums S1 and S2, the last momentum m and the
    last learning rate. Starting the next segment from it continues the sums exactly."""

    S1: float = 0.0
    S2: float = 0.0
    momentum: float = 0.0
    last_lr: float | None = None


@dataclass(frozen=True)
class Areas:
    """The running forward area S1 and annealing area S2 after every step, and the final state."""

    S1: FloatArray
    S2: FloatArray
    state: AreaState


def annealing_areas(
    lr: ArrayLike,
    lam: float = DEFAULT_MOMENTUM,
    *,
    state: AreaState | None = None,
    anneal_from: int = 0,
) -> Areas:
    """S1 and S2 after each step of the learning-rate sequence `lr` (one entry per step).

    lam: the decay factor λ ∈ [0, 1) of the annealing momentum. state: where a preceding segment
    ended (default: the start of training, no preceding segment). anneal_from: drops η_{i−1} − η_i
    count towards the momentum only from step index `anneal_from` of this segment on; pass the
    warmup length so that the warmup's rise is not counted as a negative annealing (the forward area
    S1 always includes every step).
    """
    eta = as_non_negative("lr (learning rates)", np.atleast_1d(lr))
    if eta.ndim != 1:
        raise ValueError(
            f"lr must be one-dimensional (one learning rate per step), got shape {eta.shape}"
        )
    if not (np.isfinite(lam) and 0.0 <= lam < 1.0):
        raise ValueError(f"lam (momentum decay) must be in [0, 1), got {lam!r}")
    if (
        isinstance(anneal_from, bool)
        or not isinstance(anneal_from, (int, np.integer))
        or anneal_from < 0
    ):
        raise ValueError(f"anneal_from must be a non-negative integer, got {anneal_from!r}")
    state = AreaState() if state is None else state
    previous = eta[0] if state.last_lr is None else state.last_lr
    drops = -np.diff(eta, prepend=previous)  # η_{i−1} − η_i
    drops[:anneal_from] = 0.0
    # m_i = λ m_{i−1} + drop_i, a first-order recursive filter started from the carried momentum.
    momentum, _ = lfilter([1.0], [1.0, -lam], drops, zi=[lam * state.momentum])
    S1 = state.S1 + np.cumsum(eta)
    S2 = state.S2 + np.cumsum(momentum)
    end = AreaState(
        S1=float(S1[-1]), S2=float(S2[-1]), momentum=float(momentum[-1]), last_lr=float(eta[-1])
    )
    return Areas(S1=S1, S2=S2, state=end)
