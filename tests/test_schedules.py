"""Learning-rate schedules and the forward and annealing areas under them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from scaling_core.schedules import (
    WSD,
    AreaState,
    Constant,
    Cosine,
    MultiStage,
    Warmup,
    annealing_areas,
    learning_rates,
    step_indices,
)

learning_rate_arrays = arrays(
    np.float64, st.integers(1, 300), elements=st.floats(0.0, 1e-2, allow_subnormal=False)
)
momenta = st.floats(0.0, 0.9999)


def test_constant_is_flat() -> None:
    assert np.all(Constant(3e-4)(np.arange(10)) == 3e-4)


def test_cosine_end_points_and_midpoint() -> None:
    cosine = Cosine(peak=1.0, final=0.1, start=10, length=100)
    values = cosine(np.array([0, 10, 60, 110, 500]))
    np.testing.assert_allclose(values, [1.0, 1.0, 0.55, 0.1, 0.1])


@pytest.mark.parametrize("decay", ["linear", "exponential"])
def test_wsd_is_stable_then_decays_to_final(decay: str) -> None:
    wsd = WSD(peak=1.0, final=0.01, decay_start=100, decay_length=50, decay=decay)
    values = wsd(np.array([0, 100, 150, 1000]))
    np.testing.assert_allclose(values, [1.0, 1.0, 0.01, 0.01])
    middle = wsd(125)
    expected = 0.505 if decay == "linear" else 0.1  # arithmetic vs geometric mean of 1 and 0.01
    np.testing.assert_allclose(middle, expected)


def test_multi_stage_switches_at_the_boundaries() -> None:
    stages = MultiStage((5, 8), (3.0, 2.0, 1.0))
    np.testing.assert_array_equal(stages(np.array([0, 4, 5, 7, 8, 100])), [3, 3, 2, 2, 1, 1])


def test_warmup_ramps_linearly_to_the_schedule_without_a_jump() -> None:
    schedule = Warmup(5, Constant(2.0))
    np.testing.assert_allclose(learning_rates(schedule, 7), [0.0, 0.5, 1.0, 1.5, 2.0, 2.0, 2.0])
    np.testing.assert_allclose(learning_rates(schedule, 5), np.linspace(0.0, 2.0, 5))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Constant(-1.0), "peak"),
        (lambda: Cosine(1.0, 0.1, 0, 0), "length"),
        (lambda: WSD(1.0, 0.1, 10, 5, decay="cubic"), "decay"),
        (lambda: WSD(1.0, 0.0, 10, 5, decay="exponential"), "final"),
        (lambda: MultiStage((5,), (1.0,)), "one entry more"),
        (lambda: MultiStage((5, 3), (1.0, 2.0, 3.0)), "strictly increasing"),
        (lambda: Warmup(1, Constant(1.0)), "warmup"),
        (lambda: learning_rates(Constant(1.0), 0), "total_steps"),
        (lambda: Constant(1.0)(-3), "step"),
    ],
)
def test_bad_input_is_refused_by_name(make, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_forward_area_is_the_running_sum() -> None:
    lr = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(annealing_areas(lr).S1, [1.0, 3.0, 6.0])


def test_annealing_area_of_a_single_drop_has_its_closed_form() -> None:
    lam, drop, at = 0.9, 0.3, 4
    lr = np.where(np.arange(20) < at, 1.0, 1.0 - drop)
    S2 = annealing_areas(lr, lam).S2
    steps = np.arange(20)
    expected = np.where(steps < at, 0.0, drop * (1 - lam ** (steps - at + 1)) / (1 - lam))
    np.testing.assert_allclose(S2, expected, atol=1e-15)


def test_without_momentum_the_annealing_area_is_the_total_drop() -> None:
    lr = np.array([5.0, 4.0, 4.5, 2.0])
    np.testing.assert_allclose(annealing_areas(lr, 0.0).S2, lr[0] - lr)


def test_anneal_from_ignores_the_warmup_rise() -> None:
    lr = learning_rates(Warmup(10, Cosine(1.0, 0.0, 10, 20)), 40)
    counted = annealing_areas(lr, 0.0, anneal_from=10).S2
    np.testing.assert_allclose(counted[:10], 0.0)
    np.testing.assert_allclose(counted[10:], lr[9] - lr[10:], atol=1e-15)
    assert (
        annealing_areas(lr, 0.0).S2[5] < 0
    )  # counted from step 0 the rise is a negative annealing


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr": [1.0, -1.0]}, "lr"),
        ({"lr": [1.0], "lam": 1.0}, "lam"),
        ({"lr": [[1.0]]}, "one-dimensional"),
        ({"lr": [1.0], "anneal_from": -1}, "anneal_from"),
    ],
)
def test_annealing_areas_refuse_bad_input(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        annealing_areas(**kwargs)


@settings(max_examples=200, deadline=None)
@given(lr=learning_rate_arrays, lam=momenta)
def test_forward_area_never_decreases(lr: np.ndarray, lam: float) -> None:
    assert np.all(np.diff(annealing_areas(lr, lam).S1) >= 0)


@settings(max_examples=200, deadline=None)
@given(lr=learning_rate_arrays, lam=momenta)
def test_annealing_area_never_decreases_under_a_non_increasing_schedule(
    lr: np.ndarray, lam: float
) -> None:
    schedule = np.sort(lr)[::-1]
    S2 = annealing_areas(schedule, lam).S2
    assert np.all(S2 >= 0)
    assert np.all(np.diff(S2) >= -1e-15 * (1 + np.abs(S2[1:])))


@settings(max_examples=200, deadline=None)
@given(lr=learning_rate_arrays.filter(lambda a: len(a) >= 2), lam=momenta, cut=st.floats(0.0, 1.0))
def test_areas_are_additive_over_segments(lr: np.ndarray, lam: float, cut: float) -> None:
    """The areas of a schedule are those of its first part plus those of its second part, the second
    part starting from the momentum and learning rate in which the first one ended."""
    split = 1 + int(cut * (len(lr) - 2))
    whole = annealing_areas(lr, lam)
    first = annealing_areas(lr[:split], lam)
    carried = AreaState(momentum=first.state.momentum, last_lr=first.state.last_lr)
    second = annealing_areas(lr[split:], lam, state=carried)
    np.testing.assert_allclose(whole.S1[:split], first.S1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(whole.S2[:split], first.S2, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(whole.S1[split:], first.state.S1 + second.S1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(whole.S2[split:], first.state.S2 + second.S2, rtol=1e-9, atol=1e-12)
    continued = annealing_areas(lr[split:], lam, state=first.state)
    np.testing.assert_allclose(continued.S2, whole.S2[split:], rtol=1e-9, atol=1e-12)


def test_step_indices_accepts_integer_steps_and_names_bad_ones() -> None:
    np.testing.assert_array_equal(step_indices("steps", [0, 3, 9], 10), [0, 3, 9])
    with pytest.raises(ValueError, match="steps must lie in \\[0, 9\\]"):
        step_indices("steps", [10], 10)
    with pytest.raises(ValueError, match="integer steps"):
        step_indices("steps", [1.5], 10)
