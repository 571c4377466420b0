"""Gradcheck tables: float64 leaves kept away from kinks, masks, index tensors, in-place forms, and the tests.

Each area's test file (``tests/ops/test_<area>.py``) tests its ops three ways: forward against real PyTorch
(``torchdiff.same``: dtype, shape, values, autograd metadata, printed text), gradients against real PyTorch
(``torchgrad.compare``: every leaf's gradient and the graph's node names, on hypothesis shapes and values), and
gradcheck: its ``CASES`` table, id -> ``(function, inputs)``, compares analytical with finite-difference
Jacobians in float64, and ``GRADGRAD`` does it once more one level up (double backward). Inputs are fresh leaves
for every case (gradcheck perturbs them in place). ``tests/ops/test_coverage.py`` checks that every op and every
Tensor method is in some table.
"""
import warnings

import numpy as np
import pytest

import tutorgrad
from tutorgrad.autograd import gradcheck, gradgradcheck

F64 = tutorgrad.float64


def gradchecked(fn, inputs, **kw):
    """``gradcheck``, with any warning an error: float64 inputs must not make it warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return gradcheck(fn, inputs, **kw)


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


def cleaf(seed, *shape, away=0.1):
    """A complex128 leaf: real and imaginary parts in [-2, 2], |z| kept ``away`` from 0 (where abs, sgn, angle kink)."""
    rng = np.random.default_rng(seed)
    z = rng.uniform(-2, 2, shape) + 1j * rng.uniform(-2, 2, shape)
    small = np.abs(z) < away
    z = np.where(small, z + away * (1 + 1j), z)
    return tutorgrad.tensor(z, dtype=tutorgrad.complex128, requires_grad=True)


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


def gradcheck_tests(cases, eps, gradgrad, gradgrad_eps):
    """``test_gradcheck`` over ``cases`` and ``test_gradgradcheck`` over ``gradgrad`` (``eps``: per-case options)."""
    @pytest.mark.parametrize("name", list(cases))
    def test_gradcheck(name):
        fn, make = cases[name]
        assert gradchecked(fn, make(), **eps.get(name, {}))

    @pytest.mark.parametrize("name", list(gradgrad))
    def test_gradgradcheck(name):
        fn, make = gradgrad[name]
        assert gradgradcheck(fn, make(), **gradgrad_eps.get(name, {}))
    return test_gradcheck, test_gradgradcheck
