"""Gadre et al. (2024): 104 training runs with 8 loss evaluations and 46 downstream tasks each.

Each run is one JSON of losses (`exp_data/models/<run>.json`) and one of downstream accuracies
(`exp_data/evals/evaluation_<run>_heavy.json`); see data/overtraining/PROVENANCE.md. The loaders
join them into long tables: one row per run and loss-evaluation set, and one row per run and task.
"""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import PurePosixPath

import pandas as pd

from .catalogue import dataset
from .registry import path_of, registry

FOLDER = "overtraining/exp_data"

TRAIN_SETS = {"c4_original": "C4", "rpj": "RedPajama", "rw_original": "RefinedWeb"}
"""Training distributions: the key used in the files -> the name used in the paper."""

MODEL_LABELS = {
    "d=96_l=8_h=4": "0.011B",
    "d=512_l=8_h=4": "0.079B",
    "d=576_l=24_h=8": "0.154B",
    "d=1024_l=24_h=8": "0.411B",
    "open_lm_1b": "1.4B",
    "open_lm_7b": "6.9B",
}
"""Model configuration -> the paper's label (total parameters, rounded)."""

SUBSET_17 = (
    "bigbench_operators",
    "pubmed_qa_labeled",
    "hellaswag_zeroshot",
    "boolq",
    "arc_easy",
    "coqa",
    "bigbench_dyck_languages",
    "lambada_openai",
    "bigbench_novel_concepts",
    "winograd",
    "bigbench_cs_algorithms",
    "commonsense_qa",
    "bigbench_qa_wikidata",
    "hellaswag",
    "copa",
    "squad",
    "piqa",
)
"""The 17 tasks whose average top-1 error the paper predicts (the repository's `SUBSET`)."""

LOSS_EVALS = (
    "c4_val",
    "openlm",
    "paloma_c4_en",
    "paloma_dolma_100_programing_languages",
    "paloma_falcon-refinedweb",
    "paloma_ptb",
    "paloma_redpajama",
    "val_de-en_100",
)
"""The 8 loss-evaluation sets; `c4_val` is the paper's default "C4 eval"."""


def _run_names() -> list[str]:
    """Every run with a registered loss file, sorted."""
    prefix = f"{FOLDER}/models/"
    return sorted(PurePosixPath(p).stem for p in registry() if p.startswith(prefix))


def _eval_key(val_data: str) -> str:
    """The name of a loss-evaluation set from its data path (German C4 is named by its file)."""
    path = PurePosixPath(val_data)
    return path.stem if "de-en" in path.parent.name else path.parent.name


@cache
def _read_runs() -> tuple[tuple[dict, dict], ...]:
    """(losses JSON, downstream JSON) of every run, read once per process (files are immutable)."""
    pairs = []
    for name in _run_names():
        with path_of(f"{FOLDER}/models/{name}.json").open(encoding="utf-8") as handle:
            losses = json.load(handle)
        with path_of(f"{FOLDER}/evals/evaluation_{name}_heavy.json").open(
            encoding="utf-8"
        ) as handle:
            downstream = json.load(handle)
        pairs.append((losses, downstream))
    return tuple(pairs)


def _run_fields(losses: dict) -> dict[str, object]:
    hyper = losses["hyperparameters"]
    config = str(hyper["model"]).split("/")[-1].removesuffix(".json")
    N, D = float(hyper["params"]), float(hyper["tokens"])
    return {
        "run": losses["name"],
        "train_set": TRAIN_SETS[losses["dataset_name"]],
        "model": MODEL_LABELS[config],
        "config": config,
        "N": N,
        "N_non_embedding": float(hyper["params_no_embed"]),
        "D": D,
        # tokens per parameter D/N, as the files state it: 20 × the multiple of Chinchilla's 20
        # (exact)
        "M": 20.0 * float(hyper["chinchilla_multiplier"]),
        "C": 6.0 * N * D,
    }


@cache
def _metadata() -> pd.DataFrame:
    with path_of(f"{FOLDER}/eval_metadata.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return pd.DataFrame(
        {
            "task": [r["Eval Task"] for r in rows],
            "category": [r["Task Category"] for r in rows],
            "shots": [int(r["#shots"]) for r in rows],
            "random_error": [1.0 - float(r["Random baseline"]) / 100.0 for r in rows],
        }
    )


@dataset(
    "gadre2024_downstream",
    "Gadre 2024: 104 runs × 46 downstream tasks (accuracy, top-1 error, 17-task flag)",
    flop_definition="C = 6ND",
    parameters_counted="all parameters, embeddings included",
)
def downstream() -> pd.DataFrame:
    """One row per run and task. Columns: the run's (run, train_set, model, config, N,
    N_non_embedding, D tokens, M = D/N tokens per parameter, C = 6ND FLOP), task, accuracy, error =
    1 − accuracy, in_subset17 (one of the paper's 17 tasks), category, shots and random_error (top-1
    error of random guessing)."""
    rows = []
    for losses, evals in _read_runs():
        run = _run_fields(losses)
        for task, accuracy in evals["eval_metrics"]["icl"].items():
            rows.append({**run, "task": task, "accuracy": float(accuracy)})
    frame = pd.DataFrame(rows)
    frame["error"] = 1.0 - frame["accuracy"]
    frame["in_subset17"] = frame["task"].isin(SUBSET_17)
    return frame.merge(_metadata(), on="task", how="left", validate="many_to_one")


def average_errors(tasks: pd.DataFrame) -> pd.DataFrame:
    """Per run: err_avg46 (mean top-1 error over all tasks) and err_avg17 (over the 17-task
    subset)."""
    grouped = tasks.groupby("run")
    return pd.DataFrame(
        {
            "err_avg46": grouped["error"].mean(),
            "err_avg17": tasks[tasks["in_subset17"]].groupby("run")["error"].mean(),
        }
    ).reset_index()


@dataset(
    "gadre2024_runs",
    "Gadre 2024: 104 runs × 8 loss evaluations, joined with 46- and 17-task average errors",
    flop_definition="C = 6ND",
    parameters_counted="all parameters, embeddings included",
)
def runs() -> pd.DataFrame:
    """One row per run and loss-evaluation set (832 rows). Columns: run, train_set (C4, RedPajama,
    RefinedWeb), model (paper label), config, N (parameters incl. embeddings), N_non_embedding, D
    (tokens), M (token multiplier D/N), C (6ND FLOP), eval (loss set, `c4_val` is the paper's "C4
    eval"), loss (nats/token), loss_lower95 / loss_upper95 (95 % interval over sequences),
    eval_tokens (size of the evaluation set), and the run's downstream averages err_avg46 and
    err_avg17 (top-1 error, fraction)."""
    rows = []
    for losses, _ in _read_runs():
        run = _run_fields(losses)
        for result in losses["results"]:
            rows.append(
                {
                    **run,
                    "eval": _eval_key(result["val_data"][0]),
                    "loss": float(result["loss"]),
                    "loss_lower95": float(result["loss_sequences_lower_95"]),
                    "loss_upper95": float(result["loss_sequences_upper_95"]),
                    "eval_tokens": int(result["tokens"]),
                }
            )
    frame = pd.DataFrame(rows)
    return frame.merge(average_errors(downstream()), on="run", how="left", validate="many_to_one")
