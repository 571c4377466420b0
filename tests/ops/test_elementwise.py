"""One-input functions, ``clamp``, ``where``, ``masked_fill``, dtype conversion and copies
(``tutorgrad/ops/elementwise.py``).

Forward and gradients against real PyTorch, and gradcheck in float64 (see ``tests/gradcases.py``).
"""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import tutorgrad
from gradcases import F64, gradcheck_tests, leaf, mask, pos
from torchdiff import FAST, VALUES, assert_same_draws, same, torch
from torchgrad import SETTINGS, compare, dtypes, seeds, small_shapes, ties_and_kinks, values

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # no NumPy warning may leak out of tutorgrad


# ---------------------------------------------------------------------------------------- where, maximum, clamp
CHOICES = {
    "where": lambda lib, a, b: lib.where(a > b, a, b), "where scalar": lambda lib, a, b: lib.where(a > 0, a, 0.0),
    "where int scalar": lambda lib, a, b: lib.where(a > 0, 1, -1), "where method": lambda lib, a, b: a.where(a > 0, b),
    "maximum": lambda lib, a, b: lib.maximum(a, b), "minimum": lambda lib, a, b: lib.minimum(a, b),
    "max of two": lambda lib, a, b: lib.max(a, b), "min of two": lambda lib, a, b: a.min(b),
    "clamp": lambda lib, a, b: a.clamp(-1, 1), "clamp min": lambda lib, a, b: a.clamp(min=0),
    "clamp max": lambda lib, a, b: lib.clamp(a, max=0.5), "clamp tensor": lambda lib, a, b: a.clamp(min=b),
    "clip": lambda lib, a, b: a.clip(-0.5, 0.5), "relu": lambda lib, a, b: a.relu(),
}


@pytest.mark.parametrize("name", CHOICES)
def test_choices(name):
    a = np.array([[-2.0, 0.5, 1.5], [0.0, -0.25, 3.0]], np.float32)
    b = np.array([0.25, 0.5, -1.0], np.float32)
    same(lambda lib: CHOICES[name](lib, lib.tensor(a), lib.tensor(b)))

    def grads(lib):
        x, y = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        out = CHOICES[name](lib, x, y)
        out.sum().backward()
        return out, x.grad, y.grad
    same(grads)


def test_choices_with_ints_and_mixed_dtypes():
    same(lambda lib: lib.where(lib.tensor([True, False]), lib.tensor([1, 2]), lib.tensor([1.5, 2.5])))
    same(lambda lib: lib.maximum(lib.tensor([1, 5]), lib.tensor([3.0, 2.0])))
    same(lambda lib: lib.tensor([1, 5, 9]).clamp(2, 6))
    same(lambda lib: lib.tensor([1, 5, 9]).clamp(2.5, 6))
    same(lambda lib: lib.tensor([1.0, float("nan")]).clamp(0, 0.5))
    same(lambda lib: lib.maximum(lib.tensor([1.0, float("nan")]), lib.tensor([2.0, 0.0])))
    same(lambda lib: lib.where(lib.tensor([True, False]), 1.5, 2))
    same(lambda lib: lib.where(lib.tensor([[True], [False]]), lib.tensor([1, 2]), lib.tensor(0)))


# ---------------------------------------------------------------------------------------- random values
UNARY = ["neg", "abs", "exp", "sin", "cos", "tanh", "sigmoid", "relu", "sign", "floor", "ceil", "round", "square",
         "sinh", "cosh", "erf", "erfc", "sgn"]


@FAST
@given(hnp.arrays(st.sampled_from([np.float32, np.float64]), hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
                  elements=VALUES))
def test_unary_random(arr):
    for name in UNARY:
        same(lambda lib: getattr(lib.tensor(arr), name)(), check_repr=False, where=name)
    same(lambda lib: lib.tensor(arr).abs().sqrt(), check_repr=False, where="sqrt")
    same(lambda lib: (lib.tensor(arr).abs() + 1).log(), check_repr=False, where="log")


def test_sinh_and_cosh_of_integers_and_in_place_like_pytorch():
    same(lambda lib: lib.sinh(lib.tensor([1, 2])))  # integers compute in the default float dtype
    same(lambda lib: lib.tensor([0.5, -1.0]).cosh_())
    same(lambda lib: lib.tensor([0.5, -1.0], requires_grad=True).clone().sinh_())


# ---------------------------------------------------------------------------------------- relu at nan
def test_relu_backward_passes_the_gradient_where_the_output_is_nan():
    # the gradient passes where the output is > 0 or nan, and is 0 elsewhere. (An infinite gradient
    # where the output is 0 gives nan in tutorgrad, 0 in PyTorch: see ops.ThresholdBackward.)
    def run(lib):
        t = lib.tensor([float("nan"), 1., -1., 0., 2.], requires_grad=True)
        t.relu().backward(lib.tensor([1., float("inf"), 5., -3., 1.]))
        return t.grad
    same(run)


# ---------------------------------------------------------------------------------------- gradients against PyTorch
GRAD_UNARY = {
    "abs": (lambda L, a: a.abs(), "any"), "exp": (lambda L, a: a.exp(), "any"),
    "log": (lambda L, a: a.log(), "pos"), "log2": (lambda L, a: a.log2(), "pos"),
    "log10": (lambda L, a: L.log10(a), "pos"), "log1p": (lambda L, a: a.log1p(), "pos"),
    "expm1": (lambda L, a: a.expm1(), "any"), "sqrt": (lambda L, a: a.sqrt(), "pos"),
    "rsqrt": (lambda L, a: a.rsqrt(), "pos"), "reciprocal": (lambda L, a: a.reciprocal(), "pos"),
    "sin": (lambda L, a: a.sin(), "any"), "cos": (lambda L, a: L.cos(a), "any"),
    "tan": (lambda L, a: a.tan(), "unit"), "tanh": (lambda L, a: a.tanh(), "any"),
    "sinh": (lambda L, a: a.sinh(), "any"), "cosh": (lambda L, a: L.cosh(a), "any"),
    "sigmoid": (lambda L, a: L.sigmoid(a * 20), "any"), "relu": (lambda L, a: a.relu(), "any"),
    "square": (lambda L, a: a.square(), "any"), "sign": (lambda L, a: a.sign() * a, "any"),
    "floor": (lambda L, a: a.floor() + a, "any"), "ceil": (lambda L, a: a.ceil() * a, "any"),
    "round": (lambda L, a: a.round(), "any"), "trunc": (lambda L, a: a.trunc(), "any"),
    "clamp": (lambda L, a: a.clamp(-0.5, 1.0), "any"), "clamp_min": (lambda L, a: a.clamp_min(0.25), "any"),
    "clamp_max": (lambda L, a: a.clamp(max=0.5), "any"), "clip": (lambda L, a: L.clip(a, -1, 1), "any"),
    "masked_fill": (lambda L, a: a.masked_fill(a > 0.5, 3.0), "any"),
    "to_float64": (lambda L, a: a.to(L.float64) * 2, "any"), "to_float32": (lambda L, a: a.float() * 2, "any"),
    "clone": (lambda L, a: a.clone(), "any"), "lerp": (lambda L, a: a.lerp(a * a, 0.25), "any"),
    "norm": (lambda L, a: a.norm(), "any"), "norm_p1": (lambda L, a: a.norm(p=1), "any"),
    "norm_p3": (lambda L, a: a.norm(3), "any"),
    "erf": (lambda L, a: a.erf(), "any"), "erfc": (lambda L, a: L.erfc(a), "any"),
    "leaky_relu": (lambda L, a: L.nn.functional.leaky_relu(a, 0.2), "any"),
    "gelu": (lambda L, a: L.nn.functional.gelu(a), "any"),
    "gelu_tanh": (lambda L, a: L.nn.functional.gelu(a, approximate="tanh"), "any"),
    "silu": (lambda L, a: L.nn.functional.silu(a), "any"),
    "leaky_relu_inplace": (lambda L, a: L.nn.functional.leaky_relu(a * 1, 0.1, inplace=True), "any"),
    "silu_inplace": (lambda L, a: L.nn.functional.silu(a * 1, inplace=True), "any"),
    "dropout_eval": (lambda L, a: L.nn.functional.dropout(a, 0.3, training=False), "any"),
}


@pytest.mark.parametrize("name", list(GRAD_UNARY))
@SETTINGS
@given(shape=small_shapes, dtype=dtypes, seed=seeds)
def test_unary_gradients(name, shape, dtype, seed):
    fn, domain = GRAD_UNARY[name]
    compare(fn, [values(seed, shape, domain)], dtype, seed)


# ------------------------------------------------------------------------- ties and kinks (values from {-1, 0, 1, 2})
KINKS = {
    "relu": lambda L, a: a.relu(),
    "leaky_relu": lambda L, a: L.nn.functional.leaky_relu(a),
    "abs": lambda L, a: a.abs(),
    "sign": lambda L, a: a.sign(),
    "clamp": lambda L, a: a.clamp(-1, 1),
    "clamp_min": lambda L, a: a.clamp(min=0),
    "clamp_max": lambda L, a: a.clamp_max(0),
    "sqrt_pos_part": lambda L, a: (a.relu() + 1).sqrt(),
    "where_eq": lambda L, a: L.where(a == 0, a * 2, a * 3),
    "clamp_tensor_ties": lambda L, a: a.clamp(min=a.flip(0), max=a.flip(0) + 1),
}


test_ties_and_kinks = ties_and_kinks(KINKS)


# ------------------------------------------------------------------------- gradcheck in float64 (and double backward)
# id -> (function, fresh float64 inputs)
CASES = {
    "neg": (lambda a: -a, lambda: (leaf(1, 3),)),
    "neg_method": (lambda a: a.neg() + a.negative(), lambda: (leaf(1, 3),)),
    "where": (lambda a, b: tutorgrad.where(mask(3, 3, 4), a, b), lambda: (leaf(1, 3, 1), leaf(2, 4))),
    "where_scalar": (lambda a: tutorgrad.where(mask(3, 4), a, 0.0), lambda: (leaf(1, 4),)),
    "tensor_where": (lambda a, b: a.where(mask(3, 2, 3), b), lambda: (leaf(1, 2, 3), leaf(2, 2, 3))),
    "masked_fill": (lambda a: a.masked_fill(mask(3, 2, 3), 7.0), lambda: (leaf(1, 2, 3),)),
    "masked_fill_tensor": (lambda a, v: a.masked_fill(mask(3, 3), v), lambda: (leaf(1, 2, 3), leaf(2))),
    "abs": (lambda a: a.abs(), lambda: (leaf(1, 5),)),
    "abs_builtin": (lambda a: abs(a), lambda: (leaf(1, 5),)),
    "absolute": (lambda a: a.absolute(), lambda: (leaf(1, 5),)),
    "exp": (lambda a: a.exp(), lambda: (leaf(1, 5),)),
    "log": (lambda a: a.log(), lambda: (pos(1, 5),)),
    "log2": (lambda a: a.log2(), lambda: (pos(1, 5),)),
    "log10": (lambda a: a.log10(), lambda: (pos(1, 5),)),
    "log1p": (lambda a: a.log1p(), lambda: (pos(1, 5),)),
    "expm1": (lambda a: a.expm1(), lambda: (leaf(1, 5),)),
    "sqrt": (lambda a: a.sqrt(), lambda: (pos(1, 5),)),
    "rsqrt": (lambda a: a.rsqrt(), lambda: (pos(1, 5),)),
    "reciprocal": (lambda a: a.reciprocal(), lambda: (pos(1, 5),)),
    "sin": (lambda a: a.sin(), lambda: (leaf(1, 5),)),
    "cos": (lambda a: a.cos(), lambda: (leaf(1, 5),)),
    "cos_function": (lambda a: tutorgrad.cos(a), lambda: (leaf(1, 5),)),
    "tan": (lambda a: a.tan(), lambda: (leaf(1, 5, low=-1.2, high=1.2, away=0),)),
    "tanh": (lambda a: a.tanh(), lambda: (leaf(1, 5),)),
    "sinh": (lambda a: a.sinh(), lambda: (leaf(1, 5),)),
    "cosh": (lambda a: a.cosh() + tutorgrad.cosh(a), lambda: (leaf(1, 5),)),
    "sigmoid": (lambda a: a.sigmoid(), lambda: (leaf(1, 5, low=-30, high=30),)),
    "relu": (lambda a: a.relu(), lambda: (leaf(1, 6),)),
    "sign": (lambda a: a.sign(), lambda: (leaf(1, 5),)),
    "floor": (lambda a: a.floor(), lambda: (leaf(1, 5),)),
    "ceil": (lambda a: a.ceil(), lambda: (leaf(1, 5),)),
    "round": (lambda a: a.round(), lambda: (tutorgrad.tensor([0.2, 1.3, -0.7, 2.1, -1.8], dtype=F64, requires_grad=True),)),
    "trunc": (lambda a: a.trunc(), lambda: (leaf(1, 5),)),
    "clamp": (lambda a: a.clamp(-0.5, 0.7), lambda: (leaf(1, 8, away=0),)),
    "clamp_only_min": (lambda a: a.clamp(min=-0.5), lambda: (leaf(1, 8, away=0),)),
    "clamp_min": (lambda a: a.clamp_min(-0.5), lambda: (leaf(1, 8, away=0),)),
    "clamp_max": (lambda a: a.clamp_max(0.7), lambda: (leaf(1, 8, away=0),)),
    "clip": (lambda a: a.clip(-1.5, 1.5), lambda: (leaf(1, 8),)),
    "clamp_tensor_bounds": (lambda a, lo, hi: a.clamp(lo, hi),
                            lambda: (leaf(1, 2, 3), leaf(2, 3, low=-2, high=-0.5), leaf(3, 3, low=0.5, high=2))),
    "clamp_tensor_min": (lambda a, lo: a.clamp(min=lo), lambda: (leaf(1, 2, 3), leaf(2, 3))),
    "clamp_min_tensor": (lambda a, lo: a.clamp_min(lo), lambda: (leaf(1, 3), leaf(2, 2, 3))),
    "to_float32": (lambda a: a.to(tutorgrad.float32) * 2, lambda: (leaf(1, 3),)),
    "float_double": (lambda a: a.float().double() ** 2, lambda: (leaf(1, 3),)),
    "type_as": (lambda a, b: a.type_as(b.float()), lambda: (leaf(1, 3), leaf(2, 1))),
    "to_same_dtype": (lambda a: a.to(F64) * 1.0, lambda: (leaf(1, 3),)),
    "type_dtype": (lambda a: a.type(tutorgrad.float32).double(), lambda: (leaf(1, 3),)),
    "half": (lambda a: a.half().double(), lambda: (leaf(1, 3, low=-1, high=1),)),
    "clone": (lambda a: a.clone(), lambda: (leaf(1, 2, 3),)),
    "contiguous": (lambda a: a.t().contiguous(), lambda: (leaf(1, 2, 3),)),
    "erf": (lambda a: a.erf(), lambda: (leaf(1, 5),)),
    "erfc": (lambda a: a.erfc() + tutorgrad.erf(a), lambda: (leaf(1, 5),)),
    "sgn": (lambda a: a.sgn() * a + (a * 1).sgn_(), lambda: (leaf(1, 5),)),
    "erf_": (lambda a: a.clone().erf_() + a.clone().erfc_(), lambda: (leaf(1, 5),)),
    "leaky_relu": (lambda a: tutorgrad.nn.functional.leaky_relu(a, 0.2), lambda: (leaf(1, 6),)),
    "leaky_relu_inplace": (lambda a: tutorgrad.nn.functional.leaky_relu(a * 1, 0.2, True), lambda: (leaf(1, 6),)),
    "gelu": (lambda a: tutorgrad.nn.functional.gelu(a), lambda: (leaf(1, 6),)),
    "gelu_tanh": (lambda a: tutorgrad.nn.functional.gelu(a, approximate="tanh"), lambda: (leaf(1, 6),)),
    "silu": (lambda a: tutorgrad.nn.functional.silu(a), lambda: (leaf(1, 6),)),
}


# cases whose float32 rounding needs a coarser finite-difference step
EPS = {
    "to_float32": dict(eps=1e-3, atol=1e-3),
    "float_double": dict(eps=1e-3, atol=1e-3),
    "type_as": dict(eps=1e-3, atol=1e-3),
    "type_dtype": dict(eps=1e-3, atol=1e-3),
    "half": dict(eps=0.05, atol=0.02),
}


# double backward: gradcheck of the gradient
GRADGRAD = {
    "exp": (lambda a: a.exp(), lambda: (leaf(1, 4),)),
    "log": (lambda a: a.log(), lambda: (pos(1, 4),)),
    "sqrt": (lambda a: a.sqrt(), lambda: (pos(1, 4),)),
    "sin_cos": (lambda a: a.sin() * a.cos(), lambda: (leaf(1, 4),)),
    "tan": (lambda a: a.tan(), lambda: (leaf(1, 4, low=-1, high=1, away=0),)),
    "tanh": (lambda a: a.tanh(), lambda: (leaf(1, 4),)),
    "sinh_cosh": (lambda a: a.sinh() * a.cosh(), lambda: (leaf(1, 4),)),
    "sigmoid": (lambda a: a.sigmoid(), lambda: (leaf(1, 4),)),
    "reciprocal": (lambda a: a.reciprocal(), lambda: (pos(1, 4),)),
    "log1p_expm1": (lambda a: a.log1p() + a.expm1(), lambda: (pos(1, 4),)),
    "abs_relu_neg": (lambda a: a.abs() * a.relu() - a, lambda: (leaf(1, 4),)),
    "where_clamp": (lambda a: tutorgrad.where(mask(3, 4), a * a, a.clamp(-1, 1) * a), lambda: (leaf(1, 4),)),
    "to_dtype": (lambda a: (a * a).to(tutorgrad.float32).to(F64) * a, lambda: (leaf(1, 3),)),
    "erf": (lambda a: a.erf() * a.erfc(), lambda: (leaf(1, 4),)),
    "gelu": (lambda a: tutorgrad.nn.functional.gelu(a), lambda: (leaf(1, 4),)),
    "gelu_tanh": (lambda a: tutorgrad.nn.functional.gelu(a, approximate="tanh"), lambda: (leaf(1, 4),)),
    "silu": (lambda a: tutorgrad.nn.functional.silu(a), lambda: (leaf(1, 4),)),
    "leaky_relu": (lambda a: tutorgrad.nn.functional.leaky_relu(a, 0.2) * a, lambda: (leaf(1, 4),)),
}


GRADGRAD_EPS = {
    "to_dtype": dict(eps=1e-3, atol=1e-3),
}


test_gradcheck, test_gradgradcheck = gradcheck_tests(CASES, EPS, GRADGRAD, GRADGRAD_EPS)


# ---------------------------------------------------------------------------------------- dropout
@pytest.mark.parametrize("p", [0.0, 0.2, 0.5, 0.9, 1.0])
@pytest.mark.parametrize("shape", [(7,), (64, 33), (3, 4, 5)])
def test_dropout_draws_pytorchs_mask(p, shape):
    # the same seed zeroes the same elements and scales the others by the same float: the mask (x.grad) bit for
    # bit; y as the draws it is made of (x comes from randn: see assert_same_draws)
    def run(lib):
        lib.manual_seed(11)
        x = lib.randn(*shape, requires_grad=True)
        y = lib.nn.functional.dropout(x, p)
        y.backward(lib.ones(shape))
        return type(y.grad_fn).__name__, y.detach().numpy(), x.grad.numpy()
    (ours_name, ours_y, ours_mask), (ref_name, ref_y, ref_mask) = run(tutorgrad), run(torch)
    assert ours_name == ref_name
    assert_same_draws(ours_y, ref_y)
    np.testing.assert_array_equal(ours_mask, ref_mask)
    same(lambda lib: lib.nn.functional.dropout(lib.ones(shape), p, training=False))
    same(lambda lib: lib.dropout(lib.ones(shape), p, False))


def test_dropout_in_place_and_errors():
    def run(lib):
        lib.manual_seed(3)
        x = lib.ones(10)
        lib.nn.functional.dropout(x, 0.5, inplace=True)
        return x
    same(run)
    for p in (-0.1, 1.5):
        same(lambda lib: lib.nn.functional.dropout(lib.ones(3), p))
        same(lambda lib: lib.nn.Dropout(p))
