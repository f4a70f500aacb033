"""Hoffmann et al. (2022): Tables 2, 3 and A3, transcribed from the paper (misprints kept
verbatim)."""

from __future__ import annotations

import pandas as pd

from .catalogue import dataset
from .registry import read_csv


@dataset(
    "hoffmann2022_table2",
    "Hoffmann 2022 Table 2: exponents a, b of N_opt ∝ C^a, D_opt ∝ C^b by approach",
    flop_definition="not applicable (fitted exponents)",
    parameters_counted="not applicable (fitted exponents)",
)
def table2() -> pd.DataFrame:
    """Columns: approach, a, a_p10, a_p90, b, b_p10, b_p90 (10th/90th bootstrap percentiles)."""
    return read_csv("chinchilla/hoffmann2022_table2.csv")


@dataset(
    "hoffmann2022_table3",
    "Hoffmann 2022 Table 3: approach-1 projections (N, FLOPs, tokens)",
    flop_definition="Hoffmann's FLOPs as printed (App. F's count, within 10 % of 6ND)",
    parameters_counted="Hoffmann's model sizes as printed",
)
def table3() -> pd.DataFrame:
    """Columns: N (parameters), C (FLOP), gopher_units (string as printed), D (tokens)."""
    frame = read_csv("chinchilla/hoffmann2022_table3.csv", dtype={"flops_in_gopher_units": str})
    return frame.rename(
        columns={"parameters": "N", "flops": "C", "flops_in_gopher_units": "gopher_units", "tokens": "D"}
    )


@dataset(
    "hoffmann2022_tableA3",
    "Hoffmann 2022 Table A3: approach-2 and -3 projections (long form)",
    flop_definition="Hoffmann's FLOPs as printed (App. F's count, within 10 % of 6ND)",
    parameters_counted="Hoffmann's model sizes as printed",
)
def table_a3() -> pd.DataFrame:
    """One row per (N, approach): columns N (parameters), approach (2 or 3), C (FLOP), D
    (tokens)."""
    wide = read_csv("chinchilla/hoffmann2022_tableA3.csv")
    parts = [
        pd.DataFrame(
            {
                "N": wide["parameters"],
                "approach": k,
                "C": wide[f"approach{k}_flops"],
                "D": wide[f"approach{k}_tokens"],
            }
        )
        for k in (2, 3)
    ]
    return pd.concat(parts, ignore_index=True)
