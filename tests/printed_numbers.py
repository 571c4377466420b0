"""Compare two printed outputs with their numbers read as numbers.

Two runs of the same lesson (tutorgrad and PyTorch, or one library on two processors) print the
same text, but a number that comes out of a float32 computation may differ in its last printed digit:
the CPU kernels that compute it differ between libraries and processors, and a value that sits near
a rounding boundary (0.00055) prints as 0.0005 on one machine and 0.0006 on the other.

``differences(got, want, tolerance)`` compares everything but the numbers exactly and each number
as the value its digits stand for:

* A number printed with a fraction or an exponent (``0.0013``, ``2.``, ``1.323e+04``) stands for any
  value that rounds to it: ``0.0013`` is the interval [0.00125, 0.00135]. Two such numbers are the
  same result if their intervals come within the tolerance of each other,
  ``|a - b| <= (unit_a + unit_b) / 2 + rtol * max(|a|, |b|) + atol``, where the unit is one in
  the last printed digit. A number printed without a fraction digit (PyTorch's ``2.`` for a whole
  value, ``:.0f``) is exact: its unit is 0.
* An integer (``97``, ``Size([200, 1])``, ``7 of 360``) is a count, a shape or an index: exact
  unless the tolerance's ``atol`` says otherwise (rtol does not apply to integers).
* ``nan``, ``inf``, ``None``, signs of zero printed as ``-0.`` and everything that is not a number
  are text, compared exactly; only the padding next to numbers is free (PyTorch widens every element
  of a tensor when one of them gains a minus sign or a digit).

``TIGHT`` is the tolerance for a direct computation: float32 rounding (relative 1e-5, a few
hundred ulps, below any precision the lessons print), nothing absolute. A looser one belongs to
one cell whose output is the outcome of a long computation, such as a training loop, and says why.
"""
import math
import re
from dataclasses import dataclass

# A number not glued to a word or to another number: not the 32 of float32, the 0 of 0x7f or 0.weight.
NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])")
PADDING = re.compile(r"[ \t]+")


@dataclass(frozen=True)
class Tolerance:
    rtol: float = 1e-5
    atol: float = 0.0
    reason: str = "float32 rounding"


TIGHT = Tolerance()


@dataclass(frozen=True)
class Printed:
    """One printed number: its text, the value it stands for, one unit in its last digit."""
    text: str

    @property
    def value(self):
        return float(self.text)

    @property
    def is_integer(self):
        return not re.search(r"[.eE]", self.text)

    @property
    def unit(self):
        mantissa, _, exponent = self.text.lower().partition("e")
        decimals = len(mantissa.partition(".")[2])
        return 10.0 ** (int(exponent or 0) - decimals) if decimals else 0.0


def split(text):
    """The text between the numbers (padding next to a number dropped) and the numbers."""
    words, numbers, start = [], [], 0
    for m in NUMBER.finditer(text):
        words.append(text[start:m.start()])
        numbers.append(Printed(m.group()))
        start = m.end()
    words.append(text[start:])
    last = len(words) - 1
    words = [PADDING.sub(" ", (w.lstrip(" \t") if i else w)) for i, w in enumerate(words)]
    words = [w.rstrip(" \t") if i < last else w for i, w in enumerate(words)]
    return words, numbers


def same_number(a, b, tolerance=TIGHT):
    """Whether two printed numbers can stand for the same result (see the module docstring)."""
    if a.text.lstrip("+") == b.text.lstrip("+"):
        return True
    x, y = a.value, b.value
    if not (math.isfinite(x) and math.isfinite(y)):
        return False
    if a.is_integer and b.is_integer:
        return abs(x - y) <= tolerance.atol
    if (a.unit == 0 and b.unit == 0) and x == y:   # -0. vs 0.: a sign PyTorch prints is part of the result
        return False
    slack = (a.unit + b.unit) / 2 + tolerance.rtol * max(abs(x), abs(y)) + tolerance.atol
    return abs(x - y) <= slack


def differences(got, want, tolerance=TIGHT):
    """What differs between two printed texts, as readable lines; [] if they print the same result."""
    got_words, got_numbers = split(got)
    want_words, want_numbers = split(want)
    if got_words != want_words:
        return [f"the text differs (numbers aside): {_first_difference(got_words, want_words)}"]
    return [f"number {n}: {a.text} vs {b.text} (not within {_describe(tolerance)})"
            for n, (a, b) in enumerate(zip(got_numbers, want_numbers), 1) if not same_number(a, b, tolerance)]


def _describe(tolerance):
    return f"rtol {tolerance.rtol:g}, atol {tolerance.atol:g} and the rounding of the printed digits"


def _first_difference(got_words, want_words):
    for n, (a, b) in enumerate(zip(got_words, want_words)):
        if a != b:
            return f"after number {n}: {a!r} vs {b!r}"
    return f"{len(got_words) - 1} numbers vs {len(want_words) - 1}"
