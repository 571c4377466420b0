"""Linear algebra: ``@`` / ``matmul`` (``mm``, ``mv``, ``dot``, ``bmm``), ``outer``, ``tril``, ``triu``,
``diagonal``, ``diag``, ``diag_embed``, ``einsum``; ``inv``, ``det``, ``solve``, ``svdvals`` (``torch.linalg``).

``Matmul`` is written out in full: read it first. One op serves every shape; the node is named
after the kernel PyTorch's ``matmul`` ends in (``MmBackward0`` for two matrices, ``DotBackward0``
for two vectors, ...), a node name that is one line of data (``_MATMUL_BY_NDIM``).

The matrix functions' backward formulas are matrix products of tensors, so they can be differentiated
again: with Y = inv(A), dL/dA = -Y^T G Y^T; with d = det(A), dL/dA = g d A^-T; with X = solve(A, B),
dL/dB = solve(A^T, G) and dL/dA = -dL/dB X^T. (For complex matrices each transpose is the conjugate
transpose, ^H.)
"""
import itertools
import string

import numpy as np

from .. import _dtypes as D
from .._shapes import broadcast_shapes, wrap_dim
from ..tensor import Tensor
from .registry import Op, T, numpy_promoted, operand, register


# ---------------------------------------------------------------------------------------------- the reading list
class Matmul(Op):
    """Z = X @ Y: every z_ij = sum_k x_ik y_kj.

    x_ik meets every y_kj of row k, so dL/dx_ik = sum_j g_ij y_kj: that is G @ Y^T. Likewise
    dL/dY = X^T @ G. A vector is a 1-row matrix on the left and a 1-column matrix on the right;
    batch dimensions (and broadcast ones) are summed away by the engine.
    """
    rule = "Z = X @ Y.   dL/dX = G @ Y^T, dL/dY = X^T @ G (batch dimensions summed by the engine; complex: Y^H, X^H)."
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
        return _tr(matmul(y, _tr(g)))
    return matmul(g, _tr(y))  # (matmul, not @: the operator's checks for NumPy operands are not needed here)


def mm_mat2_backward(g, x, y):
    """dL/dY = X^T @ G for Z = X @ Y, in Y's own layout: for a column-major Y (the ``weight.t()`` of a linear
    layer) it is (G^T @ X)^T, so that the weight's gradient arrives row-major, as the weight is, and
    reaches ``.grad`` without a transposing copy (PyTorch's ``mm_mat2_backward``)."""
    if _transposed_view(y):
        return _tr(matmul(_tr(g), x))
    return matmul(_tr(x), g)


# The node is named after the kernel PyTorch's matmul ends in (batched: a reshape, UnsafeViewBackward0;
# vector @ matrix: (1 x n) @ matrix, then a squeeze).
Mm, Mv, Dot, Bmm = (Matmul.variant(n, input_names=("self", other)) for n, other in
                    (("MmBackward0", "mat2"), ("MvBackward0", "vec"), ("DotBackward0", "tensor"), ("BmmBackward0", "mat2")))
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
@register("matmul", out="same dtype")
def matmul(self, other):
    if not isinstance(other, Tensor):
        raise TypeError(f"matmul(): argument 'other' must be Tensor, not {type(other).__name__}")
    return _MATMUL_BY_NDIM.get((self._data.ndim, other._data.ndim), Matmul).apply(self, other)


@register("mm", out="same dtype")
def mm(self, other):
    for name, t in (("self", self), ("mat2", other)):
        if t.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got a {t.ndim}-D tensor; mm() multiplies two 2-D "
                               "tensors, use matmul or @ for other shapes")
    return matmul(self, other)


@register("bmm", out="same dtype")
def bmm(self, other):
    if self.ndim != 3 or other.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor (got {self.ndim}-D and {other.ndim}-D)")
    return Bmm.apply(self, other)


@register("mv", out="same dtype")
def mv(self, vec):
    if self.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {self.ndim}, {vec.ndim}")
    return matmul(self, vec)


@register("dot", aliases=("inner",), out="same dtype")
def dot(self, other):
    if self.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {self.ndim}D and {other.ndim}D tensors")
    return matmul(self, other)


class Vdot(Op):
    """z = sum_k conj(x_k) y_k (the first vector conjugated; ``dot`` conjugates neither).

    dL/dx = conj(g) y, dL/dy = g x (PyTorch's formulas); for real vectors the same as ``dot``'s.
    """
    rule = "z = sum conj(x_k) y_k.   dL/dx = conj(g) y, dL/dy = g x."
    holomorphic = False  # (not in x: the formulas above are the complex ones)

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        a, b = x._data, y._data
        if a.dtype != b.dtype:
            raise RuntimeError(f"vdot : expected both vectors to have same dtype, but found {x.dtype._legacy} and "
                               f"{y.dtype._legacy}")
        if a.ndim != 1 or b.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
        check_matmul(a.shape, b.shape)
        return np.asarray(np.vdot(a, b))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return (grad.conj() * y if ctx.needs_input_grad[0] else None,
                grad * x if ctx.needs_input_grad[1] else None)


register("vdot")(Vdot)


@register("outer", out="same dtype")
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


@register("tril", out=True)
def tril(self, diagonal=0):
    return Tril.apply(self, diagonal=diagonal)


@register("triu", out=True)
def triu(self, diagonal=0):
    return Triu.apply(self, diagonal=diagonal)


@register("trace")
def trace(self):
    return self.diagonal().sum()


# ---------------------------------------------------------------------------------------------- diagonals
def _writable_view(view, owner):
    """``view`` (a read-only view NumPy made of ``owner``'s memory, as ``np.diagonal`` does) made writable:
    the diagonal of a tensor is a view that in-place ops may change, as in PyTorch."""
    iface = dict(view.__array_interface__)
    iface["data"] = (iface["data"][0], False)

    class _Holder:
        __array_interface__ = iface
        base = owner
    return np.asarray(_Holder())


class Diagonal(Op):
    """y = the diagonal of x (a view): y[..., i] = x[..., i, i + offset] over the dims ``dim1``, ``dim2``.

    Each y_i is one x_ij, so dL/dx is zeros with g written back on that diagonal (``DiagonalBackward``).
    """
    rule = "y = diagonal of x.   dL/dx = zeros with g on the diagonal."
    node_name = "DiagonalBackward0"

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.shape, ctx.where = x.shape, (offset, dim1, dim2)
        a = x._data
        return _writable_view(np.diagonal(a, offset, dim1, dim2), a) if a.flags.writeable else \
            np.diagonal(a, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, grad):
        return DiagonalBackward.apply(grad, shape=ctx.shape, where=ctx.where)


DiagonalCopy = Diagonal.variant("DiagonalBackward0_copy", "DiagonalCopy")  # torch.diag of a matrix: a copy


def _diagonal_positions(shape, offset, dim1, dim2):
    """Index arrays of the diagonal of a (..., n, m) array (the two dims moved last)."""
    n, m = shape[dim1], shape[dim2]
    length = max(0, min(n + min(offset, 0), m - max(offset, 0)))
    i = np.arange(length)
    return i - min(offset, 0), i + max(offset, 0)


class DiagonalBackward(Op):
    rule = "z = zeros with g on the diagonal (the reverse of Diagonal).   dL/dg = the diagonal of h."
    node_name = "DiagonalBackwardBackward0"

    @staticmethod
    def forward(ctx, g, shape, where):
        ctx.where = where
        offset, dim1, dim2 = where
        out = np.zeros(shape, g._data.dtype)
        rows, cols = _diagonal_positions(shape, offset, dim1, dim2)
        np.moveaxis(out, (dim1, dim2), (-2, -1))[..., rows, cols] = g._data
        return out

    @staticmethod
    def backward(ctx, h):
        offset, dim1, dim2 = ctx.where
        return Diagonal.apply(h, offset=offset, dim1=dim1, dim2=dim2)


class DiagEmbed(Op):
    """y = zeros with x on a diagonal: y[..., i, i + offset] = x[..., i] (a vector becomes a diagonal matrix).

    dL/dx is the diagonal of g.
    """
    rule = "y = x put on the diagonal of zeros.   dL/dx = the diagonal of g."
    node_name = "DiagEmbedBackward0"

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.where = (offset, dim1, dim2)
        a = x._data
        n = a.shape[-1] + abs(offset)
        shape = list(a.shape[:-1])
        for d in sorted((dim1, dim2)):
            shape.insert(d, n)
        out = np.zeros(shape, a.dtype)
        rows, cols = _diagonal_positions(shape, offset, dim1, dim2)
        np.moveaxis(out, (dim1, dim2), (-2, -1))[..., rows, cols] = a
        return out

    @staticmethod
    def backward(ctx, grad):
        offset, dim1, dim2 = ctx.where
        return Diagonal.apply(grad, offset=offset, dim1=dim1, dim2=dim2)


@register("diagonal")
def diagonal(self, offset=0, dim1=0, dim2=1):
    """The diagonal of a matrix (over the dims ``dim1``, ``dim2``): a view, appended as the last dimension."""
    d1, d2 = wrap_dim(dim1, self.ndim), wrap_dim(dim2, self.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    out = Diagonal.apply(self, offset=offset, dim1=d1, dim2=d2)
    return out._make_view_of(self, lambda t: t.diagonal(offset, dim1, dim2))


@register("diag_embed")
def diag_embed(self, offset=0, dim1=-2, dim2=-1):
    """Each vector along the last dimension as the diagonal of a matrix (at the dims ``dim1``, ``dim2``)."""
    d1, d2 = wrap_dim(dim1, self.ndim + 1), wrap_dim(dim2, self.ndim + 1)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return DiagEmbed.apply(self, offset=offset, dim1=d1, dim2=d2)


@register("diag", out=True)
def diag(self, diagonal=0):
    """A vector as a diagonal matrix (``diagonal``: which diagonal), or a matrix's diagonal as a vector (a copy)."""
    if self.ndim == 1:
        return DiagEmbed.apply(self, offset=diagonal, dim1=0, dim2=1)
    if self.ndim == 2:
        return DiagonalCopy.apply(self, offset=diagonal, dim1=0, dim2=1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {self.ndim}D")


# ---------------------------------------------------------------------------------------------- einsum
def _parse_einsum(equation, shapes):
    """``'ij,jk->ik'`` (``...`` allowed, ``->`` optional) as per-operand letter strings and the output's."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(shapes):
        raise RuntimeError(f"einsum(): more operands were provided than specified in the equation"
                           if len(shapes) > len(inputs) else
                           "einsum(): fewer operands were provided than specified in the equation")
    used = set(c for c in eq if c.isalpha())
    free = [c for c in string.ascii_letters if c not in used]
    n_ell = 0
    for term, shape in zip(inputs, shapes):
        letters = term.replace("...", "")
        if not all(c.isalpha() for c in letters):
            raise RuntimeError(f"einsum(): invalid subscript given at index {eq.index(next(c for c in letters if not c.isalpha()))} "
                               "in the equation string, subscripts must be in [a-zA-Z]")
        if "..." in term:
            n_ell = max(n_ell, len(shape) - len(letters))
        elif len(letters) != len(shape):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(letters)}) does not match "
                               f"the number of dimensions ({len(shape)}) for operand {inputs.index(term)} and no "
                               "ellipsis was given")
    ell = "".join(free[:n_ell])
    terms = []
    for term, shape in zip(inputs, shapes):
        k = len(shape) - len(term.replace("...", ""))
        terms.append(term.replace("...", ell[n_ell - k:] if k else ""))
    if arrow:
        out = rhs.replace("...", ell)
    else:  # implicit output: the ellipsis dims, then the letters used once, in alphabetical order
        counts = {}
        for t in inputs:
            for c in t.replace("...", ""):
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted((c for c, n in counts.items() if n == 1), key=lambda c: (c.islower(), c)))
    return terms, out


class Einsum(Op):
    """y = einsum(equation, x1, x2, ...): a sum of products over the repeated letters.

    y is linear in each operand, so the gradient of an operand is an einsum of g with the other operands
    (letters only that operand has are broadcast back; a letter it repeats puts the gradient on a diagonal).
    PyTorch computes einsum as permutes, views and matrix products, and records those; tutorgrad records one node.
    """
    rule = "y = einsum(x_1, ..., x_n).   dL/dx_k = einsum(g, the other operands) into x_k's letters."
    node_name = "EinsumBackward0"
    holomorphic = False  # (its backward conjugates the other operands by itself)

    @staticmethod
    def forward(ctx, *operands, terms, out):
        ctx.terms, ctx.out = terms, out
        ctx.save_for_backward(*operands)
        arrays = [o._data for o in operands]
        dt = np.result_type(*arrays)
        return np.asarray(np.einsum(",".join(terms) + "->" + out, *arrays, optimize=len(arrays) > 2), dt)

    @staticmethod
    def backward(ctx, grad):
        ops = ctx.saved_tensors
        grads = []
        for k, (op, term) in enumerate(zip(ops, ctx.terms)):
            if not ctx.needs_input_grad[k]:
                grads.append(None)
                continue
            others = [(o, t) for i, (o, t) in enumerate(zip(ops, ctx.terms)) if i != k]
            have = set(ctx.out).union(*(t for _, t in others))
            target = "".join(dict.fromkeys(c for c in term if c in have))
            g = Einsum.apply(grad, *(o.conj() for o, _ in others), terms=[ctx.out] + [t for _, t in others],
                             out=target)
            grads.append(_einsum_to_term(g, target, term, op.shape))
        return tuple(grads)


def _einsum_to_term(g, target, term, shape):
    """The gradient over the letters ``target`` as one of the operand's shape (its letters: ``term``)."""
    sizes = dict(zip(term, shape))
    letters = "".join(dict.fromkeys(term))  # each letter once, in the operand's order
    for c in letters:
        if c not in target:  # a letter only this operand has (summed away): the gradient is broadcast along it
            g = g.unsqueeze(-1)
            target += c
    order = [target.index(c) for c in letters]
    if order != list(range(len(order))):
        g = g.permute(*order)
    full = [sizes[c] for c in letters]
    if list(g.shape) != full:
        g = g.expand(*full)
    if len(letters) == len(term):
        return g
    # a letter the operand repeats ('ii->i'): its gradient lives on the diagonal of those dimensions
    out = Tensor._wrap(np.zeros(shape, g.dtype.np))
    key = tuple(Tensor._wrap(np.arange(sizes[c]).reshape([-1 if d == letters.index(c) else 1
                                                           for d in range(len(letters))])) for c in term)
    out[key] = g
    return out


def einsum(equation, *operands):
    """Sums of products written as letters: ``einsum('ij,jk->ik', a, b)`` is ``a @ b``, ``einsum('ii', a)`` the trace,
    ``einsum('bi,bi->b', u, v)`` row-wise dot products. Operands may also be given as one list."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    for o in operands:
        if not isinstance(o, Tensor):
            raise TypeError(f"einsum(): operands must be Tensors, not {type(o).__name__}")
    terms, out = _parse_einsum(equation, [o.shape for o in operands])
    sizes = {}
    for term, o in zip(terms, operands):
        for c, n in zip(term, o.shape):
            if sizes.setdefault(c, n) != n and n != 1 and sizes[c] != 1:
                raise RuntimeError(f"einsum(): operands do not broadcast with remapped shapes (original->remapped): "
                                   f"subscript {c} has size {sizes[c]} and {n}")
    return Einsum.apply(*operands, terms=terms, out=out)


register("einsum", method=False)(einsum)


# ---------------------------------------------------------------------------------------------- inv, det, solve
class LinAlgError(RuntimeError):
    """Raised for a singular matrix (``torch.linalg.LinAlgError``)."""


LinAlgError.__name__ = LinAlgError.__qualname__ = "_LinAlgError"


def _first_zero_pivot(a):
    """LU with partial pivoting, as LAPACK's getrf: (index from 1 of the first zero pivot or 0, sign * prod(U_ii))."""
    a = a.astype(np.float64 if a.dtype.kind == "f" else np.complex128, copy=True)
    n, sign, prod, first = a.shape[0], 1.0, 1.0, 0
    for j in range(n):
        p = j + int(np.argmax(np.abs(a[j:, j])))
        if p != j:
            a[[j, p]] = a[[p, j]]
            sign = -sign
        pivot = a[j, j]
        prod = prod * pivot
        if pivot == 0:
            first = first or j + 1
            continue
        a[j + 1:, j] /= pivot
        a[j + 1:, j + 1:] -= np.outer(a[j + 1:, j], a[j, j + 1:])
    return first, sign * prod


def _square(name, a):
    if a.ndim < 2:
        raise RuntimeError(f"linalg.{name}: The input tensor A must have at least 2 dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.{name}: A must be batches of square matrices, but they are {a.shape[-2]} by "
                           f"{a.shape[-1]} matrices")
    if not (a.dtype.is_floating_point or a.dtype.is_complex):
        raise RuntimeError(f"linalg.{name}: Expected a floating point or complex tensor as input. Got "
                           f"{a.dtype._legacy}")


def _mH(t):
    return t.mT.conj()


class LinalgInv(Op):
    """Y = A^-1.   From A Y = I: dY = -Y dA Y, so dL/dA = -Y^T G Y^T (Y^H for complex A)."""
    rule = "Y = inv(A).   dL/dA = -Y^T G Y^T."
    holomorphic = False  # (its backward conjugates by itself: ^H for complex A)
    node_name = "LinalgInvExBackward0"
    saved_names = ("inverse",)

    @staticmethod
    def forward(ctx, a):
        arr = a._data
        try:
            y = T(np.linalg.inv(arr))
        except np.linalg.LinAlgError:
            flat = arr.reshape((-1,) + arr.shape[-2:])
            for b, m in enumerate(flat):
                first, _ = _first_zero_pivot(m)
                if first:
                    batch = f"(Batch element {b}): " if arr.ndim > 2 else ""
                    raise LinAlgError(f"linalg.inv: {batch}The diagonal element {first} is zero, the inversion could "
                                      "not be completed because the input matrix is singular.") from None
            raise
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        y, = ctx.saved_tensors
        yh = _mH(y)
        return -(yh @ grad @ yh)


class LinalgDet(Op):
    """d = det(A).   dd/dA = the cofactor matrix = d A^-T for an invertible A, so dL/dA = g d A^-T (conjugated for
    complex A). For a singular A the cofactors come from the SVD (not differentiable again there)."""
    rule = "d = det(A).   dL/dA = g d A^-T (the cofactor matrix)."
    holomorphic = False  # (its backward conjugates by itself: ^H for complex A)
    node_name = "LinalgDetBackward0"
    saved_names = ("A", "result")

    @staticmethod
    def forward(ctx, a):
        arr = a._data
        d = np.linalg.det(arr)
        if np.any(d == 0):  # LAPACK's LU gives a signed zero: PyTorch prints -0. where the pivots' sign is odd
            flat = d.reshape(-1)
            for i, m in enumerate(arr.reshape((-1,) + arr.shape[-2:])):
                if flat[i] == 0:
                    flat[i] = _first_zero_pivot(m)[1]
            d = flat.reshape(d.shape)
        out = T(np.asarray(d, arr.dtype))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, d = ctx.saved_tensors
        g = (grad * d.conj()).unsqueeze(-1).unsqueeze(-1)
        if np.all(d._data != 0):
            return g * _mH(LinalgInv.apply(a))
        # cofactors of a (possibly singular) A = U S V^H: adj(A) = det(U) det(V^H) V adj(S) U^H
        u, s, vh = np.linalg.svd(a._data)
        others = np.stack([np.prod(np.delete(s, i, axis=-1), axis=-1) for i in range(s.shape[-1])], -1)
        sign = np.linalg.det(u) * np.linalg.det(vh)
        adj = np.swapaxes(vh, -1, -2).conj() @ (others[..., :, None] * np.swapaxes(u, -1, -2).conj())
        cof = np.swapaxes(adj * sign[..., None, None], -1, -2)
        return grad.unsqueeze(-1).unsqueeze(-1) * T(np.conj(cof).astype(a._data.dtype))


class LinalgSolve(Op):
    """X = A^-1 B (solves A X = B).   dL/dB = solve(A^T, G), dL/dA = -dL/dB X^T (^H for complex)."""
    rule = "X = solve(A, B).   dL/dB = solve(A^T, G), dL/dA = -dL/dB X^T."
    holomorphic = False  # (its backward conjugates by itself: ^H for complex A)
    node_name = "LinalgSolveExBackward0"
    saved_names = ("A", "result")

    @staticmethod
    def forward(ctx, a, b, vector):
        ctx.vector = vector
        try:
            x = np.linalg.solve(a._data, b._data[..., None] if vector else b._data)
        except np.linalg.LinAlgError:
            raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is singular.") from None
        x = T(x[..., 0] if vector else x)
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        gb = LinalgSolve.apply(_mH(a), grad, vector=ctx.vector)
        ga = None
        if ctx.needs_input_grad[0]:
            ga = -(gb.unsqueeze(-1) @ _mH(x.unsqueeze(-1))) if ctx.vector else -(gb @ _mH(x))
        return ga, (gb if ctx.needs_input_grad[1] else None)


class LinalgSvdvals(Op):
    """s = the singular values of A = U diag(s) V^H.   dL/dA = U diag(g) V^H (constant U, V: once differentiable)."""
    rule = "s = singular values of A.   dL/dA = U diag(g) V^H."
    node_name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx, a):
        u, s, vh = np.linalg.svd(a._data, full_matrices=False)
        ctx.u, ctx.vh = u, vh
        return s.astype(a._data.dtype.type(0).real.dtype)

    @staticmethod
    def backward(ctx, grad):
        return T(ctx.u) @ (grad.to(D.from_numpy_dtype(ctx.u.dtype)).unsqueeze(-1) * T(ctx.vh))


@register("inverse", out="same dtype")
def inverse(self):
    """The inverse matrix A^-1 (of each matrix in a batch)."""
    _square("inv", self)
    return LinalgInv.apply(self)


@register("det")
def det(self):
    """The determinant of a square matrix (of each in a batch)."""
    _square("det", self)
    return LinalgDet.apply(self)


def solve(A, B, *, left=True, out=None):
    """X with A X = B (``torch.linalg.solve``); B may be a vector (one right-hand side) or a matrix."""
    _square("solve", A)
    if not left:
        return solve(A.mT, B.mT).mT
    if A.dtype is not B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{A.dtype._legacy} and B of type {B.dtype._legacy} instead")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    rows = B.shape[-1] if vector else B.shape[-2]
    if rows != A.shape[-1]:
        cols = 1 if vector else B.shape[-1]
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B ({A.shape[-2]}x"
                           f"{A.shape[-1]} and {rows}x{cols})")
    return LinalgSolve.apply(A, B, vector=vector)


def svdvals(A):
    """The singular values of A, largest first (``torch.linalg.svdvals``)."""
    if A.ndim < 2:
        raise RuntimeError("linalg.svd: The input tensor A must have at least 2 dimensions.")
    return LinalgSvdvals.apply(A)
