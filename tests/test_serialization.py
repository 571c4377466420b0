"""``tutorgrad.save`` / ``tutorgrad.load``: an exact round trip, and a loader that never runs code.

The format is a ZIP of JSON + ``.npy`` files (see ``tutorgrad/serialization.py``); these tests also build
hostile files by hand (pickles, crafted indexes, object arrays) and check that each is refused with a
clear error *before* anything in it could execute.
"""
import io
import json
import math
import os
import pickle
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import tutorgrad
from tutorgrad.serialization import UnpicklingError

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64",
          "complex128"]


def round_trip(obj):
    buf = io.BytesIO()
    tutorgrad.save(obj, buf)
    buf.seek(0)
    return tutorgrad.load(buf)


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


SPECIAL = {
    "float16": [0.0, -0.0, 1.5, float("nan"), float("inf"), -float("inf"), 65504.0, 6e-8],
    "float32": [0.0, -0.0, 0.1, float("nan"), float("inf"), -float("inf"), 3.4028235e38, 1e-45],
    "float64": [0.0, -0.0, 0.1, float("nan"), float("inf"), -float("inf"), 1.7976931348623157e308, 5e-324],
    "complex64": [0j, complex(-0.0, 0.0), 1 + 2j, complex(float("nan"), 1), complex(float("inf"), -float("inf"))],
    "complex128": [0j, complex(0.0, -0.0), 1e300 + 1e-300j, complex(float("nan"), float("nan"))],
    "bool": [True, False],
    "uint8": [0, 255],
    "int8": [-128, 127],
    "int16": [-32768, 32767],
    "int32": [-2 ** 31, 2 ** 31 - 1],
    "int64": [-2 ** 63, 2 ** 63 - 1, 0],
}


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_dtype_round_trips_exactly(dtype):
    d = getattr(tutorgrad, dtype)
    values = tutorgrad.tensor(SPECIAL[dtype], dtype=d)
    cases = [values, values.reshape(-1, 1), tutorgrad.tensor(SPECIAL[dtype][0], dtype=d), tutorgrad.zeros(0, dtype=d),
             tutorgrad.zeros(2, 0, 3, dtype=d), values.flip(0)[::2], values.reshape(1, -1).t()]
    for t in cases:
        assert_identical(round_trip(t), t)


def test_non_contiguous_views_round_trip_as_their_values():
    base = tutorgrad.arange(24.0).reshape(2, 3, 4)
    for view in [base.transpose(0, 2), base[:, ::2, 1:], base.permute(1, 2, 0), base[0].t(), base[..., 0],
                 base[:, :1].expand(2, 5, 4)]:
        loaded = round_trip(view)
        assert loaded.tolist() == view.tolist() and loaded.is_contiguous()
    loaded = round_trip(base[0])
    loaded.add_(1)  # the loaded tensor owns writable memory
    assert base[0, 0, 0].item() == 0


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(st.sampled_from([np.float32, np.float64, np.int64, np.int32, np.bool_, np.complex64, np.uint8]),
                  hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)))
def test_random_arrays_round_trip(arr):
    t = tutorgrad.from_numpy(arr)
    assert_identical(round_trip(t), t)
    assert_identical(round_trip({"x": [t, (t,)]}), {"x": [t, (t,)]})


def test_nested_containers_and_python_scalars():
    obj = {
        "weights": {"layer1": tutorgrad.randn(3, 2),
                    "layer2": [tutorgrad.zeros(2), tutorgrad.ones(1, dtype=tutorgrad.int64)]},
        "step": 10, "lr": 0.001, "betas": (0.9, 0.999), "name": "mlp", "done": False, "nothing": None,
        "specials": [float("nan"), float("inf"), -float("inf"), -0.0, 1e-310, 2 ** 80, -2 ** 70, 1 + 2j,
                     complex(float("nan"), -0.0)],
        "nested": ((1, [2, (3,)]), {"deep": {"deeper": [tutorgrad.tensor(True)]}}),
        7: "int key", "": "empty key", "unicode ✓": "héllo",
        "empty": ([], (), {}),
    }
    assert_identical(round_trip(obj), obj)
    assert_identical(round_trip([]), [])
    for scalar in [3, 2.5, "x", None, True, (1, 2)]:
        assert_identical(round_trip(scalar), scalar)


def test_dict_order_and_tuples_survive():
    from collections import OrderedDict
    sd = OrderedDict([("b", tutorgrad.ones(1)), ("a", tutorgrad.zeros(1))])
    loaded = round_trip(sd)
    assert list(loaded) == ["b", "a"]
    assert isinstance(round_trip((1, (2, 3)))[1], tuple)


def test_requires_grad_is_kept_and_grad_is_not():
    w = tutorgrad.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    y = w * 3  # a non-leaf: saved as its value, as a new leaf that requires grad (like torch.save + load)
    loaded = round_trip({"w": w, "frozen": w.detach(), "y": y})
    assert loaded["w"].requires_grad and loaded["w"].is_leaf and loaded["w"].grad is None
    assert not loaded["frozen"].requires_grad
    assert loaded["y"].requires_grad and loaded["y"].is_leaf and loaded["y"].tolist() == [3.0, 6.0]
    loaded["w"].sum().backward()
    assert loaded["w"].grad.tolist() == [1.0, 1.0]


def test_parameters_round_trip():
    p = tutorgrad.nn.Parameter(tutorgrad.ones(2))
    loaded = round_trip({"p": p})["p"]
    assert type(loaded) is tutorgrad.nn.Parameter and loaded.requires_grad and loaded.tolist() == [1.0, 1.0]
    model = tutorgrad.nn.Linear(3, 2)
    state = round_trip(model.state_dict())
    other = tutorgrad.nn.Linear(3, 2)
    other.load_state_dict(state)
    assert other.weight.tolist() == model.weight.tolist() and other.bias.tolist() == model.bias.tolist()


def test_paths_and_file_objects(tmp_path):
    obj = {"t": tutorgrad.arange(5)}
    path = tmp_path / "model.tg"
    tutorgrad.save(obj, path)          # pathlib.Path
    assert_identical(tutorgrad.load(path), obj)
    tutorgrad.save(obj, str(path))     # str
    assert_identical(tutorgrad.load(str(path)), obj)
    with open(path, "wb") as f:        # open binary files
        tutorgrad.save(obj, f)
    with open(path, "rb") as f:
        assert_identical(tutorgrad.load(f), obj)
    assert_identical(tutorgrad.load(path, map_location="cpu"), obj)
    with pytest.raises(AssertionError, match="CUDA"):
        tutorgrad.load(path, map_location="cuda")


def test_the_file_is_a_documented_zip_not_a_pickle(tmp_path):
    path = tmp_path / "t.tg"
    tutorgrad.save({"w": tutorgrad.ones(2, requires_grad=True), "step": 3}, path)
    with zipfile.ZipFile(path) as z:
        assert z.read("tutorgrad/format") == b"tutorgrad-save-v1"
        index = json.loads(z.read("tutorgrad/index.json"))
        assert index == {"dict": [["w", {"tensor": 0, "dtype": "float32", "requires_grad": True}], ["step", 3]]}
        assert np.load(io.BytesIO(z.read("tutorgrad/tensors/0.npy")), allow_pickle=False).tolist() == [1.0, 1.0]
        assert not any(name.endswith(".pkl") for name in z.namelist())


@pytest.mark.parametrize("obj", [object(), {(1, 2): 3}, {True: 1}, [lambda: 0], np.arange(3), {1.5: 2}],
                         ids=["object", "tuple key", "bool key", "function", "ndarray", "float key"])
def test_save_refuses_what_it_cannot_store(obj):
    with pytest.raises(TypeError, match="tutorgrad.save"):
        round_trip(obj)


# ------------------------------------------------------------------------------------------ hostile files
class Exploit:
    """Unpickling this creates a marker file: proof that code ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def write_zip(path, entries):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)


def npy_bytes(arr, allow_pickle=False):
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=allow_pickle)
    return buf.getvalue()


def npy_bytes_with_shape(arr, shape):
    """.npy bytes of ``arr``'s data under a header that claims another shape."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": np.lib.format.dtype_to_descr(arr.dtype),
                                                "fortran_order": False, "shape": shape})
    return buf.getvalue() + arr.tobytes()


def good_entries(index, *arrays):
    entries = {"tutorgrad/format": "tutorgrad-save-v1", "tutorgrad/index.json": json.dumps(index)}
    entries.update({f"tutorgrad/tensors/{i}.npy": npy_bytes(a) for i, a in enumerate(arrays)})
    return entries


def hostile_files(tmp_path, marker):
    files = {}
    files["pickle"] = pickle.dumps({"w": Exploit(marker)})
    files["random bytes"] = np.random.default_rng(0).bytes(4096)
    files["empty file"] = b""
    files["text"] = b"hello, I am not a model\n"
    good = io.BytesIO()
    tutorgrad.save({"w": tutorgrad.ones(100), "b": tutorgrad.zeros(3)}, good)
    files["truncated"] = good.getvalue()[: len(good.getvalue()) // 2]
    files["truncated to the header"] = good.getvalue()[:30]
    variants = {
        "zip without the format entry": {"tutorgrad/index.json": "[]"},
        "PyTorch-style zip with a pickle": {"archive/data.pkl": pickle.dumps(Exploit(marker)), "archive/version": "3"},
        "wrong format version": dict(good_entries([]), **{"tutorgrad/format": "tutorgrad-save-v99"}),
        "no index": {"tutorgrad/format": "tutorgrad-save-v1"},
        "index is not JSON": dict(good_entries([]), **{"tutorgrad/index.json": "{not json"}),
        "index points at a missing tensor": good_entries({"tensor": 3, "dtype": "float32", "requires_grad": False},
                                                         np.ones(2, np.float32)),
        "index with a negative tensor number": good_entries({"tensor": -1, "dtype": "float32"}, np.ones(2, np.float32)),
        "index with a string tensor number": good_entries({"tensor": "0", "dtype": "float32"}, np.ones(2, np.float32)),
        "index with the wrong dtype": good_entries({"tensor": 0, "dtype": "float64"}, np.ones(2, np.float32)),
        "index with an unknown dtype": good_entries({"tensor": 0, "dtype": "object"}, np.ones(2, np.float32)),
        "index with an unknown tag": good_entries({"pickle": "cos\nsystem\n"}),
        "index with a bad dict": good_entries({"dict": [["a"]]}),
        "index with a bad complex": good_entries({"complex": ["1", "x"]}),
        "index with two tags": good_entries({"float": "1.0", "tuple": []}),
        ".npy with an object array": dict(good_entries({"tensor": 0, "dtype": "float32"}), **{
            "tutorgrad/tensors/0.npy": npy_bytes(np.array([Exploit(marker), 1], dtype=object), allow_pickle=True)}),
        ".npy with a structured dtype": dict(good_entries({"tensor": 0, "dtype": "float32"}), **{
            "tutorgrad/tensors/0.npy": npy_bytes(np.zeros(2, dtype=[("a", "f4"), ("b", "i4")]))}),
        ".npy that is garbage": dict(good_entries({"tensor": 0, "dtype": "float32"}), **{
            "tutorgrad/tensors/0.npy": b"\x93NUMPY garbage"}),
        ".npy with a string array": dict(good_entries({"tensor": 0, "dtype": "float32"}), **{
            "tutorgrad/tensors/0.npy": npy_bytes(np.array(["a", "b"]))}),
    }
    bomb = io.BytesIO()  # 200 KB that inflate to 200 MB
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in good_entries({"tensor": 0, "dtype": "float32"}).items():
            z.writestr(name, data)
        z.writestr("tutorgrad/tensors/0.npy", npy_bytes(np.zeros(50_000_000, np.float32)))
    files["zip bomb"] = bomb.getvalue()
    variants[".npy whose header claims a huge shape"] = dict(good_entries({"tensor": 0, "dtype": "float32"}), **{
        "tutorgrad/tensors/0.npy": npy_bytes_with_shape(np.zeros(2, np.float32), (10 ** 12,))})
    deep = dict(good_entries([]))
    deep["tutorgrad/index.json"] = "[" * 100000 + "]" * 100000
    variants["index nested too deep"] = deep
    for name, entries in variants.items():
        path = tmp_path / "variant.zip"
        write_zip(path, entries)
        files[name] = path.read_bytes()
    return files


HOSTILE = ["pickle", "random bytes", "empty file", "text", "truncated", "truncated to the header",
           "zip without the format entry", "PyTorch-style zip with a pickle", "wrong format version", "no index",
           "index is not JSON", "index points at a missing tensor", "index with a negative tensor number",
           "index with a string tensor number", "index with the wrong dtype", "index with an unknown dtype",
           "index with an unknown tag", "index with a bad dict", "index with a bad complex", "index with two tags",
           "index nested too deep", ".npy with an object array", ".npy with a structured dtype",
           ".npy that is garbage", ".npy with a string array", "zip bomb", ".npy whose header claims a huge shape"]


@pytest.mark.parametrize("name", HOSTILE)
def test_load_refuses_foreign_or_damaged_files_without_running_code(name, tmp_path):
    marker = tmp_path / "code-ran"
    data = hostile_files(tmp_path, marker)[name]
    path = tmp_path / "suspect.pt"
    path.write_bytes(data)
    for source in (path, io.BytesIO(data)):
        with pytest.raises(UnpicklingError) as info:
            tutorgrad.load(source)
        message = str(info.value)
        assert "tutorgrad" in message and len(message) < 600, message
        assert not marker.exists(), "loading ran code from the file"
    assert isinstance(info.value, RuntimeError)  # PyTorch's load also raises a RuntimeError-family error


def test_the_exploit_really_would_run_code(tmp_path):
    """Guard against a test that cannot fail: plain pickle.loads of the same bytes does create the marker."""
    marker = tmp_path / "code-ran"
    pickle.loads(pickle.dumps(Exploit(marker))).close()
    assert marker.exists()


def test_pytorch_files_get_a_hint(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "model.pt"
    torch.save({"w": torch.ones(2)}, path)
    with pytest.raises(UnpicklingError, match="PyTorch file"):
        tutorgrad.load(path)
    legacy = tmp_path / "legacy.pt"
    torch.save({"w": torch.ones(2)}, legacy, _use_new_zipfile_serialization=False)
    with pytest.raises(UnpicklingError, match="not a tutorgrad file"):
        tutorgrad.load(legacy)


def test_missing_file_is_a_plain_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        tutorgrad.load(tmp_path / "nope.tg")


def test_load_never_imports_pickle_machinery(tmp_path, monkeypatch):
    """Even for a valid file, load goes nowhere near pickle, nor np.load (whose header parser is not strict):
    it reads the .npy data as raw numbers after checking the header itself."""
    path = tmp_path / "ok.tg"
    tutorgrad.save({"w": tutorgrad.ones(2), "t": (1, 2.5)}, path)

    def forbidden(*args, **kwargs):
        raise AssertionError("pickle or np.load used while loading")
    for module, name in [(np, "load"), (pickle, "loads"), (pickle, "load"), (pickle, "Unpickler")]:
        monkeypatch.setattr(module, name, forbidden)
    out = tutorgrad.load(path)
    assert out["t"] == (1, 2.5) and out["w"].tolist() == [1.0, 1.0]


def test_no_file_left_open(tmp_path):
    path = tmp_path / "ok.tg"
    tutorgrad.save(tutorgrad.ones(2), path)
    before = len(os.listdir(f"/proc/{os.getpid()}/fd")) if os.path.isdir("/proc") else 0
    for _ in range(20):
        tutorgrad.load(path)
        tutorgrad.save(tutorgrad.ones(2), path)
    after = len(os.listdir(f"/proc/{os.getpid()}/fd")) if os.path.isdir("/proc") else 0
    assert after <= before
