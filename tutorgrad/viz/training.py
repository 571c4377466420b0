"""``live_training(steps)``: a loss curve that grows while your plain Python training loop runs.

    live = live_training(200, optimizer=optimizer)   # lr slider starts at the optimizer's lr
    for step in live:                               # shows itself, then yields 0 .. 199
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()                            # uses the slider's lr (set before each step)
        live.log(loss, accuracy=acc)                # any number of extra metrics

The view is a progress bar (``tqdm.auto``), a learning-rate slider the loop
reads at every step (``live.lr``; with ``optimizer=`` it is written into every
param group for you) and the curve (an ``Image`` holding a PNG). In JupyterLab 4
with ipykernel 7 the slider works while the loop runs (the kernel handles its
messages in a subshell thread); elsewhere a change applies after the loop. It
prints nothing, so a notebook checked with nbval sees only the view's text.
"""
import math
import time

import ipywidgets as W
import numpy as np

from ..tensor import Tensor
from .display import Displayed
from .plots import Figure, png


class TrainingView(Displayed):
    """What ``live_training`` returns. ``history`` holds every logged value (``{"loss": [...], ...}``).

    It shows itself as ``widget`` (an ``ipywidgets.VBox``; the view is not a widget
    itself so that ``log`` can mean what a training loop means by it).
    """

    def __init__(self, steps, lr=None, lr_range=(1e-4, 1.0), optimizer=None, every=0.25):
        if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
            raise ValueError(f"live_training(): steps must be a positive whole number, got {steps!r}")
        if lr is None:
            lr = optimizer.param_groups[0]["lr"] if optimizer is not None else 0.1
        lo, hi = min(lr_range[0], lr), max(lr_range[1], lr)
        if not 0 < lo < hi:
            raise ValueError(f"live_training(): learning rates must be positive, got lr={lr!r}, lr_range={lr_range!r}")
        self.steps, self.optimizer, self.every = steps, optimizer, every
        self.history, self.logged_at = {}, []
        self.step = 0
        self.lr_slider = W.FloatLogSlider(value=lr, base=10, min=math.log10(lo), max=math.log10(hi), step=0.05,
                                          description="lr", readout_format=".3g", continuous_update=False)
        _live_while_busy(self.lr_slider)
        self.image = W.Image(format="png", layout=W.Layout(width="480px"))
        self.bar = _progress_bar(steps)
        children = [self.lr_slider, self.image]
        if hasattr(self.bar, "container"):  # the notebook bar is a widget: make it part of the view
            children.insert(0, self.bar.container)
        self.widget = W.VBox(children)
        self._shown = False
        self._next_draw, self._draw_cost = 0.0, 0.0
        self.fig = Figure(figsize=(6, 3), dpi=80)
        self.ax = self.fig.add_subplot()
        self.ax.set_xlim(0, max(steps - 1, 1))
        self.ax.set_xlabel("step")
        self.ax.set_ylabel("loss")
        self.ax.grid(alpha=0.3)
        self.ax2 = None
        self.lines = {}
        self.ax.set_title(self._summary(), fontsize=9)  # (tight_layout makes room for it)

    @property
    def lr(self):
        """The learning rate on the slider (read it in your loop, or pass ``optimizer=``)."""
        return self.lr_slider.value

    # ------------------------------------------------------------------ the loop
    def __iter__(self):
        self.show()
        try:
            for step in range(self.steps):
                self.step = step
                if self.optimizer is not None:
                    for group in self.optimizer.param_groups:
                        group["lr"] = self.lr
                yield step
                self.bar.update(1)
                if time.monotonic() >= self._next_draw:
                    self.draw()
            self.step = self.steps
        finally:
            self.bar.close()
            self.draw()

    def log(self, loss, **metrics):
        """Record the loss (a number or a one-element tensor) and any metrics for this step."""
        values = {"loss": loss, **metrics}
        for name, v in values.items():
            v = v.item() if isinstance(v, Tensor) else float(v)
            self.history.setdefault(name, [math.nan] * len(self.logged_at)).append(v)
        for name, seq in self.history.items():  # a metric not logged this time: a gap
            if len(seq) == len(self.logged_at):
                seq.append(math.nan)
        self.logged_at.append(self.step)
        if hasattr(self.bar, "set_postfix"):
            self.bar.set_postfix({k: f"{v:.4g}" for k, v in self.last().items()}, refresh=False)

    def last(self):
        """``{name: last logged value}``."""
        return {name: seq[-1] for name, seq in self.history.items()}

    # ------------------------------------------------------------------ display
    def show(self):
        """Display the view now (the loop does this by itself when it starts)."""
        if self._shown:
            return
        self._shown = True
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:
            return
        if get_ipython() is not None:
            display(self)

    def draw(self):
        """Redraw the curve (the loop does it a few times a second and at the end)."""
        start = time.monotonic()
        steps = np.array(self.logged_at)
        for name, values in self.history.items():
            if name not in self.lines:
                self._add_line(name)
            self.lines[name].set_data(steps, values)
        for ax in (self.ax, self.ax2):
            if ax is not None:
                ax.relim()
                ax.autoscale_view(scalex=False)
        self.ax.set_title(self._summary(), fontsize=9)
        self.image.value = png(self.fig)
        # Drawing takes at most about a third of the loop's time, however fast the loop is.
        self._draw_cost = time.monotonic() - start
        self._next_draw = time.monotonic() + max(self.every, 2 * self._draw_cost)

    def _add_line(self, name):
        if name == "loss":
            ax, color = self.ax, "#1565c0"
        else:  # metrics share a second y axis on the right
            if self.ax2 is None:
                self.ax2 = self.ax.twinx()
            ax, color = self.ax2, ("#2e7d32", "#6a1b9a", "#ef6c00", "#00838f")[(len(self.lines) - 1) % 4]
        self.lines[name], = ax.plot([], [], color=color, lw=1.5, label=name)
        if ax is self.ax2:
            ax.set_ylabel(", ".join(n for n in self.lines if n != "loss"))
        self.ax.legend(handles=list(self.lines.values()), loc="upper right", fontsize=8)
        self.fig.tight_layout()

    def _summary(self):
        text = f"step {self.step}/{self.steps}"
        for name, v in self.last().items():
            text += f", {name} {v:.4g}"
        return text + f", lr {self.lr:.3g}"

    def __repr__(self):
        return f"TrainingView: {self._summary()}"

    def _picture(self, **kwargs):
        self._shown = True
        return self.widget._repr_mimebundle_(**kwargs)


def _live_while_busy(widget):
    """Let the student's changes to ``widget`` reach the kernel while the loop is running.

    JupyterLab 4 sends widget messages to a kernel subshell: a thread that handles
    them while the main shell runs the cell. But ipykernel 7 sends a widget's
    messages back to the shell that last updated it (for widgets that wait for a
    reply): for a widget made in the running cell, the busy main shell, so the
    change would only arrive after the loop. The slider waits for no reply, so it
    keeps the subshell the frontend chose. (Without subshells nothing changes.)
    """
    comm = getattr(widget, "comm", None)
    if comm is not None and hasattr(comm, "_reply_subshell_for"):
        comm._reply_subshell_for = lambda data, default: default


def _progress_bar(steps):
    from tqdm.auto import tqdm
    # In Jupyter tqdm.auto's class is defined in tqdm.auto and *derives* from the notebook bar.
    if any(c.__module__ == "tqdm.notebook" for c in tqdm.__mro__):
        return tqdm(total=steps, display=False)  # a widget we show inside the view
    return tqdm(total=steps)  # outside Jupyter: the usual text bar


def live_training(steps, lr=None, lr_range=(1e-4, 1.0), optimizer=None, every=0.25):
    """A live view for a training loop: iterate over it, ``log`` the loss, read ``lr`` from its slider.

    steps:     how many steps the loop runs (``for step in live`` yields 0 .. steps-1).
    lr:        the slider's starting learning rate (default: the optimizer's, else 0.1).
    lr_range:  the slider's range (log scale).
    optimizer: if given, the slider's lr is written into its param groups before every step.
    every:     seconds between redraws of the curve (it is always redrawn at the end).

    >>> live = live_training(100, lr=0.1)
    >>> for step in live:
    ...     loss = (w - 3) ** 2
    ...     loss.backward()
    ...     with tutorgrad.no_grad():
    ...         w -= live.lr * w.grad
    ...     w.grad = None
    ...     live.log(loss)
    """
    return TrainingView(steps, lr, lr_range, optimizer, every)
