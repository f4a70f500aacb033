"""Epoch AI's extraction of Hoffmann et al. (2022) Fig. 4: 245 (N, C, loss) points."""

from __future__ import annotations

import pandas as pd

from .catalogue import dataset
from .registry import read_csv

EXCLUDED_COUNT = 5  # Epoch drops the five highest losses (all at ≈1e19 FLOP with D/N < 0.41)


@dataset(
    "epoch_points",
    "Epoch 2024: 245 points read off Hoffmann 2022 Fig. 4 (N, D = C/6N, C, loss)",
    flop_definition="C read off Hoffmann 2022 Fig. 4's axis; D = C/6N",
    parameters_counted="N read off the same figure (Hoffmann's model sizes)",
)
def points() -> pd.DataFrame:
    """Columns: N (parameters), D (tokens, C/6N), C (training FLOP read off the axis), loss (nats),
    excluded (True for the five highest-loss points Epoch leaves out of its main fit), colour
    (hex)."""
    raw = read_csv("epoch/data/svg_extracted_data.csv")
    frame = pd.DataFrame(
        {
            "N": raw["Model Size"].astype(float),
            "C": raw["Training FLOP"].astype(float),
            "loss": raw["loss"].astype(float),
            "colour": raw["color"].astype(str),
        }
    )
    frame.insert(1, "D", frame["C"] / (6 * frame["N"]))
    threshold = frame["loss"].nlargest(EXCLUDED_COUNT).min()
    frame["excluded"] = frame["loss"] >= threshold
    return frame
