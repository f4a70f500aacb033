"""Tao et al. (2024), *Scaling Laws with Vocabulary*: the released grid of runs and the checkpoints
of the smallest model's IsoFLOP runs (see data/vocabulary/PROVENANCE.md)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .catalogue import dataset
from .registry import path_of, read_csv, registry

GRID_FILE = "vocabulary/exp_data.csv"
CHECKPOINT_PATTERN = re.compile(
    r"vocabulary/exp_data/tiny_LLaMA_0000050M-V(\d+)IsoFLOP/step-(\d+)-ckpt\.txt"
)

# The smallest family ("50M" in the file names counts 2 x 16,384 x 512 vocabulary parameters):
SMALLEST_WIDTH = 512
SMALLEST_NON_VOCABULARY = 50_000_000 - 2 * 16_384 * SMALLEST_WIDTH  # 33,222,784
SMALLEST_EPOCH_TOKENS = 1.2e9  # tokens seen after one epoch ...
SMALLEST_EPOCH_STEPS = 1200  # ... which takes this many optimiser steps


@dataset(
    "tao2024_grid",
    "Tao 2024: 1,200 points, 6 model sizes x 10 vocabularies x 20 checkpoints (L_u)",
    flop_definition="6 (N_nv + V d) D",
    parameters_counted="non-vocabulary N_nv and vocabulary N_v = V d, separately",
)
def grid() -> pd.DataFrame:
    """One row per evaluation point, in the file's order (model, then vocabulary, then checkpoint).

    Columns: N_nv (non-vocabulary parameters), V (vocabulary size), d (embedding width), N_v = V·d
    (vocabulary parameters), H (training characters), D (training tokens, C / 6(N_nv + N_v)), C
    (training FLOP as released), loss_u (unigram-normalised loss, nats; negative), model (0–5,
    smallest first) and checkpoint (0–19 along training)."""
    raw = read_csv(GRID_FILE)
    frame = pd.DataFrame(
        {
            "N_nv": raw["Non_vocab_parameters"].astype(float),
            "V": raw["vocab_size"].astype(int),
            "d": raw["embed_dim"].astype(int),
        }
    )
    frame["N_v"] = (frame["V"] * frame["d"]).astype(float)
    frame["H"] = raw["num_characters"].astype(float)
    frame["C"] = raw["FLOPs"].astype(float)
    frame["D"] = frame["C"] / (6 * (frame["N_nv"] + frame["N_v"]))
    frame["loss_u"] = raw["Lossu"].astype(float)
    sizes = np.sort(frame["N_nv"].unique())
    frame["model"] = np.searchsorted(sizes, frame["N_nv"])
    frame["checkpoint"] = frame.groupby(["model", "V"]).cumcount()
    return frame


@dataset(
    "tao2024_isoflop_33m",
    "Tao 2024: 200 checkpoints of the 33M model's IsoFLOP runs, 10 vocabularies (PPL_u)",
    flop_definition="6 (N_nv + V d) D",
    parameters_counted="non-vocabulary N_nv and vocabulary N_v = V d, separately",
)
def isoflop_33m() -> pd.DataFrame:
    """One row per checkpoint file, sorted by vocabulary then step.

    Columns: V, step, d (512), N_nv (33,222,784), N_v = V·d, D (tokens: 1.2e9 per 1,200 steps), C =
    6 (N_nv + N_v) D, ppl_u (unigram-normalised perplexity, the file's value) and loss_u = ln
    ppl_u."""
    rows = []
    for relative in registry():
        match = CHECKPOINT_PATTERN.fullmatch(relative)
        if match:
            ppl = float(path_of(relative).read_text().strip())
            rows.append((int(match[1]), int(match[2]), ppl))
    frame = pd.DataFrame(rows, columns=["V", "step", "ppl_u"]).sort_values(
        ["V", "step"], ignore_index=True
    )
    frame.insert(2, "d", SMALLEST_WIDTH)
    frame.insert(3, "N_nv", float(SMALLEST_NON_VOCABULARY))
    frame.insert(4, "N_v", (frame["V"] * SMALLEST_WIDTH).astype(float))
    frame.insert(5, "D", SMALLEST_EPOCH_TOKENS * frame["step"] / SMALLEST_EPOCH_STEPS)
    frame.insert(6, "C", 6 * (frame["N_nv"] + frame["N_v"]) * frame["D"])
    frame["loss_u"] = np.log(frame["ppl_u"])
    return frame
