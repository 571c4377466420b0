"""Gradients against real PyTorch: the same expression, built in both libraries, on hypothesis shapes.

Each builder ``f(lib, *leaves)`` is written once and run with ``lib = torch`` and ``lib = tutorgrad`` on
the same numbers. We compare the forward values, the gradient of EVERY leaf (after a backward with the same
random ``grad_outputs``), and the graph: the ``grad_fn`` name of the result and the names along
``next_functions`` (what the visualiser draws).

Hypothesis draws the shapes (broadcast-compatible ones for binary ops), dims, keepdim, dtype (float32 or
float64) and a seed for the values. A second family draws values from a tiny set ({-1, 0, 1}, ...) so ties
and kinks (relu at 0, max with equal entries, clamp at its bounds) are hit on purpose.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import tutorgrad

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # tiny tensors: PyTorch's thread pool only adds waiting (10x slower on a busy machine)

SETTINGS = settings(max_examples=10, deadline=None)
TOL = {"float32": dict(rtol=2e-5, atol=2e-5), "float64": dict(rtol=1e-10, atol=1e-10)}


# ---------------------------------------------------------------------------------------- running both
def values(seed, shape, domain):
    """float64 numbers for one leaf: any (-2..2), pos (0.5..2), distinct (no ties), unit (-0.9..0.9)."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    if domain == "distinct":
        return (rng.permutation(n) * 0.37 - n * 0.15).reshape(shape)
    low, high = {"any": (-2, 2), "pos": (0.5, 2), "unit": (-0.9, 0.9)}[domain]
    return rng.uniform(low, high, shape)


def graph_names(t, depth=6):
    """The graph under ``t`` as nested (name, (children...)) tuples, read through ``next_functions``."""
    def walk(node, d):
        if node is None:
            return None
        kids = () if d == 0 else tuple(walk(n, d - 1) for n, _ in node.next_functions)
        return (type(node).__name__, kids)
    return walk(t.grad_fn, depth)


def run(lib, build, arrays, dtype, seed):
    """Build the expression in ``lib``, backpropagate seeded random gradients, return what to compare."""
    leaves = [lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=True) for a in arrays]
    out = build(lib, *leaves)
    outs = [o for o in (out if isinstance(out, (tuple, list)) else (out,))]
    rng = np.random.default_rng(seed + 1)
    diff = [o for o in outs if o.requires_grad]
    grads = [lib.tensor(rng.standard_normal(tuple(o.shape)), dtype=o.dtype) for o in diff]
    if diff:
        lib.autograd.backward(diff, grads)
    return {"values": [o.detach().numpy().copy() for o in outs],
            "dtypes": [str(o.dtype).split(".")[-1] for o in outs],
            "grads": [None if t.grad is None else t.grad.numpy().copy() for t in leaves],
            "graphs": [graph_names(o) for o in outs]}


def compare(build, arrays, dtype, seed=0, graph="all"):
    ref = run(torch, build, arrays, dtype, seed)
    ours = run(tutorgrad, build, arrays, dtype, seed)
    tol = TOL[dtype]
    assert ours["dtypes"] == ref["dtypes"]
    assert len(ours["values"]) == len(ref["values"])
    for i, (a, b) in enumerate(zip(ours["values"], ref["values"])):
        assert a.shape == b.shape, f"output {i}: shape {a.shape} vs PyTorch {b.shape}"
        np.testing.assert_allclose(a, b, err_msg=f"output {i}", equal_nan=True, **tol)
    for i, (a, b) in enumerate(zip(ours["grads"], ref["grads"])):
        assert (a is None) == (b is None), f"leaf {i}: grad {a} vs PyTorch {b}"
        if b is not None:
            assert a.shape == b.shape, f"leaf {i}: grad shape {a.shape} vs PyTorch {b.shape}"
            np.testing.assert_allclose(a, b, err_msg=f"grad of leaf {i}", equal_nan=True, **tol)
    if graph == "all":
        assert ours["graphs"] == ref["graphs"], "graph (grad_fn names along next_functions) differs from PyTorch"
    elif graph == "top":  # composite ops may be recorded differently, but the result's own node must agree
        assert [g and g[0] for g in ours["graphs"]] == [g and g[0] for g in ref["graphs"]]


dtypes = st.sampled_from(["float32", "float64"])
seeds = st.integers(0, 2 ** 16)
small_shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
nonscalar_shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)


# ---------------------------------------------------------------------------------------- binary, broadcast
BINARY = {
    "add": (lambda L, a, b: a + b, "any", "any"),
    "add_alpha": (lambda L, a, b: a.add(b, alpha=2.5), "any", "any"),
    "sub": (lambda L, a, b: a - b, "any", "any"),
    "sub_alpha": (lambda L, a, b: L.sub(a, b, alpha=-3), "any", "any"),
    "mul": (lambda L, a, b: a * b, "any", "any"),
    "div": (lambda L, a, b: a / b, "any", "pos"),
    "pow": (lambda L, a, b: a ** b, "pos", "any"),
    "maximum": (lambda L, a, b: L.maximum(a, b), "any", "any"),
    "minimum": (lambda L, a, b: L.minimum(a, b), "any", "any"),
    "remainder": (lambda L, a, b: a % b, "any", "pos"),
    "fmod": (lambda L, a, b: L.fmod(a, b), "any", "pos"),
    "lerp": (lambda L, a, b: a.lerp(b, 0.3), "any", "any"),
    "div_floor": (lambda L, a, b: a.div(b, rounding_mode="floor"), "any", "pos"),
    "div_trunc": (lambda L, a, b: L.div(a, b, rounding_mode="trunc"), "any", "pos"),
    "where": (lambda L, a, b: L.where(a > b, a, b * 2), "any", "any"),
    "where_sign": (lambda L, a, b: L.where(b > 0, a.exp(), -a), "any", "any"),
    "clamp_tensors": (lambda L, a, b: a.clamp(min=b, max=b + 1), "any", "any"),
    "clamp_min_tensor": (lambda L, a, b: a.clamp(min=b), "any", "any"),
    "chain": (lambda L, a, b: ((a * b + a) / (b * b + 1)).tanh() * a - b.sigmoid(), "any", "any"),
}


@pytest.mark.parametrize("name", list(BINARY))
@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4),
       dtype=dtypes, seed=seeds)
def test_binary_broadcast(name, shapes, dtype, seed):
    fn, da, db = BINARY[name]
    sa, sb = shapes.input_shapes
    compare(fn, [values(seed, sa, da), values(seed + 7, sb, db)], dtype, seed)


SCALAR_FORMS = {
    "x_plus_s": (lambda L, a: a + 1.5, "any"), "s_plus_x": (lambda L, a: 1.5 + a, "any"),
    "x_minus_s": (lambda L, a: a - 2, "any"), "s_minus_x": (lambda L, a: 2 - a, "any"),
    "x_times_s": (lambda L, a: a * 3, "any"), "s_times_x": (lambda L, a: 3 * a, "any"),
    "x_div_s": (lambda L, a: a / 4, "any"), "s_div_x": (lambda L, a: 4 / a, "pos"),
    "x_pow_s": (lambda L, a: a ** 3, "any"), "x_pow_half": (lambda L, a: a ** 0.5, "pos"),
    "x_pow_neg": (lambda L, a: a ** -2, "pos"), "x_pow_0": (lambda L, a: a ** 0, "any"),
    "s_pow_x": (lambda L, a: 2.5 ** a, "any"), "x_mod_s": (lambda L, a: a % 0.7, "any"),
    "neg": (lambda L, a: -a, "any"), "x_add_0d": (lambda L, a: a + L.tensor(2.0, dtype=a.dtype), "any"),
    "iadd_clone": (lambda L, a: a.clone().add_(a * a, alpha=2), "any"),
    "imul_clone": (lambda L, a: a.clone().mul_(a), "any"),
    "idiv_clone": (lambda L, a: a.clone().div_(a.exp()), "any"),
    "ipow_clone": (lambda L, a: a.clone().pow_(2), "any"),
    "isub_scalar": (lambda L, a: (lambda c: (c.__isub__(1.0), c)[1])(a * 2), "any"),
}


@pytest.mark.parametrize("name", list(SCALAR_FORMS))
@SETTINGS
@given(shape=small_shapes, dtype=dtypes, seed=seeds)
def test_scalar_and_reflected_forms(name, shape, dtype, seed):
    fn, domain = SCALAR_FORMS[name]
    compare(fn, [values(seed, shape, domain)], dtype, seed)


# ---------------------------------------------------------------------------------------- elementwise
UNARY = {
    "abs": (lambda L, a: a.abs(), "any"), "exp": (lambda L, a: a.exp(), "any"),
    "log": (lambda L, a: a.log(), "pos"), "log2": (lambda L, a: a.log2(), "pos"),
    "log10": (lambda L, a: L.log10(a), "pos"), "log1p": (lambda L, a: a.log1p(), "pos"),
    "expm1": (lambda L, a: a.expm1(), "any"), "sqrt": (lambda L, a: a.sqrt(), "pos"),
    "rsqrt": (lambda L, a: a.rsqrt(), "pos"), "reciprocal": (lambda L, a: a.reciprocal(), "pos"),
    "sin": (lambda L, a: a.sin(), "any"), "cos": (lambda L, a: L.cos(a), "any"),
    "tan": (lambda L, a: a.tan(), "unit"), "tanh": (lambda L, a: a.tanh(), "any"),
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
}


@pytest.mark.parametrize("name", list(UNARY))
@SETTINGS
@given(shape=small_shapes, dtype=dtypes, seed=seeds)
def test_unary(name, shape, dtype, seed):
    fn, domain = UNARY[name]
    compare(fn, [values(seed, shape, domain)], dtype, seed)


# ---------------------------------------------------------------------------------------- reductions
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


# ---------------------------------------------------------------------------------------- matmul
MATMUL_SHAPES = [  # (left, right) patterns in the sizes m, n, p, b, c
    ("n", "n"), ("mn", "np"), ("mn", "n"), ("n", "np"), ("bmn", "bnp"), ("bmn", "np"), ("mn", "bnp"),
    ("b1mn", "cnp"), ("bmn", "n"), ("n", "bnp"), ("1mn", "bnp"),
]


@pytest.mark.parametrize("pattern", MATMUL_SHAPES, ids="@".join)
@SETTINGS
@given(sizes=st.fixed_dictionaries({k: st.integers(1, 4) for k in "mnpbc"}), dtype=dtypes, seed=seeds)
def test_matmul(pattern, sizes, dtype, seed):
    sizes["1"] = 1
    sa, sb = (tuple(sizes[c] for c in p) for p in pattern)
    # Batched products: PyTorch's graph shows its internal reshapes (View, Expand, Bmm, Transpose...), which
    # depend on the sizes; tutorgrad records one node. Values and gradients must agree all the same.
    graph = {("n", "n"): "all", ("mn", "np"): "all", ("mn", "n"): "all", ("n", "np"): "top"}.get(pattern, None)
    compare(lambda L, a, b: a @ b, [values(seed, sa, "any"), values(seed + 1, sb, "any")], dtype, seed, graph=graph)


@SETTINGS
@given(b=st.integers(1, 3), m=st.integers(1, 3), n=st.integers(1, 3), p=st.integers(1, 3), dtype=dtypes,
       seed=seeds)
def test_mm_mv_dot_bmm(b, m, n, p, dtype, seed):
    compare(lambda L, a, c: a.mm(c), [values(seed, (m, n), "any"), values(seed + 1, (n, p), "any")], dtype)
    compare(lambda L, a, v: a.mv(v), [values(seed, (m, n), "any"), values(seed + 1, (n,), "any")], dtype)
    compare(lambda L, u, v: L.dot(u, v), [values(seed, (n,), "any"), values(seed + 1, (n,), "any")], dtype)
    compare(lambda L, a, c: a.bmm(c), [values(seed, (b, m, n), "any"), values(seed + 1, (b, n, p), "any")], dtype,
            graph="top")


# ---------------------------------------------------------------------------------------- shapes
NONE = st.none()
SHAPE_OPS = {  # name -> (strategy for a parameter, given the shape; the expression)
    "reshape_flat": (NONE, lambda L, a, p: a.reshape(-1)),
    "view_flat": (NONE, lambda L, a, p: a.view(-1)),
    "flatten": (NONE, lambda L, a, p: a.flatten()),
    "transpose": (NONE, lambda L, a, p: a.transpose(0, -1)),
    "permute": (lambda s: st.permutations(range(len(s))), lambda L, a, p: a.permute(*p)),
    "permute_reshape": (lambda s: st.permutations(range(len(s))), lambda L, a, p: a.permute(*p).reshape(-1) * 2),
    "unsqueeze": (lambda s: st.integers(-len(s) - 1, len(s)), lambda L, a, p: a.unsqueeze(p)),
    "squeeze": (NONE, lambda L, a, p: a.unsqueeze(0).squeeze()),
    "squeeze_dim": (NONE, lambda L, a, p: a.unsqueeze(1).squeeze(1)),
    "expand": (NONE, lambda L, a, p: a.unsqueeze(0).expand(3, *a.shape)),
    "flip": (NONE, lambda L, a, p: a.flip(0)),
    "cat": (lambda s: st.integers(-len(s), len(s) - 1), lambda L, a, p: L.cat([a, a * 2, a.exp()], dim=p)),
    "stack": (lambda s: st.integers(-len(s) - 1, len(s)), lambda L, a, p: L.stack([a, a.sin()], dim=p)),
    "split": (lambda s: st.integers(1, s[0]), lambda L, a, p: a.split(p)),
    "chunk": (lambda s: st.integers(1, 3), lambda L, a, p: a.chunk(p, dim=-1)),
    "unbind": (NONE, lambda L, a, p: a.unbind(0)),
    "unbind_some": (NONE, lambda L, a, p: a.unbind(-1)[0] * 3),
    "narrow": (NONE, lambda L, a, p: a.narrow(0, 0, 1)),
    "repeat": (NONE, lambda L, a, p: a.repeat(2, *([1] * (a.ndim - 1)), 3)),
    "t_contiguous": (NONE, lambda L, a, p: a.reshape(a.shape[0], -1).t().contiguous()),
    "movedim": (NONE, lambda L, a, p: a.movedim(0, -1)),
    "gather": (NONE, lambda L, a, p: a.gather(0, L.tensor(np.zeros((2,) + tuple(a.shape[1:]), np.int64)))),
}


@pytest.mark.parametrize("name", list(SHAPE_OPS))
@SETTINGS
@given(data=st.data(), shape=nonscalar_shapes, dtype=dtypes, seed=seeds)
def test_shape_ops(name, data, shape, dtype, seed):
    param, fn = SHAPE_OPS[name]
    p = data.draw(param(shape) if callable(param) else param, label="param")
    compare(lambda L, a: fn(L, a, p), [values(seed, shape, "any")], dtype, seed)


# ---------------------------------------------------------------------------------------- indexing
@SETTINGS
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), dtype=dtypes,
       seed=seeds)
def test_advanced_indexing_with_repeats(data, shape, dtype, seed):
    idx = data.draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=1, max_size=6), label="idx")
    compare(lambda L, a: a[L.tensor(idx)] * 2, [values(seed, shape, "any")], dtype, seed)
    compare(lambda L, a: a[idx], [values(seed, shape, "any")], dtype, seed)


@SETTINGS
@given(data=st.data(), shape=hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=4), dtype=dtypes,
       seed=seeds)
def test_two_index_tensors(data, shape, dtype, seed):
    n = data.draw(st.integers(1, 5), label="n")
    i = data.draw(st.lists(st.integers(0, shape[0] - 1), min_size=n, max_size=n), label="i")
    j = data.draw(st.lists(st.integers(0, shape[1] - 1), min_size=n, max_size=n), label="j")
    compare(lambda L, a: a[L.tensor(i), L.tensor(j)], [values(seed, shape, "any")], dtype, seed)
    compare(lambda L, a: a[:, L.tensor(j)], [values(seed, shape, "any")], dtype, seed)


@SETTINGS
@given(mask_shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), dtype=dtypes, seed=seeds)
def test_boolean_mask(mask_shape, dtype, seed):
    m = np.random.default_rng(seed).random(mask_shape) < 0.5
    compare(lambda L, a: a[L.tensor(m)], [values(seed, mask_shape, "any")], dtype, seed)
    compare(lambda L, a: a.masked_select(L.tensor(m)), [values(seed, mask_shape, "any")], dtype, seed)
    compare(lambda L, a: a[a > 0].sum(), [values(seed, mask_shape, "any")], dtype, seed)


def _slice(data, n):
    start = data.draw(st.one_of(st.none(), st.integers(-n, n)), label="start")
    stop = data.draw(st.one_of(st.none(), st.integers(-n, n)), label="stop")
    step = data.draw(st.one_of(st.none(), st.integers(1, 3)), label="step")
    return slice(start, stop, step)


@SETTINGS
@given(data=st.data(), shape=hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=5), dtype=dtypes,
       seed=seeds)
def test_basic_indexing(data, shape, dtype, seed):
    s0, s1 = _slice(data, shape[0]), _slice(data, shape[1])
    i = data.draw(st.integers(-shape[0], shape[0] - 1), label="i")
    a = values(seed, shape, "any")
    compare(lambda L, x: x[s0, s1] * 2, [a], dtype, seed, graph="top")
    compare(lambda L, x: x[i], [a], dtype, seed)
    compare(lambda L, x: x[..., 0], [a], dtype, seed)
    compare(lambda L, x: x[:, None, i % shape[1]], [a], dtype, seed, graph="top")


@SETTINGS
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), dtype=dtypes,
       seed=seeds)
def test_setitem(data, shape, dtype, seed):
    i = data.draw(st.integers(-shape[0], shape[0] - 1), label="i")
    rows = data.draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=3, unique=True), label="rows")
    x = values(seed, shape, "any")
    v = values(seed + 1, shape[1:], "any")

    def basic(L, a, b):
        c = a * 1.0
        c[i] = b * b
        return c.exp()

    def advanced(L, a, b):
        c = a.clone()
        c[L.tensor(rows)] = b
        return c * a

    def masked(L, a):
        c = a.clone()
        c[a > 0] = 0.0
        return c * a

    compare(basic, [x, v], dtype, seed)
    compare(advanced, [x, v], dtype, seed, graph="top")  # PyTorch views the value first
    compare(masked, [x], dtype, seed)


# ---------------------------------------------------------------------------------------- composite models
def mlp_cross_entropy(L, x, w1, b1, w2, b2):
    """A two-layer MLP with softmax cross-entropy written out (targets: argmax of the first feature block)."""
    h = (x @ w1 + b1).relu()
    logits = h @ w2 + b2
    logp = logits.log_softmax(dim=1)
    target = L.tensor(np.arange(x.shape[0]) % w2.shape[1])
    return -logp[L.arange(x.shape[0]), target].mean()


def layer_norm(L, x, g, b):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return ((x - mu) / (var + 1e-5).sqrt() * g + b).sum()


def attention(L, q, k, v):
    scores = (q @ k.transpose(-2, -1)) / q.shape[-1] ** 0.5
    return (scores.softmax(-1) @ v).tanh().sum()


def logistic_bce(L, x, w, b):
    p = (x @ w + b).sigmoid()
    y = L.tensor((np.arange(x.shape[0]) % 2).astype(np.float64), dtype=x.dtype)
    return -(y * p.log() + (1 - y) * (1 - p).log()).mean()


def polynomial(L, x, c):
    return (c[0] + c[1] * x + c[2] * x ** 2 + c[3] * x ** 3).sum() + x.max() * c.prod()


def reuse_fanout(L, x):
    y = x.exp()
    z = y * y + y.sin() - y / (1 + y)   # y feeds four ops: the gradients add up
    return (z.sum(), z.amax())


@SETTINGS
@given(n=st.integers(1, 5), d=st.integers(1, 4), h=st.integers(1, 5), c=st.integers(2, 4), dtype=dtypes, seed=seeds)
def test_mlp_softmax_cross_entropy(n, d, h, c, dtype, seed):
    arrays = [values(seed, (n, d), "any"), values(seed + 1, (d, h), "any"), values(seed + 2, (h,), "any"),
              values(seed + 3, (h, c), "any"), values(seed + 4, (c,), "any")]
    compare(mlp_cross_entropy, arrays, dtype, seed)


@SETTINGS
@given(n=st.integers(1, 4), d=st.integers(2, 5), t=st.integers(1, 4), dtype=dtypes, seed=seeds)
def test_other_models(n, d, t, dtype, seed):
    compare(layer_norm, [values(seed, (n, d), "any"), values(seed + 1, (d,), "pos"), values(seed + 2, (d,), "any")],
            dtype, seed)
    compare(attention, [values(seed + i, (n, t, d), "any") for i in range(3)], dtype, seed, graph="top")
    compare(logistic_bce, [values(seed, (t, d), "any"), values(seed + 1, (d,), "unit"), values(seed + 2, (), "unit")],
            dtype, seed)
    compare(polynomial, [values(seed, (n, d), "distinct"), values(seed + 1, (4,), "any")], dtype, seed)
    compare(reuse_fanout, [values(seed, (n, d), "unit")], dtype, seed)


# ---------------------------------------------------------------------------------------- ties and kinks
KINKS = {
    "relu": lambda L, a: a.relu(), "abs": lambda L, a: a.abs(), "sign": lambda L, a: a.sign(),
    "clamp": lambda L, a: a.clamp(-1, 1), "clamp_min": lambda L, a: a.clamp(min=0),
    "clamp_max": lambda L, a: a.clamp_max(0), "maximum": lambda L, a: L.maximum(a, a.flip(0)),
    "minimum": lambda L, a: L.minimum(a, 0 * a), "max": lambda L, a: a.max(), "min": lambda L, a: a.min(),
    "amax": lambda L, a: a.amax(0), "amin_keepdim": lambda L, a: a.amin(-1, keepdim=True),
    "max_dim": lambda L, a: a.max(0).values, "min_dim": lambda L, a: a.min(-1)[0],
    "norm_zero": lambda L, a: (a * 0).norm(), "norm_dim": lambda L, a: a.norm(dim=0),
    "prod_zeros": lambda L, a: a.prod(), "prod_dim_zeros": lambda L, a: a.prod(0),
    "sqrt_pos_part": lambda L, a: (a.relu() + 1).sqrt(), "where_eq": lambda L, a: L.where(a == 0, a * 2, a * 3),
    "clamp_tensor_ties": lambda L, a: a.clamp(min=a.flip(0), max=a.flip(0) + 1),
    "pow_zero_base": lambda L, a: (a * 0) ** a.abs(),
}


@pytest.mark.parametrize("name", list(KINKS))
@SETTINGS
@given(arr=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=4),
                      elements=st.sampled_from([-1.0, 0.0, 1.0, 2.0])), dtype=dtypes)
def test_ties_and_kinks(name, arr, dtype):
    compare(KINKS[name], [arr], dtype)


# ---------------------------------------------------------------------------------------- graph structure
GRAPHS = {
    "add_mul": lambda L, a, b: (a + b) * b,
    "scalar_reflected": lambda L, a, b: 2 * a + 1 - b / 2,
    "rsub_rdiv_rpow": lambda L, a, b: (1 - a) + 2 / b + 3 ** a,
    "reduce": lambda L, a, b: (a * b).sum(1).mean(),
    "softmax": lambda L, a, b: a.softmax(-1).log(),
    "views": lambda L, a, b: a.t().reshape(-1).unsqueeze(0).expand(2, -1)[1],
    "index": lambda L, a, b: a[0].sum() + a[:, 1].sum() + a[[0, 1]].sum() + a[a > 1].sum() + a[1][2],
    "inplace_chain": lambda L, a, b: a.clone().mul_(b).add_(1).exp_(),
    "overwrite": lambda L, a, b: a.clone().zero_() + a.clone().fill_(2) + a.clone().copy_(b),
    "setitem": lambda L, a, b: (lambda c: (c.__setitem__(0, b[1]), c)[1])(a * 2),
    "max_and_friends": lambda L, a, b: a.max() + a.min(1)[0].sum() + a.amax(0).sum() + a.amin().abs(),
    "norm_prod": lambda L, a, b: a.norm() + a.prod(0).sum() + a.prod(),
    "cat_split": lambda L, a, b: L.cat(L.stack([a, b]).unbind(0) + a.chunk(2, 1), 1).sum() + L.cat(a.split(1)).sum(),
    "misc": lambda L, a, b: a.repeat(2, 1).tril().triu(-1).sum() + a.clamp(b, b + 1).sum() + a.masked_fill(a > 0, 1).sum(),
    "to_dtype": lambda L, a, b: a.double().float() + a.log2().abs() + a.log10().abs() + a.log1p().abs() + a.rsqrt().abs(),
}


@pytest.mark.parametrize("name", list(GRAPHS))
def test_graph_structure_like_pytorch(name):
    compare(GRAPHS[name], [values(1, (2, 3), "pos"), values(2, (2, 3), "pos")], "float32")


def test_next_functions_are_node_output_pairs():
    for L in (torch, tutorgrad):
        a = L.tensor([1.0, 2.0], requires_grad=True)
        q, r = a.unbind(0)
        y = r * 2
        node, nr = y.grad_fn.next_functions[0]
        assert type(node).__name__ == "UnbindBackward0" and nr == 1
        (acc, nr0), = node.next_functions
        assert type(acc).__name__ == "AccumulateGrad" and acc.variable is a and nr0 == 0
        assert y.grad_fn.next_functions[1] == (None, 0)


# ---------------------------------------------------------------------------------------- no derivative
@pytest.mark.parametrize("build", [lambda L, a: (a // 2).sum(), lambda L, a: (a // a.exp()).sum()])
def test_floor_divide_has_no_derivative_as_in_pytorch(build):
    errors = []
    for L in (torch, tutorgrad):
        a = L.tensor([1.5, 2.5], requires_grad=True)
        y = build(L, a)
        assert type(y.grad_fn.next_functions[0][0]).__name__ == "NotImplemented"
        with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not implemented") as e:
            y.backward()
        errors.append(e)
    assert len(errors) == 2
