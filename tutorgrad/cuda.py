"""``tutorgrad.cuda``: the answers of a PyTorch built without CUDA.

tutorgrad computes on the CPU with NumPy, so there is no GPU: ``is_available()`` is
``False`` and ``device_count()`` is ``0``, which sends a tutorial's usual first line down
the CPU path::

    device = "cuda" if torch.cuda.is_available() else "cpu"   # "cpu"

The other functions behave as in a CPU-only PyTorch 2.13: the seeding, cache and memory
queries a script calls unconditionally do nothing (or report 0), while those that need
a GPU raise its ``AssertionError: Torch not compiled with CUDA enabled``.
"""
from collections import OrderedDict

from ._device import device as _device_type, _not_compiled

__all__ = ["is_available", "device_count", "is_initialized", "init", "current_device", "get_device_name",
           "get_device_properties", "get_device_capability", "set_device", "synchronize", "manual_seed",
           "manual_seed_all", "seed", "seed_all", "initial_seed", "get_rng_state", "set_rng_state",
           "get_rng_state_all", "set_rng_state_all", "empty_cache", "memory_allocated", "max_memory_allocated",
           "memory_reserved", "max_memory_reserved", "memory_stats", "reset_peak_memory_stats", "mem_get_info",
           "ipc_collect", "is_bf16_supported", "get_arch_list", "current_stream", "default_stream", "device",
           "device_of", "stream", "Stream", "Event"]


def _no_cuda():
    raise _not_compiled("cuda")


def is_available():
    """``False``: tutorgrad has no GPU (it computes with NumPy on the CPU).

    >>> "cuda" if tutorgrad.cuda.is_available() else "cpu"
    'cpu'
    """
    return False


def device_count():
    """The number of GPUs: ``0``."""
    return 0


def is_initialized():
    return False


def init():
    _no_cuda()


def current_device():
    _no_cuda()


def get_device_name(device=None):
    _no_cuda()


def get_device_properties(device=None):
    _no_cuda()


def get_device_capability(device=None):
    _no_cuda()


def set_device(device):
    """Select a GPU: a CPU-only PyTorch fails here (with the errors below)."""
    if isinstance(device, (str, _device_type)):
        dev = _device_type(device)
        if dev.index is None:
            raise ValueError(f"Expected a torch.device with a specified index or an integer, but got:{device}")
    raise AttributeError("module 'torch._C' has no attribute '_cuda_setDevice' (what a CPU-only PyTorch says: "
                         "there is no GPU to select; tutorgrad runs on the CPU)")


def synchronize(device=None):
    _no_cuda()


def manual_seed(seed):
    """Seed the GPU generators: nothing to do without a GPU (PyTorch also just returns ``None``).

    ``tutorgrad.manual_seed`` seeds the CPU generator every tutorgrad tensor is drawn from.
    """
    int(seed)


def manual_seed_all(seed):
    int(seed)


def seed():
    pass


def seed_all():
    pass


def initial_seed():
    _no_cuda()


def get_rng_state(device="cuda"):
    _no_cuda()


def set_rng_state(new_state, device="cuda"):
    pass


def get_rng_state_all():
    return []


def set_rng_state_all(new_states):
    pass


def empty_cache():
    """Release the GPU's cached memory: there is none, so nothing happens."""


def memory_allocated(device=None):
    return 0


def max_memory_allocated(device=None):
    return 0


def memory_reserved(device=None):
    return 0


def max_memory_reserved(device=None):
    return 0


def memory_stats(device=None):
    return OrderedDict()


def reset_peak_memory_stats(device=None):
    raise AttributeError("module 'torch._C' has no attribute '_cuda_resetPeakMemoryStats' (what a CPU-only PyTorch "
                         "says: there is no GPU memory to track; tutorgrad runs on the CPU)")


def mem_get_info(device=None):
    _no_cuda()


def ipc_collect():
    _no_cuda()


def is_bf16_supported(including_emulation=True):
    return False


def get_arch_list():
    return []


def current_stream(device=None):
    _no_cuda()


def default_stream(device=None):
    _no_cuda()


class device:
    """``with tutorgrad.cuda.device(0): ...`` -- selecting a GPU fails on entry; ``None`` or ``-1`` select nothing."""

    def __init__(self, device):
        if isinstance(device, (str, _device_type)):
            device = _device_type(device).index
        self.idx = -1 if device is None else device

    def __enter__(self):
        if self.idx >= 0:
            raise RuntimeError("PyTorch was compiled without CUDA support (tutorgrad runs on the CPU only)")

    def __exit__(self, *exc):
        return False


class device_of(device):
    """``device_of(tensor)``: the GPU a tensor is on -- none, as every tutorgrad tensor is on the CPU."""

    def __init__(self, obj):
        super().__init__(None)


class stream:
    """``with tutorgrad.cuda.stream(None):`` selects nothing (as in PyTorch); a real stream needs CUDA."""

    def __init__(self, stream):
        if stream is not None:
            raise RuntimeError("torch.cuda.Stream requires CUDA support")

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


class Stream:
    def __new__(cls, *args, **kwargs):
        raise RuntimeError("torch.cuda.Stream requires CUDA support (tutorgrad runs on the CPU only)")


class Event:
    def __new__(cls, *args, **kwargs):
        raise RuntimeError("Tried to instantiate dummy base class Event (CUDA events need a GPU; tutorgrad runs on "
                           "the CPU only)")
