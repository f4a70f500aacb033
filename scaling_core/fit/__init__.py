"""Robust fitting of scaling laws: one module an idea, and every entry point a chapter uses
re-exported here.

- `chinchilla`: the Chinchilla law by Hoffmann's procedure (Huber on log-loss, grid of starts).
- `bootstrap`: bootstrap draws, standard errors and intervals of that fit and of anything derived
  from it, memory-bounded.
- `likelihood`: the Huber loss as a likelihood with a fitted scale (Besiroglu et al.).
- `varpro`: variable projection: (E, A, B) by non-negative least squares, a 2-D search over (α, β).
- `multistart`: batched BFGS, many independent minimisations in one vectorised loop.
- `least_squares`: batched Levenberg–Marquardt for least-squares fits, polished by MINPACK.
- `scipy_bfgs`: scipy's BFGS step for step on many problems at once (its exact stopping points).
- `huber`: the Huber loss and its derivative.
- `runs`: checks on a set of runs before a fit: what cannot determine a law, and what barely does.
- `result`: the result every fit of a paper's law returns (law, parameters, objective, ...).
- `report`: the fit report (the items of the (Mis)fitting checklist).
- `isoflop`: approach 2, the size at the minimum of each IsoFLOP curve (parabola or Akima).
- `argmin`: IsoFLOP minima by Akima interpolation with Porian et al.'s noise bootstrap.
- `powerlaw`, `weighted_powerlaw`: y = k x^p in log-log space, with bootstrap intervals or
  replica weights.
- `data_constrained`: the decay constants of a data-constrained law, with profile and bootstrap.
"""

from .argmin import akima_argmin, isoflop_optima, optimal_power_law
from .bootstrap import ChinchillaBootstrap, bootstrap_chinchilla
from .chinchilla import (
    ChinchillaFit,
    chinchilla_objective,
    fit_chinchilla,
    hoffmann_grid,
    theta_from_law,
)
from .data_constrained import (
    bootstrap_data_constrained,
    data_constrained_objective,
    data_constrained_runs,
    fit_data_constrained,
    muennighoff_starts,
    profile_rd_star,
)
from .huber import huber
from .isoflop import (
    Parabola,
    assign_budgets,
    fit_approach2,
    fit_parabola,
    isoflop_frontier,
    isoflop_minimum,
    nearest_budgets,
)
from .least_squares import batched_levenberg_marquardt, best_least_squares
from .likelihood import fit_huber_likelihood, log_likelihood
from .multistart import minimize_batch
from .powerlaw import PowerLaw, fit_power_law
from .report import FitReport
from .result import FitResult
from .varpro import fit_variable_projection, projected_huber
from .weighted_powerlaw import fit_weighted_power_law

__all__ = [
    "ChinchillaBootstrap",
    "ChinchillaFit",
    "FitReport",
    "FitResult",
    "Parabola",
    "PowerLaw",
    "akima_argmin",
    "assign_budgets",
    "batched_levenberg_marquardt",
    "best_least_squares",
    "bootstrap_chinchilla",
    "bootstrap_data_constrained",
    "chinchilla_objective",
    "data_constrained_objective",
    "data_constrained_runs",
    "fit_approach2",
    "fit_chinchilla",
    "fit_data_constrained",
    "fit_huber_likelihood",
    "fit_parabola",
    "fit_power_law",
    "fit_variable_projection",
    "fit_weighted_power_law",
    "hoffmann_grid",
    "huber",
    "isoflop_frontier",
    "isoflop_minimum",
    "isoflop_optima",
    "log_likelihood",
    "minimize_batch",
    "muennighoff_starts",
    "nearest_budgets",
    "optimal_power_law",
    "profile_rd_star",
    "projected_huber",
    "theta_from_law",
]
