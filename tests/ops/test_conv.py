"""Convolution, padding and pooling (``tutorgrad/ops/conv.py``): ``conv1d``, ``conv2d``, ``pad``, ``max_pool``,
``avg_pool``, ``adaptive_avg_pool``.

Forward and gradients against real PyTorch on hypothesis-drawn geometries (sizes, kernels, strides, padding,
dilation, groups, ceil_mode), PyTorch's errors, and gradcheck / gradgradcheck in float64 (see
``tests/gradcases.py``): a convolution's three products are each other's derivatives, so every order is checked.
"""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import tutorgrad
from gradcases import gradcheck_tests, leaf
from torchdiff import raises_like_pytorch, same, torch
from torchgrad import SETTINGS, compare, dtypes, seeds, values

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # no NumPy warning may leak out of tutorgrad
TOL32 = 1e-4  # float32 sums of up to a few hundred products


def F(lib):
    return lib.nn.functional


# ---------------------------------------------------------------------------------------- convolution
@st.composite
def conv_geometry(draw, nd=2):
    groups = draw(st.sampled_from([1, 1, 2]))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(nd))
    size = tuple(draw(st.integers(1, 6)) for _ in range(nd))
    assume(all(n + 2 * p >= d * (k - 1) + 1 for n, p, d, k in zip(size, padding, dilation, kernel)))
    return dict(n=draw(st.integers(1, 2)), cin=cin, cout=cout, kernel=kernel, stride=stride, dilation=dilation,
                padding=padding, size=size, groups=groups, bias=draw(st.booleans()))


def _conv_case(g, nd, seed):
    x = values(seed, (g["n"], g["cin"]) + g["size"], "any")
    w = values(seed + 1, (g["cout"], g["cin"] // g["groups"]) + g["kernel"], "any")
    arrays = [x, w] + ([values(seed + 2, (g["cout"],), "any")] if g["bias"] else [])
    name = f"conv{nd}d"

    def build(lib, x, w, b=None):
        return getattr(F(lib), name)(x, w, b, stride=g["stride"], padding=g["padding"], dilation=g["dilation"],
                                     groups=g["groups"])
    return build, arrays


@SETTINGS
@given(g=conv_geometry(2), dtype=dtypes, seed=seeds)
def test_conv2d_against_pytorch(g, dtype, seed):
    build, arrays = _conv_case(g, 2, seed)
    compare(build, arrays, dtype, tol=TOL32)


@SETTINGS
@given(g=conv_geometry(1), dtype=dtypes, seed=seeds)
def test_conv1d_against_pytorch(g, dtype, seed):
    build, arrays = _conv_case(g, 1, seed)
    compare(build, arrays, dtype, tol=TOL32)


@pytest.mark.parametrize("kernel, dilation", [((3, 3), 1), ((4, 3), 1), ((2, 2), 2), ((4, 2), 1)])
def test_conv2d_same_and_valid_padding(kernel, dilation):
    x, w = values(1, (2, 2, 7, 6), "any"), values(2, (3, 2) + kernel, "any")
    compare(lambda lib, x, w: F(lib).conv2d(x, w, padding="same", dilation=dilation), [x, w], "float64",
            graph="top")
    compare(lambda lib, x, w: F(lib).conv2d(x, w, padding="valid"), [x, w], "float64")


def test_conv_unbatched_integer_and_no_grad():
    same(lambda lib: F(lib).conv2d(lib.arange(18.0).reshape(2, 3, 3), lib.ones(1, 2, 2, 2)))
    same(lambda lib: F(lib).conv2d(lib.arange(18).reshape(1, 2, 3, 3), lib.ones(1, 2, 2, 2, dtype=lib.int64)))
    same(lambda lib: lib.conv2d(lib.ones(1, 1, 3, 3), lib.ones(2, 1, 2, 2), lib.tensor([1.0, -1.0]), 1, 1))
    same(lambda lib: F(lib).conv1d(lib.arange(10.0).reshape(1, 2, 5), lib.ones(3, 2, 2), stride=2))


CONV_ERRORS = [
    ("2-d input to conv2d", lambda lib: F(lib).conv2d(lib.ones(8, 8), lib.ones(4, 3, 3, 3)),
     "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [8, 8]"),
    ("channels", lambda lib: F(lib).conv2d(lib.ones(2, 3, 8, 8), lib.ones(4, 2, 3, 3)),
     "Given groups=1, weight of size [4, 2, 3, 3], expected input[2, 3, 8, 8] to have 2 channels, but got 3 "
     "channels instead"),
    ("kernel too large", lambda lib: F(lib).conv2d(lib.ones(2, 3, 2, 2), lib.ones(4, 3, 3, 3)),
     "Calculated padded input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater than "
     "actual input size"),
    ("dtypes", lambda lib: F(lib).conv2d(lib.ones(1, 3, 4, 4, dtype=lib.float64), lib.ones(4, 3, 3, 3)),
     "expected scalar type Double but found Float"),
    ("bias dtype", lambda lib: F(lib).conv2d(lib.ones(1, 3, 4, 4), lib.ones(4, 3, 3, 3), lib.zeros(4).double()),
     "Input type (float) and bias type (double) should be the same"),
    ("bias size", lambda lib: F(lib).conv2d(lib.ones(1, 3, 4, 4), lib.ones(4, 3, 3, 3), lib.zeros(3)),
     "expected bias to be 1-dimensional with 4 elements, but got bias of size [3] instead"),
    ("stride length", lambda lib: F(lib).conv2d(lib.ones(1, 3, 4, 4), lib.ones(4, 3, 3, 3), stride=(1, 1, 1)),
     "expected stride to be a single integer value or a list of 2 values to match the convolution dimensions"),
    ("zero stride", lambda lib: F(lib).conv2d(lib.ones(1, 3, 4, 4), lib.ones(4, 3, 3, 3), stride=0),
     "non-positive stride is not supported"),
    ("negative padding", lambda lib: F(lib).conv2d(lib.ones(1, 3, 4, 4), lib.ones(4, 3, 3, 3), padding=-1),
     "negative padding is not supported"),
    ("groups", lambda lib: F(lib).conv2d(lib.ones(1, 3, 4, 4), lib.ones(4, 3, 3, 3), groups=2),
     "expected input[1, 3, 4, 4] to have 6 channels, but got 3 channels instead"),
    ("same with stride", lambda lib: F(lib).conv2d(lib.ones(1, 3, 4, 4), lib.ones(4, 3, 3, 3), padding="same",
                                                   stride=2), "padding='same' is not supported for strided"),
    ("padding string", lambda lib: F(lib).conv2d(lib.ones(1, 3, 4, 4), lib.ones(4, 3, 3, 3), padding="foo"),
     "Invalid padding string: 'foo'"),
    ("zero dilation", lambda lib: F(lib).conv2d(lib.ones(2, 3, 4, 4), lib.ones(4, 3, 3, 3), dilation=0),
     "non-positive dilation is not supported"),
    ("max pool padding", lambda lib: F(lib).max_pool2d(lib.ones(1, 3, 8, 8), 3, padding=2),
     "pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and dilation=1"),
    ("avg pool padding", lambda lib: F(lib).avg_pool2d(lib.ones(1, 3, 8, 8), 3, padding=2),
     "pad should be at most half of effective kernel size"),
    ("max pool too small", lambda lib: F(lib).max_pool2d(lib.ones(2, 3, 8, 8), 9),
     "Given input size: (3x8x8). Calculated output size: (3x0x0). Output size is too small"),
    ("max pool of 2-d", lambda lib: F(lib).max_pool2d(lib.ones(8, 8), 2),
     "non-empty 3D or 4D (batch mode) tensor expected for input"),
    ("pool stride 0", lambda lib: F(lib).max_pool2d(lib.ones(1, 3, 8, 8), 2, stride=0), "stride should not be zero"),
    ("adaptive of ints", lambda lib: F(lib).adaptive_avg_pool2d(lib.ones(1, 2, 4, 4, dtype=lib.int64), 2),
     "\"adaptive_avg_pool2d\" not implemented for 'Long'"),
    ("reflect pad too wide", lambda lib: F(lib).pad(lib.ones(1, 2, 3), (3, 0), mode="reflect"),
     "Padding size should be less than the corresponding input dimension"),
    ("pad size for mode", lambda lib: F(lib).pad(lib.ones(1, 2, 3, 3), (1, 1), mode="reflect"),
     "Padding size 2 is not supported for 4D input tensor."),
    ("odd pad", lambda lib: F(lib).pad(lib.ones(3), (1,)), "Padding length must be divisible by 2"),
    ("too much pad", lambda lib: F(lib).pad(lib.ones(3), (1, 1, 1, 1)),
     "Padding length should be less than or equal to two times the input dimension"),
    ("pad crops too much", lambda lib: F(lib).pad(lib.ones(3), (-2, -2)),
     "narrow(): length must be non-negative."),
    ("circular wraps twice", lambda lib: F(lib).pad(lib.ones(1, 1, 2), (3, 0), mode="circular"),
     "Padding value causes wrapping around more than once."),
    ("reflect with a value", lambda lib: F(lib).pad(lib.ones(1, 1, 4), (1, 1), mode="reflect", value=1.0),
     "Padding mode \"reflect\" doesn't take in value argument"),
]


@pytest.mark.parametrize("what, fn, phrase", CONV_ERRORS, ids=[e[0] for e in CONV_ERRORS])
def test_errors_as_pytorch(what, fn, phrase):
    raises_like_pytorch(what, fn, phrase)


# ---------------------------------------------------------------------------------------- padding
@SETTINGS
@given(data=st.data(), mode=st.sampled_from(["constant", "reflect", "replicate", "circular"]), dtype=dtypes,
       seed=seeds)
def test_pad_against_pytorch(data, mode, dtype, seed):
    k = data.draw(st.integers(1, 3 if mode != "constant" else 3))
    ndim = data.draw(st.integers(k + (0 if mode == "constant" else 1), k + 2))
    shape = tuple(data.draw(st.integers(2, 4)) for _ in range(ndim))
    low = -1 if mode == "constant" else 0
    pads = [data.draw(st.integers(low, shape[ndim - 1 - i // 2] - 1)) for i in range(2 * k)]
    value = data.draw(st.sampled_from([0.0, 1.5])) if mode == "constant" else None
    # (PyTorch pads circularly with slice copies: its graph is a tree of CopySlices; tutorgrad records one node)
    compare(lambda lib, x: F(lib).pad(x, pads, mode=mode, value=value), [values(seed, shape, "any")], dtype,
            graph="top" if mode == "circular" else "all")


# ---------------------------------------------------------------------------------------- pooling
@st.composite
def pool_geometry(draw):
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = draw(st.sampled_from([None, (1, 1), (2, 2), (2, 1)]))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    size = tuple(draw(st.integers(k, k + 4)) for k in kernel)
    return dict(kernel=kernel, stride=stride, padding=padding, size=size, ceil_mode=draw(st.booleans()),
                n=draw(st.sampled_from([(), (2,)])))


@SETTINGS
@given(g=pool_geometry(), dilation=st.integers(1, 2), dtype=dtypes, seed=seeds)
def test_max_pool2d_against_pytorch(g, dilation, dtype, seed):
    assume(all(n + 2 * p >= dilation * (k - 1) + 1 and p <= (dilation * (k - 1) + 1) // 2
               for n, p, k in zip(g["size"], g["padding"], g["kernel"])))
    x = values(seed, g["n"] + (2,) + g["size"], "distinct")  # (no ties: PyTorch's tie rule is tested below)

    def build(lib, x):
        v, i = F(lib).max_pool2d(x, g["kernel"], g["stride"], g["padding"], dilation, g["ceil_mode"],
                                 return_indices=True)
        return v, i
    compare(build, [x], dtype)
    same(lambda lib: F(lib).max_pool2d(lib.tensor(x), g["kernel"], g["stride"], g["padding"], dilation,
                                        g["ceil_mode"], True)[1])


@SETTINGS
@given(g=pool_geometry(), count_include_pad=st.booleans(), divisor=st.sampled_from([None, 3]), dtype=dtypes,
       seed=seeds)
def test_avg_pool2d_against_pytorch(g, count_include_pad, divisor, dtype, seed):
    x = values(seed, g["n"] + (2,) + g["size"], "any")
    compare(lambda lib, x: F(lib).avg_pool2d(x, g["kernel"], g["stride"], g["padding"], g["ceil_mode"],
                                             count_include_pad, divisor), [x], dtype)


@SETTINGS
@given(size=st.tuples(st.integers(1, 7), st.integers(1, 7)), out=st.tuples(st.integers(1, 5), st.integers(1, 5)),
       dtype=dtypes, seed=seeds)
def test_adaptive_avg_pool2d_against_pytorch(size, out, dtype, seed):
    compare(lambda lib, x: F(lib).adaptive_avg_pool2d(x, out), [values(seed, (2, 3) + size, "any")], dtype)
    compare(lambda lib, x: F(lib).adaptive_avg_pool2d(x, (None, out[1])), [values(seed, (3,) + size, "any")], dtype)


def test_pool_ties_nan_and_1d():
    x = np.array([[[[1.0, 1.0, 0.0], [1.0, 0.5, 1.0], [2.0, 2.0, 2.0]]]])
    compare(lambda lib, x: F(lib).max_pool2d(x, 2, 1), [x], "float64")  # ties: the first maximum, as PyTorch
    nan = np.array([[[[1.0, np.nan], [np.nan, 0.0]]]])
    same(lambda lib: F(lib).max_pool2d(lib.tensor(nan), 2, return_indices=True))
    same(lambda lib: F(lib).max_pool2d(lib.arange(16).reshape(1, 4, 4), 2))
    seq = values(3, (2, 3, 9), "any")
    for build in (lambda lib, x: F(lib).max_pool1d(x, 3, 2, 1), lambda lib, x: F(lib).avg_pool1d(x, 2),
                  lambda lib, x: F(lib).adaptive_avg_pool1d(x, 4), lambda lib, x: lib.max_pool1d(x, 2),
                  lambda lib, x: lib.avg_pool1d(x, 3, 1, 1, True, False)):
        compare(build, [seq], "float64", graph="top")
    compare(lambda lib, x: F(lib).adaptive_avg_pool2d(x, 1), [values(4, (2, 3, 4, 4), "any")], "float64")


# ------------------------------------------------------------------------- gradcheck in float64 (and double backward)
def _conv(**kw):
    return lambda x, w, b=None: tutorgrad.nn.functional.conv2d(x, w, b, **kw)


F_ = tutorgrad.nn.functional
CASES = {
    "conv2d": (_conv(), lambda: (leaf(1, 2, 2, 4, 4), leaf(2, 3, 2, 2, 2), leaf(3, 3))),
    "conv2d_stride_pad_dil": (_conv(stride=2, padding=1, dilation=(1, 2)), lambda: (leaf(1, 1, 2, 5, 5),
                                                                                     leaf(2, 2, 2, 2, 2))),
    "conv2d_groups": (_conv(groups=2), lambda: (leaf(1, 1, 4, 3, 3), leaf(2, 4, 2, 2, 2))),
    "conv1d": (lambda x, w: F_.conv1d(x, w, padding=1), lambda: (leaf(1, 2, 2, 5), leaf(2, 3, 2, 3))),
    "pad_constant": (lambda x: F_.pad(x, (1, -1, 2, 0), value=0.5), lambda: (leaf(1, 2, 3, 4),)),
    "pad_reflect": (lambda x: F_.pad(x, (1, 2, 2, 1), mode="reflect"), lambda: (leaf(1, 1, 3, 4),)),
    "pad_replicate": (lambda x: F_.pad(x, (2, 1), mode="replicate"), lambda: (leaf(1, 2, 3),)),
    "pad_circular": (lambda x: F_.pad(x, (1, 2, 2, 1), mode="circular"), lambda: (leaf(1, 1, 3, 4),)),
    "max_pool2d": (lambda x: F_.max_pool2d(x, 2, 1, 1), lambda: (leaf(1, 1, 2, 4, 4),)),
    "avg_pool2d": (lambda x: F_.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
                   lambda: (leaf(1, 2, 5, 4),)),
    "adaptive_avg_pool2d": (lambda x: F_.adaptive_avg_pool2d(x, (2, 3)), lambda: (leaf(1, 1, 2, 5, 4),)),
}

EPS = {}

GRADGRAD = {
    "conv2d": (_conv(padding=1, stride=2), lambda: (leaf(1, 1, 2, 4, 4), leaf(2, 2, 2, 2, 2), leaf(3, 2))),
    "conv2d_groups": (_conv(groups=2), lambda: (leaf(1, 1, 2, 3, 3), leaf(2, 2, 1, 2, 2))),
    "pad_reflect": (lambda x: F_.pad(x, (1, 2), mode="reflect"), lambda: (leaf(1, 2, 4),)),
    "pad_constant": (lambda x: F_.pad(x, (1, 1, -1, 0)), lambda: (leaf(1, 2, 3, 3),)),
    "max_pool2d": (lambda x: F_.max_pool2d(x, 2), lambda: (leaf(1, 1, 1, 4, 4),)),
    "avg_pool2d": (lambda x: F_.avg_pool2d(x, 2, 1, 1), lambda: (leaf(1, 1, 3, 3),)),
    "adaptive_avg_pool2d": (lambda x: F_.adaptive_avg_pool2d(x, 2), lambda: (leaf(1, 1, 3, 3),)),
}

GRADGRAD_EPS = {}

test_gradcheck, test_gradgradcheck = gradcheck_tests(CASES, EPS, GRADGRAD, GRADGRAD_EPS)


def test_double_backward_against_pytorch():
    # d/dx of sum((dL/dw)^2): the input's gradient through ConvWeightGrad and back, as PyTorch computes it
    x, w = values(1, (2, 2, 5, 5), "any"), values(2, (3, 2, 3, 3), "any")

    def build(lib, x, w):
        y = F(lib).conv2d(x, w, padding=1, stride=2)
        gx, gw = lib.autograd.grad((y * y).sum(), (x, w), create_graph=True)
        return (gx * gx).sum() + (gw * gw).sum()
    compare(build, [x, w], "float64", graph=None)
