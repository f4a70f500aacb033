"""Tests of the Chinchilla bootstrap: its API, its reproducibility, and that it covers a known
law."""

from __future__ import annotations

import tracemalloc
from unittest.mock import patch

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaling_core.fit import (
    ChinchillaBootstrap,
    bootstrap_chinchilla,
    chinchilla_objective,
    fit_chinchilla,
)
from scaling_core.fit.bootstrap import (
    BYTES_PER_CELL,
    BYTES_PER_RESAMPLE,
    batch_size,
    counts_of_resamples,
    percentile_interval,
    resample_counts,
)
from scaling_core.laws import BESIROGLU_2024, ChinchillaLaw


def design(
    law: ChinchillaLaw, rng: np.random.Generator, noise: float, sizes: int = 8, ratios: int = 6
):
    """A small sweep: `sizes` model sizes over 1e7..3e9, each at `ratios` tokens-per-parameter
    ratios over 2..200, losses from `law` with log-normal noise of scale `noise`."""
    N, ratio = (
        g.ravel() for g in np.meshgrid(np.geomspace(1e7, 3e9, sizes), np.geomspace(2, 200, ratios))
    )
    D = N * ratio
    return N, D, law.loss(N, D) * np.exp(rng.normal(0.0, noise, N.size))


@pytest.fixture(scope="module")
def boot() -> ChinchillaBootstrap:
    N, D, loss = design(BESIROGLU_2024, np.random.default_rng(0), noise=0.01)
    return bootstrap_chinchilla(N, D, loss, n_resamples=300, rng=np.random.default_rng(1))


def test_draws_and_tables_have_the_promised_shapes(boot):
    assert boot.theta.shape == (300, 5)
    assert boot.converged.all()
    params = boot.params()
    assert list(params.columns) == ["E", "A", "B", "alpha", "beta", "a"]
    assert len(params) == 300
    np.testing.assert_allclose(params["a"], params["beta"] / (params["alpha"] + params["beta"]))
    np.testing.assert_allclose(np.log(params[["A", "B", "E"]].to_numpy()), boot.theta[:, :3])
    errors = boot.standard_errors()
    assert isinstance(errors, pd.Series) and list(errors.index) == list(params.columns)
    np.testing.assert_allclose(errors, params.std(ddof=1))
    interval = boot.interval(0.9)
    assert list(interval.columns) == ["low", "high"] and list(interval.index) == list(
        params.columns
    )
    assert (interval["low"] < interval["high"]).all()
    wider = boot.interval(0.99)
    assert ((wider["low"] <= interval["low"]) & (wider["high"] >= interval["high"])).all()


def test_full_data_fit_is_the_plain_fit(boot):
    N, D, loss = design(BESIROGLU_2024, np.random.default_rng(0), noise=0.01)
    np.testing.assert_array_equal(boot.fit.theta, fit_chinchilla(N, D, loss).theta)


def test_derived_quantities_follow_each_draw(boot):
    budget = 5.88e23
    by_law = boot.derived(lambda law: law.tokens_per_parameter(budget))
    np.testing.assert_allclose(boot.tokens_per_parameter(budget), by_law, rtol=1e-10)
    low, high = percentile_interval(by_law, 0.95)
    assert low < boot.fit.law.tokens_per_parameter(budget) < high


def test_each_refit_minimises_its_resample():
    """Each draw is at least as good on its resample as an L-BFGS-B refit from the same start.

    Compared by objective: along the law's flat directions (log A, log B) an optimiser that stops a
    little early lands measurably elsewhere (scipy 1.11's L-BFGS-B does, 0.014 in log A), with a
    worse objective."""
    N, D, loss = design(BESIROGLU_2024, np.random.default_rng(2), noise=0.01)
    boot = bootstrap_chinchilla(N, D, loss, n_resamples=3, rng=np.random.default_rng(3))
    counts = resample_counts(np.random.default_rng(3), 3, len(N))
    for theta, weights in zip(boot.theta, counts):
        picked = np.repeat(np.arange(len(N)), weights)
        refit = fit_chinchilla(N[picked], D[picked], loss[picked], starts=boot.fit.theta)
        ours = chinchilla_objective(
            theta, np.log(N[picked]), np.log(D[picked]), np.log(loss[picked])
        )[0][0]
        assert ours <= refit.objective * (1 + 1e-9)
        assert np.abs(theta - refit.theta).max() < 0.05  # the same basin


def test_resample_counts_are_one_draw_of_the_generator_per_resample():
    counts = resample_counts(np.random.default_rng(5), 4, 10)
    rng = np.random.default_rng(5)
    np.testing.assert_array_equal(
        counts, [np.bincount(rng.integers(0, 10, size=10), minlength=10) for _ in range(4)]
    )
    assert (counts.sum(axis=1) == 10).all()


def test_drawing_in_batches_gives_the_same_resamples():
    rng = np.random.default_rng(11)
    batches = np.vstack([resample_counts(rng, k, 7) for k in (1, 4, 2)])
    np.testing.assert_array_equal(batches, resample_counts(np.random.default_rng(11), 7, 7))


def test_results_do_not_depend_on_the_memory_limit():
    N, D, loss = design(BESIROGLU_2024, np.random.default_rng(4), noise=0.01)
    one_at_a_time = (
        len(N) * BYTES_PER_CELL + 12 * BYTES_PER_RESAMPLE
    )  # room for a batch of one resample
    assert batch_size(len(N), 12, one_at_a_time) == 1 and batch_size(len(N), 12, 1 << 30) == 12
    small, large = (
        bootstrap_chinchilla(
            N, D, loss, n_resamples=12, rng=np.random.default_rng(7), memory_limit=limit
        )
        for limit in (one_at_a_time, 1 << 30)
    )
    np.testing.assert_allclose(
        small.theta, large.theta, rtol=1e-12
    )  # the same resamples; BLAS's sums differ


def test_the_working_memory_stays_within_a_small_limit():
    """20,000 runs, 6 resamples, a 16 MiB limit: batches of 3; the refits allocate at most the limit
    (the full-data fit before them is not part of the bootstrap's budget)."""
    N, D, loss = design(BESIROGLU_2024, np.random.default_rng(8), noise=0.01, sizes=200, ratios=100)
    limit = 16 * 2**20
    assert batch_size(len(N), 6, limit) == 3
    fit = fit_chinchilla(N, D, loss)
    tracemalloc.start()
    try:
        with patch("scaling_core.fit.bootstrap.fit_chinchilla", return_value=fit):
            bootstrap_chinchilla(
                N, D, loss, n_resamples=6, rng=np.random.default_rng(0), memory_limit=limit
            )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < limit


def test_a_bootstrap_beyond_the_memory_limit_is_refused_before_it_starts():
    N, D, loss = design(BESIROGLU_2024, np.random.default_rng(4), noise=0.01)
    with pytest.raises(
        ValueError, match=r"100,000,000 resamples needs about 9.\d+ GiB .* memory limit of 1 GiB"
    ):
        bootstrap_chinchilla(N, D, loss, n_resamples=100_000_000, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="memory_limit must be finite and > 0"):
        bootstrap_chinchilla(
            N, D, loss, n_resamples=10, rng=np.random.default_rng(0), memory_limit=-1
        )


def test_same_seed_same_draws_and_another_seed_other_draws():
    N, D, loss = design(BESIROGLU_2024, np.random.default_rng(4), noise=0.01)
    first, second, other = (
        bootstrap_chinchilla(N, D, loss, n_resamples=20, rng=np.random.default_rng(s))
        for s in (7, 7, 8)
    )
    np.testing.assert_array_equal(first.theta, second.theta)
    assert not np.array_equal(first.theta, other.theta)


def test_progress_bar_only_when_asked(capsys):
    N, D, loss = design(BESIROGLU_2024, np.random.default_rng(4), noise=0.01)
    bootstrap_chinchilla(N, D, loss, n_resamples=20, rng=np.random.default_rng(0), progress=None)
    assert "bootstrap" not in capsys.readouterr().err
    bootstrap_chinchilla(N, D, loss, n_resamples=20, rng=np.random.default_rng(0), progress=True)
    assert "bootstrap" in capsys.readouterr().err


def test_mean_reduction_gives_the_same_refits():
    N, D, loss = design(BESIROGLU_2024, np.random.default_rng(6), noise=0.01)
    summed = bootstrap_chinchilla(N, D, loss, n_resamples=10, rng=np.random.default_rng(0))
    mean = bootstrap_chinchilla(
        N, D, loss, n_resamples=10, rng=np.random.default_rng(0), reduction="mean"
    )
    np.testing.assert_allclose(mean.theta, summed.theta, atol=1e-4)


def test_explicit_resamples_give_the_draws_of_the_same_counts():
    """Index arrays drawn elsewhere (here by a legacy RandomState, as Besiroglu et al. drew theirs)
    give exactly the refits of the counts they make; order within a resample does not matter."""
    N, D, loss = design(BESIROGLU_2024, np.random.default_rng(7), noise=0.01)
    legacy = np.random.RandomState(42)
    indices = np.array(
        [legacy.choice(np.arange(len(N)), size=len(N), replace=True) for _ in range(6)]
    )
    counts = counts_of_resamples(indices, len(N))
    np.testing.assert_array_equal(counts.sum(axis=1), len(N))
    np.testing.assert_array_equal(counts[2], np.bincount(indices[2], minlength=len(N)))
    explicit = bootstrap_chinchilla(N, D, loss, resamples=indices)
    shuffled = bootstrap_chinchilla(N, D, loss, resamples=np.sort(indices, axis=1))
    assert explicit.theta.shape == (6, 5)
    np.testing.assert_array_equal(explicit.theta, shuffled.theta)
    picked = np.repeat(np.arange(len(N)), counts[0])
    refit = fit_chinchilla(N[picked], D[picked], loss[picked], starts=explicit.fit.theta)
    np.testing.assert_allclose(explicit.theta[0], refit.theta, atol=1e-3)


def test_refits_from_a_common_start_reach_the_warm_started_optima():
    """Started cold from one point (Besiroglu et al. started every refit at Hoffmann's estimates),
    every refit lands where the warm-started one does: the start changes the path, not the
    optimum."""
    N, D, loss = design(BESIROGLU_2024, np.random.default_rng(8), noise=0.01)
    indices = np.random.default_rng(9).integers(0, len(N), size=(8, len(N)))
    warm = bootstrap_chinchilla(N, D, loss, resamples=indices)
    hoffmann = np.array([np.log(406.4), np.log(410.7), np.log(1.69), 0.34, 0.28])
    cold = bootstrap_chinchilla(N, D, loss, resamples=indices, start=hoffmann)
    assert cold.converged.all()
    assert not np.array_equal(cold.theta, warm.theta)
    np.testing.assert_allclose(cold.theta, warm.theta, atol=1e-4)


@pytest.mark.parametrize(
    ("resamples", "message"),
    [
        (np.zeros((1, 5), dtype=int), "at least 2"),
        (np.zeros(5, dtype=int), "2-d integer array"),
        (np.zeros((3, 5)), "2-d integer array"),
        (np.full((3, 5), 48), "from 0 to 47"),
        (np.full((3, 5), -1), "from 0 to 47"),
    ],
)
def test_bad_resamples_are_refused(resamples, message):
    N, D, loss = design(BESIROGLU_2024, np.random.default_rng(0), noise=0.01)
    with pytest.raises(ValueError, match=message):
        bootstrap_chinchilla(N, D, loss, resamples=resamples)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"rng": 42}, TypeError, "rng must be a numpy Generator"),
        ({"rng": np.random.RandomState(0)}, TypeError, "rng must be a numpy Generator"),
        ({"n_resamples": 1}, ValueError, "n_resamples"),
        ({"n_resamples": 10.5}, ValueError, "n_resamples"),
        ({"reduction": "median"}, ValueError, "reduction"),
        ({"rng": None}, TypeError, "either rng"),
        ({"resamples": np.zeros((3, 48), dtype=int)}, TypeError, "either rng"),
        ({"start": [0.0, 1.0]}, ValueError, "start must be 5 finite"),
    ],
)
def test_bad_options_are_refused(options, error, message):
    N, D, loss = design(BESIROGLU_2024, np.random.default_rng(0), noise=0.01)
    arguments = {"n_resamples": 10, "rng": np.random.default_rng(0)} | options
    with pytest.raises(error, match=message):
        bootstrap_chinchilla(N, D, loss, **arguments)


def test_interval_level_must_be_a_probability(boot):
    with pytest.raises(ValueError, match="level"):
        boot.interval(1.5)


@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    E=st.floats(1.5, 2.5),
    A=st.floats(100.0, 1000.0),
    B=st.floats(300.0, 3000.0),
    alpha=st.floats(0.25, 0.45),
    beta=st.floats(0.25, 0.45),
    seed=st.integers(0, 2**32 - 1),
)
def test_fit_recovers_a_known_law_within_its_bootstrap_interval(E, A, B, alpha, beta, seed):
    law = ChinchillaLaw(E=E, A=A, B=B, alpha=alpha, beta=beta)
    N, D, loss = design(law, np.random.default_rng(seed), noise=0.005, sizes=10, ratios=8)
    boot = bootstrap_chinchilla(N, D, loss, n_resamples=400, rng=np.random.default_rng(seed))
    interval = boot.interval(0.99)
    truth = {"E": E, "A": A, "B": B, "alpha": alpha, "beta": beta, "a": beta / (alpha + beta)}
    outside = {
        k: (v, tuple(interval.loc[k]))
        for k, v in truth.items()
        if not interval.loc[k, "low"] <= v <= interval.loc[k, "high"]
    }
    assert not outside, f"true values outside the 99 % bootstrap interval: {outside}"
