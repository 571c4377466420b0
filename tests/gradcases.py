"""The gradcheck tables' helpers: float64 leaves kept away from kinks, masks, index tensors, in-place forms.

Each area's test file (``tests/ops/test_<area>.py``) has a ``CASES`` table, id -> ``(function, inputs)``, whose
inputs are fresh leaves for every case (gradcheck perturbs them in place).
"""
import warnings

import numpy as np

import tutorgrad
from tutorgrad.autograd import gradcheck

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
