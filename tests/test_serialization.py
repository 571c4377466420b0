"""``tutorgrad.save`` / ``tutorgrad.load``: an exact round trip, and a loader that never runs code.

The format is a ZIP of JSON + ``.npy`` files (see ``tutorgrad/serialization.py``); these tests also load
hostile files made by hand (``tests/savefile_corpus.py``: pickles, crafted indexes, forged headers) and check
that each is refused with a clear error *before* anything in it could execute.
"""
import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import tutorgrad
from savefile_corpus import Exploit, assert_identical, corpus
from tutorgrad.serialization import UnpicklingError

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64",
          "complex128"]


def round_trip(obj):
    buf = io.BytesIO()
    tutorgrad.save(obj, buf)
    buf.seek(0)
    return tutorgrad.load(buf)


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
# tests/test_load_corpus.py loads thousands of damaged files under a memory limit; here, the hand-made ones
# are also loaded from a path, and the messages of the kinds of damage the format documents are checked.
@pytest.fixture(scope="module")
def hand_made(tmp_path_factory):
    """``{name: (bytes, expect)}`` of the corpus, and the marker file its pickles would create."""
    marker = tmp_path_factory.mktemp("corpus") / "code-ran"
    return {name: (data, expect) for name, data, expect, _ in corpus(0, marker)}, marker


def test_load_refuses_hand_made_files_from_paths_and_file_objects(hand_made, tmp_path):
    cases, marker = hand_made
    path = tmp_path / "suspect.pt"
    for name, (data, expect) in cases.items():
        if expect != "refuse":
            continue
        path.write_bytes(data)
        for source in (path, io.BytesIO(data)):
            with pytest.raises(UnpicklingError) as info:
                tutorgrad.load(source)
            message = str(info.value)
            assert "tutorgrad" in message and len(message) <= 300, (name, message)
    assert not marker.exists(), "loading ran code from the file"
    assert issubclass(UnpicklingError, RuntimeError)  # PyTorch's load also raises a RuntimeError-family error


REFUSALS = [  # (a hand-made file of the corpus, what the message must say)
    ("compression method 8 in the central directory", "is compressed (method 8)"),
    ("really deflated", "compressed"),
    ("flag 0x1 set in the central directory", "is encrypted"),
    ("flag 0x8 set in the central directory", "ZIP features tutorgrad.save never uses"),
    ("format entry that inflates to 256 MiB", "is compressed"),
    ("a 100 KB format entry", "is not a format name"),
    ("format v2", "it has format v2, and this version of tutorgrad reads only v1"),
    ("an entry named '../evil.npy'", "an entry tutorgrad.save never writes ('../evil.npy')"),
    ("an entry named 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'", "(a 5,000-character string)"),
    ("an entry twice", "appears twice"),
    ("a pickle", "it is a pickle"),
    ("PyTorch-style zip with a pickle", "PyTorch file"),
    ("small: junk appended", "data after the end of its ZIP archive"),
    ("small: junk before the archive", "not a ZIP archive"),
    ("small: truncated to 300 bytes", "truncated"),
    ("index: NaN literal", "the literal NaN, which is not JSON"),
    ("index: 1e999", "too large for a float"),
    ("index: duplicate JSON key", "the same key twice"),
    ("index: deep nesting", "nested too deeply"),
    ("index: invalid UTF-8", "not UTF-8"),
    ("index: tensor requires_grad = 'no'", "requires_grad or parameter is not true or false"),
    ("index: tensor tensor = 'True'", "refers to tensor True"),
    ("index: tensor dtype = 'ffffffffffffffffffff'", "the dtype a 5,000-character string"),
    ("index: requires_grad on int64", "(dtype int64) as requiring gradients, which only floating-point tensors can"),
    ("index: requires_grad on complex64", "only floating-point tensors can"),
    ("index: float dict key", "a dict key that is a number with a fraction"),
    ("index: null dict key", "a dict key that is a null"),
    ("index: dict item as a string", "not a [key, value] pair"),
    ("index: tuple as a string", "'tuple' entry whose value is 'ab'"),
    ("index: float '1_0'", "'float' entry whose value is '1_0'"),
    ("index: complex '1_0'", "'complex' entry"),
    ("index: tensor used twice", "refers to tensor 0 twice"),
    ("index: tensor never used", "does not use"),
    (".npy: Fortran order", "Fortran order"),
    (".npy: float64 data", "holds <f8 numbers but the index says float32"),
    (".npy: huge shape", "claims a shape [1000000000000]"),
    (".npy: header length 4", "header of tensors/0.npy is damaged"),
    (".npy: a pickled object array", "header of tensors/0.npy is damaged"),
]


@pytest.mark.parametrize("name, phrase", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals_say_what_is_wrong(hand_made, name, phrase):
    cases, _ = hand_made
    with pytest.raises(UnpicklingError) as info:
        tutorgrad.load(io.BytesIO(cases[name][0]))
    assert phrase in str(info.value)


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
