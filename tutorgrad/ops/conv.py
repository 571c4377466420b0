"""Convolution and pooling: ``conv1d``, ``conv2d``, ``max_pool2d``, ``avg_pool2d``, ``adaptive_avg_pool2d``, ``pad``.

Everything works on *windows*: a view of the (padded) input with one extra axis per kernel dimension,
made by NumPy's stride tricks without copying (``_windows``). A convolution is then one matrix product
(*im2col*: the windows laid out as rows, times the kernel as a matrix); its backward is the same product
read the other way (the gradient of the input is *col2im*: each row's gradient added back to the pixels
it came from). The three products of a convolution, forward, input gradient and weight gradient, are
each an op whose backward is the other two, so every order of derivative is a convolution again:

====================  =======================================  ==================================
op                    computes                                 its backward (upstream gradient h)
====================  =======================================  ==================================
``Convolution``       y = x * w (+ b)                          dx = x_grad(h, w), dw = w_grad(x, h)
``ConvInputGrad``     dx = x_grad(g, w): the transposed conv   dg = h * w, dw = w_grad(h, g)
``ConvWeightGrad``    dw = w_grad(x, g): windows^T @ g         dx = x_grad(g, h), dg = x * h
====================  =======================================  ==================================

Max pooling keeps the position of each window's maximum (as PyTorch's ``indices``: a flat index into
the input's plane) and its backward sends each gradient back there. Average pooling is linear and
*separable*: along each spatial dimension, output i averages inputs ``a_i <= j < b_i``, so
``y = A x B^T / d`` with 0/1 matrices A, B and divisors d, and its backward ``A^T (g / d) B`` is made of
matrix products (differentiable again). ``adaptive_avg_pool2d`` is the same with PyTorch's adaptive
windows. 1-d pooling is the 2-d op on an unsqueezed input, as in PyTorch (its node is ``SqueezeBackward1``).
"""
import itertools
import math

import numpy as np

from .. import _dtypes as D
from .._shapes import wrap_dim
from ..tensor import Tensor
from .registry import COMPLEX, Op, T, no_complex, register


# ---------------------------------------------------------------------------------------------- geometry
def _tuple(value, n, name, fn=None):
    """``stride=2`` as ``(2, 2)``; a list of the wrong length is PyTorch's error."""
    if isinstance(value, (tuple, list)):
        if len(value) == 1 and n > 1:
            return tuple(value) * n
        if len(value) != n:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values to match "
                               f"the convolution dimensions, but got {name}={list(value)}")
        return tuple(int(v) for v in value)
    return (int(value),) * n


def _windows(xp, kernel, stride, dilation, out_size):
    """A read-only view (..., *out_size, *kernel) of ``xp``: element [..., o, k] is xp[..., o*stride + k*dilation]."""
    nd = len(kernel)
    lead, st = xp.ndim - nd, xp.strides
    shape = xp.shape[:lead] + tuple(out_size) + tuple(kernel)
    strides = st[:lead] + tuple(st[lead + i] * stride[i] for i in range(nd)) + \
        tuple(st[lead + i] * dilation[i] for i in range(nd))
    return np.lib.stride_tricks.as_strided(xp, shape, strides, writeable=False)


def _pad_spatial(a, pads, value=0):
    """Pad the trailing ``len(pads)`` dimensions by ``pads[i] = (before, after)``."""
    if not any(p for pair in pads for p in pair):
        return a
    return np.pad(a, [(0, 0)] * (a.ndim - len(pads)) + list(pads), constant_values=value)


class _Geometry:
    """A convolution's sizes: spatial input and output sizes, kernel, stride, padding (before, after), ..."""

    def __init__(self, in_size, kernel, stride, pads, dilation, groups):
        self.in_size, self.kernel, self.stride, self.pads = tuple(in_size), tuple(kernel), stride, pads
        self.dilation, self.groups = dilation, groups
        self.out_size = tuple((n + a + b - d * (k - 1) - 1) // s + 1
                              for n, k, s, (a, b), d in zip(in_size, kernel, stride, pads, dilation))

    def columns(self, x):
        """im2col: x (N, C, *S) as (G, Cg*prod(kernel), N*prod(out)): one column per output position.

        (Laid out kernel-major with the output positions last, so the copy reads whole rows of the input.)
        """
        n, c = x.shape[:2]
        g, nd = self.groups, len(self.kernel)
        win = _windows(_pad_spatial(x, self.pads), self.kernel, self.stride, self.dilation, self.out_size)
        win = win.transpose((1,) + tuple(range(2 + nd, 2 + 2 * nd)) + (0,) + tuple(range(2, 2 + nd)))  # (C, *K, N, *O)
        return win.reshape(g, (c // g) * math.prod(self.kernel), n * math.prod(self.out_size))  # (a copy)

    def output(self, y, n):
        """(G, Og, N*prod(out)) as (N, G*Og, *out), contiguous."""
        g, nd = self.groups, len(self.kernel)
        y = y.reshape((g, -1, n) + self.out_size).transpose((2, 0, 1) + tuple(range(3, 3 + nd)))  # (N, G, Og, *O)
        return np.ascontiguousarray(y).reshape((n, -1) + self.out_size)

    def grad_rows(self, grad):
        """(N, G*Og, *out) as (G, Og, N*prod(out)): the inverse of ``output``."""
        n, nd, g = grad.shape[0], len(self.kernel), self.groups
        y = grad.reshape((n, g, -1) + self.out_size).transpose((1, 2, 0) + tuple(range(3, 3 + nd)))
        return y.reshape(g, y.shape[1], n * math.prod(self.out_size))

    def col2im(self, cols, n, c, dtype):
        """The adjoint of ``columns``: each column's values added back to the input positions they came from."""
        nd, out = len(self.kernel), self.out_size
        cols = cols.reshape((c,) + self.kernel + (n,) + out)            # (C, *K, N, *O)
        padded = tuple(s + a + b for s, (a, b) in zip(self.in_size, self.pads))
        xp = np.zeros((n, c) + padded, dtype)
        for k in itertools.product(*(range(k) for k in self.kernel)):
            where = tuple(slice(ki * d, ki * d + s * (o - 1) + 1, s)
                          for ki, d, s, o in zip(k, self.dilation, self.stride, out))
            xp[(slice(None), slice(None)) + where] += cols[(slice(None),) + k].swapaxes(0, 1)
        inner = xp[(slice(None), slice(None)) + tuple(slice(a, a + s) for (a, _), s in zip(self.pads, self.in_size))]
        return np.ascontiguousarray(inner)  # (the input's gradient row-major, as PyTorch's: .view works on it)


def _weight_matrix(w, groups):
    """(O, Cg, *K) as (G, Og, Cg*prod(K)): the filters as rows."""
    return w.reshape(groups, w.shape[0] // groups, -1)


# ---------------------------------------------------------------------------------------------- convolution
class Convolution(Op):
    """y[n, o] = b[o] + sum over c, k of x[n, c, o*stride + k*dilation - padding] w[o, c, k]: a learned filter slid
    over the input.

    y is linear in x and in w: dL/dx is the *transposed* convolution of the upstream gradient with w (each output
    position hands g * w back to the window it saw), dL/dw correlates the input with g, and dL/db sums g over
    batch and positions.

    >>> x, w = tutorgrad.ones(1, 1, 3, 3), tutorgrad.ones(1, 1, 2, 2)
    >>> F.conv2d(x, w)
    tensor([[[[4., 4.],
              [4., 4.]]]])
    """
    rule = "y = conv(x, w) + b.   dL/dx = conv_transpose(g, w), dL/dw = conv(x, g) over the batch, dL/db = sum(g)."
    node_name = "ConvolutionBackward0"
    saved_names = ("input", "weight")

    @staticmethod
    def forward(ctx, x, w, b, geometry):
        ctx.save_for_backward(x, w)
        ctx.geometry = geometry
        a = x._data
        cols = geometry.columns(a)                                 # (G, Cg*K, N*O)
        wm = _weight_matrix(w._data, geometry.groups)              # (G, Og, Cg*K)
        y = geometry.output(wm[0] @ cols[0] if geometry.groups == 1 else wm @ cols, a.shape[0])
        if b is not None:
            y += b._data.reshape((-1,) + (1,) * len(geometry.kernel))
        return y

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        geo = ctx.geometry
        return (ConvInputGrad.apply(grad, w, geometry=geo, channels=x.shape[1]) if need_x else None,
                ConvWeightGrad.apply(x, grad, geometry=geo, kernel_shape=w.shape) if need_w else None,
                grad.sum((0,) + tuple(range(2, grad.ndim))) if need_b else None)


class ConvInputGrad(Op):
    """dx = the transposed convolution of g with w (col2im of g @ W): a convolution's input gradient, as an op.
    It is linear in g and in w: dL/dg = conv(h, w), dL/dw = conv_weight_grad(h, g)."""
    rule = "z = conv_transpose(g, w) (a convolution's input gradient).   dL/dg = conv(h, w), dL/dw = conv(h, g)."
    node_name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx, g, w, geometry, channels):
        ctx.save_for_backward(g, w)
        ctx.geometry = geometry
        wm = _weight_matrix(w._data, geometry.groups)              # (G, Og, Cg*K)
        cols = wm.transpose(0, 2, 1) @ geometry.grad_rows(g._data)  # (G, Cg*K, N*O)
        return geometry.col2im(cols, g.shape[0], channels, g._data.dtype)

    @staticmethod
    def backward(ctx, h):
        g, w = ctx.saved_tensors
        geo = ctx.geometry
        return (Convolution.apply(h, w, None, geometry=geo) if ctx.needs_input_grad[0] else None,
                ConvWeightGrad.apply(h, g, geometry=geo, kernel_shape=w.shape) if ctx.needs_input_grad[1] else None)


class ConvWeightGrad(Op):
    """dw = the windows of x correlated with g (windows^T @ g): a convolution's weight gradient, as an op.
    It is linear in x and in g: dL/dx = conv_transpose(g, h), dL/dg = conv(x, h)."""
    rule = "z = conv_weight_grad(x, g) (a convolution's weight gradient).   dL/dx = conv_transpose(g, h), dL/dg = conv(x, h)."
    node_name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx, x, g, geometry, kernel_shape):
        ctx.save_for_backward(x, g)
        ctx.geometry = geometry
        cols = geometry.columns(x._data)                           # (G, Cg*K, N*O)
        gw = geometry.grad_rows(g._data) @ cols.transpose(0, 2, 1)  # (G, Og, Cg*K)
        return gw.reshape(kernel_shape)

    @staticmethod
    def backward(ctx, h):
        x, g = ctx.saved_tensors
        geo = ctx.geometry
        return (ConvInputGrad.apply(g, h, geometry=geo, channels=x.shape[1]) if ctx.needs_input_grad[0] else None,
                Convolution.apply(x, h, None, geometry=geo) if ctx.needs_input_grad[1] else None)


def _check_same_type(x, w, b):
    if w.dtype is not x.dtype:
        raise RuntimeError(f"expected scalar type {x.dtype._legacy} but found {w.dtype._legacy}. The input and the "
                           f"weights must have the same dtype: convert the input, e.g. x.to({w.dtype})")
    if b is not None and b.dtype is not x.dtype:
        raise RuntimeError(f"Input type ({x.dtype.name.replace('float32', 'float').replace('float64', 'double')}) "
                           f"and bias type ({b.dtype.name.replace('float32', 'float').replace('float64', 'double')}) "
                           "should be the same")


def _conv(nd, input, weight, bias, stride, padding, dilation, groups):
    """``conv{nd}d``: the checks, in PyTorch's order and with its messages, then one ``Convolution``."""
    name = f"conv{nd}d"
    for arg, value in (("input", input), ("weight", weight)):
        if not isinstance(value, Tensor):
            raise TypeError(f"{name}() argument '{arg}' (position {1 if arg == 'input' else 2}) must be Tensor, "
                            f"not {type(value).__name__}")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got input "
                           f"of size: {list(input.shape)}")
    stride = _tuple(stride, nd, "stride")
    dilation = _tuple(dilation, nd, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if weight.ndim != nd + 2:
        raise RuntimeError(f"expected stride to be a single integer value or a list of {weight.ndim - 2} values to "
                           f"match the convolution dimensions, but got stride={list(stride)}")
    unbatched = input.ndim == nd + 1
    x = input.unsqueeze(0) if unbatched else input
    kernel = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            padding = 0
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [d * (k - 1) for d, k in zip(dilation, kernel)]
            left = [t // 2 for t in total]
            if any(t % 2 for t in total):  # as PyTorch: pad the extra column on the right first, then symmetrically
                extra = []
                for t, l in zip(reversed(total), reversed(left)):
                    extra += [0, t - 2 * l]
                x = constant_pad_nd(x, extra)
            padding = left
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    padding = _tuple(padding, nd, "padding")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    out_channels, cg = weight.shape[:2]
    if x.shape[1] != cg * groups or out_channels % groups:
        if out_channels % groups:
            raise RuntimeError("Given groups=%d, expected weight to be divisible by %d at dimension 0, but got weight "
                               "of size %s instead" % (groups, groups, list(weight.shape)))
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
                           f"input{list(x.shape)} to have {cg * groups} channels, but got {x.shape[1]} channels instead")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != out_channels):
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with "
                           f"{out_channels} elements, but got bias of size {list(bias.shape)} instead")
    padded = [n + 2 * p for n, p in zip(x.shape[2:], padding)]
    if any(n < d * (k - 1) + 1 for n, k, d in zip(padded, kernel, dilation)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(str(d * (k - 1) + 1) for k, d in zip(kernel, dilation))}). Kernel size "
                           "can't be greater than actual input size")
    _check_same_type(x, weight, bias)
    geo = _Geometry(x.shape[2:], kernel, stride, [(p, p) for p in padding], dilation, groups)
    y = Convolution.apply(x, weight, bias, geometry=geo)
    return y.squeeze(0) if unbatched else y


@register("conv1d", method=False)
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution over (N, C, L) or (C, L) inputs (see ``Convolution``)."""
    return _conv(1, input, weight, bias, stride, padding, dilation, groups)


@register("conv2d", method=False)
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution over (N, C, H, W) or (C, H, W) inputs: ``weight`` is (out_channels, in_channels/groups, kH, kW).

    ``padding`` is a number, a pair, ``'valid'`` (none) or ``'same'`` (output as large as the input).
    """
    return _conv(2, input, weight, bias, stride, padding, dilation, groups)


# ---------------------------------------------------------------------------------------------- padding
class ConstantPadNd(Op):
    """y = x with ``pad`` values added (or, for negative pads, removed) at both ends of the last dimensions.

    The padding holds constants, so dL/dx is g with the padding cut off again: a constant pad with the
    opposite pads (which puts zeros back where x was cropped).
    """
    rule = "y = x padded with a constant.   dL/dx = g with the padding removed (a pad with the opposite pads)."
    node_name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx, x, pads, value):
        ctx.pads = pads
        a = x._data
        n = len(pads)
        crop = tuple(slice(max(-lo, 0), a.shape[a.ndim - n + i] - max(-hi, 0)) for i, (lo, hi) in enumerate(pads))
        a = a[(slice(None),) * (a.ndim - n) + crop]
        grow = [(max(lo, 0), max(hi, 0)) for lo, hi in pads]
        return np.pad(a, [(0, 0)] * (a.ndim - n) + grow, constant_values=value) if any(map(any, grow)) else a.copy()

    @staticmethod
    def backward(ctx, grad):
        return ConstantPadNd.apply(grad, pads=[(-lo, -hi) for lo, hi in ctx.pads], value=0)


class PadGather(Op):
    """y = x padded by mirroring (``reflect``), repeating the edge (``replicate``) or wrapping around (``circular``).

    Each padded value is a copy of one value of x, so y is x gathered at an index map (``np.pad`` of the
    positions themselves), and dL/dx adds each g back to the position it was copied from.
    """
    rule = "y = x[index map] (reflect / replicate / circular padding).   dL/dx = g added back at the source positions."
    node_name = "CopySlices"  # as is, it pads circularly: PyTorch does that with slice copies, whose node this is

    @staticmethod
    def forward(ctx, x, index):
        a = x._data
        k = index.ndim
        lead = a.shape[:a.ndim - k]
        ctx.index, ctx.size = index, a.shape[a.ndim - k:]
        return a.reshape(lead + (-1,))[..., index.reshape(-1)].reshape(lead + index.shape)

    @staticmethod
    def backward(ctx, grad):
        return PadScatter.apply(grad, index=ctx.index, size=ctx.size, gather=ctx._forward_cls)


ReflectionPad = {n: PadGather.variant(f"ReflectionPad{n}DBackward0", f"ReflectionPad{n}D") for n in (1, 2, 3)}
ReplicationPad = {n: PadGather.variant(f"ReplicationPad{n}DBackward0", f"ReplicationPad{n}D") for n in (1, 2, 3)}


class PadScatter(Op):
    rule = "y = g added back at the positions an index map copied them from (the reverse of PadGather)."

    @staticmethod
    def forward(ctx, g, index, size, gather):
        ctx.index, ctx.gather = index, gather
        a = g._data
        k = index.ndim
        lead = a.shape[:a.ndim - k]
        rows = a.reshape(-1, index.size)
        m = math.prod(size)
        flat = (np.arange(rows.shape[0])[:, None] * m + index.reshape(1, -1)).reshape(-1)
        out = np.bincount(flat, weights=rows.reshape(-1), minlength=rows.shape[0] * m)
        return out.astype(a.dtype).reshape(lead + tuple(size))

    @staticmethod
    def backward(ctx, h):
        return ctx.gather.apply(h, index=ctx.index)


@register("constant_pad_nd", method=False)
def constant_pad_nd(self, pad, value=0):
    """Pad (or, with negative numbers, crop) the last ``len(pad) // 2`` dimensions: ``pad = (left, right, top, ...)``."""
    pads = _pad_pairs(self, pad)
    for i, (lo, hi) in enumerate(pads):
        d = self.ndim - len(pads) + i
        if self.shape[d] + min(lo, 0) + min(hi, 0) < 0:  # (PyTorch crops with narrow first)
            raise RuntimeError(f"narrow(): length must be non-negative. (The padding ({lo}, {hi}) crops more than "
                               f"the {self.shape[d]} elements of dimension {d}.)")
    return ConstantPadNd.apply(self, pads=pads, value=value)


def _pad_pairs(x, pad):
    """PyTorch's ``pad`` (last dimension first, (before, after) pairs) as pairs in dimension order."""
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError(f"Padding length must be divisible by 2")
    if len(pad) // 2 > x.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {x.ndim}")
    return [(pad[2 * i], pad[2 * i + 1]) for i in reversed(range(len(pad) // 2))]


def pad(input, pad, mode="constant", value=None):
    """``F.pad``: pad the last dimensions of ``input``; ``pad = (left, right)`` for the last one, then (top, bottom)...

    ``mode``: ``'constant'`` (``value``, default 0), ``'reflect'`` (mirror, edge not repeated), ``'replicate'``
    (repeat the edge), ``'circular'`` (wrap around).
    """
    if mode == "constant":
        return constant_pad_nd(input, pad, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    n = len(pad) // 2
    if len(pad) % 2 or not (n + 1 <= input.ndim <= n + 2) or n > 3:
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor.\nSupported combinations for "
            "non-constant padding:\n  - 2D or 3D input: padding size = 2 (pads last dimension)\n  - 3D or 4D input: "
            "padding size = 4 (pads last 2 dimensions)\n  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    pads = _pad_pairs(input, pad)
    size = input.shape[input.ndim - n:]
    for i, ((lo, hi), s) in enumerate(zip(pads, size)):
        dim = input.ndim - n + i
        if mode == "reflect" and (lo >= s or hi >= s):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({lo}, {hi}) at dimension {dim} of input {list(input.shape)}")
        if mode == "circular" and (lo > s or hi > s):
            raise RuntimeError("Padding value causes wrapping around more than once.")
    np_mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    index = np.pad(np.arange(math.prod(size)).reshape(size), pads, mode=np_mode)
    fn = {"reflect": ReflectionPad.get(n), "replicate": ReplicationPad.get(n), "circular": PadGather}[mode]
    return fn.apply(input, index=index)


# ---------------------------------------------------------------------------------------------- pooling
def _pool_size(n, k, s, p, d, ceil_mode):
    """PyTorch's pooling output size (with ``ceil_mode`` the last window must start inside the input or left pad)."""
    span = n + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _pool_args(name, input, kernel_size, stride, padding, dilation, ceil_mode):
    if input._data.dtype in COMPLEX:
        no_complex(input._data, f"{name}_pool2d")
    if input.ndim not in (3, 4) or input.numel() == 0 and input.ndim == 3:
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    k = _tuple(kernel_size, 2, "kernel_size")
    s = k if stride is None or (isinstance(stride, (list, tuple)) and not stride) else _tuple(stride, 2, "stride")
    p, d = _tuple(padding, 2, "padding"), _tuple(dilation, 2, "dilation")
    if any(v <= 0 for v in k):
        raise RuntimeError("kernel size should be greater than zero, but got kH: %d kW: %d" % k)
    if any(v == 0 for v in s):
        raise RuntimeError("stride should not be zero")
    if any(v <= 0 for v in d):
        raise RuntimeError("dilation should be greater than zero, but got dilationH: %d dilationW: %d" % d)
    for pi, ki, di in zip(p, k, d):
        if pi > (di * (ki - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pi}, "
                               f"kernel_size={ki} and dilation={di}")
    size = input.shape[-2:]
    out = tuple(_pool_size(n, ki, si, pi, di, ceil_mode) for n, ki, si, pi, di in zip(size, k, s, p, d))
    if any(o <= 0 for o in out):
        c = input.shape[-3]
        raise RuntimeError(f"Given input size: ({c}x{size[0]}x{size[1]}). Calculated output size: "
                           f"({c}x{out[0]}x{out[1]}). Output size is too small")
    return k, s, p, d, out


class MaxPool2d(Op):
    """y = the largest value of each window; ``indices`` say where it was (a flat index into the input plane).

    Only the maximum counts, so dL/dx is g sent back to the position of each window's maximum (added up
    where windows overlap); 0 everywhere else. Ties go to the first maximum, as in PyTorch.
    """
    rule = "y = max over each window.   dL/dx = g at the position of each window's maximum, 0 elsewhere."
    node_name = "MaxPool2DWithIndicesBackward0"
    saved_names = ("self", "result1")

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, dilation, out_size):
        a = x._data
        h, w = a.shape[-2:]
        low = -np.inf if a.dtype.kind in "fc" else np.iinfo(a.dtype).min
        pads = [(p, max(p, (o - 1) * s + d * (k - 1) + 1 - n - p))
                for n, k, s, p, d, o in zip((h, w), kernel, stride, padding, dilation, out_size)]
        win = _windows(_pad_spatial(a, pads, low), kernel, stride, dilation, out_size)  # (..., *out, kh, kw)
        # a running maximum over the kernel's positions, in PyTorch's order: a later value wins only if it is
        # larger (ties keep the first), or if it is nan (nan propagates, the last nan wins)
        values = win[..., 0, 0].copy()
        pick = np.zeros(values.shape, np.int64)
        for k in range(1, kernel[0] * kernel[1]):
            v = win[..., k // kernel[1], k % kernel[1]]
            later = v > values
            if a.dtype.kind == "f":
                later |= np.isnan(v)
            np.copyto(values, v, where=later)
            pick[later] = k
        kh, kw = kernel
        oh = np.arange(out_size[0])[:, None] * stride[0] - padding[0] + (pick // kw) * dilation[0]
        ow = np.arange(out_size[1])[None, :] * stride[1] - padding[1] + (pick % kw) * dilation[1]
        indices = T((oh * w + ow).astype(np.int64))
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(x, indices)
        return T(values), indices

    @staticmethod
    def backward(ctx, grad, _):
        x, indices = ctx.saved_tensors
        return MaxPoolScatter.apply(grad, indices, shape=x.shape)


class MaxPoolScatter(Op):
    rule = "z = g sent to the positions ``indices`` name (max pooling's backward).   dL/dg = h at those positions."
    node_name = "MaxPool2DWithIndicesBackwardBackward0"

    @staticmethod
    def forward(ctx, g, indices, shape):
        ctx.save_for_backward(indices)
        a, idx = g._data, indices._data
        plane = shape[-2] * shape[-1]
        rows = a.reshape(-1, a.shape[-2] * a.shape[-1])
        flat = (np.arange(rows.shape[0])[:, None] * plane + idx.reshape(rows.shape)).reshape(-1)
        out = np.bincount(flat, weights=rows.reshape(-1), minlength=rows.shape[0] * plane)
        return out.astype(a.dtype).reshape(shape)

    @staticmethod
    def backward(ctx, h):
        indices, = ctx.saved_tensors
        flat = h.flatten(-2).gather(-1, indices.flatten(-2))
        return flat.view(indices.shape), None


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The maximum of each ``kernel_size`` window, moved by ``stride`` (default: the kernel size)."""
    k, s, p, d, out = _pool_args("max", input, kernel_size, stride, padding, dilation, ceil_mode)
    values, indices = MaxPool2d.apply(input, kernel=k, stride=s, padding=p, dilation=d, out_size=out)
    return (values, indices) if return_indices else values


def _window_matrix(n, out, starts, ends):
    """A (out, n) 0/1 matrix: row i has ones at the inputs ``starts[i] <= j < ends[i]``."""
    j = np.arange(n)
    return (j >= np.asarray(starts)[:, None]) & (j < np.asarray(ends)[:, None])


class AvgPool2d(Op):
    """y = the mean of each window (the padding counts as zeros; ``count_include_pad`` says whether it counts in N).

    y is linear in x: along each spatial dimension output i sums inputs a_i <= j < b_i, so y = A x B^T / d with 0/1
    matrices A, B and divisors d, and dL/dx = A^T (g / d) B, a product of matrices (differentiable again).
    """
    rule = "y = mean over each window.   dL/dx = each g / N shared by the N inputs of its window."
    node_name = "AvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, out_size, rows, cols, divisor):
        a = x._data
        ctx.rows, ctx.cols, ctx.divisor = rows, cols, divisor
        h, w = a.shape[-2:]
        pads = [(p, max(p, (o - 1) * s + k - n - p)) for n, k, s, p, o in zip((h, w), kernel, stride, padding, out_size)]
        win = _windows(_pad_spatial(a, pads), kernel, stride, (1, 1), out_size)
        return win.sum((-2, -1)) / divisor.astype(a.dtype)  # (summed and divided in x's dtype, as PyTorch)

    @staticmethod
    def backward(ctx, grad):
        return _separable_adjoint(grad, ctx.rows, ctx.cols, ctx.divisor)


def _separable_adjoint(grad, rows, cols, divisor):
    """A^T (g / d) B for 0/1 window matrices A (rows), B (cols): tensor ops, so double backward works."""
    dt = grad.dtype.np
    return T(rows.T.astype(dt)) @ (grad / T(np.asarray(divisor, dt))) @ T(cols.astype(dt))


def _avg_windows(n, k, s, p, out, count_include_pad):
    starts = np.arange(out) * s - p
    ends = np.minimum(starts + k, n + p)
    size = ends - starts
    starts, ends = np.maximum(starts, 0), np.minimum(ends, n)
    return starts, ends, size if count_include_pad else ends - starts


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """The mean of each ``kernel_size`` window, moved by ``stride`` (default: the kernel size)."""
    k, s, p, _, out = _pool_args("avg", input, kernel_size, stride, padding, 1, ceil_mode)
    (sh, eh, nh), (sw, ew, nw) = (_avg_windows(n, ki, si, pi, o, count_include_pad)
                                  for n, ki, si, pi, o in zip(input.shape[-2:], k, s, p, out))
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
        divisor = np.full(out, float(divisor_override))
    else:
        divisor = np.outer(nh, nw).astype(np.float64)
    rows, cols = _window_matrix(input.shape[-2], out[0], sh, eh), _window_matrix(input.shape[-1], out[1], sw, ew)
    if not input.dtype.is_floating_point:  # (an integer mean rounds down, as PyTorch; no gradient)
        win = _windows(_pad_spatial(input._data, [(pi, max(pi, (o - 1) * si + ki - n - pi)) for n, ki, si, pi, o in
                                                   zip(input.shape[-2:], k, s, p, out)]), k, s, (1, 1), out)
        return T((win.sum((-2, -1)) // divisor.astype(np.int64)).astype(input._data.dtype))
    return AvgPool2d.apply(input, kernel=k, stride=s, padding=p, out_size=out, rows=rows, cols=cols, divisor=divisor)


class AdaptiveAvgPool2d(Op):
    """y = the mean of each of output_size windows that tile the input (window i spans floor(i n / m) to
    ceil((i + 1) n / m)).  Linear and separable like ``AvgPool2d``: dL/dx = A^T (g / d) B."""
    rule = "y = mean over each adaptive window.   dL/dx = each g / N shared by the N inputs of its window."
    node_name = "AdaptiveAvgPool2DBackward0"

    @staticmethod
    def forward(ctx, x, rows, cols, divisor):
        ctx.rows, ctx.cols, ctx.divisor = rows, cols, divisor
        a = x._data
        dt = a.dtype
        y = rows.astype(dt) @ a @ cols.T.astype(dt)
        return (y / divisor).astype(dt, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return _separable_adjoint(grad, ctx.rows, ctx.cols, ctx.divisor)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a given output size (``(1, 1)``: the mean of each channel)."""
    if input.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {list(input.shape)}")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"adaptive_avg_pool2d\" not implemented for '{input.dtype._legacy}'")
    sizes = tuple(output_size) if isinstance(output_size, (list, tuple)) else (output_size, output_size)
    if len(sizes) != 2:
        raise RuntimeError(f"adaptive_avg_pool2d: output_size must be 2, got {len(sizes)}")
    out = [n if o is None else int(o) for n, o in zip(input.shape[-2:], sizes)]  # (None keeps the input's size)
    if out == [1, 1]:  # PyTorch's shortcut: a mean over the plane
        return input.mean((-1, -2), keepdim=True)
    mats, counts = [], []
    for n, m in zip(input.shape[-2:], out):
        i = np.arange(m)
        starts, ends = (i * n) // m, -((-(i + 1) * n) // m)
        mats.append(_window_matrix(n, m, starts, ends))
        counts.append(ends - starts)
    return AdaptiveAvgPool2d.apply(input, rows=mats[0], cols=mats[1], divisor=np.outer(*counts).astype(np.float64))


# 1-d pooling: the 2-d op on (N, C, 1, L), as PyTorch does
def _as_2d(fn, input, name, *args, **kwargs):
    if input.ndim not in (2, 3):
        raise RuntimeError(f"{name}() Expected 2D or 3D input tensor, but got {list(input.shape)}")
    out = fn(input.unsqueeze(-2), *args, **kwargs)
    if isinstance(out, tuple):
        return tuple(o.squeeze(-2) for o in out)
    return out.squeeze(-2)


def _one(v, default=None):
    return (default if v is None else v) if not isinstance(v, (list, tuple)) else (v[0] if v else default)


@register("max_pool1d", method=False)
def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    k = _one(kernel_size)
    return _as_2d(max_pool2d, input, "max_pool1d", (1, k), (1, _one(stride, k)), (0, _one(padding)),
                  (1, _one(dilation)), ceil_mode, return_indices)


@register("avg_pool1d", method=False)
def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    k = _one(kernel_size)
    return _as_2d(avg_pool2d, input, "avg_pool1d", (1, k), (1, _one(stride, k)), (0, _one(padding)), ceil_mode,
                  count_include_pad)


@register("adaptive_avg_pool1d", method=False)
def adaptive_avg_pool1d(input, output_size):
    return _as_2d(adaptive_avg_pool2d, input, "adaptive_avg_pool1d", (1, _one(output_size)))


register("max_pool2d", method=False)(max_pool2d)
