"""``tutorgrad.random``: the generator functions as PyTorch's ``torch.random`` module has them.

``tutorgrad.random.manual_seed(0)`` is ``tutorgrad.manual_seed(0)``: they seed the one CPU
generator every random function draws from (bit for bit PyTorch's), and ``fork_rng``
runs a block of code without disturbing it.

>>> with tutorgrad.random.fork_rng():
...     noise = tutorgrad.rand(3)         # draws inside the block ...
>>> # ... leave the generator where it was: the next tutorgrad.rand(3) equals noise
"""
import contextlib

from ._random import Generator, default_generator  # noqa: F401
from .creation import manual_seed, seed, initial_seed, get_rng_state, set_rng_state  # noqa: F401

__all__ = ["manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state", "fork_rng", "default_generator",
           "Generator"]


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type=None):
    """Save the CPU generator's state, run the block, restore it (there are no GPU generators to save)."""
    if device_type == "meta" or not enabled:
        yield
        return
    from . import cuda
    for device in [] if devices is None else list(devices):
        cuda.get_rng_state(device)  # a GPU's generator: raises, as on a CPU-only PyTorch
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
