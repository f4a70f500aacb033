"""App. F's FLOP count against the paper's Table A4 (ratios to 6ND printed to two decimals)."""

import numpy as np
import pytest

from scaling_core.compute.layerwise import (
    TABLE_A9_SHAPES,
    TransformerShape,
    forward_flops,
    match_table_a9,
    parameter_count,
    ratio_for_sizes,
    ratio_to_6n,
    training_flops_per_token,
)

# Table A4 of Hoffmann et al. (2022): printed size, (n_layers, d_model, ffw_size, n_heads, kv_size),
# ratio.
TABLE_A4 = [
    (73e6, (10, 640, 2560, 10, 64), 1.03),
    (305e6, (20, 1024, 4096, 16, 64), 1.10),
    (552e6, (24, 1280, 5120, 10, 128), 1.08),
    (1.1e9, (26, 1792, 7168, 14, 128), 1.04),
    (1.6e9, (28, 2048, 8192, 16, 128), 1.03),
    (6.8e9, (40, 3584, 14336, 28, 128), 0.99),
]


@pytest.mark.parametrize("size, dims, ratio", TABLE_A4)
def test_ratio_to_6nd_matches_table_a4(size, dims, ratio):
    assert round(ratio_to_6n(TransformerShape(*dims)), 2) == ratio


@pytest.mark.parametrize("size, dims, ratio", TABLE_A4)
def test_parameter_count_matches_printed_size(size, dims, ratio):
    assert parameter_count(TransformerShape(*dims)) == pytest.approx(size, rel=0.04)


def test_embeddings_raise_the_ratio_most_for_small_models():
    small, large = TransformerShape(*TABLE_A4[0][1]), TransformerShape(*TABLE_A4[-1][1])
    assert ratio_to_6n(small, embeddings=True) > 1.5
    assert ratio_to_6n(large, embeddings=True) - ratio_to_6n(large) < 0.05


def test_training_is_three_forward_passes_per_token():
    shape = TransformerShape(*TABLE_A4[2][1])
    assert training_flops_per_token(shape) == pytest.approx(3 * forward_flops(shape) / 2048)


def test_attention_logits_grow_quadratically_with_context():
    shape = TransformerShape(*TABLE_A4[1][1])
    flops = {s: forward_flops(shape, seq_len=s) for s in (1, 2, 4)}
    # f(s) = a s + b s²: the part above linear growth quadruples when the context doubles
    assert flops[4] - 2 * flops[2] == pytest.approx(4 * (flops[2] - 2 * flops[1]))
    assert flops[2] - 2 * flops[1] > 0


def test_table_a9_contains_the_table_a4_models_and_grows():
    sizes = np.array([parameter_count(s) for s in TABLE_A9_SHAPES])
    for _, dims, _ in TABLE_A4:
        assert TransformerShape(*dims) in TABLE_A9_SHAPES
    assert sizes.min() == pytest.approx(44e6, rel=0.01)
    assert sizes.max() == pytest.approx(16.183e9, rel=0.001)


@pytest.mark.parametrize("field", ["n_layers", "d_model", "ffw_size", "n_heads", "kv_size"])
def test_bad_shape_is_refused_by_name(field):
    dims = dict(n_layers=2, d_model=8, ffw_size=32, n_heads=2, kv_size=4)
    dims[field] = 0
    with pytest.raises(ValueError, match=field):
        TransformerShape(**dims)


def test_bad_context_is_refused_by_name():
    with pytest.raises(ValueError, match="seq_len"):
        forward_flops(TransformerShape(*TABLE_A4[0][1]), seq_len=-1)
    with pytest.raises(ValueError, match="vocab_size"):
        parameter_count(TransformerShape(*TABLE_A4[0][1]), vocab_size=2.5)


def test_ratio_for_sizes_matches_nearest_shape_and_keeps_shape():
    shape = TransformerShape(*TABLE_A4[1][1])
    N = np.array([[parameter_count(shape) * 1.004, 43.7e6]])
    ratios = ratio_for_sizes(N)
    assert ratios.shape == (1, 2)
    assert ratios[0, 0] == pytest.approx(ratio_to_6n(shape))


def test_ratio_for_sizes_refuses_unknown_size():
    with pytest.raises(ValueError, match="N \\(parameters\\) = 2e\\+07"):
        ratio_for_sizes([2e7])
    with pytest.raises(ValueError, match="max_mismatch"):
        ratio_for_sizes([1e8], max_mismatch=2)


def test_match_table_a9_reports_index_and_mismatch():
    index, mismatch = match_table_a9([parameter_count(TABLE_A9_SHAPES[5]) * 1.001])
    assert index.tolist() == [5]
    assert mismatch[0] == pytest.approx(0.001, rel=1e-6)


def test_gophers_appendix_f_count_is_not_the_6_3e23_of_appendix_f():
    """Gopher (Table 4: 80 layers, width 16,384, 128 heads of 128) on 300B tokens: App. F's count is
    4.74e23 (4.76e23 with embeddings and logits), not the unattributed 6.3e23 of App. F's text."""
    gopher = TransformerShape(80, 16_384, 4 * 16_384, 128, 128)
    assert parameter_count(gopher) == pytest.approx(280e9, rel=0.02)
    assert training_flops_per_token(gopher) * 300e9 == pytest.approx(4.74e23, rel=0.002)
    assert training_flops_per_token(gopher, embeddings=True) * 300e9 == pytest.approx(
        4.76e23, rel=0.002
    )
