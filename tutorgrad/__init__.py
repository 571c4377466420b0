"""tutorgrad: PyTorch's core ideas in a small NumPy library you can read.

``import tutorgrad as torch`` runs beginner PyTorch code and prints the same
things. Where to look:

* ``tensor.py``   – the Tensor class (data + the graph that made it)
* ``ops.py``      – every operation: forward and backward side by side
* ``autograd/``   – the ``Function`` mechanism, the backward engine, gradcheck
* ``creation.py`` – tensor(), zeros(), rand(), cat(), ...
* ``viz/``        – drawings of the graph and interactive widgets
"""
__version__ = "0.1.0"

from . import _dtypes
from ._dtypes import (dtype, bool_ as bool, uint8, int8, int16, int32, int64, float16, float32, float64,  # noqa: F401
                      complex64, complex128, get_default_dtype, set_default_dtype, promote_types)
from .tensor import Tensor, Size, device  # noqa: F401
from ._device import set_default_device, get_default_device  # noqa: F401
from . import cuda, accelerator, backends  # noqa: F401  (a CPU-only build's answers)
from .creation import (tensor, as_tensor, from_numpy, zeros, ones, empty, full, zeros_like, ones_like,  # noqa: F401
                       empty_like, full_like, arange, linspace, logspace, eye, manual_seed, seed, initial_seed,
                       get_rng_state, set_rng_state, rand, randn, randint, randperm, normal, rand_like, randn_like,
                       randint_like, bernoulli, multinomial, cat, concat, concatenate, stack, hstack, vstack, where,
                       broadcast_tensors, broadcast_shapes, meshgrid)
from .serialization import save, load  # noqa: F401
from ._range import range  # noqa: F401  (deprecated in PyTorch; warns)
from ._histogram import histc, histogram  # noqa: F401
from ._random import Generator, default_generator  # noqa: F401
from . import autograd  # noqa: F401
autograd.functional._stack = stack  # jacobian stacks rows; autograd imports nothing above it
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


def _functional(name):
    """``tutorgrad.exp(x)`` etc.: the function form of a Tensor method."""
    method = getattr(Tensor, name)

    def fn(input, *args, **kwargs):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
        return method(input, *args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = method.__doc__
    return fn


for _name in ("add sub subtract mul multiply div divide true_divide floor_divide remainder fmod pow square matmul "
              "mm bmm mv dot inner outer maximum minimum neg negative abs absolute exp log log2 log10 log1p expm1 "
              "sqrt rsqrt reciprocal sin cos tan tanh sigmoid relu sign floor ceil round trunc clamp clip "
              "clamp_min clamp_max sum mean var std prod max min amax amin argmax argmin all any logsumexp softmax "
              "log_softmax cumsum norm sort topk unique reshape flatten squeeze unsqueeze transpose swapaxes t "
              "permute movedim narrow split chunk unbind clone flip gather tril triu diagonal trace index_select "
              "masked_select masked_fill eq ne lt le gt ge equal allclose isclose logical_not logical_and "
              "logical_or logical_xor isnan isinf isfinite detach nonzero count_nonzero bincount real imag conj "
              "angle lerp").split():
    if _name not in globals() or _name in ("abs", "round", "max", "min", "sum", "all", "any", "pow"):
        globals()[_name] = _functional(_name)
del _name


def real(input):
    return input.real


def imag(input):
    return input.imag


from . import nn, optim, random, utils  # noqa: E402,F401  (they build on everything above)
