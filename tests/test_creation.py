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


# ---------------------------------------------------------------------------------------------- legacy constructors
def _outcome(call, lib):
    import warnings as _w
    with _w.catch_warnings(record=True) as w:
        _w.simplefilter("always")
        try:
            r = call(lib)
        except Exception as e:  # noqa: BLE001 (the error is what is compared)
            return type(e), str(e).split(" (")[0].split(":")[0], [str(x.message) for x in w]
    shown = repr(r).replace("torch.", "tutorgrad.").replace("tutorgrad.autograd.variable", "V")
    if isinstance(r, (_torch.Tensor, tutorgrad.Tensor)):
        shown = (str(r.dtype).split(".")[1], tuple(r.shape), r.requires_grad, r.grad_fn is None, r.tolist())
    return shown, [str(x.message) for x in w]


_torch = pytest.importorskip("torch")
LEGACY = {
    "FloatTensor(data)": lambda t: t.FloatTensor([1, 2]),
    "FloatTensor(sizes)": lambda t: t.FloatTensor(2, 3).shape,
    "FloatTensor(Size)": lambda t: t.FloatTensor(t.Size([2, 3])).shape,
    "FloatTensor(tuple) is data": lambda t: t.FloatTensor((2, 3)),
    "FloatTensor()": lambda t: t.FloatTensor(),
    "FloatTensor(ndarray)": lambda t: t.FloatTensor(np.zeros(2)),
    "FloatTensor(float tensor)": lambda t: t.FloatTensor(t.ones(2)),
    "FloatTensor(double tensor)": lambda t: t.FloatTensor(t.ones(2, dtype=t.float64)),
    "FloatTensor(2.5)": lambda t: t.FloatTensor(2.5),
    "FloatTensor(2, 3.0)": lambda t: t.FloatTensor(2, 3.0),
    "FloatTensor(-1)": lambda t: t.FloatTensor(-1),
    "FloatTensor(device='cuda')": lambda t: t.FloatTensor([1], device="cuda"),
    "FloatTensor(requires_grad=)": lambda t: t.FloatTensor([1], requires_grad=True),
    "DoubleTensor(2)": lambda t: t.DoubleTensor(2).dtype,
    "LongTensor(floats)": lambda t: t.LongTensor([1.5, 2]),
    "IntTensor": lambda t: t.IntTensor([1, 2]),
    "ShortTensor": lambda t: t.ShortTensor([1]),
    "CharTensor": lambda t: t.CharTensor([1]),
    "ByteTensor": lambda t: t.ByteTensor([1]),
    "HalfTensor": lambda t: t.HalfTensor([1]),
    "BoolTensor": lambda t: t.BoolTensor([1, 0]),
    "nested ragged": lambda t: t.FloatTensor([[1], [2, 3]]),
    "repr of the type": lambda t: t.FloatTensor,
    "its dtype": lambda t: t.LongTensor.dtype,
    "not a subclass of Tensor": lambda t: issubclass(t.FloatTensor, t.Tensor),
    "what it makes is a Tensor": lambda t: type(t.FloatTensor([1])).__name__,
    "isinstance float": lambda t: isinstance(t.ones(2), t.FloatTensor),
    "isinstance float requires grad": lambda t: isinstance(t.ones(2, requires_grad=True), t.FloatTensor),
    "isinstance double is no FloatTensor": lambda t: isinstance(t.ones(2, dtype=t.float64), t.FloatTensor),
    "isinstance long": lambda t: isinstance(t.tensor([1]), t.LongTensor),
    "t.type(LongTensor)": lambda t: t.ones(2).type(t.LongTensor),
    "t.type()": lambda t: t.ones(2, dtype=t.int32).type(),
    "cuda.FloatTensor(data)": lambda t: t.cuda.FloatTensor([1]),
    "cuda.LongTensor(sizes)": lambda t: t.cuda.LongTensor(2),
    "isinstance(cpu tensor, cuda.FloatTensor)": lambda t: isinstance(t.ones(1), t.cuda.FloatTensor),
    "cuda.FloatTensor's repr": lambda t: t.cuda.FloatTensor,
    "t.type(cuda.FloatTensor)": lambda t: t.ones(1).type(t.cuda.FloatTensor),
    # Variable
    "Variable(t, requires_grad=True)": lambda t: t.autograd.Variable(t.ones(2), requires_grad=True),
    "Variable(t, True)": lambda t: t.autograd.Variable(t.ones(2), True),
    "Variable(t)": lambda t: t.autograd.Variable(t.ones(2)),
    "Variable of a non-leaf is detached": lambda t: t.autograd.Variable(t.ones(2, requires_grad=True) * 2),
    "Variable(list)": lambda t: t.autograd.Variable([1.0]),
    "Variable(long, requires_grad=True)": lambda t: t.autograd.Variable(t.tensor([1]), requires_grad=True).dtype,
    "Variable(volatile=True) warns": lambda t: t.autograd.Variable(t.ones(2), volatile=True),
    "Variable()": lambda t: t.autograd.Variable(),
    "isinstance(tensor, Variable)": lambda t: isinstance(t.ones(2), t.autograd.Variable),
    "Variable's class": lambda t: t.autograd.Variable,
}


@pytest.mark.parametrize("call", LEGACY.values(), ids=LEGACY.keys())
def test_legacy_constructors_as_pytorch(call):
    a, b = _outcome(call, _torch), _outcome(call, tutorgrad)
    if isinstance(a[0], type) and issubclass(a[0], Exception):  # error class and the start of its message
        assert b[0] is a[0] and (a[0] is TypeError or b[1].lower().split()[:4] == a[1].lower().split()[:4]), (a, b)
    else:
        assert b == a


def test_variable_shares_memory_and_trains():
    x = tutorgrad.ones(2)
    v = tutorgrad.autograd.Variable(x, requires_grad=True)
    v.detach()[0] = 5.0
    assert x[0].item() == 5.0 and v.is_leaf
    (v * v).sum().backward()
    assert v.grad.tolist() == [10.0, 2.0]
