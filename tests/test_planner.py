"""The planner's library side: budget tables with bootstrap intervals, and Hoffmann's rules of
thumb."""

from __future__ import annotations

import numpy as np
import pytest

from scaling_core.fit import theta_from_law
from scaling_core.laws import BESIROGLU_2024, HOFFMANN_2022_UNROUNDED
from scaling_core.papers import besiroglu2024
from scaling_core.planner import budget_table, hoffmann_rule, hoffmann_rules

BUDGETS = [1e21, 1e22, 1e23, 1e24, 1e25, 1e26]


def test_budget_table_spends_the_budget_at_the_law_optimum() -> None:
    table = budget_table(HOFFMANN_2022_UNROUNDED, BUDGETS)
    np.testing.assert_allclose(6 * table.params * table.tokens, BUDGETS, rtol=1e-12)
    # Moving N off the optimum along 6ND = C raises the loss.
    for factor in (0.9, 1.1):
        worse = HOFFMANN_2022_UNROUNDED.loss(table.params * factor, table.tokens / factor)
        assert np.all(worse > table.loss)


def test_draws_all_equal_to_the_law_collapse_the_interval_onto_the_closed_form() -> None:
    theta = np.tile(theta_from_law(BESIROGLU_2024), (7, 1))
    table = budget_table(BESIROGLU_2024, BUDGETS, theta=theta)
    for quantity in ("params", "tokens", "tokens_per_param", "loss"):
        np.testing.assert_allclose(table[f"{quantity}_low"], table[quantity], rtol=1e-12)
        np.testing.assert_allclose(table[f"{quantity}_high"], table[quantity], rtol=1e-12)


def test_draws_that_make_no_law_are_ignored() -> None:
    rng = np.random.default_rng(0)
    theta = theta_from_law(BESIROGLU_2024) + rng.normal(0, 0.02, size=(50, 5))
    broken = np.vstack([theta, [np.nan, 1, 1, 0.3, 0.3], [6, 7, 0.5, -0.1, 0.3]])
    clean = budget_table(BESIROGLU_2024, BUDGETS, theta=theta)
    assert budget_table(BESIROGLU_2024, BUDGETS, theta=broken).equals(clean)


def test_epoch_intervals_hold_the_published_refit_and_widen_with_extrapolation() -> None:
    table = budget_table(
        BESIROGLU_2024, BUDGETS, theta=besiroglu2024.bootstrap(n_resamples=1000).theta
    )
    for quantity in ("params", "tokens", "tokens_per_param"):
        assert np.all(table[f"{quantity}_low"] < table[quantity])
        assert np.all(table[quantity] < table[f"{quantity}_high"])
    ratio = table.params_high / table.params_low
    assert ratio.iloc[-1] > ratio.iloc[0]


def test_bad_input_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match="budgets"):
        budget_table(BESIROGLU_2024, [1e21, -1])
    with pytest.raises(ValueError, match="theta"):
        budget_table(BESIROGLU_2024, BUDGETS, theta=np.ones((4, 3)))
    with pytest.raises(ValueError, match="approach"):
        hoffmann_rule(3)


def test_hoffmann_rules_follow_their_tables() -> None:
    rules = hoffmann_rules()
    assert list(rules) == ["hoffmann2022-approach1", "hoffmann2022-approach2"]
    assert (rules["hoffmann2022-approach1"].a, rules["hoffmann2022-approach2"].a) == (0.50, 0.49)
    # Table 3 (approach 1) puts 67 B parameters at Gopher's 5.76e23 FLOP; Table A3 (approach 2) 67 B
    # at 6.88e23.
    N1, D1 = rules["hoffmann2022-approach1"].compute_optimal(5.76e23)
    N2, _ = rules["hoffmann2022-approach2"].compute_optimal(6.88e23)
    assert N1 == pytest.approx(6.7e10, rel=0.05) and N2 == pytest.approx(6.7e10, rel=0.05)
    assert 6 * N1 * D1 == pytest.approx(5.76e23, rel=1e-12)
