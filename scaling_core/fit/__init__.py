"""Robust fitting of scaling laws: one module an idea.

- `chinchilla`: the Chinchilla law by Hoffmann's procedure (Huber on log-loss, grid of starts, L-BFGS-B).
- `bootstrap`: bootstrap draws, standard errors and intervals of that fit and of anything derived from it.
- `multistart`: batched BFGS, many independent minimisations in one vectorised loop.
- `data_constrained`: the decay constants of a data-constrained law, with profile and bootstrap.
- `isoflop`: parabolas of loss in log N per compute budget and their minima (approach 2).
- `powerlaw`: y = k x^p in log-log space with bootstrap intervals.
"""

from .bootstrap import ChinchillaBootstrap, bootstrap_chinchilla
from .chinchilla import ChinchillaFit, chinchilla_objective, fit_chinchilla, hoffmann_grid
from .isoflop import Parabola, fit_parabola, isoflop_minimum
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
    "isoflop_minimum",
]
