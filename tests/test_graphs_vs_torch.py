"""Whole graphs against real PyTorch: composite models (an MLP, layer norm, attention, ...) and the
graph's structure (the ``grad_fn`` names along ``next_functions``, what the visualiser draws).

The expressions are written once, ``f(lib, *leaves)``, and run with both libraries (``torchgrad.py``).
"""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tutorgrad
from torchgrad import SETTINGS, compare, dtypes, seeds, torch, values


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
