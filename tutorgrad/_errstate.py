"""NumPy's floating-point warnings, switched off while tutorgrad computes (ground floor).

``x / 0``, ``log(-1)`` or an overflow make NumPy warn; PyTorch returns inf or nan without a word,
and so does tutorgrad: every op (``Function.apply``) and the backward pass switch NumPy's error
state to "ignore" while they compute, and back afterwards. User code run during backward (a hook,
a custom ``backward``) gets the user's own state back, so that the user's ``np.log(0)`` warns as
it would anywhere else.

* ``token = quiet()`` ... ``restore(token)``: around tutorgrad's own computations (cheap when
  already quiet, as inside an op or a backward pass: ``quiet()`` then returns None);
* ``state = current()`` and ``restore(use(state))``: hand a saved state back to user code.

Only public NumPy API is used. ``with np.errstate(all="ignore")`` would do, but entering one costs
about 1 µs, more than a small op. NumPy keeps the state in a context variable (``np.errstate`` is
context-safe since NumPy 2.0), so we find that variable once, at import, as the one that
``np.errstate(all="ignore")`` changes in ``contextvars.copy_context()``, check with ``np.geterr()``
that setting it has exactly ``np.errstate``'s effect, and from then on set it directly (about
0.1 µs). Should a NumPy keep its state some other way, the check fails and every switch is an
``np.errstate`` block: slower, with the same behaviour.
"""
import contextvars
import functools

import numpy as np


def _numpy_state_variable():
    """``(context variable, its value under np.errstate(all="ignore"))``, or ``(None, None)``."""
    before = np.geterr()
    outside = contextvars.copy_context()
    with np.errstate(all="ignore"):
        inside = contextvars.copy_context()
    changed = [var for var in inside if var not in outside or inside[var] is not outside[var]]
    if len(changed) != 1:
        return None, None
    var, ignore = changed[0], inside[changed[0]]
    try:
        var.get()  # (NumPy's variable has a default: reading it never fails)
    except LookupError:
        return None, None
    token = var.set(ignore)
    try:
        quiet = np.geterr() == {key: "ignore" for key in before}
    finally:
        var.reset(token)
    return (var, ignore) if quiet and np.geterr() == before else (None, None)


_VAR, _IGNORE = _numpy_state_variable()

if _VAR is not None:
    def quiet():
        """Turn NumPy's warnings off; returns what ``restore`` needs (None if they were off already)."""
        if _VAR.get() is _IGNORE:
            return None  # already quiet (an op inside an op, or inside backward): nothing to undo
        return _VAR.set(_IGNORE)

    def restore(token):
        if token is not None:
            _VAR.reset(token)

    def current():
        """The error state in force now (to hand back to user code later with ``use``)."""
        return _VAR.get()

    def use(state):
        """Put ``state`` (from ``current()``) in force; returns the token for ``restore``."""
        return _VAR.set(state)
else:  # pragma: no cover - a NumPy that keeps its error state elsewhere
    def quiet():
        errors = np.errstate(all="ignore")
        errors.__enter__()
        return errors

    def restore(token):
        if token is not None:
            token.__exit__(None, None, None)

    def current():
        return np.geterr()

    def use(state):
        errors = np.errstate(**state)
        errors.__enter__()
        return errors


# For the hottest path (``Function.apply``): ``get() is QUIET`` says NumPy's warnings are off already, one C call
# instead of ``quiet()`` and ``restore()`` (an op inside an op, every op of a backward pass). Without the
# variable, ``get()`` is never ``QUIET``: every op takes the ``quiet()`` path.
# ``enter()`` then turns them off and ``leave(token)`` back on, each one C call (the variable's own methods).
get, QUIET = (_VAR.get, _IGNORE) if _VAR is not None else ((lambda: None), object())
enter, leave = (functools.partial(_VAR.set, _IGNORE), _VAR.reset) if _VAR is not None else (quiet, restore)
