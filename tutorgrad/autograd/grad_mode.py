"""Switching graph recording on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

Each works as a context manager (``with no_grad(): ...``) and as a decorator
(``@no_grad()``), like PyTorch's.
"""
import functools

_state = {"enabled": True}


def is_grad_enabled():
    """True while operations are being recorded for autograd."""
    return _state["enabled"]


class _GradMode:
    _mode = True

    def __new__(cls, *args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs:  # @no_grad without parentheses, as PyTorch allows
            return cls()(args[0])
        return super().__new__(cls)

    def __enter__(self):
        self._prev = _state["enabled"]
        _state["enabled"] = self._mode

    def __exit__(self, *exc):
        _state["enabled"] = self._prev
        return False

    def __call__(self, fn):
        mode = self._mode
        if isinstance(self, set_grad_enabled):  # it switched at construction: undo that
            _state["enabled"] = self._prev

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = _state["enabled"]
            _state["enabled"] = mode
            try:
                return fn(*args, **kwargs)
            finally:
                _state["enabled"] = prev
        return wrapper


class no_grad(_GradMode):
    """Stop recording: results of operations inside have ``requires_grad=False``.

    >>> with tutorgrad.no_grad():
    ...     w -= 0.1 * w.grad   # an update that must not become part of the graph
    """
    _mode = False


class enable_grad(_GradMode):
    """Record operations again inside a ``no_grad`` block."""
    _mode = True


class set_grad_enabled(_GradMode):
    """Turn recording on or off: ``set_grad_enabled(False)`` acts as ``no_grad()``.

    Like PyTorch's, it takes effect at once when called as a function, too.
    """

    def __init__(self, mode):
        self._prev = _state["enabled"]
        self._mode = bool(mode)
        _state["enabled"] = self._mode

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _state["enabled"] = self._prev
        return False


class inference_mode(no_grad):
    """Like ``no_grad`` (tutorgrad has no separate inference tensors)."""

    def __init__(self, mode=True):
        self._mode = not mode
