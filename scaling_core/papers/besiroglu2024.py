"""Besiroglu et al. (2024), Epoch's replication of Chinchilla: the runs they fitted, their
bootstrap's resamples, and a seeded bootstrap of the refit."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

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


def epoch_resamples(
    n_runs: int, n_resamples: int = RESAMPLES, seed: int = SEED
) -> NDArray[np.intp]:
    """Epoch's bootstrap resamples drawn again exactly, one row of run indices per resample:
    `np.random.seed(seed)`, then `np.random.choice(n_runs, n_runs)` `n_resamples` times, from
    numpy's legacy generator."""
    for name, value, least in (
        ("n_runs", n_runs, 1),
        ("n_resamples", n_resamples, 1),
        ("seed", seed, 0),
    ):
        if not (isinstance(value, (int, np.integer)) and value >= least):
            raise ValueError(f"{name} must be a whole number >= {least}, got {value!r}")
    legacy = np.random.RandomState(seed)
    return np.array([legacy.choice(n_runs, size=n_runs, replace=True) for _ in range(n_resamples)])
