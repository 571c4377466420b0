"""Binary cross-entropy (on probabilities and on logits), smooth L1 and Huber (``tutorgrad/ops/losses.py``),
and ``l1_loss`` (composed of ops).

Values and the gradients of input and target against real PyTorch, every reduction, PyTorch's errors and
warnings, and gradcheck / gradgradcheck in float64 (see ``tests/gradcases.py``).
"""
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import tutorgrad
from gradcases import gradcheck_tests, leaf
from torchdiff import raises_like_pytorch, same, torch
from torchgrad import SETTINGS, compare, dtypes, seeds, small_shapes, values

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")
REDUCTIONS = st.sampled_from(["mean", "sum", "none"])


def F(lib):
    return lib.nn.functional


def probs(seed, shape):
    return np.random.default_rng(seed).uniform(0.02, 0.98, shape)


@SETTINGS
@given(shape=small_shapes, reduction=REDUCTIONS, weighted=st.booleans(), dtype=dtypes, seed=seeds)
def test_binary_cross_entropy(shape, reduction, weighted, dtype, seed):
    w = probs(seed + 3, shape) if weighted else None

    def build(lib, x, t):
        weight = None if w is None else lib.tensor(w, dtype=x.dtype)
        return F(lib).binary_cross_entropy(x, t, weight, reduction=reduction)
    compare(build, [probs(seed, shape), probs(seed + 1, shape)], dtype, tol=1e-4)


@SETTINGS
@given(shape=small_shapes, reduction=REDUCTIONS, weighted=st.booleans(), pos=st.booleans(), dtype=dtypes, seed=seeds)
def test_binary_cross_entropy_with_logits(shape, reduction, weighted, pos, dtype, seed):
    w = probs(seed + 3, shape) if weighted else None
    p = probs(seed + 4, shape[-1:]) * 3 if pos else None

    def build(lib, x, t):
        weight = None if w is None else lib.tensor(w, dtype=x.dtype)
        pos_weight = None if p is None else lib.tensor(p, dtype=x.dtype)
        return F(lib).binary_cross_entropy_with_logits(x, t, weight, reduction=reduction, pos_weight=pos_weight)
    compare(build, [values(seed, shape, "any") * 4, probs(seed + 1, shape)], dtype, tol=1e-4)


@SETTINGS
@given(shape=small_shapes, reduction=REDUCTIONS, beta=st.sampled_from([0.0, 0.5, 1.0, 2.0]), dtype=dtypes,
       seed=seeds)
def test_l1_smooth_l1_huber(shape, reduction, beta, dtype, seed):
    arrays = [values(seed, shape, "any"), values(seed + 1, shape, "any")]
    compare(lambda lib, x, y: F(lib).l1_loss(x, y, reduction=reduction), arrays, dtype)
    compare(lambda lib, x, y: F(lib).smooth_l1_loss(x, y, reduction=reduction, beta=beta), arrays, dtype)
    if beta:
        compare(lambda lib, x, y: F(lib).huber_loss(x, y, reduction=reduction, delta=beta), arrays, dtype)


def test_edges_and_modules():
    x = np.array([0.0, 1.0, 0.5, 1e-30])
    t = np.array([0.0, 1.0, 1.0, 1.0])
    same(lambda lib: F(lib).binary_cross_entropy(lib.tensor(x), lib.tensor(t), reduction="none"))  # logs clamped
    same(lambda lib: F(lib).binary_cross_entropy_with_logits(lib.tensor([-100.0, 100.0, 0.0]), lib.tensor([1.0, 0, 1]),
                                                             reduction="none"))
    same(lambda lib: lib.nn.BCELoss(weight=lib.tensor([1.0, 2.0]))(lib.tensor([0.3, 0.6]), lib.tensor([1.0, 0.0])))
    same(lambda lib: lib.nn.BCEWithLogitsLoss(pos_weight=lib.tensor([3.0]))(lib.tensor([0.3, -2.0]),
                                                                             lib.tensor([1.0, 0.0])))
    same(lambda lib: lib.nn.L1Loss(reduction="sum")(lib.tensor([0.3, -2.0]), lib.tensor([1.0, 0.0])))
    same(lambda lib: lib.nn.SmoothL1Loss(beta=0.5)(lib.tensor([0.3, -2.0]), lib.tensor([1.0, 0.0])))
    same(lambda lib: lib.nn.HuberLoss(delta=0.5)(lib.tensor([0.3, -2.0]), lib.tensor([1.0, 0.0])))
    same(lambda lib: F(lib).l1_loss(lib.tensor([1.0, 2.0]), lib.tensor([0.0, 0.0]), weight=lib.tensor([1.0, 3.0])))
    same(lambda lib: F(lib).huber_loss(lib.tensor([1.0, 2.0]), lib.tensor([0.0, 0.0]), weight=lib.tensor([1.0, 3.0])))


def test_target_size_warning():
    for lib in (torch, tutorgrad):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            F(lib).l1_loss(lib.ones(3, 1), lib.ones(3))
        assert "Using a target size" in str(w[0].message) and w[0].filename == __file__


LOSS_ERRORS = [
    ("bce out of range", lambda lib: F(lib).binary_cross_entropy(lib.tensor([1.5]), lib.tensor([1.0])),
     "all elements of input should be between 0 and 1"),
    ("bce sizes", lambda lib: F(lib).binary_cross_entropy(lib.ones(4) / 2, lib.ones(2)),
     "that is different to the input size (tutorgrad.Size([4])) is deprecated"),
    ("bce dtypes", lambda lib: F(lib).binary_cross_entropy(lib.ones(2, dtype=lib.float64) / 2, lib.ones(2)),
     "Found dtype Float but expected Double"),
    ("bce weight with grad", lambda lib: F(lib).binary_cross_entropy(lib.ones(2) / 2, lib.ones(2),
                                                                     lib.ones(2, requires_grad=True)),
     "is not differentiable with respect to argument 'weight'"),
    ("bce logits sizes", lambda lib: F(lib).binary_cross_entropy_with_logits(lib.ones(4), lib.ones(2)),
     "Target size (tutorgrad.Size([2])) must be the same as input size (tutorgrad.Size([4]))"),
    ("bce logits long target", lambda lib: F(lib).binary_cross_entropy_with_logits(lib.ones(2), lib.ones(2).long()),
     "result type Float can't be cast to the desired output type Long"),
    ("negative beta", lambda lib: F(lib).smooth_l1_loss(lib.ones(2), lib.ones(2), beta=-1),
     "smooth_l1_loss does not support negative values for beta."),
    ("zero delta", lambda lib: F(lib).huber_loss(lib.ones(2), lib.ones(2), delta=0),
     "huber_loss does not support non-positive values for delta."),
]


@pytest.mark.parametrize("what, fn, phrase", LOSS_ERRORS, ids=[e[0] for e in LOSS_ERRORS])
def test_errors_as_pytorch(what, fn, phrase):
    raises_like_pytorch(what, fn, phrase)


def _prob_leaf(seed, *shape):
    return tutorgrad.tensor(probs(seed, shape), dtype=tutorgrad.float64, requires_grad=True)


F_ = tutorgrad.nn.functional
CASES = {
    "bce": (lambda x, t: F_.binary_cross_entropy(x, t), lambda: (_prob_leaf(1, 2, 3), _prob_leaf(2, 2, 3))),
    "bce_logits": (lambda x, t: F_.binary_cross_entropy_with_logits(x, t, reduction="sum"),
                   lambda: (leaf(1, 2, 3), _prob_leaf(2, 2, 3))),
    "bce_logits_pos": (lambda x, t: F_.binary_cross_entropy_with_logits(
        x, t, pos_weight=tutorgrad.tensor([2.0, 0.5, 1.0], dtype=tutorgrad.float64)),
        lambda: (leaf(1, 2, 3), _prob_leaf(2, 2, 3))),
    "smooth_l1": (lambda x, y: F_.smooth_l1_loss(x, y, beta=0.7), lambda: (leaf(1, 5), leaf(2, 5))),
    "huber": (lambda x, y: F_.huber_loss(x, y, delta=0.7, reduction="none"), lambda: (leaf(1, 5), leaf(2, 5))),
    "l1": (lambda x, y: F_.l1_loss(x, y), lambda: (leaf(1, 5), leaf(2, 5))),
}
EPS = {}
GRADGRAD = {
    "bce": (lambda x, t: F_.binary_cross_entropy(x, t), lambda: (_prob_leaf(1, 3), _prob_leaf(2, 3))),
    "bce_logits": (lambda x, t: F_.binary_cross_entropy_with_logits(x, t), lambda: (leaf(1, 3), _prob_leaf(2, 3))),
    "smooth_l1": (lambda x, y: F_.smooth_l1_loss(x, y, beta=5.0), lambda: (leaf(1, 3), leaf(2, 3))),
    "huber": (lambda x, y: F_.huber_loss(x, y, delta=5.0), lambda: (leaf(1, 3), leaf(2, 3))),
}
GRADGRAD_EPS = {}

test_gradcheck, test_gradgradcheck = gradcheck_tests(CASES, EPS, GRADGRAD, GRADGRAD_EPS)
