"""The authors' fitting procedures of Tao et al. (2024), run as released."""

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import huber

from scaling_core.data import load
from scaling_core.papers.tao2024 import (
    TAO_2024,
    _minimize_as_released,
    characters_to_tokens,
    fit_exponent_as_released,
    fit_power_law_as_released,
    fit_vocabulary_law_as_released,
    flop_minimising_vocabulary,
    flop_minimising_vocabulary_as_released,
    tao2024_power_law_starts,
    tao2024_starts,
    width_for,
)


def test_batched_gradient_takes_the_same_steps_as_scipys_own_finite_differences():
    x = np.linspace(0, 3, 40)
    y = 0.7 + 0.4 * x + 0.01 * np.sin(7 * x)

    def one(params):
        return float(np.sum(huber(1e-3, params[0] + params[1] * x - y)))

    def batch(rows):
        return np.sum(huber(1e-3, rows[:, :1] + rows[:, 1:2] * x - y), axis=1)

    for start in ([0.0, 0.0], [-3.0, 0.9], [2.0, 0.1]):
        ours = _minimize_as_released(batch, np.array(start))
        scipys = minimize(one, np.array(start), method="L-BFGS-B")
        np.testing.assert_array_equal(ours.x, scipys.x)
        assert ours.nit == scipys.nit


def test_power_law_starts_are_the_authors_grid():
    starts = tao2024_power_law_starts()
    assert starts.shape == (400, 2)
    assert (starts[:, 0].min(), starts[:, 0].max()) == (-20, 15)
    assert (starts[:, 1].min(), starts[:, 1].max()) == (0, 1)


def test_power_law_as_released_recovers_an_exact_law():
    C = np.geomspace(1e17, 1e21, 25)
    fit = fit_power_law_as_released(C, np.exp(-1.6) * C**0.42)
    assert fit.law.exponent == pytest.approx(0.42, abs=1e-3)
    assert fit.relative_mse < 1e-6
    assert len(fit.objective_by_start) == 400
    fixed = fit_power_law_as_released(C, np.exp(-2.5) * C**0.5, exponent=0.5)
    assert np.log(fixed.law.k) == pytest.approx(-2.5, abs=1e-4)
    assert len(fixed.objective_by_start) == 20  # the 20 distinct K starts


def test_power_law_as_released_rejects_bad_input():
    with pytest.raises(ValueError, match="same length"):
        fit_power_law_as_released([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="delta"):
        fit_power_law_as_released([1.0, 2.0], [1.0, 2.0], delta=0)


def test_exponent_as_released_recovers_an_exact_exponent():
    x = np.array([2.0, 5.0, 10.0, 40.0])
    fit = fit_exponent_as_released(x, x**0.83)
    assert fit.law.exponent == pytest.approx(0.83, abs=1e-4)
    with pytest.raises(ValueError, match="delta"):
        fit_exponent_as_released(x, x, delta=-1)


def test_fsolve_roots_agree_with_bisection():
    sizes = np.array([33e6, 302e6, 2870e6])
    ours = flop_minimising_vocabulary(sizes, width_for(sizes))
    np.testing.assert_allclose(
        flop_minimising_vocabulary_as_released(sizes, width_for(sizes)), ours, rtol=1e-10
    )


def test_vocabulary_law_as_released_from_one_start():
    grid = load("tao2024_grid")
    rows = grid[grid["C"] >= 2.18e17]
    N_nv, N_v, loss = rows["N_nv"].to_numpy(), rows["N_v"].to_numpy(), rows["loss_u"].to_numpy()
    D = characters_to_tokens(rows["H"], rows["V"], "repository")
    fit = fit_vocabulary_law_as_released(N_nv, N_v, D, loss, starts=tao2024_starts()[[48]])
    assert fit.n_starts == 1
    assert fit.law.alpha2 == pytest.approx(TAO_2024.alpha2, rel=0.03)  # an unconverged stop near it
    assert fit.relative_mse < 4.1e-4
    with pytest.raises(ValueError, match=r"shape \(k, 6\)"):
        fit_vocabulary_law_as_released(N_nv, N_v, D, loss, starts=[[1.0, 2.0]])
    with pytest.raises(ValueError, match="same length"):
        fit_vocabulary_law_as_released(N_nv[:5], N_v, D, loss)


def test_approach1_envelope_keeps_new_records_with_their_vocabulary_parameters():
    from scaling_core.papers.tao2024 import approach1_envelope, width_for

    runs = {
        "C": np.array([3.0, 1.0, 2.0, 4.0]),
        "N_nv": np.array([3e8, 1e8, 2e8, 4e8]),
        "V": np.array([8192.0, 4096.0, 4096.0, 16384.0]),
        "loss": np.array([2.5, 3.0, 3.1, 2.4]),
    }
    envelope = approach1_envelope(runs)
    assert envelope["index"].tolist() == [1, 0, 3]
    np.testing.assert_array_equal(envelope["N_v"], envelope["V"] * width_for(envelope["N_nv"]))
    with pytest.raises(ValueError, match=r"missing \['V'\]"):
        approach1_envelope({k: v for k, v in runs.items() if k != "V"})
