"""Neural-network building blocks (``tutorgrad.nn``), PyTorch-compatible.

* ``Module``      – the base class: parameters, sub-modules, ``state_dict``, ``repr``
* ``Parameter``   – a tensor a module learns
* layers          – ``Linear``, ``LazyLinear``, ``Embedding``, ``ReLU``, ``LeakyReLU``, ``GELU``, ``SiLU``, ``Tanh``,
  ``Sigmoid``, ``Softmax``, ``LogSoftmax``, ``Dropout``, ``Flatten``, ``Unflatten``, ``Identity``
* containers      – ``Sequential``, ``ModuleList``, ``ModuleDict``
* ``Conv1d``, ``Conv2d``, ``MaxPool1d/2d``, ``AvgPool1d/2d``, ``AdaptiveAvgPool1d/2d``, ``BatchNorm1d/2d``, ``LayerNorm``
* losses          – ``MSELoss``, ``L1Loss``, ``SmoothL1Loss``, ``HuberLoss``, ``CrossEntropyLoss``, ``NLLLoss``,
  ``BCELoss``, ``BCEWithLogitsLoss``
* ``DataParallel`` – as on a CPU-only PyTorch: holds the module and calls it (``parallel.py``)
* ``functional``  – the same as functions (``import tutorgrad.nn.functional as F``)
* ``init``        – weight initialisation
* ``utils``       – gradient clipping (``clip_grad_norm_``), parameters as one vector
"""
from .parameter import Parameter, UninitializedParameter  # noqa: F401
from .module import Module  # noqa: F401
from .layers import (Linear, LazyLinear, Embedding, ReLU, LeakyReLU, GELU, SiLU, Tanh, Sigmoid, Softmax,  # noqa: F401
                     LogSoftmax, Dropout, Identity, Flatten, Unflatten, Sequential, ModuleList, ModuleDict)
from .conv import Conv1d, Conv2d  # noqa: F401
from .pooling import MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool1d, AdaptiveAvgPool2d  # noqa: F401
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm  # noqa: F401
from .loss import (MSELoss, L1Loss, SmoothL1Loss, HuberLoss, CrossEntropyLoss, NLLLoss, BCELoss,  # noqa: F401
                   BCEWithLogitsLoss)
from .parallel import DataParallel  # noqa: F401
from . import functional, init, utils  # noqa: F401
