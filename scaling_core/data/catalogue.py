"""The catalogue of tidy datasets: a name, a one-line description, the loader that builds it, and the
data's two counting conventions (how FLOPs and parameters were counted), which a fit takes as given
and its report needs (`FitReport.with_data`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

Loader = Callable[[], pd.DataFrame]


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str
    loader: Loader
    flop_definition: str | None = None  # how the data count training FLOPs (from PROVENANCE.md)
    parameters_counted: str | None = None  # which parameters the data's N counts


NOT_RECORDED = "not recorded"
"""What `available()` shows for a convention a dataset's registration does not state."""


DATASETS: dict[str, Dataset] = {}


def dataset(
    name: str,
    description: str,
    *,
    flop_definition: str | None = None,
    parameters_counted: str | None = None,
) -> Callable[[Loader], Loader]:
    """Register a loader under `name`; the description and the two conventions (short phrases, as
    the data's provenance states them) are what `available()` shows."""

    def register(loader: Loader) -> Loader:
        if name in DATASETS:
            raise ValueError(f"dataset {name!r} is registered twice")
        DATASETS[name] = Dataset(name, description, loader, flop_definition, parameters_counted)
        return loader

    return register
