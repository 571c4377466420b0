"""Creating tensors against real PyTorch: from data, factories (``zeros``, ``full``, ``arange``, ``linspace``,
``eye``), the legacy constructor and ``new_*``, and values too big for a dtype (``tutorgrad/creation.py``,
``tutorgrad/_convert.py``).
"""
import numpy as np
import pytest

import tutorgrad
from torchdiff import DTYPES, MAIN_DTYPES, dt, same

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # no NumPy warning may leak out of tutorgrad


# ---------------------------------------------------------------------------------------- creation
DATA = [
    1, 2.5, True, 1 + 2j, -0.0, 10 ** 12,
    [1, 2, 3], [1.0, 2, 3], [True, False], [1, True], [1, 2.0, True], [1, 2j], [[1, 2], [3, 4]],
    [[1.5], [2.5]], [[[1], [2]], [[3], [4]]], [], [[]], [[], []], (1, 2), [(1, 2), (3, 4)],
    [float("nan"), float("inf"), -float("inf")], [1e-8, 1e8], [0.1, 0.2, 0.3],
]


@pytest.mark.parametrize("data", DATA, ids=repr)
def test_tensor_from_python_data(data):
    same(lambda lib: lib.tensor(data))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("data", [[1, 0, 2], [0.5, -1.5], 3, [True, False]], ids=repr)
def test_tensor_with_dtype(data, dtype):
    same(lambda lib: lib.tensor(data, dtype=dt(lib, dtype)))


@pytest.mark.parametrize("data", [2.0, [1.0, 2.0], [[1.0], [2.0]]], ids=repr)
def test_tensor_requires_grad(data):
    same(lambda lib: lib.tensor(data, requires_grad=True))
    same(lambda lib: lib.tensor(data, dtype=lib.float64, requires_grad=True))


def test_tensor_from_numpy_scalars_and_mixed():
    same(lambda lib: lib.tensor([np.float32(1.5), np.float32(2)]))
    same(lambda lib: lib.tensor(np.float64(2.5)))
    same(lambda lib: lib.tensor(np.int32(3)))
    same(lambda lib: lib.tensor([np.int64(3), 2.5]))
    same(lambda lib: lib.tensor(np.array([1, 2], np.int16)))
    same(lambda lib: lib.tensor(np.arange(6.0).reshape(2, 3)))


def test_tensor_from_list_of_tensors():
    same(lambda lib: lib.tensor([lib.tensor(1.5), lib.tensor(2.0)]))
    same(lambda lib: lib.tensor([lib.tensor(1), lib.tensor(2)]))


def test_as_tensor_and_from_numpy():
    for arr in [np.arange(3), np.ones((2, 2), np.float32), np.array([True, False]), np.array(2.5),
                np.array([1 + 1j], np.complex64)]:
        same(lambda lib: lib.as_tensor(arr))
        same(lambda lib: lib.from_numpy(arr))
        same(lambda lib: lib.as_tensor(arr, dtype=lib.float64))
    same(lambda lib: lib.as_tensor([1, 2, 3]))
    same(lambda lib: lib.as_tensor([1.0, 2.0], dtype=lib.int32))


SIZES = [(), (0,), (3,), (2, 3), [2, 3], (1, 2, 1)]


@pytest.mark.parametrize("fn", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("size", SIZES, ids=repr)
def test_filled_factories(fn, size):
    if fn == "empty":  # values are undefined in PyTorch; tutorgrad fills zeros: compare everything else
        ours = tutorgrad.empty(size)
        assert ours.shape == tuple(size) and ours.dtype is tutorgrad.float32
        return
    same(lambda lib: getattr(lib, fn)(size))
    same(lambda lib: getattr(lib, fn)(*size))
    for dtype in ["int64", "bool", "float64", "complex64"]:
        same(lambda lib: getattr(lib, fn)(size, dtype=dt(lib, dtype)))
    same(lambda lib: getattr(lib, fn)(size, requires_grad=True))


@pytest.mark.parametrize("value", [1, 2.5, True, 1j, -0.0], ids=repr)
def test_full(value):
    same(lambda lib: lib.full((2, 3), value))
    same(lambda lib: lib.full([2], value, dtype=lib.float64))
    same(lambda lib: lib.full_like(lib.ones(2, dtype=lib.int32), value))


@pytest.mark.parametrize("fn", ["zeros_like", "ones_like"])
@pytest.mark.parametrize("dtype", MAIN_DTYPES)
def test_like_factories(fn, dtype):
    same(lambda lib: getattr(lib, fn)(lib.tensor([[1, 2, 3]], dtype=dt(lib, dtype))))
    same(lambda lib: getattr(lib, fn)(lib.tensor([1, 2], dtype=dt(lib, dtype)), dtype=lib.float64))
    ours = tutorgrad.empty_like(tutorgrad.ones(2, 3, dtype=getattr(tutorgrad, dtype)))
    assert ours.shape == (2, 3) and ours.dtype is getattr(tutorgrad, dtype)


ARANGE = [(5,), (2, 7), (1, 2, 0.5), (0, 1, 0.1), (10, 0, -3), (1.5,), (0,), (-3, 3), (0, 1, 0.3),
          (0.0, 2.0), (5, 1)]


@pytest.mark.parametrize("args", ARANGE, ids=repr)
def test_arange(args):
    same(lambda lib: lib.arange(*args))
    same(lambda lib: lib.arange(*args, dtype=lib.float64))


@pytest.mark.parametrize("args", [(0, 1, 5), (-1, 1, 4), (0, 10, 1), (0, 1, 0), (2, 2, 3), (1, 0, 7), (0, 1, 100)],
                         ids=repr)
def test_linspace(args):
    same(lambda lib: lib.linspace(*args))
    same(lambda lib: lib.linspace(*args, dtype=lib.float64))


@pytest.mark.parametrize("args", [(3,), (2, 4), (4, 2), (0,), (1,)], ids=repr)
def test_eye(args):
    same(lambda lib: lib.eye(*args))
    same(lambda lib: lib.eye(*args, dtype=lib.int64))


def test_legacy_constructor():
    same(lambda lib: lib.Tensor([1, 2, 3]))
    same(lambda lib: lib.Tensor(2, 3).shape)


def test_new_factories():
    same(lambda lib: lib.ones(2, dtype=lib.float64).new_zeros(3))
    same(lambda lib: lib.ones(2, dtype=lib.int32).new_ones((2, 2)))
    same(lambda lib: lib.ones(2).new_full((2,), 7))
    same(lambda lib: lib.ones(2, dtype=lib.float64).new_tensor([1, 2]))
    same(lambda lib: lib.ones(2).new_tensor([1, 2], dtype=lib.int64))
    same(lambda lib: lib.ones(2).new_ones(2, requires_grad=True))


# ---------------------------------------------------------------------------------------- values too big for a dtype
BIG_VALUES = {
    "x == 1e300": lambda lib: lib.ones(2) == 1e300, "x < 1e300": lambda lib: lib.ones(2) < 1e300,
    "tensor(1e300, float32)": lambda lib: lib.tensor([1e300], dtype=lib.float32),
    "full(1e300)": lambda lib: lib.full((2,), 1e300), "fill_(1e300)": lambda lib: lib.ones(2).fill_(1e300),
    "full(300, uint8)": lambda lib: lib.full((2,), 300, dtype=lib.uint8),
    "int8 fill_(-129)": lambda lib: lib.zeros(2, dtype=lib.int8).fill_(-129),
    "full(inf)": lambda lib: lib.full((2,), float("inf")),
}


@pytest.mark.parametrize("case", BIG_VALUES)
def test_values_too_big_for_the_dtype_like_pytorch_and_without_numpy_warnings(case):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a leaked NumPy RuntimeWarning fails the test
        same(BIG_VALUES[case])
