"""FLOP and parameter accounting for decoder-only transformers.

Conventions (see the book's notation page): training costs C ≈ 6 N D FLOPs (forward 2ND, backward
4ND), inference 2 N FLOPs per token. Kaplan et al. (2020) count N without embeddings; counting the
embedding and the last (unembedding) layer changes both N and the FLOPs per token, which is one of
the factors behind the Kaplan–Chinchilla gap (Porian et al. 2024; Pearce & Song 2024).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._checks import as_non_negative, as_positive
from .._typing import FloatArray


def training_flops(N: ArrayLike, D: ArrayLike) -> FloatArray:
    """C = 6 N D: training FLOPs of N parameters on D tokens."""
    return 6 * as_positive("N (parameters)", N) * as_positive("D (tokens)", D)


def tokens_for_budget(C: ArrayLike, N: ArrayLike) -> FloatArray:
    """D = C / 6N: the tokens a budget C buys for a model of N parameters."""
    return as_positive("C (FLOP budget)", C) / (6 * as_positive("N (parameters)", N))


def inference_flops(N: ArrayLike, tokens: ArrayLike) -> FloatArray:
    """2 N FLOPs per processed token."""
    return 2 * as_positive("N (parameters)", N) * as_non_negative("tokens", tokens)


def non_embedding_params(n_layers: ArrayLike, d_model: ArrayLike) -> FloatArray:
    """Kaplan's N = 12 n_layer d_model^2 (attention 4d², MLP 8d² with d_ff = 4d; biases and norms
    ignored)."""
    return 12 * as_positive("n_layers", n_layers) * as_positive("d_model", d_model) ** 2


def embedding_params(vocab_size: ArrayLike, d_model: ArrayLike, tied: bool = True) -> FloatArray:
    """V d for the token embedding, doubled when the unembedding matrix is not tied to it."""
    count = as_positive("vocab_size", vocab_size) * as_positive("d_model", d_model)
    return count if tied else 2 * count


def flops_per_token(
    n_layers: ArrayLike,
    d_model: ArrayLike,
    vocab_size: ArrayLike,
    context: ArrayLike,
    *,
    count_last_layer: bool = True,
    count_attention: bool = False,
) -> FloatArray:
    """Training FLOPs per token: 6 × (non-embedding N [+ last layer V d]) [+ 6 n_layer n_ctx d
    attention].

    Kaplan et al. (2020) use 6 N_non-embedding (no last layer, attention negligible); Porian et al.
    (2024) show that adding the last layer's 6 V d is the first step from Kaplan's exponent towards
    Chinchilla's.
    """
    per_token = 6 * non_embedding_params(n_layers, d_model)
    if count_last_layer:
        per_token = per_token + 6 * as_positive("vocab_size", vocab_size) * as_positive(
            "d_model", d_model
        )
    if count_attention:
        per_token = per_token + 6 * as_positive("n_layers", n_layers) * as_positive(
            "context", context
        ) * np.asarray(d_model, dtype=float)
    return per_token
