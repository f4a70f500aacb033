"""Porian et al. (2024): the IsoFLOP points, optima and power-law fits of their 15 configurations.

The tables are the plain CSV that `data/kaplan/convert_pickles.py` made once from the authors'
pickles (see data/kaplan/PROVENANCE.md); nothing here unpickles. Every table carries the
configuration keys `dataset, hparams, warmup, decay, param_count, val` and two added columns:
`step`, the short name the book uses ("a" … "e" for the five steps of Porian's Fig. 1, "a-att" … for
the attention-FLOP variants, "kaplan-adjusted"), and `label`, the step's name in words.
"""

from __future__ import annotations

import pandas as pd

from .catalogue import dataset
from .registry import read_csv

KEYS = ["dataset", "hparams", "warmup", "decay", "param_count", "val"]

STEPS: dict[tuple[str, str, str, str, str], tuple[str, str]] = {
    ("base", "long", "kaplan", "kaplan", "train"): ("a", "Reproducing Kaplan et al."),
    ("base", "long", "kaplan", "standard", "val"): ("b", "Counting last layer FLOPs"),
    ("base", "short", "kaplan", "standard", "val"): ("c", "Correcting warmup"),
    ("base", "short", "chinchilla", "standard", "val"): ("d", "Cosine decay"),
    ("tuned", "short", "const", "standard", "val"): ("e", "Optimizer tuning (no decay)"),
    ("base", "long", "kaplan", "attention", "train"): (
        "a-att",
        "Reproducing Kaplan et al. (attention FLOPs)",
    ),
    ("base", "short", "kaplan", "attention", "train"): (
        "c-att",
        "Correcting warmup (attention FLOPs)",
    ),
    ("base", "short", "chinchilla", "attention", "train"): (
        "d-att",
        "Cosine decay (attention FLOPs)",
    ),
    ("tuned", "short", "const", "attention", "train"): (
        "e-att",
        "Optimizer tuning (attention FLOPs)",
    ),
    ("tuned", "long", "const", "kaplan", "train"): (
        "kaplan-adjusted",
        "Kaplan adjusted (tuned, long warmup)",
    ),
}
"""(hparams, warmup, decay, param_count, val) -> (step, label); the same for both datasets."""

NOISE_SD: dict[str, float] = {"rw": 0.002, "owt2": 0.01}
"""The loss noise (nats) of the authors' bootstrap per dataset: the low end of their loss-dependent
setting, which is what every point receives (see PROVENANCE.md, procedure step 3)."""

SEED = 42
SEED_STREAMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("rw", ("a", "b", "c", "d", "e")),
    ("owt2", ("a", "b", "c", "d", "e")),
    ("rw", ("a-att", "c-att", "d-att", "e-att")),
    ("rw", ("kaplan-adjusted",)),
)
"""The authors seeded numpy's legacy generator with SEED once per pickle and ran its configurations
in this order; within a configuration, budgets ascend and each draws N's noise, then D's
(PROVENANCE.md, step 5)."""


def _read(name: str) -> pd.DataFrame:
    frame = read_csv(f"kaplan/converted/{name}.csv.gz")
    keys = frame[KEYS[1:]].itertuples(index=False, name=None)
    named = [STEPS[k] for k in keys]
    frame.insert(0, "step", [s for s, _ in named])
    frame.insert(1, "label", [label for _, label in named])
    return frame.drop(columns="source_file")


@dataset(
    "porian2024_isoflop",
    "Porian 2024: 1,745 IsoFLOP points of 15 configurations (C, N, D = C/FLOPs per token, loss)",
    flop_definition="per configuration: 6N or 6N_eff (attention FLOPs) per token",
    parameters_counted="per configuration: Kaplan's N_K (no embedding, no head), N = N_K + head, or N_eff",
)
def isoflop() -> pd.DataFrame:
    """One row per IsoFLOP point: step, label, configuration keys, flops (budget C, FLOPs), n
    (parameters in the configuration's convention, see PROVENANCE.md), tokens (D), loss (nats,
    interpolated to C; the lowest of a size's runs)."""
    return _read("porian2024_isoflop")


@dataset(
    "porian2024_optimal",
    "Porian 2024: the authors' compute-optimal N*, D* per configuration and budget",
    flop_definition="per configuration: 6N or 6N_eff (attention FLOPs) per token",
    parameters_counted="per configuration: Kaplan's N_K (no embedding, no head), N = N_K + head, or N_eff",
)
def optimal() -> pd.DataFrame:
    """One row per (configuration, budget with >= 3 sizes): flops, sizes (model sizes at this
    budget), n_star / t_star (median of the valid noise-bootstrap argmins; NaN when there is no
    interior optimum), loss_star, n_star_log_sd / t_star_log_sd (spread of log N*, the weights'
    sigma), n_valid / t_valid (valid replicas of 1,000), n_noiseless (the Akima argmin without
    noise)."""
    return _read("porian2024_optimal")


@dataset(
    "porian2024_fits",
    "Porian 2024: the authors' power laws N* = k C^a per configuration, with 95% intervals",
    flop_definition="per configuration: 6N or 6N_eff (attention FLOPs)",
    parameters_counted="per configuration: Kaplan's N_K (no embedding, no head), N = N_K + head, or N_eff",
)
def fits() -> pd.DataFrame:
    """One row per configuration: a, k (weighted fit, N* = k C^a, C in FLOPs), a_r2, a_ci95_lo/hi
    and n_star_cc with n_star_cc_ci95_lo/hi (at Chinchilla's 5.88e23 FLOPs; quantiles over the
    authors' replica fits), replicas (their count), b (exponent of D*), a_unweighted, k_unweighted,
    and the unweighted loss law L*(C) = loss_E + loss_A C^-loss_alpha."""
    return _read("porian2024_fits")
