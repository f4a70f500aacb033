"""Sardana et al. (2024): the 47 MPT-style training runs of the authors' repository (see
data/inference/PROVENANCE.md)."""

from __future__ import annotations

import pandas as pd

from .catalogue import dataset
from .registry import read_csv

GAUNTLET_CATEGORIES = (
    "world_knowledge",
    "reading_comprehension",
    "language_understanding",
    "commonsense_reasoning",
    "symbolic_problem_solving",
)


@dataset(
    "inference_runs",
    "Sardana 2024: 47 runs, 150M-6B parameters, 10-10,000 tokens/parameter, loss and downstream "
    "scores",
    flop_definition="training 6ND (inference 2N per token)",
    parameters_counted="the repository's Parameters column (embedding convention not stated)",
)
def runs() -> pd.DataFrame:
    """One row a run. Columns: size (label, e.g. "1.3B"), N (parameters), D (training tokens),
    tokens_per_param (D/N), batch_size (sequences), loss (final training loss smoothed over the last
    batches, nats), gauntlet_<category> for the five Eval Gauntlet categories and gauntlet_average
    (scores as fractions), mmlu (5-shot accuracy, fraction)."""
    raw = read_csv("inference/trainingresults.csv")
    frame = pd.DataFrame(
        {
            "size": raw["Model Name"].astype(str),
            "N": raw["Parameters"].astype(float),
            "D": raw["Tokens"].astype(float),
            "tokens_per_param": raw["Tokens/Params"].astype(float),
            "batch_size": raw["Batch Size"].astype(int),
            "loss": raw["Smoothed Loss"].astype(float),
        }
    )
    for category in GAUNTLET_CATEGORIES:
        frame[f"gauntlet_{category}"] = raw[f"eval_gauntlet/{category}"].astype(float)
    frame["gauntlet_average"] = raw["eval_gauntlet/core_average"].astype(float)
    frame["mmlu"] = raw["mmlu_5_shot_avg"].astype(float)
    return frame
