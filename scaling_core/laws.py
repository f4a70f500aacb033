"""Loss laws as small frozen dataclasses, and the published constants as named instances.

The Chinchilla form L(N, D) = E + A / N^α + B / D^β (Hoffmann et al. 2022, Eq. 2) is the law every
chapter starts from. Under C = 6ND its compute-optimal allocation has a closed form (their Eq. 4):
N_opt = G (C/6)^a, D_opt = G^-1 (C/6)^b with G = (αA / βB)^(1/(α+β)), a = β/(α+β), b = α/(α+β).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._checks import as_positive

FloatArray = NDArray[np.float64]


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


HOFFMANN_2022 = ChinchillaLaw(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28, name="Hoffmann 2022 (rounded, Eq. 10)")
"""Approach-3 constants as printed in Hoffmann et al. (2022), App. D.2, Eq. 10."""

HOFFMANN_2022_UNROUNDED = ChinchillaLaw(
    E=float(np.exp(0.5267228)),
    A=float(np.exp(6.0073404)),
    B=float(np.exp(6.0179186)),
    alpha=0.33917084,
    beta=0.2849083,
    name="Hoffmann 2022 (unrounded, TeX source)",
)
"""The unrounded values Besiroglu et al. (2024) took from the paper's TeX source (their `true_params`)."""

BESIROGLU_2024 = ChinchillaLaw(E=1.8172, A=482.01, B=2085.43, alpha=0.3478, beta=0.3658, name="Besiroglu 2024")
"""Epoch's refit of approach 3 on the 240 points of Hoffmann's Fig. 4 (the paper's table)."""

SARDANA_2024 = ChinchillaLaw(E=1.69, A=406.4, B=410.7, alpha=0.336, beta=0.283, name="Sardana 2024 (approach 3)")
"""Hoffmann's approach-3 constants as Sardana et al. (2024) use them (their repository's defaults)."""

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
