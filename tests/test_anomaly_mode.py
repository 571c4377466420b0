"""``detect_anomaly`` / ``set_detect_anomaly`` (``autograd/anomaly_mode.py``) against PyTorch."""
import warnings

import pytest

import tutorgrad

torch = pytest.importorskip("torch")


def _nan_backward(lib, op):
    """Run a backward that makes NaN inside detect_anomaly: (error class, message, warnings' first lines and
    the forward line they show)."""
    x = lib.tensor([0.0, 1.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        with lib.autograd.detect_anomaly():
            y = op(x)  # the forward line the warning must show
            try:
                y.sum().backward()
                err = None
            except RuntimeError as e:
                err = str(e)
    shown = [str(m.message).split(" (Triggered internally")[0] for m in w]
    return err, [s.replace("tutorgrad", "torch") for s in shown]


OPS = {
    "x / x": lambda x: x / x,
    "0 * log(x)": lambda x: (x * 0) * x.log(),
    "sqrt(x) * 0 (inf times 0)": lambda x: x.sqrt() * 0,
    "x ** 0.5 at 0 (inf, no nan)": lambda x: x ** 0.5,
    "no nan": lambda x: x * 2,
}


@pytest.mark.parametrize("op", OPS.values(), ids=OPS.keys())
def test_nan_in_backward_raises_and_warns_with_the_forward_line_as_pytorch(op):
    assert _nan_backward(tutorgrad, op) == _nan_backward(torch, op)


def test_modes_and_flags_as_pytorch():
    for lib in (torch, tutorgrad):
        assert not lib.is_anomaly_enabled()
        lib.autograd.set_detect_anomaly(True)
        assert lib.is_anomaly_enabled() and lib.is_anomaly_check_nan_enabled()
        lib.autograd.set_detect_anomaly(False)
        assert not lib.is_anomaly_enabled()
        with lib.autograd.set_detect_anomaly(True, check_nan=False):
            assert lib.is_anomaly_enabled() and not lib.is_anomaly_check_nan_enabled()
            x = lib.tensor([0.0], requires_grad=True)
            (x / x).sum().backward()  # no NaN check: no error
        assert not lib.is_anomaly_enabled()

        with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
            with lib.autograd.detect_anomaly(check_nan=False):
                assert lib.is_anomaly_enabled() and not lib.is_anomaly_check_nan_enabled()
        assert not lib.is_anomaly_enabled()


def test_nothing_is_remembered_outside_anomaly_mode():
    x = tutorgrad.ones(2, requires_grad=True)
    assert "_forward_stack" not in vars((x * 2).grad_fn)
