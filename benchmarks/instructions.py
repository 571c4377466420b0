"""Instruction counts of tutorgrad's hot paths, with valgrind's callgrind: repeatable on a busy machine.

    python benchmarks/instructions.py                   # every workload, this checkout
    python benchmarks/instructions.py scalar mlp-tiny   # some of them
    python benchmarks/instructions.py --tree DIR        # the tutorgrad of another checkout (e.g. `git worktree`)
    python benchmarks/instructions.py --phases mlp      # per phase of the step: forward ops, engine, each backward, ...
    python benchmarks/instructions.py --lines mlp-tiny  # the lines of Python one call runs, by function

Timings on a shared machine move by several per cent between runs; instruction counts do not (the same
binary, inputs and environment give the same count). Each workload is run under callgrind twice, with
``CALLS`` calls and with none after the same set-up and warm-up, and the difference divided by
``CALLS`` is printed: the cost of one call, without Python's start-up, imports and set-up.
``PYTHONHASHSEED=0`` keeps set and dict orders, and so the counts, the same from run to run.

Workloads (from ``workloads.py``): ``scalar`` the 400-op scalar chain, forward + backward;
``mlp-tiny`` the MLP SGD step at sizes where NumPy's work is negligible (batch 4, 8-16-16-4: the
Python overhead alone); ``mlp`` the full MLP step of ``run.py`` (BLAS included).

``--phases`` splits one call into its phases (``phases.py`` has the list: each forward op's ``apply``
bookkeeping and its ``forward``, the modules' glue, the engine, each node's backward, ``AccumulateGrad``,
the optimizer): a marker at every phase boundary makes callgrind write the instructions since the
previous marker to a file of its own (``--dump-before``). The markers' own cost is measured and
subtracted, and the table ends with the sum of the phases next to the uninstrumented count.

``--lines`` counts the lines of Python that one call executes (``sys.settrace``, no valgrind), by function:
where the interpreter's share of the count goes, a line being some hundreds of instructions.
"""
import argparse
import collections
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CALLS = 20
PHASE_CALLS = 3  # (every phase boundary writes a file: a few calls are enough, the counts repeat exactly)
WARMUP = 3
WORKLOADS = {
    "scalar": "W.make_scalar_chain_torchlike(tutorgrad)",
    "mlp-tiny": "W.make_mlp_torchlike(tutorgrad, *W.mlp_data(batch=4, sizes=(8, 16, 16, 4)))[0]",
    "mlp": "W.make_mlp_torchlike(tutorgrad, *W.mlp_data())[0]",
}
CHILD = """
import os, sys
for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[v] = "1"
sys.path[:0] = [{tree!r}, {here!r}]
import tutorgrad, workloads as W
assert os.path.dirname(tutorgrad.__file__) == os.path.join({tree!r}, "tutorgrad"), tutorgrad.__file__
fn = {make}
for _ in range({warmup}):
    fn()
for _ in range({calls}):
    fn()
"""


PHASE_CHILD = CHILD.replace("fn = {make}", """import phases
phases.install(tutorgrad)
fn = {make}""").replace("for _ in range({calls}):", """phases.start()
phases.calibrate()
phases.stop()
calibration = len(phases.log)
phases.start()
for _ in range({calls}):""") + """
phases.stop()
import json
with open({log!r}, "w") as f:
    json.dump({{"calibration": calibration, "log": phases.log}}, f)
"""


LINES_CHILD = CHILD.replace("for _ in range({calls}):\n    fn()\n", """import collections, json
lines, calls = collections.Counter(), collections.Counter()
def tracer(frame, event, arg):
    key = os.path.relpath(frame.f_code.co_filename, {tree!r}) + ":" + frame.f_code.co_name
    if event == "line":
        lines[key] += 1
    elif event == "call":
        calls[key] += 1
    return tracer
sys.settrace(tracer)
fn()
sys.settrace(None)
print(json.dumps({{key: [lines[key], calls[key]] for key in calls | lines}}))
""")


def print_lines(tree, name, top=30):
    """The lines of Python one call of the workload executes, by function (the most first)."""
    source = LINES_CHILD.format(tree=tree, here=HERE, make=WORKLOADS[name], warmup=WARMUP, calls=1)
    proc = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONHASHSEED="0"))
    if proc.returncode != 0:
        raise RuntimeError(f"the traced run failed:\n{proc.stderr[-2000:]}")
    counts = json.loads(proc.stdout.strip().splitlines()[-1])
    total_lines, total_calls = sum(n for n, _ in counts.values()), sum(c for _, c in counts.values())
    print(f"{name}: {total_lines} lines of Python in {total_calls} calls (one call of the workload, sys.settrace)")
    print(f"{'function':60} {'lines':>7} {'calls':>6}")
    for key, (n, c) in sorted(counts.items(), key=lambda kv: -kv[1][0])[:top]:
        print(f"{key:60} {n:7d} {c:6d}")


def _callgrind(tmp, source, *options):
    script = os.path.join(tmp, "child.py")
    with open(script, "w") as f:
        f.write(source)
    out = os.path.join(tmp, "callgrind.out")
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *options, sys.executable,
                           script], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"valgrind failed:\n{proc.stderr[-2000:]}")
    return out, proc.stderr


def count(tree, make, calls):
    """Total instructions (callgrind's Ir) of a child Python running ``calls`` calls of the workload."""
    with tempfile.TemporaryDirectory() as tmp:
        _, stderr = _callgrind(tmp, CHILD.format(tree=tree, here=HERE, make=make, warmup=WARMUP, calls=calls))
        return int(re.search(r"Collected\s*:\s*(\d+)", stderr).group(1))


def _totals(path):
    with open(path) as f:
        for line in f:
            if line.startswith("totals:") or line.startswith("summary:"):
                return int(line.split()[1])
    raise RuntimeError(f"no totals in {path}")


def phase_counts(tree, make, calls=PHASE_CALLS):
    """Instructions per call of each phase (markers' cost subtracted), in order of first appearance."""
    with tempfile.TemporaryDirectory() as tmp:
        log_path = os.path.join(tmp, "phases.json")
        source = PHASE_CHILD.format(tree=tree, here=HERE, make=make, warmup=WARMUP, calls=calls, log=log_path)
        out, _ = _callgrind(tmp, source, "--dump-before=math_lgamma", "--dump-instr=no", "--dump-line=no")
        with open(log_path) as f:
            data = json.load(f)
        log, split = data["log"], data["calibration"]
        dumps = sorted(glob.glob(out + ".*"), key=lambda p: int(p.rsplit(".", 1)[1]))
        if len(dumps) != len(log):
            raise RuntimeError(f"{len(dumps)} callgrind dumps for {len(log)} phase boundaries: something else "
                               "called math.lgamma")
        segments = [(*entry, _totals(path)) for entry, path in zip(log, dumps)]
    # The markers' own cost for each kind of segment: the smallest calibration segment of that kind; and the
    # cost of a call that passes through a wrapper without a phase of its own (see phases.calibrate).
    overhead, by_phase = {}, {}
    for phase, opened, closed, passes, n in segments[1:split]:
        overhead[opened, closed] = min(n, overhead.get((opened, closed), n))
        by_phase[phase] = n
    n_cal = max(passes for _, _, _, passes, _ in segments[1:split])
    pass_cost = (by_phase["backward (calibration, pass-through)"] - by_phase["backward (calibration, plain)"]) / n_cal
    per_phase, pieces = collections.Counter(), collections.Counter()
    for phase, opened, closed, passes, n in segments[split + 1:]:
        per_phase[phase] += n - overhead.get((opened, closed), 0) - passes * pass_cost
        pieces[phase] += 1
    return {phase: (n / calls, pieces[phase] / calls) for phase, n in per_phase.items()}


def print_phases(tree, name):
    phases = phase_counts(tree, WORKLOADS[name])
    whole = (count(tree, WORKLOADS[name], CALLS) - count(tree, WORKLOADS[name], 0)) / CALLS
    total = sum(n for n, _ in phases.values())
    print(f"{name}: instructions per call by phase (callgrind markers, their own cost subtracted; segments: how many "
          "pieces between markers the phase ran in)")
    print(f"{'phase':40} {'instructions':>14} {'share':>7} {'segments':>9}")
    for phase, (n, pieces) in sorted(phases.items(), key=lambda kv: -kv[1][0]):
        print(f"{phase:40} {n / 1e3:12.1f} k {n / total:7.1%} {pieces:9.0f}")
    print(f"{'sum of the phases':40} {total / 1e3:12.1f} k")
    print(f"{'the whole call, without markers':40} {whole / 1e3:12.1f} k  (sum - whole: {(total - whole) / whole:+.2%})",
          flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workloads", nargs="*", metavar="WORKLOAD", help=f"some of: {', '.join(WORKLOADS)} (default: all)")
    parser.add_argument("--tree", default=os.path.dirname(HERE), help="the checkout whose tutorgrad is measured")
    parser.add_argument("--phases", action="store_true", help="split each workload into its phases (see phases.py)")
    parser.add_argument("--lines", action="store_true", help="the lines of Python one call runs, by function")
    args = parser.parse_args(argv)
    unknown = [w for w in args.workloads if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    tree = os.path.abspath(args.tree)
    if args.lines:
        for name in args.workloads or WORKLOADS:
            print_lines(tree, name)
            print()
        return
    if args.phases:
        for name in args.workloads or WORKLOADS:
            print_phases(tree, name)
            print()
        return
    print(f"instructions per call (callgrind, PYTHONHASHSEED=0, ({CALLS} calls - 0 calls) / {CALLS}); tutorgrad "
          f"from {tree}")
    for name in args.workloads or WORKLOADS:
        with_calls, without = count(tree, WORKLOADS[name], CALLS), count(tree, WORKLOADS[name], 0)
        print(f"{name:10} {(with_calls - without) / CALLS / 1e6:9.3f} M", flush=True)


if __name__ == "__main__":
    main()
