"""Loss laws as small frozen dataclasses, and the published constants as named instances.

The Chinchilla form L(N, D) = E + A / N^α + B / D^β (Hoffmann et al. 2022, Eq. 2) is the law every
chapter starts from. Under C = 6ND its compute-optimal allocation has a closed form (their Eq. 4):
N_opt = G (C/6)^a, D_opt = G^-1 (C/6)^b with G = (αA / βB)^(1/(α+β)), a = β/(α+β), b = α/(α+β).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ._checks import as_positive
from ._typing import FloatArray


@dataclass(frozen=True)
class ChinchillaLaw:
    """L(N, D) = E + A/N^α + B/D^β, with N parameters, D training tokens and L in nats per token."""

    E: float
    A: float
    B: float
    alpha: float
    beta: float
    name: str = "Chinchilla law"

    def __post_init__(self) -> None:
        for field in ("A", "B", "alpha", "beta"):
            as_positive(f"ChinchillaLaw.{field}", getattr(self, field))
        if not np.isfinite(self.E):
            raise ValueError(f"ChinchillaLaw.E must be finite, got {self.E!r}")

    def loss(self, N: ArrayLike, D: ArrayLike) -> FloatArray:
        """Predicted loss; N and D broadcast against each other like numpy arrays."""
        N = as_positive("N (parameters)", N)
        D = as_positive("D (tokens)", D)
        return self.E + self.A * N**-self.alpha + self.B * D**-self.beta

    @property
    def a(self) -> float:
        """Exponent of N_opt ∝ C^a."""
        return self.beta / (self.alpha + self.beta)

    def constants(self) -> dict[str, float]:
        """E, A, B, alpha, beta and the allocation exponent a, by name (a table row, JSON)."""
        return {
            "E": self.E,
            "A": self.A,
            "B": self.B,
            "alpha": self.alpha,
            "beta": self.beta,
            "a": self.a,
        }

    @property
    def b(self) -> float:
        """Exponent of D_opt ∝ C^b."""
        return self.alpha / (self.alpha + self.beta)

    @property
    def G(self) -> float:
        """The constant of the closed form: N_opt = G (C/6)^a."""
        return (self.alpha * self.A / (self.beta * self.B)) ** (1 / (self.alpha + self.beta))

    def compute_optimal(self, C: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """(N_opt, D_opt) minimising the loss subject to 6 N D = C (closed form)."""
        C = as_positive("C (FLOP budget)", C)
        scaled = C / 6
        N, D = self.G * scaled**self.a, scaled**self.b / self.G
        outside = ~((N > 0) & (N < np.inf) & (D > 0) & (D < np.inf))
        if outside.any():
            raise ValueError(
                f"C (FLOP budget) = {C[outside].flat[0]:.4g} is too extreme: "
                "N_opt or D_opt is beyond the float range"
            )
        return N, D

    def tokens_per_parameter(self, C: ArrayLike) -> FloatArray:
        """D_opt / N_opt at budget C."""
        N, D = self.compute_optimal(C)
        return D / N

    def optimal_loss(self, C: ArrayLike) -> FloatArray:
        """The lowest loss reachable with budget C."""
        return self.loss(*self.compute_optimal(C))


HOFFMANN_2022 = ChinchillaLaw(
    E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28, name="Hoffmann 2022 (rounded, Eq. 10)"
)
"""Approach-3 constants as printed in Hoffmann et al. (2022), App. D.2, Eq. 10."""

HOFFMANN_2022_UNROUNDED = ChinchillaLaw(
    E=float(np.exp(0.5267228)),
    A=float(np.exp(6.0073404)),
    B=float(np.exp(6.0179186)),
    alpha=0.33917084,
    beta=0.2849083,
    name="Hoffmann 2022 (unrounded, TeX source)",
)
"""The unrounded values Besiroglu et al. (2024) took from the paper's TeX source (their
`true_params`)."""

BESIROGLU_2024 = ChinchillaLaw(
    E=1.8172, A=482.01, B=2085.43, alpha=0.3478, beta=0.3658, name="Besiroglu 2024"
)
"""Epoch's refit of approach 3 on the 240 points of Hoffmann's Fig. 4 (the paper's table)."""

SARDANA_2024 = ChinchillaLaw(
    E=1.69, A=406.4, B=410.7, alpha=0.336, beta=0.283, name="Sardana 2024 (approach 3)"
)
"""Hoffmann's approach-3 constants as Sardana et al. (2024) use them (their repository's
defaults)."""

LAWS: dict[str, ChinchillaLaw] = {
    "hoffmann2022": HOFFMANN_2022,
    "hoffmann2022-unrounded": HOFFMANN_2022_UNROUNDED,
    "besiroglu2024": BESIROGLU_2024,
    "sardana2024": SARDANA_2024,
}
"""Laws by the short names the command line accepts."""


PF_DAY = 8.64e19
"""FLOP in a petaflop/s-day, Kaplan et al.'s unit of compute."""


@dataclass(frozen=True)
class OptimalSizeLaw:
    """N_opt(C) = N_ref (C / C_ref)^a: a compute-optimal model size fitted directly as a power law
    of compute, with no loss law behind it (as Kaplan et al. 2020 state their allocation)."""

    N_ref: float
    C_ref: float
    a: float
    name: str = "optimal-size law"

    def __post_init__(self) -> None:
        for field in ("N_ref", "C_ref", "a"):
            as_positive(f"OptimalSizeLaw.{field}", getattr(self, field))

    def optimal_params(self, C: ArrayLike) -> FloatArray:
        """The compute-optimal parameter count at compute C (FLOP, counted as the law counts)."""
        C = as_positive("C (FLOP budget)", C)
        return self.N_ref * (C / self.C_ref) ** self.a


KAPLAN_2020 = OptimalSizeLaw(
    N_ref=1.3e9, C_ref=PF_DAY, a=0.73, name="Kaplan 2020 (adjusted, C^0.73)"
)
"""Kaplan et al. (2020), Fig. 14 and Eq. 6.1: N = 1.3e9 · C_min^0.73, N non-embedding parameters and
C_min the compute (PF-days) at the critical batch size, as Porian et al. (2024) code it. Training at
the critical batch size takes C = 2 C_min; Hoffmann et al. (2022, App. D.4) evaluate the law so,
giving 4.68B at 1e21 FLOP."""

KAPLAN_2020_FIXED_BATCH = OptimalSizeLaw(
    N_ref=1.6e9, C_ref=PF_DAY, a=0.88, name="Kaplan 2020 (fixed batch, C^0.88)"
)
"""Kaplan et al. (2020), Fig. 14: the fit N = 1.6e9 · C^0.88 (C in PF-days) at a fixed batch size,
as Porian et al. (2024) code it."""


def exponential_decay(repeats: FloatArray, half_life: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Value of `repeats` repetitions in units of fresh data, R*(1 − e^(−R/R*)) (Muennighoff et al.
    2023, Eq. 14), and its derivative in R*: after R repetitions one more is worth e^(−R/R*) of
    fresh data, so R* is where a repetition has fallen to 1/e; the total tends to R* as R grows."""
    s = np.asarray(half_life, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        fresh = -np.expm1(-repeats / s)  # 1 − e^(−R/R*), exact also when R/R* is tiny (R* → ∞)
        return s * fresh, fresh - repeats / s * (1 - fresh)


def geometric_decay(repeats: FloatArray, rate: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Value of R repetitions when each is worth (1 − δ) of the one before, Σ_{k=1..R} (1 − δ)^k
    (Muennighoff et al. 2023, Eq. 10, continued to fractional R), and its derivative in δ."""
    d = np.asarray(rate, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        keep = 1 - d
        total = keep * (1 - keep**repeats) / d
        slope = (repeats + 1) * keep**repeats / d - (1 - keep ** (repeats + 1)) / d**2
        return total, slope


def explicit_decay(repeats: FloatArray, rate: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Eq. 18 of Muennighoff et al. (2023): U·(1 − e^(−δ(R+1)))/(1 − e^(−δ)) in units of U, less the
    first epoch, and its derivative in δ (the same geometric sum with (1 − δ) written as e^(−δ))."""
    d = np.asarray(rate, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        top, bottom = 1 - np.exp(-d * (repeats + 1)), 1 - np.exp(-d)
        slope = ((repeats + 1) * np.exp(-d * (repeats + 1)) * bottom - top * np.exp(-d)) / bottom**2
        return top / bottom - 1, slope


def no_decay(repeats: FloatArray, _: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Every repetition worth as much as fresh data (the Chinchilla law): R, with no parameter."""
    return np.asarray(repeats, dtype=float), np.zeros_like(repeats, dtype=float)


def worthless(repeats: FloatArray, _: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Repetitions worth nothing: only the first epoch (or the first U_N parameters) count."""
    return np.zeros_like(repeats, dtype=float), np.zeros_like(repeats, dtype=float)


REPETITION_DECAYS = {
    "exponential": exponential_decay,
    "geometric": geometric_decay,
    "explicit": explicit_decay,
    "none": no_decay,
    "worthless": worthless,
}
"""How much R repetitions add, in units of fresh data, by the name of the form; each returns that
value and its derivative in the form's one constant."""


@dataclass(frozen=True)
class DataConstrainedLaw:
    """L(N, D, U) = E + A/N′^α + B/D′^β with repeated data and excess parameters discounted
    (Muennighoff et al. 2023, Eq. 14/15), for N parameters, D training tokens of which U are unique.

    D′ = U + U·R_D*(1 − e^(−R_D/R_D*)) with R_D = D/U − 1 repetitions. Parameters beyond U_N, the
    compute-optimal size for U tokens under the base law, are "repeated parameters":
    N′ = U_N + U_N·R_N*(1 − e^(−R_N/R_N*)), U_N = min(N, G(GU)^(β/α)), R_N = N/U_N − 1. With one
    epoch and N ≤ U_N it is the base Chinchilla law. `data_decay` and `params_decay` name other
    forms of the discount (keys of `REPETITION_DECAYS`; rd_star, rn_star are then their constants).
    """

    E: float
    A: float
    B: float
    alpha: float
    beta: float
    rd_star: float
    rn_star: float
    data_decay: str = "exponential"
    params_decay: str = "exponential"
    name: str = "Data-constrained law"

    def __post_init__(self) -> None:
        _ = self.base  # checks the base constants
        for field in ("data_decay", "params_decay"):
            if getattr(self, field) not in REPETITION_DECAYS:
                known = ", ".join(REPETITION_DECAYS)
                raise ValueError(f"DataConstrainedLaw.{field} must be one of {known}")
        for field, form in (("rd_star", self.data_decay), ("rn_star", self.params_decay)):
            if form not in ("none", "worthless"):
                as_positive(f"DataConstrainedLaw.{field}", getattr(self, field))
            if form == "geometric" and getattr(self, field) >= 1:
                raise ValueError(
                    f"DataConstrainedLaw.{field} is a rate of the geometric form: it must be < 1"
                )

    @property
    def base(self) -> ChinchillaLaw:
        """The law without repetition: what it predicts for one epoch of fresh data."""
        constants = {"E": self.E, "A": self.A, "B": self.B, "alpha": self.alpha, "beta": self.beta}
        return ChinchillaLaw(**constants, name=f"{self.name} (base)")

    def unique_params(self, U: ArrayLike) -> FloatArray:
        """U_N: the base law's compute-optimal model size for U tokens, G(GU)^(β/α)."""
        G = self.base.G
        return (as_positive("U (unique tokens)", U) * G) ** (self.beta / self.alpha) * G

    def effective_tokens(self, D: ArrayLike, U: ArrayLike) -> FloatArray:
        """D′: the fresh tokens that D tokens cycling over U unique ones are worth."""
        D, U = _tokens_and_unique(D, U)
        repeats = np.maximum(D / U - 1, 0)
        return U + U * REPETITION_DECAYS[self.data_decay](repeats, self.rd_star)[0]

    def effective_params(self, N: ArrayLike, U: ArrayLike) -> FloatArray:
        """N′: what N parameters are worth when U unique tokens only justify U_N of them."""
        N = as_positive("N (parameters)", N)
        unique = np.minimum(N, self.unique_params(U))
        repeats = np.maximum(N / unique - 1, 0)
        return unique + unique * REPETITION_DECAYS[self.params_decay](repeats, self.rn_star)[0]

    def loss(self, N: ArrayLike, D: ArrayLike, U: ArrayLike) -> FloatArray:
        """Predicted loss; N, D and U broadcast against each other like numpy arrays (U ≤ D)."""
        effective_n = self.effective_params(N, U)
        effective_d = self.effective_tokens(D, U)
        return self.E + self.A / effective_n**self.alpha + self.B / effective_d**self.beta


def _tokens_and_unique(D: ArrayLike, U: ArrayLike) -> tuple[FloatArray, FloatArray]:
    D, U = np.broadcast_arrays(as_positive("D (tokens)", D), as_positive("U (unique tokens)", U))
    if np.any(U > D * (1 + 1e-12)):
        raise ValueError(
            "U (unique tokens) must not exceed D (tokens): "
            "a run cannot see more unique tokens than it trains on"
        )
    return D, U


MUENNIGHOFF_2023 = DataConstrainedLaw(
    E=float(np.exp(0.6254804)),
    A=float(np.exp(6.255414)),
    B=float(np.exp(7.3049974)),
    alpha=0.3526596,
    beta=0.3526596,
    rd_star=15.387756,
    rn_star=5.309743,
    name="Muennighoff 2023",
)
"""The fitted law of Muennighoff et al. (2023): the C4 base fit (a, b, e, α = β; App. B) and the
decay constants of App. A, as in the authors' README."""
