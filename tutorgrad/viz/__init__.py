"""See the graph: drawings of the computation graph and widgets that recompute as you move a slider.

* ``draw(*outputs, names=None, values=True, grads=True, saved=False)`` – the graph that
  ``backward()`` walks, as SVG (Jupyter), text (``print``) and DOT (``.source``);
* ``with trace(): ...`` – every node of a graph built inside keeps its value and, after
  ``backward()``, its gradient: ``draw`` then shows them all;
* ``explore(fn, x=(lo, hi), ...)`` – sliders for the inputs of ``fn``; every change reruns
  forward and backward and redraws the graph, the curve with its tangent and the gradients;
* ``step_backward(output, names=None)`` – ``output.backward()`` replayed node by node (Prev/Next);
* ``chain_rule(y, {"u": u})`` – one node of the backward pass: upstream gradient × local derivative
  = downstream gradient, drawn flowing backwards;
* ``plot_grad(fn, (lo, hi))`` – a function and the derivative autograd computes for it;
* ``live_training(steps, lr=..., optimizer=...)`` – a live loss curve, progress bar and
  learning-rate slider for a plain training loop.

They all read the graph the engine walks (``grad_fn``, ``next_functions`` and the nodes' read-only
accessors) and, in Jupyter, show a deterministic ``text/plain`` next to the picture (what nbval
compares; ``display.py``). The files: ``graph.py`` (collecting the boxes, ``draw``), ``text.py``
(the text form), ``dot.py`` (DOT and the ``dot`` program), ``step.py``, ``explore.py``,
``plots.py``, ``training.py`` (the widgets and plots).

>>> import tutorgrad as torch
>>> from tutorgrad import viz
>>> x = torch.tensor(2.0, requires_grad=True)
>>> y = (x * x).sin()
>>> y.backward()
>>> viz.draw(y, names=locals())          # doctest: +SKIP
"""
from ..autograd import trace  # noqa: F401
from .graph import draw, Graph  # noqa: F401
from .step import step_backward, StepBackward  # noqa: F401
from .plots import plot_grad  # noqa: F401
from .chain import chain_rule  # noqa: F401
from .explore import explore, Explorer  # noqa: F401
from .training import live_training, TrainingView  # noqa: F401

__all__ = ["draw", "trace", "explore", "step_backward", "chain_rule", "plot_grad", "live_training",
           "Graph", "Explorer", "StepBackward", "TrainingView"]
