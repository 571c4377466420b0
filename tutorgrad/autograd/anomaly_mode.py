"""Anomaly detection: find the forward line whose backward produced NaN (``torch.autograd.detect_anomaly``).

Inside ``detect_anomaly()`` (or after ``set_detect_anomaly(True)``) every node remembers where forward made
it, and the backward pass checks each gradient a node returns: a NaN raises
``RuntimeError: Function 'DivBackward0' returned nan values in its 1th output.`` after a warning that shows
the forward line, as PyTorch does. (It costs time: a debugging aid.)

>>> x = tutorgrad.tensor([0., 1.], requires_grad=True)
>>> with detect_anomaly():          # doctest: +SKIP
...     (x / x).sum().backward()     # d(x/x)/dx at 0 is 0/0
RuntimeError: Function 'DivBackward0' returned nan values in its 1th output.
"""
import os
import traceback
import warnings

import numpy as np

_state = {"enabled": False, "check_nan": True}
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def is_anomaly_enabled():
    """True inside ``detect_anomaly`` / after ``set_detect_anomaly(True)``."""
    return _state["enabled"]


def is_anomaly_check_nan_enabled():
    """True when anomaly mode also checks the gradients for NaN."""
    return _state["enabled"] and _state["check_nan"]


def _set(enabled, check_nan):
    _state["enabled"], _state["check_nan"] = bool(enabled), bool(check_nan)


class set_detect_anomaly:
    """Turn anomaly detection on or off: as a call (``set_detect_anomaly(True)``) or for a ``with`` block."""

    def __init__(self, mode, check_nan=True):
        self.prev, self.prev_check_nan = _state["enabled"], _state["check_nan"]
        _set(mode, check_nan)

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        _set(self.prev, self.prev_check_nan)

    def clone(self):
        return type(self)(_state["enabled"], _state["check_nan"])


class detect_anomaly:
    """Context manager that turns anomaly detection on inside it (see the module's docstring)."""

    def __init__(self, check_nan=True):
        self.prev, self.prev_check_nan, self.check_nan = _state["enabled"], _state["check_nan"], check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
                      "enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self):
        _set(True, self.check_nan)

    def __exit__(self, *exc):
        _set(self.prev, self.prev_check_nan)


def forward_stack():
    """Where forward is (the student's frames, not tutorgrad's: PyTorch's ops are not Python), as text."""
    frames = [f for f in traceback.extract_stack()[:-2] if not f.filename.startswith(_PACKAGE)]
    return "".join(traceback.format_list(frames))


def check_step(step):
    """The engine calls this after each node (as it calls a ``watch``): a NaN in what the node returned is an error."""
    if not _state["check_nan"]:
        return
    for i, g in enumerate(step.grads):
        if g is not None and g._data.dtype.kind in "fc" and np.isnan(g._data).any():
            name = step.node.name()
            stack = vars(step.node).get("_forward_stack")
            if stack is not None:
                warnings.warn(f"Error detected in {name}. Traceback of forward call that caused the error:\n{stack}",
                              UserWarning, stacklevel=2)
            raise RuntimeError(f"Function '{name}' returned nan values in its {i}th output.")
