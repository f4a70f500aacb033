"""Data access: `load(name)` returns a tidy DataFrame, `available()` lists what can be loaded.

Every file is checked against the sha256 in the registry before it is read; see `registry`.
Each paper's loaders live in a module of their own (`chinchilla`, `epoch`, ...).
"""

from __future__ import annotations

import pandas as pd

from . import annealing, chinchilla, constrained, epoch, fitting, inference, kaplan, overtraining, vocabulary  # noqa: F401  (registers datasets)
from .catalogue import DATASETS, NOT_RECORDED
from .registry import DataFileError, path_of

__all__ = ["DataFileError", "available", "load", "path_of"]


def load(name: str) -> pd.DataFrame:
    """The dataset `name` as a fresh tidy DataFrame (see `available()` for the names)."""
    try:
        entry = DATASETS[name]
    except KeyError:
        known = ", ".join(sorted(DATASETS))
        raise KeyError(f"unknown dataset {name!r}; known datasets: {known}") from None
    return entry.loader()


def available() -> pd.DataFrame:
    """One row per dataset: its name, a one-line description, and how its FLOPs and parameters
    were counted (`flop_definition`, `parameters_counted`)."""
    rows = [
        (
            d.name,
            d.description,
            d.flop_definition or NOT_RECORDED,
            d.parameters_counted or NOT_RECORDED,
        )
        for d in sorted(DATASETS.values(), key=lambda d: d.name)
    ]
    columns = ["name", "description", "flop_definition", "parameters_counted"]
    return pd.DataFrame(rows, columns=columns)
