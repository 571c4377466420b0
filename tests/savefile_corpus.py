"""A seeded corpus of damaged and hand-made tutorgrad save files, and a runner that loads each one.

Each case is ``(name, data, expect, original)``:

* ``expect="refuse"``: ``tutorgrad.load`` must raise ``UnpicklingError`` (a hand-made file that breaks the
  format: every kind of damage named in the format's documentation, pickles that would run code, ...);
* ``expect="same"``: random damage (bit flips, bytes overwritten, header fields changed, truncations) to a
  real saved file: ``load`` must return exactly ``original`` (the damage hit a field ``load`` does not use,
  such as a timestamp) or raise ``UnpicklingError``;
* ``expect="load"``: a valid file that ``save`` does not write itself (big-endian ``.npy``, a v2.0 header):
  ``load`` must return exactly ``original``.

Every refusal must be an ``UnpicklingError`` with a short, printable message naming tutorgrad; any other
exception, a marker file written by a pickle payload, or a ``MemoryError`` under the memory limit fails.

Run as a script (``python tests/savefile_corpus.py``) it builds the corpus, limits its own address space,
loads every file and prints a JSON summary; ``tests/test_load_corpus.py`` runs it that way.
"""
import argparse
import io
import json
import math
import os
import pickle
import random
import struct
import time
import warnings
import zipfile

import numpy as np

import tutorgrad
from tutorgrad.serialization import UnpicklingError

MAX_MESSAGE = 300  # characters: "a few hundred at most"


# --------------------------------------------------------------------------------------------------- helpers
class Exploit:
    """Unpickling this creates a marker file: proof that code ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def saved(obj):
    buf = io.BytesIO()
    tutorgrad.save(obj, buf)
    return buf.getvalue()


def zip_bytes(entries, compression=zipfile.ZIP_STORED):
    """A ZIP archive of ``{name: bytes or str}``, in order (duplicates: give a list of pairs; a name may be a
    ``ZipInfo``)."""
    buf = io.BytesIO()
    pairs = entries.items() if isinstance(entries, dict) else entries
    with zipfile.ZipFile(buf, "w", compression=compression) as z, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": on purpose
        for name, data in pairs:
            z.writestr(name, data)
    return buf.getvalue()


def npy_bytes(arr, allow_pickle=False):
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=allow_pickle)
    return buf.getvalue()


def npy_with_header(header, data, version=(1, 0)):
    """``.npy`` bytes with a header text of our choosing (padded like NumPy's) and raw ``data``."""
    text = header.encode("latin-1")
    if version == (1, 0):
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text + data
    return b"\x93NUMPY" + bytes(version) + struct.pack("<I", len(text)) + text + data


def header_text(descr, shape, fortran=False):
    return "{'descr': %r, 'fortran_order': %s, 'shape': %r, }" % (descr, fortran, tuple(shape)) + " " * 8 + "\n"


def entries_of(data):
    """``{name: bytes}`` of a saved file, in order."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


def with_entries(data, **changes):
    """A saved file rebuilt (valid CRCs) with some entries replaced: ``index=...``, ``format=...``, ``t0=...``."""
    entries = entries_of(data)
    names = {"index": "tutorgrad/index.json", "format": "tutorgrad/format"}
    for key, value in changes.items():
        name = names.get(key) or f"tutorgrad/tensors/{key[1:]}.npy"
        if value is None:
            entries.pop(name)
        else:
            entries[name] = value.encode() if isinstance(value, str) else value
    return zip_bytes(entries)


def assert_identical(a, b):
    """Same type, structure, dtypes, shapes, bits (nan == nan, -0.0 != 0.0) and requires_grad."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, tutorgrad.Tensor):
        assert a.dtype is b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
        assert a.is_leaf and b.is_leaf
        x, y = a.detach().numpy(), b.detach().numpy()
        assert np.ascontiguousarray(x).tobytes() == np.ascontiguousarray(y).tobytes()
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            assert_identical(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_identical(x, y)
    elif isinstance(a, complex):
        assert_identical(a.real, b.real)
        assert_identical(a.imag, b.imag)
    elif isinstance(a, float):
        assert (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    else:
        assert a == b


# --------------------------------------------------------------------------------------- the original files
def originals():
    """Real files written by ``tutorgrad.save``: ``{name: (object, bytes)}``."""
    tutorgrad.manual_seed(0)
    model = tutorgrad.nn.Sequential(tutorgrad.nn.Linear(4, 3), tutorgrad.nn.ReLU(), tutorgrad.nn.Linear(3, 2))
    # (model.state_dict() is an OrderedDict, which loads as a plain dict)
    checkpoint = {"model": dict(model.state_dict()), "epoch": 7, "lr": 1e-3, "betas": (0.9, 0.999),
                  "losses": [0.5, 0.25, float("nan")], "name": "mlp ✓", "best": None, "done": False,
                  "p": tutorgrad.nn.Parameter(tutorgrad.ones(2))}
    every = {d: tutorgrad.tensor([0, 1], dtype=getattr(tutorgrad, d)) for d in
             ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64",
              "complex128"]}
    every.update({"scalar": tutorgrad.tensor(2.5), "empty": tutorgrad.zeros(2, 0, 3),
                  "grad": tutorgrad.tensor([[1.0, -2.0]], requires_grad=True), 7: "int key", "": (),
                  "specials": [float("inf"), -float("inf"), -0.0, 1e-310, 2 ** 80, 1 + 2j, complex(float("nan"), -0.0)],
                  "nested": ((1, [2, (3,)]), {"deep": {"deeper": [tutorgrad.tensor(True)]}})})
    small = {"w": tutorgrad.tensor([1.0, 2.0, 3.0], requires_grad=True), "step": 3}
    return {name: (obj, saved(obj)) for name, obj in
            [("small", small), ("checkpoint", checkpoint), ("every kind", every)]}


# ------------------------------------------------------------------------------------ the ZIP's own fields
# (offset, size) of each field after the signature, as in the ZIP specification (APPNOTE 4.3.7, 4.3.12, 4.3.16)
LOCAL = {"version": (4, 2), "flags": (6, 2), "method": (8, 2), "time": (10, 2), "date": (12, 2), "crc": (14, 4),
         "csize": (18, 4), "usize": (22, 4), "name_len": (26, 2), "extra_len": (28, 2)}
CENTRAL = {"made_by": (4, 2), "version": (6, 2), "flags": (8, 2), "method": (10, 2), "time": (12, 2),
           "date": (14, 2), "crc": (16, 4), "csize": (20, 4), "usize": (24, 4), "name_len": (28, 2),
           "extra_len": (30, 2), "comment_len": (32, 2), "disk": (34, 2), "int_attr": (36, 2),
           "ext_attr": (38, 4), "offset": (42, 4)}
END = {"disk": (4, 2), "cd_disk": (6, 2), "disk_entries": (8, 2), "entries": (10, 2), "cd_size": (12, 4),
       "cd_offset": (16, 4), "comment_len": (20, 2)}


def layout(data):
    """``[(kind, start, end)]`` of the records of a ZIP that ``save`` wrote: local headers, central entries, end."""
    end = len(data) - 22
    assert data[end:end + 4] == b"PK\x05\x06"
    cd_size, cd_offset = struct.unpack_from("<II", data, end + 12)
    records, pos = [], cd_offset
    while pos < cd_offset + cd_size:
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, pos + 28)
        local = struct.unpack_from("<I", data, pos + 42)[0]
        lname, lextra = struct.unpack_from("<HH", data, local + 26)
        records.append(("local", local, local + 30 + lname + lextra))
        records.append(("central", pos, pos + 46 + name_len + extra_len + comment_len))
        pos = records[-1][2]
    records.append(("end", end, len(data)))
    return records


def set_field(data, start, field, value):
    offset, size = field
    out = bytearray(data)
    out[start + offset:start + offset + size] = (value % (1 << (8 * size))).to_bytes(size, "little")
    return bytes(out)


def get_field(data, start, field):
    offset, size = field
    return int.from_bytes(data[start + offset:start + offset + size], "little")


# -------------------------------------------------------------------------------------------- the corpus
def random_damage(originals_, rng):
    """Bit flips, overwritten bytes, truncations, junk around the archive, changed header fields."""
    for base, (obj, data) in originals_.items():
        records = layout(data)
        structure = [i for _, start, end in records for i in range(start, end)]
        if base == "small":  # every bit of every ZIP record, and every possible truncation
            flips = [(i, b) for i in structure for b in range(8)]
            cuts = range(len(data))
        else:
            flips = [(rng.choice(structure), rng.randrange(8)) for _ in range(300)] + \
                    [(rng.randrange(len(data)), rng.randrange(8)) for _ in range(300)]
            cuts = sorted(rng.sample(range(len(data)), 60))
        for i, b in flips:
            out = bytearray(data)
            out[i] ^= 1 << b
            yield f"{base}: bit {b} of byte {i} flipped", bytes(out), "same", obj
        for i in cuts:
            yield f"{base}: truncated to {i} bytes", data[:i], "same", obj
        for _ in range(100):
            i = rng.randrange(len(data))
            n = rng.choice([1, 2, 4, 8, 64])
            fill = rng.choice([b"\x00", b"\xff", None])
            chunk = fill * n if fill else bytes(rng.randrange(256) for _ in range(n))
            yield f"{base}: {n} bytes at {i} overwritten", data[:i] + chunk + data[i + n:], "same", obj
        for kind, start, _ in records:
            fields = {"local": LOCAL, "central": CENTRAL, "end": END}[kind]
            for fname, field in fields.items():
                old = get_field(data, start, field)
                top = (1 << (8 * field[1])) - 1
                for value in sorted({0, 1, top, old + 1, old - 1, old ^ (1 << (8 * field[1] - 1)),
                                     rng.randrange(top + 1)} - {old}):
                    yield (f"{base}: {kind} header at {start}: {fname} {old} -> {value}",
                           set_field(data, start, field, value), "same", obj)
        yield f"{base}: junk appended", data + b"\x00" * 16, "refuse", None
        yield f"{base}: a second copy appended", data + data, "refuse", None
        yield f"{base}: junk before the archive", b"MZ" + b"\x00" * 62 + data, "refuse", None
        yield f"{base}: a ZIP comment", data[:-2] + b"\x05\x00hello", "refuse", None


def zip_damage(originals_, marker):
    """ZIP features that save never uses, each in an otherwise valid file (valid CRCs)."""
    obj, data = originals_["small"]
    entries = entries_of(data)
    end = len(data) - 22
    cd_offset = struct.unpack_from("<I", data, end + 16)[0]
    for method in (1, 6, 8, 9, 12, 14, 93, 95, 98, 99):
        yield f"compression method {method} in the central directory", \
            set_field(data, cd_offset, CENTRAL["method"], method), "refuse", None
    for flag in (0x1, 0x8, 0x20, 0x40, 0x2000):
        yield f"flag {flag:#x} set in the central directory", \
            set_field(data, cd_offset, CENTRAL["flags"], flag), "refuse", None
        yield f"flag {flag:#x} set in a local header", set_field(data, 0, LOCAL["flags"], flag), "same", obj
    yield "really deflated", zip_bytes(entries, zipfile.ZIP_DEFLATED), "refuse", None
    yield "really bzip2", zip_bytes(entries, zipfile.ZIP_BZIP2), "refuse", None
    yield "really lzma", zip_bytes(entries, zipfile.ZIP_LZMA), "refuse", None
    for size in (16 << 20, 256 << 20):
        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w") as z:
            z.writestr("tutorgrad/format", b"\x00" * size, compress_type=zipfile.ZIP_DEFLATED)
            z.writestr("tutorgrad/index.json", entries["tutorgrad/index.json"])
            z.writestr("tutorgrad/tensors/0.npy", entries["tutorgrad/tensors/0.npy"])
        yield f"format entry that inflates to {size >> 20} MiB", bomb.getvalue(), "refuse", None
    tensor = npy_bytes(np.zeros(1 << 24, np.float32))
    yield "tensor entry that inflates to 64 MiB", zip_bytes(
        dict(entries, **{"tutorgrad/tensors/0.npy": tensor}), zipfile.ZIP_DEFLATED), "refuse", None
    yield "a 100 KB format entry", with_entries(data, format="tutorgrad-save-v1" + " " * 100_000), "refuse", None
    yield "a 100 KB format entry of junk", with_entries(data, format=os.urandom(100_000)), "refuse", None
    yield "format v2", with_entries(data, format="tutorgrad-save-v2"), "refuse", None
    yield "format with a newline", with_entries(data, format="tutorgrad-save-v1\n"), "refuse", None
    yield "no format entry", with_entries(data, format=None), "refuse", None
    yield "no index", with_entries(data, index=None), "refuse", None
    yield "no tensor file", with_entries(data, t0=None), "refuse", None
    yield "an extra tensor file", zip_bytes(dict(entries, **{"tutorgrad/tensors/1.npy": entries[
        "tutorgrad/tensors/0.npy"]})), "refuse", None
    for name in ("../evil.npy", "/etc/passwd", "tutorgrad/../tutorgrad/format", "tutorgrad/tensors/01.npy",
                 "tutorgrad/tensors/", "tutorgrad/extra", "TUTORGRAD/format", "tutorgrad\\format",
                 "tutorgrad/tensors/0.npy\x00", "x" * 5000):
        yield f"an entry named {name[:30]!r}", zip_bytes(dict(entries, **{name: b"1"})), "refuse", None
    yield "an entry twice", zip_bytes(list(entries.items()) + [("tutorgrad/format", b"tutorgrad-save-v1")]), \
        "refuse", None
    yield "the tensor twice, other data", zip_bytes(list(entries.items()) + [
        ("tutorgrad/tensors/0.npy", npy_bytes(np.zeros(3, np.float32)))]), "refuse", None
    utf8 = zipfile.ZipInfo("tutorgrad/index.json")
    utf8.flag_bits |= 0x800
    yield "UTF-8 name flag", zip_bytes([(n, d) if n != "tutorgrad/index.json" else (utf8, d)
                                        for n, d in entries.items()]), "load", obj
    yield "PyTorch-style zip with a pickle", zip_bytes(
        {"archive/data.pkl": pickle.dumps(Exploit(marker)), "archive/version": "3"}), "refuse", None
    yield "a pickle", pickle.dumps({"w": Exploit(marker)}), "refuse", None
    yield "a protocol-0 pickle", pickle.dumps({"w": Exploit(marker)}, protocol=0), "refuse", None
    yield "a .npy file", npy_bytes(np.ones(3)), "refuse", None
    yield "empty", b"", "refuse", None
    yield "text", b"hello, I am not a model\n", "refuse", None
    yield "random bytes", random.Random(1).randbytes(4096), "refuse", None
    yield "only the end record", b"PK\x05\x06" + b"\x00" * 18, "refuse", None


def index_damage(originals_):
    """Hand-made indexes (valid ZIP and .npy): malformed JSON, wrong types, values save never writes."""
    obj, data = originals_["small"]
    good = json.loads(entries_of(data)["tutorgrad/index.json"])
    w = {"tensor": 0, "dtype": "float32", "requires_grad": True}

    def index(entry):  # the small file with the tensor entry replaced
        return json.dumps({"dict": [["w", entry], ["step", 3]]})

    texts = {
        "NaN literal": index(w).replace("3]", "NaN]"), "Infinity literal": index(w).replace("3]", "Infinity]"),
        "-Infinity literal": index(w).replace("3]", "-Infinity]"), "1e999": index(w).replace("3]", "1e999]"),
        "duplicate JSON key": index(w).replace('"tensor": 0', '"tensor": 0, "tensor": 0'),
        "duplicate JSON key, other value": index(w).replace('"requires_grad": true', '"requires_grad": true, '
                                                           '"requires_grad": false'),
        "trailing garbage": index(w) + "x", "two documents": index(w) + index(w), "not JSON": "{not json",
        "empty index": "", "a 5,000-digit integer": index(w).replace("3]", "1" * 5000 + "]"),
        "deep nesting": "[" * 100_000 + "]" * 100_000, "deep dicts": '{"tuple": [' * 5000 + "]}" * 5000,
        "single quotes": index(w).replace('"', "'"), "a comment": "// hi\n" + index(w),
    }
    for name, text in texts.items():
        yield f"index: {name}", with_entries(data, index=text), "refuse", None
    raw = index(w).encode()
    for name, blob in {"UTF-16": index(w).encode("utf-16"), "BOM": b"\xef\xbb\xbf" + raw,
                       "invalid UTF-8": raw.replace(b'"step"', b'"st\xffp"'), "NUL": raw + b"\x00"}.items():
        yield f"index: {name}", with_entries(data, index=blob), "refuse", None

    bad_tensor = {
        "tensor": ["0", 0.0, True, False, None, -1, 1, 2 ** 70, [0], {"a": 0}],
        "dtype": ["Float32", "float", "torch.float32", "float32 ", "object", "str", 5, None, True, "f" * 5000,
                  ["float32"], "int64"],
        "requires_grad": ["no", "false", 0, 1, None, [], "True"],
        "parameter": ["yes", 1, 0, None, "true"],
    }
    for key, values in bad_tensor.items():
        for value in values:
            yield f"index: tensor {key} = {str(value)[:20]!r}", \
                with_entries(data, index=index(dict(w, **{key: value}))), "refuse", None
    for key in ("tensor", "dtype", "requires_grad"):
        entry = dict(w)
        entry.pop(key)
        yield f"index: tensor without {key}", with_entries(data, index=index(entry)), "refuse", None
    yield "index: tensor with an extra key", with_entries(data, index=index(dict(w, extra=1))), "refuse", None
    yield "index: tensor used twice", with_entries(data, index=json.dumps([w, w])), "refuse", None
    yield "index: tensor never used", with_entries(data, index="[]"), "refuse", None
    for dtype in ("int64", "bool", "complex64", "uint8"):
        arr = np.zeros(3, np.dtype(getattr(tutorgrad, dtype).np))
        yield f"index: requires_grad on {dtype}", with_entries(
            data, index=index(dict(w, dtype=dtype)), t0=npy_bytes(arr)), "refuse", None
        yield f"index: a {dtype} Parameter requiring grad", with_entries(
            data, index=index(dict(w, dtype=dtype, parameter=True)), t0=npy_bytes(arr)), "refuse", None

    def wrap(node):  # the small file with "step"'s value replaced by node
        return json.dumps({"dict": [["w", w], ["step", node]]})
    bad_nodes = {
        "tuple as a string": {"tuple": "ab"}, "tuple as a dict": {"tuple": {"a": 1}}, "tuple as null": {"tuple": None},
        "dict as a string": {"dict": "ab"}, "dict item of one": {"dict": [["a"]]},
        "dict item of three": {"dict": [["a", 1, 2]]}, "dict item as a string": {"dict": ["ab"]},
        "dict item as a dict": {"dict": [{"a": 1}]}, "float dict key": {"dict": [[1.5, 1]]},
        "null dict key": {"dict": [[None, 1]]}, "bool dict key": {"dict": [[True, 1]]},
        "list dict key": {"dict": [[[1], 1]]}, "duplicate dict key": {"dict": [["a", 1], ["a", 2]]},
        "float '1_0'": {"float": "1_0"}, "float '1.0'": {"float": "1.0"}, "float 'NaN'": {"float": "NaN"},
        "float 'Infinity'": {"float": "Infinity"}, "float ' nan'": {"float": " nan"}, "float number": {"float": 1.0},
        "float '-nan'": {"float": "-nan"},
        "complex '1_0'": {"complex": ["1_0", "0.0"]}, "complex of one": {"complex": ["1.0"]},
        "complex of three": {"complex": ["1.0", "0.0", "0.0"]}, "complex as a string": {"complex": "1+2j"},
        "complex of numbers": {"complex": [1.0, 2.0]}, "complex hex": {"complex": ["0x1p1", "0.0"]},
        "complex '1'": {"complex": ["1", "0.0"]}, "complex ' 1.0'": {"complex": [" 1.0", "0.0"]},
        "complex long": {"complex": ["1." + "0" * 5000, "0.0"]},
        "empty object": {}, "unknown tag": {"pickle": "cos\nsystem\n"}, "two tags": {"float": "nan", "tuple": []},
        "tensor tag alone": {"tensor": 0},
    }
    for name, node in bad_nodes.items():
        yield f"index: {name}", with_entries(data, index=wrap(node)), "refuse", None
    assert good == json.loads(index(w))


def npy_damage(originals_, marker):
    """Hand-made ``.npy`` entries under a valid index and ZIP."""
    obj, data = originals_["small"]
    arr = obj["w"].detach().numpy()
    good = npy_bytes(arr)
    body = arr.tobytes()
    headers = {
        "Fortran order": header_text("<f4", (3,), True), "float64 data": header_text("<f8", (3,)),
        "object dtype": header_text("|O", (3,)), "structured dtype": "{'descr': [('a', '<f4')], "
                                                                     "'fortran_order': False, 'shape': (3,), }\n",
        "shape too big": header_text("<f4", (4,)), "shape too small": header_text("<f4", (2,)),
        "huge shape": header_text("<f4", (10 ** 12,)), "huge 2-d shape": header_text("<f4", (2 ** 62, 2 ** 62)),
        "negative shape": "{'descr': '<f4', 'fortran_order': False, 'shape': (-3,), }\n",
        "65 dimensions": header_text("<f4", (1,) * 64 + (3,)),
        "shape as a list": "{'descr': '<f4', 'fortran_order': False, 'shape': [3], }\n",
        "extra key": "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'x': 1, }\n",
        "no newline": header_text("<f4", (3,)).rstrip("\n"), "expression": "{'descr': '<f4', "
                                                                        "'fortran_order': False, 'shape': (1+2,), }\n",
        "not a dict": "[1, 2, 3]\n", "deep nesting": "(" * 3000 + ")" * 3000 + "\n",
        "unterminated string": "{'descr': '<f4\n", "float16 header": header_text("<f2", (6,)),
        "long shape number": "{'descr': '<f4', 'fortran_order': False, 'shape': (" + "9" * 400 + ",), }\n",
    }
    for name, text in headers.items():
        yield f".npy: {name}", with_entries(data, t0=npy_with_header(text, body)), "refuse", None
    for name, length in {"length 4": 4, "length 0": 0, "length 1": 1, "length 65535": 65535}.items():
        yield f".npy: header {name}", with_entries(data, t0=good[:8] + struct.pack("<H", length) + good[10:]), \
            "refuse", None
    for version in [(1, 1), (3, 0), (0, 0), (255, 255)]:
        yield f".npy: version {version}", with_entries(data, t0=good[:6] + bytes(version) + good[8:]), \
            "refuse", None
    yield ".npy: only the magic", with_entries(data, t0=b"\x93NUMPY"), "refuse", None
    yield ".npy: garbage", with_entries(data, t0=b"\x93NUMPY garbage"), "refuse", None
    yield ".npy: empty", with_entries(data, t0=b""), "refuse", None
    payload = np.array([Exploit(marker), 1.0, 2.0], object)  # np.load(allow_pickle=True) would run it
    yield ".npy: a pickled object array", with_entries(data, t0=npy_bytes(payload, True)), "refuse", None
    yield ".npy: a string array", with_entries(data, t0=npy_bytes(np.array(["a", "b", "c"]))), "refuse", None
    yield ".npy: a data byte short", with_entries(data, t0=good[:-1]), "refuse", None
    yield ".npy: a data byte extra", with_entries(data, t0=good + b"\x00"), "refuse", None
    # valid files that save does not write itself
    yield ".npy: big-endian", with_entries(data, t0=npy_bytes(arr.astype(">f4"))), "load", obj
    yield ".npy: version 2.0 header", with_entries(data, t0=npy_with_header(header_text("<f4", (3,)), body, (2, 0))), \
        "load", obj


def corpus(seed=0, marker="code-ran"):
    """Every case, in a fixed order for a given seed."""
    rng = random.Random(seed)
    files = originals()
    for name, (obj, data) in files.items():
        yield f"{name}: unchanged", data, "load", obj
    yield from random_damage(files, rng)
    yield from zip_damage(files, marker)
    yield from index_damage(files)
    yield from npy_damage(files, marker)


# --------------------------------------------------------------------------------------------- the runner
def check(name, data, expect, original):
    """None if ``load`` behaved as promised on this file, else what went wrong."""
    try:
        out = tutorgrad.load(io.BytesIO(data))
    except UnpicklingError as e:
        message = str(e)
        if expect == "load":
            return f"refused a valid file: {message}"
        if len(message) > MAX_MESSAGE or "tutorgrad" not in message or not message.isprintable():
            return f"message too long, unprintable or not naming tutorgrad ({len(message)} characters): " \
                   f"{message[:MAX_MESSAGE]!r}"
        return None
    except BaseException as e:  # noqa: BLE001 - any other exception is the failure being looked for
        if isinstance(e, KeyboardInterrupt):
            raise
        return f"raised {type(e).__module__}.{type(e).__name__}: {str(e)[:200]}"
    if expect == "refuse":
        return f"loaded a file it must refuse, as {type(out).__name__}"
    try:
        assert_identical(out, original)
    except AssertionError as e:
        return f"loaded something other than the original: {str(e)[:200]}"
    return None


def limit_memory(extra_mb):
    """Cap this process's address space at what it uses now plus ``extra_mb``: a load that tries to
    allocate much more than its file gets MemoryError (which the runner counts as a failure)."""
    import resource
    with open("/proc/self/status") as f:
        vm = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))
    limit = vm + extra_mb * (1 << 20)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return limit


def run(seed, marker, extra_mb):
    cases = list(corpus(seed, marker))
    limit = limit_memory(extra_mb) if extra_mb else None
    failures, counts, slowest = [], {}, (0.0, "")
    largest = max(len(data) for _, data, _, _ in cases)
    start = time.perf_counter()
    for name, data, expect, original in cases:
        t0 = time.perf_counter()
        problem = check(name, data, expect, original)
        took = time.perf_counter() - t0
        slowest = max(slowest, (took, name))
        counts[expect] = counts.get(expect, 0) + 1
        if problem:
            failures.append(f"{name}: {problem}")
    return {"cases": len(cases), "counts": counts, "failures": failures, "seconds": time.perf_counter() - start,
            "slowest": slowest, "largest_file": largest, "address_space_limit": limit,
            "limit_bites": limit is not None and _limit_bites(extra_mb), "code_ran": os.path.exists(marker)}


def _limit_bites(extra_mb):
    """True if the limit is real: allocating twice the allowance fails (a guard against a test that cannot fail)."""
    try:
        bytearray(2 * extra_mb << 20)
    except MemoryError:
        return True
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--marker", default=os.path.join(os.getcwd(), "code-ran"),
                        help="the file a pickle payload would create")
    parser.add_argument("--memory-mb", type=int, default=200,
                        help="address space allowed beyond what the process uses before loading (0: no limit)")
    args = parser.parse_args()
    print(json.dumps(run(args.seed, args.marker, args.memory_mb)))


if __name__ == "__main__":
    main()
