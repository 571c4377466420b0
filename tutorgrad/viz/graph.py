"""``draw(loss)``: a picture of the graph that ``loss.backward()`` will walk.

The drawing reads exactly what the engine reads: ``tensor.grad_fn``, each node's
``next_functions`` (one ``(node, output_nr)`` pair per forward input), the leaf
behind each ``AccumulateGrad`` node (``.variable``) and the tensors a node saved
for its backward (``node._saved``). There is no second graph model.

Edges point the way data flows (from the leaves to the output); gradients flow
back along them. Every drawing has three forms:

* SVG, made by Graphviz's ``dot`` program (what Jupyter shows);
* ``graph.text``: a listing of the nodes and their inputs that is identical on
  every run and machine (what ``print(graph)`` and nbval see);
* ``graph.source``: the DOT text (``graph.digraph`` is the ``graphviz.Digraph``).

>>> x = tutorgrad.tensor(2., requires_grad=True)
>>> y = (x * x).sin()
>>> print(draw(y, names={"x": x, "y": y}))
graph of y: 1 leaf, 2 ops (data flows from the leaves down to the output)
x     = leaf float32 scalar  value 2.  grad None
mul_1 = MulBackward0(x, x) -> float32 scalar  value 4.
y     = SinBackward0(mul_1) -> float32 scalar  value -0.7568  [output]

Values of unnamed intermediate results are known only while some node keeps
them for its backward (``mul_1`` above: ``sin`` saved its input); name them
(``names=locals()``) to always see them.
"""
import base64
import re
import shutil
import subprocess
import threading
import weakref
from collections import Counter
from html import escape

import graphviz
import numpy as np

from .. import _printing
from .._dtypes import _by_np
from ..autograd.function import AccumulateGrad, BackwardNode
from ..tensor import Tensor

SMALL = 6          # tensors with up to this many elements are shown in full, larger ones summarised
MAX_NODES = 300    # above this many boxes, long chains of ops are folded (readable, and `dot` stays fast)
KEEP = 2           # boxes kept at each end of a folded chain

MISSING_DOT = (
    "Graphviz's `dot` program was not found, so the graph is shown as text below. To see the "
    "drawing, install the Graphviz program (pip's `graphviz` package alone is not enough): "
    "`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
    "`conda install -c conda-forge graphviz`, or see https://graphviz.org/download/. "
    "Then run the cell again.")

COLORS = {"leaf": "#dbeafe", "op": "#f3f4f6", "custom": "#ffe0b2", "tensor": "#ffffff", "chain": "#eeeeee",
          "output": "#c8e6c9", "saved": "#fff9c4", "grad": "#b71c1c", "current": "#d32f2f", "pending": "#9e9e9e"}


# ---------------------------------------------------------------------------------------------- text of values
def shape_text(shape):
    return "scalar" if len(shape) == 0 else f"[{', '.join(map(str, shape))}]"


def value_text(t):
    """The values of a tensor on one line: in full when small, else min/max/mean."""
    if isinstance(t, (list, tuple)):
        return "; ".join("None" if g is None else value_text(g) for g in t)
    a = t._data
    if a.size <= SMALL:
        return re.sub(r"\[\s+", "[", " ".join(_printing._tensor_str(a, 0).split()))  # one line, no padding
    a = a.astype(np.float64)
    finite = a[np.isfinite(a)]
    text = (f"min {finite.min():.4g}, max {finite.max():.4g}, mean {finite.mean():.4g}" if finite.size
            else "no finite values")
    bad = a.size - finite.size
    return text + (f" ({bad} nan/inf)" if bad else "")


def op_short(name):
    """'MulBackward0' -> 'mul' (for the labels of unnamed results)."""
    return re.sub(r"Backward\d*$", "", name).lower() or "op"


def rule(node):
    """The first line of the op's docstring: its derivative in one line (``MulBackward0``: dz/dx = y...)."""
    cls = getattr(node, "_forward_cls", None)
    doc = (cls.__doc__ or "") if cls is not None else ""
    return " ".join(doc.strip().split("\n\n")[0].split())


def is_custom(node):
    return isinstance(node, BackwardNode) and not node._forward_cls._builtin


# ---------------------------------------------------------------------------------------------- walking the graph
def _inputs(node):
    return [child for child, _ in node.next_functions if child is not None]


def topo_order(roots):
    """Every node reachable from ``roots``, inputs before the ops that use them.

    An iterative depth-first walk along ``next_functions`` (no recursion, so a
    10,000-op chain is fine); the order depends only on the graph's structure.
    """
    order, seen = [], set()
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(_inputs(root)))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if child not in seen:
                    seen.add(child)
                    stack.append((child, iter(_inputs(child))))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


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
        return [(shape, _by_np[dtype]) for shape, dtype in
                (m for m in getattr(self.node, "_output_meta", ()) if m is not None)]


def collect(outputs, names=None, values=True, grads=True, saved=False, max_nodes=MAX_NODES):
    """The boxes of the drawing, inputs first. ``grads`` may map node -> gradient (the widgets' own)."""
    named = _names(names)
    roots, items, index = [], [], {}
    for t in outputs:
        if not isinstance(t, Tensor):
            raise TypeError(f"draw() takes tensors, e.g. draw(loss); got {type(t).__name__}")
        roots.append((t._edge() if t.requires_grad else (None, 0), t))

    order = topo_order([node for (node, _), _ in roots if node is not None])
    known = {}   # (node, output_nr) -> tensor with that value: named tensors, outputs, saved tensors
    for name, t in named.values():
        if t._grad_fn is not None:
            known.setdefault((t._grad_fn, t._output_nr), t)
    for (node, nr), t in roots:
        if node is not None and not isinstance(node, AccumulateGrad):
            known.setdefault((node, nr), t)
    for node in order:
        for t, version in zip(getattr(node, "_saved", ()), getattr(node, "_saved_versions", ())):
            if t is not None and t._grad_fn is not None and t._version == version:
                known.setdefault((t._grad_fn, t._output_nr), t)

    for node in order:
        if isinstance(node, AccumulateGrad):
            item = Item("leaf", node, node.variable)
        else:
            n = getattr(node, "_n_outputs", 1)
            value = known.get((node, 0)) if n == 1 else [known.get((node, k)) for k in range(n)]
            item = Item("custom" if is_custom(node) else "op", node, value)
            item.inputs = [(index[child], nr) for child, nr in node.next_functions if child is not None]
        index[node] = len(items)
        items.append(item)
    for (node, nr), t in roots:
        if node is None:
            index[id(t)] = len(items)
            items.append(Item("tensor", None, t))
        items[index[node if node is not None else id(t)]].output = True

    _label(items, named)
    for item in items:
        item.grad = _grad_of(item, grads)
        item.show_grad = item.grad is not None or (item.kind == "leaf" and grads is True)
        if saved and item.kind in ("op", "custom"):
            item.saved = _saved_of(item, items, index, named)
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
        key = (t._grad_fn, t._output_nr) if t._grad_fn is not None else ("leaf", id(t))
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
    if isinstance(grads, dict):
        return grads.get(item.node)
    if not grads:
        return None
    t = item.tensor
    if item.kind == "leaf":
        return t._grad
    if isinstance(t, list):  # several outputs: show the gradients of those that retain_grad()
        shown = [u._grad if u is not None and u._retains_grad else None for u in t]
        return shown if any(g is not None for g in shown) else None
    if t is not None and t._retains_grad:
        return t._grad
    return None


def _saved_of(item, items, index, named):
    node = item.node
    if getattr(node, "_freed", False):
        return "freed"
    found = []
    for t in getattr(node, "_saved", ()):
        if t is None:
            continue
        if id(t) in named:
            what = named[id(t)][0]
        elif t._grad_fn is node:
            what = "its own output"
        elif t._grad_fn is not None and t._grad_fn in index:
            what = items[index[t._grad_fn]].label
        elif t._grad_fn is None and t._acc is not None and t._acc() in index:
            what = items[index[t._acc()]].label
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


# ---------------------------------------------------------------------------------------------- text form
def _input_names(item, items):
    names = []
    for src, nr in item.inputs:
        s = items[src]
        multi = s.kind in ("op", "custom") and getattr(s.node, "_n_outputs", 1) > 1
        names.append(f"{s.label}[{nr}]" if multi else s.label)
    return ", ".join(names)


def _meta_text(item):
    texts = [f"{dtype.name} {shape_text(shape)}" for shape, dtype in item.meta]
    if len(texts) > 1 and len(set(texts)) == 1:
        return f"{len(texts)} × {texts[0]}"
    return ", ".join(texts)


def describe(item, items):
    """One line of the text form (without the label)."""
    if item.kind == "chain":
        ops = ", ".join(f"{op} ×{n}" for op, n in sorted(item.folded.items(), key=lambda kv: (-kv[1], kv[0])))
        total = sum(item.folded.values())
        return (f"{total} ops folded: {ops} (inputs: {_input_names(item, items)})"
                "  [draw(..., max_nodes=None) shows every op]")
    if item.kind == "leaf":
        head = f"leaf {_meta_text(item)}"
    elif item.kind == "tensor":
        head = f"tensor {_meta_text(item)} (requires_grad=False: no graph)"
    else:
        head = f"{item.op}({_input_names(item, items)}) -> {_meta_text(item)}"
        if item.kind == "custom":
            head += "  custom Function"
        if item.out_names and any(item.out_names):
            head += "  outputs " + ", ".join(n or "?" for n in item.out_names)
    parts = [head]
    if item.value_str is not None:
        parts.append(f"value {item.value_str}")
    if item.grad_str is not None:
        parts.append(f"grad {item.grad_str}")
    if item.saved == "freed":
        parts.append("saved: freed by backward()")
    elif item.saved:
        parts.append("saved: " + ", ".join(f"{what} ({value or shape})" for what, shape, value in item.saved))
    if item.output:
        parts.append("[output]")
    return "  ".join(parts)


def title(items):
    outs = [it.label for it in items if it.output]
    leaves = sum(it.kind == "leaf" for it in items)
    ops = sum(it.kind in ("op", "custom") for it in items) + sum(sum(it.folded.values()) for it in items
                                                                  if it.kind == "chain")
    return (f"graph of {', '.join(outs)}: {leaves} lea{'f' if leaves == 1 else 'ves'}, {ops} op{'s' * (ops != 1)} "
            "(data flows from the leaves down to the output)")


def text(items):
    width = max(len(it.label) for it in items)
    lines = [title(items)]
    for item in items:
        lines.append(f"{item.label.ljust(width)} = {describe(item, items)}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- DOT form
def _html(lines):
    return "<" + "<br/>".join(lines) + ">"


def _small(s, color=None):
    s = escape(s)
    return f'<font point-size="9"{f" color={chr(34)}{color}{chr(34)}" if color else ""}>{s}</font>'


def _box(item, style):
    """The HTML-like label and the attributes of one box."""
    kind = item.kind
    fill = COLORS["output"] if item.output else COLORS[kind]
    attrs = {"fillcolor": fill}
    if kind == "chain":
        ops = ", ".join(f"{op} ×{n}" for op, n in sorted(item.folded.items(), key=lambda kv: (-kv[1], kv[0])))
        lines = [f"<b>{sum(item.folded.values())} ops folded</b>", _small(ops), _small("max_nodes=None shows all")]
        attrs["style"] = "rounded,filled,dashed"
        return _html(lines), attrs
    if kind in ("leaf", "tensor"):
        lines = [f"<b>{escape(item.label)}</b>", _small(f"{kind} · {_meta_text(item)}")]
        if kind == "leaf":
            attrs["tooltip"] = f"{item.label}: a leaf; its AccumulateGrad node adds the gradient to {item.label}.grad"
    else:
        lines = [f"<b>{escape(item.op)}</b>", _small(f"{item.label} · {_meta_text(item)}")]
        if item.out_names and any(item.out_names):
            lines.append(_small("outputs " + ", ".join(n or "?" for n in item.out_names)))
        if kind == "custom":
            lines.append(_small("custom Function"))
            attrs["style"] = "filled,dashed"
        attrs["tooltip"] = rule(item.node) or item.op
    if item.value_str is not None:
        lines.append(escape(f"value {item.value_str}"))
    if item.grad_str is not None:
        lines.append(f'<font color="{COLORS["grad"]}">{escape("grad " + item.grad_str)}</font>')
    if item.output:
        lines.append(_small("output"))
        attrs["penwidth"] = "2"
    state = style.get(id(item))
    if state == "current":
        attrs.update(color=COLORS["current"], penwidth="3")
    elif state == "pending":
        attrs.update(color=COLORS["pending"], fontcolor="#616161")
    return _html(lines), attrs


def digraph(items, style=None, edge_labels=None):
    """The ``graphviz.Digraph``. ``style``: id(item) -> 'current'/'pending'; ``edge_labels``: (src, dst) -> text."""
    style, edge_labels = style or {}, edge_labels or {}
    g = graphviz.Digraph(
        graph_attr={"rankdir": "TB", "bgcolor": "white", "nodesep": "0.25", "ranksep": "0.35"},
        node_attr={"shape": "box", "style": "rounded,filled", "fontname": "Helvetica", "fontsize": "11",
                   "margin": "0.15,0.06"},
        edge_attr={"arrowsize": "0.7", "color": "#546e7a", "fontname": "Helvetica", "fontsize": "9",
                   "fontcolor": COLORS["grad"]})
    for i, item in enumerate(items):
        label, attrs = _box(item, style)
        g.node(f"n{i}", label=label, **attrs)
        if item.saved == "freed":
            g.node(f"s{i}", label=_html([_small("saved tensors freed by backward()")]), shape="note",
                   style="filled", fillcolor=COLORS["saved"])
            g.edge(f"s{i}", f"n{i}", style="dashed", arrowhead="none")
        elif item.saved:
            lines = [_small(f"saved {what}: {shape}") + ("<br/>" + _small(value) if value else "")
                     for what, shape, value in item.saved]
            g.node(f"s{i}", label=_html(lines), shape="note", style="filled", fillcolor=COLORS["saved"])
            g.edge(f"s{i}", f"n{i}", style="dashed", arrowhead="none")
    for i, item in enumerate(items):
        for src, nr in item.inputs:
            s = items[src]
            label = edge_labels.get((src, i), "")
            if s.kind in ("op", "custom") and getattr(s.node, "_n_outputs", 1) > 1:
                label = f"[{nr}] {label}".strip()
            g.edge(f"n{src}", f"n{i}", **({"label": " " + label} if label else {}))
    return g


# ---------------------------------------------------------------------------------------------- rendering
def dot_path():
    return shutil.which("dot")


PNG_DPI = 144  # the PNG beside each SVG: 1.5 pixels per CSS pixel, sharp on most screens


class DotJob:
    """One run of ``dot -Tsvg`` in the background; ``result()`` waits for the SVG (None without ``dot``).

    ``DotJob(source)`` starts it at once. ``DotJob()`` starts the program and lets
    it wait for ``send(source)``: a widget keeps one such spare ready, so a slider
    change does not wait for ``dot`` to start. ``DotJob(source, "png")`` makes a PNG
    (bytes, at ``PNG_DPI``) instead.
    """

    def __init__(self, source=None, fmt="svg"):
        self.proc = None
        self.fmt = fmt
        exe = dot_path()
        if exe is None:
            return
        args = [exe, f"-T{fmt}"] + ([f"-Gdpi={PNG_DPI}"] if fmt == "png" else [])
        try:
            self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError:
            return
        weakref.finalize(self, _stop, self.proc)  # a spare never used: don't leave it waiting
        if source is not None:
            self.send(source)

    def send(self, source):
        if self.proc is not None:
            # A thread feeds dot and collects its output, so dot starts at once and no pipe can fill up.
            self._thread = threading.Thread(target=self._talk, args=(source.encode(),), daemon=True)
            self._thread.start()
        return self

    def _talk(self, data):
        self._out, self._err = self.proc.communicate(data)

    def stop(self):
        """End a spare that will not be used."""
        if self.proc is not None:
            _stop(self.proc)

    def result(self):
        if self.proc is None:
            return None
        self._thread.join()
        if self.proc.returncode != 0:
            raise RuntimeError(f"Graphviz's dot failed: {self._err.decode(errors='replace').strip()}")
        return self._out.decode() if self.fmt == "svg" else self._out


def _stop(proc):
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        pipe.close()


def svg_body(svg):
    """The ``<svg>`` element alone (no XML prolog), for putting inside HTML."""
    return svg[svg.index("<svg"):] if svg else svg


class Graph:
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

    def _repr_mimebundle_(self, include=None, exclude=None):
        png_job = DotJob(self.source, "png") if self._png is None else None  # runs beside the SVG's dot
        svg = self.svg
        if svg is None:
            return {"text/plain": MISSING_DOT + "\n\n" + self.text}, {}
        if png_job is not None:
            self._png = png_job.result()
        width = int.from_bytes(self._png[16:20], "big") * 96 // PNG_DPI  # (IHDR) the SVG's size in CSS pixels
        return ({"text/plain": self.text, "image/svg+xml": svg,
                 "image/png": base64.b64encode(self._png).decode("ascii")}, {"image/png": {"width": width}})


def draw(*outputs, names=None, values=True, grads=True, saved=False, max_nodes=MAX_NODES):
    """Draw the computation graph that ends in ``outputs`` (what ``backward()`` walks).

    Leaves are blue (name, dtype, shape, value, ``.grad``), ops are named as
    PyTorch names them (``MulBackward0``), custom ``Function`` nodes are orange
    and dashed, the output is green; edges point the way data flows.

    names:     ``locals()`` or a dict ``{"x": x}``: tensors are labelled as you named them
               (unnamed ones get stable labels such as ``leaf_1``, ``mul_2``).
    values:    show values (small tensors in full, large ones as min/max/mean).
    grads:     show the leaves' ``.grad`` (and that of tensors that ``retain_grad()``).
    saved:     show the tensors each op saved for its backward.
    max_nodes: above this many boxes, long chains are folded into one box (None: never).

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
