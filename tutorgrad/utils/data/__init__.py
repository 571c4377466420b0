"""``tutorgrad.utils.data``: datasets, samplers and the ``DataLoader``, as ``torch.utils.data``.

>>> from tutorgrad.utils.data import TensorDataset, DataLoader, random_split
>>> ds = TensorDataset(tutorgrad.randn(100, 3), tutorgrad.randint(0, 2, (100,)))
>>> train, val = random_split(ds, [0.8, 0.2])
>>> for x, y in DataLoader(train, batch_size=32, shuffle=True):
...     pass          # x: (32, 3) features, y: (32,) labels (the last batch has 16)
"""
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset,  # noqa: F401
                      TensorDataset, random_split)
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,  # noqa: F401
                      WeightedRandomSampler)
from .dataloader import DataLoader, get_worker_info, default_collate, default_convert  # noqa: F401
from . import _utils  # noqa: F401

__all__ = ["BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset", "IterableDataset",
           "RandomSampler", "Sampler", "SequentialSampler", "StackDataset", "Subset", "SubsetRandomSampler",
           "TensorDataset", "WeightedRandomSampler", "default_collate", "default_convert", "get_worker_info",
           "random_split"]
