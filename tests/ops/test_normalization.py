"""``batch_norm`` and ``layer_norm`` (``tutorgrad/ops/normalization.py``).

Forward, gradients and running statistics against real PyTorch on hypothesis shapes, PyTorch's errors, and
gradcheck / gradgradcheck in float64 (see ``tests/gradcases.py``).
"""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tutorgrad
from gradcases import gradcheck_tests, leaf
from torchdiff import raises_like_pytorch, torch
from torchgrad import SETTINGS, compare, dtypes, seeds, values

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def F(lib):
    return lib.nn.functional


@SETTINGS
@given(shape=st.sampled_from([(3, 2), (4, 3, 5), (2, 2, 3, 3), (5, 1)]), affine=st.booleans(), training=st.booleans(),
       momentum=st.sampled_from([0.1, 0.5]), dtype=dtypes, seed=seeds)
def test_batch_norm_against_pytorch(shape, affine, training, momentum, dtype, seed):
    c = shape[1]
    stats = {}

    def build(lib, x, *wb):
        rm = lib.tensor(values(seed + 5, (c,), "any"), dtype=getattr(lib, dtype))
        rv = lib.tensor(values(seed + 6, (c,), "pos"), dtype=getattr(lib, dtype))
        y = F(lib).batch_norm(x, rm, rv, *wb, training=training, momentum=momentum)
        stats[lib.__name__] = (rm.numpy().copy(), rv.numpy().copy())
        return y
    arrays = [values(seed, shape, "any")] + ([values(seed + 1, (c,), "any"), values(seed + 2, (c,), "any")]
                                             if affine else [])
    compare(build, arrays, dtype, tol=1e-4)
    for ours, ref in zip(stats["tutorgrad"], stats["torch"]):  # the running statistics, updated in place
        np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-6)


@SETTINGS
@given(shape=st.sampled_from([(3, 4), (2, 3, 4), (2, 2, 3)]), k=st.integers(1, 2), affine=st.booleans(),
       dtype=dtypes, seed=seeds)
def test_layer_norm_against_pytorch(shape, k, affine, dtype, seed):
    norm = shape[len(shape) - k:]
    arrays = [values(seed, shape, "any")] + ([values(seed + 1, norm, "any"), values(seed + 2, norm, "any")]
                                             if affine else [])
    compare(lambda lib, x, *wb: F(lib).layer_norm(x, norm, *wb), arrays, dtype, tol=1e-4)


def test_batch_norm_without_running_stats_and_bias_only():
    x = values(1, (4, 3), "any")
    compare(lambda lib, x: F(lib).batch_norm(x, None, None, training=True), [x], "float64")
    compare(lambda lib, x, b: F(lib).batch_norm(x, None, None, None, b, training=True), [x, values(2, (3,), "any")],
            "float64")
    compare(lambda lib, x, b: F(lib).layer_norm(x, (3,), None, b), [x, values(2, (3,), "any")], "float64")


NORM_ERRORS = [
    ("one value per channel", lambda lib: F(lib).batch_norm(lib.ones(1, 3), None, None, training=True),
     "Expected more than 1 value per channel when training, got input size"),
    ("weight size", lambda lib: F(lib).batch_norm(lib.ones(2, 3), lib.zeros(3), lib.ones(3), lib.ones(2)),
     "weight should contain 3 elements not 2"),
    ("layer norm shape", lambda lib: F(lib).layer_norm(lib.ones(2, 3), (5,)),
     "Given normalized_shape=[5], expected input with shape [*, 5], but got input of size[2, 3]"),
    ("layer norm weight", lambda lib: F(lib).layer_norm(lib.ones(2, 3), (3,), lib.ones(2)),
     "Expected weight to be of same shape as normalized_shape, but got weight of shape [2] and normalized_shape = [3]"),
]


@pytest.mark.parametrize("what, fn, phrase", NORM_ERRORS, ids=[e[0] for e in NORM_ERRORS])
def test_errors_as_pytorch(what, fn, phrase):
    raises_like_pytorch(what, fn, phrase)


F_ = tutorgrad.nn.functional
CASES = {
    "batch_norm_train": (lambda x, w, b: F_.batch_norm(x, None, None, w, b, training=True),
                         lambda: (leaf(1, 4, 2, 3), leaf(2, 2), leaf(3, 2))),
    "batch_norm_eval": (lambda x, w, b: F_.batch_norm(x, tutorgrad.tensor([0.1, -0.2], dtype=tutorgrad.float64),
                                                      tutorgrad.tensor([1.5, 0.5], dtype=tutorgrad.float64), w, b),
                        lambda: (leaf(1, 3, 2), leaf(2, 2), leaf(3, 2))),
    "layer_norm": (lambda x, w, b: F_.layer_norm(x, (2, 3), w, b), lambda: (leaf(1, 2, 2, 3), leaf(2, 2, 3),
                                                                             leaf(3, 2, 3))),
}
EPS = {}
GRADGRAD = {
    "batch_norm_train": (lambda x, w: F_.batch_norm(x, None, None, w, training=True),
                         lambda: (leaf(1, 3, 2), leaf(2, 2))),
    "layer_norm": (lambda x, w, b: F_.layer_norm(x, (3,), w, b), lambda: (leaf(1, 2, 3), leaf(2, 3), leaf(3, 3))),
}
GRADGRAD_EPS = {}

test_gradcheck, test_gradgradcheck = gradcheck_tests(CASES, EPS, GRADGRAD, GRADGRAD_EPS)


MIXED = {  # NumPy's float64 data into a float32 layer: PyTorch refuses it, and so must we (not a silent float64)
    "BatchNorm1d, float64 input": lambda lib: lib.nn.BatchNorm1d(3)(lib.from_numpy(np.arange(6.).reshape(2, 3))),
    "BatchNorm1d eval": lambda lib: lib.nn.BatchNorm1d(3).eval()(lib.ones(2, 3, dtype=lib.float64)),
    "LayerNorm, float64 input": lambda lib: lib.nn.LayerNorm(3)(lib.ones(2, 3, dtype=lib.float64)),
    "batch_norm, running stats": lambda lib: lib.nn.functional.batch_norm(lib.ones(2, 3, dtype=lib.float64),
                                                                          lib.zeros(3), lib.ones(3)),
    "batch_norm, weight only": lambda lib: lib.nn.functional.batch_norm(lib.ones(2, 3, dtype=lib.float64), None,
                                                                        None, weight=lib.ones(3), training=True),
}


@pytest.mark.parametrize("what", MIXED)
def test_mixed_dtypes_are_refused_as_pytorch(what):
    raises_like_pytorch(what, MIXED[what], "mixed dtype (CPU): all inputs must share same datatype")


def test_what_pytorch_allows_or_refuses_otherwise():
    from torchdiff import same
    same(lambda lib: lib.nn.functional.layer_norm(lib.ones(2, 3, dtype=lib.float64), (3,)))  # no parameters
    same(lambda lib: lib.nn.functional.batch_norm(lib.ones(2, 3, dtype=lib.float64), None, None, training=True))
    same(lambda lib: lib.nn.BatchNorm1d(3)(lib.ones(2, 3, dtype=lib.float16)))  # half data, float32 parameters
    same(lambda lib: lib.nn.LayerNorm(3)(lib.ones(2, 3, dtype=lib.float16)))
    raises_like_pytorch("BatchNorm1d, int64", lambda lib: lib.nn.BatchNorm1d(3)(lib.ones(2, 3, dtype=lib.int64)),
                        "\"batch_norm\" not implemented for 'Long'")
