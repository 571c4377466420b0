"""The Tensor itself against real PyTorch: its printed form (``repr``, print options) and its attributes
(``tutorgrad/tensor.py``; the repr text comes from ``tutorgrad/_printing.py``, see also ``test_printing.py``).
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import tutorgrad
from torchdiff import printed, same, torch

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # no NumPy warning may leak out of tutorgrad


# ---------------------------------------------------------------------------------------- printing
REPRS = {
    "ints": lambda lib: lib.tensor([1, 2, 3]),
    "negative ints": lambda lib: lib.tensor([[-1, 20], [300, -4000]]),
    "floats": lambda lib: lib.tensor([1.0, 2.5, -3.25]),
    "whole floats": lambda lib: lib.tensor([1.0, 2.0]),
    "small floats": lambda lib: lib.tensor([1e-5, 1.0]),
    "big floats": lambda lib: lib.tensor([1e10, 1.0]),
    "mixed scale": lambda lib: lib.tensor([0.001, 1000.0, 123456.7]),
    "nan inf": lambda lib: lib.tensor([float("nan"), float("inf"), -float("inf"), 1.5]),
    "0-d float": lambda lib: lib.tensor(4.0),
    "0-d int": lambda lib: lib.tensor(7),
    "0-d bool": lambda lib: lib.tensor(True),
    "0-d float64": lambda lib: lib.tensor(0.1, dtype=lib.float64),
    "bools": lambda lib: lib.tensor([True, False]),
    "empty": lambda lib: lib.tensor([]),
    "empty 2-d": lambda lib: lib.zeros(0, 3),
    "empty int": lambda lib: lib.zeros(0, dtype=lib.int64),
    "int32": lambda lib: lib.tensor([1, 2], dtype=lib.int32),
    "float64": lambda lib: lib.tensor([1.5, 2.0], dtype=lib.float64),
    "float16": lambda lib: lib.tensor([1.5, 2.0], dtype=lib.float16),
    "uint8": lambda lib: lib.tensor([1, 255], dtype=lib.uint8),
    "complex64": lambda lib: lib.tensor([1 + 2j, -0.5j]),
    "complex128": lambda lib: lib.tensor([1 + 2j], dtype=lib.complex128),
    "matrix": lambda lib: lib.arange(6.0).reshape(2, 3),
    "3-d": lambda lib: lib.arange(24).reshape(2, 3, 4),
    "4-d": lambda lib: lib.ones(2, 1, 2, 2),
    "requires_grad": lambda lib: lib.tensor([1.0, 2.0], requires_grad=True),
    "requires_grad 0-d": lambda lib: lib.tensor(2.0, requires_grad=True),
    "requires_grad float64": lambda lib: lib.ones(2, dtype=lib.float64, requires_grad=True),
    "grad_fn add": lambda lib: lib.tensor(2.0, requires_grad=True) + 2,
    "grad_fn mul": lambda lib: lib.tensor([2.0], requires_grad=True) * 2,
    "grad_fn sum": lambda lib: (lib.ones(2, 2, requires_grad=True) * 3).sum(),
    "grad_fn mean": lambda lib: lib.ones(2, requires_grad=True).mean(),
    "grad_fn float64": lambda lib: lib.ones(2, dtype=lib.float64, requires_grad=True) + 1,
    "wide": lambda lib: lib.arange(2000),
    "wide float": lambda lib: lib.arange(1500.0) / 7,
    "wide matrix": lambda lib: lib.arange(40000.0).reshape(200, 200),
    "wide 3-d": lambda lib: lib.arange(3000).reshape(10, 10, 30),
    "long row": lambda lib: lib.linspace(0, 1, 50),
    "many columns": lambda lib: lib.arange(30.0).reshape(1, 30) * 1.5,
    "big ints": lambda lib: lib.tensor([10 ** 12, 1]),
}


@pytest.mark.parametrize("name", REPRS)
def test_repr(name):
    ours, ref = printed(REPRS[name])
    assert ours == ref
    same(REPRS[name])


def test_repr_of_printoptions():
    def run(lib):
        lib.set_printoptions(precision=2)
        try:
            return str(lib.tensor([1.23456, 2.0]))
        finally:
            lib.set_printoptions(profile="default")
    assert run(tutorgrad) == run(torch)


def test_print_of_grad_fn_and_dtypes():
    x = tutorgrad.tensor(2.0, requires_grad=True)
    y = x * 3 + 1
    assert f"{y.grad_fn}".startswith("<AddBackward0 object")
    assert str(tutorgrad.float32) == "tutorgrad.float32" and str(tutorgrad.long) == "tutorgrad.int64"
    assert str(tutorgrad.Size([2, 3])) == "tutorgrad.Size([2, 3])"
    for name in ["float", "double", "long", "int", "bool", "half", "cfloat"]:
        assert getattr(tutorgrad, name) is getattr(tutorgrad, str(getattr(torch, name)).replace("torch.", ""))


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(st.sampled_from([np.float32, np.float64, np.float16, np.int64, np.int32, np.bool_, np.complex64]),
                  hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=7)), st.booleans())
def test_repr_random(arr, grad):
    """Random values and shapes print exactly as PyTorch prints them."""
    grad = grad and arr.dtype.kind == "f"
    ours, ref = printed(lambda lib: lib.tensor(arr, requires_grad=grad))
    assert ours == ref


# ---------------------------------------------------------------------------------------- attributes
ATTRS = {
    "shape": lambda lib: lib.ones(2, 3).shape,
    "size()": lambda lib: lib.ones(2, 3).size(),
    "size(dim)": lambda lib: lib.ones(2, 3).size(-1),
    "0-d shape": lambda lib: lib.tensor(1.0).shape,
    "ndim": lambda lib: lib.ones(2, 3, 4).ndim,
    "dim()": lambda lib: lib.tensor(1).dim(),
    "numel": lambda lib: lib.ones(2, 3).numel(),
    "Size numel": lambda lib: lib.ones(2, 3).shape.numel(),
    "Size slice": lambda lib: lib.ones(2, 3, 4).shape[1:],
    "Size index": lambda lib: lib.ones(2, 3, 4).shape[-1],
    "Size == tuple": lambda lib: lib.ones(2, 3).shape == (2, 3),
    "Size ctor": lambda lib: lib.Size([2, 3]),
    "Size + tuple": lambda lib: (lib.ones(2, 3).shape + (4,), (1,) + lib.ones(2).shape, lib.ones(2).shape * 2),
    "Size reversed": lambda lib: lib.ones(2, 3).shape[::-1],
    "Size == list": lambda lib: lib.ones(2, 3).shape == [2, 3],
    "dtype=float": lambda lib: (lib.tensor([1], dtype=float), lib.tensor([1.5], dtype=int), lib.ones(1).to(float)),
    "type(dtype)": lambda lib: lib.ones(1).type(lib.float64),
    "detach shares the version": lambda lib: (lambda x: (x.detach().add_(1), x._version))(lib.ones(2)),
    "data shares the version": lambda lib: (lambda x: (x.data.mul_(2), x._version))(lib.ones(2)),
    "dtype": lambda lib: lib.tensor([1, 2]).dtype,
    "T": lambda lib: lib.arange(6).reshape(2, 3).T,
    "item float": lambda lib: lib.tensor(2.5).item(),
    "item int": lambda lib: lib.tensor([7]).item(),
    "item bool": lambda lib: lib.tensor(True).item(),
    "item complex": lambda lib: lib.tensor(1 + 2j).item(),
    "item float32 rounding": lambda lib: lib.tensor(0.1).item(),
    "tolist": lambda lib: lib.arange(6).reshape(2, 3).tolist(),
    "tolist floats": lambda lib: lib.tensor([0.1, 0.5]).tolist(),
    "tolist 0-d": lambda lib: lib.tensor(3).tolist(),
    "tolist bool": lambda lib: lib.tensor([True]).tolist(),
    "float()": lambda lib: lib.tensor([1, 2]).float(),
    "double()": lambda lib: lib.tensor([1, 2]).double(),
    "long()": lambda lib: lib.tensor([1.7, -1.7]).long(),
    "int()": lambda lib: lib.tensor([1.7, -1.7]).int(),
    "bool()": lambda lib: lib.tensor([0.0, 2.0]).bool(),
    "half()": lambda lib: lib.tensor([1.0]).half(),
    "to(dtype)": lambda lib: lib.tensor([1, 2]).to(lib.float64),
    "to(dtype=)": lambda lib: lib.tensor([1, 2]).to(dtype=lib.float16),
    "to(cpu)": lambda lib: lib.tensor([1, 2]).to("cpu"),
    "to(tensor)": lambda lib: lib.tensor([1, 2]).to(lib.ones(1, dtype=lib.float64)),
    "to same dtype": lambda lib: lib.tensor([1, 2]).to(lib.int64),
    "type_as": lambda lib: lib.tensor([1, 2]).type_as(lib.ones(1)),
    "type()": lambda lib: lib.tensor([1.0]).type(),
    "float() of grad": lambda lib: lib.tensor([1.0], requires_grad=True).double(),
    "python float()": lambda lib: float(lib.tensor([2.5])),
    "python int()": lambda lib: int(lib.tensor(2.9)),
    "python bool()": lambda lib: bool(lib.tensor([0])),
    "len": lambda lib: len(lib.ones(4, 2)),
    "iter": lambda lib: list(lib.arange(3)),
    "iter 2-d": lambda lib: list(lib.arange(4).reshape(2, 2)),
    "is_leaf": lambda lib: (lib.ones(1, requires_grad=True).is_leaf, (lib.ones(1, requires_grad=True) * 2).is_leaf),
    "is_floating_point": lambda lib: (lib.ones(1).is_floating_point(),
                                      lib.ones(1, dtype=lib.int64).is_floating_point()),
    "device": lambda lib: str(lib.ones(1).device),
    "device repr": lambda lib: repr(lib.ones(1).device),
    "is_contiguous": lambda lib: (lib.ones(2, 3).is_contiguous(), lib.ones(2, 3).t().is_contiguous()),
    "stride": lambda lib: (lib.ones(2, 3, 4).stride(), lib.ones(2, 3).t().stride()),
    "element_size": lambda lib: lib.ones(2, dtype=lib.float64).element_size(),
    "format 0-d": lambda lib: f"{lib.tensor(2.5):.3f}",
    "index()": lambda lib: [10, 20, 30][lib.tensor(1)],
    "in": lambda lib: (2 in lib.tensor([1, 2]), 5 in lib.tensor([1, 2])),
    "is_tensor": lambda lib: (lib.is_tensor(lib.ones(1)), lib.is_tensor([1])),
    "numel fn": lambda lib: lib.numel(lib.ones(3, 2)),
}


@pytest.mark.parametrize("name", ATTRS)
def test_attribute(name):
    same(ATTRS[name])


@pytest.mark.parametrize("shape", [(), (3,), (2, 3, 4)])
def test_T_warns_off_matrices(shape):
    """PyTorch warns (only once per process, so it is not asserted here) that ``.T`` off matrices is deprecated."""
    with pytest.warns(UserWarning, match="deprecated"):
        out = tutorgrad.ones(shape).T
    assert out.shape == shape[::-1]
