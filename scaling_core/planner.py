"""What a planner of training runs asks of every law: the compute-optimal model at a budget, with
bootstrap intervals where a law has draws, and Hoffmann's approach-1 and -2 rules of thumb.

The book's planner page and chapter 2's budget table are both computed from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from ._checks import as_positive
from .data import load
from .fit.bootstrap import percentile_interval
from .laws import ChinchillaLaw

FloatArray = NDArray[np.float64]
QUANTITIES = (
    "params",
    "tokens",
    "tokens_per_param",
    "loss",
)  # the columns of `budget_table` per budget


@dataclass(frozen=True)
class PowerLawRule:
    """N_opt = G C^a with D_opt = C / (6 N_opt): a compute-optimal rule with no loss law behind
    it."""

    a: float
    G: float
    name: str

    def compute_optimal(self, C: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """(N_opt, D_opt) at budget C (FLOP), spending exactly C = 6 N D."""
        C = as_positive("C (FLOP budget)", C)
        N = self.G * C**self.a
        return N, C / (6 * N)


def hoffmann_rule(approach: int) -> PowerLawRule:
    """Hoffmann et al.'s approach 1 or 2 as a rule of thumb: the exponent a of their Table 2, and
    the constant G that puts N_opt = G C^a through the same approach's projections (Table 3 for
    approach 1, Table A3 for approach 2) by least squares in log N."""
    if approach not in (1, 2):
        raise ValueError(f"approach must be 1 or 2 (approach 3 is a loss law), got {approach!r}")
    a = float(load("hoffmann2022_table2")["a"].iloc[approach - 1])
    if approach == 1:
        projections = load("hoffmann2022_table3")
    else:
        table = load("hoffmann2022_tableA3")
        projections = table[table["approach"] == 2]
    log_g = float(np.mean(np.log(projections["N"]) - a * np.log(projections["C"])))
    return PowerLawRule(
        a=a, G=float(np.exp(log_g)), name=f"Hoffmann 2022 approach {approach} (a = {a:g})"
    )


def hoffmann_rules() -> dict[str, PowerLawRule]:
    """The two rules of thumb by short name, in the style of the command line's law names."""
    return {f"hoffmann2022-approach{k}": hoffmann_rule(k) for k in (1, 2)}


def _draw_optima(theta: ArrayLike, budgets: FloatArray) -> dict[str, FloatArray]:
    """Each quantity of `QUANTITIES` for every bootstrap draw (rows) at every budget (columns).

    `theta` rows are (log A, log B, log E, α, β), as `ChinchillaBootstrap.theta`; a draw that makes
    no law (non-finite, or an exponent <= 0) gives NaN."""
    theta = np.atleast_2d(np.asarray(theta, dtype=float))
    if theta.ndim != 2 or theta.shape[1] != 5:
        raise ValueError(
            "theta must have one row (log A, log B, log E, alpha, beta) per draw, got shape "
            f"{theta.shape}"
        )
    valid = np.isfinite(theta).all(axis=1) & (theta[:, 3] > 0) & (theta[:, 4] > 0)
    log_a, log_b, log_e, alpha, beta = (
        np.where(valid, column, np.nan)[:, None] for column in theta.T
    )
    log_c = np.log(budgets / 6)[None, :]
    with np.errstate(invalid="ignore", over="ignore"):
        log_g = (np.log(alpha) + log_a - np.log(beta) - log_b) / (alpha + beta)
        log_n = log_g + beta / (alpha + beta) * log_c
        log_d = alpha / (alpha + beta) * log_c - log_g
        loss = np.exp(log_e) + np.exp(log_a - alpha * log_n) + np.exp(log_b - beta * log_d)
        return {
            "params": np.exp(log_n),
            "tokens": np.exp(log_d),
            "tokens_per_param": np.exp(log_d - log_n),
            "loss": loss,
        }


def budget_table(
    law: ChinchillaLaw,
    budgets: Sequence[float] | ArrayLike,
    theta: ArrayLike | None = None,
    level: float = 0.8,
) -> pd.DataFrame:
    """The compute-optimal model of `law` at each budget: one row per budget, columns flops, params,
    tokens, tokens_per_param, loss; with bootstrap draws `theta` also `<quantity>_low` and `_high`,
    the central `level` percentile interval of that quantity over the draws (NaN draws ignored)."""
    flops = as_positive("budgets (FLOP)", budgets).ravel()
    N, D = law.compute_optimal(flops)
    table = pd.DataFrame(
        {
            "flops": flops,
            "params": N,
            "tokens": D,
            "tokens_per_param": D / N,
            "loss": law.loss(N, D),
        }
    )
    if theta is None:
        return table
    for quantity, draws in _draw_optima(theta, flops).items():
        bounds = np.array([percentile_interval(draws[:, j], level) for j in range(len(flops))])
        table[f"{quantity}_low"], table[f"{quantity}_high"] = bounds[:, 0], bounds[:, 1]
    return table
