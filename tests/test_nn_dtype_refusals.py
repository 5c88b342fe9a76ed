"""The dtypes that PyTorch's nn functions refuse (and the mixes they accept), swept against
PyTorch: same success and result dtype, or the same exception type and text."""

import warnings

import pytest
from helpers import torch

import numtorch as nt


def _cases(m):
    F = m.nn.functional
    m.manual_seed(0)
    x = m.randn(4, 5)
    x64, t = x.double(), m.tensor([0, 2, 1, 4])
    w5 = m.ones(5, dtype=m.float64)
    seq = x.unsqueeze(0)
    return {
        "cross_entropy_int32": lambda: F.cross_entropy(x, t.int()),
        "cross_entropy_uint8": lambda: F.cross_entropy(x, t.to(m.uint8)),
        "cross_entropy_int16": lambda: F.cross_entropy(x, t.short()),
        "cross_entropy_probs_f64": lambda: F.cross_entropy(x, m.softmax(x64, 1)),
        "cross_entropy_weight_f64": lambda: F.cross_entropy(x, t, weight=w5),
        "nll_int32": lambda: F.nll_loss(x, t.int()),
        "nll_bool": lambda: F.nll_loss(x, t.bool()),
        "nll_weight_f64": lambda: F.nll_loss(x, t, weight=w5),
        "embedding_uint8": lambda: F.embedding(t.to(m.uint8), m.randn(5, 3)),
        "embedding_int32": lambda: F.embedding(t.int(), m.randn(5, 3)),
        "embedding_float": lambda: F.embedding(t.float(), m.randn(5, 3)),
        "embedding_bool": lambda: F.embedding(t.bool(), m.randn(5, 3)),
        "Embedding_int16": lambda: m.nn.Embedding(5, 3)(t.short()),
        "embedding_bag_uint8": lambda: F.embedding_bag(t.to(m.uint8).unsqueeze(0), m.randn(5, 3)),
        "bce_logits_long": lambda: F.binary_cross_entropy_with_logits(x, (x > 0).long()),
        "bce_logits_bool": lambda: F.binary_cross_entropy_with_logits(x, x > 0),
        "bce_logits_f64": lambda: F.binary_cross_entropy_with_logits(x, (x > 0).double()),
        "bce_logits_long_input": lambda: F.binary_cross_entropy_with_logits(x.long(), x.long()),
        "bce_long": lambda: F.binary_cross_entropy(m.sigmoid(x), (x > 0).long()),
        "bce_f64": lambda: F.binary_cross_entropy(m.sigmoid(x), (x > 0).double()),
        "BatchNorm1d_f64": lambda: m.nn.BatchNorm1d(5)(x64),
        "BatchNorm1d_eval_f64": lambda: m.nn.BatchNorm1d(5).eval()(x64),
        "BatchNorm1d_long": lambda: m.nn.BatchNorm1d(5)(x.long()),
        "batch_norm_f32_running_f64": lambda: F.batch_norm(x, w5 * 0, w5),
        "batch_norm_f64_no_params": lambda: F.batch_norm(x64, None, None, training=True),
        "batch_norm_half_float_params": lambda: F.batch_norm(
            x.half(), m.zeros(5), m.ones(5), m.ones(5), m.zeros(5), training=True
        ),
        "batch_norm_half_eval": lambda: F.batch_norm(x.half(), m.zeros(5), m.ones(5), m.ones(5)),
        "layer_norm_half_float_weight": lambda: F.layer_norm(x.half(), (5,), m.ones(5)),
        "group_norm_half_float_weight": lambda: F.group_norm(x.half(), 1, m.ones(5), m.zeros(5)),
        "LayerNorm_f64": lambda: m.nn.LayerNorm(5)(x64),
        "layer_norm_f32_weight_f64": lambda: F.layer_norm(x, (5,), w5),
        "layer_norm_bias_f64": lambda: F.layer_norm(x, (5,), m.ones(5), w5),
        "layer_norm_long": lambda: F.layer_norm(x.long(), (5,)),
        "GroupNorm_f64": lambda: m.nn.GroupNorm(1, 5)(x64),
        "group_norm_long": lambda: F.group_norm(x.long(), 1),
        "InstanceNorm1d_f64": lambda: m.nn.InstanceNorm1d(5, affine=True)(x64.unsqueeze(0)),
        "instance_norm_long": lambda: F.instance_norm(x.long().unsqueeze(0)),
        "RMSNorm_f64": lambda: m.nn.RMSNorm(5)(x64),
        "mse_long_long": lambda: F.mse_loss(x.long(), x.long()),
        "mse_bool": lambda: F.mse_loss(x > 0, x > 0),
        "mse_long_float": lambda: F.mse_loss(x.long(), x),
        "huber_long": lambda: F.huber_loss(x.long(), x.long()),
        "smooth_l1_long": lambda: F.smooth_l1_loss(x.long(), x.long()),
        "kl_div_long_target": lambda: F.kl_div(x, x.long(), reduction="batchmean"),
        "kl_div_long_input": lambda: F.kl_div(x.long(), x, reduction="batchmean"),
        "multi_margin_int32": lambda: F.multi_margin_loss(x, t.int()),
        "multi_margin_weight_f64": lambda: F.multi_margin_loss(x, t, weight=w5),
        "multilabel_margin_int32": lambda: F.multilabel_margin_loss(x, m.zeros(4, 5).int()),
        "one_hot_int32": lambda: F.one_hot(t.int()),
        "one_hot_float": lambda: F.one_hot(t.float()),
        "Conv1d_f64": lambda: m.nn.Conv1d(4, 2, 3)(x64.unsqueeze(0)),
        "conv1d_input_f64": lambda: F.conv1d(x64.unsqueeze(0), m.randn(2, 4, 3)),
        "conv1d_bias_f32": lambda: F.conv1d(seq.double(), m.randn(2, 4, 3).double(), m.randn(2)),
        "conv2d_bias_f64": lambda: F.conv2d(x.reshape(1, 1, 4, 5), m.randn(2, 1, 3, 3), w5[:2]),
        "conv_transpose1d_bias_f64": lambda: F.conv_transpose1d(seq, m.randn(4, 2, 3), w5[:2]),
        "conv_transpose1d_weight_f32": lambda: F.conv_transpose1d(seq.double(), m.randn(4, 2, 3)),
        "max_pool1d_long": lambda: F.max_pool1d(x.long().unsqueeze(0), 2),
        "max_pool1d_long_indices": lambda: F.max_pool1d(
            x.long().unsqueeze(0), 2, 2, 0, 1, False, True
        )[0],
        "max_pool2d_long": lambda: F.max_pool2d(x.long().reshape(1, 1, 4, 5), 2),
        "prelu_weight_f64": lambda: F.prelu(x, w5[:1]),
        "prelu_long": lambda: F.prelu(x.long(), m.ones(1, dtype=m.int64)),
        "sdpa_mask_long": lambda: F.scaled_dot_product_attention(
            seq, seq, seq, attn_mask=m.ones(4, 4, dtype=m.int64)
        ),
        "sdpa_mask_f64": lambda: F.scaled_dot_product_attention(
            seq, seq, seq, attn_mask=m.ones(4, 4, dtype=m.float64)
        ),
        "sdpa_key_f64": lambda: F.scaled_dot_product_attention(seq, seq.double(), seq),
        "dropout_long": lambda: F.dropout(x.long()),
    }


def _outcome(m, name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return "ok", str(_cases(m)[name]().dtype)
        except Exception as e:  # noqa: BLE001 - the exception is what is compared
            return type(e).__name__, str(e).split("\n")[0]


@pytest.mark.parametrize("name", list(_cases(nt)))
def test_nn_dtype_outcome_as_pytorch(name):
    assert _outcome(nt, name) == _outcome(torch, name)
