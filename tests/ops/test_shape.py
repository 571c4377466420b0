"""Views and reshapes, ``cat``, ``stack``, ``split``, ``unbind`` (``tutorgrad/ops/shape.py``).

Forward and gradients against real PyTorch, and gradcheck in float64 (see ``tests/gradcases.py``).
"""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tutorgrad
from gradcases import gradcheck_tests, leaf
from torchdiff import _x, same
from torchgrad import SETTINGS, compare, dtypes, nonscalar_shapes, seeds, values

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # no NumPy warning may leak out of tutorgrad


# ---------------------------------------------------------------------------------------- forward against PyTorch
SHAPE_OPS = {
    "reshape": lambda x: x.reshape(4, 6), "reshape -1": lambda x: x.reshape(-1, 2),
    "reshape tuple": lambda x: x.reshape((6, 4)),
    "reshape 0-d": lambda x: x[0, 0, :1].reshape(()), "view": lambda x: x.view(6, 4), "view -1": lambda x: x.view(-1),
    "flatten": lambda x: x.flatten(), "flatten 1": lambda x: x.flatten(1), "flatten 0 1": lambda x: x.flatten(0, 1),
    "squeeze": lambda x: x.reshape(1, 2, 1, 12).squeeze(), "squeeze dim": lambda x: x.reshape(1, 24).squeeze(0),
    "squeeze no-op": lambda x: x.squeeze(1), "squeeze dims": lambda x: x.reshape(1, 2, 1, 12).squeeze((0, 2)),
    "unsqueeze": lambda x: x.unsqueeze(0), "unsqueeze -1": lambda x: x.unsqueeze(-1),
    "unsqueeze mid": lambda x: x.unsqueeze(2),
    "transpose": lambda x: x.transpose(0, 2), "transpose neg": lambda x: x.transpose(-1, -2),
    "permute": lambda x: x.permute(2, 0, 1), "permute tuple": lambda x: x.permute((1, 2, 0)),
    "t": lambda x: x[0].t(), "t 1-d": lambda x: x[0, 0].t(), "mT": lambda x: x.mT,
    "expand": lambda x: x[:, :1].expand(2, 5, 4), "expand -1": lambda x: x[:, :1].expand(-1, 3, -1),
    "expand new dims": lambda x: x[0, 0].expand(3, 4), "expand_as": lambda x: x[0, 0].expand_as(x),
    "clone": lambda x: x.clone(), "contiguous": lambda x: x.transpose(0, 1).contiguous(),
    "contiguous no-op": lambda x: x.contiguous(), "detach": lambda x: x.detach(),
    "split": lambda x: x.split(2, dim=2), "split uneven": lambda x: x.split(3, -1),
    "split sizes": lambda x: x.split([1, 3], 2),
    "chunk": lambda x: x.chunk(2, 2), "chunk uneven": lambda x: x.chunk(3, 1), "chunk more": lambda x: x.chunk(5, 0),
    "unbind": lambda x: x.unbind(1), "flip": lambda x: x.flip(0), "roll-free narrow": lambda x: x.narrow(2, 1, 2),
    "repeat": lambda x: x[0].repeat(2, 1), "movedim": lambda x: x.movedim(0, -1),
}


@pytest.mark.parametrize("name", SHAPE_OPS)
def test_shape_op(name):
    same(lambda lib: SHAPE_OPS[name](_x(lib)))
    same(lambda lib: SHAPE_OPS[name](_x(lib, requires_grad=True)))


@pytest.mark.parametrize("name", SHAPE_OPS)
def test_shape_op_gradient(name):
    def run(lib):
        x = _x(lib, requires_grad=True)
        out = SHAPE_OPS[name](x)
        outs = out if isinstance(out, tuple) else (out,)
        total = sum((o * (i + 1) * lib.arange(o.numel()).reshape(o.shape)).sum() for i, o in enumerate(outs)
                    if o.requires_grad)
        if isinstance(total, lib.Tensor):
            total.backward()
        return x.grad
    same(run)


JOIN = {
    "cat": lambda lib, a, b: lib.cat([a, b]), "cat dim 1": lambda lib, a, b: lib.cat((a, b), dim=1),
    "cat -1": lambda lib, a, b: lib.cat([a, b, a], -1), "stack": lambda lib, a, b: lib.stack([a, b]),
    "stack 1": lambda lib, a, b: lib.stack([a, b], dim=1), "stack -1": lambda lib, a, b: lib.stack((a, b), -1),
    "cat one": lambda lib, a, b: lib.cat([a]), "cat empty": lambda lib, a, b: lib.cat([a, lib.tensor([])]),
    "cat mixed dtypes": lambda lib, a, b: lib.cat([a, b.long()]), "hstack": lambda lib, a, b: lib.hstack([a, b]),
    "vstack": lambda lib, a, b: lib.vstack([a, b]),
}


@pytest.mark.parametrize("name", JOIN)
def test_cat_stack(name):
    same(lambda lib: JOIN[name](lib, lib.ones(2, 3), lib.arange(6.0).reshape(2, 3)))
    same(lambda lib: JOIN[name](lib, lib.ones(2, 3, requires_grad=True), lib.arange(6.0).reshape(2, 3)))


def test_cat_stack_vectors():
    same(lambda lib: lib.cat([lib.tensor([1, 2]), lib.tensor([3])]))
    same(lambda lib: lib.stack([lib.tensor(1.0), lib.tensor(2.0)]))
    same(lambda lib: lib.stack([lib.tensor([1, 2]), lib.tensor([3, 4])], 1))


def test_noop_squeeze_is_a_view_sharing_the_version():
    # np.squeeze returns the very same array when nothing is squeezed: the result must still be a view
    def run(lib):
        x = lib.zeros(2, 3)
        s, s0 = x.squeeze(), x.squeeze(0)
        s.add_(1)
        s0.mul_(2)
        return x, s, x._version, s._version, s0._version, s._base is x, s0._base is x
    same(run)


# ---------------------------------------------------------------------------------------- gradients against PyTorch
NONE = st.none()


GRAD_SHAPE_OPS = {  # name -> (strategy for a parameter, given the shape; the expression)
    "reshape_flat": (NONE, lambda L, a, p: a.reshape(-1)),
    "view_flat": (NONE, lambda L, a, p: a.view(-1)),
    "flatten": (NONE, lambda L, a, p: a.flatten()),
    "transpose": (NONE, lambda L, a, p: a.transpose(0, -1)),
    "permute": (lambda s: st.permutations(range(len(s))), lambda L, a, p: a.permute(*p)),
    "permute_reshape": (lambda s: st.permutations(range(len(s))), lambda L, a, p: a.permute(*p).reshape(-1) * 2),
    "unsqueeze": (lambda s: st.integers(-len(s) - 1, len(s)), lambda L, a, p: a.unsqueeze(p)),
    "squeeze": (NONE, lambda L, a, p: a.unsqueeze(0).squeeze()),
    "squeeze_dim": (NONE, lambda L, a, p: a.unsqueeze(1).squeeze(1)),
    "expand": (NONE, lambda L, a, p: a.unsqueeze(0).expand(3, *a.shape)),
    "flip": (NONE, lambda L, a, p: a.flip(0)),
    "cat": (lambda s: st.integers(-len(s), len(s) - 1), lambda L, a, p: L.cat([a, a * 2, a.exp()], dim=p)),
    "stack": (lambda s: st.integers(-len(s) - 1, len(s)), lambda L, a, p: L.stack([a, a.sin()], dim=p)),
    "split": (lambda s: st.integers(1, s[0]), lambda L, a, p: a.split(p)),
    "chunk": (lambda s: st.integers(1, 3), lambda L, a, p: a.chunk(p, dim=-1)),
    "unbind": (NONE, lambda L, a, p: a.unbind(0)),
    "unbind_some": (NONE, lambda L, a, p: a.unbind(-1)[0] * 3),
    "narrow": (NONE, lambda L, a, p: a.narrow(0, 0, 1)),
    "repeat": (NONE, lambda L, a, p: a.repeat(2, *([1] * (a.ndim - 1)), 3)),
    "t_contiguous": (NONE, lambda L, a, p: a.reshape(a.shape[0], -1).t().contiguous()),
    "movedim": (NONE, lambda L, a, p: a.movedim(0, -1)),
    "gather": (NONE, lambda L, a, p: a.gather(0, L.tensor(np.zeros((2,) + tuple(a.shape[1:]), np.int64)))),
}


@pytest.mark.parametrize("name", list(GRAD_SHAPE_OPS))
@SETTINGS
@given(data=st.data(), shape=nonscalar_shapes, dtype=dtypes, seed=seeds)
def test_shape_ops_gradients(name, data, shape, dtype, seed):
    param, fn = GRAD_SHAPE_OPS[name]
    p = data.draw(param(shape) if callable(param) else param, label="param")
    compare(lambda L, a: fn(L, a, p), [values(seed, shape, "any")], dtype, seed)


# ------------------------------------------------------------------------- gradcheck in float64 (and double backward)
# id -> (function, fresh float64 inputs)
CASES = {
    "view": (lambda a: a.view(3, 2), lambda: (leaf(1, 2, 3),)),
    "view_infer": (lambda a: a.view(-1), lambda: (leaf(1, 2, 3),)),
    "view_as": (lambda a, b: a.view_as(b), lambda: (leaf(1, 2, 3), leaf(2, 6))),
    "reshape": (lambda a: a.reshape(3, 2), lambda: (leaf(1, 2, 3),)),
    "reshape_copy": (lambda a: a.t().reshape(6), lambda: (leaf(1, 2, 3),)),
    "reshape_as": (lambda a, b: a.reshape_as(b), lambda: (leaf(1, 2, 3), leaf(2, 3, 2))),
    "flatten": (lambda a: a.flatten(), lambda: (leaf(1, 2, 3, 2),)),
    "flatten_range": (lambda a: tutorgrad.flatten(a, 1), lambda: (leaf(1, 2, 3, 2),)),
    "ravel": (lambda a: a.ravel(), lambda: (leaf(1, 2, 3),)),
    "unflatten": (lambda a: a.unflatten(1, (2, 3)), lambda: (leaf(1, 2, 6),)),
    "squeeze": (lambda a: a.squeeze(), lambda: (leaf(1, 2, 1, 3, 1),)),
    "squeeze_dim": (lambda a: a.squeeze(1), lambda: (leaf(1, 2, 1, 3),)),
    "squeeze_dims": (lambda a: a.squeeze((0, 2)), lambda: (leaf(1, 1, 3, 1),)),
    "unsqueeze": (lambda a: a.unsqueeze(1), lambda: (leaf(1, 2, 3),)),
    "unsqueeze_neg": (lambda a: a.unsqueeze(-1), lambda: (leaf(1, 2, 3),)),
    "transpose": (lambda a: a.transpose(0, 2), lambda: (leaf(1, 2, 3, 2),)),
    "swapaxes": (lambda a: a.swapaxes(0, 1), lambda: (leaf(1, 2, 3),)),
    "swapdims": (lambda a: a.swapdims(0, 1), lambda: (leaf(1, 2, 3),)),
    "t": (lambda a: a.t(), lambda: (leaf(1, 2, 3),)),
    "t_1d": (lambda a: a.t() * 1.0, lambda: (leaf(1, 3),)),
    "T": (lambda a: a.T, lambda: (leaf(1, 2, 3),)),
    "mT": (lambda a: a.mT, lambda: (leaf(1, 2, 3, 2),)),
    "permute": (lambda a: a.permute(2, 0, 1), lambda: (leaf(1, 2, 3, 2),)),
    "movedim": (lambda a: a.movedim(0, -1), lambda: (leaf(1, 2, 3, 2),)),
    "expand": (lambda a: a.expand(2, 3, 4), lambda: (leaf(1, 3, 1),)),
    "expand_keep": (lambda a: a.expand(-1, 4), lambda: (leaf(1, 3, 1),)),
    "expand_as": (lambda a, b: a.expand_as(b), lambda: (leaf(1, 1, 3), leaf(2, 2, 3))),
    "expand_same": (lambda a: a.expand(2, 3), lambda: (leaf(1, 2, 3),)),
    "broadcast_to": (lambda a: a.broadcast_to((2, 3)), lambda: (leaf(1, 3),)),
    "broadcast_tensors": (lambda a, b: tutorgrad.broadcast_tensors(a, b), lambda: (leaf(1, 3, 1), leaf(2, 4))),
    "repeat": (lambda a: a.repeat(2, 3), lambda: (leaf(1, 2, 2),)),
    "flip": (lambda a: a.flip(0, 1), lambda: (leaf(1, 2, 3),)),
    "cat": (lambda a, b: tutorgrad.cat([a, b]), lambda: (leaf(1, 2, 3), leaf(2, 1, 3))),
    "cat_dim1": (lambda a, b, c: tutorgrad.cat((a, b, c), dim=-1), lambda: (leaf(1, 2, 1), leaf(2, 2, 3), leaf(3, 2, 2))),
    "cat_same_tensor": (lambda a: tutorgrad.cat([a, a * 2, a]), lambda: (leaf(1, 3),)),
    "hstack": (lambda a, b: tutorgrad.hstack([a, b]), lambda: (leaf(1, 3), leaf(2, 2))),
    "vstack": (lambda a, b: tutorgrad.vstack([a, b]), lambda: (leaf(1, 3), leaf(2, 2, 3))),
    "stack": (lambda a, b: tutorgrad.stack([a, b]), lambda: (leaf(1, 2, 3), leaf(2, 2, 3))),
    "stack_dim_last": (lambda a, b: tutorgrad.stack([a, b], dim=-1), lambda: (leaf(1, 2, 3), leaf(2, 2, 3))),
    "split": (lambda a: a.split(2), lambda: (leaf(1, 5, 2),)),
    "split_sizes": (lambda a: a.split([1, 3], dim=1), lambda: (leaf(1, 2, 4),)),
    "split_use_one": (lambda a: a.split(2)[1] * 3, lambda: (leaf(1, 5, 2),)),
    "chunk": (lambda a: a.chunk(3, 1), lambda: (leaf(1, 2, 5),)),
    "unbind": (lambda a: a.unbind(1), lambda: (leaf(1, 2, 3),)),
    "unbind_use_one": (lambda a: a.unbind()[0] * 2, lambda: (leaf(1, 2, 3),)),
    "iter": (lambda a: [r * (i + 1) for i, r in enumerate(a)][1], lambda: (leaf(1, 2, 3),)),
}


EPS = {}


# double backward: gradcheck of the gradient
GRADGRAD = {
    "shapes": (lambda a: (a * a).reshape(3, 2).t().unsqueeze(0).expand(2, 2, 3).permute(2, 0, 1).flip(0).squeeze(),
               lambda: (leaf(1, 2, 3),)),
    "reshape_copy": (lambda a: (a * a).t().reshape(6), lambda: (leaf(1, 2, 3),)),
    "cat_stack_split": (lambda a, b: tutorgrad.stack(tutorgrad.cat([a * b, b]).split(2)) ** 2,
                        lambda: (leaf(1, 2, 3), leaf(2, 2, 3))),
    "unbind": (lambda a: (a * a).unbind(1)[2] * a[:, 0], lambda: (leaf(1, 2, 3),)),
}


GRADGRAD_EPS = {}


test_gradcheck, test_gradgradcheck = gradcheck_tests(CASES, EPS, GRADGRAD, GRADGRAD_EPS)
