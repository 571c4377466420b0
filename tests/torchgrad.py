"""Gradients against real PyTorch: build the same expression in both libraries and compare everything.

Each builder ``f(lib, *leaves)`` is written once and run with ``lib = torch`` and ``lib = tutorgrad`` on the same
numbers. ``compare`` checks the forward values, the gradient of EVERY leaf (after a backward with the same random
``grad_outputs``), and the graph: the ``grad_fn`` name of the result and the names along ``next_functions`` (what
the visualiser draws).

Hypothesis draws the shapes (broadcast-compatible ones for binary ops), dims, keepdim, dtype (float32 or float64)
and a seed for the values; the "ties and kinks" tables draw values from a tiny set ({-1, 0, 1, 2}) so that ties
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


def ties_and_kinks(table):
    """A test of each ``f(lib, a)`` of ``table`` on values from {-1, 0, 1, 2}: ties and kinks hit on purpose."""
    @pytest.mark.parametrize("name", list(table))
    @SETTINGS
    @given(arr=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=4),
                          elements=st.sampled_from([-1.0, 0.0, 1.0, 2.0])), dtype=dtypes)
    def test_ties_and_kinks(name, arr, dtype):
        compare(table[name], [arr], dtype)
    return test_ties_and_kinks
