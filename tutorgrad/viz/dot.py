"""The drawing as Graphviz DOT text, and Graphviz's ``dot`` program that lays it out as SVG.

``digraph(items)`` turns the boxes that ``graph.collect`` made into a ``graphviz.Digraph`` (an
HTML-like label per box: name, dtype and shape, value, gradient; colours by kind);
``DotJob(source)`` runs ``dot -Tsvg`` in the background (``DotJob(source, "png")`` a PNG). A widget
keeps a spare ``DotJob()`` started, so that a slider change does not wait for the program to start.
"""
import shutil
import subprocess
import threading
import weakref
from html import escape

import graphviz

from .text import folded_ops, meta_text, rule_text

MISSING_DOT = (
    "Graphviz's `dot` program was not found, so the graph is shown as text below. To see the "
    "drawing, install the Graphviz program (pip's `graphviz` package alone is not enough): "
    "`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
    "`conda install -c conda-forge graphviz`, or see https://graphviz.org/download/. "
    "Then run the cell again.")

COLORS = {"leaf": "#dbeafe", "op": "#f3f4f6", "custom": "#ffe0b2", "tensor": "#ffffff", "chain": "#eeeeee",
          "output": "#c8e6c9", "saved": "#fff9c4", "grad": "#b71c1c", "current": "#d32f2f", "pending": "#9e9e9e"}


# ---------------------------------------------------------------------------------------------- DOT text
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
        lines = [f"<b>{sum(item.folded.values())} ops folded</b>", _small(folded_ops(item)),
                 _small("max_nodes=None shows all")]
        attrs["style"] = "rounded,filled,dashed"
        return _html(lines), attrs
    if kind in ("leaf", "tensor"):
        lines = [f"<b>{escape(item.label)}</b>", _small(f"{kind} · {meta_text(item)}")]
        if kind == "leaf":
            attrs["tooltip"] = f"{item.label}: a leaf; its AccumulateGrad node adds the gradient to {item.label}.grad"
    else:
        lines = [f"<b>{escape(item.op)}</b>", _small(f"{item.label} · {meta_text(item)}")]
        if item.out_names and any(item.out_names):
            lines.append(_small("outputs " + ", ".join(n or "?" for n in item.out_names)))
        if kind == "custom":
            lines.append(_small("custom Function"))
            attrs["style"] = "filled,dashed"
        attrs["tooltip"] = rule_text(item.node) or item.op
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
            if s.multi_output:
                label = f"[{nr}] {label}".strip()
            g.edge(f"n{src}", f"n{i}", **({"label": " " + label} if label else {}))
    return g


# ---------------------------------------------------------------------------------------------- the dot program
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
