"""The one shape every multi-start fit returns: the law, its parameter vector, the objective at the
optimum, whether the optimiser converged, the objective every start reached (to judge how much the
start matters), and the fit's report (`scaling_core.fit.report`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np
from numpy.typing import NDArray

from .report import FitReport

Law = TypeVar("Law")


@dataclass(frozen=True)
class FitResult(Generic[Law]):
    """The best of a multi-start fit. `params` is the optimiser's vector (in the fit's own
    parametrisation); `objective_by_start` holds the objective reached from every start that was
    run."""

    law: Law
    params: NDArray[np.float64]
    objective: float
    converged: bool
    objective_by_start: NDArray[np.float64] = field(repr=False)
    report: FitReport | None = field(default=None, repr=False, compare=False)

    @property
    def n_starts(self) -> int:
        """How many starts were run to the end."""
        return len(self.objective_by_start)
