"""``save`` and ``load`` without pickle: loading a file can never run code.

The format (version 1) is a ZIP archive, like PyTorch's, holding:

* ``tutorgrad/format`` — the text ``tutorgrad-save-v1``;
* ``tutorgrad/index.json`` — the saved object as JSON, where each tensor is
  ``{"tensor": N, "dtype": "float32", "requires_grad": false}`` and tuples,
  non-finite floats and complex numbers are tagged explicitly;
* ``tutorgrad/tensors/N.npy`` — tensor N in NumPy's ``.npy`` format, read
  with ``allow_pickle=False``.

Members are stored uncompressed. ``load`` refuses a member that would unpack to
more than the file's own size (a "zip bomb") and a ``.npy`` header whose shape
does not match the data that follows, before allocating anything for it.

Supported values: tensors (also ``nn.Parameter``), dicts with str/int keys (an
``OrderedDict`` loads as a plain dict, in order), lists, tuples, str, int, float,
bool, complex and None: everything a ``state_dict`` holds.
"""
import io
import json
import math
import os
import zipfile

import numpy as np

from . import _dtypes as D

MAGIC = "tutorgrad-save-v1"


class UnpicklingError(RuntimeError):
    """The file is not a tutorgrad save file, or it is damaged."""


def _encode(obj, arrays):
    from .tensor import Tensor
    if isinstance(obj, Tensor):
        arrays.append(obj.detach()._data)
        entry = {"tensor": len(arrays) - 1, "dtype": obj.dtype.name, "requires_grad": obj.requires_grad}
        if type(obj).__name__ == "Parameter":
            entry["parameter"] = True
        return entry
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        obj = float(obj)
        return obj if math.isfinite(obj) else {"float": repr(obj)}
    if isinstance(obj, complex):
        return {"complex": [repr(obj.real), repr(obj.imag)]}
    if isinstance(obj, tuple):
        return {"tuple": [_encode(x, arrays) for x in obj]}
    if isinstance(obj, list):
        return [_encode(x, arrays) for x in obj]
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise TypeError(f"tutorgrad.save: dictionary keys must be str or int, got {type(k).__name__}")
            items.append([k, _encode(v, arrays)])
        return {"dict": items}
    raise TypeError(f"tutorgrad.save can store tensors, numbers, strings, None and lists/tuples/dicts of them; "
                    f"got {type(obj).__name__}. (It does not use pickle, so arbitrary objects can't be saved.)")


def _decode(node, arrays):
    from .tensor import Tensor
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [_decode(x, arrays) for x in node]
    if not isinstance(node, dict) or len(node) == 0:
        raise UnpicklingError(f"corrupt tutorgrad file: unexpected entry {node!r}")
    if "tensor" in node:
        i = node["tensor"]
        if not isinstance(i, int) or not 0 <= i < len(arrays):
            raise UnpicklingError(f"corrupt tutorgrad file: tensor reference {i!r} has no data")
        arr = arrays[i]
        if D._by_name.get(node.get("dtype")) is None or arr.dtype != D._by_name[node["dtype"]].np:
            raise UnpicklingError(f"corrupt tutorgrad file: tensor {i} has dtype {arr.dtype}, index says "
                                  f"{node.get('dtype')}")
        t = Tensor._wrap(arr)
        if node.get("parameter"):
            from .nn import Parameter
            return Parameter(t, requires_grad=bool(node.get("requires_grad")))
        if node.get("requires_grad"):
            t.requires_grad_(True)
        return t
    (tag, value), = node.items()
    if tag == "float":
        return float(value)
    if tag == "complex":
        return complex(float(value[0]), float(value[1]))
    if tag == "tuple":
        return tuple(_decode(x, arrays) for x in value)
    if tag == "dict":
        return {k: _decode(v, arrays) for k, v in value}
    raise UnpicklingError(f"corrupt tutorgrad file: unknown entry type {tag!r}")


def save(obj, f):
    """Write ``obj`` (a tensor, or a dict/list/tuple of tensors and numbers) to a path or binary file.

    >>> tutorgrad.save({"w": w, "step": 10}, "model.tg")
    """
    arrays = []
    index = _encode(obj, arrays)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("tutorgrad/format", MAGIC)
        z.writestr("tutorgrad/index.json", json.dumps(index))
        for i, arr in enumerate(arrays):
            data = io.BytesIO()
            np.save(data, np.asarray(arr, order="C"), allow_pickle=False)  # (ascontiguousarray would make 0-d 1-d)
            z.writestr(f"tutorgrad/tensors/{i}.npy", data.getvalue())
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            fh.write(buf.getvalue())
    else:
        f.write(buf.getvalue())


def _read_member(z, name, archive_size):
    """The bytes of one archive member, refusing one that would unpack to more than the whole file.

    ``save`` stores members uncompressed, so none of its files has such a member; a crafted one
    (a "zip bomb": a few kilobytes that inflate to gigabytes) is refused before it is inflated.
    """
    size = z.getinfo(name).file_size
    if size > archive_size:
        raise UnpicklingError(f"not a tutorgrad file: its entry {name} would unpack to {size:,} bytes, more than the "
                              f"{archive_size:,}-byte file itself (tutorgrad.save writes uncompressed archives)")
    return z.read(name)


def _read_npy(blob, i):
    """An array from ``.npy`` bytes, after checking that the header's shape matches the data that is there
    (a header may claim any shape: NumPy would allocate it before finding the data missing)."""
    f = io.BytesIO(blob)
    version = np.lib.format.read_magic(f)
    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, _, dtype = read_header(f)
    if dtype.hasobject or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise UnpicklingError(f"not a tutorgrad file: tensor {i} has dtype {dtype} or shape {shape}, which "
                              "tutorgrad.save never writes")
    expected = math.prod(shape) * dtype.itemsize
    if len(blob) - f.tell() != expected:
        raise UnpicklingError(f"damaged tutorgrad file: tensor {i} has shape {list(shape)} ({expected:,} bytes of "
                              f"{dtype}) but {len(blob) - f.tell():,} bytes of data")
    f.seek(0)
    return np.load(f, allow_pickle=False)


def load(f, map_location=None, weights_only=True, **kwargs):
    """Read what ``save`` wrote. Never executes code; a foreign or damaged file raises ``UnpicklingError``."""
    if map_location not in (None, "cpu") and str(map_location) != "cpu":
        from .tensor import _no_cuda
        _no_cuda(str(map_location))
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            raw = fh.read()
    else:
        raw = f.read()
    try:
        z = zipfile.ZipFile(io.BytesIO(raw))
        names = set(z.namelist())
        if "tutorgrad/format" not in names:
            hint = " (it looks like a PyTorch file: tutorgrad can't read those)" if any(
                n.endswith("data.pkl") for n in names) else ""
            raise UnpicklingError(f"not a tutorgrad file: it has no tutorgrad/format entry{hint}")
        magic = z.read("tutorgrad/format").decode("utf-8", "replace")
        if magic != MAGIC:
            raise UnpicklingError(f"unsupported tutorgrad file format {magic!r} (this version reads {MAGIC!r})")
        index = json.loads(_read_member(z, "tutorgrad/index.json", len(raw)))
        arrays = []
        i = 0
        while f"tutorgrad/tensors/{i}.npy" in names:
            arrays.append(_read_npy(_read_member(z, f"tutorgrad/tensors/{i}.npy", len(raw)), i))
            i += 1
        return _decode(index, arrays)
    except UnpicklingError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, IndexError, EOFError, OSError, RecursionError) as e:
        # (a crafted index can be malformed in many ways: each is a damaged file, never a crash inside load)
        raise UnpicklingError(f"not a tutorgrad file, or a damaged one: {e}. Files written by tutorgrad.save can "
                              "be read; other files (pickles, PyTorch .pt files, truncated downloads) can't.") from None
