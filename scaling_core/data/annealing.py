"""Loss curves under learning-rate schedules, released with Luo et al. (2025).

See data/annealing/PROVENANCE.md. Three model sizes (25M, 100M, 400M parameters) were each trained
under nine schedules, all with a linear warmup from 0 to 3e-4 over 2,160 steps. `CURVES` names each
schedule with its family and length; the schedules themselves, rebuilt step by step, are in
`scaling_core.papers.luo2025`.

The authors' fitting logs (`fitting_log`) hold the multi-power law's fitted constants at full
precision and the metrics the authors computed with them, per curve and averaged over their training
and test sets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from .catalogue import dataset
from .registry import path_of, read_csv

PEAK_LR = 3e-4
FINAL_LR = 3e-5
WARMUP_STEPS = 2160
SIZES = {
    "25M": 25e6,
    "100M": 100e6,
    "400M": 400e6,
}  # nominal parameter counts, as the source names them

# file stem -> (family, total steps); the parameters of each schedule are those of PROVENANCE.md.
CURVES: dict[str, tuple[str, int]] = {
    "constant_24000": ("constant", 24_000),
    "constant_72000": ("constant", 72_000),
    "cosine_24000": ("cosine", 24_000),
    "cosine_72000": ("cosine", 72_000),
    "wsd_20000_24000": ("WSD, exponential decay", 24_000),
    "wsdld_20000_24000": ("WSD, linear decay", 24_000),
    "wsdcon_3": ("two-stage", 16_000),
    "wsdcon_9": ("two-stage", 16_000),
    "wsdcon_18": ("two-stage", 16_000),
}


@dataset(
    "annealing_curves",
    "Luo 2025: loss curves of 25M/100M/400M models under 9 learning-rate schedules "
    "(size, schedule, step, lr, loss)",
    flop_definition="not used (steps and learning rates; no FLOP count)",
    parameters_counted="the authors' size labels 25M, 100M, 400M (exact counts not released)",
)
def curves() -> pd.DataFrame:
    """One row per logged step of every curve. Columns: size ("25M", "100M", "400M"), N (nominal
    parameters), schedule (file stem, a key of `CURVES`), family (constant, cosine, WSD, two-stage),
    total_steps (the schedule's length), step (optimizer step), lr (learning rate at that step),
    loss (nats per token as logged; the source does not say whether training or validation loss)."""
    frames = []
    for size, n_params in SIZES.items():
        folder = f"annealing/loss_curve_repo/csv_{size[:-1]}"
        for name, (family, total) in CURVES.items():
            raw = read_csv(f"{folder}/{name}.csv")
            frames.append(
                pd.DataFrame(
                    {
                        "size": size,
                        "N": n_params,
                        "schedule": name,
                        "family": family,
                        "total_steps": total,
                        "step": raw["step"].astype(int),
                        "lr": raw["lr"].astype(float),
                        "loss": raw["loss"].astype(float),
                    }
                )
            )
    frame = pd.concat(frames, ignore_index=True)
    for column in ("size", "schedule", "family"):
        frame[column] = pd.Categorical(frame[column], categories=list(dict.fromkeys(frame[column])))
    return frame


MPL_PARAMETERS = ("L0", "A", "alpha", "B", "C", "beta", "gamma")  # the order of `Best Parameters`
_PREFIX = r"^INFO:[\w.]+:"
_BEST = re.compile(_PREFIX + r"Best Parameters: \[(.*)\]$", re.MULTILINE)
_SECTION = re.compile(_PREFIX + r"Evaluating on (training|test) set$")
_CURVE = re.compile(_PREFIX + r"(\w+)\.csv$")
_METRIC = re.compile(_PREFIX + r"(Average )?(\w+): (\S+)$")


@dataclass(frozen=True)
class FittingLog:
    """What one fitting log of Luo et al. (2025) reports.

    parameters: the fitted multi-power-law constants by name (`MPL_PARAMETERS`), as printed.
    metrics: one row per evaluated curve; columns set ("train" or "test"), schedule, then the
    metrics (huber_loss, mse_loss, rmse_loss, mae_loss, prede, worste, r2_score).
    averages: the printed averages of each metric over each set; index set, same metric columns.
    """

    source: str
    parameters: dict[str, float]
    metrics: pd.DataFrame
    averages: pd.DataFrame


def parse_fitting_log(text: str, source: str = "fitting log") -> FittingLog:
    """Read the final constants and the evaluation metrics from the text of a fitting log."""
    best = _BEST.findall(text)
    if not best:
        raise ValueError(
            f"{source}: no 'Best Parameters: [...]' line; "
            f"expected one with {len(MPL_PARAMETERS)} numbers"
        )
    values = [float(v) for v in best[-1].split(",")]
    if len(values) != len(MPL_PARAMETERS):
        raise ValueError(
            f"{source}: 'Best Parameters' has {len(values)} numbers, "
            f"expected {len(MPL_PARAMETERS)} ({', '.join(MPL_PARAMETERS)})"
        )
    rows: dict[tuple[str, str], dict[str, float]] = {}
    averages: dict[str, dict[str, float]] = {}
    section = curve = None
    for line in text.splitlines():
        if match := _SECTION.match(line):
            section, curve = {"training": "train", "test": "test"}[match[1]], None
        elif line.endswith("-----"):  # the log closes each evaluation with a rule
            section = curve = None
        elif section and (match := _CURVE.match(line)):
            curve = match[1]
            rows[(section, curve)] = {}
        elif section and (match := _METRIC.match(line)):
            metric, value = match[2].lower(), float(match[3])
            if match[1]:
                averages.setdefault(section, {})[metric] = value
            elif curve is not None:
                rows[(section, curve)][metric] = value
    if set(averages) != {"train", "test"}:
        raise ValueError(
            f"{source}: expected evaluations of the training and the test set, "
            f"found {sorted(averages) or 'none'}"
        )
    metrics = pd.DataFrame([{"set": s, "schedule": c, **m} for (s, c), m in rows.items()])
    table = pd.DataFrame.from_dict(averages, orient="index").rename_axis("set")
    return FittingLog(
        source=source, parameters=dict(zip(MPL_PARAMETERS, values)), metrics=metrics, averages=table
    )


def fitting_log(size: str) -> FittingLog:
    """The authors' fitting log of the model `size` ("25M", "100M" or "400M"), parsed."""
    if size not in SIZES:
        raise KeyError(f"unknown model size {size!r}; the logs cover {', '.join(SIZES)}")
    relative = f"annealing/logs/{size[:-1]}.log"
    return parse_fitting_log(path_of(relative).read_text(encoding="utf-8"), source=relative)
