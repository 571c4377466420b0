"""tutorgrad: PyTorch's core ideas in a small NumPy library you can read.

``import tutorgrad as torch`` runs beginner PyTorch code and prints the same
things. Where to look:

* ``tensor.py``   – the Tensor class (data + the graph that made it)
* ``ops/``        – every operation, by area: forward and backward side by side
  (start with ``ops/__init__.py``: six ops to read first)
* ``autograd/``   – the ``Function`` mechanism, the backward engine (``engine.py``), gradcheck
* ``creation.py`` – tensor(), zeros(), arange(), rand(), ...
* ``nn/``, ``optim/`` – layers, losses, ``nn.utils`` (clipping); optimizers and ``optim.lr_scheduler``
* ``utils/data/`` – ``Dataset``, ``DataLoader`` and the samplers
* ``cuda.py``, ``accelerator.py``, ``backends/`` – a CPU-only PyTorch's answers (``_device.py``: ``device``)
* ``viz/``        – drawings of the graph and interactive widgets

Layers point one way: the ground floor (``_dtypes``, ``_printing``, ``_random``, ``_stl_sort``,
``_errstate``, ``_shapes``, ``_convert``, ``_device``, ``_registered``) imports nothing above it,
``autograd/`` imports nothing of ``tensor.py``, ``ops/`` or ``creation.py``, and the ops register
their own methods on ``Tensor``.
"""
__version__ = "0.1.0"

from . import _dtypes, _registered
from ._dtypes import (dtype, bool_ as bool, uint8, int8, int16, int32, int64, float16, float32, float64,  # noqa: F401
                      complex64, complex128, get_default_dtype, set_default_dtype, promote_types)
from .tensor import Tensor, Size, device  # noqa: F401
from . import ops  # every op registers its methods on Tensor, and its function here (below)
from ._device import set_default_device, get_default_device  # noqa: F401
from . import cuda, accelerator, backends  # noqa: F401  (a CPU-only build's answers)
from .creation import (tensor, as_tensor, from_numpy, zeros, ones, empty, full, zeros_like, ones_like,  # noqa: F401
                       empty_like, full_like, arange, linspace, logspace, eye, manual_seed, seed, initial_seed,
                       get_rng_state, set_rng_state, rand, randn, randint, randperm, normal, rand_like, randn_like,
                       randint_like, bernoulli, multinomial)
from .serialization import save, load  # noqa: F401
from ._range import range  # noqa: F401  (deprecated in PyTorch; warns)
from ._histogram import histc, histogram  # noqa: F401
from ._random import Generator, default_generator  # noqa: F401
from . import autograd  # noqa: F401
from .autograd import no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode  # noqa: F401
from ._printing import set_printoptions, get_printoptions  # noqa: F401

float = float32
double = float64
half = float16
long = int64
int = int32
short = int16
cfloat = complex64
cdouble = complex128
strided = "torch.strided"


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return input.is_complex()


def numel(input):
    return input.numel()


def result_type(a, b):
    return _dtypes.result_type(a, b)


def can_cast(from_, to):
    return _dtypes.can_cast(from_, to)


globals().update(ops.functions)  # tutorgrad.exp, tutorgrad.sum, tutorgrad.cat, ...: one per registered op

_registered.register_factories(tensor=tensor, zeros=zeros, ones=ones, zeros_like=zeros_like, ones_like=ones_like,
                               full=full, eye=eye, stack=ops.functions["stack"], cat=ops.functions["cat"])

from . import nn, optim, random, utils  # noqa: E402,F401  (they build on everything above)
