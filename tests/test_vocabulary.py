"""scaling_core.papers.tao2024: FLOP accounting with vocabularies, the three optima, and the
approach-3 fit."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar
from scipy.special import huber

from scaling_core.papers.tao2024 import (
    TAO_2024,
    VocabularyLaw,
    characters_to_tokens,
    densified_runs,
    fit_huber_power_law,
    fit_vocabulary_law,
    flop_minimising_vocabulary,
    lowest_loss_envelope,
    tao2024_starts,
    tokens_per_character,
    training_flops,
    vocabulary_objective,
    width_for,
)

K1 = -2.4846510161625193  # released approach-1 constant: compute-optimal C = (N_nv / e^K1)^2


def test_tokens_per_character_falls_with_vocabulary_and_is_capped():
    r = tokens_per_character([4096, 32768, 200_000, 1_000_000])
    assert r[0] == pytest.approx(0.3318, abs=1e-4)
    assert np.all(np.diff(r[:3]) < 0)
    assert r[3] == r[2]


def test_conventions_differ_by_reading_v_in_thousands():
    H, V = 1e9, 16384
    assert characters_to_tokens(H, V) == pytest.approx(H * tokens_per_character(V))
    assert characters_to_tokens(H, V, "repository") == pytest.approx(
        H * tokens_per_character(V / 1000)
    )
    with pytest.raises(ValueError, match="convention must be one of"):
        characters_to_tokens(H, V, "tokens")


def test_training_flops_counts_vocabulary_parameters():
    assert training_flops(1e8, 5e6, 2e9) == pytest.approx(6 * 1.05e8 * 2e9)
    with pytest.raises(ValueError, match="N_v"):
        training_flops(1e8, -1, 2e9)


def test_width_table_boundaries_are_inclusive():
    assert width_for([50e6, 50e6 + 1, 2.87e9, 70e9, 5e12]).tolist() == [512, 768, 3200, 8192, 24576]
    with pytest.raises(ValueError, match="N_nv"):
        width_for(0)


def test_flop_minimising_vocabulary_is_a_minimum_of_the_cost():
    N_nv, d = np.array([33e6, 2.87e9]), np.array([512.0, 3200.0])
    V = flop_minimising_vocabulary(N_nv, d)
    cost = lambda v: (N_nv + v * d) * tokens_per_character(v)  # noqa: E731
    assert np.all(cost(V) < cost(V * 0.99)) and np.all(cost(V) < cost(V * 1.01))


def test_lowest_loss_envelope_keeps_new_records_in_compute_order():
    C = np.array([3.0, 1.0, 2.0, 4.0, 5.0])
    loss = np.array([0.5, 1.0, 0.8, 0.9, 0.4])
    assert lowest_loss_envelope(C, loss).tolist() == [1, 2, 0, 4]
    with pytest.raises(ValueError, match="same length"):
        lowest_loss_envelope(C, loss[:3])


def test_huber_power_law_shrugs_off_an_outlier_and_finds_the_huber_minimum():
    x = np.geomspace(1e16, 1e21, 30)
    y = 0.2 * x**0.42
    y[5] *= 3
    fit = fit_huber_power_law(x, y)
    least_squares = np.polyfit(np.log(x), np.log(y), 1)[0]
    assert abs(fit.exponent - 0.42) < 1e-4 < abs(least_squares - 0.42)
    fixed = fit_huber_power_law(x, y, exponent=0.42)
    residual = lambda log_k: huber(1e-3, log_k + 0.42 * np.log(x) - np.log(y)).sum()  # noqa: E731
    best = minimize_scalar(residual, bounds=(-2, -1), method="bounded", options={"xatol": 1e-12}).x
    assert np.log(fixed.k) == pytest.approx(best, abs=1e-9)
    through_origin = fit_huber_power_law(x / x[0], y / y[0], k=1.0)
    assert through_origin.k == 1.0 and abs(through_origin.exponent - 0.42) < 1e-4
    with pytest.raises(ValueError, match="at least one"):
        fit_huber_power_law(x, y, exponent=0.4, k=1.0)


def test_released_law_reproduces_the_derived_prediction_table():
    # published_numbers.md: approach-3 optimal V from the repository constants (truncated to
    # integers)
    N_nv = np.array([2.87e9, 7e9, 70e9, 300e9])
    V = TAO_2024.optimal_vocabulary(N_nv, (N_nv / np.exp(K1)) ** 2)
    assert np.floor(V).tolist() == [35271, 59547, 217961, 383659]
    assert TAO_2024.optimal_vocabulary(2.87e9, 2.3e21) == pytest.approx(42_211, abs=1)


def test_optimal_vocabulary_minimises_loss_at_fixed_budget():
    N_nv, C = 7e9, 1e22
    N_v = TAO_2024.optimal_vocabulary_parameters(N_nv, C)
    around = N_v * np.array([0.98, 1.0, 1.02])
    loss = TAO_2024.loss_at_budget(N_nv, around, C)
    assert np.argmin(loss) == 1


def test_optimal_vocabulary_grows_with_the_budget():
    V = TAO_2024.optimal_vocabulary(3e9, np.geomspace(1e20, 1e23, 5))
    assert np.all(np.diff(V) > 0)


def test_law_rejects_bad_constants_and_inputs():
    with pytest.raises(ValueError, match="A2"):
        VocabularyLaw(E=1, A1=1, A2=0, B=1, alpha1=0.5, alpha2=0.5, beta=0.5)
    with pytest.raises(ValueError, match="D"):
        TAO_2024.loss(1e8, 1e7, [1e9, -1])


def test_objective_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    log_n, log_nv, log_d = rng.uniform(3, 7, 50), rng.uniform(1, 5, 50), rng.uniform(-1, 4, 50)
    loss = rng.uniform(-5, -3, 50)
    theta = np.array([0.6, -1.6, 0.7, 1.7, 0.66, 0.45])
    data = (
        log_n,
        log_nv,
        log_d,
        loss,
        10.0,
    )  # a large delta keeps the objective smooth for the check
    _, grad = vocabulary_objective(theta, *data)
    step = 1e-6
    value = lambda t: vocabulary_objective(t, *data)[0][0]  # noqa: E731
    numeric = [(value(theta + step * e) - value(theta - step * e)) / (2 * step) for e in np.eye(6)]
    np.testing.assert_allclose(grad[0], numeric, rtol=1e-6, atol=1e-8)


def test_fit_recovers_a_known_law():
    law = VocabularyLaw(E=5.5, A1=1.8, A2=0.2, B=2.1, alpha1=0.45, alpha2=0.67, beta=0.45)
    rng = np.random.default_rng(1)
    N_nv = rng.choice([33e6, 85e6, 151e6, 316e6, 632e6, 1130e6], 80)
    N_v = rng.choice([4096, 8192, 16384, 32768, 65536], 80) * 1024.0
    D = np.exp(rng.uniform(np.log(1e9), np.log(6e10), 80))
    fit = fit_vocabulary_law(N_nv, N_v, D, law.loss(N_nv, N_v, D), refine=2)
    for name in ("E", "A1", "A2", "B", "alpha2", "beta"):
        assert getattr(fit.law, name) == pytest.approx(getattr(law, name), rel=1e-3), name
    assert fit.law.alpha1 == fit.law.beta


def test_fit_rejects_bad_input():
    with pytest.raises(ValueError, match="same length"):
        fit_vocabulary_law([1e8] * 7, [1e7] * 7, [1e9] * 7, [-4.0] * 6)
    with pytest.raises(ValueError, match="at least 6"):
        fit_vocabulary_law([1e8] * 3, [1e7] * 3, [1e9] * 3, [-4.0] * 3)
    with pytest.raises(ValueError, match="finite"):
        fit_vocabulary_law([1e8] * 7, [1e7] * 7, [1e9] * 7, [-4.0] * 6 + [np.nan])
    with pytest.raises(ValueError, match="shape"):
        fit_vocabulary_law([1e8] * 7, [1e7] * 7, [1e9] * 7, [-4.0] * 7, starts=np.zeros((2, 5)))
    with pytest.raises(ValueError, match="delta"):
        fit_vocabulary_law([1e8] * 7, [1e7] * 7, [1e9] * 7, [-4.0] * 7, delta=0)
    with pytest.raises(ValueError, match="refine"):
        fit_vocabulary_law([1e8] * 7, [1e7] * 7, [1e9] * 7, [-4.0] * 7, refine=0)


def test_starts_are_the_authors_grid():
    starts = tao2024_starts()
    assert starts.shape == (486, 6)
    assert set(starts[:, 3]) == {0.0, 2.0}


def test_densified_runs_keep_the_runs_and_add_interpolated_points():
    N = np.repeat([1e8, 2e8, 4e8], 6)
    V = np.tile(np.repeat([4096, 8192, 16384], 2), 3).astype(float)
    H = np.tile([1e9, 4e9], 9) * N / 1e8
    loss = -4 + 0.1 * np.log(1e8 / N) + 0.2 * np.log(1e9 / H) + 0.01 * np.log(V / 8192) ** 2
    final = H == np.tile([1e9, 4e9], 9).max() * N / 1e8
    runs = densified_runs(N, V, H, loss, final, n_sizes=5, n_vocabularies=4)
    np.testing.assert_array_equal(runs["loss"][: len(N)], loss)
    assert len(runs["C"]) == len(runs["loss"]) > len(N)
    assert np.all(np.isfinite(runs["loss"]))
