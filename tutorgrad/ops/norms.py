"""Norms: ``x.norm(p)``, ``torch.norm`` and ``torch.linalg.vector_norm`` (one op, ``Norm``); the matrix norms of
``torch.linalg`` are made of it and of ``svdvals`` (``tutorgrad/linalg.py``).

The p-norm of a vector is ``(sum |x_i|^p)^(1/p)``: its length for p = 2, the sum of |x_i| for p = 1, the largest
|x_i| for p = inf. Its gradient points along x: ``dy/dx_i = sign(x_i) |x_i|^(p-1) / y^(p-1)`` (x / y for p = 2).
"""
import numpy as np

from .._shapes import wrap_dims
from .elementwise import where_
from .linalg import svdvals
from .reductions import _spread
from .registry import Op, T, float_array, register


class Norm(Op):
    rule = ("y = (sum |x_i|^p)^(1/p).   dy/dx_i = sign(x_i) |x_i|^(p-1) / y^(p-1)  (= x_i / y for p = 2; "
            "0 where y = 0; for p = inf the largest |x_i| gets it, shared among ties).")
    node_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, p, dim, keepdim):
        a = np.abs(x._data) if x._data.dtype.kind in "fc" else np.abs(float_array(x))
        if p == np.inf:
            out = np.max(a, axis=dim, keepdims=keepdim, initial=0)
        elif p == -np.inf:
            out = np.min(a, axis=dim, keepdims=keepdim)
        elif p == 0:
            out = np.sum(a != 0, axis=dim, keepdims=keepdim).astype(a.dtype)
        else:
            out = np.sum(a ** p, axis=dim, keepdims=keepdim) ** (1.0 / p)
        out = T(np.asarray(out, a.dtype))
        ctx.save_for_backward(x, out)
        ctx.p, ctx.dim, ctx.keepdim = p, dim, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        p, dims = ctx.p, ctx.dim or ()
        g = _spread(grad, x.shape, dims, ctx.keepdim)
        y = _spread(y, x.shape, dims, ctx.keepdim)
        if p == 0:  # (a count: no gradient at all, as PyTorch)
            return None
        if p in (np.inf, -np.inf):  # (PyTorch's: the elements at the extreme share the gradient)
            hit = (x.abs() == y).to(g.dtype)
            count = hit.sum(ctx.dim, keepdim=True) if ctx.dim is not None else hit.sum()
            return x.sgn() * g * hit / count
        zero = y == 0
        y = where_(zero, T(np.ones((), y.dtype.np)), y)  # an all-zero x: slope 0 (x_i = 0), not 0/0
        slope = x / y if p == 2 else x.sgn() * x.abs() ** (p - 1) / y ** (p - 1)
        if p < 1:  # (|x|^(p-1) is infinite at 0; PyTorch gives those elements 0)
            slope = where_(x == 0, T(np.zeros((), slope.dtype.np)), slope)
        return g * slope


@register("norm", out=True)
def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
    """The p-norm ``(sum |x_i|^p)^(1/p)``: the length of a vector for p = 2 (the default)."""
    if not (self.dtype.is_floating_point or self.dtype.is_complex):
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{self.dtype._legacy}; convert it first, e.g. x.float().norm()")
    if p == "nuc":  # the sum of the singular values
        x = self if dtype is None else self.to(dtype)
        d = (-2, -1) if dim is None else dim
        s = svdvals(x.movedim(d, (-2, -1)))
        out = s.sum(-1)
        return out.unsqueeze(-1).unsqueeze(-1).movedim((-2, -1), d) if keepdim else out
    if isinstance(p, str) and p != "fro":
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {p!r}")
    p = 2 if p == "fro" else p
    return vector_norm(self, p, dim, keepdim, dtype=dtype)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """``torch.linalg.vector_norm``: (sum |x_i|^ord)^(1/ord) over ``dim`` (all elements if None); ord may be
    inf (the largest |x_i|), -inf, 0 (the count of non-zeros) or any other number."""
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{x.dtype._legacy}")
    if isinstance(ord, bool) or not isinstance(ord, (int, float)):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    if dtype is not None:
        x = x.to(dtype)
    dims = wrap_dims(dim, x.ndim) if dim is not None and dim != () else None
    if ord < 0 and x.numel() == 0 or (ord == -np.inf and dims is None and x.numel() == 0):
        raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor because the "
                           "operation does not have an identity")
    return Norm.apply(x, p=float(ord) if not isinstance(ord, int) else ord, dim=dims, keepdim=keepdim)


