"""Instruction counts of tutorgrad's hot paths, with valgrind's callgrind: repeatable on a busy machine.

    python benchmarks/instructions.py                   # every workload, this checkout
    python benchmarks/instructions.py scalar mlp-tiny   # some of them
    python benchmarks/instructions.py --tree DIR        # the tutorgrad of another checkout (e.g. `git worktree`)

Timings on a shared machine move by several per cent between runs; instruction counts do not (the same
binary, inputs and environment give the same count). Each workload is run under callgrind twice, with
``CALLS`` calls and with none after the same set-up and warm-up, and the difference divided by
``CALLS`` is printed: the cost of one call, without Python's start-up, imports and set-up.
``PYTHONHASHSEED=0`` keeps set and dict orders, and so the counts, the same from run to run.

Workloads (from ``workloads.py``): ``scalar`` the 400-op scalar chain, forward + backward;
``mlp-tiny`` the MLP SGD step at sizes where NumPy's work is negligible (batch 4, 8-16-16-4: the
Python overhead alone); ``mlp`` the full MLP step of ``run.py`` (BLAS included).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CALLS = 20
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


def count(tree, make, calls):
    """Total instructions (callgrind's Ir) of a child Python running ``calls`` calls of the workload."""
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "child.py")
        with open(script, "w") as f:
            f.write(CHILD.format(tree=tree, here=HERE, make=make, warmup=WARMUP, calls=calls))
        out = os.path.join(tmp, "callgrind.out")
        env = dict(os.environ, PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1")
        proc = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, script],
                              env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"valgrind failed:\n{proc.stderr[-2000:]}")
        found = re.search(r"Collected\s*:\s*(\d+)", proc.stderr)
        return int(found.group(1))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workloads", nargs="*", metavar="WORKLOAD", help=f"some of: {', '.join(WORKLOADS)} (default: all)")
    parser.add_argument("--tree", default=os.path.dirname(HERE), help="the checkout whose tutorgrad is measured")
    args = parser.parse_args(argv)
    unknown = [w for w in args.workloads if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    tree = os.path.abspath(args.tree)
    print(f"instructions per call (callgrind, PYTHONHASHSEED=0, ({CALLS} calls - 0 calls) / {CALLS}); tutorgrad "
          f"from {tree}")
    for name in args.workloads or WORKLOADS:
        with_calls, without = count(tree, WORKLOADS[name], CALLS), count(tree, WORKLOADS[name], 0)
        print(f"{name:10} {(with_calls - without) / CALLS / 1e6:9.3f} M", flush=True)


if __name__ == "__main__":
    main()
