"""``step_backward(loss)``: walk through ``loss.backward()`` one node at a time.

The steps are the engine's own: ``step_backward`` runs ``loss.backward()`` while watching the
engine (``autograd.engine.watch``), which hands over a record of every node as it runs, in the
order it runs: the upstream gradients that went in, what the node's backward returned, and what
the engine passed on (a broadcast gradient summed back down). Nothing is computed twice: like
``loss.backward()``, it adds the gradients to the leaves' ``.grad`` and frees the graph's saved
tensors, and the widget then replays the recording:

* the node being processed is circled in red, nodes still to come are grey, and
  every edge that has carried a gradient is labelled with it;
* each step shows upstream gradient × local derivative = contribution, the sum
  when several contributions meet (fan-in), and broadcasting being summed away;
* at the last step every leaf shows its ``.grad``.
"""
from html import escape

import ipywidgets as W
import numpy as np

from ..autograd.engine import watch
from ..creation import from_numpy
from ..autograd.function import AccumulateGrad
from .display import Displayed
from .dot import MISSING_DOT, DotJob, svg_body
from .graph import Graph, collect, show_grads
from .text import rule_text, shape_text, value_text


class Step:
    """What the engine did at one node (a copy of its record, kept after the graph is freed).

    ``upstream``: the gradient of each output, in; ``raw``: one gradient per input as the node's
    backward returned it; ``contributions``: the same after the engine's checks (a broadcast
    gradient summed back down); ``leaf_grad``: a leaf's ``.grad`` after the step. For an
    elementwise op (``node.elementwise``) also ``local``: the local derivative of each input, the
    factor that makes ``raw = upstream × local`` element by element (None where it can't be read
    off the recording exactly: an upstream gradient of 0, a different shape).
    """

    def __init__(self, step):
        self.node = node = step.node
        self.upstream = [_copy(g) for g in step.upstream]
        self.raw = [_copy(g) for g in step.raw]
        self.contributions = [_copy(g) for g in step.grads]
        self.leaf_grad = _copy(node.variable.grad) if isinstance(node, AccumulateGrad) else None
        self.local = None
        if node.elementwise and len(self.upstream) == 1 and self.upstream[0] is not None:
            self.local = [_local_derivative(self.upstream[0], r) for r in self.raw]

    def elementwise(self, k):
        """Is input ``k``'s contribution upstream × local derivative, element by element?"""
        return self.local is not None and k < len(self.local) and self.local[k] is not None


def _copy(g):
    return None if g is None else g.detach().clone()


def _local_derivative(up, raw):
    """The tensor ``local`` with ``raw == up * local`` exactly (in ``raw``'s dtype), or None.

    The engine records upstream and contribution; for an elementwise op their quotient is the local
    derivative. It is shown only if multiplying back gives the contribution to the last bit (the
    explanation never shows an identity that does not hold), rounded to 6 digits when that holds too
    (so that 2.0000002 is shown as the 2 it stands for).
    """
    if raw is None:
        return None
    u, r = up.numpy(), raw.numpy()
    if u.shape != r.shape or r.dtype.kind not in "fc" or not np.all(np.isfinite(u)) or np.any(u == 0):
        return None
    with np.errstate(all="ignore"):
        exact = (r / u).astype(r.dtype)
        for local in (_significant(exact, 6), exact):
            if np.array_equal((u * local).astype(r.dtype), r, equal_nan=True):
                return from_numpy(np.asarray(local))
    return None


def _significant(a, digits):
    """``a`` rounded to ``digits`` significant digits (where finite and nonzero)."""
    with np.errstate(all="ignore"):
        exponent = np.floor(np.log10(np.abs(a)))
        scale = 10.0 ** np.where(np.isfinite(exponent), digits - 1 - exponent, 0)
        return np.where(np.isfinite(exponent), np.round(a * scale) / scale, a).astype(a.dtype)


def backward_steps(output):
    """Run ``output.backward()``; return a ``Step`` for every node, in the engine's order."""
    steps = []
    with watch(lambda step: steps.append(Step(step))):
        output.backward()
    return steps


class StepBackward(Displayed, W.VBox):
    """The widget ``step_backward`` returns (Prev / Next / Reset). ``print(widget)`` shows the current step.

    ``steps`` is the recording; ``step`` the step shown (0 = before backward,
    ``len(steps)`` = the end); ``grads()`` maps each leaf's label to the
    gradient it holds at the step shown.
    """

    def __init__(self, output, names=None):
        self.items = collect([output], names, values=True, grads=False, saved=False, max_nodes=None)
        self.steps = backward_steps(output)
        self._index = {item.node: i for i, item in enumerate(self.items) if item.node is not None}
        self._svg = {}
        self.output_label = next(item.label for item in self.items if item.output)
        self._title = W.HTML()
        buttons = [W.Button(description=d, layout=W.Layout(width="90px")) for d in ("◀ Prev", "Next ▶", "Reset")]
        for b, fn in zip(buttons, (self.prev, self.next, self.reset)):
            b.on_click(lambda _b, fn=fn: fn())
        self._prev, self._next, _ = buttons
        self._graph = W.HTML()
        self._explain = W.HTML()
        super().__init__([W.HBox(buttons + [self._title]), W.HBox([self._graph, self._explain])])
        self._step = 0
        self._show()

    # ------------------------------------------------------------------ navigation
    @property
    def step(self):
        return self._step

    @step.setter
    def step(self, k):
        self._step = max(0, min(int(k), len(self.steps)))
        self._show()

    def next(self):
        self.step = self._step + 1

    def prev(self):
        self.step = self._step - 1

    def reset(self):
        self.step = 0

    # ------------------------------------------------------------------ state at a step
    def grads(self, k=None):
        """``{leaf label: gradient}`` after step ``k`` (default: the step shown); None = none yet."""
        k = self._step if k is None else k
        shown = self._node_grads(k)
        return {item.label: shown.get(item.node) for item in self.items if item.kind == "leaf"}

    def _node_grads(self, k):
        out = {self.items[self._output_index()].node: self._seed()} if k == 0 else {}
        for s in self.steps[:k]:
            if s.leaf_grad is not None:
                out[s.node] = s.leaf_grad
            else:
                out[s.node] = s.upstream[0] if len(s.upstream) == 1 else s.upstream
        return out

    def _output_index(self):
        return next(i for i, item in enumerate(self.items) if item.output)

    def _seed(self):
        return self.steps[0].upstream[0] if self.steps else None

    def _graph_at(self, k):
        grads = self._node_grads(k)
        done = {s.node for s in self.steps[:k]}
        style, edges = {}, {}
        show_grads(self.items, grads)
        for item in self.items:
            if item.node is not None and item.node not in done:
                style[id(item)] = "pending"
        if 0 < k:
            style[id(self.items[self._index[self.steps[k - 1].node]])] = "current"
        for s in self.steps[:k]:
            dst = self._index.get(s.node)
            for (child, _), c in zip(s.node.next_functions, s.contributions):
                if child is not None and c is not None and child in self._index:
                    edges[(self._index[child], dst)] = value_text(c)
        return Graph(self.items, style, edges)

    # ------------------------------------------------------------------ explanation
    def explain(self, k=None):
        """The explanation of step ``k`` as plain-text lines (the widget shows the same as HTML)."""
        k = self._step if k is None else k
        n = len(self.steps)
        if k == 0:
            o, seed = self.output_label, value_text(self._seed()) if self.steps else "None"
            return [f"step 0 of {n}: before backward()", f"{o}.backward() starts at {o} with d{o}/d{o} = {seed}",
                    "Press Next to run the engine one node at a time."]
        s = self.steps[k - 1]
        item = self.items[self._index[s.node]]
        lines = [f"step {k} of {n}: {s.node.name()} ({item.label})"]
        arrived = self._arrivals(k)
        for nr, total in enumerate(s.upstream):
            sources = arrived.get((s.node, nr), [])
            if len(sources) > 1:  # fan-in
                lines.append(f"fan-in: {len(sources)} gradients arrived for {self._target(s.node, nr)} and were "
                             "added up: " + " + ".join(f"{value_text(c)} (from {src})" for src, c in sources)
                             + f" = {value_text(total)}")
        if isinstance(s.node, AccumulateGrad):
            incoming = s.upstream[0]
            lines.append(f"{item.label} is a leaf: its AccumulateGrad node adds the incoming gradient "
                         f"{value_text(incoming)} to {item.label}.grad.")
            lines.append(f"{item.label}.grad = {value_text(s.leaf_grad)}")
            if k == n:
                lines.append("Done: every leaf now holds its .grad, exactly as after backward().")
            return lines
        up = s.upstream[0]
        for nr, g in enumerate(s.upstream):
            lines.append(f"upstream gradient d{self.output_label}/d{self._target(s.node, nr)}: "
                         f"{'None' if g is None else value_text(g)}")
        r = rule_text(s.node)
        lines.append(f"rule: {r}" if r and s.node.is_builtin else
                     "custom Function: your backward() turns the upstream gradient into the contributions")
        meta = s.node.input_metadata
        for i, ((child, nr), c) in enumerate(zip(s.node.next_functions, s.contributions)):
            if child is None:
                continue
            to = self._target(child, nr)
            if c is None:
                lines.append(f"to {to}: no gradient (None)")
                continue
            if s.elementwise(i):
                lines.append(f"to {to}: upstream × local derivative = {value_text(up)} × "
                             f"{value_text(s.local[i])} = {value_text(s.raw[i])}")
                if s.raw[i].shape != c.shape:
                    lines.append(f"    {to} has shape {shape_text(c.shape)} but was broadcast to "
                                 f"{shape_text(s.raw[i].shape)}: the gradient is summed back down to "
                                 f"{value_text(c)}")
            else:
                lines.append(f"to {to}: contribution {value_text(c)}")
                if meta and meta[i] is not None and s.raw is not None and s.raw[i] is not None \
                        and tuple(s.raw[i].shape) != tuple(meta[i][0]):
                    lines.append(f"    summed from shape {shape_text(s.raw[i].shape)} down to "
                                 f"{to}'s shape {shape_text(c.shape)} (broadcasting undone)")
        return lines

    def _arrivals(self, k):
        """(node, output_nr) -> [(label of the sender, gradient)] for gradients sent in steps before ``k``."""
        arrived = {}
        for s in self.steps[:k]:
            src = self.items[self._index[s.node]].label
            for (child, nr), c in zip(s.node.next_functions, s.contributions):
                if child is not None and c is not None:
                    arrived.setdefault((child, nr), []).append((src, c))
        return arrived

    def _target(self, node, nr):
        """How the explanation names output ``nr`` of ``node``: 'a', or 'unbind_1[0]' when unnamed."""
        item = self.items[self._index[node]]
        if not item.out_names:
            return item.label
        return item.out_names[nr] or f"{item.label}[{nr}]"

    # ------------------------------------------------------------------ display
    def _show(self):
        k = self._step
        if k not in self._svg:
            graph = self._graph_at(k)
            svg = DotJob(graph.source).result()
            self._svg[k] = (svg_body(svg) if svg is not None else
                            f"<p>{MISSING_DOT}</p><pre>{_esc(graph.text)}</pre>")
        self._graph.value = self._svg[k]
        lines = self.explain(k)
        self._title.value = f"<b>{_esc(lines[0])}</b>"
        self._explain.value = ("<div style='font-family:monospace;white-space:pre-wrap;max-width:40em'>"
                               + "<br>".join(_esc(line) for line in lines[1:]) + "</div>")
        self._prev.disabled = k == 0
        self._next.disabled = k == len(self.steps)

    def __repr__(self):
        return "\n".join(self.explain())


def _esc(s):
    return escape(s)


def step_backward(output, names=None):
    """A widget that steps through ``output.backward()`` node by node, in the engine's order.

    It *is* ``output.backward()`` (with a recorder attached): the leaves' ``.grad``
    are set (added to, as always) when the widget is made, and the graph is freed.
    Prev / Next / Reset replay what the engine did; the last step shows every
    leaf's ``.grad``.

    >>> x = tutorgrad.tensor(2., requires_grad=True)
    >>> y = x * x + x
    >>> step_backward(y, names=locals())     # then press Next
    """
    return StepBackward(output, names)
