"""tutorgrad.nn and tutorgrad.optim against real PyTorch.

The same model is built twice (PyTorch and tutorgrad) with the same initial weights; then
outputs, gradients and the parameters after several optimizer steps must agree, reprs must be
PyTorch's, and state dicts must have PyTorch's keys and errors.
"""
import copy
import io
import math
import warnings

import numpy as np
import pytest

import tutorgrad
import tutorgrad.nn as tnn
import tutorgrad.nn.functional as TF
from tutorgrad.autograd import gradcheck, gradgradcheck
from torchdiff import same

torch = pytest.importorskip("torch")
from torchdiff import assert_same_draws  # noqa: E402


def tg_text(text):
    """PyTorch's text as tutorgrad prints it (the module is called ``tutorgrad``)."""
    return text.replace("torch.", "tutorgrad.")


def np_of(t):
    return t.detach().numpy()


def assert_close(ours, ref, tol=1e-5, what=""):
    np.testing.assert_allclose(np_of(ours), np_of(ref), rtol=tol, atol=tol, err_msg=what)


# ---------------------------------------------------------------------------- models built twice
def mlp(lib, sizes=(8, 16, 16, 4), act="ReLU"):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(lib.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(getattr(lib.nn, act)())
    return lib.nn.Sequential(*layers)


def twin_models(sizes=(8, 16, 16, 4), act="ReLU", seed=0):
    """A PyTorch MLP and a tutorgrad MLP with the same weights."""
    torch.manual_seed(seed)
    ref = mlp(torch, sizes, act)
    ours = mlp(tutorgrad, sizes, act)
    with tutorgrad.no_grad():
        for p, q in zip(ours.parameters(), ref.parameters()):
            p.copy_(tutorgrad.tensor(q.detach().numpy()))
    return ours, ref


def batch(n=32, d=8, classes=4, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)).astype(np.float32), rng.integers(0, classes, n)


class Net:
    """A custom module with nested children (built for either library)."""

    @staticmethod
    def build(lib):
        class Block(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = lib.nn.Linear(4, 4)
                self.act = lib.nn.Tanh()
                self.register_buffer("running", lib.zeros(4))
                self.register_buffer("scratch", lib.ones(2), persistent=False)

            def forward(self, x):
                return self.act(self.fc(x)) + self.running

        class TwoBlocks(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.inp = lib.nn.Linear(3, 4, bias=False)
                self.blocks = lib.nn.Sequential(Block(), Block())
                self.scale = lib.nn.Parameter(lib.ones(1))
                self.out = lib.nn.Linear(4, 2)

            def forward(self, x):
                return self.out(self.blocks(self.inp(x)) * self.scale)

        return TwoBlocks()


# ---------------------------------------------------------------------------- initialisation
@pytest.mark.parametrize("seed,shape", [(0, (3, 2)), (1, (64, 256)), (7, (256, 10)), (3, (1, 1))])
def test_linear_default_init_is_pytorchs_bit_for_bit(seed, shape):
    torch.manual_seed(seed)
    ref = torch.nn.Linear(*shape)
    tutorgrad.manual_seed(seed)
    ours = tnn.Linear(*shape)
    assert_same_draws(np_of(ours.weight), np_of(ref.weight))
    assert_same_draws(np_of(ours.bias), np_of(ref.bias))


def test_seeded_mlp_starts_as_pytorchs():
    torch.manual_seed(42)
    ref = mlp(torch, (64, 256, 256, 10))
    tutorgrad.manual_seed(42)
    ours = mlp(tutorgrad, (64, 256, 256, 10))
    for p, q in zip(ours.parameters(), ref.parameters()):
        assert_same_draws(np_of(p), np_of(q))


@pytest.mark.parametrize("name,args", [("kaiming_uniform_", {}), ("kaiming_normal_", {"mode": "fan_out"}),
                                       ("xavier_uniform_", {"gain": 2.0}), ("xavier_normal_", {}),
                                       ("uniform_", {"a": -2, "b": 3}), ("normal_", {"std": 0.5})])
def test_init_functions_match_pytorch(name, args):
    torch.manual_seed(5)
    ref = getattr(torch.nn.init, name)(torch.empty(30, 20), **args)
    tutorgrad.manual_seed(5)
    ours = getattr(tnn.init, name)(tutorgrad.empty(30, 20), **args)
    assert_same_draws(np_of(ours), np_of(ref))


def test_init_gain_and_fan_errors():
    for nl in ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "selu"):
        assert tnn.init.calculate_gain(nl) == torch.nn.init.calculate_gain(nl)
    assert tnn.init.calculate_gain("leaky_relu", 0.2) == torch.nn.init.calculate_gain("leaky_relu", 0.2)
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        tnn.init.calculate_gain("swish")
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        tnn.init.kaiming_uniform_(tutorgrad.empty(3))


# ---------------------------------------------------------------------------- training equals PyTorch's
OPTIMIZERS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 1e-2}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 1e-3}),
    ("SGD", {"lr": 0.05, "maximize": True}),
    ("Adam", {"lr": 1e-2}),
    ("Adam", {"lr": 1e-2, "betas": (0.8, 0.99), "weight_decay": 1e-2}),
    ("Adam", {"lr": 1e-2, "amsgrad": True}),
    ("Adam", {"lr": 1e-2, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("AdamW", {"lr": 1e-2}),
]


def train(lib, model, opt_name, kwargs, loss_name, x, y, steps):
    opt = getattr(lib.optim, opt_name)(model.parameters(), **kwargs)
    loss_fn = getattr(lib.nn, loss_name)()
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(lib.tensor(x)), lib.tensor(y))
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return opt, losses


@pytest.mark.parametrize("loss_name", ["CrossEntropyLoss", "MSELoss"])
@pytest.mark.parametrize("opt_name,kwargs", OPTIMIZERS)
def test_training_steps_match_pytorch(opt_name, kwargs, loss_name):
    ours, ref = twin_models(act="Tanh" if opt_name == "Adam" else "ReLU")
    x, labels = batch()
    y = labels if loss_name == "CrossEntropyLoss" else np.eye(4, dtype=np.float32)[labels]
    _, our_losses = train(tutorgrad, ours, opt_name, kwargs, loss_name, x, y, steps=8)
    _, ref_losses = train(torch, ref, opt_name, kwargs, loss_name, x, y, steps=8)
    np.testing.assert_allclose(our_losses, ref_losses, rtol=1e-5, atol=1e-6)
    for (name, p), q in zip(ours.named_parameters(), ref.parameters()):
        assert_close(p, q, what=f"{name} after 8 steps")
        assert_close(p.grad, q.grad, what=f"{name}.grad at the last step")


def test_forward_and_gradients_match_pytorch():
    ours, ref = twin_models(sizes=(8, 32, 3))
    x, y = batch(classes=3)
    out, out_ref = ours(tutorgrad.tensor(x)), ref(torch.tensor(x))
    assert out.grad_fn.name() == type(out_ref.grad_fn).__name__ == "AddmmBackward0"
    assert [type(n).__name__ for n, _ in out_ref.grad_fn.next_functions] == \
        [n.name() for n, _ in out.grad_fn.next_functions]
    assert_close(out, out_ref)
    TF.cross_entropy(out, tutorgrad.tensor(y)).backward()
    torch.nn.functional.cross_entropy(out_ref, torch.tensor(y)).backward()
    for (name, p), q in zip(ours.named_parameters(), ref.parameters()):
        assert_close(p.grad, q.grad, what=name)


def test_custom_module_trains_like_pytorch():
    torch.manual_seed(0)
    ref = Net.build(torch)
    ours = Net.build(tutorgrad)
    ours.load_state_dict({k: tutorgrad.tensor(v.numpy()) for k, v in ref.state_dict().items()})
    x = np.random.default_rng(3).standard_normal((5, 3)).astype(np.float32)
    y = np.random.default_rng(4).standard_normal((5, 2)).astype(np.float32)
    train(tutorgrad, ours, "Adam", {"lr": 0.05}, "MSELoss", x, y, steps=5)
    train(torch, ref, "Adam", {"lr": 0.05}, "MSELoss", x, y, steps=5)
    for (name, p), q in zip(ours.named_parameters(), ref.parameters()):
        assert_close(p, q, what=name)


def test_optimizer_param_groups_with_own_learning_rates():
    ours, ref = twin_models()
    x, y = batch()
    results = []
    for lib, model in ((tutorgrad, ours), (torch, ref)):
        opt = lib.optim.SGD([{"params": model[0].parameters(), "lr": 0.5},
                             {"params": list(model[2].parameters()) + list(model[4].parameters())}],
                            lr=0.01, momentum=0.5)
        for _ in range(3):
            opt.zero_grad()
            lib.nn.functional.cross_entropy(model(lib.tensor(x)), lib.tensor(y)).backward()
            opt.step()
        results.append(opt)
    assert [g["lr"] for g in results[0].param_groups] == [0.5, 0.01]
    for p, q in zip(ours.parameters(), ref.parameters()):
        assert_close(p, q)


def test_step_with_closure_returns_the_loss():
    ours, ref = twin_models()
    x, y = batch()
    for lib, model in ((tutorgrad, ours), (torch, ref)):
        opt = lib.optim.SGD(model.parameters(), lr=0.1)

        def closure():
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(lib.tensor(x)), lib.tensor(y))
            loss.backward()
            return loss
        with lib.no_grad():  # the closure re-enables gradients, as in PyTorch
            loss = opt.step(closure)
        assert loss.requires_grad
    for p, q in zip(ours.parameters(), ref.parameters()):
        assert_close(p, q)


def test_step_updates_in_place_outside_the_graph():
    model = tnn.Linear(3, 2)
    w = model.weight
    version = w._version
    opt = tutorgrad.optim.Adam(model.parameters())
    model(tutorgrad.randn(4, 3)).sum().backward()
    opt.step()
    assert model.weight is w and w.is_leaf and w.grad_fn is None and w.requires_grad
    assert w._version > version
    assert opt.state[w]["exp_avg"].grad_fn is None


# ---------------------------------------------------------------------------- losses and functional
def both(fn, *arrays, dtype=np.float64, grad=(0,)):
    """Run ``fn(lib, *tensors)`` in both libraries; tensors listed in ``grad`` require grad."""
    out = []
    for lib in (tutorgrad, torch):
        ts = [lib.tensor(a.astype(dtype) if a.dtype.kind == "f" else a, requires_grad=i in grad and a.dtype.kind == "f")
              for i, a in enumerate(arrays)]
        out.append((fn(lib, *ts), ts))
    return out


def assert_loss_matches(fn, *arrays, grad=(0,)):
    (ours, our_in), (ref, ref_in) = both(fn, *arrays, grad=grad)
    assert_close(ours, ref, tol=1e-10)
    seed = np.random.default_rng(9).standard_normal(tuple(ref.shape))
    ours.backward(tutorgrad.tensor(seed))
    ref.backward(torch.tensor(seed))
    for i in grad:
        assert_close(our_in[i].grad, ref_in[i].grad, tol=1e-10, what=f"gradient of input {i}")


RNG = np.random.default_rng(11)
LOGITS = RNG.standard_normal((6, 5))
LABELS = np.array([0, 4, 2, 2, 1, 3])
WEIGHT = RNG.uniform(0.5, 2.0, 5)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("extra", [{}, {"weight": True}, {"ignore_index": 2}, {"label_smoothing": 0.1},
                                   {"weight": True, "ignore_index": 2, "label_smoothing": 0.2}])
def test_cross_entropy_matches_pytorch(reduction, extra):
    def fn(lib, logits, labels, weight):
        kw = dict(extra, reduction=reduction)
        if kw.pop("weight", False):
            kw["weight"] = weight
        return lib.nn.functional.cross_entropy(logits, labels, **kw)
    assert_loss_matches(fn, LOGITS, LABELS, WEIGHT)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_with_probability_targets_and_extra_dims(reduction):
    probs = RNG.dirichlet(np.ones(5), 6)
    assert_loss_matches(lambda lib, x, p: lib.nn.functional.cross_entropy(x, p, reduction=reduction,
                                                                          label_smoothing=0.1), LOGITS, probs)
    scores = RNG.standard_normal((2, 5, 3))
    labels = RNG.integers(0, 5, (2, 3))
    assert_loss_matches(lambda lib, x, t: lib.nn.functional.cross_entropy(x, t, reduction=reduction), scores,
                        labels)
    assert_loss_matches(lambda lib, x, t: lib.nn.functional.cross_entropy(x, t), LOGITS[0], np.array(3))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_and_mse_match_pytorch(reduction):
    logp = np.log(RNG.dirichlet(np.ones(5), 6))
    assert_loss_matches(lambda lib, x, t, w: lib.nn.functional.nll_loss(x, t, w, reduction=reduction),
                        logp, LABELS, WEIGHT)
    a, b = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
    assert_loss_matches(lambda lib, x, y: lib.nn.functional.mse_loss(x, y, reduction=reduction), a, b, grad=(0, 1))
    w = RNG.uniform(0, 1, (4, 3))
    assert_loss_matches(lambda lib, x, y, w: lib.nn.functional.mse_loss(x, y, reduction=reduction, weight=w),
                        a, b, w)


def test_loss_modules_match_functional():
    x, t = tutorgrad.tensor(LOGITS), tutorgrad.tensor(LABELS)
    w = tutorgrad.tensor(WEIGHT)
    assert tnn.CrossEntropyLoss(weight=w, reduction="sum")(x, t).item() == \
        TF.cross_entropy(x, t, weight=w, reduction="sum").item()
    assert tnn.NLLLoss(ignore_index=2)(x.log_softmax(1), t).item() == TF.cross_entropy(x, t, ignore_index=2).item()
    assert tnn.MSELoss(reduction="none")(x, x * 2).shape == x.shape
    assert list(tnn.CrossEntropyLoss(weight=w).state_dict()) == ["weight"]


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh"])
def test_activation_functions_match_pytorch(name):
    assert_loss_matches(lambda lib, x: getattr(lib.nn.functional, name)(x), RNG.standard_normal((3, 4)))
    mod = {"relu": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh"}[name]
    assert_loss_matches(lambda lib, x: getattr(lib.nn, mod)()(x), RNG.standard_normal((3, 4)))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_functions_and_the_implicit_dim_warning(name):
    for dim in (0, 1, -1):
        assert_loss_matches(lambda lib, x: getattr(lib.nn.functional, name)(x, dim=dim), RNG.standard_normal((3, 4)))
    with pytest.warns(UserWarning, match=f"Implicit dimension choice for {name} has been deprecated"):
        ours = getattr(TF, name)(tutorgrad.tensor(LOGITS))
    with pytest.warns(UserWarning):
        ref = getattr(torch.nn.functional, name)(torch.tensor(LOGITS))
    assert_close(ours, ref)


def test_linear_function_with_and_without_bias_and_batch_shapes():
    w, b = RNG.standard_normal((3, 4)), RNG.standard_normal(3)
    for shape in [(5, 4), (4,), (2, 5, 4)]:
        x = RNG.standard_normal(shape)
        assert_loss_matches(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), x, w, b, grad=(0, 1, 2))
        assert_loss_matches(lambda lib, x, w: lib.nn.functional.linear(x, w), x, w, grad=(0, 1))
    no_bias = tnn.Linear(4, 3, bias=False)
    assert no_bias.bias is None and no_bias(tutorgrad.randn(5, 4)).grad_fn.name() == "MmBackward0"


def test_gradcheck_of_layers_and_losses():
    x = tutorgrad.tensor(RNG.standard_normal((4, 3)), requires_grad=True)
    w = tutorgrad.tensor(RNG.standard_normal((2, 3)), requires_grad=True)
    b = tutorgrad.tensor(RNG.standard_normal(2), requires_grad=True)
    assert gradcheck(TF.linear, (x, w, b))
    assert gradgradcheck(TF.linear, (x, w, b))
    logits = tutorgrad.tensor(LOGITS, requires_grad=True)
    t, weight = tutorgrad.tensor(LABELS), tutorgrad.tensor(WEIGHT)
    assert gradcheck(lambda z: TF.cross_entropy(z, t, weight=weight, label_smoothing=0.1), (logits,))
    assert gradgradcheck(lambda z: TF.cross_entropy(z, t), (logits,))
    y = tutorgrad.tensor(RNG.standard_normal((6, 5)), requires_grad=True)
    assert gradcheck(lambda a, c: TF.mse_loss(a, c), (logits, y))


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.cross_entropy(lib.randn(4, 3), lib.tensor([0, 1, 2, 3])),
    lambda lib: lib.nn.functional.cross_entropy(lib.randn(4, 3), lib.tensor([0, -1, 2, 1])),
    lambda lib: lib.nn.functional.cross_entropy(lib.randn(4, 3), lib.tensor([0., 1., 2., 1.])),
    lambda lib: lib.nn.functional.cross_entropy(lib.randn(4, 3), lib.tensor([0, 1, 2])),
    lambda lib: lib.nn.functional.cross_entropy(lib.randn(4, 3), lib.tensor([0, 1, 2, 1]), reduction="avg"),
    lambda lib: lib.nn.functional.mse_loss(lib.randn(4, 3), lib.randn(4, 3), reduction="avg"),
    lambda lib: lib.nn.Linear(3, 2)(lib.randn(4, 3, dtype=lib.float64)),
    lambda lib: lib.nn.Linear(3, 2)(lib.randn(4, 5)),
])
def test_misuse_raises_pytorchs_error_class(call):
    with pytest.raises(Exception) as ref:
        call(torch)
    with pytest.raises(type(ref.value)) as ours:
        call(tutorgrad)
    first_words = " ".join(str(ref.value).split()[:3])
    assert first_words in str(ours.value)


def test_mse_loss_warns_about_broadcasting_like_pytorch():
    with pytest.warns(UserWarning, match=r"Using a target size \(tutorgrad.Size\(\[4\]\)\) that is different to "
                                         r"the input size \(tutorgrad.Size\(\[4, 1\]\)\)"):
        TF.mse_loss(tutorgrad.randn(4, 1), tutorgrad.randn(4))


def test_legacy_reduction_arguments():
    x, t = tutorgrad.tensor(LOGITS), tutorgrad.tensor(LABELS)
    with pytest.warns(UserWarning, match="reduction='sum'"):
        total = TF.cross_entropy(x, t, size_average=False)
    assert math.isclose(total.item(), TF.cross_entropy(x, t, reduction="sum").item())


# ---------------------------------------------------------------------------- printing
@pytest.mark.parametrize("build", [
    lambda lib: mlp(lib, (64, 256, 256, 10)),
    lambda lib: lib.nn.Linear(3, 2, bias=False),
    lambda lib: lib.nn.ReLU(inplace=True),
    lambda lib: lib.nn.Sequential(lib.nn.Flatten(), lib.nn.Identity(), lib.nn.Sigmoid(), lib.nn.Tanh()),
    lambda lib: lib.nn.Sequential(),
    lambda lib: lib.nn.CrossEntropyLoss(),
    lambda lib: lib.nn.MSELoss(reduction="sum"),
    lambda lib: Net.build(lib),
    lambda lib: lib.nn.Sequential(mlp(lib, (2, 3, 1)), lib.nn.Sequential(lib.nn.Linear(1, 1))),
])
def test_module_repr_is_pytorchs(build):
    assert repr(build(tutorgrad)) == repr(build(torch))
    assert str(build(tutorgrad)) == str(build(torch))


def test_parameter_repr_and_state_dict_repr():
    torch.manual_seed(0)
    ref = torch.nn.Linear(3, 2)
    tutorgrad.manual_seed(0)
    ours = tnn.Linear(3, 2)
    assert repr(ours.weight) == tg_text(repr(ref.weight))
    assert str(ours.bias) == tg_text(str(ref.bias))
    assert repr(ours.state_dict()) == tg_text(repr(ref.state_dict()))
    assert repr(ours(tutorgrad.ones(1, 3))) == tg_text(repr(ref(torch.ones(1, 3))))


@pytest.mark.parametrize("name,kwargs", [("SGD", {"lr": 0.1}), ("SGD", {"lr": 0.1, "momentum": 0.9}),
                                         ("Adam", {}), ("AdamW", {"lr": 0.01, "amsgrad": True})])
def test_optimizer_repr_is_pytorchs(name, kwargs):
    ours, ref = twin_models()
    assert repr(getattr(tutorgrad.optim, name)(ours.parameters(), **kwargs)) == \
        repr(getattr(torch.optim, name)(ref.parameters(), **kwargs))


# ---------------------------------------------------------------------------- module API
def test_parameter_names_order_and_state_dict_keys_are_pytorchs():
    ours, ref = Net.build(tutorgrad), Net.build(torch)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert list(ours.state_dict()) == list(ref.state_dict())
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in ref.named_buffers()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in ref.named_children()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in ref.named_modules()]
    assert [type(m).__name__ for m in ours.modules()] == [type(m).__name__ for m in ref.modules()]
    assert len(list(ours.parameters())) == len(list(ref.parameters()))
    assert [n for n, _ in ours.named_parameters(recurse=False)] == ["scale"]


def test_shared_parameters_are_listed_once():
    for lib in (tutorgrad, torch):
        layer = lib.nn.Linear(2, 2)
        model = lib.nn.Sequential(layer, lib.nn.ReLU(), layer)
        assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
        assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_state_dict_is_detached_and_shares_memory():
    model = tnn.Linear(3, 2)
    sd = model.state_dict()
    assert type(sd).__name__ == "OrderedDict"
    assert not sd["weight"].requires_grad and type(sd["weight"]) is tutorgrad.Tensor
    with tutorgrad.no_grad():
        model.weight.fill_(1.5)
    assert sd["weight"].tolist() == [[1.5] * 3] * 2
    assert model.state_dict(keep_vars=True)["weight"] is model.weight


def test_state_dict_round_trip_through_save_and_load(tmp_path):
    tutorgrad.manual_seed(1)
    model = Net.build(tutorgrad)
    x = tutorgrad.randn(4, 3)
    path = tmp_path / "model.tg"
    tutorgrad.save(model.state_dict(), path)
    tutorgrad.manual_seed(2)
    fresh = Net.build(tutorgrad)
    assert not fresh(x).equal(model(x))
    result = fresh.load_state_dict(tutorgrad.load(path))
    assert repr(result) == "<All keys matched successfully>"
    assert fresh(x).equal(model(x))
    assert fresh.inp.weight.requires_grad and isinstance(fresh.inp.weight, tnn.Parameter)


def test_optimizer_state_dict_has_pytorchs_layout_and_round_trips(tmp_path):
    ours, ref = twin_models()
    x, y = batch()
    our_opt, _ = train(tutorgrad, ours, "Adam", {"lr": 1e-2}, "CrossEntropyLoss", x, y, steps=3)
    ref_opt, _ = train(torch, ref, "Adam", {"lr": 1e-2}, "CrossEntropyLoss", x, y, steps=3)
    sd, ref_sd = our_opt.state_dict(), ref_opt.state_dict()
    assert sd["param_groups"] == ref_sd["param_groups"]
    assert list(sd["state"]) == list(ref_sd["state"])
    for i in sd["state"]:
        assert list(sd["state"][i]) == list(ref_sd["state"][i])
        for k in sd["state"][i]:
            assert_close(sd["state"][i][k], ref_sd["state"][i][k], what=f"state {i} {k}")
    assert repr(sd["state"][0]["step"]) == "tensor(3.)"

    # save model + optimizer, reload into fresh objects, continue: same as never stopping
    buf = io.BytesIO()
    tutorgrad.save({"model": ours.state_dict(), "optimizer": our_opt.state_dict()}, buf)
    buf.seek(0)
    checkpoint = tutorgrad.load(buf)
    resumed = mlp(tutorgrad)
    resumed.load_state_dict(checkpoint["model"])
    resumed_opt = tutorgrad.optim.Adam(resumed.parameters(), lr=0.5)
    resumed_opt.load_state_dict(checkpoint["optimizer"])
    assert resumed_opt.param_groups[0]["lr"] == 1e-2 and resumed_opt.param_groups[0]["betas"] == (0.9, 0.999)
    for lib, model, opt in ((tutorgrad, resumed, resumed_opt), (torch, ref, ref_opt)):
        for _ in range(2):
            opt.zero_grad()
            lib.nn.functional.cross_entropy(model(lib.tensor(x)), lib.tensor(y)).backward()
            opt.step()
    for p, q in zip(resumed.parameters(), ref.parameters()):
        assert_close(p, q)


def test_sgd_momentum_state_matches_pytorch():
    ours, ref = twin_models()
    x, y = batch()
    our_opt, _ = train(tutorgrad, ours, "SGD", {"lr": 0.1, "momentum": 0.9}, "CrossEntropyLoss", x, y, steps=2)
    ref_opt, _ = train(torch, ref, "SGD", {"lr": 0.1, "momentum": 0.9}, "CrossEntropyLoss", x, y, steps=2)
    assert our_opt.state_dict()["param_groups"] == ref_opt.state_dict()["param_groups"]
    for i, s in our_opt.state_dict()["state"].items():
        assert_close(s["momentum_buffer"], ref_opt.state_dict()["state"][i]["momentum_buffer"])


def load_error(lib, change):
    model = mlp(lib, (3, 4, 2))
    sd = {k: v.clone() for k, v in model.state_dict().items()}
    change(lib, sd)
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(sd)
    return str(info.value)


@pytest.mark.parametrize("change", [
    lambda lib, sd: sd.pop("0.bias"),
    lambda lib, sd: sd.update({"3.weight": lib.zeros(1), "extra": lib.zeros(1)}),
    lambda lib, sd: sd.update({"2.weight": lib.zeros(2, 5)}),
    lambda lib, sd: (sd.pop("2.bias"), sd.update({"0.weight": lib.zeros(4)}), sd.update({"0.foo": lib.zeros(1)})),
    lambda lib, sd: sd.update({"0.bias": 3}),
])
def test_load_state_dict_errors_are_pytorchs(change):
    ref = load_error(torch, change).replace("torch.Tensor", "tutorgrad.Tensor")
    assert load_error(tutorgrad, change) == tg_text(ref)


def test_load_state_dict_not_strict_reports_keys_like_pytorch():
    results = []
    for lib in (tutorgrad, torch):
        model = mlp(lib, (3, 4, 2))
        sd = model.state_dict()
        sd.pop("2.bias")
        sd["junk"] = lib.zeros(1)
        results.append(model.load_state_dict(sd, strict=False))
    assert results[0] == results[1]
    assert repr(results[0]) == repr(results[1])


def test_load_state_dict_assign_and_bad_argument():
    model = tnn.Linear(2, 2)
    new = {"weight": tutorgrad.ones(2, 2), "bias": tutorgrad.zeros(2)}
    model.load_state_dict(new, assign=True)
    assert isinstance(model.weight, tnn.Parameter) and model.weight.requires_grad
    assert model.weight.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        model.load_state_dict([("weight", tutorgrad.ones(2, 2))])


def test_train_eval_zero_grad_apply_requires_grad():
    model = Net.build(tutorgrad)
    assert model.training and all(m.training for m in model.modules())
    assert model.eval() is model and not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        model.train("yes")

    model(tutorgrad.randn(2, 3)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any() for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())

    seen = []
    assert model.apply(lambda m: seen.append(type(m).__name__)) is model
    assert seen == ["Linear", "Linear", "Tanh", "Block", "Linear", "Tanh", "Block", "Sequential", "Linear",
                    "TwoBlocks"]
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_module_to_float64_and_devices():
    model = tnn.Sequential(tnn.Linear(2, 3), tnn.ReLU())
    w = model[0].weight
    assert model.to("cpu") is model and model.cpu() is model
    assert model.double() is model and model[0].weight is w and w.dtype is tutorgrad.float64
    assert model(tutorgrad.randn(4, 2, dtype=tutorgrad.float64)).dtype is tutorgrad.float64
    model.to(dtype=tutorgrad.float32)
    assert w.dtype is tutorgrad.float32
    with pytest.raises(AssertionError, match="CUDA"):
        model.to("cuda")
    with pytest.raises(AssertionError, match="CUDA"):
        model.cuda()
    with pytest.raises(TypeError, match="floating point"):
        model.to(tutorgrad.int64)


def test_attribute_registration_rules_match_pytorch():
    for lib in (tutorgrad, torch):
        class Forgot(lib.nn.Module):
            def __init__(self):
                self.w = lib.nn.Parameter(lib.zeros(1))
        with pytest.raises(AttributeError, match="cannot assign parameters before Module.__init__"):
            Forgot()

        class ForgotModule(lib.nn.Module):
            def __init__(self):
                self.fc = lib.nn.Linear(1, 1)
        with pytest.raises(AttributeError, match="cannot assign module before Module.__init__"):
            ForgotModule()

        layer = lib.nn.Linear(2, 2)
        with pytest.raises(TypeError, match="as parameter 'weight'"):
            layer.weight = lib.zeros(2, 2)
        layer.weight = None
        assert "weight" not in layer.state_dict()
        layer.weight = lib.nn.Parameter(lib.ones(2, 2))
        assert list(layer.state_dict()) == ["weight", "bias"]
        layer.note = "plain attribute"
        assert layer.note == "plain attribute" and "note" not in layer.state_dict()
        with pytest.raises(AttributeError, match="'Linear' object has no attribute 'nope'"):
            layer.nope
        with pytest.raises(KeyError, match="contain"):
            layer.register_buffer("a.b", lib.zeros(1))
        with pytest.raises(KeyError, match="already exists"):
            layer.register_parameter("note", lib.nn.Parameter(lib.zeros(1)))
        with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor"):
            layer.register_parameter("p", (lib.nn.Parameter(lib.zeros(1)) * 2).as_subclass(lib.nn.Parameter)
                                     if lib is torch else _nonleaf_parameter())
        del layer.bias
        assert "bias" not in dict(layer.named_parameters())

    class NoForward(tnn.Module):
        pass
    with pytest.raises(NotImplementedError, match='Module \\[NoForward\\] is missing the required "forward"'):
        NoForward()(1)


def _nonleaf_parameter():
    p = tnn.Parameter(tutorgrad.zeros(1))
    p._grad_fn = (p * 2).grad_fn  # a Parameter that is somehow the result of an operation
    return p


def test_sequential_indexing_and_editing():
    for lib in (tutorgrad, torch):
        seq = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.ReLU(), lib.nn.Linear(3, 1))
        assert len(seq) == 3 and isinstance(seq[-1], lib.nn.Linear) and seq[-1] is seq[2]
        assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Linear"]
        head = seq[:2]
        assert type(head) is lib.nn.Sequential and len(head) == 2 and head[0] is seq[0]
        assert list(seq[1:].state_dict()) == ["2.weight", "2.bias"]
        with pytest.raises(IndexError, match="index 3 is out of range"):
            seq[3]
        seq[1] = lib.nn.Tanh()
        assert type(seq[1]).__name__ == "Tanh"
        del seq[0]
        assert list(seq.state_dict()) == ["1.weight", "1.bias"]
        assert seq.append(lib.nn.Sigmoid()) is seq and len(seq) == 3
        named = lib.nn.Sequential(__import__("collections").OrderedDict([("hidden", lib.nn.Linear(1, 2))]))
        assert list(named.state_dict()) == ["hidden.weight", "hidden.bias"] and named.hidden is named[0]


def test_deepcopy_gives_an_independent_model():
    model = Net.build(tutorgrad)
    clone = copy.deepcopy(model)
    x = tutorgrad.randn(2, 3)
    assert clone(x).equal(model(x))
    with tutorgrad.no_grad():
        clone.out.bias.add_(1.0)
    assert not clone(x).equal(model(x))
    assert isinstance(clone.out.bias, tnn.Parameter)


# ---------------------------------------------------------------------------- optimizer API
@pytest.mark.parametrize("call,error,match", [
    (lambda p: tutorgrad.optim.SGD([], lr=0.1), ValueError, "empty parameter list"),
    (lambda p: tutorgrad.optim.SGD(p[0], lr=0.1), TypeError, "iterable of Tensors or dicts, but got "
                                                            "tutorgrad.FloatTensor"),
    (lambda p: tutorgrad.optim.SGD([p[0], 3], lr=0.1), TypeError, "one of the params is int"),
    (lambda p: tutorgrad.optim.SGD([p[0] * 2], lr=0.1), ValueError, "can't optimize a non-leaf Tensor"),
    (lambda p: tutorgrad.optim.SGD(p, lr=-1), ValueError, "Invalid learning rate: -1"),
    (lambda p: tutorgrad.optim.SGD(p, lr=0.1, nesterov=True), ValueError, "Nesterov momentum requires"),
    (lambda p: tutorgrad.optim.Adam(p, betas=(1.0, 0.9)), ValueError, "Invalid beta parameter at index 0"),
    (lambda p: tutorgrad.optim.Adam(p, eps=-1), ValueError, "Invalid epsilon value"),
    (lambda p: tutorgrad.optim.SGD([{"params": p[:1]}, {"params": p}], lr=0.1), ValueError,
     "some parameters appear in more than one parameter group"),
    (lambda p: tutorgrad.optim.SGD([{"params": {p[0]}}], lr=0.1), TypeError, "ordered collections"),
    (lambda p: tutorgrad.optim.SGD(p, lr=0.1, differentiable=True), NotImplementedError, "differentiable"),
])
def test_optimizer_argument_errors(call, error, match):
    params = list(tnn.Linear(2, 2).parameters())
    with pytest.raises(error, match=match):
        call(params)


def test_optimizer_zero_grad_and_missing_gradients():
    model = tnn.Linear(2, 2)
    opt = tutorgrad.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    before = model.weight.detach().clone()
    opt.step()  # no gradients yet: nothing happens, no state
    assert model.weight.equal(before) and not opt.state
    model(tutorgrad.ones(1, 2)).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert model.weight.grad is not None and not model.weight.grad.any()
    opt.zero_grad()
    assert model.weight.grad is None and model.bias.grad is None
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})


def test_graphs_are_freed_between_steps():
    import gc
    import weakref
    model = mlp(tutorgrad)
    opt = tutorgrad.optim.SGD(model.parameters(), lr=0.1)
    x, y = batch()
    loss = TF.cross_entropy(model(tutorgrad.tensor(x)), tutorgrad.tensor(y))
    node = weakref.ref(loss.grad_fn)
    loss.backward()
    opt.step()
    del loss
    gc.collect()
    assert node() is None


def test_no_warnings_in_a_plain_training_loop():
    model = mlp(tutorgrad)
    opt = tutorgrad.optim.Adam(model.parameters())
    x, y = batch()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(2):
            opt.zero_grad()
            TF.cross_entropy(model(tutorgrad.tensor(x)), tutorgrad.tensor(y)).backward()
            opt.step()


@pytest.mark.parametrize("make", [
    lambda lib, x, t: lib.nn.functional.cross_entropy(x, t),
    lambda lib, x, t: lib.nn.functional.cross_entropy(x, t, reduction="none"),
    lambda lib, x, t: lib.nn.functional.nll_loss(x.log_softmax(1), t, reduction="sum"),
    lambda lib, x, t: lib.nn.CrossEntropyLoss()(x.reshape(2, 3, 5).transpose(1, 2), t.reshape(2, 3)),
    lambda lib, x, t: lib.nn.functional.mse_loss(x, x.detach() * 2),
    lambda lib, x, t: lib.nn.MSELoss(reduction="none")(x, x.detach() + 1),
])
def test_loss_nodes_and_printing_are_pytorchs(make):
    """The loss is a node named as PyTorch names it (NllLossBackward0, MseLossBackward0), and prints alike."""
    x = np.random.default_rng(5).standard_normal((6, 5)).astype(np.float32)
    ours = make(tutorgrad, tutorgrad.tensor(x, requires_grad=True), tutorgrad.tensor(LABELS))
    ref = make(torch, torch.tensor(x, requires_grad=True), torch.tensor(LABELS))
    assert ours.grad_fn.name() == type(ref.grad_fn).__name__
    if ours.grad_fn.name() != "NllLoss2DBackward0":  # (PyTorch reshapes (N, C, d) inputs first: a ViewBackward0)
        assert [n.name() if n else None for n, _ in ours.grad_fn.next_functions] == \
            [type(n).__name__ if n else None for n, _ in ref.grad_fn.next_functions]
    if np.array_equal(np_of(ours), np_of(ref)):
        assert repr(ours) == tg_text(repr(ref))
    else:
        assert_close(ours, ref, tol=1e-6)


def test_counting_into_a_tensor_like_a_confusion_matrix():
    """``confusion[t, p] += 1`` (lesson 9) writes a view back onto itself: allowed, as in PyTorch."""
    for lib in (tutorgrad, torch):
        confusion = lib.zeros(3, 3, dtype=lib.int64)
        for t, p in [(0, 0), (1, 2), (1, 2), (2, 1)]:
            confusion[t, p] += 1
        assert confusion.tolist() == [[1, 0, 0], [0, 0, 2], [0, 1, 0]]
        x = lib.arange(5.0)
        with pytest.raises(RuntimeError, match="single memory location"):
            x[1:] = x[:-1]  # a partial overlap is still refused



# ---------------------------------------------------------------------------------------- cross-entropy targets
@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_cross_entropy_targets_must_be_long_or_byte():
    same(lambda lib: lib.nn.functional.cross_entropy(lib.ones(2, 3), lib.tensor([0, 1], dtype=lib.int32)))
    same(lambda lib: lib.nn.functional.cross_entropy(lib.ones(2, 3), lib.tensor([0, 1], dtype=lib.uint8)))


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_cross_entropy_with_every_target_ignored_has_zero_gradient():
    def run(lib):
        logits = lib.ones(2, 3, requires_grad=True)
        loss = lib.nn.functional.cross_entropy(logits, lib.tensor([-100, -100]))
        loss.backward()
        return loss, logits.grad
    same(run)
