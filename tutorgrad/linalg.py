"""``tutorgrad.linalg`` (``torch.linalg``): norms, ``inv``, ``det``, ``solve``, ``svdvals``.

The differentiable ops live in ``tutorgrad/ops/linalg.py`` (matrix functions) and ``ops/reductions.py``
(``vector_norm``); this module gathers them under PyTorch's names and adds the matrix norms, which are made of
them. ``norm`` picks a vector or a matrix norm as PyTorch's does.

>>> A = tutorgrad.tensor([[2.0, 0.0], [0.0, 4.0]])
>>> tutorgrad.linalg.inv(A), tutorgrad.linalg.det(A), tutorgrad.linalg.norm(A)
(tensor([[0.5000, 0.0000],
        [0.0000, 0.2500]]), tensor(8.), tensor(4.4721))
"""
import math

from ._shapes import wrap_dim
from .ops.linalg import LinAlgError, einsum, matmul, solve, svdvals  # noqa: F401
from .ops.linalg import det as _det, diagonal as _diagonal, inverse as _inverse
from .ops.norms import vector_norm  # noqa: F401


def inv(A, *, out=None):
    """The inverse of a square matrix (of each matrix in a batch). A singular matrix raises ``LinAlgError``."""
    return _inverse(A)


def det(A, *, out=None):
    """The determinant of a square matrix (of each matrix in a batch)."""
    return _det(A)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return _diagonal(A, offset, dim1, dim2)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """A matrix norm: ``'fro'`` (sqrt of the sum of squares), ``'nuc'`` (sum of singular values), 1 / -1 (largest /
    smallest column sum of |a_ij|), inf / -inf (row sums), 2 / -2 (largest / smallest singular value)."""
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim}")
    d0, d1 = wrap_dim(dim[0], A.ndim), wrap_dim(dim[1], A.ndim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if dtype is not None:
        A = A.to(dtype)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord == "nuc" or ord in (2, -2):
        s = svdvals(A.movedim((d0, d1), (-2, -1)))
        out = s.sum(-1) if ord == "nuc" else s.amax(-1) if ord == 2 else s.amin(-1)
        return out.unsqueeze(-1).unsqueeze(-1).movedim((-2, -1), (d0, d1)) if keepdim else out
    if ord in (1, -1, math.inf, -math.inf):  # (as PyTorch: a vector 1-norm along one dim, then max or min)
        summed, across = (d0, d1) if ord in (1, -1) else (d1, d0)  # column sums for 1, row sums for inf
        if not keepdim and summed < across:
            across -= 1
        sums = vector_norm(A, 1, summed, keepdim)
        return sums.amax(across, keepdim) if ord > 0 else sums.amin(across, keepdim)
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(A, ord=None, dim=None, keepdim=False, *, out=None, dtype=None):
    """A vector norm (``ord`` a number, ``dim`` one dim) or a matrix norm (``ord`` a string, or ``dim`` two dims, or a
    2-D input with ``ord`` given); with neither, the 2-norm of all elements."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None and len(dim) == 2 or dim is None and ord is not None and not isinstance(ord, str) \
            and A.ndim == 2 or isinstance(ord, str):
        if dim is None:
            if A.ndim != 2:
                raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                                   f"Got {A.ndim}D.")
            dim = (-2, -1)
        if len(dim) != 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim[0] if len(dim) == 1 else dim}")
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
    if dim is None and ord is not None and A.ndim > 2:
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
                           f"{A.ndim}D.")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
