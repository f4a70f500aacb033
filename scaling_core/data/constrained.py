"""Muennighoff et al. (2023): the final losses of their data-constrained runs (see
data/constrained/PROVENANCE.md).

The authors released the losses inside their fitting notebook; `derived/extract_runs.py` re-runs the
notebook's own parsing cells and writes two tables: the 182 runs of every fit in the paper, and all
296 finished runs (seed repeats and the runs left out of the fit included).
"""

from __future__ import annotations

import pandas as pd

from .catalogue import dataset
from .registry import read_csv

FIGURE1_OPTIMAL_RUN = "8b7178b25bopt"
"""The run the notebook parses as 8.67B/178B although it is the 6.34B/242B model of Figure 1."""


def _tidy(raw: pd.DataFrame, name_column: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": raw[name_column].astype(str),
            "N": raw["params"].astype(float),
            "D": raw["tokens"].astype(float),
            "U": raw["unique_tokens"].astype(float),
            "epochs": raw["epochs"].astype(float),
            "loss": raw["loss"].astype(float),
        }
    )


@dataset(
    "constrained_runs",
    "Muennighoff 2023: the 182 runs of the paper's fit (N, D, unique tokens U, final loss)",
    flop_definition="none recorded (runs give N, D, U; C = 6ND where needed)",
    parameters_counted="the authors' PARAMS_MAP counts (embedding convention not stated)",
)
def fit_runs() -> pd.DataFrame:
    """The 182 runs of every fit in the paper, in the notebook's order. Columns: name (run name),
    N (parameters), D (training tokens), U (unique tokens), epochs (D/U), loss (final loss on
    held-out C4 validation data, nats per token)."""
    return _tidy(read_csv("constrained/derived/runs_fit182.csv"), "name")


@dataset(
    "constrained_runs_all",
    "Muennighoff 2023: all 296 finished runs, with seed repeats and the runs left out of the fit",
    flop_definition="none recorded (runs give N, D, U; C = 6ND where needed)",
    parameters_counted="the authors' PARAMS_MAP counts (embedding convention not stated)",
)
def all_runs() -> pd.DataFrame:
    """All 296 finished runs of the notebook's full table. Columns as `constrained_runs` (name is
    the raw run name), plus parsed_name (after the notebook's suffix stripping, so seed repeats
    share it), in_fit (whether the run is one of the 182) and note (the two rows the notebook parses
    wrongly; they are kept as parsed, which is what the authors' 296-run fit used)."""
    raw = read_csv("constrained/derived/runs_all.csv", keep_default_na=False)
    frame = _tidy(raw, "raw_name")
    frame.insert(1, "parsed_name", raw["parsed_name"].astype(str))
    frame["in_fit"] = raw["in_fit182"].astype(int).astype(bool)
    frame["note"] = raw["note"].astype(str)
    return frame
