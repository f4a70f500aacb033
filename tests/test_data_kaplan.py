"""Porian et al.'s data: the converted tables load without unpickling, hold what the pickles hold,
and the authors' optima and exponents follow exactly from the IsoFLOP points with their seed and
draw order."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scaling_core.data import load
from scaling_core.data.kaplan import NOISE_SD, SEED, SEED_STREAMS, STEPS
from scaling_core.data.registry import read_csv, registry
from scaling_core.fit.argmin import isoflop_optima, optimal_power_law

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("porian2024_isoflop", "porian2024_optimal", "porian2024_fits")

# Unrounded exponents a of the authors' stored output (data/kaplan/published_numbers.md).
PUBLISHED_A = {
    "rw": {"a": 0.835300, "b": 0.706470, "c": 0.602038, "d": 0.571495, "e": 0.496895},
    "owt2": {"a": 0.863511, "b": 0.698501, "c": 0.603196, "d": 0.574295, "e": 0.518454},
}


def test_tables_load_without_unpickling(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a loader tried to unpickle")

    monkeypatch.setattr(pd, "read_pickle", refuse)
    shapes = {name: load(name).shape[0] for name in NAMES}
    assert shapes == {"porian2024_isoflop": 1745, "porian2024_optimal": 177, "porian2024_fits": 15}


def test_every_configuration_has_a_step_and_the_grid_is_porians() -> None:
    points = load("porian2024_isoflop")
    assert points.groupby(["dataset", "step"]).ngroups == 15
    assert set(points["step"]) == {step for step, _ in STEPS.values()}
    np.testing.assert_allclose(
        np.sort(points["flops"].unique()), 1.25e16 * 2.0 ** np.arange(12), rtol=1e-12
    )
    np.testing.assert_allclose(points["tokens"] * 6 * points["n"], points["flops"], rtol=1e-12)


def test_stored_exponents_are_the_published_ones() -> None:
    fits = load("porian2024_fits").set_index(["dataset", "step"])["a"]
    for dataset, steps in PUBLISHED_A.items():
        for step, a in steps.items():
            assert fits[dataset, step] == pytest.approx(a, abs=5e-7)


def test_conversion_agrees_with_the_earlier_extraction() -> None:
    ours = load("porian2024_optimal")
    earlier = read_csv("kaplan/derived/porian2024_optimal_points.csv")
    np.testing.assert_array_equal(ours["n_star"].to_numpy(), earlier["n_star"].to_numpy())
    np.testing.assert_array_equal(
        ours["n_star_log_sd"].to_numpy(), earlier["n_star_std"].to_numpy()
    )


def test_the_conversion_script_remakes_the_registered_files(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "convert_pickles", ROOT / "data/kaplan/convert_pickles.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.main(tmp_path)
    for name in NAMES:
        made = hashlib.sha256((tmp_path / f"{name}.csv.gz").read_bytes()).hexdigest()
        assert made == registry()[f"kaplan/converted/{name}.csv.gz"].sha256


def test_the_authors_optima_and_exponents_follow_from_the_points() -> None:
    points, stored, fits = (load(name) for name in NAMES)
    dataset, steps = SEED_STREAMS[0]
    rng = np.random.RandomState(SEED)  # the authors' legacy stream, for exact agreement
    for step in steps:
        chosen = (points["dataset"] == dataset) & (points["step"] == step)
        optima = isoflop_optima(points[chosen], noise_sd=NOISE_SD[dataset], rng=rng)
        theirs = stored[(stored["dataset"] == dataset) & (stored["step"] == step)]
        np.testing.assert_allclose(optima["n_star"], theirs["n_star"], rtol=1e-12)
        np.testing.assert_allclose(optima["n_star_log_sd"], theirs["n_star_log_sd"], rtol=1e-12)
        np.testing.assert_array_equal(optima["n_valid"], theirs["n_valid"])
        law = optimal_power_law(optima)
        row = fits[(fits["dataset"] == dataset) & (fits["step"] == step)].iloc[0]
        assert law.exponent == pytest.approx(row["a"], abs=1e-12)
        assert law.exponent_interval() == pytest.approx(
            (row["a_ci95_lo"], row["a_ci95_hi"]), abs=1e-12
        )
        assert law(5.88e23) == pytest.approx(row["n_star_cc"], rel=1e-10)
        assert law.replica_exponent.size == row["replicas"]
        assert optimal_power_law(optima, "t").exponent == pytest.approx(row["b"], abs=1e-12)
