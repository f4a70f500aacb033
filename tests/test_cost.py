"""scaling_core.papers.sardana2024: dollar cost of training and serving, and the cost-optimal
model."""

from __future__ import annotations

import numpy as np
import pytest

from scaling_core.allocate import (
    compute_optimal_for_loss,
    compute_optimal_tokens,
    inference_optimal,
)
from scaling_core.laws import SARDANA_2024
from scaling_core.papers.sardana2024 import (
    A100_40GB,
    A100_80GB,
    ACCELERATORS,
    H100,
    CostModel,
    cost_optimal,
)

SARDANA = SARDANA_2024


def test_cost_per_flop_is_price_over_peak_throughput() -> None:
    assert A100_40GB.cost_per_flop("int8") == pytest.approx(1.10 / (3600 * 6.24e14))
    assert H100.cost_per_flop("bf16", price_per_hour=3.0) == pytest.approx(3.0 / (3600 * 9.89e14))
    assert set(ACCELERATORS) == {"A100-40GB", "A100-80GB", "H100"}


def test_readme_cost_optimal_example() -> None:
    # `cost_optimal.py --loss 1.947 --inference_reqs 1e10 --input_tok 1000 --output_tok 250`,
    # A100-80GB training at $1.40/h (BF16, MFU 0.5), A100-40GB INT8 inference at $0.60/h, prefill
    # 0.4, decode 0.2.
    costs = CostModel.from_hardware(
        A100_80GB,
        A100_40GB,
        inference_dtype="int8",
        train_price=1.40,
        inference_price=0.60,
        train_mfu=0.5,
        prefill_mfu=0.4,
        decode_mfu=0.2,
    )
    T_in, T_out = 1e10 * 1000, 1e10 * 250
    N, D = cost_optimal(SARDANA, 1.947, costs, T_in, T_out)
    N_c, D_c = compute_optimal_for_loss(SARDANA, 1.947)
    assert round(float(N) / 1e10, 3) == 2.053
    assert round(float(D) / 1e12, 3) == 3.302
    assert round(100 * float(N / N_c), 2) == 60.23
    assert round(100 * float(D / D_c), 2) == 182.41
    assert (
        round(
            100
            * float(costs.total_cost(N, D, T_in, T_out) / costs.total_cost(N_c, D_c, T_in, T_out)),
            2,
        )
        == 88.76
    )


def test_readme_30b_costs_with_the_default_prices() -> None:
    # `cost_calculator.py --model 30e9 --chinchilla ...`: the printed dollars are those of the
    # default prices.
    costs = CostModel.from_hardware(H100, A100_40GB, inference_dtype="int8")
    N = 30e9
    D = compute_optimal_tokens(SARDANA, N)
    assert round(float(costs.training_cost(N, D)) / 1e5, 3) == 3.146
    assert round(float(costs.total_cost(N, D, 500e9, 100e9)) / 1e5, 3) == 6.378


def test_cost_is_training_price_times_flops_with_equivalent_demand() -> None:
    costs = CostModel.from_hardware(
        H100, A100_40GB, inference_dtype="int8", prefill_mfu=0.4, decode_mfu=0.05
    )
    N, D, T_in, T_out = 7e9, 2e12, 3e12, 1e12
    T_eq = costs.equivalent_inference_tokens(T_in, T_out)
    per_flop = costs.train_cost_per_flop / costs.train_mfu
    assert costs.total_cost(N, D, T_in, T_out) == pytest.approx(
        per_flop * (6 * N * D + 2 * N * T_eq), rel=1e-12
    )


def test_uniform_prices_reduce_to_the_flop_optimum() -> None:
    costs = CostModel(1e-18, 1e-18, train_mfu=0.4, prefill_mfu=0.4, decode_mfu=0.4)
    N, D = cost_optimal(SARDANA, 2.0, costs, 1e12, 5e11)
    N_f, D_f = inference_optimal(SARDANA, 2.0, 1.5e12)
    assert N == pytest.approx(N_f, rel=1e-12) and D == pytest.approx(D_f, rel=1e-12)


@pytest.mark.parametrize("shift", [-0.05, 0.05])
def test_cost_optimum_is_cheaper_than_its_neighbours(shift: float) -> None:
    costs = (
        CostModel.from_hardware()
    )  # the repository's defaults: H100 BF16 training, H100 FP8 inference
    T_in, T_out = 1e10 * 70, 1e10 * 215
    loss = 2.0
    N, D = cost_optimal(SARDANA, loss, costs, T_in, T_out)
    neighbour = N * np.exp(shift)
    D_neighbour = (SARDANA.B / (loss - SARDANA.E - SARDANA.A * neighbour**-SARDANA.alpha)) ** (
        1 / SARDANA.beta
    )
    assert costs.total_cost(neighbour, D_neighbour, T_in, T_out) > costs.total_cost(
        N, D, T_in, T_out
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: A100_40GB.cost_per_flop("fp8"), "dtype 'fp8' is not supported on A100-40GB"),
        (
            lambda: H100.cost_per_flop("bf16", price_per_hour=-2),
            "price_per_hour must be finite and > 0",
        ),
        (
            lambda: CostModel(1e-18, 1e-18, decode_mfu=1.5),
            "decode_mfu must be a utilisation in \\(0, 1\\]",
        ),
        (lambda: CostModel(0.0, 1e-18), "train_cost_per_flop must be finite and > 0"),
        (
            lambda: CostModel(1e-18, 1e-18).inference_cost(1e9, -1, 0),
            "input_tokens must be finite and >= 0",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
