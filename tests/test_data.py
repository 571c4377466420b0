"""``tutorgrad.utils.data`` against ``torch.utils.data``: the same batches in the same order for the same seeds,
the same draws from the global generator (the next ``rand`` after a loop agrees), the same collation of every
kind of sample, the same samplers, splits, lengths and errors.
"""
import random
import warnings
from collections import OrderedDict, namedtuple

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tutorgrad
from torchdiff import call, torch

Point = namedtuple("Point", ["x", "y"])


def plain(obj):
    """A batch as plain Python data (tensors -> ('tensor', dtype, values)), to compare across the libraries."""
    if isinstance(obj, (torch.Tensor, tutorgrad.Tensor)):
        return ("tensor", str(obj.dtype).split(".")[-1], tuple(obj.shape), obj.tolist())
    if isinstance(obj, Point):
        return ("Point", [plain(v) for v in obj])
    if isinstance(obj, dict):
        return (type(obj).__name__, {k: plain(v) for k, v in obj.items()})
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [plain(v) for v in obj])
    return obj


def run_both(fn):
    """fn(lib) for torch and tutorgrad; the same plain results (or the same exception class and message)."""
    out = []
    for lib in (torch, tutorgrad):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out.append(call(fn, lib))
    theirs, ours = out
    if isinstance(theirs, Exception):
        assert type(ours) is type(theirs), (ours, theirs)
        assert str(ours).startswith(str(theirs).split("\n")[0].replace("torch.", "tutorgrad.")), (ours, theirs)
        return ours
    assert not isinstance(ours, Exception), f"tutorgrad raised {ours!r}; PyTorch gave {theirs!r}"
    assert plain(ours) == plain(theirs)
    return ours


# ------------------------------------------------------------------------------------------------ loading order
@settings(max_examples=120)
@given(n=st.integers(1, 60), batch_size=st.one_of(st.none(), st.integers(1, 17)), shuffle=st.booleans(),
       drop_last=st.booleans(), seed=st.integers(0, 2**64 - 1), own_generator=st.booleans(), epochs=st.integers(1, 3))
def test_batches_and_draws_as_pytorch(n, batch_size, shuffle, drop_last, seed, own_generator, epochs):
    drop_last = drop_last and batch_size is not None

    def run(lib):
        lib.manual_seed(seed)
        x = lib.arange(n * 2.0).reshape(n, 2)
        ds = lib.utils.data.TensorDataset(x, lib.arange(n))
        gen = lib.Generator().manual_seed(seed + 1) if own_generator else None
        loader = lib.utils.data.DataLoader(ds, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last,
                                           generator=gen)
        batches = [list(loader) for _ in range(epochs)]
        return len(loader), batches, lib.rand(3)  # rand: where the global generator is left
    run_both(run)


@settings(max_examples=40)
@given(n=st.integers(1, 80), num_samples=st.one_of(st.none(), st.integers(1, 200)), seed=st.integers(0, 2**32),
       replacement=st.booleans(), own_generator=st.booleans())
def test_random_sampler_as_pytorch(n, num_samples, seed, replacement, own_generator):
    def run(lib):
        lib.manual_seed(seed)
        gen = lib.Generator().manual_seed(seed) if own_generator else None
        sampler = lib.utils.data.RandomSampler(range(n), replacement=replacement, num_samples=num_samples,
                                               generator=gen)
        return len(sampler), list(sampler), list(sampler), lib.rand(2)
    run_both(run)


@settings(max_examples=40)
@given(weights=st.lists(st.floats(0, 5), min_size=1, max_size=30), k=st.integers(1, 40), replacement=st.booleans(),
       seed=st.integers(0, 2**32))
def test_weighted_and_subset_samplers_as_pytorch(weights, k, replacement, seed):
    def run(lib):
        lib.manual_seed(seed)
        out = [list(lib.utils.data.SubsetRandomSampler([3, 9, 4, 7, 1]))]
        out.append(list(lib.utils.data.SubsetRandomSampler(range(5), generator=lib.Generator().manual_seed(seed))))
        out.append(call(lambda _: list(lib.utils.data.WeightedRandomSampler(weights, k, replacement)), lib))
        out.append(lib.rand(2))
        return [type(o).__name__ if isinstance(o, Exception) else o for o in out]
    run_both(run)


@pytest.mark.parametrize("drop_last", [False, True])
def test_batch_sampler_and_custom_samplers(drop_last):
    def run(lib):
        d = lib.utils.data
        lib.manual_seed(3)
        bs = d.BatchSampler(d.RandomSampler(range(10)), batch_size=3, drop_last=drop_last)
        out = [len(bs), list(bs)]
        loader = d.DataLoader(list(range(100, 110)), batch_sampler=bs)
        out += [len(loader), list(loader)]
        loader = d.DataLoader(list(range(100, 110)), sampler=d.SubsetRandomSampler([1, 5, 7]), batch_size=2,
                              drop_last=drop_last)
        out += [len(loader), list(loader), list(d.SequentialSampler("abc"))]
        return out + [lib.rand(2)]
    run_both(run)


@settings(max_examples=60)
@given(n=st.integers(0, 40), lengths=st.one_of(
    st.lists(st.integers(0, 15), min_size=1, max_size=4),
    st.sampled_from([[0.8, 0.2], [0.5, 0.5], [0.7, 0.2, 0.1], [1 / 3] * 3, [1.0], [0.25, 0.75], [0.1] * 10])),
    seed=st.integers(0, 2**32), own_generator=st.booleans())
def test_random_split_as_pytorch(n, lengths, seed, own_generator):
    if all(isinstance(v, int) for v in lengths) and len(lengths) > 1:
        lengths = lengths[:-1] + [max(0, n - sum(lengths[:-1]))]   # usually a valid split

    def run(lib):
        lib.manual_seed(seed)
        gen = lib.Generator().manual_seed(seed) if own_generator else lib.default_generator
        parts = lib.utils.data.random_split(range(n), lengths, generator=gen)
        return [list(p) for p in parts], [len(p) for p in parts], lib.rand(2)
    run_both(run)


def test_random_split_warns_for_an_empty_split():
    for lib in (torch, tutorgrad):
        with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
            lib.utils.data.random_split(range(3), [1.0, 0.0])


# ------------------------------------------------------------------------------------------------ collation
SAMPLES = {
    "tensors": lambda lib: [lib.tensor([1.0, 2.0]), lib.tensor([3.0, 4.0])],
    "0-d tensors": lambda lib: [lib.tensor(1), lib.tensor(2)],
    "tensors requiring grad": lambda lib: [lib.ones(2, requires_grad=True), lib.zeros(2, requires_grad=True)],
    "floats": lambda lib: [1.5, 2.0, -3.25],
    "ints": lambda lib: [1, 2, 3],
    "bools": lambda lib: [True, False],
    "strings": lambda lib: ["a", "bc"],
    "bytes": lambda lib: [b"a", b"b"],
    "numpy arrays": lambda lib: [np.array([1, 2]), np.array([3, 4])],
    "numpy float32 arrays": lambda lib: [np.ones((2, 2), np.float32), np.zeros((2, 2), np.float32)],
    "numpy scalars": lambda lib: [np.float32(1.5), np.float32(2)],
    "numpy int scalars": lambda lib: [np.int16(1), np.int16(2)],
    "numpy bools": lambda lib: [np.bool_(True), np.bool_(False)],
    "numpy text arrays": lambda lib: [np.array(["a"]), np.array(["b"])],
    "tuples": lambda lib: [(lib.tensor([1.0]), 0), (lib.tensor([2.0]), 1)],
    "lists": lambda lib: [[1, 2.5], [3, 4.5]],
    "dicts": lambda lib: [{"a": 1, "b": (1.0, "x")}, {"a": 2, "b": (2.0, "y")}],
    "ordered dicts": lambda lib: [OrderedDict(x=lib.ones(1), y=1), OrderedDict(x=lib.zeros(1), y=2)],
    "namedtuples": lambda lib: [Point(1, lib.tensor(0.5)), Point(2, lib.tensor(1.5))],
    "nested": lambda lib: [{"img": np.ones(2), "meta": [{"id": 1}, "s"]},
                           {"img": np.zeros(2), "meta": [{"id": 2}, "t"]}],
    "ragged lists": lambda lib: [[1, 2], [3]],
    "ragged tensors": lambda lib: [lib.ones(2), lib.ones(3)],
    "objects": lambda lib: [object(), object()],
    "None": lambda lib: [None, None],
    "empty": lambda lib: [],
}


@pytest.mark.parametrize("what", SAMPLES)
def test_default_collate_as_pytorch(what):
    result = run_both(lambda lib: lib.utils.data.default_collate(SAMPLES[what](lib)))
    if what == "tensors requiring grad":
        assert result.grad_fn.name() == "StackBackward0"


@pytest.mark.parametrize("what", ["numpy arrays", "tuples", "dicts", "namedtuples", "strings", "numpy scalars"])
def test_default_convert_as_pytorch(what):
    run_both(lambda lib: lib.utils.data.default_convert(SAMPLES[what](lib)))
    run_both(lambda lib: lib.utils.data.default_convert(SAMPLES[what](lib)[0]))


def test_loader_collates_each_kind():
    def run(lib):
        class Samples(lib.utils.data.Dataset):
            def __len__(self):
                return 5

            def __getitem__(self, i):
                return {"x": np.full(2, i, np.float32), "y": i, "w": i / 2, "name": f"s{i}", "p": Point(i, -i)}
        loader = lib.utils.data.DataLoader(Samples(), batch_size=2)
        unbatched = lib.utils.data.DataLoader(Samples(), batch_size=None)
        custom = lib.utils.data.DataLoader(Samples(), batch_size=2, collate_fn=lambda b: [s["y"] for s in b])
        return list(loader), list(unbatched)[:2], list(custom)
    run_both(run)


# ------------------------------------------------------------------------------------------------ datasets
def test_datasets_as_pytorch():
    def run(lib):
        d = lib.utils.data
        a = d.TensorDataset(lib.arange(4.0), lib.arange(4))
        b = d.TensorDataset(lib.arange(10.0, 13.0), lib.arange(3))
        both = a + b
        out = [len(both), both[5], both[-1], both.cumulative_sizes, call(lambda _: both[-8], lib)]
        sub = d.Subset(both, [6, 0, 2])
        out += [len(sub), sub[0], sub[[0, 2]], list(d.DataLoader(sub, batch_size=2))]
        stack = d.StackDataset(a, a)
        out += [stack[1], d.StackDataset(x=a, y=a)[2], a[1:3]]
        return out
    run_both(run)


def make_stream(lib, n):
    class Stream(lib.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(n))

        def __len__(self):
            return n
    return Stream()


@pytest.mark.parametrize("batch_size,drop_last", [(None, False), (1, False), (3, False), (3, True), (5, True)])
def test_iterable_datasets_as_pytorch(batch_size, drop_last):
    def run(lib):
        stream = make_stream(lib, 7)
        loader = lib.utils.data.DataLoader(stream, batch_size=batch_size, drop_last=drop_last)
        chain = lib.utils.data.DataLoader(stream + make_stream(lib, 2), batch_size=batch_size, drop_last=drop_last)
        return len(loader), list(loader), list(chain), lib.rand(1)
    run_both(run)


def test_iterable_dataset_longer_than_its_len_warns():
    for lib in (torch, tutorgrad):
        class Liar(lib.utils.data.IterableDataset):
            def __iter__(self):
                return iter(range(3))

            def __len__(self):
                return 2
        loader = lib.utils.data.DataLoader(Liar(), batch_size=None)
        len(loader)
        with pytest.warns(UserWarning, match=r"was reported to be 2\(when accessing len\(dataloader\)\), but 3 "
                                             "samples have been fetched"):
            list(loader)


ERRORS = {
    "shuffle and sampler": lambda lib: lib.utils.data.DataLoader(range(3), shuffle=True, sampler=[0, 1]),
    "batch_sampler and batch_size": lambda lib: lib.utils.data.DataLoader(range(3), batch_size=2,
                                                                          batch_sampler=[[0, 1]]),
    "batch_size None and drop_last": lambda lib: lib.utils.data.DataLoader(range(3), batch_size=None,
                                                                           drop_last=True),
    "negative workers": lambda lib: lib.utils.data.DataLoader(range(3), num_workers=-1),
    "negative timeout": lambda lib: lib.utils.data.DataLoader(range(3), timeout=-1),
    "prefetch without workers": lambda lib: lib.utils.data.DataLoader(range(3), prefetch_factor=2),
    "persistent without workers": lambda lib: lib.utils.data.DataLoader(range(3), persistent_workers=True),
    "context without workers": lambda lib: lib.utils.data.DataLoader(range(3), multiprocessing_context="fork"),
    "timeout without workers": lambda lib: iter(lib.utils.data.DataLoader(range(3), timeout=5)),
    "iterable and shuffle": lambda lib: lib.utils.data.DataLoader(make_stream(lib, 3), shuffle=True),
    "iterable and sampler": lambda lib: lib.utils.data.DataLoader(make_stream(lib, 3), sampler=[0]),
    "batch_size 0": lambda lib: lib.utils.data.DataLoader(range(3), batch_size=0),
    "batch_size 1.5": lambda lib: lib.utils.data.BatchSampler(range(3), 1.5, False),
    "drop_last 1": lambda lib: lib.utils.data.BatchSampler(range(3), 2, 1),
    "num_samples 0": lambda lib: lib.utils.data.RandomSampler(range(3), num_samples=0),
    "replacement 1": lambda lib: lib.utils.data.RandomSampler(range(3), replacement=1),
    "empty dataset shuffled": lambda lib: lib.utils.data.DataLoader([], shuffle=True),
    "weights 2-d": lambda lib: lib.utils.data.WeightedRandomSampler([[1.0, 2.0]], 2),
    "size mismatch": lambda lib: lib.utils.data.TensorDataset(lib.ones(3), lib.ones(4)),
    "concat nothing": lambda lib: lib.utils.data.ConcatDataset([]),
    "concat a stream": lambda lib: lib.utils.data.ConcatDataset([make_stream(lib, 2)]),
    "split lengths": lambda lib: lib.utils.data.random_split(range(5), [2, 2]),
    "split fraction": lambda lib: lib.utils.data.random_split(range(5), [1.5, -0.5]),
    "Dataset without getitem": lambda lib: lib.utils.data.Dataset()[0],
    "set batch_size later": lambda lib: setattr(lib.utils.data.DataLoader(range(3)), "batch_size", 4),
    "stack of no datasets": lambda lib: lib.utils.data.StackDataset(),
}


@pytest.mark.parametrize("what", ERRORS)
def test_errors_as_pytorch(what):
    theirs, ours = call(ERRORS[what], torch), call(ERRORS[what], tutorgrad)
    assert isinstance(theirs, Exception), f"PyTorch accepts {what}"
    assert type(ours) is type(theirs), (ours, theirs)
    assert str(ours).startswith(str(theirs).split(":")[0].replace("torch.", "tutorgrad.")), (str(ours), str(theirs))


def test_pin_memory_warns_as_pytorch():
    for lib in (torch, tutorgrad):
        with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no accelerator is found"):
            assert [b.tolist() for b in lib.utils.data.DataLoader(range(3), batch_size=2, pin_memory=True)] == \
                [[0, 1], [2]]


# ------------------------------------------------------------------------------------------------ workers
def noisy_and_streams(lib):
    class Noisy(lib.utils.data.Dataset):
        """Random augmentation in __getitem__: torch's, Python's and NumPy's generators, and the worker id."""

        def __len__(self):
            return 9

        def __getitem__(self, i):
            info = lib.utils.data.get_worker_info()
            return (i, -1 if info is None else info.id, lib.rand(1).item(), random.random(), float(np.random.rand()))

    class Sharded(lib.utils.data.IterableDataset):
        """Each worker reads every num_workers-th item, and the workers' shares differ in length."""

        def __iter__(self):
            info = lib.utils.data.get_worker_info()
            if info is None:
                return iter(range(7))
            return iter(range(info.id, 7 + 3 * info.id, info.num_workers))
    return Noisy(), Sharded()


def test_workers_give_pytorchs_batches_and_random_numbers():
    def run(lib):
        noisy, sharded = noisy_and_streams(lib)
        lib.manual_seed(0)
        random.seed(0)
        np.random.seed(0)
        calls = []
        with pytest.warns(UserWarning) if lib is tutorgrad else warnings.catch_warnings():
            loader = lib.utils.data.DataLoader(noisy, batch_size=2, shuffle=True, num_workers=2,
                                               worker_init_fn=lambda w: calls.append(w))
        out = [list(loader), lib.rand(2), random.random(), float(np.random.rand())]
        out.append(list(lib.utils.data.DataLoader(sharded, batch_size=2, num_workers=3)))
        out.append(list(lib.utils.data.DataLoader(sharded, batch_size=None, num_workers=2)))
        persistent = lib.utils.data.DataLoader(noisy, batch_size=4, num_workers=2, persistent_workers=True,
                                               shuffle=True)
        out += [list(persistent), list(persistent), lib.rand(2)]
        if lib is tutorgrad:
            assert sorted(calls) == [0, 1]
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # (PyTorch's fork in a threaded process)
        run_both(run)


def test_no_worker_info_in_the_main_process():
    assert tutorgrad.utils.data.get_worker_info() is None


def test_readme_training_example_prints_what_pytorch_prints():
    """The README's training example (data, device line, RMSprop, StepLR, clipping, f-strings) run with each library."""
    import contextlib
    import io
    import re
    from pathlib import Path

    from printed_numbers import Tolerance, differences

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    code = re.search(r"```python\n(from tutorgrad\.utils\.data import TensorDataset.*?)```", readme, re.S).group(1)
    outputs = []
    for lib, body in ((tutorgrad, code), (torch, code.replace("from tutorgrad.utils.data", "from torch.utils.data"))):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed), warnings.catch_warnings():
            warnings.simplefilter("error")  # the example runs without a warning
            exec(compile(body, "README.md", "exec"), {"torch": lib})
        outputs.append(printed.getvalue())
    # ten epochs of float32 training: losses to float32 rounding over 40 steps, printed to 4 decimals
    assert not differences(outputs[0], outputs[1], Tolerance(rtol=1e-4, reason="40 float32 training steps"))
    assert outputs[0].count("\n") == 10
