"""How long a slider change in ``viz.explore`` takes, next to the floor: Graphviz laying out the graph.

    python benchmarks/viz_latency.py            # about half a minute
    python benchmarks/viz_latency.py --quick

The explored function has a 30-box graph (2 leaves, 28 ops). One "slider change"
is everything the widget does: build the leaf tensors, forward and backward (every
value and gradient recorded by ``autograd.trace()``), the DOT text, ``dot -Tsvg``, the
plot and the readout, and starting the spare ``dot`` for the next change (the widget keeps one ``dot``
process started ahead, so a change does not wait for ``dot`` to start up). The
floor is a bare ``dot -Tsvg`` of the same DOT text, start-up included. Every time
is the median of interleaved repeats (each repeat runs every case once, in turn,
rotating who goes first), so a busy moment of the machine hits all cases alike.
Target: first slider / bare dot <= 1.5.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this checkout's tutorgrad

import tutorgrad  # noqa: E402
from tutorgrad import viz  # noqa: E402
from tutorgrad.viz.dot import dot_path  # noqa: E402

LAYERS = 9


def f(x, w):
    """30 boxes: x, w, then 9 x (mul, add, tanh) and a final mul."""
    h = x
    for i in range(LAYERS):
        h = (h * w + 0.1 * i).tanh()
    return h * h


def main(repeats=30):
    if dot_path() is None:
        print("Graphviz's dot is not installed: nothing to measure.")
        return None
    explorer = viz.explore(f, x=(-2.0, 2.0), w=(0.5, 1.5))
    boxes = len(explorer.graph.items)
    source = explorer.graph.source
    exe = dot_path()
    values = iter(range(10 ** 9))

    def move_first():   # the first slider: the point moves along the curve
        explorer.sliders["x"].value = -2.0 + 0.04 * (next(values) % 100)

    def move_other():   # another slider: the curve itself changes (fn at 101 points)
        explorer.sliders["w"].value = 0.5 + 0.01 * (next(values) % 100)

    def draw_svg():     # viz.draw and its SVG, without a widget
        tutorgrad.viz.draw(f(tutorgrad.tensor(0.3, requires_grad=True), tutorgrad.tensor(1.1, requires_grad=True))).svg

    def bare_dot():
        subprocess.run([exe, "-Tsvg"], input=source.encode(), capture_output=True, check=True)

    cases = {"bare dot -Tsvg": bare_dot, "explore: first slider": move_first,
             "explore: other slider": move_other, "forward + draw(y).svg": draw_svg}
    for fn in cases.values():
        fn()  # warm up
    samples = {name: [] for name in cases}
    names = list(cases)
    for r in range(repeats):
        for name in names[r % len(names):] + names[:r % len(names)]:
            start = time.perf_counter()
            cases[name]()
            samples[name].append(time.perf_counter() - start)
    median = {name: statistics.median(s) for name, s in samples.items()}
    floor = median["bare dot -Tsvg"]
    print(f"slider change -> new SVG, {boxes}-box graph, median of {repeats} interleaved repeats "
          f"(dot: {subprocess.run([exe, '-V'], capture_output=True, text=True).stderr.strip()})")
    print(f"{'case':<26}{'median ms':>10}{'/ bare dot':>12}")
    for name, t in median.items():
        print(f"{name:<26}{t * 1e3:>10.1f}{t / floor:>12.2f}")
    ratio = median["explore: first slider"] / floor
    print(f"ratio (first slider / bare dot): {ratio:.2f}  (target <= 1.5)")
    return {"boxes": boxes, "median_s": median, "ratio": ratio}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    main(repeats=8 if parser.parse_args().quick else 30)
