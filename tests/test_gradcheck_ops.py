"""Every differentiable op passes ``tutorgrad.autograd.gradcheck`` in float64.

Each case of ``CASES`` is a small function of float64 leaves; gradcheck compares the backward
formulas (the analytical Jacobian) with central finite differences. ``GRADGRAD`` repeats the check
one level up (the backward formulas are themselves Tensor ops, so double backward must work).

Two guards keep the tables complete: ``test_every_op_is_covered`` walks the graphs the cases build and
fails when a ``Function`` of ``tutorgrad/ops.py`` never appears in them, and
``test_every_tensor_method_is_gradchecked`` fails when a public ``Tensor`` method is neither called by a
case nor listed as having no gradient. A new op or method cannot slip in untested.
"""
import inspect
import warnings

import numpy as np
import pytest

import tutorgrad
from tutorgrad import ops
from tutorgrad.autograd import gradcheck, gradgradcheck
from tutorgrad.autograd.function import Function

F64 = tutorgrad.float64


def inplace_on_views(a, b):
    """In-place ops on views of a recorded tensor: recorded on the base (the ViewScatter / CopySlices node)."""
    y = a * 1
    y[1].mul_(b)
    y.t()[0].add_(b[0])
    return y


def leaf(seed, *shape, low=-2.0, high=2.0, away=0.1):
    """A float64 leaf with values in [low, high], kept ``away`` from kinks at integers and 0."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(low, high, shape)
    if away:
        frac = a - np.round(a)
        a = np.where(np.abs(frac) < away, np.round(a) + np.copysign(away, frac + 1e-12), a)
    return tutorgrad.tensor(a, dtype=F64, requires_grad=True)


def pos(seed, *shape):
    return leaf(seed, *shape, low=0.5, high=2.0, away=0)


def distinct(seed, *shape):
    """Values that are well apart (no ties for max/min/sort), in random order."""
    n = int(np.prod(shape))
    rng = np.random.default_rng(seed)
    a = rng.permutation(n) * 0.37 - n * 0.15
    return tutorgrad.tensor(a.reshape(shape), dtype=F64, requires_grad=True)


def mask(seed, *shape):
    rng = np.random.default_rng(seed)
    m = rng.random(shape) < 0.5
    m.flat[0], m.flat[-1] = True, False
    return tutorgrad.tensor(m)


def idx(values):
    return tutorgrad.tensor(values, dtype=tutorgrad.int64)


def setitem(key, shape_v=None, value=None):
    """``y = x.clone(); y[key] = v; return y`` (the CopySlices / IndexPut nodes)."""
    def f(x, v=None):
        y = x.clone()
        y[key] = v if v is not None else value
        return y * 1.5  # a later op, so the gradient flows through the in-place node
    return f


def inplace(method, *args):
    def f(x, *others):
        y = x.clone()
        getattr(y, method)(*(others or args))
        return y
    return f


# id -> (function, inputs). Inputs are fresh leaves for every case (gradcheck perturbs them).
CASES = {
    # ---- arithmetic, broadcasting, reflected forms
    "add": (lambda a, b: a + b, lambda: (leaf(1, 3, 4), leaf(2, 3, 4))),
    "add_bcast_col_row": (lambda a, b: a + b, lambda: (leaf(1, 3, 1), leaf(2, 1, 4))),
    "add_bcast_vec": (lambda a, b: a + b, lambda: (leaf(1, 2, 3), leaf(2, 3))),
    "add_0d": (lambda a, b: a + b, lambda: (leaf(1), leaf(2, 3))),
    "add_scalar": (lambda a: a + 2.5, lambda: (leaf(1, 3),)),
    "radd_scalar": (lambda a: 2.5 + a, lambda: (leaf(1, 3),)),
    "radd_ndarray": (lambda a: np.arange(3.0) + a, lambda: (leaf(1, 2, 3),)),
    "add_alpha": (lambda a, b: a.add(b, alpha=3), lambda: (leaf(1, 2, 3), leaf(2, 3))),
    "iadd_clone": (inplace("add_"), lambda: (leaf(1, 2, 3), leaf(2, 3))),
    "sub": (lambda a, b: a - b, lambda: (leaf(1, 3, 1), leaf(2, 1, 4))),
    "sub_alpha": (lambda a, b: a.sub(b, alpha=0.5), lambda: (leaf(1, 2, 3), leaf(2, 2, 1))),
    "rsub_scalar": (lambda a: 1.5 - a, lambda: (leaf(1, 3),)),
    "rsub_ndarray": (lambda a: np.ones(3) - a, lambda: (leaf(1, 2, 3),)),
    "rdiv_ndarray": (lambda a: np.full(3, 2.0) / a, lambda: (pos(1, 2, 3),)),
    "isub_clone": (inplace("sub_"), lambda: (leaf(1, 3), leaf(2, 3))),
    "mul": (lambda a, b: a * b, lambda: (leaf(1, 3, 1), leaf(2, 1, 4))),
    "mul_vec": (lambda a, b: a * b, lambda: (leaf(1, 2, 3), leaf(2, 3))),
    "mul_self": (lambda a: a * a, lambda: (leaf(1, 4),)),
    "rmul_scalar": (lambda a: 3 * a, lambda: (leaf(1, 3),)),
    "imul_clone": (inplace("mul_"), lambda: (leaf(1, 2, 3), leaf(2, 3))),
    "div": (lambda a, b: a / b, lambda: (leaf(1, 3, 1), pos(2, 1, 4))),
    "div_0d": (lambda a, b: a / b, lambda: (leaf(1, 3), pos(2))),
    "rdiv_scalar": (lambda a: 2.0 / a, lambda: (pos(1, 3),)),
    "idiv_clone": (inplace("div_"), lambda: (leaf(1, 3), pos(2, 3))),
    "neg": (lambda a: -a, lambda: (leaf(1, 3),)),
    "neg_method": (lambda a: a.neg() + a.negative(), lambda: (leaf(1, 3),)),
    "ineg_clone": (inplace("neg_"), lambda: (leaf(1, 3),)),
    "pos": (lambda a: +a * 1.0, lambda: (leaf(1, 3),)),
    "method_aliases": (lambda a, b: a.add(b).sub(b).subtract(a).mul(b).multiply(a).div(b).divide(b).true_divide(b),
                       lambda: (leaf(1, 3), pos(2, 3))),
    "ipow_clone": (lambda a: inplace("pow_", 2)(a) + inplace("__ipow__", 3.0)(a), lambda: (leaf(1, 3),)),
    "iops_dunder": (lambda a, b: inplace("__iadd__")(a, b) * inplace("__isub__")(a, b) * inplace("__imul__")(a, b)
                    * inplace("__itruediv__")(a, b), lambda: (leaf(1, 3), pos(2, 3))),
    "inplace_unary": (lambda a: sum(inplace(m)(a) for m in ("abs_", "exp_", "log_", "sqrt_", "sigmoid_", "tanh_",
                                                            "relu_")) + inplace("clip_", -1, 1)(a),
                      lambda: (pos(1, 3),)),
    "div_floor": (lambda a, b: a.div(b, rounding_mode="floor"), lambda: (leaf(1, 2, 3), pos(2, 3))),
    "div_trunc": (lambda a, b: a.div(b, rounding_mode="trunc"), lambda: (leaf(1, 2, 3), pos(2, 3))),
    "remainder": (lambda a, b: a % b, lambda: (leaf(1, 2, 3), leaf(2, 3, low=0.7, high=1.3, away=0))),
    "remainder_scalar": (lambda a: a % 0.75, lambda: (leaf(1, 5),)),
    "remainder_method": (lambda a, b: a.remainder(b), lambda: (leaf(1, 2, 3), pos(2, 3))),
    "fmod": (lambda a, b: a.fmod(b), lambda: (leaf(1, 2, 3), leaf(2, 3, low=0.7, high=1.3, away=0))),
    "fmod_scalar": (lambda a: tutorgrad.fmod(a, -0.75), lambda: (leaf(1, 5),)),
    "rmod_scalar": (lambda a: 2.5 % a, lambda: (pos(1, 5),)),
    "pow_scalar_2": (lambda a: a ** 2, lambda: (leaf(1, 3),)),
    "pow_scalar_3": (lambda a: a ** 3, lambda: (leaf(1, 3),)),
    "pow_scalar_half": (lambda a: a ** 0.5, lambda: (pos(1, 3),)),
    "pow_scalar_neg": (lambda a: a.pow(-1.5), lambda: (pos(1, 3),)),
    "pow_scalar_0": (lambda a: a ** 0, lambda: (leaf(1, 3),)),
    "pow_tensor": (lambda a, b: a ** b, lambda: (pos(1, 3, 1), leaf(2, 1, 4))),
    "pow_tensor_0d_exp": (lambda a, b: a.pow(b), lambda: (pos(1, 3), leaf(2))),
    "rpow_scalar": (lambda a: 2.0 ** a, lambda: (leaf(1, 3),)),
    "rpow_zero_base": (lambda a: 0.0 ** a, lambda: (pos(1, 3),)),
    "rpow_ndarray": (lambda a: np.array([0.5, 2.0, 3.0]) ** a, lambda: (leaf(1, 2, 3),)),
    "square": (lambda a: a.square(), lambda: (leaf(1, 3),)),
    "maximum": (lambda a, b: a.maximum(b), lambda: (leaf(1, 3, 1), leaf(2, 1, 4))),
    "max_binary": (lambda a, b: a.max(b), lambda: (leaf(1, 3), leaf(2, 3))),
    "minimum": (lambda a, b: a.minimum(b), lambda: (leaf(1, 2, 3), leaf(2, 3))),
    "minimum_function": (lambda a, b: tutorgrad.minimum(a, b), lambda: (leaf(1, 2, 3), leaf(2, 3))),
    "min_binary": (lambda a, b: a.min(b), lambda: (leaf(1, 3), leaf(2, 3))),
    "where": (lambda a, b: tutorgrad.where(mask(3, 3, 4), a, b), lambda: (leaf(1, 3, 1), leaf(2, 4))),
    "where_scalar": (lambda a: tutorgrad.where(mask(3, 4), a, 0.0), lambda: (leaf(1, 4),)),
    "tensor_where": (lambda a, b: a.where(mask(3, 2, 3), b), lambda: (leaf(1, 2, 3), leaf(2, 2, 3))),
    "masked_fill": (lambda a: a.masked_fill(mask(3, 2, 3), 7.0), lambda: (leaf(1, 2, 3),)),
    "masked_fill_tensor": (lambda a, v: a.masked_fill(mask(3, 3), v), lambda: (leaf(1, 2, 3), leaf(2))),
    "imasked_fill_clone": (inplace("masked_fill_", mask(3, 3), -1.0), lambda: (leaf(1, 2, 3),)),
    "lerp": (lambda a, b: a.lerp(b, 0.3), lambda: (leaf(1, 3), leaf(2, 3))),
    "outer": (lambda a, b: a.outer(b), lambda: (leaf(1, 3), leaf(2, 2))),
    # ---- elementwise functions
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
    "iclamp_clone": (inplace("clamp_", -0.5, 0.5), lambda: (leaf(1, 6, away=0),)),
    "norm": (lambda a: a.norm(), lambda: (leaf(1, 2, 3),)),
    "norm_dim": (lambda a: a.norm(dim=1, keepdim=True), lambda: (leaf(1, 2, 3),)),
    "norm_p1": (lambda a: a.norm(p=1), lambda: (leaf(1, 2, 3),)),
    "norm_p3": (lambda a: a.norm(p=3), lambda: (leaf(1, 2, 3),)),
    "norm_inf": (lambda a: a.norm(p=float("inf"), dim=0), lambda: (distinct(1, 2, 3),)),
    "norm_zero_row": (lambda a: (a * tutorgrad.tensor([[1.0], [0.0]], dtype=F64)).norm(dim=1), lambda: (leaf(1, 2, 3),)),
    # ---- dtype conversion (through float32: finite differences need a larger eps there)
    "to_float32": (lambda a: a.to(tutorgrad.float32) * 2, lambda: (leaf(1, 3),)),
    "float_double": (lambda a: a.float().double() ** 2, lambda: (leaf(1, 3),)),
    "type_as": (lambda a, b: a.type_as(b.float()), lambda: (leaf(1, 3), leaf(2, 1))),
    "to_same_dtype": (lambda a: a.to(F64) * 1.0, lambda: (leaf(1, 3),)),
    "type_dtype": (lambda a: a.type(tutorgrad.float32).double(), lambda: (leaf(1, 3),)),
    "half": (lambda a: a.half().double(), lambda: (leaf(1, 3, low=-1, high=1),)),
    "clone": (lambda a: a.clone(), lambda: (leaf(1, 2, 3),)),
    "zero_": (lambda a: a.clone().zero_() + a, lambda: (leaf(1, 3),)),
    "fill_": (lambda a: a.clone().fill_(2.0) * a, lambda: (leaf(1, 3),)),
    "fill_tensor": (lambda a, v: a.clone().fill_(v) * a, lambda: (leaf(1, 3), leaf(2))),
    "normal_": (lambda a: (tutorgrad.manual_seed(0), a.clone().normal_())[1] * a, lambda: (leaf(1, 3),)),
    "uniform_": (lambda a: (tutorgrad.manual_seed(0), a.clone().uniform_())[1] * a, lambda: (leaf(1, 3),)),
    "copy_": (lambda a, b: a.clone().copy_(b) * a, lambda: (leaf(1, 2, 3), leaf(2, 3))),
    "copy_const": (lambda a: a.clone().copy_(tutorgrad.ones(3)) * a, lambda: (leaf(1, 2, 3),)),
    "copy_into_const": (lambda b: tutorgrad.zeros(2, 3, dtype=F64).copy_(b), lambda: (leaf(2, 3),)),
    "setitem_then_exp_": (lambda a: inplace("exp_")(a * 1.0), lambda: (leaf(1, 3),)),
    "contiguous": (lambda a: a.t().contiguous(), lambda: (leaf(1, 2, 3),)),
    # ---- reductions
    "sum": (lambda a: a.sum(), lambda: (leaf(1, 2, 3),)),
    "sum_dim": (lambda a: a.sum(1), lambda: (leaf(1, 2, 3, 2),)),
    "sum_dim_neg_keepdim": (lambda a: a.sum(-1, keepdim=True), lambda: (leaf(1, 2, 3),)),
    "sum_dims": (lambda a: a.sum((0, 2)), lambda: (leaf(1, 2, 3, 2),)),
    "sum_0d": (lambda a: tutorgrad.sum(a), lambda: (leaf(1),)),
    "sum_to_size": (lambda a: a.sum_to_size(1, 3), lambda: (leaf(1, 2, 3),)),
    "mean": (lambda a: a.mean(), lambda: (leaf(1, 2, 3),)),
    "mean_dim": (lambda a: a.mean(0), lambda: (leaf(1, 2, 3),)),
    "mean_dims_keepdim": (lambda a: a.mean((0, -1), keepdim=True), lambda: (leaf(1, 2, 3, 2),)),
    "var": (lambda a: a.var(), lambda: (leaf(1, 2, 3),)),
    "var_dim": (lambda a: a.var(1), lambda: (leaf(1, 2, 3),)),
    "var_dim_keepdim_biased": (lambda a: a.var(0, unbiased=False, keepdim=True), lambda: (leaf(1, 3, 2),)),
    "var_correction0": (lambda a: a.var(correction=0), lambda: (leaf(1, 4),)),
    "std": (lambda a: a.std(), lambda: (leaf(1, 2, 3),)),
    "std_dim": (lambda a: a.std(-1), lambda: (leaf(1, 2, 3),)),
    "std_dim_keepdim": (lambda a: tutorgrad.std(a, 0, keepdim=True), lambda: (leaf(1, 3, 2),)),
    "prod": (lambda a: a.prod(), lambda: (leaf(1, 2, 3),)),
    "prod_dim": (lambda a: a.prod(1), lambda: (leaf(1, 2, 3),)),
    "prod_dim_keepdim": (lambda a: a.prod(0, keepdim=True), lambda: (leaf(1, 3, 2),)),
    "prod_one_zero": (lambda a: (a * tutorgrad.tensor([1.0, 0.0, 1.0, 1.0], dtype=F64)).prod(), lambda: (leaf(1, 4),)),
    "prod_with_zero_input": (lambda a: a.prod(1), lambda: (tutorgrad.tensor([[0.0, 2.0, 3.0], [1.5, 0.0, 0.0]],
                                                                            dtype=F64, requires_grad=True),)),
    "max": (lambda a: a.max(), lambda: (distinct(1, 3, 4),)),
    "max_dim": (lambda a: a.max(1)[0], lambda: (distinct(1, 3, 4),)),
    "max_dim_keepdim": (lambda a: a.max(dim=0, keepdim=True).values, lambda: (distinct(1, 3, 4),)),
    "max_dim_both_outputs": (lambda a: a.max(-1), lambda: (distinct(1, 3, 4),)),
    "min": (lambda a: a.min(), lambda: (distinct(1, 3, 4),)),
    "min_dim": (lambda a: a.min(0).values, lambda: (distinct(1, 3, 4),)),
    "amax": (lambda a: a.amax(), lambda: (distinct(1, 3, 4),)),
    "amax_dims": (lambda a: a.amax((0, 2)), lambda: (distinct(1, 2, 3, 2),)),
    "amin_keepdim": (lambda a: a.amin(1, keepdim=True), lambda: (distinct(1, 3, 4),)),
    "logsumexp": (lambda a: a.logsumexp(1), lambda: (leaf(1, 3, 4),)),
    "logsumexp_keepdim_dims": (lambda a: a.logsumexp((0, 1), keepdim=True), lambda: (leaf(1, 3, 4),)),
    "softmax": (lambda a: a.softmax(-1), lambda: (leaf(1, 3, 4),)),
    "softmax_dim0": (lambda a: tutorgrad.softmax(a, 0), lambda: (leaf(1, 3, 4),)),
    "log_softmax": (lambda a: a.log_softmax(1), lambda: (leaf(1, 3, 4),)),
    "log_softmax_dim0": (lambda a: a.log_softmax(dim=0), lambda: (leaf(1, 2, 3),)),
    "cumsum": (lambda a: a.cumsum(0), lambda: (leaf(1, 3, 4),)),
    "cumsum_last": (lambda a: a.cumsum(-1), lambda: (leaf(1, 3, 4),)),
    "sort_values": (lambda a: a.sort(dim=1, descending=True).values, lambda: (distinct(1, 3, 4),)),
    "topk": (lambda a: a.topk(2).values, lambda: (distinct(1, 3, 4),)),
    "topk_smallest_dim0": (lambda a: a.topk(1, dim=0, largest=False)[0], lambda: (distinct(1, 3, 4),)),
    "trace": (lambda a: a.trace(), lambda: (leaf(1, 3, 3),)),
    "inner": (lambda a, b: a.inner(b), lambda: (leaf(1, 3), leaf(2, 3))),
    # ---- matrix products
    "matmul_1d_1d": (lambda a, b: a @ b, lambda: (leaf(1, 4), leaf(2, 4))),
    "matmul_2d_2d": (lambda a, b: a @ b, lambda: (leaf(1, 2, 3), leaf(2, 3, 4))),
    "matmul_2d_1d": (lambda a, b: a @ b, lambda: (leaf(1, 2, 3), leaf(2, 3))),
    "matmul_1d_2d": (lambda a, b: a @ b, lambda: (leaf(1, 3), leaf(2, 3, 2))),
    "matmul_3d_3d": (lambda a, b: a @ b, lambda: (leaf(1, 2, 2, 3), leaf(2, 2, 3, 2))),
    "matmul_bcast_batch": (lambda a, b: a @ b, lambda: (leaf(1, 2, 1, 2, 3), leaf(2, 3, 3, 2))),
    "matmul_3d_2d": (lambda a, b: a.matmul(b), lambda: (leaf(1, 2, 2, 3), leaf(2, 3, 2))),
    "matmul_2d_3d": (lambda a, b: tutorgrad.matmul(a, b), lambda: (leaf(1, 2, 3), leaf(2, 2, 3, 2))),
    "matmul_1d_3d": (lambda a, b: a @ b, lambda: (leaf(1, 3), leaf(2, 2, 3, 2))),
    "matmul_3d_1d": (lambda a, b: a @ b, lambda: (leaf(1, 2, 2, 3), leaf(2, 3))),
    "rmatmul_ndarray": (lambda a: np.ones((2, 3)) @ a, lambda: (leaf(1, 3, 2),)),
    "mm": (lambda a, b: a.mm(b), lambda: (leaf(1, 2, 3), leaf(2, 3, 2))),
    "mv": (lambda a, b: a.mv(b), lambda: (leaf(1, 2, 3), leaf(2, 3))),
    "dot": (lambda a, b: a.dot(b), lambda: (leaf(1, 3), leaf(2, 3))),
    "bmm": (lambda a, b: a.bmm(b), lambda: (leaf(1, 2, 2, 3), leaf(2, 2, 3, 2))),
    # ---- shapes and views
    "view": (lambda a: a.view(3, 2), lambda: (leaf(1, 2, 3),)),
    "view_infer": (lambda a: a.view(-1), lambda: (leaf(1, 2, 3),)),
    "view_as": (lambda a, b: a.view_as(b), lambda: (leaf(1, 2, 3), leaf(2, 6))),
    "reshape": (lambda a: a.reshape(3, 2), lambda: (leaf(1, 2, 3),)),
    "reshape_copy": (lambda a: a.t().reshape(6), lambda: (leaf(1, 2, 3),)),
    "reshape_as": (lambda a, b: a.reshape_as(b), lambda: (leaf(1, 2, 3), leaf(2, 3, 2))),
    "flatten": (lambda a: a.flatten(), lambda: (leaf(1, 2, 3, 2),)),
    "flatten_range": (lambda a: tutorgrad.flatten(a, 1), lambda: (leaf(1, 2, 3, 2),)),
    "ravel": (lambda a: a.ravel(), lambda: (leaf(1, 2, 3),)),
    "unflatten": (lambda a: a.unflatten(1, (2, 3)), lambda: (leaf(1, 2, 6),)),
    "squeeze": (lambda a: a.squeeze(), lambda: (leaf(1, 2, 1, 3, 1),)),
    "squeeze_dim": (lambda a: a.squeeze(1), lambda: (leaf(1, 2, 1, 3),)),
    "squeeze_dims": (lambda a: a.squeeze((0, 2)), lambda: (leaf(1, 1, 3, 1),)),
    "unsqueeze": (lambda a: a.unsqueeze(1), lambda: (leaf(1, 2, 3),)),
    "unsqueeze_neg": (lambda a: a.unsqueeze(-1), lambda: (leaf(1, 2, 3),)),
    "transpose": (lambda a: a.transpose(0, 2), lambda: (leaf(1, 2, 3, 2),)),
    "swapaxes": (lambda a: a.swapaxes(0, 1), lambda: (leaf(1, 2, 3),)),
    "swapdims": (lambda a: a.swapdims(0, 1), lambda: (leaf(1, 2, 3),)),
    "t": (lambda a: a.t(), lambda: (leaf(1, 2, 3),)),
    "t_1d": (lambda a: a.t() * 1.0, lambda: (leaf(1, 3),)),
    "T": (lambda a: a.T, lambda: (leaf(1, 2, 3),)),
    "mT": (lambda a: a.mT, lambda: (leaf(1, 2, 3, 2),)),
    "permute": (lambda a: a.permute(2, 0, 1), lambda: (leaf(1, 2, 3, 2),)),
    "movedim": (lambda a: a.movedim(0, -1), lambda: (leaf(1, 2, 3, 2),)),
    "expand": (lambda a: a.expand(2, 3, 4), lambda: (leaf(1, 3, 1),)),
    "expand_keep": (lambda a: a.expand(-1, 4), lambda: (leaf(1, 3, 1),)),
    "expand_as": (lambda a, b: a.expand_as(b), lambda: (leaf(1, 1, 3), leaf(2, 2, 3))),
    "expand_same": (lambda a: a.expand(2, 3), lambda: (leaf(1, 2, 3),)),
    "broadcast_to": (lambda a: a.broadcast_to((2, 3)), lambda: (leaf(1, 3),)),
    "broadcast_tensors": (lambda a, b: tutorgrad.broadcast_tensors(a, b), lambda: (leaf(1, 3, 1), leaf(2, 4))),
    "repeat": (lambda a: a.repeat(2, 3), lambda: (leaf(1, 2, 2),)),
    "flip": (lambda a: a.flip(0, 1), lambda: (leaf(1, 2, 3),)),
    "narrow": (lambda a: a.narrow(1, 1, 2), lambda: (leaf(1, 2, 4),)),
    "cat": (lambda a, b: tutorgrad.cat([a, b]), lambda: (leaf(1, 2, 3), leaf(2, 1, 3))),
    "cat_dim1": (lambda a, b, c: tutorgrad.cat((a, b, c), dim=-1), lambda: (leaf(1, 2, 1), leaf(2, 2, 3), leaf(3, 2, 2))),
    "cat_same_tensor": (lambda a: tutorgrad.cat([a, a * 2, a]), lambda: (leaf(1, 3),)),
    "hstack": (lambda a, b: tutorgrad.hstack([a, b]), lambda: (leaf(1, 3), leaf(2, 2))),
    "vstack": (lambda a, b: tutorgrad.vstack([a, b]), lambda: (leaf(1, 3), leaf(2, 2, 3))),
    "stack": (lambda a, b: tutorgrad.stack([a, b]), lambda: (leaf(1, 2, 3), leaf(2, 2, 3))),
    "stack_dim_last": (lambda a, b: tutorgrad.stack([a, b], dim=-1), lambda: (leaf(1, 2, 3), leaf(2, 2, 3))),
    "split": (lambda a: a.split(2), lambda: (leaf(1, 5, 2),)),
    "split_sizes": (lambda a: a.split([1, 3], dim=1), lambda: (leaf(1, 2, 4),)),
    "split_use_one": (lambda a: a.split(2)[1] * 3, lambda: (leaf(1, 5, 2),)),
    "chunk": (lambda a: a.chunk(3, 1), lambda: (leaf(1, 2, 5),)),
    "unbind": (lambda a: a.unbind(1), lambda: (leaf(1, 2, 3),)),
    "unbind_use_one": (lambda a: a.unbind()[0] * 2, lambda: (leaf(1, 2, 3),)),
    "iter": (lambda a: [r * (i + 1) for i, r in enumerate(a)][1], lambda: (leaf(1, 2, 3),)),
    "gather": (lambda a: a.gather(1, idx([[0, 0, 2], [1, 2, 1]])), lambda: (leaf(1, 2, 3),)),
    "gather_dim0": (lambda a: tutorgrad.gather(a, 0, idx([[1, 0, 1]])), lambda: (leaf(1, 2, 3),)),
    "tril": (lambda a: a.tril(), lambda: (leaf(1, 3, 3),)),
    "triu": (lambda a: a.triu(1), lambda: (leaf(1, 3, 3),)),
    "diagonal": (lambda a: a.diagonal(), lambda: (leaf(1, 3, 4),)),
    # ---- indexing
    "index_int": (lambda a: a[1], lambda: (leaf(1, 3, 2),)),
    "index_neg_int": (lambda a: a[-1, 0], lambda: (leaf(1, 3, 2),)),
    "index_slice": (lambda a: a[1:3], lambda: (leaf(1, 4, 2),)),
    "index_step_slice": (lambda a: a[::2, 1:], lambda: (leaf(1, 5, 3),)),
    "index_ellipsis": (lambda a: a[..., 1], lambda: (leaf(1, 2, 2, 3),)),
    "index_none": (lambda a: a[:, None], lambda: (leaf(1, 2, 3),)),
    "index_alias": (lambda a: a[...], lambda: (leaf(1, 2, 3),)),
    "index_list": (lambda a: a[[2, 0]], lambda: (leaf(1, 3, 2),)),
    "index_tensor_repeated": (lambda a: a[idx([0, 2, 0, 0])], lambda: (leaf(1, 3, 2),)),
    "index_tensor_2d": (lambda a: a[idx([[0, 1], [1, 1]])], lambda: (leaf(1, 3),)),
    "index_two_tensors": (lambda a: a[idx([0, 1, 1]), idx([2, 0, 2])], lambda: (leaf(1, 2, 3),)),
    "index_int_and_list": (lambda a: a[1, [0, 2, 2]], lambda: (leaf(1, 2, 3),)),
    "index_slice_and_tensor": (lambda a: a[:, idx([2, 2, 0])], lambda: (leaf(1, 2, 3),)),
    "index_bool_mask": (lambda a: a[mask(3, 3, 4)], lambda: (leaf(1, 3, 4),)),
    "index_bool_row_mask": (lambda a: a[tutorgrad.tensor([True, False, True])], lambda: (leaf(1, 3, 2),)),
    "index_select": (lambda a: a.index_select(1, idx([2, 0, 2])), lambda: (leaf(1, 2, 3),)),
    "cpu": (lambda a: a.cpu() * 2, lambda: (leaf(1, 3),)),
    "masked_select": (lambda a: a.masked_select(mask(3, 3)), lambda: (leaf(1, 2, 3),)),
    "setitem_int_tensor": (setitem(0), lambda: (leaf(1, 3, 2), leaf(2, 2))),
    "setitem_slice_bcast": (setitem(slice(1, 3)), lambda: (leaf(1, 4, 2), leaf(2, 2))),
    "setitem_scalar": (setitem((slice(None), 1), value=5.0), lambda: (leaf(1, 3, 2),)),
    "setitem_mask": (setitem(mask(3, 3, 2).__array__()), lambda: (leaf(1, 3, 2), leaf(2))),
    "setitem_index_list": (setitem([2, 0]), lambda: (leaf(1, 3, 2), leaf(2, 2, 2))),
    "setitem_value_only": (lambda v: setitem(1)(tutorgrad.zeros(3, 2, dtype=F64), v), lambda: (leaf(2, 2),)),
    "inplace_on_views": (inplace_on_views, lambda: (leaf(1, 3, 2), leaf(2, 2))),
    # ---- a composite: a linear layer with softmax cross-entropy
    "mlp_cross_entropy": (lambda x, w, b: -(((x @ w + b).relu().log_softmax(1))[[0, 1, 2], [1, 0, 1]]).mean(),
                          lambda: (leaf(1, 3, 4), leaf(2, 4, 2), leaf(3, 2))),
}

# Where finite differences in float32 need a coarser step (the op rounds through float32).
EPS = {"to_float32": dict(eps=1e-3, atol=1e-3), "float_double": dict(eps=1e-3, atol=1e-3),
       "type_as": dict(eps=1e-3, atol=1e-3), "type_dtype": dict(eps=1e-3, atol=1e-3), "half": dict(eps=0.05, atol=0.02)}


def _check(fn, inputs, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # float64 inputs: gradcheck must not warn
        return gradcheck(fn, inputs, **kw)


@pytest.mark.parametrize("name", list(CASES))
def test_gradcheck(name):
    fn, make = CASES[name]
    assert _check(fn, make(), **EPS.get(name, {}))


GRADGRAD = {
    "mul": (lambda a, b: a * b, lambda: (leaf(1, 3, 1), leaf(2, 1, 4))),
    "div": (lambda a, b: a / b, lambda: (leaf(1, 3), pos(2, 3))),
    "pow_scalar": (lambda a: a ** 3, lambda: (leaf(1, 3),)),
    "pow_tensor": (lambda a, b: a ** b, lambda: (pos(1, 3), leaf(2, 3))),
    "rpow": (lambda a: 1.5 ** a, lambda: (leaf(1, 3),)),
    "exp": (lambda a: a.exp(), lambda: (leaf(1, 4),)),
    "log": (lambda a: a.log(), lambda: (pos(1, 4),)),
    "sqrt": (lambda a: a.sqrt(), lambda: (pos(1, 4),)),
    "sin_cos": (lambda a: a.sin() * a.cos(), lambda: (leaf(1, 4),)),
    "tan": (lambda a: a.tan(), lambda: (leaf(1, 4, low=-1, high=1, away=0),)),
    "tanh": (lambda a: a.tanh(), lambda: (leaf(1, 4),)),
    "sigmoid": (lambda a: a.sigmoid(), lambda: (leaf(1, 4),)),
    "reciprocal": (lambda a: a.reciprocal(), lambda: (pos(1, 4),)),
    "log1p_expm1": (lambda a: a.log1p() + a.expm1(), lambda: (pos(1, 4),)),
    "abs_relu_neg": (lambda a: a.abs() * a.relu() - a, lambda: (leaf(1, 4),)),
    "maximum": (lambda a, b: a.maximum(b) * a, lambda: (leaf(1, 4), leaf(2, 4))),
    "where_clamp": (lambda a: tutorgrad.where(mask(3, 4), a * a, a.clamp(-1, 1) * a), lambda: (leaf(1, 4),)),
    "softmax": (lambda a: a.softmax(1), lambda: (leaf(1, 2, 3),)),
    "log_softmax": (lambda a: a.log_softmax(0), lambda: (leaf(1, 2, 3),)),
    "logsumexp": (lambda a: a.logsumexp(1), lambda: (leaf(1, 2, 3),)),
    "matmul": (lambda a, b: a @ b, lambda: (leaf(1, 2, 3), leaf(2, 3, 2))),
    "matmul_1d": (lambda a, b: a @ b, lambda: (leaf(1, 3), leaf(2, 3, 2))),
    "matmul_batched": (lambda a, b: a @ b, lambda: (leaf(1, 2, 2, 3), leaf(2, 3, 2))),
    "sum": (lambda a: (a * a).sum(), lambda: (leaf(1, 2, 3),)),
    "sum_dim": (lambda a: (a * a).sum(1), lambda: (leaf(1, 2, 3),)),
    "mean": (lambda a: (a * a).mean(0, keepdim=True), lambda: (leaf(1, 2, 3),)),
    "var_std": (lambda a: a.var(1) + a.std(), lambda: (leaf(1, 2, 3),)),
    "prod": (lambda a: a.prod(1), lambda: (leaf(1, 2, 3),)),
    "prod_zeros": (lambda a: a.prod(1), lambda: (tutorgrad.tensor([[0.0, 2.0, 3.0], [1.5, 0.0, 0.0]], dtype=F64,
                                                                  requires_grad=True),)),
    "prod_all_two_zeros": (lambda a: a.prod(), lambda: (tutorgrad.tensor([0.0, 1.5, 0.0], dtype=F64,
                                                                         requires_grad=True),)),
    "norm": (lambda a: a.norm(dim=1) + a.norm(p=3), lambda: (leaf(1, 2, 3),)),
    "reflected": (lambda a: (1 - a) * (2 / a) + 2 ** a, lambda: (pos(1, 3),)),
    "amax_max_dim": (lambda a: a.amax(0) * a.max(1).values.sum(), lambda: (distinct(1, 2, 3),)),
    "cumsum": (lambda a: (a * a).cumsum(1), lambda: (leaf(1, 2, 3),)),
    "index": (lambda a: (a * a)[idx([0, 0, 1]), 1:], lambda: (leaf(1, 2, 3),)),
    "index_mask": (lambda a: (a * a)[mask(3, 2, 3)], lambda: (leaf(1, 2, 3),)),
    "index_basic": (lambda a: (a * a)[1, ::2], lambda: (leaf(1, 2, 3),)),
    "setitem": (lambda a, v: setitem(1)(a * a, v * v), lambda: (leaf(1, 2, 3), leaf(2, 3))),
    "inplace_on_views": (lambda a, b: inplace_on_views(a * a, b * b), lambda: (leaf(1, 3, 2), leaf(2, 2))),
    "gather": (lambda a: (a * a).gather(1, idx([[0, 0], [2, 1]])), lambda: (leaf(1, 2, 3),)),
    "shapes": (lambda a: (a * a).reshape(3, 2).t().unsqueeze(0).expand(2, 2, 3).permute(2, 0, 1).flip(0).squeeze(),
               lambda: (leaf(1, 2, 3),)),
    "reshape_copy": (lambda a: (a * a).t().reshape(6), lambda: (leaf(1, 2, 3),)),
    "cat_stack_split": (lambda a, b: tutorgrad.stack(tutorgrad.cat([a * b, b]).split(2)) ** 2,
                        lambda: (leaf(1, 2, 3), leaf(2, 2, 3))),
    "unbind": (lambda a: (a * a).unbind(1)[2] * a[:, 0], lambda: (leaf(1, 2, 3),)),
    "sum_to_size": (lambda a: (a * a).sum_to_size(2, 1), lambda: (leaf(1, 2, 3),)),
    "to_dtype": (lambda a: (a * a).to(tutorgrad.float32).to(F64) * a, lambda: (leaf(1, 3),)),
    "inplace": (lambda a, b: inplace("mul_")(a * 1.0, b).exp_().div_(b), lambda: (leaf(1, 3), pos(2, 3))),
}

GRADGRAD_EPS = {"to_dtype": dict(eps=1e-3, atol=1e-3)}


@pytest.mark.parametrize("name", list(GRADGRAD))
def test_gradgradcheck(name):
    fn, make = GRADGRAD[name]
    assert gradgradcheck(fn, make(), **GRADGRAD_EPS.get(name, {}))


# ---------------------------------------------------------------------------- coverage guard
def _op_classes():
    modules = [m for m in vars(ops).values() if inspect.ismodule(m) and m.__name__.startswith(ops.__name__ + ".")]
    return {c for m in modules for c in vars(m).values()
            if inspect.isclass(c) and issubclass(c, Function) and c.__module__ == m.__name__ and c is not ops.Op}


def _nodes(outputs):
    """Every node reachable from ``outputs`` (an iterative walk over ``next_functions``)."""
    outputs = outputs if isinstance(outputs, (tuple, list)) else (outputs,)
    stack = [o.grad_fn for o in outputs if isinstance(o, tutorgrad.Tensor) and o.grad_fn is not None]
    seen = set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(n for n, _ in node.next_functions if n is not None)
    return seen


def _used_ops():
    used = set()
    for fn, make in CASES.values():
        used |= {type(n)._forward_cls for n in _nodes(fn(*make())) if hasattr(type(n), "_forward_cls")}
    for fn, make in GRADGRAD.values():  # backward-only ops (ScatterAdd, IndexScatter) live in these graphs
        inputs = make()
        outs = [o for o in _as_list(fn(*inputs)) if o.requires_grad]
        grad_outs = [tutorgrad.ones_like(o).requires_grad_() for o in outs]  # as gradgradcheck: they need grad
        grads = tutorgrad.autograd.grad(outs, inputs, grad_outs, create_graph=True, allow_unused=True)
        used |= {type(n)._forward_cls for n in _nodes([g for g in grads if g is not None])
                 if hasattr(type(n), "_forward_cls")}
    return used


def _as_list(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


# Ops PyTorch gives no derivative: their backward must raise (checked against PyTorch in test_autograd_vs_torch).
NOT_DIFFERENTIABLE = {ops.arithmetic.FloorDivide}


def test_every_op_is_covered():
    missing = sorted(c.__name__ for c in _op_classes() - _used_ops() - NOT_DIFFERENTIABLE)
    assert not missing, f"ops without a gradcheck case in CASES/GRADGRAD: {missing}"


def test_guard_sees_all_ops():
    # The guard itself must not pass vacuously: it finds the ops and the walk finds nodes.
    names = {c.__name__ for c in _op_classes()}
    assert {"Add", "Mul", "Matmul", "Index", "IndexPut", "ScatterAdd", "Softmax"} <= names
    x = leaf(1, 2)
    assert {type(n).__name__ for n in _nodes((x * 2).sum())} == {"SumBackward0", "MulBackward0", "AccumulateGrad"}


# ---------------------------------------------------------------------------- method coverage guard
# Tensor methods that have no gradient to check: comparisons and logic, integer results, conversions out of
# tutorgrad, metadata, the autograd API itself, complex numbers (no complex autograd), and creation.
NOT_DIFFERENTIABLE_METHODS = set("""
    __and__ __rand__ __or__ __ror__ __xor__ __rxor__ __invert__ __eq__ __ne__ __lt__ __le__ __gt__ __ge__
    eq ne lt le gt ge equal allclose isclose isnan isinf isfinite logical_and logical_not logical_or logical_xor
    all any argmax argmin nonzero count_nonzero bincount unique
    __floordiv__ __rfloordiv__ floor_divide
    __bool__ __float__ __int__ __complex__ __index__ __len__ __contains__ __format__ __repr__ __str__ __hash__
    __array__ __array_ufunc__ __deepcopy__ __reduce_ex__ __init__ __new__
    item tolist numpy data_ptr size dim ndimension numel nelement element_size stride is_contiguous
    is_floating_point is_complex
    backward register_hook retain_grad requires_grad_ detach detach_
    long int short byte bool cfloat cdouble conj angle cuda
    new_empty new_full new_ones new_tensor new_zeros
""".split())


def _tensor_methods():
    T = tutorgrad.Tensor
    return {n for n, v in vars(T).items() if callable(v) and (not n.startswith("_") or n.startswith("__"))
            and n not in ("__getattribute__", "__setattr__", "__delattr__", "__init_subclass__", "__class__")}


def _called_methods():
    """Names of Tensor methods the CASES call directly (calls made from inside other methods don't count)."""
    T, called, depth = tutorgrad.Tensor, set(), [0]
    originals = {n: vars(T)[n] for n in _tensor_methods() - {"__array_ufunc__"}}  # (it only forwards: ndarray @ x)

    def recording(name, method):
        def wrapper(*args, **kwargs):
            if depth[0] == 0:
                called.add(name)
            depth[0] += 1
            try:
                return method(*args, **kwargs)
            finally:
                depth[0] -= 1
        return wrapper

    for fn, make in CASES.values():
        inputs = make()
        try:
            for n, m in originals.items():
                setattr(T, n, recording(n, m))
            fn(*inputs)
        finally:
            for n, m in originals.items():
                setattr(T, n, m)
    return called


def test_every_tensor_method_is_gradchecked():
    methods = _tensor_methods()
    assert not NOT_DIFFERENTIABLE_METHODS - methods, "names in NOT_DIFFERENTIABLE_METHODS that no longer exist"
    called = _called_methods()
    assert {"__add__", "__getitem__", "softmax", "matmul"} <= called  # the recording itself works
    missing = sorted(methods - called - NOT_DIFFERENTIABLE_METHODS)
    assert not missing, f"Tensor methods without a gradcheck case in CASES: {missing}"
