"""``x[key]``, ``x[key] = v``, ``gather``, ``index_select``, ``narrow`` (``tutorgrad/ops/indexing.py``).

Forward and gradients against real PyTorch, and gradcheck in float64 (see ``tests/gradcases.py``).
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import tutorgrad
from gradcases import F64, gradcheck_tests, idx, leaf, mask, setitem
from torchdiff import _x, assert_same, call, same, torch
from torchgrad import SETTINGS, compare, dtypes, seeds, values

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # no NumPy warning may leak out of tutorgrad


# ---------------------------------------------------------------------------------------- forward against PyTorch
KEYS = {
    "int": 1, "negative int": -1, "slice": slice(1, None), "step": (slice(None), slice(None, None, 2)),
    "neg slice": slice(-2, None), "empty slice": slice(3, 1), "tuple": (0, 1), "full": (1, 2, 3),
    "full negative": (-1, -2, -3), "ellipsis": (Ellipsis, 0), "ellipsis mid": (0, Ellipsis, 1),
    "None": None, "None mid": (0, None, slice(None)), "None end": (Ellipsis, None),
    "list": [0, 1, 0], "list 2": ([0, 1], [2, 0]), "list with slice": (slice(None), [2, 0]),
    "list neg": [-1, 0], "list + int": (1, [0, 2], 3), "list split by slice": ([0, 1], slice(None), [0, 3]),
    "nested list": [[0, 1], [1, 0]], "bool list": [True, False], "True": True, "False": False,
    "slice + None + list": (slice(None), None, [0, 2]), "ellipsis + list": (Ellipsis, [0, 3]),
}


def _key(lib, key, as_tensor):
    if not as_tensor:
        return key
    parts = key if isinstance(key, tuple) else (key,)
    parts = tuple(lib.tensor(k) if isinstance(k, list) else k for k in parts)
    return parts if isinstance(key, tuple) else parts[0]


@pytest.mark.parametrize("as_tensor", [False, True], ids=["python", "tensor"])
@pytest.mark.parametrize("name", KEYS)
def test_getitem(name, as_tensor):
    same(lambda lib: _x(lib)[_key(lib, KEYS[name], as_tensor)])
    same(lambda lib: _x(lib, requires_grad=True)[_key(lib, KEYS[name], as_tensor)])


MASKS = {
    "mask all dims": lambda lib, x: x > 10, "mask first dim": lambda lib, x: lib.tensor([True, False]),
    "mask 2 dims": lambda lib, x: (x.sum(2) > 40), "mask + int": None, "empty mask": lambda lib, x: x > 100,
    "0-d True": lambda lib, x: lib.tensor(True), "0-d False": lambda lib, x: lib.tensor(False),
}


@pytest.mark.parametrize("name", [n for n in MASKS if MASKS[n]])
def test_boolean_mask(name):
    same(lambda lib: _x(lib)[MASKS[name](lib, _x(lib))])
    same(lambda lib: _x(lib, requires_grad=True)[MASKS[name](lib, _x(lib))])


def test_mask_with_other_indices():
    same(lambda lib: _x(lib)[0, lib.tensor([True, False, True])])
    same(lambda lib: _x(lib)[lib.tensor([False, True]), 1:, lib.tensor([0, 3])])
    same(lambda lib: _x(lib)[..., lib.tensor([True, False, False, True])])


def test_index_and_gradient_of_repeats():
    def run(lib):
        x = lib.arange(5.0, requires_grad=True)
        y = x[[0, 0, 2, -1]] * lib.tensor([1.0, 2.0, 3.0, 4.0])
        y.sum().backward()
        return y, x.grad
    same(run)


def test_indexing_int_tensor_shapes():
    same(lambda lib: lib.arange(10)[lib.tensor(3)])
    same(lambda lib: lib.arange(10)[lib.tensor([[1, 2], [3, 4]])])
    same(lambda lib: lib.arange(10)[lib.tensor([], dtype=lib.int64)])
    same(lambda lib: lib.arange(10)[lib.tensor([1, 2], dtype=lib.int32)])
    same(lambda lib: lib.arange(12).reshape(3, 4)[lib.tensor([[0], [2]]), lib.tensor([1, 3])])
    same(lambda lib: lib.arange(12).reshape(3, 4)[np.array([0, 2])])
    same(lambda lib: lib.tensor(5.0)[None])
    same(lambda lib: lib.tensor(5.0)[...])
    same(lambda lib: lib.tensor(5.0)[()])


def test_list_of_lists_index_warns_like_pytorch():
    import warnings
    for lib in (torch, tutorgrad):
        x = lib.arange(12).reshape(3, 4)
        with pytest.warns(UserWarning, match="Using a non-tuple sequence for multidimensional indexing"):
            assert x[[[0, 1], [1, 0]]].tolist() == [1, 4]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert x[[0, 2]].shape == (2, 4)  # a plain list is a tensor index: no warning


# ---------------------------------------------------------------------------------------- index assignment
SETS = {
    "int": (1, 0.5), "slice": (slice(0, 1), -1.0), "column": ((slice(None), slice(None), 0), 7),
    "row tensor": (0, "row"), "list": ([1, 0], 3.0), "mask": ("mask", 0.0), "mask tensor value": ("mask", "masked"),
    "advanced pair": (([0, 1], [2, 0]), 9.0), "repeated": ([0, 0], 5.0), "ellipsis": ((Ellipsis, 1), -2.0),
    "None": (None, 4.0), "broadcast row": ((slice(None), 1), "row4"), "int value": (0, 3), "bool value": (0, True),
    "tensor index": ("tensor", 1.5), "0-d tensor value": (0, "scalar tensor"),
}


def _set_value(lib, value):
    return {"row": lib.arange(12.0).reshape(3, 4), "masked": lib.arange(12.0) * 10, "row4": lib.arange(4.0),
            "scalar tensor": lib.tensor(2.5)}.get(value, value) if isinstance(value, str) else value


@pytest.mark.parametrize("name", SETS)
def test_setitem(name):
    key, value = SETS[name]

    def run(lib):
        x = _x(lib)
        k = {"mask": x > 11, "tensor": lib.tensor([1, 0])}.get(key, key) if isinstance(key, str) else key
        before = x._version
        x[k] = _set_value(lib, value)
        return x, x._version - before
    same(run)


def test_setitem_errors_and_dtype_casts():
    def assign(x, key, value):
        x[key] = value
        return x
    same(lambda lib: assign(lib.zeros(3, dtype=lib.int64), 0, 2.7))          # floats truncate into int tensors
    same(lambda lib: assign(lib.zeros(3), 0, lib.tensor(2)))
    same(lambda lib: assign(lib.zeros(3, dtype=lib.int64), 0, lib.tensor(2.5)))
    same(lambda lib: assign(lib.zeros(3), slice(None), lib.ones(2)))
    same(lambda lib: assign(lib.zeros(3), 5, 1.0))
    same(lambda lib: assign(lib.zeros(2, 2), lib.tensor([True, False]), lib.tensor([1.0, 2.0])))
    # advanced indexing (index_put_) wants matching dtypes, except for Python numbers and a 0-d mask fill
    same(lambda lib: assign(lib.zeros(3, dtype=lib.int64), [0, 1], lib.tensor([2.5, 1.5])))
    same(lambda lib: assign(lib.zeros(3), [0, 1], lib.tensor([2, 1])))
    same(lambda lib: assign(lib.zeros(3), [0, 1], lib.tensor(2, dtype=lib.float64)))
    same(lambda lib: assign(lib.zeros(3, dtype=lib.int64), [0, 1], 2.5))
    same(lambda lib: assign(lib.zeros(3, dtype=lib.int64), lib.tensor([True, False, True]), lib.tensor(2.5)))
    same(lambda lib: assign(lib.zeros(3, dtype=lib.int64), lib.tensor([True, False, True]), lib.tensor([2.5, 1.5])))
    same(lambda lib: assign(lib.zeros(3), 0, 1j))
    same(lambda lib: assign(lib.zeros(3), [0], 1j))
    # writing a tensor into itself at shifted positions
    same(lambda lib: (lambda x: assign(x, slice(1, None), x[:2]))(lib.arange(3.0)))
    same(lambda lib: (lambda x: assign(x, slice(None), x))(lib.arange(3.0)))


def test_setitem_with_grad():
    def run(lib):
        w = lib.ones(3, requires_grad=True)
        x = lib.zeros(2, 3)
        x[0] = w * 2
        x[1, 1:] = w[:2]
        x.sum().backward()
        return x, w.grad
    same(run)


# ---------------------------------------------------------------------------------------- random keys
@st.composite
def index_case(draw):
    """A random shape and a random key: ints, slices, None, ..., lists, int tensors, bool masks."""
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
    parts = []
    for i in range(draw(st.integers(1, 3))):
        n = shape[min(i, len(shape) - 1)] if shape else 1
        kind = draw(st.sampled_from(["int", "slice", "None", "...", "list", "tensor", "mask"]))
        if kind == "int":
            parts.append(draw(st.integers(-n - 1, n)))
        elif kind == "slice":
            bound = st.none() | st.integers(-n - 2, n + 2)
            steps = [None, 1, 2, 3] + ([-1] if shape else [])  # -1: PyTorch's ValueError
            parts.append(slice(draw(bound), draw(bound), draw(st.sampled_from(steps))))
        elif kind == "None":
            parts.append(None)
        elif kind == "..." and Ellipsis not in parts:
            parts.append(Ellipsis)
        elif kind in ("list", "tensor"):
            values = draw(st.lists(st.integers(-n, max(n - 1, 0)), min_size=kind == "tensor", max_size=3))
            parts.append(values if kind == "list" else ("tensor", values))
        elif kind == "mask":
            parts.append(("mask", draw(st.lists(st.booleans(), min_size=n, max_size=n))))
    return shape, parts, draw(st.booleans()), draw(st.sampled_from(["get", "set", "grad", "set grad"]))


def _make_key(lib, parts, as_tuple):
    key = [lib.tensor(p[1], dtype=lib.int64 if p[0] == "tensor" else lib.bool) if isinstance(p, tuple) else p
           for p in parts]
    return tuple(key) if as_tuple or len(key) > 1 else key[0]


@settings(max_examples=150, deadline=None)
@given(index_case())
def test_indexing_random(case):
    """x[key], x[key] = value, and the gradients through both, against PyTorch for random keys."""
    shape, parts, as_tuple, mode = case

    def run(lib):
        x = lib.arange(float(np.prod(shape))).reshape(shape)
        key = _make_key(lib, parts, as_tuple)
        if mode == "get":
            return x[key]
        if mode == "set":
            x[key] = -1.0
            return x
        if mode == "grad":
            x.requires_grad_()
            y = x[key]
            (y * lib.arange(float(y.numel())).reshape(y.shape)).sum().backward()
            return y, x.grad
        w = lib.tensor(2.0, requires_grad=True)
        x = x * 1.0
        x[key] = w * 3
        (x * x).sum().backward()
        # x[...] = v and x[:] = v write the whole tensor: PyTorch's node is then its fill_/copy_ node
        whole = all(p is Ellipsis or isinstance(p, slice) and p.step in (None, 1) for p in parts) and \
            tuple(x[key].shape) == shape
        return x.detach() if whole else x, w.grad

    ref, ours = call(run, torch), call(run, tutorgrad)
    selected = call(lambda lib: lib.zeros(shape)[_make_key(lib, parts, as_tuple)], torch)
    if isinstance(ours, IndexError) and not isinstance(selected, Exception) and selected.numel() == 0:
        return  # PyTorch skips the bounds check when nothing is selected; tutorgrad still reports the bad index
    assert_same(ours, ref, where=f"{mode}: shape {shape}, key {parts}")


# ---------------------------------------------------------------------------------------- gradients against PyTorch
@SETTINGS
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), dtype=dtypes,
       seed=seeds)
def test_advanced_indexing_with_repeats(data, shape, dtype, seed):
    idx = data.draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=1, max_size=6), label="idx")
    compare(lambda L, a: a[L.tensor(idx)] * 2, [values(seed, shape, "any")], dtype, seed)
    compare(lambda L, a: a[idx], [values(seed, shape, "any")], dtype, seed)


@SETTINGS
@given(data=st.data(), shape=hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=4), dtype=dtypes,
       seed=seeds)
def test_two_index_tensors(data, shape, dtype, seed):
    n = data.draw(st.integers(1, 5), label="n")
    i = data.draw(st.lists(st.integers(0, shape[0] - 1), min_size=n, max_size=n), label="i")
    j = data.draw(st.lists(st.integers(0, shape[1] - 1), min_size=n, max_size=n), label="j")
    compare(lambda L, a: a[L.tensor(i), L.tensor(j)], [values(seed, shape, "any")], dtype, seed)
    compare(lambda L, a: a[:, L.tensor(j)], [values(seed, shape, "any")], dtype, seed)


@SETTINGS
@given(mask_shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), dtype=dtypes, seed=seeds)
def test_boolean_mask_gradients(mask_shape, dtype, seed):
    m = np.random.default_rng(seed).random(mask_shape) < 0.5
    compare(lambda L, a: a[L.tensor(m)], [values(seed, mask_shape, "any")], dtype, seed)
    compare(lambda L, a: a.masked_select(L.tensor(m)), [values(seed, mask_shape, "any")], dtype, seed)
    compare(lambda L, a: a[a > 0].sum(), [values(seed, mask_shape, "any")], dtype, seed)


def _slice(data, n):
    start = data.draw(st.one_of(st.none(), st.integers(-n, n)), label="start")
    stop = data.draw(st.one_of(st.none(), st.integers(-n, n)), label="stop")
    step = data.draw(st.one_of(st.none(), st.integers(1, 3)), label="step")
    return slice(start, stop, step)


@SETTINGS
@given(data=st.data(), shape=hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=5), dtype=dtypes,
       seed=seeds)
def test_basic_indexing(data, shape, dtype, seed):
    s0, s1 = _slice(data, shape[0]), _slice(data, shape[1])
    i = data.draw(st.integers(-shape[0], shape[0] - 1), label="i")
    a = values(seed, shape, "any")
    compare(lambda L, x: x[s0, s1] * 2, [a], dtype, seed, graph="top")
    compare(lambda L, x: x[i], [a], dtype, seed)
    compare(lambda L, x: x[..., 0], [a], dtype, seed)
    compare(lambda L, x: x[:, None, i % shape[1]], [a], dtype, seed, graph="top")


@SETTINGS
@given(data=st.data(), shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), dtype=dtypes,
       seed=seeds)
def test_setitem_gradients(data, shape, dtype, seed):
    i = data.draw(st.integers(-shape[0], shape[0] - 1), label="i")
    rows = data.draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=3, unique=True), label="rows")
    x = values(seed, shape, "any")
    v = values(seed + 1, shape[1:], "any")

    def basic(L, a, b):
        c = a * 1.0
        c[i] = b * b
        return c.exp()

    def advanced(L, a, b):
        c = a.clone()
        c[L.tensor(rows)] = b
        return c * a

    def masked(L, a):
        c = a.clone()
        c[a > 0] = 0.0
        return c * a

    compare(basic, [x, v], dtype, seed)
    compare(advanced, [x, v], dtype, seed, graph="top")  # PyTorch views the value first
    compare(masked, [x], dtype, seed)


# ------------------------------------------------------------------------- gradcheck in float64 (and double backward)
# id -> (function, fresh float64 inputs)
CASES = {
    "narrow": (lambda a: a.narrow(1, 1, 2), lambda: (leaf(1, 2, 4),)),
    "gather": (lambda a: a.gather(1, idx([[0, 0, 2], [1, 2, 1]])), lambda: (leaf(1, 2, 3),)),
    "gather_dim0": (lambda a: tutorgrad.gather(a, 0, idx([[1, 0, 1]])), lambda: (leaf(1, 2, 3),)),
    "index_int": (lambda a: a[1], lambda: (leaf(1, 3, 2),)),
    "index_neg_int": (lambda a: a[-1, 0], lambda: (leaf(1, 3, 2),)),
    "index_slice": (lambda a: a[1:3], lambda: (leaf(1, 4, 2),)),
    "index_step_slice": (lambda a: a[::2, 1:], lambda: (leaf(1, 5, 3),)),
    "index_ellipsis": (lambda a: a[..., 1], lambda: (leaf(1, 2, 2, 3),)),
    "index_none": (lambda a: a[:, None], lambda: (leaf(1, 2, 3),)),
    "index_alias": (lambda a: a[...], lambda: (leaf(1, 2, 3),)),
    "index_list": (lambda a: a[[2, 0]], lambda: (leaf(1, 3, 2),)),
    "index_tensor_repeated": (lambda a: a[idx([0, 2, 0, 0])], lambda: (leaf(1, 3, 2),)),
    "index_tensor_2d": (lambda a: a[idx([[0, 1], [1, 1]])], lambda: (leaf(1, 3),)),
    "index_two_tensors": (lambda a: a[idx([0, 1, 1]), idx([2, 0, 2])], lambda: (leaf(1, 2, 3),)),
    "index_int_and_list": (lambda a: a[1, [0, 2, 2]], lambda: (leaf(1, 2, 3),)),
    "index_slice_and_tensor": (lambda a: a[:, idx([2, 2, 0])], lambda: (leaf(1, 2, 3),)),
    "index_bool_mask": (lambda a: a[mask(3, 3, 4)], lambda: (leaf(1, 3, 4),)),
    "index_bool_row_mask": (lambda a: a[tutorgrad.tensor([True, False, True])], lambda: (leaf(1, 3, 2),)),
    "index_select": (lambda a: a.index_select(1, idx([2, 0, 2])), lambda: (leaf(1, 2, 3),)),
    "cpu": (lambda a: a.cpu() * 2, lambda: (leaf(1, 3),)),
    "masked_select": (lambda a: a.masked_select(mask(3, 3)), lambda: (leaf(1, 2, 3),)),
    "setitem_int_tensor": (setitem(0), lambda: (leaf(1, 3, 2), leaf(2, 2))),
    "setitem_slice_bcast": (setitem(slice(1, 3)), lambda: (leaf(1, 4, 2), leaf(2, 2))),
    "setitem_scalar": (setitem((slice(None), 1), value=5.0), lambda: (leaf(1, 3, 2),)),
    "setitem_mask": (setitem(mask(3, 3, 2).__array__()), lambda: (leaf(1, 3, 2), leaf(2))),
    "setitem_index_list": (setitem([2, 0]), lambda: (leaf(1, 3, 2), leaf(2, 2, 2))),
    "setitem_value_only": (lambda v: setitem(1)(tutorgrad.zeros(3, 2, dtype=F64), v), lambda: (leaf(2, 2),)),
}


EPS = {}


# double backward: gradcheck of the gradient
GRADGRAD = {
    "index": (lambda a: (a * a)[idx([0, 0, 1]), 1:], lambda: (leaf(1, 2, 3),)),
    "index_mask": (lambda a: (a * a)[mask(3, 2, 3)], lambda: (leaf(1, 2, 3),)),
    "index_basic": (lambda a: (a * a)[1, ::2], lambda: (leaf(1, 2, 3),)),
    "setitem": (lambda a, v: setitem(1)(a * a, v * v), lambda: (leaf(1, 2, 3), leaf(2, 3))),
    "gather": (lambda a: (a * a).gather(1, idx([[0, 0], [2, 1]])), lambda: (leaf(1, 2, 3),)),
}


GRADGRAD_EPS = {}


test_gradcheck, test_gradgradcheck = gradcheck_tests(CASES, EPS, GRADGRAD, GRADGRAD_EPS)
