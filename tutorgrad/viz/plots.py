"""``plot_grad(fn, (lo, hi))``: a function and the derivative autograd computes for it, one above the other.

``fn`` is called once per point with a 0-d tensor, so it may branch on values
(``if x == 3.0: ...``), as the primer's ``i_hate_threes`` does. The grid always
contains the whole numbers of the range, so a branch at a whole number is hit
exactly. Jumps are not joined by a line: a point that jumps away from both
neighbours is drawn as a dot, and where autograd's gradient is ``None`` (the
output is not connected to the input) a cross is drawn at 0.
"""
import io

import matplotlib.figure
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

from ..creation import tensor
from ..tensor import Tensor


class Figure(matplotlib.figure.Figure):
    """A matplotlib ``Figure`` that shows itself in Jupyter (as PNG) without going through pyplot."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        FigureCanvasAgg(self)

    def _repr_png_(self):
        return png(self)


def png(fig):
    """The figure as PNG bytes (for an ``ipywidgets.Image``)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def evaluate(fn, xs):
    """``fn(x)`` and autograd's ``d fn/dx`` at each x: arrays of values, gradients (nan: error) and a None mask."""
    ys, ds, none = np.full(len(xs), np.nan), np.full(len(xs), np.nan), np.zeros(len(xs), bool)
    for i, xv in enumerate(xs):
        x = tensor(float(xv), requires_grad=True)
        try:
            out = fn(x)
            if not isinstance(out, Tensor) or out.numel() != 1:
                continue
            ys[i] = out.item()
            if out.requires_grad:
                out.backward()
            if x.grad is None:
                none[i] = True
            else:
                ds[i] = x.grad.item()
        except Exception:
            continue  # a gap in the curve
    return ys, ds, none


def _breaks(xs, ys, ds):
    """Indices i where the function jumps between xs[i] and xs[i+1] (the derivative cannot explain the step)."""
    h = np.diff(xs)
    step = np.diff(ys)
    predicted = 0.5 * (ds[:-1] + ds[1:]) * h
    scale = np.nanmax(np.abs(ys)) if np.isfinite(ys).any() else 1.0
    tolerance = 2 * h * (np.abs(ds[:-1]) + np.abs(ds[1:]) + 1) + 1e-5 * scale
    with np.errstate(invalid="ignore"):
        jump = ~(np.abs(step - predicted) <= tolerance)
    return np.flatnonzero(jump & np.isfinite(step))


def _derivative_breaks(ds):
    """Indices where the derivative itself jumps (e.g. relu at 0)."""
    step = np.abs(np.diff(ds))
    finite = step[np.isfinite(step)]
    if not finite.size:
        return np.array([], int)
    span = np.nanmax(ds) - np.nanmin(ds)
    typical = np.median(finite)
    return np.flatnonzero((step > 0.1 * span) & (step > 20 * typical + 1e-12))


def _segments(xs, ys, breaks):
    """Cut the curve at ``breaks``; returns (line x, line y with nan gaps, isolated x, isolated y)."""
    cut = np.zeros(len(xs), bool)
    cut[breaks] = True  # a break after point i
    lx, ly, px, py, start = [], [], [], [], 0
    for i in range(len(xs)):
        if cut[i] or i == len(xs) - 1:
            if i == start:
                px.append(xs[i])
                py.append(ys[i])
            else:
                lx += list(xs[start:i + 1]) + [np.nan]
                ly += list(ys[start:i + 1]) + [np.nan]
            start = i + 1
    return np.array(lx), np.array(ly), np.array(px), np.array(py)


def _name(fn):
    """'i_hate_threes' for a function, a Function's ``apply`` or an instance with ``__call__``; else 'f'."""
    owner = getattr(fn, "__self__", None)
    name = getattr(owner, "__name__", None) if isinstance(owner, type) else getattr(fn, "__name__", None)
    if name is None:
        name = type(fn).__name__
    return "f" if name == "<lambda>" else name


def grid(lo, hi, num):
    whole = np.arange(np.ceil(lo), np.floor(hi) + 1)
    return np.unique(np.concatenate([np.linspace(lo, hi, num), whole]))


def plot_grad(fn, x_range, num=400):
    """Plot ``fn`` (top) and the derivative autograd computes for it (bottom) over ``x_range``.

    ``fn`` takes a 0-d tensor and returns a one-element tensor. Returns a
    matplotlib ``Figure`` (Jupyter shows it).

    >>> plot_grad(lambda x: x.relu() * x, (-2.0, 2.0))       # d/dx = 2x for x > 0, else 0
    """
    if not callable(fn):
        raise TypeError(f"plot_grad() needs a function as its first argument, not {type(fn).__name__}")
    if not (isinstance(x_range, (tuple, list)) and len(x_range) == 2 and float(x_range[0]) < float(x_range[1])):
        raise ValueError(f"plot_grad(): x_range must be (low, high) with low < high, e.g. (-3.0, 3.0); got {x_range!r}")
    xs = grid(float(x_range[0]), float(x_range[1]), num)
    ys, ds, none = evaluate(fn, xs)
    if not np.isfinite(ys).any():
        raise ValueError("plot_grad(): the function returned no finite value on this range (it must take a 0-d "
                         "tensor and return a one-element tensor)")
    name = _name(fn)

    fig = Figure(figsize=(6, 4.5), dpi=100)
    top, bottom = fig.subplots(2, 1, sharex=True)
    lx, ly, px, py = _segments(xs, ys, _breaks(xs, ys, np.where(none, 0.0, ds)))
    top.plot(lx, ly, color="#1565c0", lw=2, label=f"{name}(x)", gid="f")
    if len(px):
        top.plot(px, py, "o", color="#1565c0", ms=5, gid="f-points")
    lx, ly, px, py = _segments(xs, ds, _derivative_breaks(ds))
    bottom.plot(lx, ly, color="#d32f2f", lw=2, label="x.grad (autograd)", gid="grad")
    if len(px):
        bottom.plot(px, py, "o", color="#d32f2f", ms=5, gid="grad-points")
    if none.any():
        bottom.plot(xs[none], np.zeros(none.sum()), "x", color="black", ms=7, mew=2, gid="grad-none",
                    label="x.grad is None (output not connected to x)")
    for ax, title in ((top, f"{name}(x)"), (bottom, f"its derivative, computed by autograd (x.grad)")):
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
        ax.axhline(0, color="#9e9e9e", lw=0.8)
    bottom.set_xlabel("x")
    bottom.legend(loc="best", fontsize=8)
    fig.tight_layout()
    return fig
