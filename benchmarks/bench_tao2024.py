"""Tao et al.'s approach-3 fit as released, all 486 starts in both conventions: time and winner.

The chapter on vocabulary reruns only the winning start of each convention (the full grid is over
its time budget); this script runs the whole grid and prints which start wins, so that the choice
can be checked.

    python benchmarks/bench_tao2024.py
"""

from __future__ import annotations

import time

import numpy as np

from scaling_core.data import load
from scaling_core.papers.tao2024 import (
    characters_to_tokens,
    fit_vocabulary_law_as_released,
    tao2024_starts,
)


def main() -> None:
    grid = load("tao2024_grid")
    rows = grid[grid["C"] >= 2.18e17]
    starts = tao2024_starts()
    for convention in ("repository", "corrected"):
        tokens = characters_to_tokens(rows["H"], rows["V"], convention)
        began = time.perf_counter()
        fit = fit_vocabulary_law_as_released(rows["N_nv"], rows["N_v"], tokens, rows["loss_u"])
        seconds = time.perf_counter() - began
        winner = int(np.flatnonzero((fit.candidates[:, :6] == fit.params).all(axis=1))[0])
        law = fit.law
        print(
            f"{convention}: {seconds:.1f} s for {fit.n_starts} starts "
            f"({fit.n_admissible} admissible); winner start {winner} = {starts[winner].tolist()}; "
            f"relative MSE {fit.relative_mse:.4e}; E {law.E:.4f} A1 {law.A1:.4f} "
            f"A2 {law.A2:.4f} B {law.B:.4f} alpha1 = beta {law.beta:.4f} alpha2 {law.alpha2:.4f}"
        )


if __name__ == "__main__":
    main()
