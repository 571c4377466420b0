"""Linear algebra: ``@`` / ``matmul`` (``mm``, ``mv``, ``dot``, ``bmm``), ``outer``, ``tril``, ``triu``, ``diagonal``.

``Matmul`` is written out in full: read it first. One op serves every shape; the node is named
after the kernel PyTorch's ``matmul`` ends in (``MmBackward0`` for two matrices, ``DotBackward0``
for two vectors, ...), a node name that is one line of data (``_MATMUL_BY_NDIM``).
"""
import numpy as np

from .._shapes import broadcast_shapes
from ..tensor import Tensor
from .registry import Op, numpy_promoted, operand, register


# ---------------------------------------------------------------------------------------------- the reading list
class Matmul(Op):
    """Z = X @ Y: every z_ij = sum_k x_ik y_kj.

    x_ik meets every y_kj of row k, so dL/dx_ik = sum_j g_ij y_kj: that is G @ Y^T. Likewise
    dL/dY = X^T @ G. A vector is a 1-row matrix on the left and a 1-column matrix on the right;
    batch dimensions (and broadcast ones) are summed away by the engine.
    """
    rule = "Z = X @ Y.   dL/dX = G @ Y^T, dL/dY = X^T @ G (batch dimensions summed by the engine)."
    node_name = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        a, b = x._data, y._data
        if a.dtype != b.dtype:
            raise RuntimeError(f"expected both operands of matmul to have the same dtype, but got {x.dtype} and "
                               f"{y.dtype}; convert one of them, e.g. y.to(x.dtype)")
        check_matmul(a.shape, b.shape)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        # A vector is a 1-row matrix on the left, a 1-column matrix on the right; grad gets those dims too.
        x2 = x.unsqueeze(0) if x.ndim == 1 else x
        y2 = y.unsqueeze(1) if y.ndim == 1 else y
        g = grad.unsqueeze(-1) if y.ndim == 1 else grad
        g = g.unsqueeze(-2) if x.ndim == 1 else g
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = mm_mat1_backward(g, x2, y2)
            gx = gx.squeeze(-2) if x.ndim == 1 else gx
        if ctx.needs_input_grad[1]:
            gy = mm_mat2_backward(g, x2, y2)
            gy = gy.squeeze(-1) if y.ndim == 1 else gy
        return gx, gy


def column_major(t):
    """Is ``t`` a matrix stored column by column, as ``w.t()`` of a row-major ``w`` is (PyTorch's test)?"""
    a = t._data  # (a row or a column is both: no transposing needed, so no)
    return a.ndim == 2 and a.strides[0] == a.itemsize and a.strides[1] == a.itemsize * a.shape[0] and 1 not in a.shape


# The layout-keeping formula costs one more transpose node (about 2 us of Python) and saves ``.grad`` a
# transposing copy of the gradient. Below this many elements that copy is the cheaper of the two (measured on
# an AMD EPYC, float32: 64 x 64, 1.6 us; 96 x 96, 3.2 us; 256 x 256, 59 us), so small matrices keep the plain
# formula (and the lessons' small models their exact numbers).
LAYOUT_MIN_ELEMENTS = 8192


def _transposed_view(t):
    """``column_major(t)``, for a matrix large enough that keeping its layout pays (``LAYOUT_MIN_ELEMENTS``)."""
    return t._data.size >= LAYOUT_MIN_ELEMENTS and column_major(t)


def _tr(t):
    return t.t() if t._data.ndim == 2 else t.mT  # (t(): the cheaper call for a matrix)


def mm_mat1_backward(g, x, y):
    """dL/dX = G @ Y^T for Z = X @ Y, in X's own layout: for a column-major X (a transposed view) PyTorch
    computes (Y @ G^T)^T, the same numbers, so that the gradient is column-major too. (PyTorch's
    ``mm_mat1_backward``; both are products of tensors, so double backward works either way.)"""
    if _transposed_view(x):
        return _tr(y @ _tr(g))
    return g @ _tr(y)


def mm_mat2_backward(g, x, y):
    """dL/dY = X^T @ G for Z = X @ Y, in Y's own layout: for a column-major Y (the ``weight.t()`` of a linear
    layer) it is (G^T @ X)^T, so that the weight's gradient arrives row-major, as the weight is, and
    reaches ``.grad`` without a transposing copy (PyTorch's ``mm_mat2_backward``)."""
    if _transposed_view(y):
        return _tr(_tr(g) @ x)
    return _tr(x) @ g


# The node is named after the kernel PyTorch's matmul ends in (batched: a reshape, UnsafeViewBackward0;
# vector @ matrix: (1 x n) @ matrix, then a squeeze).
Mm, Mv, Dot, Bmm = (Matmul.variant(n) for n in ("MmBackward0", "MvBackward0", "DotBackward0", "BmmBackward0"))
VecMat = Matmul.variant("SqueezeBackward4", "VecMat")
_MATMUL_BY_NDIM = {(1, 1): Dot, (2, 2): Mm, (2, 1): Mv, (1, 2): VecMat}


def check_matmul(sa, sb):
    """PyTorch's errors for shapes that can't be multiplied."""
    if not sa or not sb:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {len(sa)}D and "
                           f"{len(sb)}D")
    if len(sa) == 1 and len(sb) == 1:
        if sa[0] != sb[0]:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to have the "
                               f"same number of elements, but got {sa[0]} and {sb[0]} elements respectively")
        return
    k_a = sa[-1]
    k_b = sb[0] if len(sb) == 1 else sb[-2]
    if k_a != k_b:
        ra = f"{int(np.prod(sa[:-1])) if len(sa) > 1 else 1}x{k_a}"
        rb = f"{k_b}x{sb[-1] if len(sb) > 1 else 1}"
        if len(sa) <= 2 and len(sb) <= 2:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({ra} and {rb})")
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{k_a}] but got: "
                           f"[{k_b}] (shapes {list(sa)} @ {list(sb)} don't line up: the last dimension of the "
                           "first must equal the second-to-last of the second)")
    if len(sa) > 2 and len(sb) > 2:
        broadcast_shapes(sa[:-2], sb[:-2])


# ---------------------------------------------------------------------------------------------- methods
@register("matmul")
def matmul(self, other):
    if not isinstance(other, Tensor):
        raise TypeError(f"matmul(): argument 'other' must be Tensor, not {type(other).__name__}")
    return _MATMUL_BY_NDIM.get((self._data.ndim, other._data.ndim), Matmul).apply(self, other)


@register("mm")
def mm(self, other):
    for name, t in (("self", self), ("mat2", other)):
        if t.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got a {t.ndim}-D tensor; mm() multiplies two 2-D "
                               "tensors, use matmul or @ for other shapes")
    return matmul(self, other)


@register("bmm")
def bmm(self, other):
    if self.ndim != 3 or other.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor (got {self.ndim}-D and {other.ndim}-D)")
    return Bmm.apply(self, other)


@register("mv")
def mv(self, vec):
    if self.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {self.ndim}, {vec.ndim}")
    return matmul(self, vec)


@register("dot", aliases=("inner",))
def dot(self, other):
    if self.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {self.ndim}D and {other.ndim}D tensors")
    return matmul(self, other)


@register("outer")
def outer(self, other):
    return self.unsqueeze(1) * other.unsqueeze(0)


def _matmul_operator(self, other):
    if isinstance(other, Tensor):
        return matmul(self, other)
    if not isinstance(other, np.ndarray):
        return NotImplemented
    self, other = numpy_promoted(self, other)
    return matmul(self, operand(other))


def _rmatmul_operator(self, other):
    if not isinstance(other, np.ndarray):
        return NotImplemented
    self, other = numpy_promoted(self, other)
    return matmul(operand(other), self)


Tensor.__matmul__, Tensor.__rmatmul__ = _matmul_operator, _rmatmul_operator


# ---------------------------------------------------------------------------------------------- triangles, diagonal
class Tril(Op):
    rule = "y = x with zeros above diagonal k.   dL/dx = tril(g, k)."
    kernel, method = staticmethod(np.tril), "tril"  # (Triu differs only in these)

    @staticmethod
    def forward(ctx, x, diagonal):
        ctx.diagonal = diagonal
        return ctx._forward_cls.kernel(x._data, diagonal)

    @staticmethod
    def backward(ctx, grad):
        return getattr(grad, ctx._forward_cls.method)(ctx.diagonal)


class Triu(Tril):
    rule = "y = x with zeros below diagonal k.   dL/dx = triu(g, k)."
    kernel, method = staticmethod(np.triu), "triu"


@register("tril")
def tril(self, diagonal=0):
    return Tril.apply(self, diagonal=diagonal)


@register("triu")
def triu(self, diagonal=0):
    return Triu.apply(self, diagonal=diagonal)


@register("diagonal")
def diagonal(self, offset=0):
    """The diagonal of a matrix (as a differentiable gather)."""
    if self.ndim != 2:
        raise RuntimeError("tutorgrad's diagonal() supports matrices (2-D tensors) only")
    n = max(0, min(self.shape[0] + min(offset, 0), self.shape[1] - max(offset, 0)))
    i = np.arange(n)
    return self[Tensor._wrap(i - min(offset, 0)), Tensor._wrap(i + max(offset, 0))]


@register("trace")
def trace(self):
    return self.diagonal().sum()
