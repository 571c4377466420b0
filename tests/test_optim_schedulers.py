"""RMSprop, Adagrad, the learning-rate schedulers and gradient clipping against PyTorch 2.13.

Optimizers: the same model and data on both sides, many steps; float64 trajectories agree to 1e-10
(the same operations in the same order), float32 ones to 1e-5 relative -- float32 rounding after
many steps, and PyTorch's AVX kernels fuse some multiply-adds, so the last bits may differ by
processor. Schedulers compute with Python floats: their learning rates must be *equal*, step by
step. Clipping sums in a different order than PyTorch's reductions: norms agree to 1e-6 relative.
"""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tutorgrad
from torchdiff import assert_same_draws, call, torch


def twin_params(shapes=((4, 3), (3,), (2, 4)), dtype="float64", seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    return ([tutorgrad.nn.Parameter(tutorgrad.tensor(a)) for a in arrays],
            [torch.nn.Parameter(torch.tensor(a)) for a in arrays])


def loss_of(lib, params, x):
    """A small non-linear problem whose gradients change every step (and one parameter left without grad)."""
    w1, b1, _ = params
    h = lib.tanh(lib.tensor(x) @ w1 + b1)
    return ((h - 0.5) ** 2).sum() + (w1 ** 4).mean()


def run_optimizer(lib, params, name, kwargs, steps, x):
    opt = getattr(lib.optim, name)(params, **kwargs)
    for _ in range(steps):
        opt.zero_grad()
        loss_of(lib, params, x).backward()
        opt.step()
    return opt


OPTIMIZERS = [
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.02, "alpha": 0.9}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "maximize": True, "eps": 1e-3}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.5}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.2, "initial_accumulator_value": 0.3}),
    ("Adagrad", {"lr": 0.1, "maximize": True, "eps": 1e-4}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
]


@pytest.mark.parametrize("dtype,tol", [("float64", 1e-10), ("float32", 1e-5)])
@pytest.mark.parametrize("name,kwargs", OPTIMIZERS)
def test_trajectories_match_pytorch(name, kwargs, dtype, tol):
    ours, ref = twin_params(dtype=dtype)
    x = np.random.default_rng(1).standard_normal((5, 4)).astype(dtype)
    opt, ref_opt = (run_optimizer(lib, params, name, kwargs, 60, x)
                    for lib, params in ((tutorgrad, ours), (torch, ref)))
    for p, q in zip(ours, ref):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=tol, atol=tol)
    # the state has PyTorch's keys and values
    ours_state, ref_state = opt.state_dict(), ref_opt.state_dict()
    assert ours_state["param_groups"] == ref_state["param_groups"]
    assert ours_state["state"].keys() == ref_state["state"].keys()
    for i, entries in ref_state["state"].items():
        assert ours_state["state"][i].keys() == entries.keys()
        for key, value in entries.items():
            np.testing.assert_allclose(ours_state["state"][i][key].numpy(), value.numpy(), rtol=tol, atol=tol)


@settings(max_examples=25)
@given(lr=st.floats(1e-4, 0.02), alpha=st.floats(0.5, 0.999), momentum=st.sampled_from([0.0, 0.5, 0.9]),
       centered=st.booleans(), weight_decay=st.sampled_from([0.0, 0.01]), seed=st.integers(0, 1000))
def test_rmsprop_float64_for_any_settings(lr, alpha, momentum, centered, weight_decay, seed):
    ours, ref = twin_params(seed=seed)
    x = np.random.default_rng(seed).standard_normal((5, 4))
    kwargs = dict(lr=lr, alpha=alpha, momentum=momentum, centered=centered, weight_decay=weight_decay)
    run_optimizer(tutorgrad, ours, "RMSprop", kwargs, 20, x)
    run_optimizer(torch, ref, "RMSprop", kwargs, 20, x)
    for p, q in zip(ours, ref):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("name,kwargs", [("RMSprop", {}), ("RMSprop", {"momentum": 0.9, "centered": True}),
                                         ("Adagrad", {}), ("Adagrad", {"lr": 0.1, "lr_decay": 0.01})])
def test_repr_and_fresh_state_as_pytorch(name, kwargs):
    ours, ref = twin_params()
    opt, ref_opt = getattr(tutorgrad.optim, name)(ours, **kwargs), getattr(torch.optim, name)(ref, **kwargs)
    assert repr(opt) == repr(ref_opt)
    assert repr(opt.state_dict()) == repr(ref_opt.state_dict()).replace("torch.", "tutorgrad.")


@pytest.mark.parametrize("make", [
    lambda lib, p: lib.optim.RMSprop(p, lr=-1), lambda lib, p: lib.optim.RMSprop(p, eps=-1),
    lambda lib, p: lib.optim.RMSprop(p, momentum=-1), lambda lib, p: lib.optim.RMSprop(p, weight_decay=-1),
    lambda lib, p: lib.optim.RMSprop(p, alpha=-1), lambda lib, p: lib.optim.Adagrad(p, lr=-1),
    lambda lib, p: lib.optim.Adagrad(p, lr_decay=-1), lambda lib, p: lib.optim.Adagrad(p, weight_decay=-1),
    lambda lib, p: lib.optim.Adagrad(p, initial_accumulator_value=-1), lambda lib, p: lib.optim.Adagrad(p, eps=-1),
])
def test_argument_errors_as_pytorch(make):
    ours, ref = twin_params()
    theirs, mine = call(lambda lib: make(lib, ref), torch), call(lambda lib: make(lib, ours), tutorgrad)
    assert type(mine) is type(theirs) and str(mine) == str(theirs)


def test_complex_parameters_as_pytorch():
    for name in ("RMSprop", "Adagrad"):
        values = np.array([1 + 2j, -0.5 + 0.25j])
        grads = np.array([0.3 - 1j, 2 + 0.5j])
        results = []
        for lib in (tutorgrad, torch):
            p = lib.tensor(values)  # (a leaf whose .grad is set by hand: tutorgrad has no complex autograd yet)
            opt = getattr(lib.optim, name)([p], lr=0.1)
            for _ in range(3):
                p.grad = lib.tensor(grads * (1 + p.detach().numpy()))
                opt.step()
            results.append(p.detach().numpy())
        np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


# ------------------------------------------------------------------------------------------------ schedulers
def sgd_pair(lr=0.1, momentum=0.9, groups=1):
    ours, ref = twin_params()
    if groups == 2:
        return (tutorgrad.optim.SGD([{"params": ours[:1]}, {"params": ours[1:], "lr": lr / 3}], lr=lr,
                                    momentum=momentum),
                torch.optim.SGD([{"params": ref[:1]}, {"params": ref[1:], "lr": lr / 3}], lr=lr, momentum=momentum))
    return tutorgrad.optim.SGD(ours, lr=lr, momentum=momentum), torch.optim.SGD(ref, lr=lr, momentum=momentum)


SCHEDULERS = {
    "StepLR": lambda m, o: m.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda m, o: m.MultiStepLR(o, milestones=[3, 8, 8, 20], gamma=0.3),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, gamma=0.93),
    "CosineAnnealingLR": lambda m, o: m.CosineAnnealingLR(o, T_max=10),
    "CosineAnnealingLR eta_min": lambda m, o: m.CosineAnnealingLR(o, T_max=7, eta_min=0.001),
    "LambdaLR": lambda m, o: m.LambdaLR(o, lr_lambda=lambda epoch: 0.95 ** epoch / (1 + epoch % 3)),
    "LambdaLR per group": lambda m, o: m.LambdaLR(o, lr_lambda=[lambda e: 1 / (e + 1)] * len(o.param_groups)),
    "MultiplicativeLR": lambda m, o: m.MultiplicativeLR(o, lr_lambda=lambda epoch: 0.9),
    "ConstantLR": lambda m, o: m.ConstantLR(o, factor=0.25, total_iters=4),
    "LinearLR": lambda m, o: m.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=12),
    "PolynomialLR": lambda m, o: m.PolynomialLR(o, total_iters=15, power=2.0),
    "CosineAnnealingWarmRestarts": lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2, eta_min=1e-4),
    "OneCycleLR": lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=50),
    "OneCycleLR three phase linear": lambda m, o: m.OneCycleLR(o, max_lr=[0.5, 0.2][:len(o.param_groups)] * 1,
                                                               epochs=5, steps_per_epoch=10, three_phase=True,
                                                               anneal_strategy="linear", pct_start=0.25),
    "CyclicLR": lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5),
    "CyclicLR triangular2": lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=[0.1, 0.3][:len(o.param_groups)],
                                                    step_size_up=4, step_size_down=7, mode="triangular2"),
    "CyclicLR exp_range": lambda m, o: m.CyclicLR(o, base_lr=0.001, max_lr=0.05, step_size_up=3, mode="exp_range",
                                                  gamma=0.97, base_momentum=0.7),
    "SequentialLR": lambda m, o: m.SequentialLR(o, [m.LinearLR(o, start_factor=0.2, total_iters=5),
                                                    m.ExponentialLR(o, gamma=0.9)], milestones=[5]),
    "ChainedScheduler": lambda m, o: m.ChainedScheduler([m.ConstantLR(o, factor=0.5, total_iters=3),
                                                         m.ExponentialLR(o, gamma=0.95)]),
    "two schedulers on one optimizer": lambda m, o: [m.StepLR(o, step_size=4), m.ExponentialLR(o, gamma=0.97)],
}


def drive(lib, make, groups, epochs=49):
    opt = sgd_pair(groups=groups)[0 if lib is tutorgrad else 1]
    schedulers = make(lib.optim.lr_scheduler, opt)
    schedulers = schedulers if isinstance(schedulers, list) else [schedulers]
    history = [[s.get_last_lr() for s in schedulers]]
    for _ in range(epochs):
        opt.step()
        for s in schedulers:
            s.step()
        history.append([s.get_last_lr() for s in schedulers] +
                       [[g.get("momentum"), g["lr"], g.get("initial_lr")] for g in opt.param_groups])
    return history, schedulers


@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize("name", SCHEDULERS)
def test_scheduler_learning_rates_are_pytorchs_exactly(name, groups):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning in the right order of calls
        ours, schedulers = drive(tutorgrad, SCHEDULERS[name], groups)
        ref, ref_schedulers = drive(torch, SCHEDULERS[name], groups)
    assert ours == ref
    for s, r in zip(schedulers, ref_schedulers):
        mine, theirs = s.state_dict(), r.state_dict()
        assert mine.keys() == theirs.keys()
        for key in theirs:
            if key not in ("lr_lambdas", "_schedulers"):
                assert mine[key] == theirs[key], key


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "ConstantLR",
                                  "LinearLR", "PolynomialLR"])
def test_closed_form_with_an_epoch_argument(name):
    results = []
    for lib in (tutorgrad, torch):
        opt = sgd_pair()[0 if lib is tutorgrad else 1]
        s = SCHEDULERS[name](lib.optim.lr_scheduler, opt)
        lrs = []
        with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary"):
            for epoch in (3, 9, 2, 14):
                opt.step()
                s.step(epoch)
                lrs.append(s.get_last_lr())
        results.append(lrs)
    assert results[0] == results[1]


@settings(max_examples=60)
@given(metrics=st.lists(st.sampled_from([1.0, 0.99, 0.9999, 0.5, 2.0, 0.4999, 1e-3]), min_size=1, max_size=40),
       mode=st.sampled_from(["min", "max"]), threshold_mode=st.sampled_from(["rel", "abs"]),
       patience=st.integers(0, 4), cooldown=st.integers(0, 3), factor=st.sampled_from([0.1, 0.5, 0.9]),
       min_lr=st.sampled_from([0, 1e-3, [0.01, 0.0]]), threshold=st.sampled_from([1e-4, 0.01, 0.5]))
def test_reduce_on_plateau_as_pytorch(metrics, mode, threshold_mode, patience, cooldown, factor, min_lr, threshold):
    runs = []
    for lib in (tutorgrad, torch):
        opt = sgd_pair(groups=2)[0 if lib is tutorgrad else 1]
        s = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, mode=mode, factor=factor, patience=patience,
                                                     threshold=threshold, threshold_mode=threshold_mode,
                                                     cooldown=cooldown, min_lr=min_lr)
        history = []
        for m in metrics:
            opt.step()
            s.step(lib.tensor(m) if len(history) % 2 else m)
            history.append((s.get_last_lr(), s.num_bad_epochs, s.cooldown_counter, s.best, s.last_epoch))
        runs.append(history)
    assert runs[0] == runs[1]


def test_scheduler_warnings_as_pytorch():
    for lib in (tutorgrad, torch):
        opt = sgd_pair()[0 if lib is tutorgrad else 1]
        s = lib.optim.lr_scheduler.StepLR(opt, step_size=2)
        with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
            s.step()
        with pytest.warns(UserWarning, match=r"please use `get_last_lr\(\)`"):
            s.get_lr()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            opt.step()
            s.step()


def test_scheduler_state_dict_round_trip_and_resume():
    results = []
    for lib in (tutorgrad, torch):
        opt = sgd_pair()[0 if lib is tutorgrad else 1]
        s = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
        for _ in range(4):
            opt.step()
            s.step()
        saved = s.state_dict()
        opt2 = sgd_pair()[0 if lib is tutorgrad else 1]
        opt2.load_state_dict(opt.state_dict())
        s2 = lib.optim.lr_scheduler.CosineAnnealingLR(opt2, T_max=10, last_epoch=3)
        s2.load_state_dict(saved)
        lrs = []
        for _ in range(5):
            opt2.step()
            s2.step()
            lrs.append(s2.get_last_lr())
        results.append((sorted(saved), lrs))
    assert results[0] == results[1]


@pytest.mark.parametrize("make", [
    lambda lib, o: lib.optim.lr_scheduler.StepLR("not an optimizer", 3),
    lambda lib, o: lib.optim.lr_scheduler.StepLR(o, 3, last_epoch=5),
    lambda lib, o: lib.optim.lr_scheduler.LambdaLR(o, [lambda e: 1.0] * 3),
    lambda lib, o: lib.optim.lr_scheduler.MultiplicativeLR(o, 0.9),
    lambda lib, o: lib.optim.lr_scheduler.ConstantLR(o, factor=2),
    lambda lib, o: lib.optim.lr_scheduler.LinearLR(o, start_factor=0),
    lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(o, factor=1.0),
    lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(o, mode="avg"),
    lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(o, min_lr=[0, 0, 0]),
    lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1),
    lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=0),
    lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=5, pct_start=1),
    lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=5, anneal_strategy="exp"),
    lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(lib.optim.Adagrad(o.param_groups[0]["params"]), max_lr=0.1,
                                                     total_steps=5),
    lambda lib, o: [s.step() for s in [lib.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=2)] * 3],
    lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=0),
    lambda lib, o: lib.optim.lr_scheduler.SequentialLR(o, [lib.optim.lr_scheduler.StepLR(o, 2)], milestones=[3]),
    lambda lib, o: lib.optim.lr_scheduler.ChainedScheduler([]),
    lambda lib, o: lib.optim.lr_scheduler.CyclicLR(o, 0.01, 0.1, mode="sine"),
    lambda lib, o: lib.optim.lr_scheduler.CyclicLR(o, [0.01] * 3, 0.1),
])
def test_scheduler_errors_as_pytorch(make):
    results = []
    for lib in (tutorgrad, torch):
        opt = sgd_pair()[0 if lib is tutorgrad else 1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results.append(call(lambda _: make(lib, opt), lib))
    mine, theirs = results
    assert isinstance(theirs, Exception)
    assert type(mine) is type(theirs) and str(mine) == str(theirs).replace("torch.", "tutorgrad.")


def test_one_cycle_with_adam_moves_beta1():
    runs = []
    for lib in (tutorgrad, torch):
        params = twin_params()[0 if lib is tutorgrad else 1]
        opt = lib.optim.Adam(params, lr=0.01)
        s = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=12)
        seen = []
        for _ in range(11):
            opt.step()
            s.step()
            seen.append((s.get_last_lr(), opt.param_groups[0]["betas"]))
        runs.append(seen)
    assert runs[0] == runs[1]


# ------------------------------------------------------------------------------------------------ clipping
def grads_pair(shapes, seed, scale, dtype="float32"):
    rng = np.random.default_rng(seed)
    ours, ref = twin_params(shapes, dtype=dtype, seed=seed)
    for p, q in zip(ours, ref):
        g = (rng.standard_normal(tuple(p.shape)) * scale).astype(dtype)
        p.grad, q.grad = tutorgrad.tensor(g), torch.tensor(g)
    return ours, ref


@settings(max_examples=60)
@given(shapes=st.lists(st.lists(st.integers(1, 6), min_size=1, max_size=3).map(tuple), min_size=1, max_size=4),
       seed=st.integers(0, 10**6), scale=st.sampled_from([1e-3, 0.5, 3.0, 100.0]),
       max_norm=st.sampled_from([0.1, 1.0, 5.0, 1e4]), norm_type=st.sampled_from([2.0, 1, 3.5, math.inf, 0]),
       dtype=st.sampled_from(["float32", "float64"]))
def test_clip_grad_norm_as_pytorch(shapes, seed, scale, max_norm, norm_type, dtype):
    ours, ref = grads_pair(shapes, seed, scale, dtype)
    total = tutorgrad.nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    ref_total = torch.nn.utils.clip_grad_norm_(ref, max_norm, norm_type=norm_type)
    assert str(total.dtype).split(".")[-1] == str(ref_total.dtype).split(".")[-1] and total.shape == ()
    np.testing.assert_allclose(total.item(), ref_total.item(), rtol=1e-6)
    for p, q in zip(ours, ref):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=2e-6, atol=1e-9)


def test_clipping_corners_as_pytorch():
    for lib in (tutorgrad, torch):
        w = lib.nn.Parameter(lib.tensor([3.0, 4.0]))
        assert lib.nn.utils.clip_grad_norm_([w], 1.0).item() == 0.0  # no gradients: norm 0
        assert lib.nn.utils.clip_grad_norm_(w, 1.0).item() == 0.0    # one tensor, not a list
        w.grad = lib.tensor([float("inf"), 1.0])
        with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is "
                                               "non-finite, so it cannot be clipped"):
            lib.nn.utils.clip_grad_norm_([w], 1.0, error_if_nonfinite=True)
        w.grad = lib.tensor([-3.0, 0.5])
        assert lib.nn.utils.clip_grad_value_(w.__iter__() if False else [w], 1) is None
        assert w.grad.tolist() == [-1.0, 0.5]
        with pytest.warns(FutureWarning, match="clip_grad_norm` is now deprecated"):
            lib.nn.utils.clip_grad_norm([w], 1.0)


def test_parameters_to_vector_and_back_as_pytorch():
    results = []
    for lib in (tutorgrad, torch):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.Linear(2, 1))
        vec = lib.nn.utils.parameters_to_vector(model.parameters())
        out = [repr(vec.grad_fn).split(" object")[0].split(".")[-1].lstrip("<"), tuple(vec.shape)]
        lib.nn.utils.vector_to_parameters(lib.arange(11.0), model.parameters())
        out.append([p.tolist() for p in model.parameters()])
        results.append((out, vec.detach().numpy()))
    (ours, our_vec), (ref, ref_vec) = results
    assert ours == ref and ours[0] == "CatBackward0"
    assert_same_draws(our_vec, ref_vec)  # the initial weights, in parameter order
