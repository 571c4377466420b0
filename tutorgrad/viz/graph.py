"""``draw(loss)``: a picture of the graph that ``loss.backward()`` will walk.

The drawing reads exactly what the engine reads, through the nodes' public, read-only accessors:
``tensor.grad_fn``, each node's ``next_functions`` (one ``(node, output_nr)`` pair per forward
input), the leaf behind each ``AccumulateGrad`` node (``.variable``), the tensors a node saved for
its backward (``node.saved``) and, inside ``autograd.trace()``, the value and the gradient the node
recorded. The order is the engine's own (``autograd.engine.topological_order``). There is no
second graph model.

Edges point the way data flows (from the leaves to the output); gradients flow back along them.
Every drawing has three forms:

* SVG, made by Graphviz's ``dot`` program (what Jupyter shows; ``dot.py``), with a PNG of the same
  picture beside it (what an untrusted notebook shows);
* ``graph.text``: a listing of the nodes and their inputs that is identical on every run and
  machine (what ``print(graph)`` and nbval see; ``text.py``);
* ``graph.source``: the DOT text (``graph.digraph`` is the ``graphviz.Digraph``).

>>> x = tutorgrad.tensor(2., requires_grad=True)
>>> y = (x * x).sin()
>>> print(draw(y, names={"x": x, "y": y}))
graph of y: 1 leaf, 2 ops (data flows from the leaves down to the output)
x     = leaf float32 scalar  value 2.  grad None
mul_1 = MulBackward0(x, x) -> float32 scalar  value 4.
y     = SinBackward0(mul_1) -> float32 scalar  value -0.7568  [output]

Values of unnamed intermediate results are known only while some node keeps them for its
backward (``mul_1`` above: ``sin`` saved its input); name them (``names=locals()``) to always see
them, or build the graph inside ``viz.trace()``: then every node shows its value and, after
``backward()``, its gradient.
"""
import base64
from collections import Counter

from ..autograd.engine import topological_order
from ..autograd.function import AccumulateGrad
from ..autograd.graph import get_gradient_edge
from ..tensor import Tensor
from .display import Displayed
from .dot import DotJob, MISSING_DOT, PNG_DPI, digraph
from .text import op_short, shape_text, text, value_text

MAX_NODES = 300    # above this many boxes, long chains of ops are folded (readable, and `dot` stays fast)
KEEP = 2           # boxes kept at each end of a folded chain


def _names(names):
    """``id(tensor) -> name`` from ``locals()`` or a dict; modules add ``model.weight``-style names."""
    if names is None:
        return {}
    if not isinstance(names, dict):
        raise TypeError(f"names must be a dict such as locals() or {{'x': x}}, not {type(names).__name__}")
    found = {}
    for name, obj in names.items():
        if not isinstance(name, str) or name.startswith("_"):  # IPython's _, _1, __ ...
            continue
        if isinstance(obj, Tensor):
            found.setdefault(id(obj), (name, obj))  # (keep obj: its id stays valid while we work)
        elif not isinstance(obj, type) and callable(getattr(obj, "named_parameters", None)):
            for pname, p in obj.named_parameters():
                found.setdefault(id(p), (f"{name}.{pname}", p))
    return found


class Item:
    """One box of the drawing: a leaf, an op node, a lone tensor or a folded chain of ops."""

    def __init__(self, kind, node=None, tensor=None):
        self.kind, self.node, self.tensor = kind, node, tensor  # tensor: the value shown, if known
        self.label = None
        self.inputs = []        # [(index of the input's item, output_nr of that input)]
        self.output = False
        self.grad = None        # gradient shown (a tensor, a list of them for multi-output nodes, or None)
        self.show_grad = False  # show a "grad" line (for a leaf: even "grad None")
        self.value_str = self.grad_str = None   # the text of value and grad, made once
        self.saved = None       # [(description, tensor)] or the string "freed"
        self.folded = None      # for a chain: Counter of op names
        self.out_names = None   # for a node with several outputs: the names of its outputs

    @property
    def op(self):
        return self.node.name() if self.node is not None else "tensor"

    @property
    def meta(self):
        if self.kind == "leaf" or self.kind == "tensor":
            t = self.tensor
            return [(t.shape, t.dtype)]
        return [m for m in self.node.output_metadata if m is not None]

    @property
    def multi_output(self):
        return self.kind in ("op", "custom") and len(self.node.output_metadata) > 1


def collect(outputs, names=None, values=True, grads=True, saved=False, max_nodes=MAX_NODES):
    """The boxes of the drawing, inputs first."""
    named = _names(names)
    roots, items, index = [], [], {}
    for t in outputs:
        if not isinstance(t, Tensor):
            raise TypeError(f"draw() takes tensors, e.g. draw(loss); got {type(t).__name__}")
        edge = get_gradient_edge(t) if t.requires_grad else None
        roots.append(((edge.node, edge.output_nr) if edge is not None else (None, 0), t))

    order = topological_order([node for (node, _), _ in roots if node is not None])
    known = {}   # (node, output_nr) -> tensor with that value: named tensors, outputs, saved tensors
    for name, t in named.values():
        if t.grad_fn is not None:
            known.setdefault((t.grad_fn, t.output_nr), t)
    for (node, nr), t in roots:
        if node is not None and not isinstance(node, AccumulateGrad):
            known.setdefault((node, nr), t)
    for node in order:
        for t, unchanged in node.saved:
            if unchanged and t.grad_fn is not None:
                known.setdefault((t.grad_fn, t.output_nr), t)

    for node in order:
        if isinstance(node, AccumulateGrad):
            item = Item("leaf", node, node.variable)
        else:
            value = [_value(node, k, known) for k in range(len(node.output_metadata))]
            item = Item("op" if node.is_builtin else "custom", node, value[0] if len(value) == 1 else value)
            item.inputs = [(index[child], nr) for child, nr in node.next_functions if child is not None]
        index[node] = len(items)
        items.append(item)
    for (node, nr), t in roots:
        if node is None:
            index[id(t)] = len(items)
            items.append(Item("tensor", None, t))
        items[index[node if node is not None else id(t)]].output = True

    _label(items, named)
    leaves = {id(item.tensor): item for item in items if item.kind == "leaf"}
    for item in items:
        item.grad = _grad_of(item, grads)
        item.show_grad = item.grad is not None or (item.kind == "leaf" and grads is True)
        if saved and item.kind in ("op", "custom"):
            item.saved = _saved_of(item, items, index, named, leaves)
    if max_nodes is not None and len(items) > max_nodes:
        items = _fold(items)
    for item in items:
        if values and isinstance(item.tensor, list):  # a node with several outputs
            if any(t is not None for t in item.tensor):
                item.value_str = "; ".join("?" if t is None else value_text(t) for t in item.tensor)
        elif values and item.tensor is not None:
            item.value_str = value_text(item.tensor)
        if item.show_grad:
            item.grad_str = "None" if item.grad is None else value_text(item.grad)
        if isinstance(item.saved, list):
            item.saved = [(what, shape_text(t.shape), value_text(t) if values else None) for what, t in item.saved]
    return items


def _value(node, k, known):
    """Output ``k`` of ``node``, if known: a tensor that holds it, else what ``autograd.trace()`` recorded."""
    t = known.get((node, k))
    if t is None and node.traced_values is not None and k < len(node.traced_values):
        t = node.traced_values[k]
    return t


def show_grads(items, grads):
    """Show ``grads`` (node -> gradient of its output, e.g. recorded from the engine) in the boxes."""
    for item in items:
        g = grads.get(item.node)
        item.grad, item.show_grad = g, g is not None
        item.grad_str = value_text(g) if g is not None else None


def _label(items, named):
    """Names the student gave (``names=``), else stable generated ones (``leaf_1``, ``mul_2``)."""
    by_edge = {}
    for name, t in named.values():
        key = (t.grad_fn, t.output_nr) if t.grad_fn is not None else ("leaf", id(t))
        by_edge.setdefault(key, name)
    taken = {name for name, _ in named.values()}
    counts = Counter()
    for item in items:
        if item.kind == "leaf" or item.kind == "tensor":
            name = by_edge.get(("leaf", id(item.tensor)))
            base = "leaf" if item.kind == "leaf" else "tensor"
        elif isinstance(item.tensor, list):  # several outputs: the node gets its own label
            name = None
            item.out_names = [by_edge.get((item.node, k)) for k in range(len(item.tensor))]
            base = op_short(item.op)
        else:
            name = by_edge.get((item.node, 0))
            base = op_short(item.op)
        while name is None:
            counts[base] += 1
            candidate = f"{base}_{counts[base]}"
            name = candidate if candidate not in taken else None
        taken.add(name)
        item.label = name


def _grad_of(item, grads):
    """The gradient a box shows: a leaf's ``.grad``; for an op, that of a tensor that ``retain_grad()``-ed,
    else what ``autograd.trace()`` recorded during backward."""
    if isinstance(grads, dict):
        return grads.get(item.node)
    if not grads:
        return None
    t = item.tensor
    if item.kind == "leaf":
        return t.grad
    if item.kind == "tensor":
        return None
    traced = item.node.traced_grads or ()
    if isinstance(t, list):  # several outputs: the gradients of those that retain_grad() or were traced
        shown = [u.grad if u is not None and u.retains_grad else (traced[k] if k < len(traced) else None)
                 for k, u in enumerate(t)]
        return shown if any(g is not None for g in shown) else None
    if t is not None and t.retains_grad:
        return t.grad
    return traced[0] if traced else None


def _saved_of(item, items, index, named, leaves):
    node = item.node
    if node.freed:
        return "freed"
    found = []
    for t, _ in node.saved:
        if t is None:
            continue
        if id(t) in named:
            what = named[id(t)][0]
        elif t.grad_fn is node:
            what = "its own output"
        elif t.grad_fn is not None and t.grad_fn in index:
            what = items[index[t.grad_fn]].label
        elif t.grad_fn is None and id(t) in leaves:
            what = leaves[id(t)].label
        else:
            what = "a tensor outside the graph"
        found.append((what, t))
    return found


def _fold(items):
    """Replace the middle of each long chain of ops by one box (the listing keeps its meaning).

    A chain link is an op whose only op input is used by nothing else; leaves
    that feed the folded ops are wired to the folded box.
    """
    users = Counter(src for item in items for src, _ in item.inputs)
    is_op = [item.kind in ("op", "custom") and not item.output for item in items]

    def prev_link(i):  # the op before i in a chain, or None
        srcs = [s for s, _ in items[i].inputs if items[s].kind != "leaf"]
        if is_op[i] and len(srcs) == 1 and is_op[srcs[0]] and users[srcs[0]] == 1:
            return srcs[0]
        return None

    nxt = {}
    for i in range(len(items)):
        p = prev_link(i)
        if p is not None:
            nxt[p] = i
    starts = [i for i in range(len(items)) if is_op[i] and i in nxt and prev_link(i) is None]
    fold_to = {}  # index of a folded item -> index of its chain's first folded item
    for s in starts:
        run = [s]
        while run[-1] in nxt:
            run.append(nxt[run[-1]])
        middle = run[KEEP:len(run) - KEEP]
        if len(middle) > 1:
            for i in middle:
                fold_to[i] = middle[0]
    if not fold_to:
        return items

    new, where = [], {}
    for i, item in enumerate(items):
        head = fold_to.get(i, i)
        if head != i:  # folded into an earlier chain box
            where[i] = where[head]
            chain = new[where[head]]
            chain.folded[item.op] += 1
            chain.inputs += [(s, nr) for s, nr in item.inputs if fold_to.get(s) != head]
            continue
        if i in fold_to:  # the first folded item becomes the chain box
            chain = Item("chain")
            chain.folded = Counter({item.op: 1})
            chain.inputs = list(item.inputs)
            item = chain
        where[i] = len(new)
        new.append(item)
    for item in new:
        seen, inputs = set(), []
        for s, nr in item.inputs:
            if (where[s], nr) not in seen:  # several folded ops using one leaf: one edge
                seen.add((where[s], nr))
                inputs.append((where[s], nr))
        item.inputs = inputs
    counts = Counter()
    for item in new:
        if item.kind == "chain":
            counts["chain"] += 1
            item.label = f"chain_{counts['chain']}"
    return new


class Graph(Displayed):
    """What ``draw`` returns. Jupyter shows the SVG; ``print(graph)`` shows the text form.

    Attributes: ``text`` (the deterministic listing), ``source`` (DOT text),
    ``digraph`` (the ``graphviz.Digraph``), ``svg`` (SVG text, None without ``dot``),
    ``png`` (PNG bytes, None without ``dot``).

    Jupyter gets the SVG and a PNG of the same drawing: a notebook that is not trusted
    (a fresh clone, a download) hides stored SVG but shows PNG, so the drawing is there
    when a student first opens a lesson. nbval compares the text form and skips the PNG.
    """

    def __init__(self, items, style=None, edge_labels=None):
        self.items = items
        self.text = text(items)
        self._style, self._edge_labels = style, edge_labels
        self._digraph = self._svg = self._png = None

    @property
    def digraph(self):
        if self._digraph is None:  # made when first needed: the text alone is quick even for 10,000 ops
            self._digraph = digraph(self.items, self._style, self._edge_labels)
        return self._digraph

    @property
    def source(self):
        return self.digraph.source

    @property
    def svg(self):
        if self._svg is None:
            self._svg = DotJob(self.source).result()
        return self._svg

    @property
    def png(self):
        if self._png is None:
            self._png = DotJob(self.source, "png").result()
        return self._png

    def __repr__(self):
        return self.text

    def _repr_svg_(self):
        return self.svg

    def _picture(self, **kwargs):
        png_job = DotJob(self.source, "png") if self._png is None else None  # runs beside the SVG's dot
        svg = self.svg
        if svg is None:
            return {}, {}
        if png_job is not None:
            self._png = png_job.result()
        width = int.from_bytes(self._png[16:20], "big") * 96 // PNG_DPI  # (IHDR) the SVG's size in CSS pixels
        return ({"image/svg+xml": svg, "image/png": base64.b64encode(self._png).decode("ascii")},
                {"image/png": {"width": width}})

    def _text_form(self):
        return self.text if self.svg is not None else MISSING_DOT + "\n\n" + self.text


def draw(*outputs, names=None, values=True, grads=True, saved=False, max_nodes=MAX_NODES):
    """Draw the computation graph that ends in ``outputs`` (what ``backward()`` walks).

    Leaves are blue (name, dtype, shape, value, ``.grad``), ops are named as PyTorch names them
    (``MulBackward0``), custom ``Function`` nodes are orange and dashed, the output is green; edges
    point the way data flows.

    names:     ``locals()`` or a dict ``{"x": x}``: tensors are labelled as you named them
               (unnamed ones get stable labels such as ``leaf_1``, ``mul_2``).
    values:    show values (small tensors in full, large ones as min/max/mean).
    grads:     show the leaves' ``.grad`` (and that of tensors that ``retain_grad()``; inside
               ``viz.trace()``, every node's gradient).
    saved:     show the tensors each op saved for its backward.
    max_nodes: above this many boxes, long chains are folded into one box (None: never).

    Built inside ``with viz.trace():``, every node shows its value and, after ``backward()``, its
    gradient (the gradient of the output with respect to that node's result).

    >>> x = tutorgrad.tensor(3., requires_grad=True)
    >>> y = x * x
    >>> y.backward()
    >>> print(draw(y, names=locals()))   # in Jupyter, draw(y, names=locals()) shows the picture
    graph of y: 1 leaf, 1 op (data flows from the leaves down to the output)
    x = leaf float32 scalar  value 3.  grad 6.
    y = MulBackward0(x, x) -> float32 scalar  value 9.  [output]
    """
    if not outputs:
        raise TypeError("draw() needs at least one tensor, e.g. draw(loss)")
    return Graph(collect(outputs, names, values, bool(grads), saved, max_nodes))
