"""Dollar cost of training a model and serving it, after Sardana et al. (2024, Sec. 4).

A FLOP costs (price per GPU-hour) / (3600 s × peak FLOP/s) when the hardware runs at its peak; at a
model-FLOP utilisation (MFU) u it costs 1/u times that. Training (6 N FLOPs a token), prefill (2 N a
prompt token) and decode (2 N a generated token) run on possibly different hardware and at very
different utilisation: prompt tokens are processed in parallel, generated tokens one at a time, so
decode is memory-bound and its MFU is low. Hence

    cost = (c_train / u_train) 6 N D + (c_inf) 2 N (T_in / u_prefill + T_out / u_decode).

Factoring out the training price per effective FLOP turns this into the FLOP objective of
`allocate.inference_optimal` with T_eq = (c_inf u_train / c_train)(T_in / u_prefill + T_out /
u_decode) inference tokens, so the cost-optimal model is the FLOP-optimal model for that equivalent
demand.

Hardware constants are the defaults of the authors' repository (peak dense tensor FLOP/s, on-demand
prices they chose); pass your own for your own hardware.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from numpy.typing import ArrayLike

from .._checks import as_non_negative, as_positive
from .._typing import FloatArray
from ..allocate import inference_optimal
from ..laws import ChinchillaLaw

SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class Accelerator:
    """A GPU type: its rental price and its peak FLOP/s for each number format it computes in."""

    name: str
    price_per_hour: float
    peak_flops: dict[str, float] = field(hash=False)

    def cost_per_flop(self, dtype: str, price_per_hour: float | None = None) -> float:
        """Dollars per FLOP at full utilisation in `dtype`, at this GPU's price unless another is
        given."""
        try:
            peak = self.peak_flops[dtype]
        except KeyError:
            known = ", ".join(self.peak_flops)
            raise ValueError(
                f"dtype {dtype!r} is not supported on {self.name}; expected one of {known}"
            ) from None
        price = (
            self.price_per_hour
            if price_per_hour is None
            else float(as_positive("price_per_hour", price_per_hour))
        )
        return price / (SECONDS_PER_HOUR * peak)


A100_40GB = Accelerator("A100-40GB", 1.10, {"bf16": 3.12e14, "fp16": 3.12e14, "int8": 6.24e14})
A100_80GB = Accelerator("A100-80GB", 1.50, {"bf16": 3.12e14, "fp16": 3.12e14, "int8": 6.24e14})
H100 = Accelerator(
    "H100", 2.00, {"bf16": 9.89e14, "fp16": 9.89e14, "fp8": 1.978e15, "int8": 1.978e15}
)
ACCELERATORS: dict[str, Accelerator] = {a.name: a for a in (A100_40GB, A100_80GB, H100)}
"""The GPUs of Sardana et al.'s repository, with its default prices (dollars per GPU-hour)."""


def _fraction(name: str, value: float) -> float:
    checked = float(as_positive(name, value))
    if checked > 1:
        raise ValueError(f"{name} must be a utilisation in (0, 1], got {value!r}")
    return checked


@dataclass(frozen=True)
class CostModel:
    """Prices per FLOP (at full utilisation) for training and inference, and the MFU of each phase.

    Defaults of the MFUs are the repository's: training 50 %, prefill 50 %, decode 1 %.
    """

    train_cost_per_flop: float
    inference_cost_per_flop: float
    train_mfu: float = 0.5
    prefill_mfu: float = 0.5
    decode_mfu: float = 0.01

    def __post_init__(self) -> None:
        as_positive("train_cost_per_flop", self.train_cost_per_flop)
        as_positive("inference_cost_per_flop", self.inference_cost_per_flop)
        for name in ("train_mfu", "prefill_mfu", "decode_mfu"):
            _fraction(name, getattr(self, name))

    @classmethod
    def from_hardware(
        cls,
        train: Accelerator = H100,
        inference: Accelerator = H100,
        *,
        train_dtype: str = "bf16",
        inference_dtype: str = "fp8",
        train_price: float | None = None,
        inference_price: float | None = None,
        train_mfu: float = 0.5,
        prefill_mfu: float = 0.5,
        decode_mfu: float = 0.01,
    ) -> CostModel:
        """Prices from GPU types and number formats (the repository's defaults: H100 BF16 training,
        H100 FP8 inference); `train_price` / `inference_price` override the GPUs' hourly prices, and
        `train_mfu`, `prefill_mfu`, `decode_mfu` the utilisations."""
        return cls(
            train.cost_per_flop(train_dtype, train_price),
            inference.cost_per_flop(inference_dtype, inference_price),
            train_mfu=train_mfu,
            prefill_mfu=prefill_mfu,
            decode_mfu=decode_mfu,
        )

    def _weighted_tokens(self, input_tokens: ArrayLike, output_tokens: ArrayLike) -> FloatArray:
        """T_in / u_prefill + T_out / u_decode: inference tokens weighted by the inverse of their
        MFU."""
        prompt = as_non_negative("input_tokens", input_tokens)
        generated = as_non_negative("output_tokens", output_tokens)
        return prompt / self.prefill_mfu + generated / self.decode_mfu

    def training_cost(self, N: ArrayLike, D: ArrayLike) -> FloatArray:
        """Dollars to train N parameters on D tokens (6 N D FLOPs at the training MFU)."""
        flops = 6 * as_positive("N (parameters)", N) * as_positive("D (tokens)", D)
        return flops * self.train_cost_per_flop / self.train_mfu

    def inference_cost(
        self, N: ArrayLike, input_tokens: ArrayLike, output_tokens: ArrayLike
    ) -> FloatArray:
        """Dollars to serve `input_tokens` prompt tokens (prefill) and `output_tokens` generated
        tokens (decode), 2 N FLOPs each, at their own MFUs."""
        N = as_positive("N (parameters)", N)
        return (
            2
            * N
            * self._weighted_tokens(input_tokens, output_tokens)
            * self.inference_cost_per_flop
        )

    def total_cost(
        self, N: ArrayLike, D: ArrayLike, input_tokens: ArrayLike, output_tokens: ArrayLike
    ) -> FloatArray:
        """Lifetime dollars: training plus serving."""
        return self.training_cost(N, D) + self.inference_cost(N, input_tokens, output_tokens)

    def equivalent_inference_tokens(
        self, input_tokens: ArrayLike, output_tokens: ArrayLike
    ) -> FloatArray:
        """The inference demand that, priced like training FLOPs, costs what this demand costs:
        T_eq = (c_inf u_train / c_train)(T_in / u_prefill + T_out / u_decode)."""
        price_ratio = self.inference_cost_per_flop * self.train_mfu / self.train_cost_per_flop
        return self._weighted_tokens(input_tokens, output_tokens) * price_ratio


def cost_optimal(
    law: ChinchillaLaw,
    loss: ArrayLike,
    costs: CostModel,
    input_tokens: ArrayLike,
    output_tokens: ArrayLike,
) -> tuple[FloatArray, FloatArray]:
    """(N, D_train) of least lifetime dollar cost reaching `loss`: the FLOP optimum of
    `allocate.inference_optimal` for the equivalent demand `costs.equivalent_inference_tokens`."""
    return inference_optimal(
        law, loss, costs.equivalent_inference_tokens(input_tokens, output_tokens)
    )
