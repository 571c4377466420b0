"""Run the same code with real PyTorch and with tutorgrad, and compare what comes out.

``same(lambda lib: lib.tensor([1, 2]) + 1)`` calls the function once with ``torch`` and once with
``tutorgrad`` and asserts the results agree: for tensors the dtype, shape, values, ``requires_grad``,
``grad_fn`` name and the printed text (PyTorch's text with ``torch.`` read as ``tutorgrad.``); for
tuples, lists, numbers and sizes, element by element. If PyTorch raises, tutorgrad must raise the same
exception class.
"""
import numpy as np
import pytest
from hypothesis import settings, strategies as st

import tutorgrad

torch = pytest.importorskip("torch")


# tutorgrad draws random numbers bit for bit as PyTorch's CPU generator does on a CPU with AVX2 or AVX-512,
# where PyTorch computes uniform's scaling and normal's Box-Muller transform in its vector kernels. On a CPU
# without AVX2 (forced with ATEN_CPU_CAPABILITY=default) PyTorch takes scalar code whose last bit can differ:
# there the same draws agree only to a few units in the last place of their scale.
DRAWS_BIT_EXACT = torch.backends.cpu.get_cpu_capability() in ("AVX2", "AVX512")


def assert_same_draws(ours, theirs, err_msg=""):
    """Random draws of tutorgrad and PyTorch (NumPy arrays) are the same: bit for bit where PyTorch runs its
    vector kernels, integers always; else floats within 4 ulps of the draws' scale (see DRAWS_BIT_EXACT)."""
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.dtype == theirs.dtype, (ours.dtype, theirs.dtype, err_msg)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape, err_msg)
    if DRAWS_BIT_EXACT or ours.dtype.kind not in "fc":
        if not np.array_equal(ours, theirs, equal_nan=ours.dtype.kind in "fc"):
            bad = np.flatnonzero(ours.reshape(-1) != theirs.reshape(-1))
            raise AssertionError(f"{err_msg}{bad.size} of {ours.size} elements differ, first at {bad[:5]}: "
                                 f"{ours.reshape(-1)[bad[:3]]} vs {theirs.reshape(-1)[bad[:3]]}")
        return
    eps = float(np.finfo(ours.dtype).eps)
    scale = float(np.max(np.abs(theirs))) if theirs.size else 0.0
    np.testing.assert_allclose(ours, theirs, rtol=4 * eps, atol=4 * eps * scale, err_msg=err_msg)


def as_tutorgrad_text(text):
    """What tutorgrad prints where PyTorch prints ``text``: the module is named ``tutorgrad``."""
    return text.replace("torch.", "tutorgrad.")


def call(fn, lib):
    try:
        return fn(lib)
    except Exception as e:  # noqa: BLE001 - the exception *is* the result being compared
        return e


def _tolerance(dtype_name):
    return {"float16": 1e-3, "float32": 1e-6, "complex64": 1e-6}.get(dtype_name, 1e-12)


def assert_tensor_same(ours, ref, *, check_repr=True, rtol=None, where="result"):
    assert isinstance(ours, tutorgrad.Tensor), f"{where}: expected a tutorgrad.Tensor, got {type(ours).__name__}"
    dtype = str(ref.dtype).replace("torch.", "")
    assert ours.dtype.name == dtype, f"{where}: dtype {ours.dtype} but PyTorch gives {ref.dtype}"
    assert tuple(ours.shape) == tuple(ref.shape), f"{where}: shape {tuple(ours.shape)} vs {tuple(ref.shape)}"
    assert ours.requires_grad == ref.requires_grad, f"{where}: requires_grad differs"
    ref_fn = None if ref.grad_fn is None else type(ref.grad_fn).__name__
    our_fn = None if ours.grad_fn is None else ours.grad_fn.name()
    assert our_fn == ref_fn, f"{where}: grad_fn {our_fn} vs {ref_fn}"
    a = ours.detach().numpy()
    b = ref.detach().resolve_conj().numpy()
    if ours.dtype.is_floating_point or ours.dtype.is_complex:
        exact = np.array_equal(a, b, equal_nan=True)
        if not exact:
            tol = _tolerance(dtype) if rtol is None else rtol
            np.testing.assert_allclose(a, b, rtol=tol, atol=tol, equal_nan=True, err_msg=where)
    else:
        np.testing.assert_array_equal(a, b, err_msg=where)
        exact = True
    if check_repr and exact:
        assert repr(ours) == as_tutorgrad_text(repr(ref)), f"{where}: repr differs"


def assert_same(ours, ref, *, check_repr=True, rtol=None, where="result"):
    """Assert a tutorgrad result matches the PyTorch result (recursively for tuples and lists)."""
    if isinstance(ref, BaseException):
        if isinstance(ours, BaseException):
            assert isinstance(ours, type(ref)), (
                f"{where}: PyTorch raises {type(ref).__name__}({ref}) but tutorgrad raises "
                f"{type(ours).__name__}({ours})")
            return
        raise AssertionError(f"{where}: PyTorch raises {type(ref).__name__}({ref}) but tutorgrad returns {ours!r}")
    if isinstance(ours, BaseException):
        raise AssertionError(f"{where}: tutorgrad raises {type(ours).__name__}: {ours}; PyTorch returns {ref!r}")
    if isinstance(ref, torch.Tensor):
        assert_tensor_same(ours, ref, check_repr=check_repr, rtol=rtol, where=where)
    elif isinstance(ref, torch.Size):
        assert isinstance(ours, tutorgrad.Size), f"{where}: expected a Size, got {type(ours).__name__}"
        assert tuple(ours) == tuple(ref) and repr(ours) == as_tutorgrad_text(repr(ref)), where
    elif isinstance(ref, torch.dtype):
        assert repr(ours) == as_tutorgrad_text(repr(ref)), f"{where}: {ours!r} vs {ref!r}"
    elif isinstance(ref, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(ref), f"{where}: {ours!r} vs {ref!r}"
        assert isinstance(ours, tuple) == isinstance(ref, tuple), f"{where}: tuple vs list"
        for i, (o, r) in enumerate(zip(ours, ref)):
            assert_same(o, r, check_repr=check_repr, rtol=rtol, where=f"{where}[{i}]")
    elif isinstance(ref, str):
        assert ours == as_tutorgrad_text(ref), f"{where}: {ours!r} vs {ref!r}"
    elif isinstance(ref, float):
        assert type(ours) is float, f"{where}: {type(ours).__name__} instead of float"
        tol = 1e-6 if rtol is None else rtol
        assert ours == pytest.approx(ref, rel=tol, abs=tol, nan_ok=True), f"{where}: {ours} vs {ref}"
    else:
        assert type(ours) is type(ref) and ours == ref, f"{where}: {ours!r} vs {ref!r}"


def same(fn, **kwargs):
    """Run ``fn(torch)`` and ``fn(tutorgrad)``; assert they agree (see ``assert_same``). Returns both."""
    ref, ours = call(fn, torch), call(fn, tutorgrad)
    assert_same(ours, ref, **kwargs)
    return ours, ref


def printed(fn):
    """What ``print(fn(lib))`` shows, for both libraries (PyTorch's text renamed to tutorgrad)."""
    return str(fn(tutorgrad)), as_tutorgrad_text(str(fn(torch)))


# ---------------------------------------------------------------------------------------- shared by the test files
FAST = settings(max_examples=40, deadline=None)
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64",
          "complex128"]
MAIN_DTYPES = ["bool", "int32", "int64", "float32", "float64", "complex64", "complex128"]
VALUES = st.floats(-10, 10, width=32)


def dt(lib, name):
    return getattr(lib, name)


def _x(lib, requires_grad=False):
    return lib.arange(24.0).reshape(2, 3, 4).requires_grad_(requires_grad)
