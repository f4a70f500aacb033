"""Luo et al. (2025): schedules rebuilt exactly, and the law with the logged constants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scaling_core.data import load
from scaling_core.data.annealing import CURVES, PEAK_LR, WARMUP_STEPS, fitting_log
from scaling_core.papers.luo2025 import MPL_LUO_2025, SCHEDULES, fitted_multi_power_law, schedule_lr


@pytest.fixture(scope="module")
def curves() -> pd.DataFrame:
    return load("annealing_curves")


def test_every_curve_has_a_schedule() -> None:
    assert list(SCHEDULES) == list(CURVES)


def test_rebuilt_schedules_equal_the_logged_learning_rates(curves: pd.DataFrame) -> None:
    for (_, name), curve in curves.groupby(["size", "schedule"], observed=True):
        lr = schedule_lr(name)
        assert len(lr) == CURVES[name][1]
        np.testing.assert_allclose(
            lr[curve["step"].to_numpy()], curve["lr"].to_numpy(), rtol=1e-13, err_msg=name
        )


def test_warmup_is_linear_to_the_peak() -> None:
    lr = schedule_lr("cosine_24000")
    np.testing.assert_allclose(lr[:WARMUP_STEPS], np.linspace(0.0, PEAK_LR, WARMUP_STEPS))


def test_unknown_schedule_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="cosine_24000"):
        schedule_lr("cosine_99")


def test_fitted_law_has_the_logged_constants() -> None:
    law = fitted_multi_power_law("100M")
    logged = fitting_log("100M").parameters
    assert (law.L0, law.A, law.alpha, law.B, law.C, law.beta, law.gamma) == tuple(logged.values())


@pytest.mark.parametrize("size", ["25M", "100M", "400M"])
def test_readme_constants_are_the_logged_ones_rounded(size: str) -> None:
    printed = MPL_LUO_2025[size]
    for name, value in fitting_log(size).parameters.items():
        assert getattr(printed, name) == round(value, 3), (size, name)
