"""Dimensions and shapes, checked with PyTorch's errors (ground floor).

``wrap_dim(-1, 3) == 2``; ``broadcast_shapes((3, 1), (4,)) == (3, 4)``; ``infer_shape((-1, 2), 6)
== (3, 2)``; ``normalize_size(((2, 3),)) == (2, 3)`` (``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])``
all mean the same size).
"""
import numbers

import numpy as np

from . import _registered


def wrap_dim(dim, ndim):
    """A possibly negative dimension index as a positive one, with PyTorch's error."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return int(dim) % n


def wrap_dims(dim, ndim):
    """One dimension or several, as a sorted tuple of positive ones."""
    if isinstance(dim, (tuple, list)):
        dims = tuple(sorted(wrap_dim(d, ndim) for d in dim))
    else:
        dims = (wrap_dim(dim, ndim),)
    return dims if ndim else ()  # a 0-d tensor accepts dim 0 / -1, and there is nothing to reduce


def broadcast_shapes(*shapes):
    """The shape two operands broadcast to, or PyTorch's error naming the clashing dimension."""
    ndim = max([len(s) for s in shapes])
    out = []
    for i in range(-ndim, 0):
        size = 1
        for s in shapes:
            if len(s) >= -i and s[i] != 1:  # size 1 stretches to anything, even 0
                if size != 1 and s[i] != size:
                    raise RuntimeError(f"The size of tensor a ({size}) must match the size of tensor b ({s[i]}) "
                                       f"at non-singleton dimension {ndim + i}")
                size = s[i]
        out.append(size)
    return tuple(out)


def infer_shape(shape, numel):
    """``shape`` with its one ``-1`` worked out so that it holds ``numel`` elements."""
    shape = list(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    if -1 in shape:
        known = int(np.prod([s for s in shape if s != -1]))
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
        shape[shape.index(-1)] = numel // known
    if any(s < 0 for s in shape):
        raise RuntimeError(f"invalid shape dimension {min(shape)}")
    if int(np.prod(shape)) != numel:
        raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size {numel}")
    return tuple(shape)


def normalize_size(size, fn="size"):
    """Accept f(2, 3), f((2, 3)), f([2, 3]) and f(Size) like PyTorch."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    Tensor = _registered.Tensor
    out = []
    for s in size:
        if type(s) is int:  # (the usual case, before the checks for the rest: an ABC's isinstance is slow)
            out.append(s)
            continue
        if isinstance(s, Tensor) and s.numel() == 1 and not s.dtype.is_floating_point:
            s = s.item()
        if not isinstance(s, (numbers.Integral, np.integer)) or isinstance(s, bool):
            raise TypeError(f"{fn}(): argument 'size' must be a tuple of ints, but found element of type "
                            f"{type(s).__name__}")
        out.append(int(s))
    return tuple(out)
