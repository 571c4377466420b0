"""``chain_rule(y, {"u": u})``: one node of the backward pass as a picture.

Forward, on top, the values flow left to right: ``u`` goes into the operation and ``y`` comes
out. Backward, below, the gradients flow right to left: the **upstream** gradient ∂L/∂y arrives
at ``y``, the node multiplies it by its **local** derivative ∂y/∂u, and the product, the
**downstream** gradient ∂L/∂u, goes on to ``u``:

    ∂L/∂u = ∂L/∂y · ∂y/∂u        (upstream × local = downstream)

The local derivatives are autograd's own (``torch.autograd.grad(y, u)`` on the graph that made
``y``, which stays as it was); the picture checks, through ``grad_fn.next_functions``, that each
input really goes straight into ``y``'s node.

>>> import tutorgrad as torch
>>> x = torch.tensor(1.5, requires_grad=True)
>>> u = x ** 2
>>> y = torch.sin(u)
>>> chain_rule(y, {"u": u}, rule="cos(u)")           # doctest: +SKIP
"""
from .. import autograd
from ..tensor import Tensor
from .plots import Figure

FORWARD, BACKWARD = "#37474f", "#c62828"


def _number(x):
    text = f"{x:.4g}"
    return "0" if text == "-0" else text.replace("-", "−")


def _feeds(node, t):
    """True if tensor ``t`` is an input of ``node`` (its own node, or its AccumulateGrad, is next)."""
    for child, _ in node.next_functions:
        if child is None:
            continue
        if t.grad_fn is not None and child is t.grad_fn:
            return True
        if t.grad_fn is None and getattr(child, "variable", None) is t:
            return True
    return False


def chain_rule(output, inputs, upstream=1.0, name="y", rule=None, loss="L"):
    """Picture of the chain rule at the operation that made ``output``.

    ``output``: a one-element tensor made by one operation from ``inputs``, a dict
    ``{"u": u, ...}`` of the tensors that went into it. ``upstream``: ∂L/∂output arriving
    from further down the graph (1 when ``output`` is the loss itself). ``rule``: the local
    derivative as text, shown next to its value (``"cos(u)"``; a dict per input for several).
    Returns a matplotlib ``Figure`` (Jupyter shows it).
    """
    if not isinstance(output, Tensor) or output.numel() != 1:
        raise TypeError("chain_rule() needs a one-element tensor as its output, e.g. y = torch.sin(u)")
    if not isinstance(inputs, dict) or not inputs or not all(isinstance(t, Tensor) for t in inputs.values()):
        raise TypeError('chain_rule() needs the inputs as a dict of tensors, e.g. {"u": u}')
    node = output.grad_fn
    if node is None:
        raise ValueError("chain_rule(): the output has no grad_fn; compute it from tensors that require grad")
    for label, t in inputs.items():
        if not _feeds(node, t):
            raise ValueError(f"chain_rule() draws one operation: {label} is not an input of {name}'s node "
                             f"{node.name()}")
    names, tensors = list(inputs), list(inputs.values())
    local = autograd.grad(output, tensors, retain_graph=True)
    rules = rule if isinstance(rule, dict) else {n: rule for n in names} if rule else {}
    op = node.name().replace("Backward0", "").replace("Backward", "").lower()
    up = float(upstream)

    n = len(names)
    row = 1.25
    top = 2.0 + row * (n - 1)
    fig = Figure(figsize=(7.2, top), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, top)
    ax.axis("off")
    mid = top / 2 + 0.15
    ax.text(0.1, top - 0.1, "forward: values →", color=FORWARD, fontsize=9, va="top")
    ax.text(9.9, 0.08, "← backward: gradients", color=BACKWARD, fontsize=9, ha="right", va="bottom")

    # the operation and its output
    ax.text(5.75, mid, op, ha="center", va="center", fontsize=12, family="monospace",
            bbox=dict(boxstyle="round,pad=0.5", fc="#eceff1", ec=FORWARD))
    ax.annotate("", xy=(7.7, mid), xytext=(6.3, mid), arrowprops=dict(arrowstyle="->", color=FORWARD, lw=1.5))
    ax.text(7.8, mid + 0.08, f"{name} = {_number(output.item())}", va="bottom", fontsize=10, color=FORWARD)
    ax.annotate("", xy=(6.3, mid - 0.3), xytext=(9.8, mid - 0.3),
                arrowprops=dict(arrowstyle="->", color=BACKWARD, lw=1.5))
    ax.text(9.8, mid - 0.38, f"upstream ∂{loss}/∂{name} = {_number(up)}", ha="right", va="top", fontsize=9,
            color=BACKWARD)

    # each input: its value in, and out: upstream × local = downstream
    for k, (label, t, g) in enumerate(zip(names, tensors, local)):
        y = mid + (0.5 * (n - 1) - k) * row
        at = mid + 0.12 * (n - 1 - 2 * k)  # where its arrows meet the node
        d = 0.0 if g is None else g.item()
        ax.text(0.2, y + 0.08, f"{label} = {_number(t.item())}", va="bottom", fontsize=10, color=FORWARD)
        ax.annotate("", xy=(5.15, at + 0.05), xytext=(4.0, y + 0.05),
                    arrowprops=dict(arrowstyle="->", color=FORWARD, lw=1.5))
        ax.annotate("", xy=(4.0, y - 0.3), xytext=(5.15, at - 0.3),
                    arrowprops=dict(arrowstyle="->", color=BACKWARD, lw=1.5))
        ax.text(0.2, y - 0.16, f"∂{loss}/∂{label} = {_number(up)} × {_number(d)} = {_number(up * d)}", va="top",
                fontsize=10, color=BACKWARD, weight="bold")
        how = f" = {rules[label]}" if rules.get(label) else ""
        ax.text(0.2, y - 0.5, f"upstream × local ∂{name}/∂{label}{how}", va="top", fontsize=8.5, color=BACKWARD)
    return fig
