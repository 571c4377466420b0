"""``sum``, ``mean``, ``var``, ``prod``, ``max``, ``norm``, ``logsumexp``, softmax, ``cumsum``, ``sort``
(``tutorgrad/ops/reductions.py``).

Forward and gradients against real PyTorch, and gradcheck in float64 (see ``tests/gradcases.py``).
"""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import tutorgrad
from gradcases import F64, distinct, gradcheck_tests, leaf
from torchdiff import FAST, dt, printed, same, torch
from torchgrad import SETTINGS, compare, dtypes, seeds, ties_and_kinks, values

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # no NumPy warning may leak out of tutorgrad


# ---------------------------------------------------------------------------------------- forward against PyTorch
def _m(lib, dtype="float32"):
    return lib.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]], dtype=dt(lib, dtype))


REDUCTIONS = {
    "sum": lambda x: x.sum(),
    "sum dim": lambda x: x.sum(0),
    "sum dim keepdim": lambda x: x.sum(1, keepdim=True),
    "sum dims": lambda x: x.sum((0, 1)),
    "sum neg dim": lambda x: x.sum(dim=-1),
    "mean": lambda x: x.mean(),
    "mean dim": lambda x: x.mean(dim=1),
    "mean keepdim": lambda x: x.mean(0, keepdim=True),
    "var": lambda x: x.var(),
    "var dim": lambda x: x.var(1),
    "var unbiased False": lambda x: x.var(0, unbiased=False),
    "var correction": lambda x: x.var(1, correction=0, keepdim=True),
    "std": lambda x: x.std(),
    "std dim": lambda x: x.std(0, keepdim=True),
    "max": lambda x: x.max(),
    "max dim": lambda x: x.max(1),
    "max dim keepdim": lambda x: x.max(0, keepdim=True),
    "max dim=": lambda x: x.max(dim=-1),
    "min": lambda x: x.min(),
    "min dim": lambda x: x.min(dim=0),
    "argmax": lambda x: x.argmax(),
    "argmax dim": lambda x: x.argmax(1),
    "argmax keepdim": lambda x: x.argmax(0, keepdim=True),
    "argmin": lambda x: x.argmin(),
    "argmin dim": lambda x: x.argmin(dim=1),
    "prod": lambda x: x.prod(),
    "prod dim": lambda x: x.prod(1),
    "amax": lambda x: x.amax(0),
    "logsumexp": lambda x: x.logsumexp(1),
    "logsumexp keepdim": lambda x: x.logsumexp(0, keepdim=True),
    "all": lambda x: (x > 2).all(),
    "any dim": lambda x: (x > 5).any(1),
    "cumsum": lambda x: x.cumsum(1),
    "norm": lambda x: x.norm(),
}


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction(name, dtype):
    same(lambda lib: REDUCTIONS[name](_m(lib, dtype)))


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_with_grad(name):
    """The result's grad_fn name and printed text match (e.g. ``grad_fn=<MaxBackward0>``), and the gradient."""
    def run(lib):
        x = _m(lib).requires_grad_()
        out = REDUCTIONS[name](x)
        value = out[0] if isinstance(out, tuple) else out
        if value.requires_grad:
            value.sum().backward()
        return out, x.grad
    same(run)


def test_max_dim_prints_values_and_indices():
    ours, ref = printed(lambda lib: _m(lib).max(dim=1))
    assert ours == ref
    ours, ref = printed(lambda lib: lib.tensor([[1.0, 2.0]], requires_grad=True).min(0))
    assert ours == ref
    values, indices = tutorgrad.tensor([3, 1, 2]).max(0)
    assert (values.item(), indices.item()) == (3, 0)


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_of_ties(name):
    """Equal elements: which index max/argmax pick, and how the gradient is shared."""
    def run(lib):
        x = lib.tensor([[2.0, 2.0, 1.0], [1.0, 3.0, 3.0]], requires_grad=True)
        out = REDUCTIONS[name](x)
        value = out[0] if isinstance(out, tuple) else out
        if value.requires_grad:
            value.sum().backward()
        return out, x.grad
    same(run)


ZERO_DIM = ["sum", "mean", "var", "std", "amax", "logsumexp", "softmax", "log_softmax", "cumsum", "argmax", "max",
            "min", "prod", "squeeze", "unsqueeze", "flatten", "flip"]


@pytest.mark.parametrize("name", ZERO_DIM)
@pytest.mark.parametrize("dim", [0, -1])
def test_zero_dim_tensor_with_dim(name, dim):
    """A 0-d tensor accepts dim 0 and -1 (PyTorch treats it as having one dimension of size 1)."""
    def run(lib):
        x = lib.tensor(3.0, requires_grad=True)
        out = getattr(x, name)(dim)
        value = out[0] if isinstance(out, tuple) else out
        if value.requires_grad:
            value.backward()
        return out, x.grad
    if name in ("var", "std"):
        with pytest.warns(UserWarning, match="degrees of freedom"):
            same(run)
    else:
        same(run)


@st.composite
def array_and_dim(draw, dtypes=(np.float64, np.float32)):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=5))
    dtype = draw(st.sampled_from(dtypes))
    arr = draw(hnp.arrays(dtype, shape, elements=st.floats(-100, 100, width=32)))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    return arr, dim, draw(st.booleans())


@FAST
@given(array_and_dim())
def test_reductions_random(case):
    arr, dim, keepdim = case
    for name in ["sum", "mean", "amax", "logsumexp", "std", "argmax"]:
        same(lambda lib: getattr(lib.tensor(arr), name)(dim, keepdim=keepdim), check_repr=False, rtol=1e-5,
             where=f"{name}({dim}, keepdim={keepdim})")
    same(lambda lib: lib.tensor(arr).max(dim, keepdim), check_repr=False, where=f"max({dim})")
    same(lambda lib: lib.tensor(arr).sum(), check_repr=False, rtol=1e-5)


# ---------------------------------------------------------------------------------------- softmax family
@FAST
@given(array_and_dim())
def test_softmax_family_random(case):
    arr, dim, _ = case
    for name in ["softmax", "log_softmax"]:
        same(lambda lib: getattr(lib.tensor(arr), name)(dim), check_repr=False, rtol=1e-5, where=name)
        same(lambda lib: getattr(lib, name)(lib.tensor(arr), dim=dim), check_repr=False, rtol=1e-5, where=name)


def test_softmax_family_extremes():
    big = [[1000.0, 0.0, -1000.0], [-float("inf"), 0.0, 1.0]]
    for fn in [lambda x: x.softmax(1), lambda x: x.log_softmax(-1), lambda x: x.logsumexp(1),
               lambda x: x.softmax(0), lambda x: x.softmax(1, dtype=torch.float64 if isinstance(x, torch.Tensor)
                                                           else tutorgrad.float64)]:
        same(lambda lib: fn(lib.tensor(big)))
    same(lambda lib: lib.tensor([-float("inf"), -float("inf")]).logsumexp(0))
    same(lambda lib: lib.tensor([1, 2, 3]).logsumexp(0))
    same(lambda lib: lib.tensor([1.0, 2.0], requires_grad=True).softmax(0))
    same(lambda lib: lib.tensor([1.0, 2.0], requires_grad=True).log_softmax(0))
    same(lambda lib: lib.tensor([1.0, 2.0], requires_grad=True).logsumexp(0))


# ---------------------------------------------------------------------------------------- gradients against PyTorch
REDUCE_ALL = {
    "sum": (lambda L, a: a.sum(), "any"), "mean": (lambda L, a: a.mean(), "any"),
    "prod": (lambda L, a: a.prod(), "pos"), "max": (lambda L, a: a.max(), "distinct"),
    "min": (lambda L, a: a.min(), "distinct"), "amax": (lambda L, a: a.amax(), "distinct"),
    "amin": (lambda L, a: L.amin(a), "distinct"), "var": (lambda L, a: a.var(), "any"),
    "std": (lambda L, a: a.std(), "any"), "var_biased": (lambda L, a: a.var(unbiased=False), "any"),
    "std_correction0": (lambda L, a: a.std(correction=0), "any"),
}


@pytest.mark.parametrize("name", list(REDUCE_ALL))
@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4), dtype=dtypes, seed=seeds)
def test_reduce_all(name, shape, dtype, seed):
    fn, domain = REDUCE_ALL[name]
    compare(fn, [values(seed, shape, domain)], dtype, seed)


REDUCE_DIM = {
    "sum": (lambda L, a, d, k: a.sum(d, keepdim=k), "any"),
    "mean": (lambda L, a, d, k: a.mean(d, keepdim=k), "any"),
    "prod": (lambda L, a, d, k: a.prod(d, keepdim=k), "any"),
    "var": (lambda L, a, d, k: a.var(d, keepdim=k), "any"),
    "std": (lambda L, a, d, k: a.std(d, keepdim=k), "any"),
    "max": (lambda L, a, d, k: a.max(d, keepdim=k), "distinct"),
    "min": (lambda L, a, d, k: L.min(a, d, keepdim=k), "distinct"),
    "amax": (lambda L, a, d, k: a.amax(d, keepdim=k), "distinct"),
    "amin": (lambda L, a, d, k: a.amin(d, keepdim=k), "distinct"),
    "logsumexp": (lambda L, a, d, k: a.logsumexp(d, keepdim=k), "any"),
    "norm": (lambda L, a, d, k: a.norm(dim=d, keepdim=k), "any"),
    "softmax": (lambda L, a, d, k: a.softmax(d), "any"),
    "log_softmax": (lambda L, a, d, k: L.log_softmax(a, d), "any"),
    "cumsum": (lambda L, a, d, k: a.cumsum(d), "any"),
    "sort": (lambda L, a, d, k: a.sort(d, descending=k), "distinct"),
    "topk": (lambda L, a, d, k: a.topk(1, d, largest=k), "distinct"),
}


@pytest.mark.parametrize("name", list(REDUCE_DIM))
@SETTINGS
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4), dtype=dtypes,
       seed=seeds, keepdim=st.booleans())
def test_reduce_dim(name, data, shape, dtype, seed, keepdim):
    fn, domain = REDUCE_DIM[name]
    dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
    compare(lambda L, a: fn(L, a, dim, keepdim), [values(seed, shape, domain)], dtype, seed)


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "logsumexp", "var"])
@SETTINGS
@given(data=st.data(), shape=hnp.array_shapes(min_dims=2, max_dims=3, min_side=2, max_side=3), dtype=dtypes,
       seed=seeds, keepdim=st.booleans())
def test_reduce_several_dims(name, data, shape, dtype, seed, keepdim):
    dims = tuple(data.draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape), unique=True),
                           label="dims"))
    domain = "distinct" if name == "amax" else "any"
    compare(lambda L, a: getattr(a, name)(dims, keepdim=keepdim), [values(seed, shape, domain)], dtype, seed)


# ------------------------------------------------------------------------- ties and kinks (values from {-1, 0, 1, 2})
KINKS = {
    "max": lambda L, a: a.max(),
    "min": lambda L, a: a.min(),
    "amax": lambda L, a: a.amax(0),
    "amin_keepdim": lambda L, a: a.amin(-1, keepdim=True),
    "max_dim": lambda L, a: a.max(0).values,
    "min_dim": lambda L, a: a.min(-1)[0],
    "norm_zero": lambda L, a: (a * 0).norm(),
    "norm_dim": lambda L, a: a.norm(dim=0),
    "prod_zeros": lambda L, a: a.prod(),
    "prod_dim_zeros": lambda L, a: a.prod(0),
}


test_ties_and_kinks = ties_and_kinks(KINKS)


# ------------------------------------------------------------------------- gradcheck in float64 (and double backward)
# id -> (function, fresh float64 inputs)
CASES = {
    "norm": (lambda a: a.norm(), lambda: (leaf(1, 2, 3),)),
    "norm_dim": (lambda a: a.norm(dim=1, keepdim=True), lambda: (leaf(1, 2, 3),)),
    "norm_p1": (lambda a: a.norm(p=1), lambda: (leaf(1, 2, 3),)),
    "norm_p3": (lambda a: a.norm(p=3), lambda: (leaf(1, 2, 3),)),
    "norm_inf": (lambda a: a.norm(p=float("inf"), dim=0), lambda: (distinct(1, 2, 3),)),
    "norm_zero_row": (lambda a: (a * tutorgrad.tensor([[1.0], [0.0]], dtype=F64)).norm(dim=1), lambda: (leaf(1, 2, 3),)),
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
    "mlp_cross_entropy": (lambda x, w, b: -(((x @ w + b).relu().log_softmax(1))[[0, 1, 2], [1, 0, 1]]).mean(),
                          lambda: (leaf(1, 3, 4), leaf(2, 4, 2), leaf(3, 2))),
}


EPS = {}


# double backward: gradcheck of the gradient
GRADGRAD = {
    "softmax": (lambda a: a.softmax(1), lambda: (leaf(1, 2, 3),)),
    "log_softmax": (lambda a: a.log_softmax(0), lambda: (leaf(1, 2, 3),)),
    "logsumexp": (lambda a: a.logsumexp(1), lambda: (leaf(1, 2, 3),)),
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
    "amax_max_dim": (lambda a: a.amax(0) * a.max(1).values.sum(), lambda: (distinct(1, 2, 3),)),
    "cumsum": (lambda a: (a * a).cumsum(1), lambda: (leaf(1, 2, 3),)),
    "sum_to_size": (lambda a: (a * a).sum_to_size(2, 1), lambda: (leaf(1, 2, 3),)),
}


GRADGRAD_EPS = {}


test_gradcheck, test_gradgradcheck = gradcheck_tests(CASES, EPS, GRADGRAD, GRADGRAD_EPS)
