"""The layers of ``tutorgrad.nn`` that the tutorials use beyond ``Linear``, against real PyTorch.

Reprs, initial weights (the same seed draws the same weights, bit for bit), outputs and gradients, ``train()`` /
``eval()`` (Dropout, BatchNorm's running statistics), state dicts, ``LazyLinear``, the containers, and the
60-minute blitz's LeNet trained a few steps side by side.
"""
import os
import sys

import numpy as np
import pytest

import tutorgrad
from torchdiff import assert_same_draws, same, torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))
from workloads import lenet  # noqa: E402  (the blitz's LeNet, also what the benchmark times)

torch.set_num_threads(1)


def np_of(t):
    return t.detach().numpy()


REPRS = [
    lambda nn: nn.Conv2d(1, 6, 5),
    lambda nn: nn.Conv2d(1, 6, (3, 5), stride=2, padding=1, dilation=2, bias=False, padding_mode="reflect"),
    lambda nn: nn.Conv2d(2, 4, 3, padding="same", groups=2),
    lambda nn: nn.Conv2d(2, 4, 3, padding="valid"),
    lambda nn: nn.Conv1d(3, 4, 2),
    lambda nn: nn.MaxPool2d(2),
    lambda nn: nn.MaxPool2d((2, 2)),
    lambda nn: nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True, return_indices=True),
    lambda nn: nn.MaxPool1d(3, 2),
    lambda nn: nn.AvgPool2d(2),
    lambda nn: nn.AvgPool2d(3, 2, 1, count_include_pad=False),
    lambda nn: nn.AvgPool1d(2),
    lambda nn: nn.AdaptiveAvgPool2d((1, 1)),
    lambda nn: nn.AdaptiveAvgPool2d(5),
    lambda nn: nn.AdaptiveAvgPool1d(3),
    lambda nn: nn.Dropout(),
    lambda nn: nn.Dropout(0.2, True),
    lambda nn: nn.BatchNorm1d(4),
    lambda nn: nn.BatchNorm2d(3, affine=False, momentum=None),
    lambda nn: nn.BatchNorm2d(3, track_running_stats=False, bias=False),
    lambda nn: nn.LayerNorm(5),
    lambda nn: nn.LayerNorm((2, 3), elementwise_affine=False),
    lambda nn: nn.LayerNorm(4, bias=False),
    lambda nn: nn.Embedding(10, 3),
    lambda nn: nn.Embedding(10, 3, padding_idx=-1, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True),
    lambda nn: nn.LeakyReLU(),
    lambda nn: nn.LeakyReLU(0.2, True),
    lambda nn: nn.GELU(),
    lambda nn: nn.GELU("tanh"),
    lambda nn: nn.SiLU(),
    lambda nn: nn.SiLU(True),
    lambda nn: nn.Softmax(dim=1),
    lambda nn: nn.Softmax(),
    lambda nn: nn.LogSoftmax(-1),
    lambda nn: nn.Unflatten(1, (2, 5)),
    lambda nn: nn.LazyLinear(10),
    lambda nn: nn.BCELoss(),
    lambda nn: nn.BCEWithLogitsLoss(),
    lambda nn: nn.L1Loss(),
    lambda nn: nn.SmoothL1Loss(beta=0.5),
    lambda nn: nn.HuberLoss(),
    lambda nn: nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU(), nn.ReLU(), nn.Tanh()]),
    lambda nn: nn.ModuleList(),
    lambda nn: nn.ModuleDict({"a": nn.ReLU(), "b": nn.Linear(1, 2)}),
    lambda nn: nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Dropout(0.25), nn.LazyLinear(10)),
]


@pytest.mark.parametrize("i", range(len(REPRS)))
def test_repr_is_pytorchs(i):
    assert repr(REPRS[i](tutorgrad.nn)) == repr(REPRS[i](torch.nn))


@pytest.mark.parametrize("make", [
    lambda nn: nn.Conv2d(3, 8, 3), lambda nn: nn.Conv2d(4, 6, (2, 3), groups=2, bias=True),
    lambda nn: nn.Conv1d(2, 5, 4), lambda nn: nn.Embedding(7, 4, padding_idx=2), lambda nn: nn.BatchNorm2d(3),
    lambda nn: nn.LayerNorm((2, 3)), lambda nn: nn.Conv2d(1, 6, 5, bias=False),
], ids=["conv2d", "conv2d_groups", "conv1d", "embedding", "batchnorm", "layernorm", "conv_no_bias"])
@pytest.mark.parametrize("seed", [0, 7])
def test_initial_weights_are_pytorchs_bit_for_bit(make, seed):
    torch.manual_seed(seed)
    ref = make(torch.nn)
    tutorgrad.manual_seed(seed)
    ours = make(tutorgrad.nn)
    assert list(ours.state_dict()) == list(ref.state_dict())
    for (name, p), q in zip(ours.state_dict().items(), ref.state_dict().values()):
        assert_same_draws(np_of(p), np_of(q), err_msg=name)


def test_lazy_linear_draws_its_weights_at_the_first_call():
    out = {}
    for lib in (torch, tutorgrad):
        lib.manual_seed(3)
        layer = lib.nn.LazyLinear(4)
        params = list(layer.parameters())
        x = lib.randn(2, 5)
        out[lib.__name__] = (layer(x), layer, params)
    (y, layer, params), (ref_y, ref_layer, _) = out["tutorgrad"], out["torch"]
    assert repr(layer) == repr(ref_layer) and type(layer) is tutorgrad.nn.Linear
    assert params[0] is layer.weight and tuple(layer.weight.shape) == (4, 5)  # the same objects, materialized
    assert_same_draws(np_of(layer.weight), np_of(ref_layer.weight))
    np.testing.assert_allclose(np_of(y), np_of(ref_y), rtol=1e-6, atol=1e-6)
    same(lambda lib: repr(lib.nn.LazyLinear(3).weight))


def test_dropout_and_batchnorm_follow_train_and_eval():
    def run(lib):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(4, 6), lib.nn.BatchNorm1d(6), lib.nn.ReLU(), lib.nn.Dropout(0.3),
                                  lib.nn.Linear(6, 2))
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        x, y = lib.randn(8, 4), lib.randn(8, 2)
        losses = []
        for _ in range(3):
            opt.zero_grad()
            loss = lib.nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            losses.append(loss)
        model.eval()
        ev = model(x)
        bn = model[1]
        return (losses, ev, bn.running_mean, bn.running_var, bn.num_batches_tracked, model.training, bn.training,
                list(model.state_dict()))
    same(run, rtol=1e-5)


def test_batchnorm_cumulative_average_and_no_tracking():
    def run(lib):
        lib.manual_seed(1)
        bn = lib.nn.BatchNorm2d(3, momentum=None)
        free = lib.nn.BatchNorm2d(3, track_running_stats=False)
        outs = [(bn(lib.randn(4, 3, 2, 2)), free(lib.randn(2, 3, 2, 2))) for _ in range(3)]
        bn.eval(), free.eval()
        x = lib.randn(2, 3, 2, 2)
        return outs, bn(x), free(x), bn.running_mean, bn.running_var, bn.num_batches_tracked
    same(run, rtol=1e-5)
    same(lambda lib: lib.nn.BatchNorm2d(3)(lib.ones(3, 2, 2)))
    same(lambda lib: lib.nn.BatchNorm1d(3)(lib.ones(2, 3, 2, 2)))


def test_embedding_layer_and_from_pretrained():
    def run(lib):
        lib.manual_seed(2)
        emb = lib.nn.Embedding(5, 3, padding_idx=0)
        out = emb(lib.tensor([[0, 1, 4], [4, 4, 2]]))
        out.sum().backward()
        frozen = lib.nn.Embedding.from_pretrained(lib.tensor([[1.0, 2.0], [3.0, 4.0]]))
        return out, emb.weight.grad, frozen(lib.tensor([1, 0])), frozen.weight.requires_grad
    same(run)


def test_lenet_trains_as_pytorchs():
    runs = {}
    for lib in (torch, tutorgrad):
        lib.manual_seed(0)
        net = lenet(lib)
        opt = lib.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
        x, y = lib.randn(16, 1, 32, 32), lib.randint(0, 10, (16,))
        first = [np_of(p).copy() for p in net.parameters()]
        losses = []
        for _ in range(5):
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(net(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        runs[lib.__name__] = first, losses, [np_of(p) for p in net.parameters()], repr(net)
    ours, ref = runs["tutorgrad"], runs["torch"]
    for a, b in zip(ours[0], ref[0]):
        assert_same_draws(a, b)
    np.testing.assert_allclose(ours[1], ref[1], rtol=1e-5)  # float32 sums in another order: rounding only
    for a, b in zip(ours[2], ref[2]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    assert ours[3] == ref[3]


def test_data_parallel_on_the_cpu_as_pytorch():
    out = {}
    for lib in (torch, tutorgrad):
        lib.manual_seed(0)
        net = lib.nn.DataParallel(lib.nn.Linear(2, 3), device_ids=[0])
        y = net(lib.ones(1, 2))
        y.sum().backward()
        out[lib.__name__] = (repr(net), net.device_ids, list(dict(net.named_parameters())), list(net.state_dict()),
                             net.module.weight.grad.tolist()), y.detach().numpy()
    assert out["tutorgrad"][0] == out["torch"][0]
    # (y is made of the initial weights: the same draws, to PyTorch's last bit where it runs its vector kernels)
    np.testing.assert_allclose(out["tutorgrad"][1], out["torch"][1], rtol=1e-6)
