"""Robust fitting of scaling laws: one module an idea.

- `chinchilla`: the Chinchilla law by Hoffmann's procedure (Huber on log-loss, grid of starts,
  L-BFGS-B).
- `bootstrap`: bootstrap draws, standard errors and intervals of that fit and of anything derived
  from it.
- `multistart`: batched BFGS, many independent minimisations in one vectorised loop.
- `data_constrained`: the decay constants of a data-constrained law, with profile and bootstrap.
- `isoflop`: parabolas of loss in log N per compute budget and their minima (approach 2).
- `scipy_bfgs`: scipy's BFGS step for step on many problems at once (its exact stopping points).
- `isoflop`: approach 2, the size at the minimum of each IsoFLOP curve (parabola or Akima).
- `powerlaw`: y = k x^p in log-log space with bootstrap intervals.
- `varpro`: variable projection: (E, A, B) by non-negative least squares, a 2-D search over (α, β).
- `report`: the fit report every fit returns (the items of the (Mis)fitting checklist).
"""

from .bootstrap import ChinchillaBootstrap, bootstrap_chinchilla
from .chinchilla import ChinchillaFit, chinchilla_objective, fit_chinchilla, hoffmann_grid
from .isoflop import Parabola, fit_parabola, isoflop_frontier, isoflop_minimum
from .powerlaw import PowerLaw, fit_power_law

__all__ = [
    "ChinchillaBootstrap",
    "ChinchillaFit",
    "Parabola",
    "PowerLaw",
    "bootstrap_chinchilla",
    "chinchilla_objective",
    "fit_chinchilla",
    "fit_parabola",
    "fit_power_law",
    "hoffmann_grid",
    "isoflop_frontier",
    "isoflop_minimum",
]
