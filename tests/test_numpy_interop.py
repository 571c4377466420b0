"""NumPy interop with PyTorch's memory rules, checked side by side with real PyTorch.

* ``from_numpy(a)`` and ``t.numpy()`` share memory; ``tensor(a)`` copies; ``as_tensor(a)`` shares when no
  conversion is needed.
* Views (slices, reshape, transpose, ...) share memory with their base.
* ``np.asarray(t)`` works; ``ndarray (op) Tensor`` gives a Tensor with PyTorch's dtype.
"""
import numpy as np
import pytest

import tutorgrad
from torchdiff import assert_same, call, same, torch

LIBS = [pytest.param(torch, id="torch"), pytest.param(tutorgrad, id="tutorgrad")]
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # e.g. NumPy's ComplexWarning from inside tutorgrad


@pytest.mark.parametrize("lib", LIBS)
def test_from_numpy_shares_memory_both_ways(lib):
    a = np.zeros(3, np.float32)
    t = lib.from_numpy(a)
    a[0] = 5
    assert t[0].item() == 5
    t[1] = 7
    assert a[1] == 7
    t.add_(1)
    assert a.tolist() == [6, 8, 1]


@pytest.mark.parametrize("lib", LIBS)
def test_numpy_shares_memory_both_ways(lib):
    t = lib.zeros(2, 2, dtype=lib.float64)
    a = t.numpy()
    assert a.dtype == np.float64 and a.shape == (2, 2)
    a[0, 0] = 3
    assert t[0, 0].item() == 3
    t.mul_(2).add_(1)
    assert a.tolist() == [[7, 1], [1, 1]]
    assert np.shares_memory(a, t.numpy())


@pytest.mark.parametrize("lib", LIBS)
def test_tensor_copies(lib):
    a = np.arange(3.0)
    t = lib.tensor(a)
    a[0] = 100
    assert t[0].item() == 0
    t[1] = -1
    assert a[1] == 1


@pytest.mark.parametrize("lib", LIBS)
def test_as_tensor_shares_only_without_conversion(lib):
    a = np.arange(3.0)
    same_dtype = lib.as_tensor(a)
    converted = lib.as_tensor(a, dtype=lib.float32)
    a[0] = 9
    assert same_dtype[0].item() == 9
    assert converted[0].item() == 0
    t = lib.ones(2)
    assert lib.as_tensor(t) is t


@pytest.mark.parametrize("lib", LIBS)
def test_detach_numpy_of_grad_tensor_shares(lib):
    w = lib.ones(2, requires_grad=True)
    a = w.detach().numpy()
    a[0] = 4
    assert w[0].item() == 4


def test_numpy_of_requires_grad_raises_pytorchs_error():
    same(lambda lib: lib.ones(2, requires_grad=True).numpy())
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad. Use "
                                           r"tensor.detach\(\).numpy\(\) instead."):
        tutorgrad.ones(2, requires_grad=True).numpy()
    with pytest.raises(RuntimeError, match="detach"):
        (tutorgrad.ones(2, requires_grad=True) * 2).numpy()
    with pytest.raises(RuntimeError, match="detach"):
        np.asarray(tutorgrad.ones(2, requires_grad=True))
    same(lambda lib: np.asarray(lib.ones(2, requires_grad=True)))
    same(lambda lib: lib.ones(2, requires_grad=True).numpy(force=True).tolist())


VIEWS = {
    "slice": lambda t: t[1:], "row": lambda t: t[0], "element": lambda t: t[0, 1], "step": lambda t: t[:, ::2],
    "reshape": lambda t: t.reshape(6), "view": lambda t: t.view(3, 2), "transpose": lambda t: t.transpose(0, 1),
    "t": lambda t: t.t(), "T": lambda t: t.T, "permute": lambda t: t.permute(1, 0), "flatten": lambda t: t.flatten(),
    "unsqueeze": lambda t: t.unsqueeze(0), "squeeze": lambda t: t[:1].squeeze(0),
    "expand": lambda t: t[:1].expand(4, 3),
    "detach": lambda t: t.detach(), "narrow": lambda t: t.narrow(1, 1, 2), "split": lambda t: t.split(1)[1],
    "chunk": lambda t: t.chunk(3, 1)[2], "unbind": lambda t: t.unbind(1)[0], "ellipsis": lambda t: t[..., 1],
    "None": lambda t: t[None], "mT": lambda t: t.mT,
    # copies in PyTorch as well:
    "advanced": lambda t: t[[0, 1]], "mask": lambda t: t[t > 2], "clone": lambda t: t.clone(),
    "reshape of transpose": lambda t: t.t().reshape(6), "contiguous of transpose": lambda t: t.t().contiguous(),
    "flip": lambda t: t.flip(0), "cat": lambda t: torch.cat([t]) if isinstance(t, torch.Tensor) else tutorgrad.cat([t]),
    "to other dtype": lambda t: t.to(torch.float64 if isinstance(t, torch.Tensor) else tutorgrad.float64),
    "float() same dtype": lambda t: t.float(),
}


@pytest.mark.parametrize("name", VIEWS)
def test_views_share_memory_like_pytorch(name):
    """Write through the base: the result sees it exactly when PyTorch's does."""
    def run(lib):
        base = lib.arange(6.0).reshape(2, 3)
        out = VIEWS[name](base)
        before = out.clone()
        base.add_(100)
        shares = not bool((out == before).all())
        return shares, np.shares_memory(base.numpy(), out.numpy()), out._base is not None
    same(run)


def test_numpy_array_of_view_shares_with_the_base():
    def run(lib):
        t = lib.arange(6.0).reshape(2, 3)
        a = t.t().numpy()
        a[0, 1] = -1
        return t, a.flags.c_contiguous
    same(run)


DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64",
          "complex128"]


@pytest.mark.parametrize("dtype", DTYPES)
def test_dtypes_map_both_ways(dtype):
    a = np.array([1, 0, 1], dtype=dtype)
    same(lambda lib: lib.from_numpy(a))
    same(lambda lib: lib.tensor(a))
    for lib in (torch, tutorgrad):
        assert lib.from_numpy(a).numpy().dtype == np.dtype(dtype)
        assert np.asarray(lib.tensor(a)).dtype == np.dtype(dtype)


def test_asarray_and_array_protocol():
    for lib in (torch, tutorgrad):
        t = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
        a = np.asarray(t)
        assert a.dtype == np.float32 and a.tolist() == [[1, 2], [3, 4]]
        a[0, 0] = 10
        assert t[0, 0].item() == 10, lib.__name__  # np.asarray shares, like .numpy()
        assert np.array(t).tolist() == [[10, 2], [3, 4]]
        assert np.asarray(t, dtype=np.float64).dtype == np.float64
        assert np.allclose(np.exp(np.asarray(lib.zeros(2))), 1.0)
        assert np.concatenate([np.asarray(t), np.asarray(t)]).shape == (4, 2)
    same(lambda lib: np.sum(lib.ones(2)))  # PyTorch's sum has no `axis`: a TypeError in both


BINOPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
          "**": lambda a, b: a ** b, "@": lambda a, b: a @ b, "==": lambda a, b: a == b, "<": lambda a, b: a < b,
          ">=": lambda a, b: a >= b}
MIXES = [("float64", "float32"), ("float32", "float32"), ("int64", "float32"), ("float64", "int64"),
         ("int32", "int64"), ("float32", "float64"), ("bool", "float32")]


@pytest.mark.parametrize("op", BINOPS)
@pytest.mark.parametrize("np_dtype, t_dtype", MIXES)
def test_ndarray_op_tensor_gives_a_tensor(op, np_dtype, t_dtype):
    """Tensor (op) ndarray and ndarray (op) Tensor: a Tensor with NumPy's result dtype and values.

    PyTorch 2.13 computes ``tensor (op) ndarray`` through NumPy: NumPy's dtype (float32 tensor * int64 array
    is float64), wrapped as a Tensor; tutorgrad must agree wherever PyTorch gives a result. PyTorch raises
    TypeError for ``ndarray (op) tensor`` (except ``/`` and ``==``) and for ``<``/``>=`` with NumPy 2: there
    tutorgrad deliberately gives the Tensor the issue asks for, with the same NumPy dtype.
    """
    a = np.array([[1, 2], [3, 4]], dtype=np_dtype)
    b = np.array([[2, 1], [1, 2]], dtype=t_dtype)
    fn = BINOPS[op]
    if op == "**" and np_dtype == t_dtype == "bool":
        return
    for x, y, ours in [(a, b, lambda: fn(a, tutorgrad.tensor(b))), (b, a, lambda: fn(tutorgrad.tensor(b), a))]:
        expected = torch.from_numpy(np.asarray(fn(x, y)))
        assert_same(ours(), expected, check_repr=False, where=f"{x.dtype} {op} {y.dtype}")
    direct = call(lambda _: fn(torch.tensor(b), a), torch)
    if not isinstance(direct, TypeError):
        assert_same(fn(tutorgrad.tensor(b), a), direct, check_repr=False)
    direct = call(lambda _: fn(a, torch.tensor(b)), torch)
    if not isinstance(direct, TypeError):
        assert_same(fn(a, tutorgrad.tensor(b)), direct, check_repr=False)


def test_zero_dim_ndarray_is_an_array_not_a_number():
    same(lambda lib: lib.tensor([1.0, 2.0]) * np.array(2.5))  # float64, as NumPy promotes 0-d arrays
    same(lambda lib: lib.tensor([1, 2]) / np.array([2, 4]))
    assert (np.array(2.5) * tutorgrad.tensor([1.0, 2.0])).dtype is tutorgrad.float64


def test_ndarray_op_tensor_keeps_the_graph():
    """tutorgrad goes further than PyTorch here (PyTorch raises "Can't call numpy() on Tensor that requires
    grad"): the result stays in the graph, and the gradient has the tensor's dtype."""
    w = tutorgrad.tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0], np.float32) * w
    z = w * np.array([1.0, 1.0])
    assert y.grad_fn.name() == "MulBackward0" and z.dtype is tutorgrad.float64
    (y.sum() + z.sum()).backward()
    assert w.grad.dtype is tutorgrad.float32 and w.grad.tolist() == [4.0, 5.0]


def test_numpy_scalars_with_tensors():
    same(lambda lib: lib.tensor([1.0, 2.0]) * np.float64(2))
    same(lambda lib: np.float64(2) * lib.tensor([1.0, 2.0]))
    same(lambda lib: lib.tensor([1, 2]) + np.int64(3))
    same(lambda lib: lib.tensor([1, 2]) * np.float32(0.5))
    same(lambda lib: lib.tensor([1, 2])[np.int64(1)])
    for scalar in [np.float64(2.5), np.float32(2.5), np.int32(2), np.int64(-1), np.complex128(1j)]:
        same(lambda lib: lib.tensor([1, 2]) * scalar)  # NumPy scalars count as Python numbers
        same(lambda lib: scalar + lib.tensor([1, 2], dtype=lib.int32))
        same(lambda lib: lib.tensor([1.0, 2.0]) ** scalar)
        same(lambda lib: lib.tensor([1.0, 2.0], requires_grad=True) * scalar)


@pytest.mark.parametrize("array", [np.array(["a", "b"]), np.array([1, "x"], dtype=object), np.array([b"x"]),
                                   np.array([1, 2], dtype=np.uint16), np.array(["2020-01-01"], dtype="datetime64[D]")],
                         ids=["str", "object", "bytes", "uint16", "datetime"])
def test_unsupported_numpy_dtypes_give_a_clear_type_error(array):
    for fn in (tutorgrad.from_numpy, tutorgrad.tensor, tutorgrad.as_tensor):
        with pytest.raises(TypeError, match=r"can't convert np.ndarray of type numpy\.\w+.*supported types"):
            fn(array)
    if array.dtype != np.uint16:  # PyTorch 2.13 has a bare-bones uint16; tutorgrad leaves it out
        with pytest.raises(TypeError, match="can't convert np.ndarray of type"):
            torch.from_numpy(array)


def test_non_writeable_and_non_contiguous_arrays():
    a = np.arange(6.0).reshape(2, 3).T  # a non-contiguous view
    same(lambda lib: lib.from_numpy(a))
    same(lambda lib: lib.tensor(a).is_contiguous())
    b = np.arange(3.0)
    b.flags.writeable = False
    t = tutorgrad.from_numpy(b)
    assert t.tolist() == [0, 1, 2]
    with pytest.raises(RuntimeError, match="read-only"):
        t.add_(1)
    assert tutorgrad.tensor(b).add_(1).tolist() == [1, 2, 3]  # tensor() copies, so it can be changed


def test_from_numpy_rejects_non_arrays():
    same(lambda lib: lib.from_numpy([1, 2]))
    with pytest.raises(TypeError, match="expected np.ndarray"):
        tutorgrad.from_numpy([1, 2])


def test_tolist_and_item_give_python_numbers():
    for lib in (torch, tutorgrad):
        t = lib.tensor([[1.5, 2.0]], dtype=lib.float64)
        assert type(t.tolist()[0][0]) is float
        assert type(lib.tensor([1]).tolist()[0]) is int
        assert type(lib.tensor(True).item()) is bool
    assert_same(tutorgrad.tensor(np.float32(0.1)).item(), torch.tensor(np.float32(0.1)).item(), rtol=0)
