"""The data-constrained law of Muennighoff et al. (2023) and its forms of repetition decay."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from scaling_core.laws import (
    MUENNIGHOFF_2023,
    REPETITION_DECAYS,
    explicit_decay,
    exponential_decay,
    geometric_decay,
)


def test_readme_evaluations_to_full_precision() -> None:
    # the authors' README prints these for the two models of their Figure 1
    assert MUENNIGHOFF_2023.loss(6.34e9, 242e9, 25e9) == pytest.approx(
        2.2256440889984477, abs=1e-12
    )
    assert MUENNIGHOFF_2023.loss(8.67e9, 178e9, 25e9) == pytest.approx(
        2.2269634075087867, abs=1e-12
    )


def test_one_epoch_of_fresh_data_is_the_base_law() -> None:
    law = MUENNIGHOFF_2023
    N = np.array([1e7, 1e8])  # both below U_N for 1e10 unique tokens
    assert np.all(N < law.unique_params(1e10))
    assert np.allclose(law.loss(N, 1e10, 1e10), law.base.loss(N, 1e10), rtol=1e-15)


def test_unique_params_is_the_base_compute_optimal_size() -> None:
    law = MUENNIGHOFF_2023
    N_opt, D_opt = law.base.compute_optimal(np.array([1e20, 1e22]))
    assert np.allclose(law.unique_params(D_opt), N_opt, rtol=1e-12)


def test_repeated_tokens_approach_r_star_epochs_of_fresh_data() -> None:
    law = MUENNIGHOFF_2023
    assert law.effective_tokens(4e9, 1e9) < 4e9
    assert law.effective_tokens(1e15, 1e9) == pytest.approx(1e9 * (1 + law.rd_star), rel=1e-12)
    more = law.effective_tokens(np.array([2e9, 3e9, 10e9]), 1e9)
    assert np.all(np.diff(more) > 0)


@pytest.mark.parametrize(
    "form, constant", [("exponential", 7.0), ("geometric", 0.1), ("explicit", 0.1)]
)
def test_decay_derivatives_match_finite_differences(form: str, constant: float) -> None:
    repeats = np.array([0.0, 0.5, 3.0, 40.0, 900.0])
    decay = REPETITION_DECAYS[form]
    h = 1e-6 * constant
    numeric = (decay(repeats, constant + h)[0] - decay(repeats, constant - h)[0]) / (2 * h)
    assert np.allclose(decay(repeats, constant)[1], numeric, rtol=1e-6, atol=1e-9)


def test_geometric_and_explicit_forms_are_the_same_sum() -> None:
    repeats = np.arange(0.0, 20.0)
    rate = 0.05
    geometric = geometric_decay(repeats, 1 - np.exp(-rate))[0]
    assert np.allclose(geometric, explicit_decay(repeats, rate)[0], rtol=1e-12)
    assert exponential_decay(np.array([0.0]), 3.0)[0][0] == 0.0


def test_bad_input_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="must not exceed D"):
        MUENNIGHOFF_2023.loss(1e9, 1e9, 2e9)
    with pytest.raises(ValueError, match="U \\(unique tokens\\)"):
        MUENNIGHOFF_2023.loss(1e9, 1e9, -1)
    with pytest.raises(ValueError, match="rd_star"):
        replace(MUENNIGHOFF_2023, rd_star=0.0)
    with pytest.raises(ValueError, match="data_decay"):
        replace(MUENNIGHOFF_2023, data_decay="linear")
    with pytest.raises(ValueError, match="geometric"):
        replace(MUENNIGHOFF_2023, data_decay="geometric", rd_star=1.5)
