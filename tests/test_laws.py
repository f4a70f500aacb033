"""scaling_core.laws: the Chinchilla law, its closed-form optimum and the published constants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scaling_core.laws import (
    BESIROGLU_2024,
    HOFFMANN_2022,
    HOFFMANN_2022_UNROUNDED,
    KAPLAN_2020,
    KAPLAN_2020_FIXED_BATCH,
    LAWS,
    PF_DAY,
    ChinchillaLaw,
    OptimalSizeLaw,
)


def test_loss_broadcasts_like_numpy() -> None:
    N = np.array([1e8, 1e9, 1e10])[:, None]
    D = np.array([1e10, 1e11])[None, :]
    assert HOFFMANN_2022.loss(N, D).shape == (3, 2)


def test_loss_of_chinchilla_and_gopher() -> None:
    # Derived in data/chinchilla/published_numbers.md: 1.9366 / 1.9208 (Chinchilla), 1.9933 / 1.9672
    # (Gopher).
    assert HOFFMANN_2022.loss(70e9, 1.4e12) == pytest.approx(1.9366, abs=5e-5)
    assert HOFFMANN_2022_UNROUNDED.loss(70e9, 1.4e12) == pytest.approx(1.9208, abs=5e-5)
    assert HOFFMANN_2022.loss(280e9, 300e9) == pytest.approx(1.9933, abs=5e-5)
    assert HOFFMANN_2022_UNROUNDED.loss(280e9, 300e9) == pytest.approx(1.9672, abs=5e-5)


@pytest.mark.parametrize(
    ("law", "C", "N_opt", "D_opt"),
    [
        (HOFFMANN_2022, 5.76e23, 3.219e10, 2.982e12),
        (HOFFMANN_2022, 1e25, 1.168e11, 1.427e13),
        (HOFFMANN_2022_UNROUNDED, 5.76e23, 4.036e10, 2.379e12),
        (HOFFMANN_2022_UNROUNDED, 1e21, 2.217e9, 7.518e10),
    ],
)
def test_closed_form_matches_the_derived_table(
    law: ChinchillaLaw, C: float, N_opt: float, D_opt: float
) -> None:
    N, D = law.compute_optimal(C)
    assert N == pytest.approx(N_opt, rel=5e-4)
    assert D == pytest.approx(D_opt, rel=5e-4)


def test_exponents() -> None:
    assert HOFFMANN_2022.a == pytest.approx(0.4516, abs=1e-4)
    assert HOFFMANN_2022.a + HOFFMANN_2022.b == pytest.approx(1.0)
    assert BESIROGLU_2024.a == pytest.approx(0.5126, abs=1e-4)
    assert HOFFMANN_2022.G == pytest.approx(1.34471, rel=1e-5)


@settings(max_examples=60, deadline=None)
@given(
    log_c=st.floats(min_value=18, max_value=28),
    shift=st.floats(min_value=-2, max_value=2).filter(lambda s: abs(s) > 1e-3),
)
def test_closed_form_beats_every_other_point_on_the_budget(log_c: float, shift: float) -> None:
    C = 10.0**log_c
    N, D = HOFFMANN_2022.compute_optimal(C)
    assert 6 * N * D == pytest.approx(C, rel=1e-12)
    other_N = N * 10.0**shift
    assert HOFFMANN_2022.loss(other_N, C / (6 * other_N)) > HOFFMANN_2022.loss(N, D)


def test_tokens_per_parameter_and_optimal_loss() -> None:
    # The derived table prints N_opt = 3.219e10 and D_opt = 2.982e12 at 5.76e23 FLOP: D/N = 92.64.
    assert HOFFMANN_2022.tokens_per_parameter(5.76e23) == pytest.approx(
        2.982e12 / 3.219e10, rel=5e-4
    )
    assert HOFFMANN_2022.optimal_loss(5.76e23) == pytest.approx(1.9307, abs=5e-5)
    # Derived in published_numbers.md: 58.9 (unrounded) at Gopher's budget; at Chinchilla's 6ND =
    # 5.88e23, 92.8 (rounded), 59.0 (unrounded) and 18.4 (Epoch's paper values).
    assert HOFFMANN_2022_UNROUNDED.tokens_per_parameter(5.76e23) == pytest.approx(58.9, abs=0.05)
    assert HOFFMANN_2022.tokens_per_parameter(5.88e23) == pytest.approx(92.8, abs=0.05)
    assert HOFFMANN_2022_UNROUNDED.tokens_per_parameter(5.88e23) == pytest.approx(59.0, abs=0.05)
    assert BESIROGLU_2024.tokens_per_parameter(5.88e23) == pytest.approx(18.4, abs=0.05)


@pytest.mark.parametrize(
    ("N", "D", "name"), [(0, 1e9, "N"), (1e9, -1, "D"), (float("nan"), 1e9, "N"), (1e9, "x", "D")]
)
def test_loss_refuses_bad_input_by_name(N: object, D: object, name: str) -> None:
    with pytest.raises(ValueError, match=rf"^{name} "):
        HOFFMANN_2022.loss(N, D)


@pytest.mark.parametrize("C", [0, -1e20, float("nan"), float("inf")])
def test_compute_optimal_refuses_bad_budgets(C: float) -> None:
    with pytest.raises(ValueError, match="C \\(FLOP budget\\) must be finite and > 0"):
        HOFFMANN_2022.compute_optimal(C)


def test_law_refuses_bad_constants() -> None:
    with pytest.raises(ValueError, match="alpha"):
        ChinchillaLaw(E=1.7, A=400, B=400, alpha=-0.3, beta=0.3)


def test_named_laws() -> None:
    assert LAWS["hoffmann2022"] is HOFFMANN_2022
    assert LAWS["besiroglu2024"] is BESIROGLU_2024


def test_kaplan_2020_gives_the_sizes_others_quote():
    # Hoffmann et al. (2022, App. D.4): Kaplan's law asks for 4.68B parameters at 1e21 FLOP
    # (C_min = C / 2).
    assert KAPLAN_2020.optimal_params(1e21 / 2) == pytest.approx(4.68e9, abs=0.005e9)
    # Porian et al.'s figure lines at Chinchilla's budget, 5.88e23 FLOP: 816B and 3.78T.
    assert KAPLAN_2020.optimal_params(5.88e23) == pytest.approx(816e9, abs=0.5e9)
    assert KAPLAN_2020_FIXED_BATCH.optimal_params(5.88e23) == pytest.approx(3.78e12, abs=0.005e12)


def test_optimal_size_law_is_vectorised_and_rejects_bad_input():
    sizes = KAPLAN_2020.optimal_params(np.array([PF_DAY, 2 * PF_DAY]))
    assert sizes[0] == pytest.approx(1.3e9) and sizes[1] / sizes[0] == pytest.approx(2**0.73)
    with pytest.raises(ValueError, match="C"):
        KAPLAN_2020.optimal_params(-1.0)
    with pytest.raises(ValueError, match="OptimalSizeLaw.a"):
        OptimalSizeLaw(N_ref=1.0, C_ref=1.0, a=0.0)


def test_constants_name_every_parameter_and_the_allocation_exponent() -> None:
    constants = HOFFMANN_2022.constants()
    assert constants == {
        "E": HOFFMANN_2022.E,
        "A": HOFFMANN_2022.A,
        "B": HOFFMANN_2022.B,
        "alpha": HOFFMANN_2022.alpha,
        "beta": HOFFMANN_2022.beta,
        "a": HOFFMANN_2022.beta / (HOFFMANN_2022.alpha + HOFFMANN_2022.beta),
    }
