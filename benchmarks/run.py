"""Benchmarks: tutorgrad side by side with NumPy by hand, PyTorch, MyGrad and micrograd.

    python benchmarks/run.py                 # the full run (a few minutes); `make bench` does this
    python benchmarks/run.py --quick         # a quick look (well under a minute)
    python benchmarks/run.py --profile mlp   # cProfile of tutorgrad's MLP step (or: scalar)
    python benchmarks/run.py --only scalar   # just some of the workloads (mlp, scalar, loss, lenet, chains, memory)
    python benchmarks/run.py --before DIR    # also another checkout's tutorgrad (e.g. `git worktree add DIR main`),
                                             # interleaved with this one: a before/after in one run

Every time is the median of interleaved repeats: each repeat times every library once, in
turn, so a slow moment of the machine hits all of them alike. Times are the CPU time of this
process (``time.process_time``), which other programs on the machine disturb less than the
wall clock; with BLAS on one thread (as here, for every library) the two agree on an idle
machine (``--wall`` uses the wall clock). The garbage collector runs as it does in real use
(a library that leaves reference cycles pays for collecting them); each sample starts
after a collection, so no library is charged for another's garbage. Ratios are tutorgrad's time divided by the other
library's (lower is better for tutorgrad). A library that is not installed gets a
"not installed" column.
"""
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # must happen before NumPy loads its BLAS

import argparse  # noqa: E402
import cProfile  # noqa: E402
import gc  # noqa: E402
import importlib  # noqa: E402
import platform  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]  # workloads.py, and tutorgrad from this checkout

import tutorgrad  # noqa: E402
import workloads as W  # noqa: E402


def optional(name):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


torch = optional("torch")
mygrad = optional("mygrad")
micrograd = optional("micrograd")

NOT_INSTALLED = "not installed"
BEFORE = "tutorgrad before"
LIBRARIES = ["tutorgrad", "NumPy by hand", "PyTorch", "MyGrad", "micrograd"]
INSTALLED = {"tutorgrad": True, "NumPy by hand": True, "PyTorch": torch is not None, "MyGrad": mygrad is not None,
             "micrograd": micrograd is not None}
before = None  # --before: another checkout's tutorgrad, imported as the package ``tutorgrad_before``


def load_before(tree):
    """The ``tutorgrad`` package of another checkout, under another name (its imports are all relative)."""
    import importlib.util
    package = os.path.join(os.path.abspath(tree), "tutorgrad")
    spec = importlib.util.spec_from_file_location("tutorgrad_before", os.path.join(package, "__init__.py"),
                                                  submodule_search_locations=[package])
    module = importlib.util.module_from_spec(spec)
    sys.modules["tutorgrad_before"] = module
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------- timing
clock = time.process_time  # --wall switches to time.perf_counter


def seconds_per_call(fn, calls, gc_paused=False):
    gc.collect()  # start clean: one library's leftover garbage is not collected on the next one's time
    if gc_paused:
        gc.disable()
    try:
        start = clock()
        for _ in range(calls):
            fn()
        return (clock() - start) / calls
    finally:
        gc.enable()


def calls_for(fn, min_time):
    """How many calls make one sample last at least ``min_time`` seconds."""
    calls = 1
    while seconds_per_call(fn, calls) * calls < min_time and calls < 1 << 20:
        calls *= 2
    return calls


def interleaved(fns, repeats, min_time, gc_paused=False):
    """Median seconds per call of each function, sampling them in turn ``repeats`` times.

    ``gc_paused``: the cyclic garbage collector is off while a sample runs (the pure cost of the
    operations, without the collector's walks, whose cost depends on everything else in the process).
    """
    calls = {name: calls_for(fn, min_time) for name, fn in fns.items()}
    samples = {name: [] for name in fns}
    names = list(fns)
    for r in range(repeats):
        for name in names[r % len(names):] + names[:r % len(names)]:  # rotate who goes first
            samples[name].append(seconds_per_call(fns[name], calls[name], gc_paused))
    return {name: statistics.median(s) for name, s in samples.items()}


def rss_mb():
    """Resident memory of this process in MB (Linux /proc; else the peak from getrusage)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------------------- the workloads
def mlp_step_functions():
    x, y, weights = W.mlp_data()
    fns = {"tutorgrad": W.make_mlp_torchlike(tutorgrad, x, y, weights)[0],
           "NumPy by hand": W.make_mlp_numpy(x, y, weights)[0]}
    if before is not None:
        fns[BEFORE] = W.make_mlp_torchlike(before, x, y, weights)[0]
    if torch is not None:
        fns["PyTorch"] = W.make_mlp_torchlike(torch, x, y, weights)[0]
    if mygrad is not None:
        fns["MyGrad"] = W.make_mlp_mygrad(x, y, weights)[0]
    return fns


def scalar_chain_functions():
    fns = {"tutorgrad": W.make_scalar_chain_torchlike(tutorgrad)}
    if before is not None:
        fns[BEFORE] = W.make_scalar_chain_torchlike(before)
    if torch is not None:
        fns["PyTorch"] = W.make_scalar_chain_torchlike(torch)
    if mygrad is not None:
        fns["MyGrad"] = W.make_scalar_chain_mygrad()
    if micrograd is not None:
        fns["micrograd"] = W.make_scalar_chain_micrograd()
    return fns


def loss_functions():
    fns = {"tutorgrad": W.make_loss_torchlike(tutorgrad)}
    if before is not None:
        fns[BEFORE] = W.make_loss_torchlike(before)
    if torch is not None:
        fns["PyTorch"] = W.make_loss_torchlike(torch)
    if micrograd is not None:
        fns["micrograd"] = W.make_loss_micrograd()
    return fns


def lenet_functions():
    x, y = W.lenet_data()
    fns = {"tutorgrad": W.make_lenet_torchlike(tutorgrad, x, y)[0]}
    if torch is not None:
        fns["PyTorch"] = W.make_lenet_torchlike(torch, x, y)[0]
    return fns


def long_chain(lib, n, repeats):
    """Median seconds of (forward build, backward) through an n-op chain."""
    build, backward = W.make_long_chain_torchlike(lib, n)
    fwd, bwd = [], []
    for _ in range(repeats):
        fwd.append(seconds_per_call(build, 1))
        bwd.append(seconds_per_call(backward, 1))
    return statistics.median(fwd), statistics.median(bwd)


def memory_growth(steps):
    """RSS growth (MB) over ``steps`` tutorgrad MLP training steps, after a warm-up."""
    x, y, weights = W.mlp_data()
    step, _ = W.make_mlp_torchlike(tutorgrad, x, y, weights)
    for _ in range(50):
        step()
    before = rss_mb()
    for _ in range(steps):
        step()
    return rss_mb() - before


# ---------------------------------------------------------------------------- the report
def fmt_time(s):
    return f"{s * 1e6:.1f} µs" if s < 1e-3 else f"{s * 1e3:.2f} ms" if s < 1 else f"{s:.2f} s"


def row(label, times):
    cells = [label]
    for lib in LIBRARIES:
        if not INSTALLED[lib]:
            cells.append(NOT_INSTALLED)
        elif lib not in times:
            cells.append("—")
        elif lib == "tutorgrad":
            cells.append(f"**{fmt_time(times[lib])}**")
        else:
            cells.append(f"{fmt_time(times[lib])} ({times['tutorgrad'] / times[lib]:.2f}×)")
    return "| " + " | ".join(cells) + " |"


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    blas = "?"
    try:
        info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{info.get('name')} {info.get('version')}"
    except Exception:  # noqa: BLE001 - older NumPy: no dict mode
        pass
    versions = [f"Python {platform.python_version()}", f"NumPy {np.__version__} ({blas})",
                f"tutorgrad {tutorgrad.__version__}"]
    for name, mod in (("PyTorch", torch), ("MyGrad", mygrad), ("micrograd", micrograd)):
        version = getattr(mod, "__version__", None) or (_dist_version(name.lower()) if mod else None)
        versions.append(f"{name} {version}" if mod else f"{name} {NOT_INSTALLED}")
    return (f"- Machine: {cpu}, {os.cpu_count()} logical cores, {platform.system()} {platform.release()}\n"
            f"- Software: {', '.join(versions)}\n"
            "- One BLAS thread (OMP/OPENBLAS/MKL_NUM_THREADS=1, torch.set_num_threads(1))")


def _dist_version(name):
    from importlib.metadata import version, PackageNotFoundError
    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def check(ratio, limit):
    return "yes" if ratio <= limit else "**no**"


SECTIONS = ["mlp", "scalar", "loss", "lenet", "chains", "memory"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller sizes (well under a minute)")
    parser.add_argument("--profile", choices=["mlp", "scalar"], help="print a cProfile of one tutorgrad workload")
    parser.add_argument("--wall", action="store_true", help="time with the wall clock instead of CPU time")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=SECTIONS, metavar="WORKLOAD",
                        help=f"run only these workloads (of: {', '.join(SECTIONS)})")
    parser.add_argument("--before", metavar="DIR", help="also time the tutorgrad of this checkout (a column of its "
                        "own; the ratio in it is this checkout's time ÷ that one's)")
    args = parser.parse_args(argv)
    global before
    if args.before:
        before = load_before(args.before)
        LIBRARIES.insert(1, BEFORE)
        INSTALLED[BEFORE] = True
    global clock
    clock = time.perf_counter if args.wall else time.process_time
    if torch is not None:
        torch.set_num_threads(1)
    if args.profile:
        return profile(args.profile)

    repeats, min_time = (5, 0.02) if args.quick else (15, 0.1)
    chains = (2_000, 20_000) if args.quick else (10_000, 100_000)
    mem_steps = 300 if args.quick else 3_000

    print("## Benchmarks" + (" (--quick)" if args.quick else ""), flush=True)
    print()
    print(machine())
    if before is not None:
        print(f"- \"{BEFORE}\": the tutorgrad of {os.path.abspath(args.before)}, timed in the same run, interleaved")
    print(f"- Medians of {repeats} interleaved repeats of {'wall-clock' if args.wall else 'CPU'} time; ratios are "
          "tutorgrad ÷ that library (lower is better).")
    print()
    only = set(args.only)
    results = {}
    for key, functions, paused in (("mlp", mlp_step_functions, False), ("scalar", scalar_chain_functions, False),
                                   ("scalar_paused", scalar_chain_functions, True), ("loss", loss_functions, False),
                                   ("lenet", lenet_functions, False)):
        if key.split("_")[0] in only:
            results[key] = interleaved(functions(), repeats, min_time, gc_paused=paused)
    if results:
        print("| Workload | " + " | ".join(LIBRARIES) + " |")
        print("|---|" + "--:|" * len(LIBRARIES))
        labels = {"mlp": "MLP SGD step: batch 128, 64-256-256-10, float32, softmax cross-entropy",
                  "scalar": f"Scalar chain: {2 * W.CHAIN} mul/add ops on 0-d tensors, forward + backward",
                  "scalar_paused": "The same scalar chain with the garbage collector paused (see below)",
                  "loss": f"MSE loss over {W.LOSS_N:,} elements, forward + backward (micrograd: element by element)",
                  "lenet": f"The blitz's LeNet: forward + cross-entropy + backward, batch {W.LENET_BATCH} at 1×32×32"}
        for key, times in results.items():
            print(row(labels[key], times))
        print()

    if "chains" in only:
        chain_rows = []
        for n in chains:
            ours = long_chain(tutorgrad, n, 3 if args.quick else 5)
            ref = long_chain(torch, n, 3 if args.quick else 5) if torch is not None else None
            chain_rows.append((n, ours, ref))
        print("| Chain of 0-d ops | tutorgrad forward | tutorgrad backward | backward per op | PyTorch backward |")
        print("|--:|--:|--:|--:|--:|")
        for n, (fwd, bwd), ref in chain_rows:
            print(f"| {n:,} | {fmt_time(fwd)} | {fmt_time(bwd)} | {fmt_time(bwd / n)} | "
                  f"{fmt_time(ref[1]) if ref else NOT_INSTALLED} |")
        growth = chain_rows[1][1][1] / chain_rows[0][1][1]
        print()

    if "memory" in only:
        mem = memory_growth(mem_steps)
        print(f"Memory: RSS grew by {mem:.2f} MB over {mem_steps:,} tutorgrad MLP training steps (graphs are freed).")
        print()

    print("| Target | Measured | Met |")
    print("|---|--:|:-:|")
    targets = [("MLP step ≤ 1.3× NumPy by hand", "mlp", "NumPy by hand", 1.3),
               ("MLP step ≤ 1.5× PyTorch", "mlp", "PyTorch", 1.5),
               ("MLP step ≤ 0.95× PyTorch (#16)", "mlp", "PyTorch", 0.95),
               ("MLP step ≤ 0.6× MyGrad", "mlp", "MyGrad", 0.6),
               ("Scalar chain ≤ 2.5× micrograd", "scalar", "micrograd", 2.5),
               # (with the collector paused, #16's bar replaced the earlier 2.5×)
               ("Scalar chain ≤ 2.8× micrograd, collector paused (#16)", "scalar_paused", "micrograd", 2.8),
               ("Vectorised loss ≤ 0.02× micrograd", "loss", "micrograd", 0.02)]
    if "lenet" in results:  # #14: "well under a second"
        print(f"| LeNet forward + backward, batch {W.LENET_BATCH}, < 0.25 s | {fmt_time(results['lenet']['tutorgrad'])} | "
              f"{check(results['lenet']['tutorgrad'], 0.25)} |")
    for label, key, lib, limit in targets:
        if key not in results:
            continue
        times = results[key]
        if lib not in times:
            print(f"| {label} | {NOT_INSTALLED} | — |")
            continue
        ratio = times["tutorgrad"] / times[lib]
        was = f" (before: {times[BEFORE] / times[lib]:.3f}×)" if BEFORE in times else ""
        print(f"| {label} | {ratio:.3f}×{was} | {check(ratio, limit)} |")
    if "chains" in only:
        factor = chains[1] // chains[0]
        linear = "yes" if factor / 2 <= growth <= factor * 1.5 else "**no**"  # per-op cost within -50% .. +50%
        print(f"| Backward {chains[1]:,} ops ÷ {chains[0]:,} ops ≈ {factor} (linear) | {growth:.1f} | {linear} |")
        print(f"| Backward {chains[1]:,} ops ÷ {chains[0]:,} ops ≤ {1.2 * factor:g} (#16) | {growth:.1f} | "
              f"{check(growth, 1.2 * factor)} |")
    if "memory" in only:
        print(f"| RSS growth over {mem_steps:,} steps ≤ 5 MB | {mem:.2f} MB | {check(mem, 5)} |")
    print()
    if "scalar" in only:
        print("The scalar chain is timed twice. First as in real use, with Python's garbage collector running: "
              "micrograd's graphs are reference cycles that only the collector frees, and its full collections "
              "walk every object in the process (here including PyTorch's), so that cost depends on the "
              "process. Then with the collector paused while each sample runs: the cost of the operations "
              "alone.")
        print()
    print("Rerun with `make bench` (installs MyGrad and micrograd first) or `.venv/bin/python benchmarks/run.py`.")
    return 0


def profile(which):
    if which == "mlp":
        x, y, weights = W.mlp_data()
        fn, calls = W.make_mlp_torchlike(tutorgrad, x, y, weights)[0], 300
    else:
        fn, calls = W.make_scalar_chain_torchlike(tutorgrad), 100
    fn()
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(calls):
        fn()
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
