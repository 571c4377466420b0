"""How the drawings write things: values, shapes, and the text form of a graph (what ``print`` and nbval see).

The text form lists one box per line, inputs first, and is identical on every run and machine::

    graph of y: 1 leaf, 2 ops (data flows from the leaves down to the output)
    x     = leaf float32 scalar  value 2.  grad None
    mul_1 = MulBackward0(x, x) -> float32 scalar  value 4.
    y     = SinBackward0(mul_1) -> float32 scalar  value -0.7568  [output]
"""
import re

import numpy as np

from .._printing import format_values

SMALL = 6  # tensors with up to this many elements are shown in full, larger ones summarised


def shape_text(shape):
    return "scalar" if len(shape) == 0 else f"[{', '.join(map(str, shape))}]"


def value_text(t):
    """The values of a tensor on one line: in full when small, else min/max/mean."""
    if isinstance(t, (list, tuple)):
        return "; ".join("None" if g is None else value_text(g) for g in t)
    a = t.detach().numpy()
    if a.size <= SMALL:
        return re.sub(r"\[\s+", "[", " ".join(format_values(a).split()))  # one line, no padding
    a = a.astype(np.float64)
    finite = a[np.isfinite(a)]
    text = (f"min {finite.min():.4g}, max {finite.max():.4g}, mean {finite.mean():.4g}" if finite.size
            else "no finite values")
    bad = a.size - finite.size
    return text + (f" ({bad} nan/inf)" if bad else "")


def op_short(name):
    """'MulBackward0' -> 'mul' (for the labels of unnamed results)."""
    return re.sub(r"Backward\d*$", "", name).lower() or "op"


def rule_text(node):
    """The op's derivative in one line, as it declares it (``node.rule``); for a student's own Function,
    the first paragraph of its docstring."""
    return " ".join((node.rule or (node.__doc__ or "").strip().split("\n\n")[0]).split())


def folded_ops(item):
    """'MulBackward0 ×3, AddBackward0 ×2': what a folded chain holds, most frequent first."""
    return ", ".join(f"{op} ×{n}" for op, n in sorted(item.folded.items(), key=lambda kv: (-kv[1], kv[0])))


# ---------------------------------------------------------------------------------------------- the text form
def input_names(item, items):
    names = []
    for src, nr in item.inputs:
        s = items[src]
        names.append(f"{s.label}[{nr}]" if s.multi_output else s.label)
    return ", ".join(names)


def meta_text(item):
    texts = [f"{dtype.name} {shape_text(shape)}" for shape, dtype in item.meta]
    if len(texts) > 1 and len(set(texts)) == 1:
        return f"{len(texts)} × {texts[0]}"
    return ", ".join(texts)


def describe(item, items):
    """One line of the text form (without the label)."""
    if item.kind == "chain":
        return (f"{sum(item.folded.values())} ops folded: {folded_ops(item)} (inputs: {input_names(item, items)})"
                "  [draw(..., max_nodes=None) shows every op]")
    if item.kind == "leaf":
        head = f"leaf {meta_text(item)}"
    elif item.kind == "tensor":
        head = f"tensor {meta_text(item)} (requires_grad=False: no graph)"
    else:
        head = f"{item.op}({input_names(item, items)}) -> {meta_text(item)}"
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
