"""Creating tensors: from data (``tensor``, ``from_numpy``), filled (``zeros``, ``full``, ``arange``) and
random (``rand``, ``randn``, ...). (Joining tensors, ``cat`` and ``stack``, is an op: ``ops/shape.py``.)

NumPy interop follows PyTorch's memory rules: ``tensor(x)`` always copies,
``from_numpy(a)`` and ``as_tensor(a)`` share memory with the ndarray.
"""
import functools
import numbers

import numpy as np

from . import _device
from . import _dtypes as D
from . import _random
from ._convert import check_fits as _check_fits, scalar_dtype as _scalar_dtype, to_array as _to_array
from .tensor import Tensor, _normalize_size
from .ops.registry import with_out as _with_out


def _check_device(device, factory=True):
    _device.check(device, factory=factory)  # (None: the default device, set_default_device)


def _leaf(arr, requires_grad):
    t = Tensor._wrap(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a **copy** of ``data`` (a number, nested list, ndarray or tensor).

    >>> tutorgrad.tensor([1, 2, 3])
    tensor([1, 2, 3])
    >>> tutorgrad.tensor([[1., 2.]], requires_grad=True)
    tensor([[1., 2.]], requires_grad=True)
    """
    _check_device(device, factory=False)
    if isinstance(data, Tensor):
        import warnings
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.clone().detach() or "
                      "sourceTensor.clone().detach().requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    return _leaf(_to_array(data, D.to_dtype(dtype, "tensor") if dtype is not None else None), requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with an ndarray (or tensor) when no conversion is needed."""
    _check_device(device, factory=False)
    if isinstance(data, Tensor):
        return data if dtype is None or D.to_dtype(dtype, "as_tensor") is data.dtype else data.to(dtype)
    if isinstance(data, np.ndarray):
        t = from_numpy(data)
        return t if dtype is None or D.to_dtype(dtype, "as_tensor") is t.dtype else t.to(dtype)
    return tensor(data, dtype=dtype)


def from_numpy(ndarray):
    """A tensor that **shares memory** with ``ndarray``: changing one changes the other.

    >>> a = np.zeros(2); t = tutorgrad.from_numpy(a); a[0] = 5; t
    tensor([5., 0.], dtype=tutorgrad.float64)
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    D.from_numpy_dtype(ndarray.dtype)
    return Tensor._wrap(ndarray)


def _sized(fn):
    """A factory taking its size as ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=(2, 3))``, and ``out=``.

    ``out=t``: the values are made in ``t``'s dtype and written into ``t`` (resized as needed), as PyTorch.

    >>> tutorgrad.zeros(size=(1, 2))
    tensor([[0., 0.]])
    """
    name = fn.__name__
    with_out = _with_out(fn, "aten::" + name)  # (PyTorch's message names the factory so)

    @functools.wraps(fn)
    def factory(*size, out=None, **kwargs):
        if "size" in kwargs:
            if size:
                raise TypeError(f"{name}() got multiple values for argument 'size'")
            size = kwargs.pop("size")
            if not isinstance(size, (tuple, list)):
                raise TypeError(f"{name}(): argument 'size' must be tuple of ints, not {type(size).__name__}")
            size = (size,)
        if out is None:
            return fn(*size, **kwargs)
        if isinstance(out, Tensor) and kwargs.get("dtype") is None:
            kwargs["dtype"] = out.dtype
        return with_out(*size, out=out, **kwargs)
    return factory


def _factory(size, dtype, fn_name):
    if not size:
        raise TypeError(f'{fn_name}() missing 1 required positional arguments: "size"')
    size = _normalize_size(size, fn_name)
    if any(s < 0 for s in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: {list(size)}")
    return size, D.to_dtype(dtype, fn_name) if dtype is not None else D.get_default_dtype()


@_sized
def zeros(*size, dtype=None, device=None, requires_grad=False):
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    _check_device(device)
    size, dt = _factory(size, dtype, "zeros")
    return _leaf(np.zeros(size, dt.np), requires_grad)


@_sized
def ones(*size, dtype=None, device=None, requires_grad=False):
    """A tensor of ones: ``ones(2, 3)``."""
    _check_device(device)
    size, dt = _factory(size, dtype, "ones")
    return _leaf(np.ones(size, dt.np), requires_grad)


@_sized
def empty(*size, dtype=None, device=None, requires_grad=False, memory_format=None):
    """An 'uninitialised' tensor (tutorgrad fills it with zeros, so results are reproducible)."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value`` (its dtype inferred from the value)."""
    _check_device(device)
    size = _normalize_size((size,) if not isinstance(size, (tuple, list)) else (tuple(size),), "full")
    dt = D.to_dtype(dtype, "full") if dtype is not None else _scalar_dtype(fill_value)
    return _leaf(_filled(size, fill_value, dt), requires_grad)


def _filled(shape, value, dt):
    _check_fits(value, dt)
    return np.full(shape, value, dt.np)


def _like(t, dtype):
    return t.shape, D.to_dtype(dtype) if dtype is not None else t.dtype


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    shape, dt = _like(input, dtype)
    return _leaf(np.zeros(shape, dt.np), requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    shape, dt = _like(input, dtype)
    return _leaf(np.ones(shape, dt.np), requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return zeros_like(input, dtype=dtype, requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    shape, dt = _like(input, dtype)
    return _leaf(_filled(shape, fill_value, dt), requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """``[start, start+step, ...)`` up to ``end`` (integers give int64, otherwise float32)."""
    _check_device(device)
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        integral = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in vals)
        dt = D.int64 if integral else D.get_default_dtype()
    else:
        dt = D.to_dtype(dtype)
    n = int(np.ceil((end - start) / step))
    if dt.is_floating_point:  # PyTorch computes start + i * step in double, then rounds
        arr = (start + np.arange(n, dtype=np.float64) * step).astype(dt.np)
    else:
        arr = np.arange(start, start + n * step, step)[:n].astype(dt.np) if n > 0 else np.zeros(0, dt.np)
    return _leaf(arr, requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    _check_device(device)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    if steps == 1:
        return _leaf(np.full(1, start, dt.np), requires_grad)
    work = dt.np if dt.is_floating_point else np.float64
    # PyTorch's kernel: the first half counts up from start, the second half down from end.
    step = (work.type(end) - work.type(start)) / work.type(steps - 1) if steps > 1 else work.type(0)
    i = np.arange(steps)
    half = steps // 2
    arr = np.where(i < half, work.type(start) + step * i.astype(work),
                   work.type(end) - step * (steps - 1 - i).astype(work)).astype(dt.np)
    return _leaf(arr, requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, requires_grad=False):
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    return _leaf(np.power(base, linspace(start, end, steps, dtype=D.float64)._data).astype(dt.np), requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    """The identity matrix (``n`` x ``m``)."""
    _check_device(device)
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    for name, v in (("n", n), ("m", m)):
        if v is not None and v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    return _leaf(np.eye(n, n if m is None else m, dtype=dt.np), requires_grad)


# ---------------------------------------------------------------------------- random sampling
def manual_seed(seed):
    """Seed the random number generator: the same seed gives the same numbers as PyTorch's CPU generator."""
    return _random.manual_seed(int(seed))


def seed():
    return _random.default_generator.seed()


def initial_seed():
    return _random.default_generator.initial_seed()


def get_rng_state():
    return Tensor._wrap(_random.default_generator.get_state())


def set_rng_state(state):
    _random.default_generator.set_state(state._data if isinstance(state, Tensor) else state)


def _random_dtype(dtype, floating=True):
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    if floating and not dt.is_floating_point:
        raise NotImplementedError(f"\"check_uniform_bounds\" not implemented for '{dt._legacy}': random floats "
                                  "need a floating-point dtype (use randint for integers)")
    return dt


@_sized
def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform samples from [0, 1)."""
    _check_device(device)
    size = _normalize_size(size, "rand")
    dt = _random_dtype(dtype)
    return _leaf(_random.rand(size, dt.np, generator), requires_grad)


@_sized
def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Samples from the standard normal distribution N(0, 1).

    A complex dtype draws the real and imaginary parts each from N(0, 1/2) (so E|z|^2 = 1), as PyTorch:
    the same numbers for the same seed.
    """
    _check_device(device)
    size = _normalize_size(size, "randn")
    dt = D.to_dtype(dtype) if dtype is not None else None
    if dt is not None and dt.is_complex:  # as PyTorch: normal(0, sqrt(1/2)) pairs seen as complex numbers
        pairs = _random.normal(0.0, 1 / 2 ** 0.5, tuple(size) + (2,), dt.to_real().np, generator)
        return _leaf(pairs.view(dt.np)[..., 0], requires_grad)
    dt = _random_dtype(dtype)
    return _leaf(_random.randn(size, dt.np, generator), requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """Random integers from [low, high): ``randint(10, (3,))`` or ``randint(0, 10, (3,))``."""
    _check_device(device)
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=size)
        low, high = 0, low
    if high is None or size is None:
        raise TypeError("randint() missing required arguments: use randint(high, size) or randint(low, high, size)")
    if not isinstance(size, (tuple, list)):  # (a Size is a tuple)
        one = f"randint({low}, {high}, ({size},)) for {size} numbers, or " if isinstance(size, int) else ""
        raise TypeError(f"randint(): argument 'size' must be tuple of ints, not {type(size).__name__}: write "
                        f"{one}randint({low}, {high}, (2, 3)) for a 2x3 tensor")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    size = _normalize_size((tuple(size),), "randint")
    dt = D.to_dtype(dtype, "randint") if dtype is not None else D.int64
    return _leaf(_random.randint(low, high, size, dt.np, generator), requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    """A random permutation of ``0 .. n-1``."""
    dt = D.to_dtype(dtype) if dtype is not None else D.int64
    return _leaf(_random.randperm(n, dt.np, generator), requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, requires_grad=False):
    """Samples from N(mean, std^2): ``normal(0., 1., size=(3,))`` or with tensor ``mean``/``std``."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        dt = (mean if isinstance(mean, Tensor) else std).dtype
        return _leaf(_random.normal(m, s, shape, dt.np, generator), requires_grad)
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments: with float mean and std, give "
                        "size=(...)")
    size = _normalize_size((tuple(size),), "normal")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return _leaf(_random.normal(mean, std, size, _random_dtype(dtype).np, generator), requires_grad)


def rand_like(input, *, dtype=None, requires_grad=False):
    return rand(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, requires_grad=False):
    return randn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, requires_grad=False):
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def bernoulli(input, p=None, *, generator=None):
    """0/1 samples: 1 with probability ``input`` (elementwise), or with probability ``p`` in ``input``'s shape."""
    if p is not None:  # (torch.bernoulli(input, p): the scalar kernel, which checks p)
        return Tensor._wrap(_random.bernoulli(p, input.shape, input.dtype.np, generator))
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"bernoulli_tensor_cpu_p_\" not implemented for '{input.dtype._legacy}': the "
                                  "probabilities must be a floating-point tensor, e.g. probs.float()")
    probs = input._data
    if probs.size and not ((probs >= 0) & (probs <= 1)).all():  # (nan fails both)
        bad = probs[~((probs >= 0) & (probs <= 1))].flat[0]
        raise RuntimeError(f"Expected p_in >= 0 && p_in <= 1 to be true, but got false: every probability must be "
                           f"in [0, 1], and this tensor has {bad.item()!r}")
    return Tensor._wrap(_random.bernoulli(probs, None, input.dtype.np, generator))


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Indices drawn with the weights in ``input``'s last dimension (1-D, or 2-D: one draw per row).

    The same draws as PyTorch's CPU generator for the same seed (``_random.multinomial``).

    >>> tutorgrad.manual_seed(0); tutorgrad.multinomial(tutorgrad.tensor([0.1, 0.9]), 4, replacement=True)
    tensor([1, 1, 1, 1])
    """
    probs = input._data
    if probs.ndim not in (1, 2):
        raise RuntimeError(f"prob_dist must be 1 or 2 dim, but got {probs.ndim} dims")
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {input.dtype._legacy}")
    if not isinstance(num_samples, (numbers.Integral, np.integer)) or isinstance(num_samples, bool):
        raise TypeError(f"multinomial(): argument 'num_samples' (position 2) must be int, not "
                        f"{type(num_samples).__name__}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n = probs.shape[-1]
    if not replacement and num_samples > n:
        raise RuntimeError(f"cannot sample n_sample > prob_dist.size(-1) samples without replacement: {num_samples} "
                           f"samples from {n} categories; pass replacement=True to draw a category more than once")
    if n > 2 ** 24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    return Tensor._wrap(_random.multinomial(probs, int(num_samples), bool(replacement), generator))
