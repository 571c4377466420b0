"""``explore(fn, x=(-3, 3))``: move a slider, watch the forward and the backward pass change.

Every slider change builds fresh leaf tensors, runs ``fn`` (forward) and the
engine (backward), then shows three things side by side:

* the graph, with every node's value and gradient (recorded by ``autograd.trace()`` while forward
  and backward run; an ``HTML`` holding the SVG);
* ``fn`` along the first input with the tangent at the current point, whose slope
  is the gradient autograd computed (``HTML`` holding matplotlib's PNG of the
  curve, with the point and the tangent as an SVG layer on top);
* a readout of the output and of each input's ``.grad``.

All three are plain data (text and image bytes), so the widget works in
JupyterLab, on Binder and from saved widget state. Errors, NaN and inf raised or
returned by ``fn`` are shown inside the widget, which keeps working.
"""
import base64
import inspect
import io
import math
import threading
import warnings
from html import escape

import ipywidgets as W
import numpy as np

from ..autograd import trace
from ..autograd.grad_mode import no_grad
from ..creation import tensor
from ..tensor import Tensor
from .display import Displayed
from .dot import MISSING_DOT, DotJob, svg_body
from .graph import draw
from .plots import Figure

CURVE_POINTS = 101


def _slider_spec(name, spec):
    """``(min, max)``, ``(min, max, step)`` or ``(min, max, step, value)`` -> a dict for FloatSlider."""
    if not isinstance(spec, (tuple, list)) or not 2 <= len(spec) <= 4 or \
            not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in spec):
        raise TypeError(f"explore(): the range of {name} must be (min, max), (min, max, step) or "
                        f"(min, max, step, value), e.g. {name}=(-3.0, 3.0); got {spec!r}")
    lo, hi = float(spec[0]), float(spec[1])
    if not lo < hi:
        raise ValueError(f"explore(): the range of {name} must have min < max; got {spec!r}")
    step = float(spec[2]) if len(spec) > 2 else _nice_step((hi - lo) / 100)
    value = float(spec[3]) if len(spec) > 3 else round(lo + round((hi - lo) / 2 / step) * step, 10)
    return {"min": lo, "max": hi, "step": step, "value": min(max(value, lo), hi)}


def _nice_step(at_most):
    """The largest of 1, 2, 5 x 10^k not above ``at_most`` (a slider over (-3, 3) moves by 0.05)."""
    power = 10.0 ** math.floor(math.log10(at_most))
    return max(m * power for m in (1, 2, 5) if m * power <= at_most * (1 + 1e-9))


class Explorer(Displayed, W.VBox):
    """The widget ``explore`` returns. ``print(widget)`` gives the readout as text.

    After each update: ``values`` (slider values), ``output`` (a float or None),
    ``grads`` (``{name: float or None}``: what autograd put in each ``.grad``),
    ``error`` (the message shown, or None) and ``graph`` (the ``Graph`` drawn).
    """

    def __init__(self, fn, ranges):
        if not callable(fn):
            raise TypeError(f"explore() needs a function as its first argument, not {type(fn).__name__}")
        if not ranges:
            raise TypeError("explore() needs a range for each input of the function, e.g. "
                            "explore(lambda x: x.sin(), x=(-3.0, 3.0))")
        _check_signature(fn, ranges)
        self.fn = fn
        # The first slider only moves the point along the curve (cheap: it updates while dragging);
        # the others change the curve itself (fn at 101 points), so they update when released.
        self.first = next(iter(ranges))
        self.sliders = {name: W.FloatSlider(description=name, continuous_update=name == self.first,
                                            readout_format=".2f", **_slider_spec(name, spec))
                        for name, spec in ranges.items()}
        self.readout = W.HTML()
        self.plot = W.HTML()
        self.picture = W.HTML()
        super().__init__([W.HBox([W.VBox(list(self.sliders.values())), self.readout]),
                          W.HBox([self.plot, self.picture])])
        self._lock = threading.Lock()  # (ipykernel may handle slider changes in a subshell thread)
        self._curve_key = None
        self._plot = CurvePlot()
        self._spare = DotJob()
        for s in self.sliders.values():
            s.observe(lambda _change: self.update(), names="value")
        self.update()

    # ------------------------------------------------------------------ one update
    def update(self):
        """Recompute forward and backward at the sliders' values and redraw everything."""
        with self._lock, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.values = {name: s.value for name, s in self.sliders.items()}
            self.output, self.grads, self.error, self.graph = None, {n: None for n in self.values}, None, None
            job = None
            try:
                inputs = {name: tensor(v, requires_grad=True) for name, v in self.values.items()}
                with trace():  # every node keeps its value and the gradient that reaches it
                    out = self._forward(inputs)
                    if out.requires_grad:
                        out.backward()
                self.graph = draw(out, names=inputs, max_nodes=None)
                job, self._spare = self._spare.send(self.graph.source), None  # dot lays it out while we plot
                self.output = out.item()
                self.grads = {name: (t.grad.item() if t.grad is not None else None) for name, t in inputs.items()}
            except Exception as e:  # the student's function failed: say so, keep the widget alive
                self.error = f"{type(e).__name__}: {e}"
            self._draw_plot()
            svg = job.result() if job is not None else None
            self._warnings = [str(w.message) for w in caught]
            if self._spare is None:
                self._spare = DotJob()  # started now, ready for the next change
        self.picture.value = (svg_body(svg) if svg is not None else
                              f"<p>{escape(MISSING_DOT)}</p><pre>{escape(self.graph.text)}</pre>"
                              if self.graph is not None else "")
        self.readout.value = self._readout_html()

    def _forward(self, inputs):
        out = self.fn(**inputs)
        if not isinstance(out, Tensor):
            raise TypeError(f"the function must return a tensor computed from its inputs, not {type(out).__name__}")
        if out.numel() != 1:
            raise ValueError(f"the function must return a single number, but returned shape {list(out.shape)}; "
                             "reduce it first, e.g. with .sum() or .mean()")
        return out

    # ------------------------------------------------------------------ the plot
    def _curve_at(self):
        """fn along the first input (the others fixed), one call per point: fn may branch on values."""
        key = tuple(v for n, v in self.values.items() if n != self.first)
        if key != self._curve_key:
            s = self.sliders[self.first]
            xs = np.linspace(s.min, s.max, CURVE_POINTS)
            ys = np.full_like(xs, np.nan)
            fixed = {n: tensor(v) for n, v in self.values.items() if n != self.first}
            with no_grad():
                for i, xv in enumerate(xs):
                    try:
                        out = self.fn(**{self.first: tensor(float(xv))}, **fixed)
                        ys[i] = out.item() if isinstance(out, Tensor) and out.numel() == 1 else np.nan
                    except Exception:
                        pass  # a gap in the curve
            self._curve_key = key
            self._plot.set_curve(xs, ys, self.first, len(self.values) > 1)

    def _draw_plot(self):
        self._curve_at()
        f0, slope = self.output, self.grads[self.first]
        self.plot.value = self._plot.html(self.values[self.first], f0, slope)

    # ------------------------------------------------------------------ readout
    def lines(self):
        """The readout as plain-text lines (the widget shows the same)."""
        args = ", ".join(f"{n}={v:.4g}" for n, v in self.values.items())
        lines = [f"f({args})" + (f" = {self.output:.6g}" if self.output is not None else "")]
        if self.error is not None:
            lines.append(f"error: {self.error}")
            return lines
        for name, g in self.grads.items():
            lines.append(f"{name}.grad = {g:.6g}" if g is not None else
                         f"{name}.grad = None (the output does not depend on {name})")
        bad = [n for n, g in [("f", self.output)] + list(self.grads.items()) if g is not None and not np.isfinite(g)]
        if bad:
            lines.append(f"warning: {', '.join(bad)} is not finite (nan or inf): look for a division by zero, "
                         "log of a number <= 0, sqrt of a negative number or an overflow")
        lines += [f"warning: {w}" for w in dict.fromkeys(self._warnings)]
        return lines

    def _readout_html(self):
        html = []
        for line in self.lines():
            color = "#c62828" if line.startswith("error") else "#e65100" if line.startswith("warning") else "inherit"
            html.append(f"<div style='color:{color}'>{escape(line)}</div>")
        return "<div style='font-family:monospace;padding-left:1em'>" + "".join(html) + "</div>"

    def close(self):
        """Close the widget (and end the spare ``dot`` it keeps ready)."""
        spare = getattr(self, "_spare", None)  # (None if __init__ stopped early on bad arguments)
        if spare is not None:
            spare.stop()
        super().close()

    def __repr__(self):
        return "\n".join(self.lines())


class CurvePlot:
    """The plot of f along the first input, with the current point and its tangent.

    matplotlib draws the curve into a PNG, again only when the curve changes. The
    point and the tangent, which move at every slider change, are an SVG layer on
    top of it, placed with matplotlib's own data-to-pixel transform: an update is
    some string formatting instead of a redraw (a redraw takes longer than laying
    out the graph).
    """

    def __init__(self):
        self.fig = Figure(figsize=(4.5, 3.2), dpi=100)
        self.ax = ax = self.fig.add_subplot()
        self.curve, = ax.plot([], [], color="#1565c0", lw=2)
        ax.grid(alpha=0.3)
        self.png = None

    def set_curve(self, xs, ys, name, others):
        self.curve.set_data(xs, ys)
        ax = self.ax
        ax.set_xlim(xs[0], xs[-1])
        finite = ys[np.isfinite(ys)]
        if finite.size:
            lo, hi = float(finite.min()), float(finite.max())
            pad = 0.1 * (hi - lo) or 1.0
            ax.set_ylim(lo - pad, hi + pad)
        ax.set_xlabel(name)
        ax.set_title(f"f along {name}" + (" (other inputs fixed)" if others else "")
                     + f"\nred: the tangent, its slope is {name}.grad", fontsize=9)
        if self.png is None:
            self.fig.tight_layout()  # once: the labels don't change
        buf = io.BytesIO()
        self.fig.canvas.print_png(buf)  # (not savefig: a 'tight' bbox setting would shift the pixels)
        self.png = buf.getvalue()
        self._img = base64.b64encode(self.png).decode()

    def tangent(self, x0, f0, slope):
        """The tangent's two ends in data coordinates (15% of the x range on each side), or None."""
        if f0 is None or slope is None or not np.isfinite(f0) or not np.isfinite(slope):
            return None
        lo, hi = self.ax.get_xlim()
        tx = np.array([x0 - 0.15 * (hi - lo), x0 + 0.15 * (hi - lo)])
        return np.stack([tx, f0 + slope * (tx - x0)], axis=1)

    def html(self, x0, f0, slope):
        """The plot as HTML: the PNG with the point (x0, f0) and the tangent of slope ``slope`` on top."""
        width, height = self.fig.canvas.get_width_height()
        box = self.ax.bbox  # the axes in pixels, from the bottom left

        def px(points):  # data -> pixels inside the axes, from the top left (as SVG counts)
            p = self.ax.transData.transform(points)
            return p[:, 0] - box.x0, box.y1 - p[:, 1]

        marks = []
        ends = self.tangent(x0, f0, slope)
        if ends is not None:
            (x1, x2), (y1, y2) = px(ends)
            marks.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#d32f2f" '
                         'stroke-width="1.5"/>')
        if f0 is not None and np.isfinite(f0):
            (cx,), (cy,) = px(np.array([[x0, f0]]))
            marks.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="#d32f2f"/>')
        # The inner <svg> covers exactly the axes, so it clips the tangent at their edges.
        return (f'<div style="position:relative;width:{width}px;height:{height}px">'
                f'<img src="data:image/png;base64,{self._img}" width="{width}" height="{height}" '
                'style="position:absolute;left:0;top:0"/>'
                f'<svg width="{width}" height="{height}" style="position:absolute;left:0;top:0">'
                f'<svg x="{box.x0:.1f}" y="{height - box.y1:.1f}" width="{box.width:.1f}" '
                f'height="{box.height:.1f}">{"".join(marks)}</svg></svg></div>')


def _check_signature(fn, ranges):
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return
    if any(p.kind == p.VAR_KEYWORD for p in params):
        return
    names = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    unknown = [n for n in ranges if n not in names]
    missing = [p.name for p in params if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
               and p.name not in ranges]
    if unknown or missing:
        raise TypeError(f"explore(): the function's inputs are ({', '.join(sorted(names))}); "
                        + (f"no range given for {', '.join(missing)}" if missing else "")
                        + ("; " if missing and unknown else "")
                        + (f"{', '.join(unknown)} is not one of them" if unknown else ""))


def explore(fn, **ranges):
    """A widget with one slider per input of ``fn``; every change reruns forward and backward.

    ``fn`` takes tensors as keyword arguments and returns a one-element tensor.
    Each range is ``(min, max)``, ``(min, max, step)`` or ``(min, max, step, value)``.

    >>> explore(lambda x, w: (w * x).sin(), x=(-3.0, 3.0), w=(0.0, 2.0))
    """
    return Explorer(fn, ranges)
