"""``torch.range`` (deprecated, with PyTorch's warning), ``f"{t}"`` of 0-d tensors, ``histc``/``histogram`` and
the ``torch.random`` module: compared with PyTorch.
"""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tutorgrad
from tutorgrad import _histogram as H
from torchdiff import assert_same, call, torch


def both(fn, **kw):
    """fn(torch) and fn(tutorgrad): the same result, or the same exception class with PyTorch's message."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs, ours = call(fn, torch), call(fn, tutorgrad)
    if isinstance(theirs, Exception):
        assert type(ours) is type(theirs), (ours, theirs)
        assert str(theirs).split("\n")[0].split(" (")[0] in str(ours) or \
            str(ours).startswith(str(theirs).split(":")[0]), (str(ours), str(theirs))
        return
    assert not isinstance(ours, Exception), (ours, theirs)
    assert_same(ours, theirs, **kw)


# ------------------------------------------------------------------------------------------- range
@pytest.mark.parametrize("args,kwargs", [
    ((1, 4), {}), ((0, 1, 0.1), {}), ((0, -3, -1), {}), ((0, 1, 0.3), {}), ((1, 4, 0.5), {"dtype": "float64"}),
    ((1, 4), {"dtype": "int64"}), ((0, 10, 3), {"dtype": "int64"}), ((1, 1), {}), ((0.1, 0.7, 0.1), {}),
    ((-1, 1, 0.2), {}), ((0, 3, 0), {}), ((0, 3, -1), {}), ((3, 0), {}), ((0.0, 2.5, 0.5), {"requires_grad": True}),
    ((0, float("inf")), {}), ((5,), {}), ((1, 4), {"device": "cuda"}), ((2.5, 9.9, 1.7), {"dtype": "int32"}),
    ((0, 1, 1e-3), {}), ((-5, 5, 0.37), {"dtype": "float64"}),
])
def test_range_as_pytorch(args, kwargs):
    def run(lib):
        kw = dict(kwargs)
        if "dtype" in kw:
            kw["dtype"] = getattr(lib, kw["dtype"])
        return lib.range(*args, **kw)
    both(run)


@settings(max_examples=100)
@given(st.floats(-100, 100), st.floats(0, 50), st.floats(0.01, 7), st.sampled_from(["float32", "float64"]))
def test_range_values_bit_for_bit(start, length, step, dtype):
    both(lambda lib: lib.range(start, start + length, step, dtype=getattr(lib, dtype)))


def test_range_of_integers_with_a_step_below_one_is_an_error():
    # int(0.7) == 0: PyTorch 2.13 divides by it and the process dies (SIGFPE); tutorgrad says why instead
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match="step must be nonzero"):
            tutorgrad.range(2.5, 9.9, 0.7, dtype=tutorgrad.int32)


def test_range_warns_like_pytorch():
    for lib in (torch, tutorgrad):
        with pytest.warns(UserWarning, match=r"torch.range is deprecated .* use torch.arange, which produces "
                                              r"values in \[start, end\)") as record:
            lib.range(0, 2)
        assert record[0].filename == __file__  # the warning points at the caller's line


# ------------------------------------------------------------------------------------------- __format__
@pytest.mark.parametrize("make,spec", [
    (lambda lib: lib.tensor(0), ""), (lambda lib: lib.tensor([3, 1]).min(), ""), (lambda lib: lib.tensor(2.5), ""),
    (lambda lib: lib.tensor(0.1), ""), (lambda lib: lib.tensor(0.1, dtype=lib.float64), ""),
    (lambda lib: lib.tensor(1 / 3), ".3f"), (lambda lib: lib.tensor(1234.5678), ",.2f"),
    (lambda lib: lib.tensor(7), "04d"), (lambda lib: lib.tensor(True), ""), (lambda lib: lib.tensor(0.5), ">10.2%"),
    (lambda lib: lib.tensor(2.0, requires_grad=True) * 3, ".1f"), (lambda lib: lib.tensor([1.0, 2.0]), ""),
    (lambda lib: lib.tensor([1.0, 2.0]), ".2f"), (lambda lib: lib.tensor(float("nan")), ".3f"),
    (lambda lib: lib.nn.Parameter(lib.tensor(1.0)), ""), (lambda lib: lib.tensor(3.0), "d"),
    (lambda lib: lib.tensor(3.25, dtype=lib.float16), ".4f"),
])
def test_format_as_pytorch(make, spec):
    theirs = call(lambda lib: format(make(lib), spec), torch)
    ours = call(lambda lib: format(make(lib), spec), tutorgrad)
    if isinstance(theirs, Exception):
        assert type(ours) is type(theirs) and str(ours) == str(theirs)
    else:
        assert ours == theirs.replace("torch.", "tutorgrad.")


def test_fstring_in_a_training_loop():
    loss = tutorgrad.tensor([0.25, 0.5]).mean()
    assert f"loss: {loss:>7f}  [{64:>5d}/{60000:>5d}]" == "loss: 0.375000  [   64/60000]"
    assert f"{tutorgrad.tensor([4, 2, 9]).min()}" == "2"


# ------------------------------------------------------------------------------------------- histograms
def data_strategy():
    return st.lists(st.one_of(st.floats(-10, 10, width=32), st.sampled_from([0.0, 1.0, 2.5, -3.0])),
                    min_size=0, max_size=60)


def same_histogram(ours, theirs, edges_theirs, data, weight=None, search="local", density=False):
    """Counts equal to PyTorch's -- given PyTorch's edges when linspace's edges differ in the last bit
    (PyTorch's AVX2/AVX-512 linspace fuses multiply-adds; tutorgrad's is its plain kernel's, see _histogram)."""
    ours_np, theirs_np = ours.numpy(), theirs.numpy()
    if np.array_equal(ours_np, theirs_np, equal_nan=True):
        return
    assert not density, (ours_np, theirs_np)
    assert np.array_equal(H._count(data, edges_theirs.numpy(), weight, search), theirs_np)


@settings(max_examples=150)
@given(data_strategy(), st.integers(1, 30), st.one_of(st.none(), st.tuples(st.floats(-12, 12), st.floats(-12, 12))),
       st.sampled_from(["float32", "float64"]))
def test_histc_as_pytorch(values, bins, limits, dtype):
    lo, hi = (0, 0) if limits is None else (min(limits), max(limits))
    ours = tutorgrad.histc(tutorgrad.tensor(values, dtype=getattr(tutorgrad, dtype)), bins=bins, min=lo, max=hi)
    theirs = torch.histc(torch.tensor(values, dtype=getattr(torch, dtype)), bins=bins, min=lo, max=hi)
    assert ours.dtype.name == dtype and ours.shape == theirs.shape
    data = np.array(values, dtype=dtype)
    edges = torch.linspace(*H._histc_range(data, lo, hi), bins + 1, dtype=getattr(torch, dtype))
    same_histogram(ours, theirs, edges, data, search="linear")


@settings(max_examples=150)
@given(data_strategy(), st.integers(1, 30), st.one_of(st.none(), st.tuples(st.floats(-12, 12), st.floats(-12, 12))),
       st.booleans(), st.booleans(), st.sampled_from(["float32", "float64"]))
def test_histogram_as_pytorch(values, bins, limits, weighted, density, dtype):
    rng = limits if limits is None else (min(limits), max(limits))
    weights = np.random.default_rng(len(values)).random(len(values)).astype(dtype)
    results = []
    for lib in (tutorgrad, torch):
        dt = getattr(lib, dtype)
        w = lib.tensor(weights, dtype=dt) if weighted else None
        results.append(lib.histogram(lib.tensor(values, dtype=dt), bins=bins, range=rng, weight=w, density=density))
    (hist, edges), (ref_hist, ref_edges) = results
    assert hist.dtype.name == dtype and edges.dtype.name == dtype
    np.testing.assert_allclose(edges.numpy(), ref_edges.numpy(), rtol=1e-6, atol=1e-6)
    if density:   # a float32 sum and divisions: to the last few bits
        np.testing.assert_allclose(hist.numpy(), ref_hist.numpy(), rtol=1e-5, atol=1e-6)
    elif np.array_equal(edges.numpy(), ref_edges.numpy()):
        np.testing.assert_allclose(hist.numpy(), ref_hist.numpy(), rtol=1e-6)  # (weighted: sums in element order)
    else:
        same_histogram(hist, ref_hist, ref_edges, np.array(values, dtype), weights if weighted else None)


@settings(max_examples=80)
@given(data_strategy(), st.lists(st.floats(-11, 11, width=32), min_size=2, max_size=12), st.booleans())
def test_histogram_with_edges_as_pytorch(values, edges, sort):
    edges = sorted(edges) if sort else edges  # (unsorted edges: PyTorch's binary search, replayed)
    both(lambda lib: lib.histogram(lib.tensor(values), lib.tensor(edges)))


def test_edges_close_to_values():
    # elements next to a bin edge: histc's plain division and histogram's corrected guess differ
    x = [i / 10 for i in range(-30, 31)] + [np.nextafter(np.float32(0.3), np.float32(1)).item()]
    data = np.array(x, np.float32)
    for bins in (3, 7, 10, 60):
        ours, theirs = tutorgrad.histc(tutorgrad.tensor(x), bins, -3, 3), torch.histc(torch.tensor(x), bins, -3, 3)
        same_histogram(ours, theirs, torch.linspace(-3, 3, bins + 1), data, search="linear")
        (ours, _), (theirs, edges) = (lib.histogram(lib.tensor(x), bins=bins, range=(-3.0, 3.0))
                                      for lib in (tutorgrad, torch))
        same_histogram(ours, theirs, edges, data)


@pytest.mark.parametrize("fn", [
    lambda lib: lib.histc(lib.tensor([1, 2, 1]), bins=4, min=0, max=3),
    lambda lib: lib.histc(lib.tensor([1.0, 2, 1]), bins=4, min=3, max=0),
    lambda lib: lib.histc(lib.tensor([1.0, float("inf")]), bins=4),
    lambda lib: lib.histc(lib.tensor([1.0, 2]), bins=0),
    lambda lib: lib.histc(lib.tensor([1.0, 2]), bins=2.5),
    lambda lib: lib.histc([1.0, 2], bins=2),
    lambda lib: lib.histc(lib.tensor(2.0), bins=2),
    lambda lib: lib.histc(lib.tensor([]), bins=4),
    lambda lib: lib.histc(lib.tensor([1.0, 2, 3], dtype=lib.float16), bins=2),
    lambda lib: lib.histc(lib.tensor([1.0, 2], requires_grad=True), bins=2),
    lambda lib: lib.histogram(lib.tensor([1, 2, 1]), 3),
    lambda lib: lib.histogram(lib.tensor([1.0, 2, 1]), bins=3, range=(3.0, 1.0)),
    lambda lib: lib.histogram(lib.tensor([1.0, 2]), bins=2, weight=lib.tensor([1.0, 2.0], dtype=lib.float64)),
    lambda lib: lib.histogram(lib.tensor([1.0, 2, 1]), bins=2, weight=lib.tensor([1.0, 2.0])),
    lambda lib: lib.histogram(lib.tensor([1.0, 2]), lib.tensor([1, 2])),
    lambda lib: lib.histogram(lib.tensor([1.0, 2]), lib.tensor([[1.0, 2]])),
    lambda lib: lib.histogram(lib.tensor([1.0, 2]), lib.tensor([])),
    lambda lib: lib.histogram(lib.tensor([1.0, 2]), lib.tensor([1.0])),
    lambda lib: lib.histogram(lib.tensor([1.0, float("nan")]), bins=2),
    lambda lib: lib.histogram(lib.tensor([1.0, 2]), bins=2, range=(1.0, 2.0, 3.0)),
    lambda lib: lib.histogram(lib.tensor([1.0, 2]), bins=2, density=True, range=(5.0, 6.0)),
    lambda lib: lib.histogram(lib.tensor([]), bins=3),
    lambda lib: lib.histogram(lib.tensor([1.0, 1.0]), bins=3),
    lambda lib: lib.histogram(lib.tensor([[1.0, 2], [1, 0]]), bins=2),
    lambda lib: lib.histogram(lib.tensor([1.0, 2, 1], dtype=lib.float16), bins=2),
])
def test_histogram_corners_and_errors(fn):
    both(fn)


def test_histogram_prints_as_pytorch():
    r = tutorgrad.histogram(tutorgrad.tensor([1.0, 2, 1]), bins=4, range=(0.0, 3.0),
                            weight=tutorgrad.tensor([1.0, 2.0, 4.0]))
    ref = torch.histogram(torch.tensor([1.0, 2, 1]), bins=4, range=(0.0, 3.0), weight=torch.tensor([1.0, 2.0, 4.0]))
    assert repr(r) == repr(ref).replace("torch.", "tutorgrad.")
    hist, edges = r
    assert hist is r.hist and edges is r.bin_edges


# ------------------------------------------------------------------------------------------- torch.random
def test_random_module_as_pytorch():
    for lib in (torch, tutorgrad):
        assert lib.random.manual_seed(5) is lib.random.default_generator
        assert lib.random.initial_seed() == 5
        state = lib.random.get_rng_state()
        a = lib.rand(2)
        lib.random.set_rng_state(state)
        assert lib.equal(lib.rand(2), a)
        with lib.random.fork_rng():
            lib.rand(10)
        with lib.random.fork_rng(devices=[]):
            lib.randn(3)
        with lib.random.fork_rng(enabled=False):
            pass
        with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
            with lib.random.fork_rng(devices=[0]):
                pass
    tutorgrad.random.manual_seed(11)
    torch.random.manual_seed(11)
    with tutorgrad.random.fork_rng(), torch.random.fork_rng():
        tutorgrad.rand(4), torch.rand(4)
    np.testing.assert_array_equal(tutorgrad.rand(3).numpy(), torch.rand(3).numpy())
    s = tutorgrad.random.seed()
    assert tutorgrad.random.initial_seed() == s
