"""How a ``DataLoader`` turns a list of samples into a batch: ``default_collate`` (and ``default_convert``).

``default_collate`` works through the structure of the first sample, as PyTorch's does:

* tensors           -> ``stack``-ed along a new first dimension
* NumPy arrays      -> tensors, then stacked (arrays of text or objects are refused)
* NumPy scalars     -> one tensor of their dtype
* ``float``         -> a float64 tensor; ``int`` -> int64 (``bool`` -> bool)
* ``str``/``bytes`` -> left as they are (a list of them)
* dicts             -> the same keys, each collated
* namedtuples       -> the same namedtuple, each field collated
* tuples and lists  -> "transposed": ``[(x1, y1), (x2, y2)]`` -> ``[collate([x1, x2]), collate([y1, y2])]``
  (a list of them: PyTorch returns a list for tuples too)

>>> default_collate([(tutorgrad.tensor([1., 2.]), 0), (tutorgrad.tensor([3., 4.]), 1)])
[tensor([[1., 2.],
        [3., 4.]]), tensor([0, 1])]
"""
import collections.abc
import copy
import re

import numpy as np

from ....tensor import Tensor
from ....creation import as_tensor, tensor
from ....ops.shape import stack
from .... import _dtypes as D

__all__ = ["collate", "default_collate", "default_convert", "default_collate_fn_map", "collate_tensor_fn",
           "collate_numpy_array_fn", "collate_numpy_scalar_fn", "collate_float_fn", "collate_int_fn",
           "collate_str_fn"]

# NumPy dtypes that are not numbers: byte strings, unicode, objects
np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                                  "lists; found {}")


def default_convert(data):
    """Turn NumPy arrays (and scalars) inside ``data`` into tensors; everything else stays as it is.

    What a ``DataLoader`` with ``batch_size=None`` applies to each sample.

    >>> default_convert([np.array([0, 1]), "text"])
    [tensor([0, 1]), 'text']
    """
    kind = type(data)
    if isinstance(data, Tensor):
        return data
    if kind.__module__ == "numpy" and kind.__name__ not in ("str_", "string_"):
        if kind.__name__ == "ndarray" and np_str_obj_array_pattern.search(data.dtype.str) is not None:
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return kind(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]  # (a list, as PyTorch)
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def _rebuild_mapping(like, items):
    """A mapping of ``like``'s type holding ``items`` (a plain dict if that type cannot be rebuilt)."""
    try:
        if isinstance(like, collections.abc.MutableMapping):
            clone = copy.copy(like)
            clone.update(items)
            return clone
        return type(like)(items)
    except TypeError:
        return items


def _rebuild_sequence(like, items):
    try:
        if isinstance(like, collections.abc.MutableSequence):
            clone = copy.copy(like)
            for i, item in enumerate(items):
                clone[i] = item
            return clone
        return type(like)(items)
    except TypeError:
        return items


def collate(batch, *, collate_fn_map=None):
    """Collate ``batch`` by the structure of its first element; ``collate_fn_map`` maps element types to
    functions ``fn(batch, *, collate_fn_map)`` for the leaves (``default_collate_fn_map`` is the default one).
    """
    elem = batch[0]
    kind = type(elem)
    if collate_fn_map is not None:
        if kind in collate_fn_map:
            return collate_fn_map[kind](batch, collate_fn_map=collate_fn_map)
        for leaf_type, fn in collate_fn_map.items():
            if isinstance(elem, leaf_type):
                return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(elem, {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                                       for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return kind(*(collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)]
        return columns if isinstance(elem, tuple) else _rebuild_sequence(elem, columns)
    raise TypeError(default_collate_err_msg_format.format(kind))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    return stack(list(batch), 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    if np_str_obj_array_pattern.search(batch[0].dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(batch[0].dtype))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    return as_tensor(list(batch))


def collate_float_fn(batch, *, collate_fn_map=None):
    return tensor(list(batch), dtype=D.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    return tensor(list(batch))


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Stack a list of samples into a batch (see the module docstring for each kind of element).

    >>> default_collate([{"x": 1.5, "label": "cat"}, {"x": 2.0, "label": "dog"}])
    {'x': tensor([1.5000, 2.0000], dtype=tutorgrad.float64), 'label': ['cat', 'dog']}
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
