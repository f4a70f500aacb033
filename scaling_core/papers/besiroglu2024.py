"""Besiroglu et al. (2024), Epoch's replication of Chinchilla: the runs they fitted and their
bootstrap."""

from __future__ import annotations

import numpy as np

from ..data import load
from ..fit.bootstrap import ChinchillaBootstrap, bootstrap_chinchilla

RESAMPLES = 4000  # as Epoch: 4,000 resamples of the 240 runs
SEED = 42


def bootstrap(n_resamples: int = RESAMPLES, seed: int = SEED) -> ChinchillaBootstrap:
    """The bootstrap of the summed-Huber refit on Epoch's 240 runs (the 245 extracted points minus
    the five highest losses they leave out), resampled with a seeded generator: the same draws on
    every run."""
    points = load("epoch_points")
    runs = points[~points["excluded"]]
    return bootstrap_chinchilla(
        runs.N, runs.D, runs.loss, n_resamples=n_resamples, rng=np.random.default_rng(seed)
    )
