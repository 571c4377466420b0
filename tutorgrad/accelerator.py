"""``tutorgrad.accelerator``: PyTorch's device-neutral accelerator API, on a machine without one.

Newer tutorials pick their device with
``torch.accelerator.current_accelerator() if torch.accelerator.is_available() else "cpu"``:
here ``is_available()`` is ``False`` (tutorgrad computes with NumPy on the CPU), so they
take the CPU. Asking for the accelerator's device index raises PyTorch's error.
"""
import warnings

__all__ = ["is_available", "device_count", "current_accelerator", "current_device_index", "set_device_index",
           "synchronize", "device_index", "current_device_idx", "set_device_idx"]

_NONE = "Cannot access accelerator device when none is available."


def is_available():
    """``False``: there is no accelerator, only the CPU.

    >>> tutorgrad.accelerator.current_accelerator() if tutorgrad.accelerator.is_available() else "cpu"
    'cpu'
    """
    return False


def device_count():
    return 0


def current_accelerator(check_available=False):
    """The accelerator's device type (``device('cuda')`` on a GPU machine): ``None`` here."""
    return None


def current_device_index():
    raise RuntimeError(_NONE)


def set_device_index(device, /):
    raise RuntimeError(_NONE)


def synchronize(device=None, /):
    raise RuntimeError(_NONE)


def current_device_idx():
    warnings.warn("Use `current_device_index` instead.", FutureWarning, stacklevel=2)
    return current_device_index()


def set_device_idx(device, /):
    warnings.warn("Use `set_device_index` instead.", FutureWarning, stacklevel=2)
    return set_device_index(device)


class device_index:
    """``with tutorgrad.accelerator.device_index(i):`` -- ``None`` selects nothing; an index needs an accelerator."""

    def __init__(self, device, /):
        self.idx = device

    def __enter__(self):
        if self.idx is not None:
            raise RuntimeError(_NONE)

    def __exit__(self, *exc):
        return False
