"""tutorgrad._printing must reproduce PyTorch's tensor repr byte for byte.

Every case is compared with ``repr()`` of the same values in real PyTorch, with
``torch.`` replaced by ``tutorgrad.``.  Print options are set identically on both
sides and restored after each test.
"""

import importlib.util
import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

try:
    from tutorgrad import _printing
    from tutorgrad._printing import format_tensor
except Exception:  # the package may be under construction: load the file alone
    _path = Path(__file__).resolve().parent.parent / "tutorgrad" / "_printing.py"
    _spec = importlib.util.spec_from_file_location("_tutorgrad_printing_standalone", _path)
    _printing = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = _printing
    _spec.loader.exec_module(_printing)
    format_tensor = _printing.format_tensor

nan, inf = math.nan, math.inf


@pytest.fixture(autouse=True)
def _default_print_options():
    torch.set_printoptions(profile="default")
    _printing.set_printoptions(profile="default")
    yield
    torch.set_printoptions(profile="default")
    _printing.set_printoptions(profile="default")


def set_both(**options):
    torch.set_printoptions(**options)
    _printing.set_printoptions(**options)


def torch_repr(t) -> str:
    return repr(t).replace("torch.", "tutorgrad.")


def ours(arr: np.ndarray, suffixes=()) -> str:
    name = arr.dtype.name  # numpy's names are torch's names for these dtypes
    return format_tensor(
        arr, dtype_name=name, show_dtype=not _printing.default_hidden(name), suffixes=suffixes
    )


def check(arr: np.ndarray, grad: str | None = None):
    """Compare our text for ``arr`` with torch's; ``grad`` adds an autograd suffix.

    grad=None: plain tensor; "leaf": requires_grad=True; otherwise the name of a
    Tensor method (e.g. "exp") whose result carries a grad_fn.
    """
    arr = np.array(arr, copy=True)
    t = torch.from_numpy(arr.copy())
    suffixes = []
    if grad is not None:
        t.requires_grad_(True)
        if grad == "leaf":
            suffixes = [("requires_grad", "True")]
        else:
            t = getattr(t, grad)()
            arr = t.detach().numpy().copy()
            suffixes = [("grad_fn", f"<{type(t.grad_fn).__name__}>")]
    expected = torch_repr(t)
    got = ours(arr, suffixes)
    assert got == expected, f"\n--- torch ---\n{expected}\n--- ours ---\n{got}"


def a(values, dtype="float32"):
    return np.array(values, dtype=dtype)


_rng = np.random.default_rng(0)
RANDN_3x4x5 = _rng.standard_normal((3, 4, 5))
RANDN_50x50 = _rng.standard_normal((50, 50)).astype("float32")
RANDN_C = (_rng.standard_normal(1200) + 1j * _rng.standard_normal(1200)).astype("complex64")

CASES = {
    # integers
    "int-scalar": a(5, "int64"),
    "int-neg-scalar": a(-3, "int64"),
    "int-vector": a([1, 2, 3], "int64"),
    "int-widths": a([-1, 10, 100], "int64"),
    "int32-vector": a([1, 2], "int32"),
    "int32-scalar": a(7, "int32"),
    "int64-huge": a([2**62, -(2**62), 0], "int64"),
    "int32-matrix": a([[1, -20], [300, 4]], "int32"),
    # floats: int mode, fixed point
    "float-scalar-int": a(4.0),
    "float-scalar-frac": a(0.1),
    "float-int-mode": a([1.0, 2.0]),
    "float-fixed": a([1.0, 2.5]),
    "float-negative": a([-1.5, 2.25, -100.125]),
    "float64-scalar": a(3.14159, "float64"),
    "float64-vector": a([0.1, 0.2], "float64"),
    "float-ratio-1000": a([1.0, 1000.0]),
    "float-frac-ratio-1000": a([0.5, 500.0]),
    "float-zeros": a([0.0, 0.0]),
    "float-zero-scalar": a(0.0),
    # scientific notation
    "sci-small-large": a([1e-5, 1e3]),
    "sci-ratio-1001": a([1.0, 1001.0]),
    "sci-large": a([1e9]),
    "sci-above-1e8": a([123456789.0]),
    "sci-1e8-boundary": a([1e8, 1.0]),
    "sci-1e-4-boundary": a([1e-4, 1.0]),
    "sci-tiny": a([1e-5]),
    "sci-mixed": a([1e10, 1e-10, -3.5]),
    "sci-int-valued": a([1e10, 1.0]),
    "sci-float32-huge": a([1e20, -3e38]),
    "sci-float64-extreme": a([1e300, 1e-300], "float64"),
    "sci-denormal": a([1e-45, 1.0]),
    "sci-scalar": a(1e-7, "float64"),
    "sci-matrix": a([[1e-5, 2.0], [3e5, -4.0]]),
    # nan / inf / negative zero
    "nan": a([nan]),
    "inf": a([inf, -inf]),
    "nan-inf-int-mode": a([1.0, nan, inf]),
    "nan-inf-fixed": a([1.5, nan, -inf]),
    "nan-inf-sci": a([1e-5, nan, inf, -inf]),
    "nan-scalar": a(nan),
    "neg-inf-scalar": a(-inf, "float64"),
    "zero-and-nan": a([0.0, nan]),
    "neg-zero-scalar": a(-0.0),
    "neg-zero-vector": a([-0.0, 0.0]),
    "neg-zero-fixed": a([-0.0, 1.5]),
    "neg-zero-sci": a([-0.0, 1e-8]),
    # bool
    "bool-scalar": a(True, "bool"),
    "bool-vector": a([True, False], "bool"),
    "bool-all-true": a([True, True], "bool"),
    "bool-matrix": a([[True, False], [False, True]], "bool"),
    # complex
    "complex": a([1 + 2j, 3 - 1j], "complex64"),
    "complex128": a([1 + 2j, 3 - 1j], "complex128"),
    "complex-scalar": a(1 + 1j, "complex64"),
    "complex-scalar-frac": a(0.5 - 2.25j, "complex128"),
    "complex-neg-zero": a([1.5 + 0j, complex(-0.0, -0.0)], "complex64"),
    "complex-nan-inf": a([complex(nan, inf), complex(1, -inf)], "complex64"),
    "complex-sci": a([1e-5 + 1e5j, 2 - 3j], "complex64"),
    "complex-matrix": a([[1 + 1j, -2.5j], [3, 4 - 0.125j]], "complex128"),
    "complex-long": (np.arange(30) * (1 + 0.5j)).astype("complex64"),
    # multi-dimensional
    "matrix-float": a([[1.0, 2.5, 3.0], [4.0, 5.0, 6.0]]),
    "matrix-int": a([[1, 2, 3], [40, 50, 60]], "int64"),
    "3d-float": np.arange(12, dtype="float32").reshape(2, 2, 3) / 3,
    "3d-float64-randn": RANDN_3x4x5,
    "4d-int": np.arange(16, dtype="int64").reshape(2, 2, 2, 2),
    "column": a([[1.0], [2.0], [3.0]]),
    "1x1x1": a([[[7]]], "int64"),
    # line wrapping of long vectors
    "wrap-linspace": np.linspace(0, 1, 40, dtype="float32"),
    "wrap-int": np.arange(100, dtype="int64"),
    "wrap-float64": np.linspace(-5, 5, 33),
    "wrap-sci": np.logspace(-10, 10, 25, dtype="float32"),
    "wrap-matrix-rows": np.linspace(0, 1, 60, dtype="float32").reshape(2, 30),
    # summarisation (> 1000 elements)
    "summary-1d-int": np.arange(2000, dtype="int64"),
    "summary-1d-float": np.arange(1001, dtype="float32"),
    "summary-1d-float64": np.linspace(0, 1, 5000),
    "summary-2d": RANDN_50x50,
    "summary-2d-wide": np.arange(1200, dtype="float32").reshape(2, 600),
    "summary-2d-tall": np.arange(1001, dtype="int64").reshape(1001, 1),
    "summary-3d": np.arange(2000, dtype="int64").reshape(20, 10, 10),
    "summary-3d-float": (np.arange(3000, dtype="float32") / 7).reshape(10, 10, 30),
    "summary-complex": RANDN_C,
    "summary-bool": np.arange(1500) % 3 == 0,
    "summary-hidden-nan": np.concatenate([[1.5], np.full(1000, 1e-9), [nan]]).astype("float32"),
    # empty tensors
    "empty": a([]),
    "empty-int64": a([], "int64"),
    "empty-int32": a([], "int32"),
    "empty-bool": a([], "bool"),
    "empty-float64": a([], "float64"),
    "empty-complex64": a([], "complex64"),
    "empty-complex128": a([], "complex128"),
    "empty-0x3": np.zeros((0, 3), "float32"),
    "empty-3x0": np.zeros((3, 0), "int64"),
    "empty-0x0": np.zeros((0, 0), "float64"),
    "empty-2x0x4": np.zeros((2, 0, 4), "bool"),
    "empty-1x0x1x2": np.zeros((1, 0, 1, 2), "complex64"),
}


@pytest.mark.parametrize("arr", list(CASES.values()), ids=list(CASES))
def test_matches_torch(arr):
    check(arr)


GRAD_CASES = {
    "leaf-scalar": (a(2.0), "leaf"),
    "leaf-vector": (a([1.0, 2.0]), "leaf"),
    "leaf-float64": (a([1.0, 2.5], "float64"), "leaf"),
    "leaf-matrix": (RANDN_3x4x5[0], "leaf"),
    "leaf-complex": (a([1 + 2j], "complex64"), "leaf"),
    "leaf-empty": (np.zeros((0, 3), "float32"), "leaf"),
    "leaf-empty-float64": (a([], "float64"), "leaf"),
    "leaf-long-wrap": (np.linspace(0, 1, 22, dtype="float32"), "leaf"),
    "leaf-summary": (np.arange(2000, dtype="float64"), "leaf"),
    "grad-fn-exp": (a([1.0, 2.0]), "exp"),
    "grad-fn-sum": (RANDN_3x4x5, "sum"),
    "grad-fn-neg": (np.linspace(0, 1, 31, dtype="float64"), "neg"),
    "grad-fn-3d": (RANDN_3x4x5, "sin"),
}


@pytest.mark.parametrize(("arr", "grad"), list(GRAD_CASES.values()), ids=list(GRAD_CASES))
def test_suffixes_match_torch(arr, grad):
    check(arr, grad)


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
@pytest.mark.parametrize("grad", [None, "leaf", "exp"])
def test_suffix_wrapping_sweep(dtype, grad):
    # Vectors of every length up to 3 lines put the last line at every width,
    # so dtype=/requires_grad=/grad_fn= land on both sides of the wrap rule.
    for n in range(1, 40):
        check((np.linspace(-1, 1, n) * (1 + 1j if "complex" in dtype else 1)).astype(dtype), grad)


OPTION_CASES = {
    "precision-2": ({"precision": 2}, a([1.12345, 2.5])),
    "precision-8-float64": ({"precision": 8}, a([1 / 3, 2.0], "float64")),
    "precision-0": ({"precision": 0}, a([1.5, 2.25, 1e-5])),
    "precision-0-fixed": ({"precision": 0}, a([1.5, 2.25])),
    "linewidth-40": ({"linewidth": 40}, np.linspace(0, 1, 20, dtype="float32")),
    "linewidth-40-suffix": ({"linewidth": 40}, np.linspace(0, 1, 7, dtype="float64")),
    "linewidth-120": ({"linewidth": 120}, np.arange(60, dtype="float32") / 3),
    "linewidth-5": ({"linewidth": 5}, np.arange(5, dtype="int64")),
    "threshold-5": ({"threshold": 5}, np.arange(10, dtype="int64")),
    "threshold-5-matrix": ({"threshold": 5}, np.arange(64, dtype="float32").reshape(8, 8)),
    "threshold-5-small-dim": ({"threshold": 5}, np.arange(24, dtype="float32").reshape(2, 3, 4)),
    "edgeitems-1": ({"edgeitems": 1}, np.arange(2000, dtype="int64").reshape(20, 100)),
    "edgeitems-0-1d": ({"edgeitems": 0}, np.arange(2000, dtype="float32")),
    "edgeitems-0-2d": ({"edgeitems": 0}, np.arange(2000, dtype="float32").reshape(2, 1000)),
    "edgeitems-0-small": ({"edgeitems": 0}, a([1.0, 2.0])),
    "edgeitems-0-scalar": ({"edgeitems": 0}, a(1.5, "float64")),
    "edgeitems-0-empty": ({"edgeitems": 0}, np.zeros((0, 2), "int64")),
    "sci-mode-true": ({"sci_mode": True}, a([1.0, 2.0])),
    "sci-mode-true-int": ({"sci_mode": True}, a([1, 2], "int64")),
    "sci-mode-false": ({"sci_mode": False}, a([1e-5, 1e3])),
    "sci-mode-false-huge": ({"sci_mode": False}, a([1e10, 1.0])),
    "sci-mode-false-complex": ({"sci_mode": False}, a([1e-5 + 1e5j], "complex64")),
    "profile-short": ({"profile": "short"}, np.arange(2000, dtype="float32") / 3),
    "profile-full": ({"profile": "full"}, np.arange(1500, dtype="int64")),
    "profile-short-override": ({"profile": "short", "precision": 6}, a([1 / 3])),
}


@pytest.mark.parametrize(("options", "arr"), list(OPTION_CASES.values()), ids=list(OPTION_CASES))
def test_print_options_match_torch(options, arr):
    set_both(**options)
    check(arr)


def test_get_printoptions_defaults_match_torch():
    assert _printing.get_printoptions() == {
        "precision": 4,
        "threshold": 1000,
        "edgeitems": 3,
        "linewidth": 80,
        "sci_mode": None,
    }
    assert _printing.get_printoptions() == torch._tensor_str.get_printoptions()
    for options in [{"profile": "full"}, {"profile": "short", "sci_mode": True}, {"linewidth": 9}]:
        set_both(**options)
        assert _printing.get_printoptions() == torch._tensor_str.get_printoptions()


def test_set_printoptions_resets_sci_mode_like_torch():
    set_both(sci_mode=True)
    set_both(precision=3)  # sci_mode not passed: back to automatic
    assert _printing.get_printoptions()["sci_mode"] is None
    assert _printing.get_printoptions() == torch._tensor_str.get_printoptions()


def test_printoptions_context_manager_restores():
    before = _printing.get_printoptions()
    with _printing.printoptions(precision=1, sci_mode=False):
        assert _printing.get_printoptions()["precision"] == 1
        assert format_tensor(a([1.25, 2.0]), dtype_name="float32", show_dtype=False) == (
            "tensor([1.2, 2.0])"
        )
    assert _printing.get_printoptions() == before


def test_default_hidden_matches_torch():
    for name in ["float32", "float64", "int32", "int64", "bool", "complex64", "complex128"]:
        t = torch.ones(2, dtype=getattr(torch, name))
        assert _printing.default_hidden(name) == ("dtype=" not in repr(t)), name


def test_empty_tensor_shows_non_default_dtype_even_if_caller_hides_it():
    # PyTorch shows int64/bool/complex64 for empty tensors: nothing else tells.
    got = format_tensor(np.zeros((0,), "int64"), dtype_name="int64", show_dtype=False)
    assert got == "tensor([], dtype=tutorgrad.int64)"


def test_custom_suffix_order():
    got = format_tensor(
        a([1.0], "float64"),
        dtype_name="float64",
        show_dtype=True,
        suffixes=[("grad_fn", "<AddBackward0>")],
    )
    assert got == "tensor([1.], dtype=tutorgrad.float64, grad_fn=<AddBackward0>)"


# ---------------------------------------------------------------------------
# Property tests against torch
# ---------------------------------------------------------------------------

DTYPES = ["float32", "float64", "int32", "int64", "bool", "complex64", "complex128"]
SPECIAL_FLOATS = [0.0, -0.0, nan, inf, -inf, 1e-45, 1e-310, 3.4e38, 1.7e308, 1e8, 1e-4, 1e3]

float_values = st.one_of(
    st.integers(-999, 999).map(float),  # whole numbers: int mode
    st.floats(-10, 10),  # ordinary fixed point
    st.builds(lambda m, e: m * 10.0**e, st.floats(-10, 10), st.integers(-40, 40)),
    st.sampled_from(SPECIAL_FLOATS),
    st.floats(allow_nan=True, allow_infinity=True),
)


def element_values(dtype):
    if dtype == "bool":
        return st.booleans()
    if dtype.startswith("int"):
        info = np.iinfo(dtype)
        return st.one_of(st.integers(-200, 200), st.integers(int(info.min), int(info.max)))
    if dtype.startswith("complex"):
        return st.builds(complex, float_values, float_values)
    return float_values


@st.composite
def arrays(draw, max_side=4):
    dtype = draw(st.sampled_from(DTYPES))
    ndim = draw(st.integers(0, 3))
    shape = tuple(draw(st.lists(st.integers(0, max_side), min_size=ndim, max_size=ndim)))
    size = math.prod(shape)
    values = draw(st.lists(element_values(dtype), min_size=size, max_size=size))
    with np.errstate(over="ignore", invalid="ignore"):
        if dtype.startswith(("float", "complex")):
            # a common scale pushes whole arrays into tiny/huge territory
            scale = draw(st.sampled_from([1.0, 1.0, 1e-6, 1e6, 1e-12, 1e12, 1e30]))
            base = np.array(values, dtype="complex128" if dtype.startswith("complex") else "float64")
            arr = (base * scale).astype(dtype)
        else:
            arr = np.array(values, dtype=dtype)
    return arr.reshape(shape)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arr=arrays(), grad=st.sampled_from([None, None, "leaf"]))
def test_random_tensors_match_torch(arr, grad):
    if grad and arr.dtype.kind not in "fc":
        grad = None  # only floating tensors can require grad
    check(arr, grad)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    arr=arrays(max_side=12),
    precision=st.integers(0, 10),
    threshold=st.integers(0, 300),
    edgeitems=st.integers(0, 4),
    linewidth=st.integers(5, 150),
    sci_mode=st.sampled_from([None, True, False]),
)
def test_random_tensors_and_options_match_torch(
    arr, precision, threshold, edgeitems, linewidth, sci_mode
):
    set_both(
        precision=precision,
        threshold=threshold,
        edgeitems=edgeitems,
        linewidth=linewidth,
        sci_mode=sci_mode,
    )
    try:
        check(arr, "leaf" if arr.dtype.kind in "fc" else None)
    finally:
        set_both(profile="default")


def _graph_node_reprs(lib):
    """repr() of the nodes of a small graph: a built-in op, the leaf's AccumulateGrad, a custom Function."""
    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return grad * 2 * x

    x = lib.tensor(2.0, requires_grad=True)
    y = x * 3
    z = Square.apply(x)
    nodes = [y.grad_fn, y.grad_fn.next_functions[0][0], z.grad_fn]
    return [repr(n) for n in nodes] + [str(n) for n in nodes] + [repr(y.grad_fn.next_functions), repr(z)], nodes


def test_graph_node_reprs_match_torch_with_their_address():
    import tutorgrad

    ours, our_nodes = _graph_node_reprs(tutorgrad)
    theirs, _ = _graph_node_reprs(torch)
    # PyTorch's reprs are Python's default object reprs: the address is the object's id.
    for text, node in zip(ours, our_nodes):
        assert text.endswith(f" object at {id(node):#x}>"), text
    address = re.compile(r" object at 0x[0-9a-f]+>")
    assert all(address.search(t) for t in theirs[:6])
    assert [address.sub(">", t) for t in ours] == [address.sub(">", t.replace("torch.", "tutorgrad."))
                                                   for t in theirs]
    assert address.sub(">", ours[0]) == "<MulBackward0>" and address.sub(">", ours[2]) == (
        "<tutorgrad.autograd.function.SquareBackward>")
