"""The lessons' tests under other processors' kernels: ``make test-kernels``.

Which numbers a long float32 computation prints depends on the CPU kernels the libraries pick for
the processor they run on: OpenBLAS's matrix products (NumPy, so tutorgrad), NumPy's own SIMD loops
(``exp``, ``tanh``, sums...), and PyTorch's ATen kernels. CI runs on whatever machine it is given,
Intel or AMD, with or without AVX-512; the lessons' stored outputs (nbval) and the lessons-vs-PyTorch
cross-check must hold on all of them. This script forces the other kernels on *this* machine and runs
those tests under each setting:

* ``OPENBLAS_CORETYPE``: Haswell, SkylakeX, Zen, Prescott (NumPy's BLAS);
* ``NPY_DISABLE_CPU_FEATURES``: NumPy's native SIMD, its AVX2 level (a CPU without AVX-512), its
  baseline (SSE4.2 only);
* ``ATEN_CPU_CAPABILITY``: default, avx2, avx512 (PyTorch's own kernels);
* ``MKL_CBWR``: MKL's native code path or ``COMPATIBLE`` (PyTorch's matrix products; on this AMD
  machine ``MKL_ENABLE_INSTRUCTIONS`` changes nothing, ``MKL_CBWR=COMPATIBLE`` does).

The 12 runs of the default plan cover every pair of settings of any two axes at least once (an
all-pairs design; ``--full`` runs all 4 x 3 x 3 x 2 = 72 combinations). Each run first checks that
its settings took effect (threadpoolctl for OpenBLAS, NumPy's CPU feature table,
``torch.backends.cpu.get_cpu_capability()``; MKL cannot be asked) and skips settings this processor
cannot run (SkylakeX kernels and avx512 need AVX-512). Exit status 0 only if every run passed.

``--suite`` runs the whole test suite (but the browser tests, which print no numbers) in each run
instead of the lessons' tests: the random-number tests, for one, compare draws bit for bit.

    .venv/bin/python tests/kernel_matrix.py [--full] [--suite] [--list] [-- pytest options]
"""
import argparse
import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ["notebooks", "tests/test_lessons_vs_pytorch.py", "tests/test_primer.py"]

BLAS = ["Haswell", "SkylakeX", "Zen", "Prescott"]
# NumPy 2.4's names for its dispatch targets (np.show_runtime() lists them): X86_V4 is AVX-512
# (Skylake-X), X86_V3 is AVX2 + FMA, X86_V2 the SSE4.2 baseline every x86-64 build requires.
NUMPY = {"native": "", "avx2": "AVX512_ICL AVX512_SPR X86_V4", "baseline": "AVX512_ICL AVX512_SPR X86_V4 X86_V3"}
ATEN = ["default", "avx2", "avx512"]
MKL = ["native", "COMPATIBLE"]
# What threadpoolctl reports for each forced OpenBLAS core (Zen uses the Haswell kernels, Prescott is
# reported under the name of the oldest x86-64 core type that OpenBLAS knows).
BLAS_REPORTS = {"Haswell": {"Haswell"}, "SkylakeX": {"SkylakeX"}, "Zen": {"Zen", "Haswell"},
                "Prescott": {"Prescott", "Katmai", "Core2"}}
NEEDS_AVX512 = {"SkylakeX", "avx512"}

PROBE = r"""
import json, numpy, threadpoolctl
from numpy._core._multiarray_umath import __cpu_features__ as features
blas = [i.get("architecture") for i in threadpoolctl.threadpool_info() if i["internal_api"] == "openblas"]
try:
    import torch
    aten = torch.backends.cpu.get_cpu_capability()
except ImportError:
    aten = None
print(json.dumps({"blas": blas[0] if blas else None, "aten": aten,
                  "x86_v4": bool(features.get("X86_V4")), "x86_v3": bool(features.get("X86_V3"))}))
"""


def plan(full):
    """The runs: (blas, numpy level, aten level, mkl path) tuples."""
    numpy_levels = list(NUMPY)
    if full:
        return list(itertools.product(BLAS, numpy_levels, ATEN, MKL))
    # All pairs in 12 runs: with s = b + n, (s % 3, s % 2) takes all six values as s goes 0..5, so every
    # pair of settings of two axes appears in some run.
    return [(blas, numpy_levels[n], ATEN[(b + n) % 3], MKL[(b + n) % 2])
            for b, blas in enumerate(BLAS) for n in range(3)]


def environment(blas, numpy_level, aten, mkl):
    env = dict(os.environ, OPENBLAS_CORETYPE=blas, ATEN_CPU_CAPABILITY=aten, MKL_CBWR=mkl,
               NPY_DISABLE_CPU_FEATURES=NUMPY[numpy_level])
    for name, value in (("NPY_DISABLE_CPU_FEATURES", NUMPY[numpy_level]), ("MKL_CBWR", mkl != "native")):
        if not value:
            env.pop(name)
    return env


def cpu_has_avx512():
    try:
        return "avx512f" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


def check(env, blas, numpy_level, aten, mkl):
    """Why the settings did not take effect, or None."""
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        return f"probe failed: {out.stderr.strip().splitlines()[-1:]}"
    seen = json.loads(out.stdout)
    problems = []
    if seen["blas"] not in BLAS_REPORTS[blas]:
        problems.append(f"OpenBLAS reports {seen['blas']}, not {blas}")
    if seen["aten"] is not None and seen["aten"].lower() != aten:
        problems.append(f"PyTorch reports {seen['aten']}, not {aten}")
    if numpy_level != "native" and seen["x86_v4"]:
        problems.append("NumPy still uses its AVX-512 loops")
    if numpy_level == "baseline" and seen["x86_v3"]:
        problems.append("NumPy still uses its AVX2 loops")
    return "; ".join(problems) or None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="all 72 combinations instead of the 12 all-pairs runs")
    parser.add_argument("--suite", action="store_true", help="the whole test suite but the browser tests")
    parser.add_argument("--list", action="store_true", help="print the runs and exit")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest options (after --)")
    args = parser.parse_args()

    runs = plan(args.full)
    tests = ["-m", "not browser"] if args.suite else TESTS
    if args.list:
        for run in runs:
            print(*run)
        return 0
    avx512 = cpu_has_avx512()
    results = []
    for n, (blas, numpy_level, aten, mkl) in enumerate(runs, 1):
        name = f"OPENBLAS_CORETYPE={blas:<9} numpy={numpy_level:<8} ATEN_CPU_CAPABILITY={aten:<7} MKL_CBWR={mkl:<10}"
        if not avx512 and ({blas, aten} & NEEDS_AVX512):
            results.append((name, "skipped (this CPU has no AVX-512)", 0.0))
            print(f"[{n}/{len(runs)}] {name} skipped: this CPU has no AVX-512", flush=True)
            continue
        env = environment(blas, numpy_level, aten, mkl)
        problem = check(env, blas, numpy_level, aten, mkl)
        if problem:
            results.append((name, f"FAILED: settings did not take effect ({problem})", 0.0))
            print(f"[{n}/{len(runs)}] {name} settings did not take effect: {problem}", flush=True)
            continue
        print(f"[{n}/{len(runs)}] {name} ...", flush=True)
        start = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests,
                               *args.pytest_args], env=env, cwd=ROOT, capture_output=True, text=True)
        seconds = time.monotonic() - start
        summary = (proc.stdout.strip().splitlines() or ["(no output)"])[-1]
        verdict = "passed" if proc.returncode == 0 else "FAILED"
        results.append((name, f"{verdict}: {summary}", seconds))
        if proc.returncode:
            print(proc.stdout[-6000:], proc.stderr[-2000:], sep="\n")
        print(f"    {verdict} in {seconds:.0f} s: {summary}", flush=True)

    print("\nKernel matrix:", "all 72 combinations" if args.full else "12 all-pairs runs",
          f"({len(runs)} runs of: pytest {' '.join(tests)})")
    for name, verdict, seconds in results:
        print(f"  {name}  {verdict}" + (f"  [{seconds:.0f} s]" if seconds else ""))
    return int(any(v.startswith("FAILED") for _, v, _ in results))


if __name__ == "__main__":
    sys.exit(main())
