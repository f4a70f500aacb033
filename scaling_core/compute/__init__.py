"""FLOP and parameter accounting, in one place.

- `rules`: the rules of thumb, C ≈ 6ND for training and 2N per token for inference, and Kaplan et
  al.'s non-embedding count with or without the last layer and attention.
- `layerwise`: Hoffmann et al.'s App. F count, matrix product by matrix product, for a
  `TransformerShape`, with the shapes of their Table A9.
"""

from .layerwise import (
    TABLE_A9_SHAPES,
    TransformerShape,
    forward_flops,
    parameter_count,
    ratio_to_6n,
    training_flops_per_token,
)
from .rules import (
    embedding_params,
    flops_per_token,
    inference_flops,
    non_embedding_params,
    tokens_for_budget,
    training_flops,
)

__all__ = [
    "TABLE_A9_SHAPES",
    "TransformerShape",
    "embedding_params",
    "flops_per_token",
    "forward_flops",
    "inference_flops",
    "non_embedding_params",
    "parameter_count",
    "ratio_to_6n",
    "tokens_for_budget",
    "training_flops",
    "training_flops_per_token",
]
