"""Hoffmann et al. (2022), App. F: FLOPs counted layer by layer instead of C ≈ 6ND.

The paper counts the matrix products of every layer, the attention logits and their softmax, the
embedding and the final logits, and takes the backward pass as twice the forward pass. Its Table A4
compares that count with 6ND for six models. The difference matters for replications: the points of
the paper's Fig. 4 fall onto the nine IsoFLOP budgets of approach 2 (6e18 … 3e21) in this count, not
in 6ND.

A model is described by a `TransformerShape` (the columns of the paper's Tables A4 and A9).
`TABLE_A9_SHAPES` holds 48 shapes of the paper's Table A9 (the models of its scaling study), every
size that appears in Fig. 4 among them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._checks import as_positive
from .._typing import FloatArray

SEQ_LEN = 2048
"""Training context of the scaling runs (tokens per sequence)."""

VOCAB_SIZE = 32_000
"""SentencePiece vocabulary of Gopher and Chinchilla."""


@dataclass(frozen=True)
class TransformerShape:
    """One decoder-only transformer: n_layers blocks of width d_model, an MLP of ffw_size units and
    n_heads attention heads of kv_size dimensions each."""

    n_layers: int
    d_model: int
    ffw_size: int
    n_heads: int
    kv_size: int

    def __post_init__(self) -> None:
        for name in ("n_layers", "d_model", "ffw_size", "n_heads", "kv_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
                raise ValueError(
                    f"TransformerShape.{name} must be a positive integer, got {value!r}"
                )

    @property
    def attention_width(self) -> int:
        """n_heads × kv_size: the width of the query, key and value projections."""
        return self.n_heads * self.kv_size


def parameter_count(shape: TransformerShape, vocab_size: int = VOCAB_SIZE) -> float:
    """Parameters of a model of this shape, embedding included.

    Per layer: the query, key, value and output projections (4 d·h·k), the two MLP matrices (2 d·f)
    and one more d·h·k, which we attribute to the projection of the relative position encodings
    these models use; plus the token embedding (V·d), counted once. Norms and biases are left out.
    This count reproduces the sizes printed in Table A9 to within 0.2 % (or to their rounding to the
    million) and every size Epoch read off Fig. 4 to within 0.15 %.
    """
    _check_positive("vocab_size", vocab_size)
    d, hk = shape.d_model, shape.attention_width
    per_layer = 4 * d * hk + 2 * d * shape.ffw_size + d * hk
    return float(shape.n_layers * per_layer + vocab_size * d)


def forward_flops(
    shape: TransformerShape,
    seq_len: int = SEQ_LEN,
    vocab_size: int = VOCAB_SIZE,
    *,
    embeddings: bool = False,
) -> float:
    """Forward FLOPs of one sequence by App. F's count (a multiply-add is two FLOPs).

    With `embeddings=False` the embedding lookup and the final logits are left out: that variant
    reproduces Table A4's ratios to 6ND (to the two printed decimals); with them the ratios of the
    small models are far larger (about 1.6 at 73M).
    """
    _check_positive("seq_len", seq_len)
    _check_positive("vocab_size", vocab_size)
    d, f, h, hk, s = shape.d_model, shape.ffw_size, shape.n_heads, shape.attention_width, seq_len
    attention = (
        2 * 3 * s * d * hk  # query, key and value projections
        + 2 * s * s * hk  # query · key logits
        + 3 * h * s * s  # softmax
        + 2 * s * s * hk  # softmax · value reduction
        + 2 * s * hk * d  # output projection
    )
    dense = 2 * s * (d * f + d * f)
    total = shape.n_layers * (attention + dense)
    if embeddings:
        total += 2 * s * vocab_size * d + 2 * s * d * vocab_size  # embedding and final logits
    return float(total)


def training_flops_per_token(
    shape: TransformerShape,
    seq_len: int = SEQ_LEN,
    vocab_size: int = VOCAB_SIZE,
    *,
    embeddings: bool = False,
) -> float:
    """Training FLOPs per token: forward plus a backward pass of twice its cost, per token of
    context."""
    return 3 * forward_flops(shape, seq_len, vocab_size, embeddings=embeddings) / seq_len


def ratio_to_6n(
    shape: TransformerShape,
    seq_len: int = SEQ_LEN,
    vocab_size: int = VOCAB_SIZE,
    *,
    embeddings: bool = False,
) -> float:
    """App. F's training FLOPs divided by 6ND (Table A4's last column), N =
    `parameter_count(shape)`."""
    per_token = training_flops_per_token(shape, seq_len, vocab_size, embeddings=embeddings)
    return per_token / (6 * parameter_count(shape, vocab_size))


def _check_positive(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def _shape(d_model: int, kv_size: int, n_heads: int, n_layers: int) -> TransformerShape:
    return TransformerShape(
        n_layers=n_layers, d_model=d_model, ffw_size=4 * d_model, n_heads=n_heads, kv_size=kv_size
    )


TABLE_A9_SHAPES: tuple[TransformerShape, ...] = tuple(
    _shape(*row)
    for row in (
        # (d_model, kv_size, n_heads, n_layers); ffw_size = 4 d_model in every row
        (512, 64, 8, 8),
        (576, 64, 9, 9),
        (640, 64, 10, 10),
        (640, 64, 10, 13),
        (640, 64, 10, 16),
        (768, 64, 12, 12),
        (768, 64, 12, 15),
        (768, 64, 12, 18),
        (896, 64, 14, 14),
        (896, 64, 14, 16),
        (896, 64, 14, 18),
        (1024, 64, 16, 16),
        (1024, 64, 16, 18),
        (1024, 64, 16, 20),
        (1280, 128, 10, 18),
        (1280, 128, 10, 21),
        (1408, 128, 11, 18),
        (1280, 128, 10, 24),
        (1408, 128, 11, 21),
        (1536, 128, 12, 19),
        (1408, 128, 11, 24),
        (1536, 128, 12, 22),
        (1536, 128, 12, 25),
        (1792, 128, 14, 20),
        (1792, 128, 14, 23),
        (1792, 128, 14, 26),
        (2048, 128, 16, 22),
        (2176, 128, 17, 22),
        (2048, 128, 16, 25),
        (2048, 128, 16, 28),
        (2176, 128, 17, 25),
        (2304, 128, 18, 24),
        (2176, 128, 17, 28),
        (2304, 128, 18, 28),
        (2304, 128, 18, 32),
        (2560, 128, 20, 26),
        (2560, 128, 20, 30),
        (2560, 128, 20, 34),
        (2688, 128, 22, 36),
        (2816, 128, 22, 36),
        (2944, 128, 22, 36),
        (3072, 128, 24, 36),
        (3584, 128, 28, 40),
        (4096, 128, 32, 42),
        (4352, 128, 32, 47),
        (4608, 128, 36, 44),
        # Reconstructed, not read: the text copy of Table A9 breaks off inside the 12,569M row (its
        # size and d_model 4608 survive). For 16,183M, a size known from Epoch's points, d_model
        # 5120 with 40 heads is assumed. n_layers is then the integer `parameter_count` needs to
        # give the size (45.0 and 47.0; the neighbouring widths give no integer).
        (4608, 128, 36, 45),
        (5120, 128, 40, 47),
    )
)
"""Shapes of models of Hoffmann et al. (2022), Table A9, in the table's order (44M … 16.2B
parameters).

Read from a text conversion of the paper's source in which the table is partly garbled: the size
column of the rows 587M … 893M and of the first row is lost, and the table breaks off inside the
12,569M row (any later row other than 16,183M is missing here; none is a size in Fig. 4). Checked,
not trusted: for the 40 rows whose printed size survives, `parameter_count` reproduces it to within
0.2 % (or its rounding to the million); each of the 43 distinct sizes Epoch read off Fig. 4, an
independent source, matches one shape to within 0.15 %; and the six shapes printed in Table A4 are
rows of this table, whose App. F ratios reproduce Table A4's to the printed two decimals."""


def match_table_a9(N: ArrayLike) -> tuple[NDArray[np.intp], FloatArray]:
    """For each parameter count, the index of the Table A9 shape of nearest `parameter_count` and
    the relative mismatch |N / parameter_count − 1| to it."""
    sizes = as_positive("N (parameters)", N)
    table = np.array([parameter_count(shape) for shape in TABLE_A9_SHAPES])
    gaps = np.log(sizes)[..., None] - np.log(table)
    nearest = np.abs(gaps).argmin(axis=-1)
    mismatch = np.abs(np.expm1(np.take_along_axis(gaps, nearest[..., None], axis=-1)[..., 0]))
    return nearest, mismatch


def ratio_for_sizes(N: ArrayLike, max_mismatch: float = 0.006) -> FloatArray:
    """App. F's ratio to 6ND for models identified by their parameter count alone.

    Each N is matched to the Table A9 shape of nearest `parameter_count`; a size further than
    `max_mismatch` (relative) from every shape is refused, since its FLOPs would then be a guess.
    Used to move points read off the paper's figures (in 6ND) onto the paper's own FLOP count.
    """
    if not 0 < max_mismatch < 1:
        raise ValueError(f"max_mismatch must lie in (0, 1), got {max_mismatch!r}")
    nearest, mismatch = match_table_a9(N)
    if np.any(mismatch > max_mismatch):
        worst = np.asarray(N, dtype=float)[mismatch > max_mismatch].flat[0]
        raise ValueError(
            f"N (parameters) = {worst:.4g} matches no Table A9 shape within {max_mismatch:.2%}"
        )
    ratios = np.array([ratio_to_6n(shape) for shape in TABLE_A9_SHAPES])
    return ratios[nearest]
