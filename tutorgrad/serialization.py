"""``save`` and ``load`` without pickle: loading a file can never run code.

The format (version 1) is a ZIP archive, like PyTorch's, whose entries are all
stored uncompressed:

* ``tutorgrad/format`` — the text ``tutorgrad-save-v1``;
* ``tutorgrad/index.json`` — the saved object as JSON (UTF-8), built from:

  - ``null``, ``true``/``false``, integers, finite numbers, strings and lists (a list);
  - ``{"tensor": N, "dtype": "float32", "requires_grad": false}`` (plus
    ``"parameter": true`` for an ``nn.Parameter``): tensor N;
  - ``{"tuple": [...]}``, ``{"dict": [[key, value], ...]}`` (keys are strings or integers),
    ``{"float": "nan" | "inf" | "-inf"}`` and ``{"complex": ["1.5", "-0.0"]}`` (each part
    written as Python's ``repr`` of a float);
* ``tutorgrad/tensors/N.npy`` — tensor N in NumPy's ``.npy`` format (version 1.0, C order;
  ``load`` also reads a version 2.0 header and big-endian data), one file for each tensor in
  the index, each used once.

Supported values: tensors (also ``nn.Parameter``), dicts with str/int keys (an
``OrderedDict`` loads as a plain dict, in order), lists, tuples, str, int, float,
bool, complex and None: everything a ``state_dict`` holds.

What ``load`` promises. It never runs code from the file (no pickle; ``.npy`` data is read
as raw numbers) and never allocates more than a small multiple of the file's own size.
Before it builds anything it checks the whole file against the format above, and it returns
either exactly what ``save`` wrote or raises ``UnpicklingError`` (a ``RuntimeError``) with a
short message that says what is wrong — never a copy of the file's content. It refuses:

* anything that is not such a ZIP archive (pickles, PyTorch ``.pt`` files, text, truncated
  downloads), and archives with data before or after the ZIP records or a ZIP comment;
* ZIP features ``save`` never uses: compression, encryption, data descriptors, other flags,
  entry names other than the ones above (so no ``..`` or absolute paths), duplicate
  entries, and entries whose checksum (CRC-32) or header does not match;
* an index that is not strict JSON: ``NaN``/``Infinity`` literals, numbers too large for a
  float, duplicate keys, nesting too deep, or not UTF-8;
* an index whose values have the wrong type (``"requires_grad": "no"``, a float as a dict
  key, a string where a tuple's list belongs, ``"tensor": true``, a float written other
  than as ``repr`` writes it, such as ``"1_0"``), tags it does not know, and
  ``requires_grad`` on a tensor whose dtype cannot require gradients (only floating-point
  tensors can);
* ``.npy`` data whose header is not what ``save`` writes (other versions or header
  syntax, Fortran order), whose dtype differs from the index's, or whose shape does not
  match the number of bytes that follow; tensor files the index does not use, or uses twice.
"""
import io
import json
import math
import os
import re
import struct
import zipfile
import zlib

import numpy as np

from . import _dtypes as D

MAGIC = "tutorgrad-save-v1"
FORMAT, INDEX = "tutorgrad/format", "tutorgrad/index.json"
_TENSOR_NAME = re.compile(r"tutorgrad/tensors/(0|[1-9][0-9]{0,8})\.npy")
_FORMAT_NAME = re.compile(r"tutorgrad-save-v[0-9]{1,6}")
_UTF8_NAMES = 0x800  # the only ZIP flag bit save may set (a non-ASCII name; save's names are ASCII)
# The header np.save writes (np.lib.format): a Python dict literal, padded with spaces, then a newline.
_NPY_HEADER = re.compile(r"\{'descr': '([<>|][a-z][0-9]{1,2})', 'fortran_order': (False|True), "
                         r"'shape': \(((?:[0-9]{1,20}, )*(?:[0-9]{1,20},?)?)\), \} *\n")
_NPY_MAX_DIMS = 64
_REFUSAL_HINT = ("tutorgrad.load reads only files written by tutorgrad.save; other files (pickles, PyTorch .pt "
                 "files) can't be read, and a damaged one must be saved again.")


class UnpicklingError(RuntimeError):
    """The file is not a tutorgrad save file, or it is damaged."""


def _refuse(reason, *, foreign=False):
    """The one error ``load`` raises for a bad file: what is wrong, in a sentence (never the file's content)."""
    return UnpicklingError(f"{'not a tutorgrad file' if foreign else 'damaged tutorgrad file'}: {reason}. "
                           f"{_REFUSAL_HINT}")


def _brief(value):
    """A short, safe description of a value read from a file: its repr if short, else its kind and size."""
    text = repr(value)
    if len(text) <= 24 and text.isascii() and text.isprintable():
        return text
    if isinstance(value, str):
        return f"a {len(value):,}-character string"
    return f"a {_json_kind(value)}" + (f" of {len(value):,} items" if isinstance(value, (list, dict)) else "")


def _json_kind(value):
    """What a value parsed from JSON was in the JSON text."""
    return {type(None): "null", bool: "true/false", int: "integer", float: "number with a fraction", str: "string",
            list: "list", dict: "object"}.get(type(value), type(value).__name__)


# --------------------------------------------------------------------------------------------------- writing
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


def save(obj, f):
    """Write ``obj`` (a tensor, or a dict/list/tuple of tensors and numbers) to a path or binary file.

    >>> tutorgrad.save({"w": w, "step": 10}, "model.tg")
    """
    if isinstance(f, (str, os.PathLike)):
        parent = os.path.dirname(os.fspath(f))
        if parent and not os.path.isdir(parent):  # PyTorch checks this too, before writing anything
            raise RuntimeError(f"Parent directory {parent} does not exist. Create it first "
                               f"(os.makedirs({parent!r}, exist_ok=True)) or save somewhere else.")
    arrays = []
    index = _encode(obj, arrays)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr(FORMAT, MAGIC)
        z.writestr(INDEX, json.dumps(index))
        for i, arr in enumerate(arrays):
            data = io.BytesIO()
            np.save(data, np.asarray(arr, order="C"), allow_pickle=False)  # (ascontiguousarray would make 0-d 1-d)
            z.writestr(f"tutorgrad/tensors/{i}.npy", data.getvalue())
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            fh.write(buf.getvalue())
    else:
        f.write(buf.getvalue())


# --------------------------------------------------------------------------------------------------- reading
def load(f, map_location=None, weights_only=True, **kwargs):
    """Read what ``save`` wrote. Never executes code; a foreign or damaged file raises ``UnpicklingError``.

    See the module's docstring for the format and for everything ``load`` checks.
    """
    if map_location not in (None, "cpu") and str(map_location) != "cpu":
        from ._device import no_cuda
        no_cuda(str(map_location))
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            raw = fh.read()
    else:
        raw = f.read()
        if isinstance(raw, str):
            raise TypeError("tutorgrad.load needs a file opened in binary mode: open(path, 'rb'), not 'r'")
    raw = bytes(raw)
    members = _read_archive(raw)
    index = _parse_index(members[INDEX])
    tensors = {int(_TENSOR_NAME.fullmatch(name).group(1)): blob for name, blob in members.items()
               if name.startswith("tutorgrad/tensors/")}
    decoder = _Decoder(tensors)
    try:
        obj = decoder.decode(index)
    except RecursionError:
        raise _refuse("its index is nested too deeply") from None
    unused = sorted(set(tensors) - decoder.used)
    if unused:
        raise _refuse(f"it holds {len(unused)} tensor file(s) that its index does not use (the first: "
                      f"tensors/{unused[0]}.npy)")
    return obj


def _read_archive(raw):
    """``{name: bytes}`` of every entry, after checking the archive is one that ``save`` could have written."""
    if not raw:
        raise _refuse("the file is empty", foreign=True)
    if not raw.startswith(b"PK\x03\x04"):
        pickled = raw[:1] == b"\x80" or raw[:2] in (b"(d", b"(l", b"}q", b"]q")
        what = "a pickle (e.g. pickle.dump, or torch.save with the old format)" if pickled else "a ZIP archive"
        raise _refuse(f"it is {'' if pickled else 'not '}{what}", foreign=True)
    try:
        z = zipfile.ZipFile(io.BytesIO(raw))
        infos = z.infolist()
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, struct.error, IndexError, KeyError,
            NotImplementedError) as e:  # (NotImplementedError: a "version needed to extract" beyond zipfile's)
        truncated = b"PK\x05\x06" not in raw[-(1 << 16) - 22:]
        raise _refuse("it ends before the ZIP archive's directory (a truncated download or copy?)" if truncated
                      else f"its ZIP directory is damaged ({type(e).__name__})") from None
    names = [info.filename for info in infos]
    if FORMAT not in names:
        hint = " (it looks like a PyTorch file: tutorgrad can't read those)" if any(
            n.endswith("data.pkl") for n in names) else ""
        raise _refuse(f"it has no {FORMAT} entry{hint}", foreign=True)
    if len(set(names)) != len(names):
        raise _refuse("an entry appears twice in its ZIP directory")
    if raw[-22:-18] != b"PK\x05\x06" or z.comment:
        raise _refuse("there is data after the end of its ZIP archive")
    if min(info.header_offset for info in infos) != 0:
        raise _refuse("there is data before its first ZIP entry")
    for info in infos:
        name = info.filename
        if name not in (FORMAT, INDEX) and not _TENSOR_NAME.fullmatch(name):
            raise _refuse(f"it has an entry tutorgrad.save never writes ({_brief(name)})")
        if info.flag_bits & 0x1:
            raise _refuse(f"its entry {name} is encrypted (tutorgrad.save never encrypts)")
        if info.flag_bits & ~_UTF8_NAMES:
            raise _refuse(f"its entry {name} uses ZIP features tutorgrad.save never uses (flags "
                          f"{info.flag_bits:#06x})")
        if info.extract_version > 45:  # 2.0, or 4.5 for ZIP64 (archives over 4 GiB)
            raise _refuse(f"its entry {name} needs a ZIP reader of version {info.extract_version / 10:.1f}; "
                          "tutorgrad.save writes version 2.0")
        if info.compress_type != zipfile.ZIP_STORED:
            raise _refuse(f"its entry {name} is compressed (method {info.compress_type}); tutorgrad.save stores "
                          "entries uncompressed")
        if info.compress_size != info.file_size or info.header_offset + info.file_size > len(raw):
            raise _refuse(f"the size of its entry {name} does not fit the file")
    if INDEX not in names:
        raise _refuse(f"it has no {INDEX} entry")
    count = len(infos) - 2
    missing = next((i for i in range(count) if f"tutorgrad/tensors/{i}.npy" not in names), None)
    if missing is not None:
        raise _refuse(f"it has {count} tensor files but not tensors/{missing}.npy")
    if next(i for i in infos if i.filename == FORMAT).file_size > 64:
        raise _refuse(f"its {FORMAT} entry is not a format name")
    members = {}
    for info in infos:
        try:
            members[info.filename] = z.read(info)  # stored: exactly file_size bytes, checked against the CRC-32
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, struct.error, NotImplementedError, zlib.error):
            raise _refuse(f"its entry {info.filename} is damaged (its checksum or header does not match)") from None
    magic = members[FORMAT].decode("ascii", "replace")
    if magic != MAGIC:
        if _FORMAT_NAME.fullmatch(magic):
            raise _refuse(f"it has format {magic[len('tutorgrad-save-'):]}, and this version of tutorgrad reads "
                          f"only {MAGIC[len('tutorgrad-save-'):]} (a newer tutorgrad wrote it?)", foreign=True)
        raise _refuse(f"its {FORMAT} entry is not a format name")
    return members


def _no_constant(name):
    raise _refuse(f"its index has the literal {name}, which is not JSON (tutorgrad.save writes "
                  '{"float": "nan"} instead)')


def _finite(text):
    value = float(text)
    if not math.isfinite(value):
        raise _refuse("its index has a number too large for a float")
    return value


def _no_duplicates(pairs):
    if len({k for k, _ in pairs}) != len(pairs):
        raise _refuse("its index has an object with the same key twice")
    return dict(pairs)


def _parse_index(blob):
    """The index as Python values, from strict JSON only."""
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse("its index is not UTF-8 text") from None
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise _refuse("its index is nested too deeply") from None
    except json.JSONDecodeError as e:
        raise _refuse(f"its index is not valid JSON ({e.msg} at character {e.pos:,})") from None
    except ValueError:  # an integer of more than 4,300 digits
        raise _refuse("its index has an integer too long to read") from None


def _float_repr(text):
    """The float whose ``repr`` is ``text``; None if ``text`` is anything else (``save`` writes ``repr``)."""
    if type(text) is not str or len(text) > 32:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if repr(value) == text else None


class _Decoder:
    """Builds the saved object from the parsed index, checking every value's type as it goes."""

    def __init__(self, tensors):
        self.tensors = tensors
        self.used = set()

    def decode(self, node):
        kind = type(node)
        if node is None or kind in (bool, int, float, str):  # (floats are finite: _parse_index checked)
            return node
        if kind is list:
            return [self.decode(x) for x in node]
        keys = set(node)
        if keys in ({"tensor", "dtype", "requires_grad"}, {"tensor", "dtype", "requires_grad", "parameter"}):
            return self.tensor(node)
        if len(node) == 1:
            (tag, value), = node.items()
            if tag == "tuple" and type(value) is list:
                return tuple(self.decode(x) for x in value)
            if tag == "dict" and type(value) is list:
                return self.dict(value)
            if tag == "float" and value in ("nan", "inf", "-inf"):
                return float(value)
            if tag == "complex" and type(value) is list and len(value) == 2:
                real, imag = _float_repr(value[0]), _float_repr(value[1])
                if real is not None and imag is not None:
                    return complex(real, imag)
            if tag in ("tuple", "dict", "float", "complex"):
                raise _refuse(f"its index has a {tag!r} entry whose value is {_brief(value)}, not what "
                              f"tutorgrad.save writes for a {tag}")
        raise _refuse(f"its index has an object with keys {_brief(sorted(keys))}, which is none of the entries "
                      "tutorgrad.save writes")

    def dict(self, items):
        out = {}
        for item in items:
            if type(item) is not list or len(item) != 2:
                raise _refuse(f"its index has a dict item that is {_brief(item)}, not a [key, value] pair")
            key, value = item
            if type(key) not in (str, int):
                raise _refuse(f"its index has a dict key that is a {_json_kind(key)}; keys are strings or integers")
            if key in out:
                raise _refuse(f"its index has a dict with the key {_brief(key)} twice")
            out[key] = self.decode(value)
        return out

    def tensor(self, node):
        i, name, requires_grad = node["tensor"], node["dtype"], node["requires_grad"]
        if type(i) is not int or i not in self.tensors:
            raise _refuse(f"its index refers to tensor {_brief(i)}, which is not in the file")
        if i in self.used:
            raise _refuse(f"its index refers to tensor {i} twice")
        self.used.add(i)
        dtype = D._by_name.get(name) if type(name) is str else None
        if dtype is None:
            raise _refuse(f"its index gives tensor {i} the dtype {_brief(name)}, which tutorgrad does not have")
        if type(requires_grad) is not bool or type(node.get("parameter", True)) is not bool:
            raise _refuse(f"its index has a tensor {i} whose requires_grad or parameter is not true or false")
        if requires_grad and not dtype.is_floating_point:
            raise _refuse(f"its index marks tensor {i} (dtype {dtype.name}) as requiring gradients, which only "
                          "floating-point tensors can")
        from .tensor import Tensor
        t = Tensor._wrap(_read_npy(self.tensors[i], i, dtype))
        if node.get("parameter"):
            from .nn import Parameter
            return Parameter(t, requires_grad=requires_grad)
        return t.requires_grad_(True) if requires_grad else t


def _read_npy(blob, i, dtype):
    """Tensor ``i``'s array from ``.npy`` bytes, after checking the header against the index and the data
    length against the header's shape (a header may claim any shape: nothing is allocated before this)."""
    where = f"tensors/{i}.npy"
    if blob[:8] == b"\x93NUMPY\x01\x00" and len(blob) >= 10:
        head, size = 10, int.from_bytes(blob[8:10], "little")
    elif blob[:8] == b"\x93NUMPY\x02\x00" and len(blob) >= 12:
        head, size = 12, int.from_bytes(blob[8:12], "little")
    else:
        raise _refuse(f"{where} does not start like the .npy files tutorgrad.save writes")
    start = head + size
    match = _NPY_HEADER.fullmatch(blob[head:start].decode("latin-1")) if size <= 4096 and start <= len(blob) else None
    if match is None:
        raise _refuse(f"the header of {where} is damaged, or not one tutorgrad.save writes")
    descr, fortran, shape_text = match.groups()
    if fortran == "True":
        raise _refuse(f"{where} is in Fortran order; tutorgrad.save writes C order")
    shape = tuple(int(n) for n in shape_text.split(",") if n.strip())
    if len(shape) > _NPY_MAX_DIMS:
        raise _refuse(f"{where} has {len(shape)} dimensions, more than the {_NPY_MAX_DIMS} a tensor can have")
    if descr not in (dtype.np.newbyteorder("<").str, dtype.np.newbyteorder(">").str):
        raise _refuse(f"{where} holds {descr} numbers but the index says {dtype.name}")
    if math.prod(shape) * dtype.itemsize != len(blob) - start:
        shown = str(list(shape))
        shown = shown if len(shown) <= 40 else f"of {len(shape)} dimensions"
        raise _refuse(f"the header of {where} claims a shape {shown} that does not match the {len(blob) - start:,} "
                      "bytes of data that follow")
    arr = np.frombuffer(blob, dtype=descr, count=math.prod(shape), offset=start).reshape(shape)
    return arr.astype(dtype.np)  # native byte order, in memory of its own (writable)
