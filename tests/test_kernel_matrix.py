"""``make test-kernels`` (tests/kernel_matrix.py): its 12 runs cover every pair of settings of two axes."""
import itertools

import kernel_matrix as km


def test_the_default_plan_covers_every_pair_of_settings():
    runs = km.plan(full=False)
    axes = [km.BLAS, list(km.NUMPY), km.ATEN, km.MKL]
    assert len(runs) == 12 and len(set(runs)) == 12
    for i, j in itertools.combinations(range(len(axes)), 2):
        seen = {(run[i], run[j]) for run in runs}
        assert seen == set(itertools.product(axes[i], axes[j])), (i, j)
    assert len(km.plan(full=True)) == 4 * 3 * 3 * 2


def test_each_run_sets_what_it_names():
    env = km.environment("Prescott", "baseline", "default", "COMPATIBLE")
    assert env["OPENBLAS_CORETYPE"] == "Prescott" and env["ATEN_CPU_CAPABILITY"] == "default"
    assert env["MKL_CBWR"] == "COMPATIBLE" and "X86_V3" in env["NPY_DISABLE_CPU_FEATURES"].split()
    native = km.environment("Haswell", "native", "avx2", "native")
    assert "NPY_DISABLE_CPU_FEATURES" not in native and "MKL_CBWR" not in native
