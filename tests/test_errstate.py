"""NumPy's warnings are off while tutorgrad computes, on through public NumPy API only (``tutorgrad/_errstate.py``).

PyTorch gives inf and nan without a word; so do tutorgrad's ops, while a student's own NumPy code warns as usual.
"""
import contextvars
import importlib
import warnings

import numpy as np
import pytest

import tutorgrad
from tutorgrad import _errstate


def test_ops_are_quiet_and_leave_the_users_state_as_it_was():
    before = np.geterr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = tutorgrad.tensor([0.0, -1.0]).log() / tutorgrad.tensor(0.0)
    assert np.isnan(y[1].item()) and np.geterr() == before
    with pytest.warns(RuntimeWarning):
        np.log(np.zeros(1))  # the student's own NumPy code still warns


def test_quiet_restore_current_use():
    user = _errstate.current()
    token = _errstate.quiet()
    assert set(np.geterr().values()) == {"ignore"}
    assert _errstate.quiet() is None  # already quiet: nothing to undo
    inner = _errstate.use(user)  # user code inside (a hook during backward)
    assert np.geterr()["divide"] == "warn"
    _errstate.restore(inner)
    assert set(np.geterr().values()) == {"ignore"}
    _errstate.restore(token)
    assert np.geterr()["divide"] == "warn"


def test_the_variable_found_is_the_one_np_errstate_sets():
    assert isinstance(_errstate._VAR, contextvars.ContextVar)  # this NumPy keeps its state in one: the fast path
    with np.errstate(divide="raise"):
        token = _errstate._VAR.set(_errstate._IGNORE)
        assert set(np.geterr().values()) == {"ignore"}
        _errstate._VAR.reset(token)
        assert np.geterr()["divide"] == "raise"


def test_without_a_context_variable_it_falls_back_to_np_errstate(monkeypatch):
    monkeypatch.setattr(contextvars, "copy_context", lambda: {})  # as if NumPy kept its state elsewhere
    fallback = importlib.reload(_errstate)
    try:
        assert fallback._VAR is None
        token = fallback.quiet()
        assert set(np.geterr().values()) == {"ignore"}
        inner = fallback.use({"divide": "warn", "over": "warn", "under": "ignore", "invalid": "warn"})
        assert np.geterr()["divide"] == "warn"
        fallback.restore(inner)
        fallback.restore(token)
        assert np.geterr()["divide"] == "warn"
    finally:
        monkeypatch.undo()
        importlib.reload(_errstate)
