"""In-place ops, views and version counters (``tutorgrad/ops/inplace.py``).

Forward and gradients against real PyTorch, and gradcheck in float64 (see ``tests/gradcases.py``).
"""
import numpy as np
import pytest

import tutorgrad
from gradcases import F64, gradcheck_tests, inplace, inplace_on_views, leaf, mask, pos
from torchdiff import assert_same, dt, same, torch

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # no NumPy warning may leak out of tutorgrad


# --------------------------------------------------------------------------------------- in-place ops against PyTorch
INPLACE = {
    "add_": lambda x: x.add_(2), "add_ alpha": lambda x: x.add_(x, alpha=2), "sub_": lambda x: x.sub_(1.5),
    "mul_": lambda x: x.mul_(3), "div_": lambda x: x.div_(4), "zero_": lambda x: x.zero_(),
    "fill_": lambda x: x.fill_(2), "fill_ tensor": lambda x: x.fill_(x[0, 0] + 1), "clamp_": lambda x: x.clamp_(1, 3),
    "clamp_ min": lambda x: x.clamp_(min=2.5),
    "copy_": lambda x: x.copy_(x.flip(0)), "copy_ broadcast": lambda x: x.copy_(x[0]), "pow_": lambda x: x.pow_(2),
    "copy_ other": lambda x: x.copy_(x.new_ones(3) * 2),
    "add_ itself": lambda x: x.add_(x), "add_ shifted slice": lambda x: x.view(-1)[1:].add_(x.view(-1)[:-1]),
    "add_ of a reduction": lambda x: x.add_(x.sum()),
    "neg_": lambda x: x.neg_(), "exp_": lambda x: x.exp_(), "relu_": lambda x: x.sub_(2).relu_(),
    "+=": None, "-=": None, "*=": None, "/=": None,
}


def _augmented(op):
    def run(x):
        if op == "+=":
            x += 1
        elif op == "-=":
            x -= x[0]
        elif op == "*=":
            x *= 2
        else:
            x /= 3
        return x
    return run


@pytest.mark.parametrize("name", INPLACE)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_inplace(name, dtype):
    fn = INPLACE[name] or _augmented(name)

    def run(lib):
        x = lib.tensor([[1, 2, 3], [4, 5, 6]], dtype=dt(lib, dtype))
        alias = x
        before = x._version
        out = fn(x)
        return out is x, alias is x, x, x._version - before
    same(run)


def test_inplace_reading_its_own_output_is_refused():
    """Deliberate difference: PyTorch skips its overlap check for non-contiguous views and returns a result that
    depends on its loop order (``x[:, 1:].mul_(x[:, :2])``); tutorgrad refuses every partial overlap."""
    x = tutorgrad.arange(6.0).reshape(2, 3)
    with pytest.raises(RuntimeError, match="refer to a single memory location. Please clone"):
        x[:, 1:].mul_(x[:, :2])
    assert x._version == 0 and x.tolist() == [[0, 1, 2], [3, 4, 5]]
    x[:, 1:].mul_(x[:, :2].clone())  # what the message suggests
    assert x.tolist() == [[0, 0, 2], [3, 12, 20]]


def test_inplace_on_a_view_of_a_non_leaf():  # more cases below, under "in-place ops on views"
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y[0].add_(1)
        y.sum().backward()
        return y, x.grad
    ours = run(tutorgrad)
    assert_same(ours, run(torch))


def test_index_assignment_into_a_non_leaf_is_differentiable():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y[0] = y[0] + 1
        y[1:] = y[1:] * x[:2]
        (y * y).sum().backward()
        return y, x.grad
    same(run)


def test_inplace_on_graph_tensors():
    def run(lib):
        a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = a * 2
        versions = [b._version]
        b += 1
        versions.append(b._version)
        b.mul_(a)
        versions.append(b._version)
        out = b.sum()
        out.backward()
        return b, a.grad, versions
    same(run)


def test_optimizer_style_update_under_no_grad():
    def run(lib):
        w = lib.tensor([1.0, -2.0], requires_grad=True)
        (w * w).sum().backward()
        with lib.no_grad():
            w -= 0.1 * w.grad
            w.grad.zero_()
        return w, w.grad, w._version, w.is_leaf
    same(run)


def test_grad_version_after_accumulation():
    def run(lib):
        w = lib.tensor([1.0, -2.0], requires_grad=True)
        for _ in range(3):
            (w * 3).sum().backward()
        return w.grad, w.grad._version
    same(run)


def test_views_share_memory_and_version():
    def run(lib):
        x = lib.zeros(2, 3)
        v = x[0]
        r = x.view(3, 2)
        t = x.t()
        v[1] = 5.0
        t[2, 1] = 7.0
        r.add_(1)
        return x, v, r, t, x._version, v._version, r._version, t._version
    same(run)


# --------------------------------------------------------------------- in-place ops on views (CopySlices), as PyTorch
# PyTorch records an in-place op on a view on its base (a CopySlices node), and every view of a base whose history
# an in-place op rewrote remakes its grad_fn when next used. tutorgrad does the same (``inplace_on_view``,
# ``refresh_view``, ``ViewScatter`` in ops/inplace.py). PyTorch names such a remade view ``AsStridedBackward0``;
# tutorgrad names it by the view op (``SliceBackward0``, ...), so only the output's node name is compared.
def add_to_first(lib):
    x = lib.tensor([1., 2., 3.], requires_grad=True)
    y = x * 2
    y[0] += 1
    return x, y


def mul_slice_by_tensor(lib):
    x = lib.tensor([1., 2., 3.], requires_grad=True)
    y = x * 2
    y[1:].mul_(x[1:])
    return x, y * lib.tensor([1., 10., 100.])


def view_of_view(lib):
    x = lib.arange(6.).requires_grad_()
    y = x * 1
    r = y.view(2, 3)
    r[0].add_(10)
    r[:, 1].mul_(3)
    return x, r * lib.arange(6.).view(2, 3)


def base_changed_after_view(lib):
    x = lib.tensor([1., 2., 3.], requires_grad=True)
    y = x * 2
    v = y[0:2]
    y.mul_(3)
    return x, v * 1


def sibling_view_sees_change(lib):
    x = lib.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    y = x.sin()
    col, row = y[:, 0], y[1]
    row.mul_(x[0])
    return x, col * lib.tensor([5., 7.])


def transposed_and_unsqueezed(lib):
    x = lib.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
    y = x * 1
    y.t()[0].mul_(2)
    y.unsqueeze(0)[0, 1].add_(x[0])
    return x, y * y


def constant_base_gets_history(lib):
    p = lib.tensor(2., requires_grad=True)
    w = lib.zeros(3)
    v = w[:2]
    w[1:].add_(p)
    return p, (w * w).sum() + v.sum() * 10


VIEW_CASES = [add_to_first, mul_slice_by_tensor, view_of_view, base_changed_after_view, sibling_view_sees_change,
         transposed_and_unsqueezed, constant_base_gets_history]


@pytest.mark.parametrize("case", VIEW_CASES, ids=lambda f: f.__name__)
def test_views_and_inplace_match_pytorch(case):
    results = {}
    for lib in (tutorgrad, torch):
        leaf, out = case(lib)
        out.sum().backward()
        name = type(out.grad_fn).__name__ if lib is torch else out.grad_fn.name()
        results[lib] = (out.detach().numpy().copy(), leaf.grad.numpy().copy(), name)
    (a_out, a_grad, a_name), (b_out, b_grad, b_name) = results[tutorgrad], results[torch]
    np.testing.assert_allclose(a_out, b_out, rtol=1e-6)
    np.testing.assert_allclose(a_grad, b_grad, rtol=1e-6)
    assert a_name == b_name


def saved_view_changed(lib):
    x = lib.arange(6.).requires_grad_()
    r = (x * 1).view(2, 3)
    r[:, 1].mul_(r[:, 2])  # mul_ saved r[:, 2]; writing r[:, 1] changes the base they share
    return r * 1


def saved_output_changed(lib):
    x = lib.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    y = x.exp()  # exp saves its output y
    y[1].sub_(1)
    return y


@pytest.mark.parametrize("case", [saved_view_changed, saved_output_changed], ids=lambda f: f.__name__)
def test_changing_a_saved_tensor_through_a_view_raises_like_pytorch(case):
    for lib in (tutorgrad, torch):
        out = case(lib)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            out.sum().backward()


def test_inplace_on_view_of_leaf_raises():
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        tutorgrad.ones(3, requires_grad=True)[0].add_(1)
    with pytest.raises(RuntimeError):
        torch.ones(3, requires_grad=True)[0].add_(1)


def test_gradcheck_through_inplace_views():
    def f(x):
        y = x * 1.5
        y[1:].mul_(x[:-1])
        y[0] += y[2]
        return y

    x = tutorgrad.randn(4, dtype=tutorgrad.float64, requires_grad=True)
    assert tutorgrad.autograd.gradcheck(f, (x,))
    assert tutorgrad.autograd.gradgradcheck(f, (x,))


def test_unreplayable_view_gives_a_clear_error():
    y = tutorgrad.ones(2, 3, requires_grad=True) * 2
    a, b = y.split(1)
    with pytest.raises(RuntimeError, match="index assignment"):
        a.add_(1)
    y.mul_(2)  # b's base changed history: b can't be remade from it, so using b must not go silently wrong
    with pytest.raises(RuntimeError, match="Make the view again"):
        b.sum()


def saved_output_changed_through_noop_squeeze(lib):
    x = lib.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    y = x.exp()  # exp saves its output y
    y.squeeze().mul_(2)  # nothing to squeeze: still a view of y, so y changed
    return y


def saved_output_zeroed_through_noop_squeeze_under_no_grad(lib):
    x = lib.tensor([1., 2.], requires_grad=True)
    y = x.sigmoid()  # sigmoid saves its output y
    with lib.no_grad():
        y.squeeze(0).zero_()
    return y


@pytest.mark.parametrize("case", [saved_output_changed_through_noop_squeeze,
                                  saved_output_zeroed_through_noop_squeeze_under_no_grad], ids=lambda f: f.__name__)
def test_changing_a_saved_tensor_through_a_noop_squeeze_raises_like_pytorch(case):
    for lib in (tutorgrad, torch):
        out = case(lib)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            out.sum().backward()


# ------------------------------------------------------------------------- gradcheck in float64 (and double backward)
# id -> (function, fresh float64 inputs)
CASES = {
    "iadd_clone": (inplace("add_"), lambda: (leaf(1, 2, 3), leaf(2, 3))),
    "isub_clone": (inplace("sub_"), lambda: (leaf(1, 3), leaf(2, 3))),
    "imul_clone": (inplace("mul_"), lambda: (leaf(1, 2, 3), leaf(2, 3))),
    "idiv_clone": (inplace("div_"), lambda: (leaf(1, 3), pos(2, 3))),
    "ineg_clone": (inplace("neg_"), lambda: (leaf(1, 3),)),
    "ipow_clone": (lambda a: inplace("pow_", 2)(a) + inplace("__ipow__", 3.0)(a), lambda: (leaf(1, 3),)),
    "iops_dunder": (lambda a, b: inplace("__iadd__")(a, b) * inplace("__isub__")(a, b) * inplace("__imul__")(a, b)
                    * inplace("__itruediv__")(a, b), lambda: (leaf(1, 3), pos(2, 3))),
    "isinh_icosh_clone": (lambda a: inplace("sinh_")(a) * inplace("cosh_")(a), lambda: (leaf(1, 3),)),
    "inplace_unary": (lambda a: sum(inplace(m)(a) for m in ("abs_", "exp_", "log_", "sqrt_", "sigmoid_", "tanh_",
                                                            "relu_")) + inplace("clip_", -1, 1)(a),
                      lambda: (pos(1, 3),)),
    "imasked_fill_clone": (inplace("masked_fill_", mask(3, 3), -1.0), lambda: (leaf(1, 2, 3),)),
    "iclamp_clone": (inplace("clamp_", -0.5, 0.5), lambda: (leaf(1, 6, away=0),)),
    "zero_": (lambda a: a.clone().zero_() + a, lambda: (leaf(1, 3),)),
    "fill_": (lambda a: a.clone().fill_(2.0) * a, lambda: (leaf(1, 3),)),
    "fill_tensor": (lambda a, v: a.clone().fill_(v) * a, lambda: (leaf(1, 3), leaf(2))),
    "normal_": (lambda a: (tutorgrad.manual_seed(0), a.clone().normal_())[1] * a, lambda: (leaf(1, 3),)),
    "uniform_": (lambda a: (tutorgrad.manual_seed(0), a.clone().uniform_())[1] * a, lambda: (leaf(1, 3),)),
    "copy_": (lambda a, b: a.clone().copy_(b) * a, lambda: (leaf(1, 2, 3), leaf(2, 3))),
    "copy_const": (lambda a: a.clone().copy_(tutorgrad.ones(3)) * a, lambda: (leaf(1, 2, 3),)),
    "copy_into_const": (lambda b: tutorgrad.zeros(2, 3, dtype=F64).copy_(b), lambda: (leaf(2, 3),)),
    "setitem_then_exp_": (lambda a: inplace("exp_")(a * 1.0), lambda: (leaf(1, 3),)),
    "inplace_on_views": (inplace_on_views, lambda: (leaf(1, 3, 2), leaf(2, 2))),
}


EPS = {}


# double backward: gradcheck of the gradient
GRADGRAD = {
    "inplace_on_views": (lambda a, b: inplace_on_views(a * a, b * b), lambda: (leaf(1, 3, 2), leaf(2, 2))),
    "inplace": (lambda a, b: inplace("mul_")(a * 1.0, b).exp_().div_(b), lambda: (leaf(1, 3), pos(2, 3))),
}


GRADGRAD_EPS = {}


test_gradcheck, test_gradgradcheck = gradcheck_tests(CASES, EPS, GRADGRAD, GRADGRAD_EPS)
