"""The numbers-as-numbers comparison (tests/printed_numbers.py) accepts rounding and nothing more.

It is what lets the lessons-vs-PyTorch cross-check pass on any processor; these tests prove that it
still fails on real differences.
"""
import pytest

from printed_numbers import TIGHT, Printed, Tolerance, differences, same_number, split

TRAINING = Tolerance(rtol=0.05, atol=1e-4, reason="a training loop's last digits")

# (tutorgrad's text, PyTorch's text): each is a real difference, under the tight tolerance and under a
# training loop's loose one.
REAL_DIFFERENCES = {
    "flipped sign": ("tensor([ 0.5000, -1.2500])", "tensor([-0.5000, -1.2500])"),
    "flipped sign of a scalar": ("w 2.0957", "w -2.0957"),
    "0.5 vs 0.05": ("lr 0.5", "lr 0.05"),
    "a factor of ten": ("loss 1.1623", "loss 11.623"),
    "sum vs mean": ("loss 0.0834", "loss 1.6680"),
    "an extra line": ("step 0 loss 2.6976\n", "step 0 loss 2.6976\nstep 20 loss 0.0834\n"),
    "a missing number": ("tensor([1., 2.])", "tensor([1., 2., 3.])"),
    "a different shape": ("torch.Size([3, 4])", "torch.Size([4, 3])"),
    "a transposed print": ("tensor([[1, 2],\n        [3, 4]])", "tensor([[1, 3],\n        [2, 4]])"),
    "None vs 0.": ("None", "tensor(0.)"),
    "None vs 0. in a sentence": ("x.grad is None", "x.grad is 0."),
    "a count off by one": ("7 of 360 test images are misread", "8 of 360 test images are misread"),
    "an integer vs a float": ("tensor(2)", "tensor(2.)"),
    "negative zero": ("tensor(-0.)", "tensor(0.)"),
    "nan vs a number": ("tensor(nan)", "tensor(0.)"),
    "inf vs -inf": ("tensor(inf)", "tensor(-inf)"),
    "a different dtype": ("dtype=torch.float32", "dtype=torch.float64"),
    "a different word": ("grad_fn=<MulBackward0>", "grad_fn=<AddBackward0>"),
    "a different exponent": ("Err 1.323e+04", "Err 1.323e+05"),
}
# ... and these are real differences of a direct computation, but within a training loop's tolerance.
FINE_DIFFERENCES = {
    "a wrong percentage": ("test accuracy: 98.1%", "test accuracy: 97.8%"),
    "two digits off": ("loss 0.0013", "loss 0.0015"),
    "one digit off, at full precision": ("0.10000000149011612", "0.10001000149011612"),
}


@pytest.mark.parametrize("name", REAL_DIFFERENCES)
@pytest.mark.parametrize("tolerance", [TIGHT, TRAINING], ids=["tight", "training"])
def test_real_differences_are_caught(name, tolerance):
    got, want = REAL_DIFFERENCES[name]
    assert differences(got, want, tolerance), f"{name}: {got!r} vs {want!r} passed as the same result"
    assert differences(want, got, tolerance), "the comparison must be symmetric"


@pytest.mark.parametrize("name", FINE_DIFFERENCES)
def test_small_real_differences_are_caught_by_the_tight_tolerance(name):
    got, want = FINE_DIFFERENCES[name]
    assert differences(got, want) and differences(want, got), f"{name}: {got!r} vs {want!r}"
    assert differences(got, want, TRAINING) == []


# Rounding: what the same float32 result looks like when it is computed by other kernels.
SAME_RESULT = {
    "identical": ("tensor([1.0000, 2.5000])", "tensor([1.0000, 2.5000])"),
    "the last digit across a rounding boundary": ("loss 0.0005", "loss 0.0006"),
    "a rounding flip in a tensor": ("tensor([0.1235, 0.5000])", "tensor([0.1234, 0.5000])"),
    "padding that follows a minus sign": ("tensor([ 0.0000,  1.0000])\n", "tensor([-0.0000,  1.0000])\n"),
    "padding that goes away": ("tensor([[ 0.0408,  0.0646]])", "tensor([[0.0408, 0.0646]])"),
    "full float32 digits": ("0.10000000149011612", "0.10000000149011613"),
    "a percentage": ("98.1%", "98.1%"),
    "scientific notation": ("1.323e+04", "1.324e+04"),
}


@pytest.mark.parametrize("name", SAME_RESULT)
def test_rounding_is_the_same_result(name):
    got, want = SAME_RESULT[name]
    assert differences(got, want) == [], name


def test_a_looser_tolerance_is_needed_for_a_training_loop_outcome():
    # 0.0005 vs 0.0007 is not rounding of one result, but can be the same training run on two processors.
    assert differences("loss 0.0005", "loss 0.0007")
    assert differences("loss 0.0005", "loss 0.0007", Tolerance(rtol=0, atol=2e-4, reason="training")) == []
    # Integers stay exact under a relative tolerance: counts and shapes are not rounded.
    assert differences("97 parameters", "98 parameters", Tolerance(rtol=0.5, atol=0, reason="training"))


def test_what_is_a_number():
    words, numbers = split("0.weight (16, 1) float32 at 0x7f3a loss 1.2e-05 step -3")
    assert [n.text for n in numbers] == ["16", "1", "1.2e-05", "-3"]
    assert words == ["0.weight (", ",", ") float32 at 0x7f3a loss", "step", ""]
    assert Printed("0.0013").unit == pytest.approx(1e-4)
    assert Printed("1.323e+04").unit == pytest.approx(10)
    assert Printed("2.").unit == 0 and Printed("97").is_integer and not Printed("2.").is_integer


def test_same_number_reports_each_difference():
    found = differences("a 1.00 b 2.00 c 3.00", "a 1.00 b 2.50 c 3.75")
    assert found == ["number 2: 2.00 vs 2.50 (not within rtol 1e-05, atol 0 and the rounding of the printed "
                     "digits)", "number 3: 3.00 vs 3.75 (not within rtol 1e-05, atol 0 and the rounding of the "
                     "printed digits)"]
    assert not same_number(Printed("1.5"), Printed("nan"))
