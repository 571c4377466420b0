"""``multinomial`` draws what PyTorch's CPU generator draws, index for index, and leaves the generator in the
same state (the next ``rand`` agrees too).

Both of PyTorch's paths are covered: the exponential race (no replacement, or one sample) with its
``argmax``/``topk``, including the ties of zero weights where ``topk``'s unstable C++ selection decides
which indices come out; and the cumulative-sum search with replacement. float16, float32 and float64
weights, 1-D and 2-D, the global generator and a ``Generator`` passed in.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tutorgrad
from tutorgrad._stl_sort import topk_indices
from torchdiff import torch

DTYPES = {"float16": (np.float16, torch.float16), "float32": (np.float32, torch.float32),
          "float64": (np.float64, torch.float64)}


def draw_both(weights, k, replacement, seed, with_generator):
    """multinomial with the same seed on both sides, then one rand(3) (the generator's state after it)."""
    results = []
    for lib in (torch, tutorgrad):
        if with_generator:
            gen = lib.Generator().manual_seed(seed)
        else:
            lib.manual_seed(seed)
            gen = None
        out = lib.multinomial(lib.from_numpy(weights.copy()), k, replacement, generator=gen)
        results.append((out.numpy(), lib.rand(3, generator=gen).numpy(), str(out.dtype)))
    return results


def assert_same(weights, k, replacement, seed=0, with_generator=False):
    (a, a_next, a_dtype), (b, b_next, b_dtype) = draw_both(weights, k, replacement, seed, with_generator)
    assert b_dtype.replace("tutorgrad", "torch") == a_dtype
    np.testing.assert_array_equal(b, a, err_msg=f"{weights.dtype} {weights.shape} k={k} replacement={replacement}")
    np.testing.assert_array_equal(b_next, a_next, err_msg="generator state after multinomial")


@st.composite
def weights_and_k(draw):
    dtype = draw(st.sampled_from(sorted(DTYPES)))
    n = draw(st.integers(1, 60))
    rows = draw(st.one_of(st.none(), st.integers(1, 4)))
    shape = (n,) if rows is None else (rows, n)
    style = draw(st.sampled_from(["uniform", "sparse", "small integers", "one hot"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    w = rng.random(shape)
    if style == "sparse":        # zero weights: ties once the positive ones are used up
        w[rng.random(shape) < 0.6] = 0
    elif style == "small integers":  # equal weights
        w = rng.integers(0, 3, shape).astype(float)
    elif style == "one hot":
        w = np.zeros(shape)
    w = w.astype(DTYPES[dtype][0])
    w.reshape(-1, n)[w.reshape(-1, n).sum(-1) == 0, rng.integers(0, n)] = 1  # every row has some weight
    replacement = draw(st.booleans())
    k = draw(st.integers(1, 3 * n if replacement else n))
    return w, k, replacement


@settings(max_examples=300)
@given(weights_and_k(), st.integers(0, 2**64 - 1), st.booleans())
def test_same_draws_as_pytorch(case, seed, with_generator):
    w, k, replacement = case
    assert_same(w, k, replacement, seed, with_generator)


@pytest.mark.parametrize("k", [1, 3, 10, 20, 78, 700])
def test_many_zero_weights_take_topks_tie_order(k):
    # k * 64 <= n: topk's heap-based partial_sort; above: nth_element and sort
    w = np.zeros(5000, np.float32)
    w[[3, 10, 11, 4000, 4999]] = [0.5, 2.0, 1.0, 0.25, 3.0]
    for seed in range(3):
        assert_same(w, k, False, seed)


@pytest.mark.parametrize("shape,k,replacement", [((1000,), 1, False), ((1000,), 50, False), ((200, 300), 2, False),
                                                 ((200, 300), 40, True), ((100_000,), 10, False),
                                                 ((100_000,), 1000, True), ((3, 7), 7, False)])
def test_large(shape, k, replacement):
    w = np.random.default_rng(7).random(shape).astype(np.float32)
    assert_same(w, k, replacement, seed=123)


def test_ones_give_the_tutorial_numbers():
    # weights that are all equal: every order is decided by the exponential draws (and topk's ties: none)
    for seed in (0, 1, 2**32 + 1):
        assert_same(np.ones(10, np.float32), 10, False, seed)
        assert_same(np.ones((4, 10), np.float64), 3, True, seed)


def test_error_in_a_later_row_after_drawing_the_earlier_ones():
    # the replacement kernel draws row 0's samples before it finds row 1's negative weight
    w = np.array([[1.0, 1.0], [1.0, -1.0]], np.float32)
    states = []
    for lib in (torch, tutorgrad):
        lib.manual_seed(0)
        with pytest.raises(RuntimeError, match=r"encountering probability entry < 0"):
            lib.multinomial(lib.from_numpy(w), 3, True)
        states.append(lib.rand(2).numpy())
    np.testing.assert_array_equal(states[1], states[0])


@pytest.mark.parametrize("weights,k,replacement,phrase", [
    ([], 1, True, "cannot compute aminmax over an empty dimension"),
    ([], 2, True, "invalid multinomial distribution (sum of probabilities <= 0)"),
    ([1.0, float("nan")], 2, True, "invalid multinomial distribution (encountering probability entry < 0)"),
    ([[0.0, 0.0], [1.0, -1.0]], 2, True, "invalid multinomial distribution (sum of probabilities <= 0)"),
    ([[0.0, 0.0], [1.0, -1.0]], 2, False, "probability tensor contains either `inf`, `nan` or element < 0"),
    ([float("inf"), 1.0], 1, True, "probability tensor contains either `inf`, `nan` or element < 0"),
])
def test_errors_as_pytorch(weights, k, replacement, phrase):
    for lib in (torch, tutorgrad):
        with pytest.raises(RuntimeError) as info:
            lib.multinomial(lib.tensor(weights), k, replacement)
        assert phrase in str(info.value)


def test_empty_batch_draws_nothing():
    for lib in (torch, tutorgrad):
        lib.manual_seed(0)
        assert lib.multinomial(lib.zeros(0, 3), 2).shape == (0, 2)
    np.testing.assert_array_equal(tutorgrad.rand(2).numpy(), torch.rand(2).numpy())


@settings(max_examples=200)
@given(st.lists(st.integers(0, 4), min_size=1, max_size=200), st.data())
def test_topk_replay_matches_pytorch_topk(values, data):
    # the libstdc++ replay on its own: heavily tied values (and NaN), every k
    values = np.array(values, np.float32)
    if data.draw(st.booleans()):
        values[data.draw(st.lists(st.integers(0, len(values) - 1), max_size=5))] = np.nan
    k = data.draw(st.integers(1, len(values)))
    assert topk_indices(values.tolist(), k) == torch.from_numpy(values).topk(k).indices.tolist()
