"""PyTorch-identical ``repr(tensor)`` for NumPy arrays.

This is a NumPy re-implementation of the algorithm in PyTorch's
``torch/_tensor_str.py`` (checked against torch 2.13.0).  The output must match
PyTorch byte for byte, with ``tutorgrad.`` where PyTorch prints ``torch.``, so
several oddities of PyTorch are kept on purpose; each is marked "(PyTorch quirk)".

How PyTorch prints, in short:

* One *formatter* is built from all the values that will be shown (for complex
  tensors: one for the real parts and one for the imaginary parts).  It decides
  a single style for the whole tensor -- integer-looking floats (``1.``), fixed
  point (``1.0000``) or scientific (``1.0000e+05``) -- and a common width, so
  that columns line up.
* The nested lists are then written recursively: rows of a 1-D vector wrap at
  ``linewidth``; deeper dimensions are separated by ``dim - 1`` newlines.
* Tensors with more than ``threshold`` elements are summarised: only
  ``edgeitems`` entries at each end of every dimension are shown, around ``...``.
* ``size=``/``dtype=`` and the caller's suffixes (``grad_fn=...``,
  ``requires_grad=True``) are appended, moving to a new line when the current
  one would get longer than ``linewidth``.
"""

import contextlib
import dataclasses
import math
from typing import Any, Iterable, Iterator

import numpy as np

__all__ = [
    "format_tensor",
    "format_values",
    "default_hidden",
    "set_printoptions",
    "get_printoptions",
    "printoptions",
]

# The dtype that PyTorch treats as the default (torch.get_default_dtype()).
DEFAULT_DTYPE = "float32"

# Non-empty tensors of these dtypes print without "dtype=...": the default
# float dtype, its complex counterpart, int64 and bool (PyTorch's
# ``has_default_dtype``).
_HIDDEN_DTYPES = frozenset({DEFAULT_DTYPE, "complex64", "int64", "bool"})


# --------------------------------------------------------------------------
# Print options
# --------------------------------------------------------------------------


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTS = _PrintOptions()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(
    precision=None,
    threshold=None,
    edgeitems=None,
    linewidth=None,
    profile=None,
    sci_mode=None,
):
    """Set printing options, exactly like ``torch.set_printoptions``.

    ``profile`` ('default', 'short' or 'full') is applied first and the other
    arguments override it.  Note that, as in PyTorch, ``sci_mode`` is *always*
    assigned: leaving it out resets it to ``None`` (automatic).
    """
    if profile is not None and profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(_OPTS, name, value)
    if precision is not None:
        _OPTS.precision = precision
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTS.linewidth = linewidth
    _OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Current options as a dict that can be passed back to set_printoptions()."""
    return dataclasses.asdict(_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs) -> Iterator[None]:
    """Temporarily change the print options (same arguments as set_printoptions)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


def default_hidden(dtype_name: str) -> bool:
    """True if PyTorch omits ``dtype=`` for a non-empty tensor of this dtype."""
    return dtype_name in _HIDDEN_DTYPES


# --------------------------------------------------------------------------
# Element formatting
# --------------------------------------------------------------------------


class _Formatter:
    """Chooses one style and width for every element of a real-valued array."""

    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f"
        self.int_mode = True  # floats that are all whole numbers print as "3."
        self.sci_mode = False
        self.max_width = 1

        flat = values.reshape(-1)
        if not self.floating:
            # ints and bools: plain str(), padded to the longest one
            for value in flat.tolist():
                self.max_width = max(self.max_width, len(str(value)))
            return

        # Only non-zero finite values decide the style; zeros, nan and inf
        # just take whatever style the others chose.
        shown = flat[np.isfinite(flat) & (flat != 0)]
        if shown.size == 0:
            return

        # The whole-number test runs in the array's own dtype (like torch.ceil);
        # the range test runs in float64 so that e.g. float16 can't overflow.
        self.int_mode = bool(np.all(shown == np.ceil(shown)))
        magnitudes = np.abs(shown).astype(np.float64)
        # plain Python floats: huge/tiny may overflow to inf, which is fine
        smallest, largest = float(magnitudes.min()), float(magnitudes.max())
        if _OPTS.sci_mode is None:
            # a wide dynamic range, or very large/small numbers, need exponents
            self.sci_mode = bool(
                largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
            )
        else:
            self.sci_mode = _OPTS.sci_mode

        precision = _OPTS.precision
        for value in shown.tolist():
            if self.sci_mode:
                text = f"{value:.{precision}e}"
            elif self.int_mode:
                text = f"{value:.0f}."  # the "." marks the tensor as floating
            else:
                text = f"{value:.{precision}f}"
            self.max_width = max(self.max_width, len(text))

    def width(self) -> int:
        return self.max_width

    def format(self, value) -> str:
        """Right-align one Python scalar (int, bool or float) to the common width."""
        if self.floating:
            if self.sci_mode:
                text = f"{value:{self.max_width}.{_OPTS.precision}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    text += "."
            else:
                text = f"{value:.{_OPTS.precision}f}"
        else:
            text = f"{value}"
        return text.rjust(self.max_width)


def _format_value(value, real_fmt: _Formatter, imag_fmt: _Formatter | None) -> str:
    """Format one element; complex numbers are written as ``real+imagj``."""
    if imag_fmt is None:
        return real_fmt.format(value)
    real_text = real_fmt.format(value.real)
    imag_text = (imag_fmt.format(value.imag) + "j").lstrip()
    # A sign already present ("-1.j", "-0.j", "+...") is kept; otherwise add "+".
    if imag_text[0] in "+-":
        return real_text + imag_text
    return real_text + "+" + imag_text


# --------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------


def _summarized_data(a: np.ndarray) -> np.ndarray:
    """The elements that a summarised print actually shows (for the formatter)."""
    edge = _OPTS.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        if a.shape[0] > 2 * edge:
            # (PyTorch quirk) with edgeitems == 0, a[-0:] is the whole vector,
            # so every element still influences the formatter.
            return np.concatenate((a[:edge], a[-edge:]))
        return a
    if not edge:
        return np.empty((0,) * a.ndim, dtype=a.dtype)
    n = a.shape[0]
    rows = list(range(edge)) + list(range(n - edge, n)) if n > 2 * edge else range(n)
    return np.stack([_summarized_data(a[i]) for i in rows])


def _vector_str(a, indent, summarize, real_fmt, imag_fmt) -> str:
    # Each element takes its width plus ", " (and "+...j" for complex).
    element_length = real_fmt.width() + 2
    if imag_fmt is not None:
        element_length += imag_fmt.width() + 1
    per_line = max(1, math.floor((_OPTS.linewidth - indent) / element_length))

    def fmt(values: list) -> list[str]:
        return [_format_value(v, real_fmt, imag_fmt) for v in values]

    edge = _OPTS.edgeitems
    if summarize and not edge:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * edge:
        # " ..." counts as an element when lines are filled
        data = fmt(a[:edge].tolist()) + [" ..."] + fmt(a[-edge:].tolist())
    else:
        data = fmt(a.tolist())

    lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
    # continuation lines line up one column right of the opening "["
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(a, indent, summarize, real_fmt, imag_fmt) -> str:
    if a.ndim == 0:
        return _format_value(a.item(), real_fmt, imag_fmt)
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, real_fmt, imag_fmt)

    def sub(i: int) -> str:
        return _nested_str(a[i], indent + 1, summarize, real_fmt, imag_fmt)

    n, edge = a.shape[0], _OPTS.edgeitems
    if summarize and n > 2 * edge:
        slices = [sub(i) for i in range(edge)] + ["..."]
        slices += [sub(i) for i in range(n - edge, n)]
    else:
        slices = [sub(i) for i in range(n)]
    # sub-blocks of a d-dim tensor are separated by d-1 newlines (blank lines
    # between matrices of a 3-D tensor) and indented under the opening "["
    separator = "," + "\n" * (a.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(slices) + "]"


def _tensor_str(a: np.ndarray, indent: int) -> str:
    if a.size == 0:
        return "[]"
    summarize = a.size > _OPTS.threshold

    def formatter(part: np.ndarray) -> _Formatter:
        return _Formatter(_summarized_data(part) if summarize else part)

    if a.dtype.kind == "c":
        # real and imaginary parts are aligned independently
        return _nested_str(a, indent, summarize, formatter(a.real), formatter(a.imag))
    return _nested_str(a, indent, summarize, formatter(a), None)


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append ", name=value" items, wrapping to a new line past linewidth."""
    parts = [text]
    # (PyTorch quirk) this over-counts the current line by 2 (by 1 more
    # when the text has no newline at all); kept for identical wrapping.
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        # Measure the suffix as PyTorch prints it ("dtype=torch.float64"), so
        # that lines break exactly where PyTorch breaks them even though
        # "tutorgrad." is 4 characters longer than "torch.".
        suffix_len = len(suffix.replace("tutorgrad.", "torch."))
        if last_line_len + suffix_len + 2 > _OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + suffix_len
        else:
            parts.append(", " + suffix)
            last_line_len += suffix_len + 2
    parts.append(")")
    return "".join(parts)


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------


def format_tensor(
    data: "np.ndarray",
    *,
    dtype_name: str,
    show_dtype: bool,
    suffixes: Iterable[tuple[str, str]] = (),
) -> str:
    """Return PyTorch's repr text, e.g. 'tensor([1., 2.], dtype=tutorgrad.float64, requires_grad=True)'.

    ``data`` is the tensor's values (0-d or n-d; bool, int, float or complex).
    ``show_dtype`` says whether to print ``dtype=tutorgrad.<dtype_name>`` for a
    non-empty tensor (see :func:`default_hidden`).  An *empty* tensor follows
    PyTorch's own rule instead: its dtype is shown unless it is the default
    float dtype (there are no elements to tell ints from floats), so
    ``show_dtype=True`` still forces it.  ``suffixes`` are ``(name, value)``
    pairs printed last, in order, as ``name=value``.
    """
    a = np.asarray(data)
    prefix = "tensor("
    indent = len(prefix)
    items: list[str] = []

    if a.size == 0:
        # NumPy-like: the shape is only spelled out when it isn't plain (0,)
        if a.ndim != 1:
            items.append(f"size={tuple(int(n) for n in a.shape)}")
        if show_dtype or dtype_name != DEFAULT_DTYPE:
            items.append(f"dtype=tutorgrad.{dtype_name}")
        body = "[]"
    else:
        if not _OPTS.edgeitems:
            # with edgeitems=0 nothing is shown, so the shape is given instead
            items.append(f"size={tuple(int(n) for n in a.shape)}")
        if show_dtype:
            items.append(f"dtype=tutorgrad.{dtype_name}")
        body = _tensor_str(a, indent)

    items.extend(f"{name}={value}" for name, value in suffixes)
    return _add_suffixes(prefix + body, items, indent)


def format_values(data: "np.ndarray") -> str:
    """The values as the repr prints them inside ``tensor(...)`` (``'[1.0000, 2.5000]'``), not indented."""
    return _tensor_str(np.asarray(data), 0)
