"""The benchmark workloads compute the right thing (run once, tiny sizes; no timing assertions).

Each library's version of a workload must give the same numbers: the hand-written NumPy MLP
step must update the weights exactly as tutorgrad's (and PyTorch's, MyGrad's) step does, the
scalar chains and the loss must give the same gradients.
"""
import gc
import math
import os
import re
import sys

import numpy as np

import tutorgrad

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))
import workloads as W  # noqa: E402
import run  # noqa: E402

SIZES = (6, 5, 4, 3)


def mlp_steps():
    x, y, weights = W.mlp_data(batch=8, sizes=SIZES, seed=3)
    steps = {"tutorgrad": W.make_mlp_torchlike(tutorgrad, x, y, weights, lr=0.5),
             "numpy": W.make_mlp_numpy(x, y, weights, lr=0.5)}
    if run.torch is not None:
        steps["torch"] = W.make_mlp_torchlike(run.torch, x, y, weights, lr=0.5)
    if run.mygrad is not None:
        steps["mygrad"] = W.make_mlp_mygrad(x, y, weights, lr=0.5)
    return weights, steps


def test_mlp_step_is_the_same_update_in_every_library():
    initial, steps = mlp_steps()
    results = {}
    for name, (step, params) in steps.items():
        losses = [step() for _ in range(3)]
        results[name] = (losses, params())
    ref_losses, ref_params = results["numpy"]
    assert ref_losses[0] > ref_losses[-1]  # it learns
    assert any(not np.allclose(p, q) for p, q in zip(ref_params, initial))
    for name, (losses, params) in results.items():
        np.testing.assert_allclose(losses, ref_losses, rtol=1e-5, err_msg=name)
        assert [p.shape for p in params] == [w.shape for w in initial]
        for p, q in zip(params, ref_params):
            np.testing.assert_allclose(p, q, rtol=1e-5, atol=1e-6, err_msg=name)


def test_mlp_data_matches_the_benchmark_shapes():
    x, y, weights = W.mlp_data()
    assert x.shape == (W.BATCH, 64) and x.dtype == np.float32 and y.shape == (W.BATCH,)
    assert [w.shape for w in weights] == [(256, 64), (256,), (256, 256), (256,), (10, 256), (10,)]


def test_scalar_chains_agree():
    expected = 0.999 ** 10  # y = (..((x a + b) a + b)..): dy/dx = a^n
    values = {"tutorgrad": W.make_scalar_chain_torchlike(tutorgrad, n=10)()}
    if run.torch is not None:
        values["torch"] = W.make_scalar_chain_torchlike(run.torch, n=10)()
    if run.micrograd is not None:
        values["micrograd"] = W.make_scalar_chain_micrograd(n=10)()
    if run.mygrad is not None:
        values["mygrad"] = W.make_scalar_chain_mygrad(n=10)()
    for name, value in values.items():
        assert math.isclose(value, expected, rel_tol=1e-6), name


def test_vectorised_loss_equals_the_element_by_element_loss():
    xs, ys = W.loss_data(50)
    expected = (np.mean(2 * (xs + 0 - ys) * xs), np.mean(2 * (xs - ys)))  # at w = 1, b = 0
    results = {"tutorgrad": W.make_loss_torchlike(tutorgrad, n=50)()}
    if run.torch is not None:
        results["torch"] = W.make_loss_torchlike(run.torch, n=50)()
    if run.micrograd is not None:
        results["micrograd"] = W.make_loss_micrograd(n=50)()
    for name, grads in results.items():
        np.testing.assert_allclose(grads, expected, rtol=1e-9, err_msg=name)


def test_long_chain_and_timing_helpers():
    build, backward = W.make_long_chain_torchlike(tutorgrad, 100)
    build()
    assert math.isclose(backward(), 1.0001 ** 50, rel_tol=1e-5)
    fwd, bwd = run.long_chain(tutorgrad, 100, repeats=2)
    assert fwd > 0 and bwd > 0
    medians = run.interleaved({"a": lambda: None, "b": lambda: sum(range(10))}, repeats=3, min_time=1e-4)
    assert set(medians) == {"a", "b"} and all(t >= 0 for t in medians.values())
    assert isinstance(run.memory_growth(steps=3), float)


def test_report_rows():
    line = run.row("w", {"tutorgrad": 2e-3, "NumPy by hand": 1e-3})
    assert line.startswith("| w | **2.00 ms** | 1.00 ms (2.00×) |")
    assert run.fmt_time(5e-6) == "5.0 µs" and run.fmt_time(2.5) == "2.50 s"
    assert "Python" in run.machine()


def test_sampling_with_the_collector_paused_turns_it_back_on():
    medians = run.interleaved({"a": lambda: None, "b": lambda: [[] for _ in range(10)]}, repeats=2, min_time=1e-4,
                              gc_paused=True)
    assert set(medians) == {"a", "b"} and all(m >= 0 for m in medians.values())
    assert gc.isenabled()


def test_lenet_step_gives_pytorchs_loss_and_gradients():
    if run.torch is None:
        return
    x, y = W.lenet_data(batch=4, seed=1)
    ours, theirs = W.make_lenet_torchlike(tutorgrad, x, y), W.make_lenet_torchlike(run.torch, x, y)
    assert math.isclose(ours[0](), theirs[0](), rel_tol=1e-5)
    for a, b in zip(ours[1](), theirs[1]()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_instructions_lines_counts_the_python_one_step_runs(capsys):
    import instructions
    root = os.path.dirname(os.path.dirname(os.path.abspath(tutorgrad.__file__)))
    instructions.print_lines(root, "mlp-tiny", top=5)
    out = capsys.readouterr().out.splitlines()
    total_lines, total_calls = map(int, re.match(r"mlp-tiny: (\d+) lines of Python in (\d+) calls", out[0]).groups())
    rows = {line.split()[0]: (int(line.split()[1]), int(line.split()[2])) for line in out[2:]}
    assert len(rows) == 5 and total_lines > sum(n for n, _ in rows.values()) > 0 and total_calls > 0
    # every recorded and unrecorded op of the step goes through Function.apply: it is among the busiest
    assert "tutorgrad/autograd/function.py:apply" in rows
