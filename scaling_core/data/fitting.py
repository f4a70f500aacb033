"""Data of the fitting chapter: Open-Athena's IsoFLOP table of five sources, its approach-2 bias
tables, the Llama 3 IsoFLOP points digitised from the paper's Figure 2, and the (Mis)fitting survey
sheet."""

from __future__ import annotations

import pandas as pd

from .catalogue import dataset
from .registry import read_csv

OPEN_ATHENA = "fitting/open-athena/"
SURVEY_PAPERS = (
    51  # rows of the sheet that are papers; the rows after them are the authors' tallies
)


@dataset(
    "fitting_isoflops",
    "Open-Athena 2026: 947 IsoFLOP points of five sources (N, D, budget C, loss, QC flags)",
    flop_definition="each source's nominal IsoFLOP budget C",
    parameters_counted="each source's N (Chinchilla's sizes; N = C/6D where only C and D are given)",
)
def isoflops() -> pd.DataFrame:
    """One row per point. Columns: source, experiment (source and variant), N (parameters), D
    (tokens), C (the nominal budget in FLOP that groups a curve), loss (nats, in the source's own
    units; the `llama_3__exp_loss` variant holds exp of the figure's value), outlier (flagged by
    Open-Athena's quality checks) and reason (which check). How N or D is derived differs by source
    (see PROVENANCE.md)."""
    raw = read_csv(
        OPEN_ATHENA + "data/isoflops/transform/isoflops.csv",
        keep_default_na=False,
        dtype={"outlier": str},
    )
    flags = raw["outlier"].map({"True": True, "False": False})
    if flags.isna().any():
        raise ValueError(
            f"outlier must be True or False, found {sorted(set(raw['outlier'][flags.isna()]))}"
        )
    return pd.DataFrame(
        {
            "source": raw["source"].astype(str),
            "experiment": raw["experiment"].astype(str),
            "N": raw["params"].astype(float),
            "D": raw["tokens"].astype(float),
            "C": raw["budget"].astype(float),
            "loss": raw["loss"].astype(float),
            "outlier": flags.astype(bool),
            "reason": raw["reason"].astype(str),
        }
    )


@dataset(
    "llama3_isoflops",
    "Llama 3 (2024) Fig. 2: 133 IsoFLOP points digitised by E. Czech (C, D, loss; N = C/6D)",
    flop_definition="C read off Llama 3 Fig. 2 (its IsoFLOP budgets)",
    parameters_counted="not reported: N = C/6D",
)
def llama3_isoflops() -> pd.DataFrame:
    """Columns: C (the budget of the marker's colour, FLOP), D (training tokens), N (parameters,
    C/(6D): the figure gives tokens only), loss (validation negative log-likelihood read off a
    linear axis)."""
    raw = read_csv("fitting/llama3_isoflop_extraction/isoflops_points.csv")
    frame = pd.DataFrame(
        {
            "C": raw["compute_budget"].astype(float),
            "D": raw["training_tokens"].astype(float),
            "loss": raw["validation_loss"].astype(float),
        }
    )
    frame.insert(2, "N", frame["C"] / (6 * frame["D"]))
    return frame


@dataset(
    "approach2_errors",
    "Open-Athena 2026: approach-2 errors of D* at 1e24 FLOP on noise-free surfaces (36 rows)",
    flop_definition="C = 6ND on noise-free surfaces",
    parameters_counted="not applicable (synthetic loss surfaces)",
)
def approach2_errors() -> pd.DataFrame:
    """Centred grids (config "Centred") and the two off-centre designs ("Offset by 3×", "Drift to
    3×") for three surfaces × four grid widths. Columns: config, surface, alpha, beta, grid_name,
    log_range (log10 of the grid's half-width factor), drift_rate and center_scale (log10 units, as
    Open-Athena defines them), true_D and inferred_D (tokens at 1e24 FLOP), rel_error_pct (100 ·
    (inferred − true)/true)."""
    centred = read_csv(
        OPEN_ATHENA + "results/article/figures/extrapolation_error/extrapolation_error_data.csv"
    )
    centred = centred.assign(config="Centred", drift_rate=0.0, center_scale=1.0)
    shifted = read_csv(
        OPEN_ATHENA + "results/article/figures/compounding_errors/compounding_errors.csv"
    )
    columns = ["config", "surface", "alpha", "beta", "grid_name", "log_range", "drift_rate",
               "center_scale", "true_D", "inferred_D", "rel_error_pct"]  # fmt: skip
    return pd.concat([centred[columns], shifted[columns]], ignore_index=True)


@dataset(
    "scalefit_results",
    "Open-Athena 2026: apple/ml-scalefit fits of Chinchilla's 217 points (MSE and Huber)",
    flop_definition="not applicable (fitted constants)",
    parameters_counted="not applicable (fitted constants)",
)
def scalefit_results() -> pd.DataFrame:
    """One row per configuration (loss + optimiser [+ 10 bootstrap resamples]). Columns: config, n,
    E, A, B, alpha, beta (N in millions, D in billions), r2, mre, mae."""
    raw = read_csv(OPEN_ATHENA + "docs/reproductions/ml-scalefit/scalefit_results.csv")
    names = {
        "bias": "E",
        "bias_size": "A",
        "bias_tokens": "B",
        "pow_size": "alpha",
        "pow_tokens": "beta",
    }
    return raw.rename(columns=names)


@dataset(
    "misfitting_survey",
    "Li et al. 2025: the (Mis)fitting survey sheet, 51 papers (January 2025 copy)",
    flop_definition="not applicable (a survey of papers)",
    parameters_counted="not applicable (a survey of papers)",
)
def misfitting_survey() -> pd.DataFrame:
    """One row per surveyed paper, the sheet's columns as they are (free text: Y/N, NS = not stated,
    empty = not filled); the authors' tally rows below the papers are left out."""
    raw = read_csv("fitting/misfitting/sheet.csv", header=1, dtype=str)
    return raw.iloc[:SURVEY_PAPERS].reset_index(drop=True)
