"""Checks on a set of runs before a law is fitted to them: refuse what cannot determine the five
parameters of the Chinchilla form, and say in words what determines them only barely."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from .._checks import as_positive
from .._typing import FloatArray

CONSTANT_LOG_SPREAD = 1e-9
"""A spread of log N or log D below this is floating-point rounding, not a design: the column is
constant (a fixed-D sweep computed as N times a ratio, say), and the term it drives is confounded
with E."""

NARROW_LOG_SPREAD = math.log(1.5)
"""A spread of log N, log D or log ND below this (less than a factor 1.5) barely determines a
term."""

_CONFOUNDED = {
    "N": "A and alpha cannot be told apart from E; vary N",
    "D": "B and beta cannot be told apart from E; vary D",
}


def validate_runs(
    N: ArrayLike, D: ArrayLike, loss: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """N, D, loss as 1-D float arrays, refusing data that cannot determine the five parameters:
    a column constant up to rounding is judged on the spread of its logarithm, not on exact
    equality."""
    N, D, loss = (
        np.ravel(as_positive(name, x)) for name, x in zip(("N", "D", "loss"), (N, D, loss))
    )
    if not len(N) == len(D) == len(loss):
        raise ValueError(
            f"N, D and loss must have the same length, got {len(N)}, {len(D)} and {len(loss)}"
        )
    if len(N) < 5:
        raise ValueError(f"fitting five parameters needs at least 5 runs, got {len(N)}")
    for name, values in (("N", N), ("D", D)):
        spread = float(np.ptp(np.log(values)))
        if spread < CONSTANT_LOG_SPREAD:
            raise ValueError(
                f"{name} is the same in every run up to rounding (log {name} varies by "
                f"{spread:.2g}): {_CONFOUNDED[name]}"
            )
    if np.ptp(loss) == 0:
        raise ValueError(f"loss is the same ({loss[0]!r}) in every run: nothing to fit")
    return N, D, loss


def design_warnings(N: ArrayLike, D: ArrayLike) -> list[str]:
    """Why a set of runs may not pin the five parameters down, in words (empty when nothing is
    amiss).

    A fit still runs on such data, but some parameters (and the compute-optimal rule) are then set
    by the noise, not by the data."""
    N, D = (np.ravel(as_positive(name, x)) for name, x in (("N", N), ("D", D)))
    warnings = []
    ratio = D / N
    if np.ptp(np.log(ratio)) < np.log(2):
        warnings.append(
            f"every run has about the same tokens-per-parameter ratio (D/N from {ratio.min():.3g} "
            f"to {ratio.max():.3g}): the N and D terms cannot be told apart, so A, B, alpha, beta "
            "and the compute-optimal rule are not determined; vary D/N across runs"
        )
    for name, values, term in (("N", N, "A and alpha"), ("D", D, "B and beta")):
        spread = float(np.ptp(np.log(values)))
        if CONSTANT_LOG_SPREAD <= spread < NARROW_LOG_SPREAD:
            warnings.append(
                f"{name} varies by less than a factor 1.5 over the runs: "
                f"{_CONFOUNDED[name].split(';')[0]} with confidence"
            )
        distinct = len(np.unique(values))
        if distinct < 3:
            warnings.append(
                f"only {distinct} distinct values of {name}: {term} are barely determined; "
                "use at least 3"
            )
    if np.ptp(np.log(N) + np.log(D)) < NARROW_LOG_SPREAD:
        warnings.append(
            "every run has about the same compute 6ND: the runs trace one IsoFLOP curve, so how "
            "the optimum moves with compute (the rule at other budgets) rests on extrapolation; "
            "vary the budget"
        )
    if len(N) < 10:
        warnings.append(f"only {len(N)} runs for five parameters: expect wide intervals")
    return warnings
