"""``DataLoader``: iterate over a dataset in (shuffled) mini-batches, as ``torch.utils.data.DataLoader``.

Each pass (``for x, y in loader``) asks the sampler for indices, reads those samples from the
dataset and collates them into a batch (``default_collate`` stacks tensors and numbers). The
random numbers are PyTorch's, draw for draw: starting a pass takes one 64-bit draw from
``generator`` (the global generator if ``None``) -- PyTorch's seed for its workers, taken even
without workers --, and ``shuffle=True`` shuffles as ``RandomSampler`` does. So after
``manual_seed(0)`` the batches come in PyTorch's order, and the code after the loop sees the
generator where PyTorch's would be.

``num_workers > 0``: tutorgrad loads the batches in this process, with a warning. It does not
start worker processes because the lessons run on small machines and in the browser, where
processes cost more than they save, and because a teaching library should be debuggable
with a plain traceback. What the workers would do is reproduced instead: batch ``k`` is
read "by" worker ``k % num_workers``, whose random state (``tutorgrad``'s generator, Python's
``random`` and NumPy's global generator) is seeded as PyTorch seeds its workers, so random
augmentations inside ``__getitem__`` draw the same numbers as with PyTorch's workers;
``worker_init_fn`` runs once per worker, ``get_worker_info()`` answers inside it and inside
the dataset, and each worker reads its own (shallow) copy of the dataset, so an
``IterableDataset`` that splits its stream by worker gives PyTorch's interleaving.

>>> ds = TensorDataset(tutorgrad.arange(10.), tutorgrad.arange(10))
>>> [y.tolist() for _, y in DataLoader(ds, batch_size=4)]
[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
"""
import copy
import math
import random
import warnings

import numpy as np

from ... import _random
from ...creation import get_rng_state, set_rng_state
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, _random_seed
from ._utils.collate import default_collate, default_convert

__all__ = ["DataLoader", "get_worker_info", "default_collate", "default_convert"]

_MAP, _ITERABLE = 0, 1
_worker_info = None


class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker: ``id``, ``num_workers``, ``seed``, ``dataset``."""

    def __init__(self, **kwargs):
        self.__keys = tuple(kwargs)
        for k, v in kwargs.items():
            setattr(self, k, v)

    def __repr__(self):
        return f"WorkerInfo({', '.join(f'{k}={getattr(self, k)}' for k in self.__keys)})"


def get_worker_info():
    """Inside a ``DataLoader`` worker (``num_workers > 0``): its ``WorkerInfo``; elsewhere ``None``."""
    return _worker_info


class _InfiniteConstantSampler(Sampler):
    """The sampler of an ``IterableDataset``: ``None`` forever (the dataset decides when to stop)."""

    def __iter__(self):
        while True:
            yield None


class _Fetcher:
    """Reads one batch: the samples at the sampler's indices (map-style) or the stream's next ones."""

    def __init__(self, kind, dataset, auto_collation, collate_fn, drop_last):
        self.kind, self.dataset, self.auto_collation = kind, dataset, auto_collation
        self.collate_fn, self.drop_last = collate_fn, drop_last
        self.ended = False
        if kind == _ITERABLE:
            self.dataset_iter = iter(dataset)

    def fetch(self, index):
        if self.kind == _MAP:
            if not self.auto_collation:
                return self.collate_fn(self.dataset[index])
            getitems = getattr(self.dataset, "__getitems__", None)
            data = getitems(index) if getitems else [self.dataset[i] for i in index]
            return self.collate_fn(data)
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.dataset_iter))
        data = []
        for _ in index:
            try:
                data.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(index)):
            raise StopIteration
        return self.collate_fn(data)


class _Worker:
    """One of PyTorch's worker processes, played in this process: its own random state and dataset copy."""

    def __init__(self, loader, worker_id, base_seed):
        self.id = worker_id
        seed = base_seed + worker_id
        # PyTorch's worker loop: random.seed(seed), torch.manual_seed(seed), and NumPy seeded with
        # a SeedSequence hash of (worker_id, base_seed) -- the same numbers here.
        self.torch_state = _random.Generator().manual_seed(seed).get_state()
        self.python_state = random.Random(seed).getstate()
        numpy_seed = np.random.SeedSequence([worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32, 0]).generate_state(4)
        self.numpy_state = np.random.RandomState(numpy_seed).get_state()
        try:
            dataset = copy.copy(loader.dataset)  # each worker process has its own copy
        except Exception:  # noqa: BLE001 - an uncopyable dataset is shared instead
            dataset = loader.dataset
        self.dataset = dataset
        self.info = WorkerInfo(id=worker_id, num_workers=loader.num_workers, seed=seed, dataset=dataset)
        self.loader = loader
        with self:
            if loader.worker_init_fn is not None:
                loader.worker_init_fn(worker_id)
        self.new_pass()

    def new_pass(self):
        loader = self.loader
        with self:
            self.fetcher = _Fetcher(loader._dataset_kind, self.dataset, loader._auto_collation, loader.collate_fn,
                                    loader.drop_last)
        self.active = True

    def __enter__(self):
        global _worker_info
        self._saved = (get_rng_state(), random.getstate(), np.random.get_state(), _worker_info)
        set_rng_state(self.torch_state)
        random.setstate(self.python_state)
        np.random.set_state(self.numpy_state)
        _worker_info = self.info

    def __exit__(self, *exc):
        global _worker_info
        self.torch_state = _random.default_generator.get_state()
        self.python_state = random.getstate()
        self.numpy_state = np.random.get_state()
        torch_state, python_state, numpy_state, _worker_info = self._saved
        set_rng_state(torch_state)
        random.setstate(python_state)
        np.random.set_state(numpy_state)
        return False


class _DataLoaderIter:
    """One pass over a ``DataLoader`` (what ``iter(loader)`` returns)."""

    def __init__(self, loader, workers=None):
        self._loader = loader
        self._dataset = loader.dataset
        self._kind = loader._dataset_kind
        self._auto_collation = loader._auto_collation
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        if loader.pin_memory:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then device pinned "
                          "memory won't be used.", stacklevel=3)
        if loader.num_workers == 0 and loader.timeout != 0:
            raise AssertionError("_SingleProcessDataLoaderIter requires timeout == 0")
        self._sampler_iter = iter(self._index_sampler)
        if workers is None:
            self._base_seed = _random_seed(loader.generator)  # drawn even without workers, as in PyTorch
            workers = [_Worker(loader, i, self._base_seed) for i in range(loader.num_workers)]
        self._workers = workers
        self._next_worker = 0
        self._num_yielded = 0
        if not workers:
            self._fetcher = _Fetcher(self._kind, self._dataset, self._auto_collation, loader.collate_fn,
                                     loader.drop_last)

    def _reset(self):
        """A new pass with the same (persistent) workers: their random states carry on, no new seed is drawn."""
        self._sampler_iter = iter(self._index_sampler)
        self._next_worker = 0
        self._num_yielded = 0
        for worker in self._workers:
            worker.new_pass()

    def __iter__(self):
        return self

    def __len__(self):
        return len(self._index_sampler)

    def _next_data(self):
        index = next(self._sampler_iter)
        if not self._workers:
            return self._fetcher.fetch(index)
        while True:  # the next worker still reading, in turn (map-style: batch k by worker k % num_workers)
            active = [w for w in self._workers if w.active]
            if not active:
                raise StopIteration
            worker = self._workers[self._next_worker]
            self._next_worker = (self._next_worker + 1) % len(self._workers)
            if not worker.active:
                continue
            try:
                with worker:
                    return worker.fetcher.fetch(index)
            except StopIteration:
                worker.active = False  # this worker's stream has ended; the others go on

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        claimed = self._loader._IterableDataset_len_called
        if self._kind == _ITERABLE and claimed is not None and self._num_yielded > claimed:
            message = (f"Length of IterableDataset {self._dataset} was reported to be {claimed}(when accessing "
                       f"len(dataloader)), but {self._num_yielded} samples have been fetched. ")
            if self._num_workers > 0:
                message += ("For multiprocessing data-loading, this could be caused by not properly configuring the "
                            "IterableDataset replica at each worker. Please see https://pytorch.org/docs/stable/"
                            "data.html#torch.utils.data.IterableDataset for examples.")
            warnings.warn(message, stacklevel=2)
        return data

    def __getstate__(self):
        raise NotImplementedError("{} cannot be pickled", type(self).__name__)


class DataLoader:
    """Mini-batches of a dataset: ``for x, y in DataLoader(dataset, batch_size=64, shuffle=True): ...``.

    Arguments as PyTorch's: ``batch_size`` (``None``: no batching), ``shuffle`` (a new order every
    epoch, ``RandomSampler``), ``sampler`` / ``batch_sampler`` (your own order), ``collate_fn`` (how
    samples become a batch, ``default_collate``), ``drop_last`` (drop a last, shorter batch),
    ``generator`` (the shuffling's generator), ``num_workers`` / ``worker_init_fn`` /
    ``persistent_workers`` (read in this process, see the module docstring), ``pin_memory``
    (warns: there is no GPU). ``len(loader)`` is the number of batches.

    >>> tutorgrad.manual_seed(0)
    >>> [b.tolist() for b in DataLoader(range(6), batch_size=4, shuffle=True)]  # PyTorch: the same
    [[0, 4, 3, 5], [2, 1]]
    """

    _initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 "
                             "to enable multiprocessing, otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if multiprocessing_context is not None:
            if num_workers == 0:
                raise ValueError("multiprocessing_context can only be used with multi-process loading (num_workers "
                                 f"> 0), but got num_workers={num_workers}")
            if isinstance(multiprocessing_context, str) and multiprocessing_context not in ("fork", "spawn",
                                                                                          "forkserver"):
                raise ValueError("multiprocessing_context option should specify a valid start method in ['fork', "
                                 f"'spawn', 'forkserver'], but got multiprocessing_context="
                                 f"{multiprocessing_context!r}")
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _ITERABLE
            if shuffle not in {False, None}:
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle option, but got "
                                 f"shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler option, but got "
                                 f"sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified batch_sampler option, but "
                                 f"got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = _MAP
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and "
                                 "drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with "
                             "drop_last")
        if sampler is None:
            if self._dataset_kind == _ITERABLE:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._IterableDataset_len_called = None
        self._iterator = None
        self._initialized = True
        if num_workers > 0:
            warnings.warn(f"tutorgrad's DataLoader reads the batches in this process (num_workers={num_workers} starts "
                          "no processes): the same batches and the same random numbers in each worker as PyTorch's "
                          "workers, without their speed-up.", UserWarning, stacklevel=2)

    def __setattr__(self, attr, val):
        if self._initialized and attr in ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                                          "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after {type(self).__name__} is initialized")
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self):
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = _DataLoaderIter(self)
            else:
                self._iterator._reset()
            return self._iterator
        return _DataLoaderIter(self)

    def __len__(self):
        if self._dataset_kind == _ITERABLE:
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)
