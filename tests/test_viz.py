"""tutorgrad.viz: drawings of the graph, the widgets, the plots (headless, in-process).

The drawing must show exactly the graph the engine walks, the same way on every run;
the widgets must show what autograd computed and survive bad student functions.
"""
import base64
import io
import json
import math
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import tutorgrad as torch
from tutorgrad import viz
from tutorgrad.autograd.engine import run_backward, watch
from tutorgrad.autograd.function import AccumulateGrad
from tutorgrad.viz import dot as D, text as T

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
needs_dot = pytest.mark.skipif(D.dot_path() is None, reason="Graphviz's dot is not installed")


def small_graph():
    x = torch.tensor(2.0, requires_grad=True)
    w = torch.tensor([1.0, -1.0, 0.5], requires_grad=True)
    b = torch.tensor(0.5, requires_grad=True)
    h = (w * x + b).tanh()
    y = h.sum()
    return {"x": x, "w": w, "b": b, "h": h, "y": y}


def dot_edges(source):
    return re.findall(r"^\s*(n\d+) -> (n\d+)", source, flags=re.M)


# ---------------------------------------------------------------------------------------------- text form
GOLDEN_NAMED = """\
graph of y: 3 leaves, 4 ops (data flows from the leaves down to the output)
w     = leaf float32 [3]  value [1.0000, -1.0000, 0.5000]  grad None
x     = leaf float32 scalar  value 2.  grad None
mul_1 = MulBackward0(w, x) -> float32 [3]  saved: w ([1.0000, -1.0000, 0.5000]), x (2.)
b     = leaf float32 scalar  value 0.5000  grad None
add_1 = AddBackward0(mul_1, b) -> float32 [3]
h     = TanhBackward0(add_1) -> float32 [3]  value [0.9866, -0.9051, 0.9051]  saved: h ([0.9866, -0.9051, 0.9051])
y     = SumBackward0(h) -> float32 scalar  value 0.9866  [output]"""

GOLDEN_AFTER_BACKWARD = """\
graph of y: 3 leaves, 4 ops (data flows from the leaves down to the output)
w     = leaf float32 [3]  value [1.0000, -1.0000, 0.5000]  grad [0.0532, 0.3614, 0.3614]
x     = leaf float32 scalar  value 2.  grad -0.0638
mul_1 = MulBackward0(w, x) -> float32 [3]  saved: freed by backward()
b     = leaf float32 scalar  value 0.5000  grad 0.3880
add_1 = AddBackward0(mul_1, b) -> float32 [3]
h     = TanhBackward0(add_1) -> float32 [3]  value [0.9866, -0.9051, 0.9051]  saved: freed by backward()
y     = SumBackward0(h) -> float32 scalar  value 0.9866  [output]"""

GOLDEN_UNNAMED = """\
graph of sum_1: 3 leaves, 4 ops (data flows from the leaves down to the output)
leaf_1 = leaf float32 [3]  value [1.0000, -1.0000, 0.5000]  grad None
leaf_2 = leaf float32 scalar  value 2.  grad None
mul_1  = MulBackward0(leaf_1, leaf_2) -> float32 [3]
leaf_3 = leaf float32 scalar  value 0.5000  grad None
add_1  = AddBackward0(mul_1, leaf_3) -> float32 [3]
tanh_1 = TanhBackward0(add_1) -> float32 [3]  value [0.9866, -0.9051, 0.9051]
sum_1  = SumBackward0(tanh_1) -> float32 scalar  value 0.9866  [output]"""


def test_text_golden_with_names_and_saved_tensors():
    t = small_graph()
    assert viz.draw(t["y"], names=t, saved=True).text == GOLDEN_NAMED


def test_text_golden_after_backward_shows_grads_and_freed_saved_tensors():
    t = small_graph()
    t["y"].backward()
    assert viz.draw(t["y"], names=t, saved=True).text == GOLDEN_AFTER_BACKWARD


def test_text_golden_without_names_uses_stable_labels():
    t = small_graph()
    graph = viz.draw(t["y"])
    assert graph.text == GOLDEN_UNNAMED
    assert repr(graph) == GOLDEN_UNNAMED
    assert graph._repr_mimebundle_()[0]["text/plain"] == GOLDEN_UNNAMED or D.dot_path() is None


@needs_dot
def test_drawing_is_svg_with_a_png_beside_it_for_untrusted_notebooks():
    """JupyterLab hides stored SVG in an untrusted notebook (a fresh clone) but shows PNG: the bundle has both,
    the same picture at the same size; nbval compares only the text form (and skips PNG)."""
    from PIL import Image
    t = small_graph()
    t["y"].backward()
    graph = viz.draw(t["y"], names=t)
    data, metadata = graph._repr_mimebundle_()
    assert set(data) == {"text/plain", "image/svg+xml", "image/png"} and data["text/plain"] == graph.text
    png = base64.b64decode(data["image/png"], validate=True)
    assert png == graph.png and png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    size = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', data["image/svg+xml"]).groups()
    svg_pt = [float(v) for v in size]
    assert all(abs(px - pt * D.PNG_DPI / 72) <= 2 for px, pt in zip(image.size, svg_pt))
    assert abs(metadata["image/png"]["width"] - svg_pt[0] * 96 / 72) <= 2  # shown at the SVG's size in CSS pixels
    colors = image.convert("RGB").getcolors(1 << 16)
    assert len(colors) > 10, "the PNG is blank"  # boxes, text and edges, not one flat colour


def test_values_and_grads_can_be_hidden():
    t = small_graph()
    t["y"].backward()
    text = viz.draw(t["y"], names=t, values=False, grads=False).text
    assert "value" not in text and "grad" not in text
    assert "h     = TanhBackward0(add_1) -> float32 [3]" in text


GOLDEN_DOT = """\
digraph {
\tgraph [bgcolor=white nodesep=0.25 rankdir=TB ranksep=0.35]
\tnode [fontname=Helvetica fontsize=11 margin="0.15,0.06" shape=box style="rounded,filled"]
\tedge [arrowsize=0.7 color="#546e7a" fontcolor="#b71c1c" fontname=Helvetica fontsize=9]
\tn0 [label=<<b>x</b><br/><font point-size="9">leaf · float32 scalar</font><br/>value 3.<br/><font color="#b71c1c">grad 6.</font>> fillcolor="#dbeafe" tooltip="x: a leaf; its AccumulateGrad node adds the gradient to x.grad"]
\tn1 [label=<<b>MulBackward0</b><br/><font point-size="9">y · float32 scalar</font><br/>value 9.<br/><font point-size="9">output</font>> fillcolor="#c8e6c9" penwidth=2 tooltip="z = x * y. dz/dx = y, dz/dy = x."]
\tn0 -> n1
\tn0 -> n1
}
"""


def test_dot_golden():
    x = torch.tensor(3.0, requires_grad=True)
    y = x * x
    y.backward()
    graph = viz.draw(y, names={"x": x, "y": y})
    assert graph.source == GOLDEN_DOT
    assert graph.digraph.source == graph.source


def test_edges_are_exactly_the_engines_next_functions():
    torch.manual_seed(0)
    a = torch.randn(3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    c = a * b
    d = (c + a).exp() * c - b.sin()
    y = d.sum() + c.mean()
    graph = viz.draw(y)
    index = {item.node: i for i, item in enumerate(graph.items)}
    expected = sorted((f"n{index[child]}", f"n{index[node]}") for node in index
                      for child, _ in node.next_functions if child is not None)
    assert sorted(dot_edges(graph.source)) == expected
    leaves = [item for item in graph.items if item.kind == "leaf"]
    assert {id(item.tensor) for item in leaves} == {id(a), id(b)}
    assert all(isinstance(item.node, AccumulateGrad) for item in leaves)
    outputs = [item for item in graph.items if item.output]
    assert [item.node for item in outputs] == [y.grad_fn]


def test_custom_function_nodes_are_styled_apart():
    class Cube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            ctx.save_for_backward(t)
            return t * t * t

        @staticmethod
        def backward(ctx, g):
            t, = ctx.saved_tensors
            return 3 * t * t * g

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x).sum()
    graph = viz.draw(y, names={"x": x, "y": y}, saved=True)
    assert "cube_1 = CubeBackward(x) -> float32 [2]  custom Function  saved: x ([1., 2.])" in graph.text
    custom = re.search(r"^\s*n1 \[.*$", graph.source, flags=re.M).group(0)
    builtin = re.search(r"^\s*n2 \[.*$", graph.source, flags=re.M).group(0)
    assert "CubeBackward" in custom and 'style="filled,dashed"' in custom and D.COLORS["custom"] in custom
    assert "SumBackward0" in builtin and "dashed" not in builtin


def test_multi_output_nodes_name_their_outputs():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    a, b, c = x.unbind(0)
    y = a * b + c
    text = viz.draw(y, names={"x": x, "a": a, "b": b, "y": y}).text
    assert "unbind_1 = UnbindBackward0(x) -> 3 × float32 scalar  outputs a, b, ?  value 1.; 2.; ?" in text
    assert "mul_1    = MulBackward0(unbind_1[0], unbind_1[1])" in text
    assert "y        = AddBackward0(mul_1, unbind_1[2])" in text
    assert '[label=" [2]"]' in viz.draw(y).source


def test_names_from_locals_skip_ipython_names_and_expand_modules():
    model = torch.nn.Linear(2, 1)
    x = torch.tensor([[1.0, 2.0]])
    loss = (model(x) - 1).pow(2).mean()
    _ = loss  # IPython's "_": never a label
    text = viz.draw(loss, names=locals()).text
    assert text.startswith("graph of loss:")
    assert "model.weight = leaf float32 [1, 2]" in text and "model.bias" in text
    with pytest.raises(TypeError, match="names must be a dict"):
        viz.draw(loss, names=["loss"])


def test_generated_labels_never_clash_with_given_names():
    x = torch.tensor(1.0, requires_grad=True)
    mul_1 = x * 2  # the student used the label the drawing would have generated
    y = mul_1 * 3
    labels = [item.label for item in viz.draw(y, names={"x": x, "mul_1": mul_1}).items]
    assert labels == ["x", "mul_1", "mul_2"]


def test_retained_grads_and_leaf_outputs_and_tensors_without_graph():
    x = torch.tensor(2.0, requires_grad=True)
    h = x * x
    h.retain_grad()
    y = h * 3
    y.backward()
    assert "h = MulBackward0(x, x) -> float32 scalar  value 4.  grad 3." in viz.draw(y, names=locals()).text
    assert viz.draw(x, names={"x": x}).text.endswith("x = leaf float32 scalar  value 2.  grad 12.  [output]")
    c = torch.tensor([1, 2])
    assert "(requires_grad=False: no graph)  value [1, 2]  [output]" in viz.draw(c).text
    with pytest.raises(TypeError, match="draw\\(\\) takes tensors"):
        viz.draw(3.0)
    with pytest.raises(TypeError, match="at least one tensor"):
        viz.draw()


def test_large_tensors_are_summarised():
    torch.manual_seed(0)
    w = torch.randn(100, 100, requires_grad=True)
    y = (w * 2).sum()
    y.backward()
    line = viz.draw(y, names={"w": w, "y": y}).text.splitlines()[1]
    a = w.detach().numpy().astype(np.float64)
    assert line == (f"w     = leaf float32 [100, 100]  value min {a.min():.4g}, max {a.max():.4g}, "
                    f"mean {a.mean():.4g}  grad min 2, max 2, mean 2")
    assert T.value_text(torch.tensor([float("nan")] * 3 + [1.0] * 5)) == "min 1, max 1, mean 1 (3 nan/inf)"


# ---------------------------------------------------------------------------------------------- determinism
BUILD = textwrap.dedent("""
    import tutorgrad as torch
    from tutorgrad import viz

    def build(junk):
        keep = [torch.randn(3, requires_grad=True) * 2 for _ in range(junk)]  # shifts ids and counters
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        w = torch.tensor(0.5, requires_grad=True)
        a, b = (x * w).exp().unbind(0)
        y = (a * b + a).log() + x.sum()
        y.backward(retain_graph=True)
        g = viz.draw(y, names={"x": x, "w": w, "y": y}, saved=True)
        return g.text + "\\n" + g.source
""")


def test_text_and_dot_are_identical_across_processes():
    here = {}
    exec(BUILD, here)
    there = subprocess.run([sys.executable, "-c", BUILD + "print(build(257), end='')"], capture_output=True,
                           text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": ROOT}, check=True).stdout
    assert there == here["build"](0)
    assert "0x" not in there and "graph of y" in there and "digraph {" in there


# ---------------------------------------------------------------------------------------------- deep and wide
def test_deep_chain_of_10000_ops_draws_without_recursion():
    limit = sys.getrecursionlimit()
    x = torch.tensor(0.5, requires_grad=True)
    w = torch.tensor(1.0001, requires_grad=True)
    y = x
    for i in range(10000):
        y = y * w if i % 2 else y.sin()
    graph = viz.draw(y, names={"x": x, "w": w, "y": y})
    assert sys.getrecursionlimit() == limit
    assert "graph of y: 2 leaves, 10000 ops" in graph.text
    assert "9995 ops folded: SinBackward0 ×4998, MulBackward0 ×4997 (inputs: mul_1, w)" in graph.text
    assert len(graph.items) == 8  # x, w, the first and the last 2 ops, the output; the middle is one box
    full = viz.draw(y, max_nodes=None, values=False)
    assert len(full.text.splitlines()) == 1 + 10002
    if D.dot_path() is not None:
        assert "9995 ops folded" in graph.svg


@needs_dot
def test_wide_graph_of_200_boxes_draws():
    torch.manual_seed(0)
    xs = [torch.randn(3, requires_grad=True) for _ in range(50)]
    ws = [torch.randn(3, requires_grad=True) for _ in range(50)]
    terms = [(a * b).sum() for a, b in zip(xs, ws)]
    loss = terms[0]
    for t in terms[1:]:
        loss = loss + t
    loss.backward()
    graph = viz.draw(loss, names={"loss": loss})
    assert len(graph.items) == 249  # 100 leaves, 50 mul, 50 sum, 49 add: nothing folded
    svg = graph.svg
    assert svg.count('class="node"') == 249 and svg.count('class="edge"') == 248
    for label in ("leaf_1", "leaf_100", "add_48", "loss"):
        assert re.search(f">{label}[ <]", svg)


# ---------------------------------------------------------------------------------------------- without dot
@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no `dot` anywhere
    assert D.dot_path() is None


def test_missing_dot_gives_install_hint_and_text(no_dot):
    t = small_graph()
    graph = viz.draw(t["y"])
    bundle, metadata = graph._repr_mimebundle_()
    assert set(bundle) == {"text/plain"} and metadata == {} and graph.png is None
    assert bundle["text/plain"] == D.MISSING_DOT + "\n\n" + GOLDEN_UNNAMED
    assert "apt-get install graphviz" in D.MISSING_DOT and "brew install graphviz" in D.MISSING_DOT
    assert graph._repr_svg_() is None and graph.svg is None
    assert graph.source.startswith("digraph {")  # the DOT text still works


def test_missing_dot_widgets_show_text(no_dot):
    e = viz.explore(lambda x: x * x, x=(-1.0, 1.0))
    assert "Graphviz" in e.picture.value and "MulBackward0" in e.picture.value
    x = torch.tensor(2.0, requires_grad=True)
    s = viz.step_backward(x * x)
    assert "apt-get install graphviz" in s._graph.value


# ---------------------------------------------------------------------------------------------- explore
def autograd_grads(fn, **values):
    inputs = {n: torch.tensor(v, requires_grad=True) for n, v in values.items()}
    out = fn(**inputs)
    out.backward()
    return out.item(), {n: t.grad.item() for n, t in inputs.items()}


def test_explore_shows_the_gradients_autograd_computes():
    fn = lambda x, w: (w * x).sin() + x * x  # noqa: E731
    e = viz.explore(fn, x=(-3.0, 3.0), w=(0.0, 2.0))
    for x, w in [(0.5, 1.0), (-2.25, 0.3), (2.9, 1.7)]:
        e.sliders["x"].value = x
        e.sliders["w"].value = w
        out, grads = autograd_grads(fn, x=x, w=w)
        assert e.output == out and e.grads == grads
        text = repr(e)
        assert text == "\n".join([f"f(x={x:.4g}, w={w:.4g}) = {out:.6g}",
                                  f"x.grad = {grads['x']:.6g}", f"w.grad = {grads['w']:.6g}"])
        for line in text.splitlines():
            assert line in e.readout.value  # the widget shows the same
        assert e._repr_mimebundle_()["text/plain"] == text  # full, not truncated like a widget's repr
        leaves = {item.label: item for item in e.graph.items if item.kind == "leaf"}
        assert leaves["x"].grad_str == T.value_text(torch.tensor(grads["x"]))
        assert "<svg" in e.picture.value or D.dot_path() is None


def test_explore_tangent_slope_is_the_gradient():
    e = viz.explore(lambda x: x.exp(), x=(-1.0, 1.0))
    e.sliders["x"].value = 0.4
    ends = e._plot.tangent(0.4, e.output, e.grads["x"])
    slope = (ends[1, 1] - ends[0, 1]) / (ends[1, 0] - ends[0, 0])
    assert slope == pytest.approx(math.exp(0.4), rel=1e-5)
    assert ends[:, 1].mean() == pytest.approx(math.exp(0.4), rel=1e-5)  # through the point
    html = e.plot.value
    assert "data:image/png;base64," in html and "<line" in html and "<circle" in html
    # The SVG layer puts the point where matplotlib's transform puts (x, f(x)).
    cx, cy = (float(v) for v in re.search(r'<circle cx="([\d.]+)" cy="([\d.]+)"', html).groups())
    px, py = e._plot.ax.transData.transform([(0.4, math.exp(0.4))])[0]
    box = e._plot.ax.bbox
    assert (cx, cy) == (pytest.approx(px - box.x0, abs=0.06), pytest.approx(box.y1 - py, abs=0.06))


def test_explore_curve_is_recomputed_only_when_other_inputs_move():
    calls = []

    def fn(x, w):
        calls.append(1)
        return x * w

    e = viz.explore(fn, x=(-1.0, 1.0), w=(0.0, 2.0))
    png = e._plot.png
    n = len(calls)
    e.sliders["x"].value = 0.3
    assert len(calls) == n + 1 and e._plot.png is png  # one forward, same curve
    e.sliders["w"].value = 1.5
    assert len(calls) == n + 1 + 1 + viz.explore.__globals__["CURVE_POINTS"] and e._plot.png is not png
    assert e.sliders["x"].continuous_update and not e.sliders["w"].continuous_update


@needs_dot
def test_explore_keeps_one_spare_dot_ready_and_ends_it_on_close():
    e = viz.explore(lambda x: x * x, x=(-1.0, 1.0))
    spare = e._spare.proc
    assert spare.poll() is None  # started, waiting for the next graph
    e.sliders["x"].value = 0.5
    assert spare.poll() == 0 and e._spare.proc is not spare  # it drew this change; a new one waits
    spare = e._spare.proc
    e.close()
    assert spare.poll() is not None


def test_explore_shows_errors_and_keeps_working():
    def fn(x):
        if x > 1:
            raise ValueError("x is too big for me")
        return x * x

    e = viz.explore(fn, x=(0.0, 2.0))
    e.sliders["x"].value = 1.5
    assert e.error == "ValueError: x is too big for me" and e.output is None
    assert "error: ValueError: x is too big for me" in repr(e) and "x is too big for me" in e.readout.value
    e.sliders["x"].value = 0.5
    assert e.error is None and e.grads == {"x": 1.0} and repr(e) == "f(x=0.5) = 0.25\nx.grad = 1"


def test_explore_nan_and_inf_are_reported():
    e = viz.explore(lambda x: x.log(), x=(-1.0, 2.0))
    e.sliders["x"].value = 0.0
    assert e.output == -math.inf and e.grads["x"] == math.inf
    assert "warning: f, x is not finite" in repr(e)
    e.sliders["x"].value = -0.5
    assert math.isnan(e.output) and "not finite" in e.readout.value
    e.sliders["x"].value = 1.0
    assert e.grads == {"x": 1.0} and "warning" not in repr(e)


def test_explore_rejects_bad_outputs_inside_the_widget_and_bad_calls_outside():
    e = viz.explore(lambda x: x * torch.ones(3), x=(0.0, 1.0))
    assert "single number" in e.error and ".sum()" in e.error
    e = viz.explore(lambda x: 3.0, x=(0.0, 1.0))
    assert "must return a tensor" in e.error
    e = viz.explore(lambda x: torch.tensor(1.0), x=(0.0, 1.0))  # does not depend on x
    assert e.grads == {"x": None} and "x.grad = None (the output does not depend on x)" in repr(e)
    with pytest.raises(TypeError, match="no range given for w"):
        viz.explore(lambda x, w: x * w, x=(0.0, 1.0))
    with pytest.raises(TypeError, match="z is not one of them"):
        viz.explore(lambda x: x, x=(0.0, 1.0), z=(0.0, 1.0))
    with pytest.raises(ValueError, match="min < max"):
        viz.explore(lambda x: x, x=(1.0, 0.0))
    with pytest.raises(TypeError, match=r"\(min, max\)"):
        viz.explore(lambda x: x, x=5)


# ---------------------------------------------------------------------------------------------- step_backward
def fan_in_graph():
    x = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor([1.0, 2.0], requires_grad=True)
    W = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    a = x * x
    y = (a + x) * b          # x reaches y along three paths; a scalar broadcast against b
    z = (W * b).sum() + y.sum()
    return {"x": x, "b": b, "W": W, "a": a, "y": y, "z": z}


def test_step_backward_follows_the_engine_and_ends_at_grad():
    expected = []
    t = fan_in_graph()
    with watch(lambda step: expected.append(step.node.name())):
        run_backward((t["z"],), (torch.ones_like(t["z"]),), False, False)
    t = fan_in_graph()
    s = viz.step_backward(t["z"], names=t)
    assert [step.node.name() for step in s.steps] == expected
    assert s.step == 0 and all(g is None for g in s.grads().values())
    for _ in range(len(s.steps)):
        s._next.click()
    assert s.step == len(s.steps) and s._next.disabled
    final = s.grads()
    for name in ("x", "b", "W"):
        assert np.array_equal(final[name].numpy(), t[name].grad.numpy())
    assert t["x"].grad.item() == 15.0  # 2x + 1 from y's two uses, times b.sum()
    assert "Done: every leaf now holds its .grad" in repr(s)
    s._prev.click()
    assert s.step == len(s.steps) - 1
    s.reset()
    assert s.step == 0 and s._prev.disabled and repr(s).startswith("step 0 of 10: before backward()")


def test_step_backward_explains_fan_in_broadcasting_and_local_derivatives():
    t = fan_in_graph()
    s = viz.step_backward(t["z"], names=t)
    text = "\n".join("\n".join(s.explain(k)) for k in range(len(s.steps) + 1))
    assert ("to b: upstream × local derivative = [[1., 1.], [1., 1.], [1., 1.]] × [[1., 2.], [3., 4.], [5., 6.]]"
            " = [[1., 2.], [3., 4.], [5., 6.]]") in text
    assert "b has shape [2] but was broadcast to [3, 2]: the gradient is summed back down to [9., 12.]" in text
    assert "fan-in: 2 gradients arrived for b and were added up: [9., 12.] (from mul_1) + [6., 6.] (from y)" in text
    assert "fan-in: 3 gradients arrived for x and were added up: 3. (from add_1) + 6. (from a) + 6. (from a) = 15." \
        in text
    assert "rule: z = x * y. dz/dx = y, dz/dy = x." in text
    # Each step's picture: the current node in red, those still to come in grey.
    s.step = 4
    source = s._graph_at(4).source
    assert source.count(D.COLORS["current"]) == 1 and D.COLORS["pending"] in source


def test_step_backward_is_backward_it_accumulates_and_frees_the_graph():
    x = torch.tensor(3.0, requires_grad=True)
    x.grad = torch.tensor(1.0)
    y = x * x
    s = viz.step_backward(y, names={"x": x, "y": y})
    assert x.grad.item() == 7.0  # 1 + 2x, as after y.backward()
    assert s.grads(len(s.steps))["x"].item() == 7.0
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        viz.step_backward(x * torch.ones(2))


def test_step_backward_runs_a_custom_backward_once():
    calls = []

    class Double(torch.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            return t * 2

        @staticmethod
        def backward(ctx, g):
            calls.append(1)
            return g * 2

    x = torch.tensor(1.5, requires_grad=True)
    s = viz.step_backward(Double.apply(x) * x, names={"x": x})
    assert len(calls) == 1 and x.grad.item() == 6.0
    assert any("custom Function: your backward()" in line for k in range(len(s.steps) + 1) for line in s.explain(k))


def test_step_backward_records_the_pass_and_runs_no_backward_twice(monkeypatch):
    from tutorgrad.ops import arithmetic
    calls = []
    original = arithmetic.Mul.backward
    monkeypatch.setattr(arithmetic.Mul, "backward", staticmethod(lambda ctx, g: calls.append(1) or original(ctx, g)))
    t = fan_in_graph()
    s = viz.step_backward(t["z"], names=t)
    muls = [st for st in s.steps if st.node.name() == "MulBackward0"]
    assert len(calls) == len(muls) == 3  # each Mul node's backward ran once: in the engine's own pass
    assert all(st.local is not None for st in muls)  # and yet every step shows upstream x local derivative


def test_step_backward_shows_a_local_derivative_only_where_it_can_be_read_off_exactly():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor([0.1, 0.3], requires_grad=True)
    z = ((x * y).tanh() * torch.tensor([0.0, 1.0])).sum()  # a 0 in the upstream gradient of tanh and below
    s = viz.step_backward(z, names={"x": x, "y": y, "z": z})
    text = "\n".join("\n".join(s.explain(k)) for k in range(len(s.steps) + 1))
    assert "to tanh_1: upstream × local derivative = [1., 1.] × [0., 1.] = [0., 1.]" in text
    # upstream 0 × anything = 0: the recording cannot tell tanh's slope at the first element, so no claim is made
    assert "to mul_1: contribution [0.0000, 0.7116]" in text and "to x: contribution [0.0000, 0.2135]" in text
    assert "local derivative = [0.0000, 0.7116]" not in text


# ---------------------------------------------------------------------------------------------- every value and gradient
GOLDEN_TRACED = """\
graph of y: 3 leaves, 4 ops (data flows from the leaves down to the output)
w     = leaf float32 [3]  value [1.0000, -1.0000, 0.5000]  grad [0.0532, 0.3614, 0.3614]
x     = leaf float32 scalar  value 2.  grad -0.0638
mul_1 = MulBackward0(w, x) -> float32 [3]  value [2., -2., 1.]  grad [0.0266, 0.1807, 0.1807]
b     = leaf float32 scalar  value 0.5000  grad 0.3880
add_1 = AddBackward0(mul_1, b) -> float32 [3]  value [2.5000, -1.5000, 1.5000]  grad [0.0266, 0.1807, 0.1807]
h     = TanhBackward0(add_1) -> float32 [3]  value [0.9866, -0.9051, 0.9051]  grad [1., 1., 1.]
y     = SumBackward0(h) -> float32 scalar  value 0.9866  grad 1.  [output]"""


def test_inside_trace_every_node_shows_its_value_and_gradient():
    with viz.trace():
        t = small_graph()
        before = viz.draw(t["y"], names=t)
        t["y"].backward()
    graph = viz.draw(t["y"], names=t)
    assert graph.text == GOLDEN_TRACED
    assert before.text == GOLDEN_TRACED.replace("grad [0.0532, 0.3614, 0.3614]", "grad None").replace(
        "grad -0.0638", "grad None").replace("grad 0.3880", "grad None").replace(
        "  grad [0.0266, 0.1807, 0.1807]", "").replace("  grad [1., 1., 1.]", "").replace("  grad 1.", "")
    assert graph._repr_mimebundle_()[0]["text/plain"] == GOLDEN_TRACED or D.dot_path() is None
    source = graph.source
    assert "value [2.5000, -1.5000, 1.5000]" in source and "grad [0.0266, 0.1807, 0.1807]" in source
    if D.dot_path() is not None:
        assert "grad [0.0266, 0.1807, 0.1807]" in graph.svg  # the picture shows them too


def test_trace_is_opt_in_and_reads_the_engines_own_nodes():
    t = small_graph()
    t["y"].backward()
    assert viz.draw(t["y"], names=t).text.count("grad") == 3  # the leaves only, as before
    with viz.trace():
        u = small_graph()
        u["y"].backward()
    add = u["h"].grad_fn.next_functions[0][0]
    assert add.traced_values[0].tolist() == [2.5, -1.5, 1.5]  # what the drawing shows is on the node itself
    assert viz.draw(u["y"]).items[4].node is add


def test_trace_with_several_outputs_and_a_second_backward():
    with viz.trace():
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        a, b, c = (x * 2).unbind(0)
        y = a * b + c
        y.backward(retain_graph=True)
        y.backward()
    text = viz.draw(y, names={"x": x, "y": y}).text
    assert "unbind_1 = UnbindBackward0(mul_1) -> 3 × float32 scalar  value 2.; 4.; 6.  grad 4.; 2.; 1." in text
    assert "x        = leaf float32 [3]  value [1., 2., 3.]  grad [16., 8., 4.]" in text  # .grad accumulates
    assert "mul_1    = MulBackward0(x) -> float32 [3]  value [2., 4., 6.]  grad [4., 2., 1.]" in text


# ---------------------------------------------------------------------------------------------- plot_grad
def line(fig, gid):
    return next(ln for ax in fig.axes for ln in ax.get_lines() if ln.get_gid() == gid)


def test_plot_grad_derivative_is_autograds():
    fig = viz.plot_grad(lambda x: (x * 3).sin() * x, (-2.0, 2.0))
    xs, ds = line(fig, "grad").get_data()
    keep = ~np.isnan(xs)
    for xv, dv in list(zip(xs[keep], ds[keep]))[::37]:
        x = torch.tensor(float(xv), requires_grad=True)
        ((x * 3).sin() * x).backward()
        assert dv == x.grad.item()
    assert np.isnan(xs).sum() == 1  # a smooth function: one line, not cut
    assert repr(fig) == "<Figure size 600x450 with 2 Axes>" and fig._repr_png_().startswith(b"\x89PNG")


def test_plot_grad_handles_the_primers_i_hate_threes():
    def i_hate_threes(tensor):
        if tensor == 3.0:
            return torch.tensor(0.0, requires_grad=True)
        else:
            return tensor

    fig = viz.plot_grad(i_hate_threes, (0.0, 6.0))
    assert list(zip(*line(fig, "f-points").get_data())) == [(3.0, 0.0)]  # the lone point
    xs, _ = line(fig, "grad-none").get_data()
    assert list(xs) == [3.0]  # x.grad is None there: the output is a new leaf
    _, ds = line(fig, "grad").get_data()
    assert set(ds[~np.isnan(ds)]) == {1.0}
    assert fig.axes[0].get_title() == "i_hate_threes(x)"


def test_plot_grad_draws_no_gradient_as_a_hole_not_a_zero():
    """None is drawn where the derivative's line would be, as an open marker with its own legend entry;
    the function's jump at 3 is a filled circle at the value it takes and an open one at the hole."""
    def i_hate_threes(tensor):
        if tensor == 3.0:
            return torch.tensor(0.0, requires_grad=True)
        return tensor

    fig = viz.plot_grad(i_hate_threes, (0.0, 6.0))
    none = line(fig, "grad-none")
    assert list(zip(*none.get_data())) == [(3.0, 1.0)]  # in the line's gap, not at y = 0
    assert none.get_markerfacecolor() == "white"
    _, ds = line(fig, "grad").get_data()
    xs, _ = line(fig, "grad").get_data()
    assert 3.0 not in set(xs[~np.isnan(ds)])  # a gap in the derivative's line at 3
    labels = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert any(text.startswith("None (no gradient)") for text in labels), labels
    assert list(zip(*line(fig, "f-open").get_data())) == [(3.0, 3.0)]  # the hole the line leaves
    xs, ys = line(fig, "f").get_data()
    assert not np.any((xs == 3.0) & np.isfinite(ys))  # the line does not run through 3


def test_plot_grad_draws_jumps_with_open_and_closed_circles():
    fig = viz.plot_grad(lambda x: (x > 0).float() + x * 0, (-1.0, 2.0))
    assert list(zip(*line(fig, "f-points").get_data())) == [(0.0, 0.0)]   # f(0) = 0 is taken
    assert list(zip(*line(fig, "f-open").get_data())) == [(0.0, 1.0)]     # 1 is approached from the right
    fig = viz.plot_grad(torch.relu, (-2.0, 2.0))                           # PyTorch's choice: relu'(0) = 0
    assert list(zip(*line(fig, "grad-points").get_data())) == [(0.0, 0.0)]
    assert list(zip(*line(fig, "grad-open").get_data())) == [(0.0, 1.0)]
    assert not [ln for ln in fig.axes[1].get_lines() if ln.get_gid() == "grad-none"]


def test_plot_grad_breaks_jumps_and_keeps_going_past_errors():
    def step(x):
        if x > 1.5:
            raise ValueError("no")
        return (x > 0).float() + x * 0

    fig = viz.plot_grad(step, (-1.0, 2.0))
    xs, ys = line(fig, "f").get_data()
    assert xs[np.isfinite(ys)].max() <= 1.5  # no value where fn raised
    last_off = np.flatnonzero(xs == 0.0)[0]  # the grid holds 0 exactly
    assert np.isnan(xs[last_off + 1]) and xs[last_off + 2] > 0  # the jump at 0 is not joined by a line
    with pytest.raises(ValueError, match="low < high"):
        viz.plot_grad(step, (2.0, 1.0))


# ---------------------------------------------------------------------------------------------- training view
class FakeOptimizer:
    def __init__(self, lr):
        self.param_groups = [{"lr": lr}, {"lr": lr}]


def test_live_training_records_and_uses_the_slider_lr():
    w = torch.tensor(0.0, requires_grad=True)
    opt = FakeOptimizer(0.1)
    live = viz.live_training(30, optimizer=opt, every=0.0)
    assert live.lr == 0.1 and repr(live) == "TrainingView: step 0/30, lr 0.1"
    seen = []
    for step in live:
        seen.append(opt.param_groups[1]["lr"])
        loss = (w - 3) ** 2
        loss.backward()
        with torch.no_grad():
            w -= opt.param_groups[0]["lr"] * w.grad
        w.grad = None
        live.log(loss, distance=(w - 3).abs())
        if step == 9:
            live.lr_slider.value = 0.01  # the student moves the slider mid-run
    assert seen == [0.1] * 10 + [0.01] * 20
    assert len(live.history["loss"]) == len(live.history["distance"]) == 30
    assert live.history["loss"][0] == 9.0
    assert bytes(live.image.value).startswith(b"\x89PNG")
    assert repr(live) == (f"TrainingView: step 30/30, loss {live.history['loss'][-1]:.4g}, "
                          f"distance {live.history['distance'][-1]:.4g}, lr 0.01")
    assert live._repr_mimebundle_()["text/plain"] == repr(live)


def test_live_training_gaps_for_metrics_not_logged_and_early_break():
    live = viz.live_training(10, lr=0.5)
    for step in live:
        live.log(torch.tensor(1.0 / (step + 1)), **({"acc": 0.5} if step % 2 else {}))
        if step == 5:
            break
    assert live.history["loss"] == pytest.approx([1.0, 0.5, 1 / 3, 0.25, 0.2, 1 / 6])
    assert [math.isnan(v) for v in live.history["acc"]] == [True, False] * 3
    with pytest.raises(ValueError, match="positive whole number"):
        viz.live_training(0)


# ---------------------------------------------------------------------------------------------- in a kernel
NOTEBOOK = [
    "import tutorgrad as torch\nfrom tutorgrad import viz",
    "x = torch.tensor(2.0, requires_grad=True)\nw = torch.tensor([1.0, -1.0, 0.5], requires_grad=True)\n"
    "y = (w * x).tanh().sum()\ny.backward()\nviz.draw(y, names=locals())",
    "viz.explore(lambda x, w: (w * x).sin(), x=(-3.0, 3.0), w=(0.0, 2.0))",
    "a = torch.tensor(3.0, requires_grad=True)\nviz.step_backward(a * a + a, names=locals())",
    "viz.plot_grad(lambda t: t * t, (0, 2))",
    "w = torch.tensor(0.0, requires_grad=True)\nlive = viz.live_training(20, lr=0.1)\nfor step in live:\n"
    "    loss = (w - 3) ** 2\n    loss.backward()\n    with torch.no_grad():\n        w -= live.lr * w.grad\n"
    "    w.grad = None\n    live.log(loss)",
    "live",
]


def test_in_a_kernel_everything_displays_and_nothing_prints():
    """What nbval sees: no stream output (no progress-bar or warning noise), deterministic text/plain."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in NOTEBOOK]
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": ROOT}},
                            ).execute(env={**os.environ, "PYTHONPATH": ROOT})
    outputs = [[o for o in cell.outputs] for cell in nb.cells]
    kinds = {o.output_type for out in outputs for o in out}
    assert kinds <= {"execute_result", "display_data"}, [o for out in outputs for o in out]

    x = torch.tensor(2.0, requires_grad=True)
    w = torch.tensor([1.0, -1.0, 0.5], requires_grad=True)
    y = (w * x).tanh().sum()
    y.backward()
    assert outputs[1][0].data["text/plain"] == viz.draw(y, names={"x": x, "w": w, "y": y}).text
    assert {"image/svg+xml", "image/png"} <= set(outputs[1][0].data) or D.dot_path() is None
    assert outputs[1][0].metadata.get("image/png", {}).get("width", 0) > 0 or D.dot_path() is None
    assert outputs[2][0].data["text/plain"] == "f(x=0, w=1) = 0\nx.grad = 1\nw.grad = 0"
    assert "application/vnd.jupyter.widget-view+json" in outputs[2][0].data
    assert outputs[3][0].data["text/plain"].startswith("step 0 of 3: before backward()")
    assert outputs[4][0].data["text/plain"] == "<Figure size 600x450 with 2 Axes>" and "image/png" in outputs[4][0].data
    assert [o.data["text/plain"] for o in outputs[5]] == ["TrainingView: step 0/20, lr 0.1"]  # shown as the loop starts
    assert outputs[6][0].data["text/plain"].startswith("TrainingView: step 20/20, loss ")


@needs_dot
def test_latency_benchmark_measures_a_30_box_graph(capsys, monkeypatch):
    monkeypatch.syspath_prepend(os.path.join(ROOT, "benchmarks"))
    import viz_latency
    result = viz_latency.main(repeats=1)
    assert result["boxes"] == 30 and result["ratio"] > 0
    assert "ratio (first slider / bare dot)" in capsys.readouterr().out


def test_saved_python_number_is_shown_as_written():
    # PyTorch saves the 2 of `q * 2` as tensor(2) (a wrapped int64), as tutorgrad did before
    p = torch.tensor([1., 2.], requires_grad=True)
    y = p.exp() * 2
    text = viz.draw(y, saved=True).text
    assert "a tensor outside the graph (2)" in text, text


def test_stored_drawings_have_a_png_beside_the_svg():
    """Every graph drawing stored in a lesson also has its PNG (what an untrusted notebook shows: a fresh clone,
    a download). ``make lessons`` stores them; the browser test checks JupyterLab shows them."""
    stored = {p.name: [o for c in json.loads(p.read_text())["cells"] if c["cell_type"] == "code"
                       for o in c["outputs"] if "image/svg+xml" in o.get("data", {})]
              for p in sorted((Path(ROOT) / "notebooks").glob("*.ipynb"))}
    outputs = [o for found in stored.values() for o in found]
    assert outputs, "no lesson stores a graph drawing"
    missing = {name: len([o for o in found if "image/png" not in o["data"]]) for name, found in stored.items()}
    assert not any(missing.values()), f"stored drawings without a PNG (run `make lessons`): {missing}"
    assert all(o["metadata"]["image/png"]["width"] > 0 for o in outputs)
