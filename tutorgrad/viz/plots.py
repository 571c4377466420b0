"""``plot_grad(fn, (lo, hi))``: a function and the derivative autograd computes for it, one above the other.

``fn`` is called once per point with a 0-d tensor, so it may branch on values
(``if x == 3.0: ...``), as the primer's ``i_hate_threes`` does. The grid always
contains the whole numbers of the range, so a branch at a whole number is hit
exactly.

Jumps are drawn as a mathematician draws them: the line stops, a filled circle
marks the value the function takes at the jump and an open circle the value it
approaches but does not take (a point that jumps away from both neighbours, such
as ``i_hate_threes`` at 3, gets a filled circle at its value and an open one at
the hole in the line). Where autograd's gradient is ``None`` (the output is not
connected to the input) the derivative's line has a gap with an open square in
it, and the legend says "None (no gradient)": no gradient is not a zero gradient.
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


def _slope(xs, vs, i, j):
    """The slope of the curve between points i and j (0 if either is missing)."""
    if 0 <= i < len(xs) and 0 <= j < len(xs) and i != j and np.isfinite(vs[i]) and np.isfinite(vs[j]):
        return (vs[j] - vs[i]) / (xs[j] - xs[i])
    return 0.0


def _whole(x):
    return float(x).is_integer()


def _pieces(xs, vs, breaks):
    """Cut a sampled curve at ``breaks`` (a break after point i) and at missing values (nan).

    Returns the line (x, y with nan gaps), the filled circles (values the curve takes at a jump)
    and the open circles (values it approaches there but does not take), each as (xs, ys).
    """
    runs, start = [], None
    cut = np.zeros(len(xs), bool)
    cut[np.asarray(breaks, int)] = True
    for i in range(len(xs)):
        if not np.isfinite(vs[i]):
            if start is not None:
                runs.append((start, i - 1))
            start = None
            continue
        if start is None:
            start = i
        if cut[i] or i == len(xs) - 1:
            runs.append((start, i))
            start = None
    lx, ly, filled, hollow = [], [], [], []
    for a, b in runs:
        if b > a:
            lx += list(xs[a:b + 1]) + [np.nan]
            ly += list(vs[a:b + 1]) + [np.nan]

    def ahead(run, x):  # the value a run's line reaches at x, going on with its slope
        a, b = run
        end = b if x >= xs[b] else a
        return vs[end] + _slope(xs, vs, end - 1 if end == b else end, end if end == b else end + 1) * (x - xs[end])

    for k, run in enumerate(runs):
        a, b = run
        before = runs[k - 1] if k and runs[k - 1][1] == a - 1 else None
        after = runs[k + 1] if k + 1 < len(runs) and runs[k + 1][0] == b + 1 else None
        if a == b:  # a lone point: it takes its value there, and the line around it has a hole
            filled.append((xs[a], vs[a]))
            sides = [ahead(r, xs[a]) for r in (before, after) if r is not None and r[1] > r[0]]
            if sides:
                hollow.append((xs[a], float(np.mean(sides))))
            continue
        if after is None or after[0] == after[1]:
            continue
        # a jump between the end of this run and the start of the next one
        left, right = xs[b], xs[after[0]]
        at = left if _whole(left) and not _whole(right) else right if _whole(right) else (left + right) / 2
        if at == left:
            filled.append((left, vs[b]))
            hollow.append((left, ahead(after, left)))
        elif at == right:
            filled.append((right, vs[after[0]]))
            hollow.append((right, ahead(run, right)))
        else:
            hollow += [(at, ahead(run, at)), (at, ahead(after, at))]
    as_xy = lambda pts: (np.array([p[0] for p in pts]), np.array([p[1] for p in pts]))  # noqa: E731
    return (np.array(lx), np.array(ly)), as_xy(filled), as_xy(hollow)


def _draw(ax, xs, vs, breaks, color, label, gid):
    (lx, ly), (fx, fy), (ox, oy) = _pieces(xs, vs, breaks)
    ax.plot(lx, ly, color=color, lw=2, label=label, gid=gid)
    if len(fx):
        ax.plot(fx, fy, "o", color=color, ms=6, gid=f"{gid}-points", zorder=3)
    if len(ox):
        ax.plot(ox, oy, "o", mfc="white", mec=color, mew=1.5, ms=6, gid=f"{gid}-open", zorder=3)
    return len(fx) + len(ox)


def _hole_heights(xs, ds, none):
    """Where the derivative's line would be at the points without a gradient (0 if it is nowhere)."""
    known = ~none & np.isfinite(ds)
    if not known.any():
        return np.zeros(none.sum())
    return np.interp(xs[none], xs[known], ds[known])


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
    jumps = _draw(top, xs, ys, _breaks(xs, ys, np.where(none, 0.0, ds)), "#1565c0", f"{name}(x)", "f")
    _draw(bottom, xs, ds, _derivative_breaks(ds), "#d32f2f", "x.grad (autograd)", "grad")
    if none.any():
        bottom.plot(xs[none], _hole_heights(xs, ds, none), "s", mfc="white", mec="black", mew=1.5, ms=7,
                    gid="grad-none", zorder=4, label="None (no gradient): the output is not connected to x")
    for ax, title in ((top, f"{name}(x)"), (bottom, "its derivative, computed by autograd (x.grad)")):
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
        ax.axhline(0, color="#9e9e9e", lw=0.8)
    if jumps:
        top.plot([], [], "o", color="#424242", ms=5, label="value at a jump")
        top.plot([], [], "o", mfc="white", mec="#424242", ms=5, label="approached, not taken")
        top.legend(loc="best", fontsize=8)
    bottom.set_xlabel("x")
    bottom.legend(loc="best", fontsize=8)
    fig.tight_layout()
    return fig
