"""In-place ops and views of recorded tensors, against PyTorch.

PyTorch records an in-place op on a view on its base (a CopySlices node), and every view of a base
whose history an in-place op rewrote remakes its grad_fn when next used. tutorgrad does the same
(``Tensor._inplace_on_view``, ``Tensor._refresh_view``, ``ops.ViewScatter``). PyTorch names such a
remade view ``AsStridedBackward0``; tutorgrad names it by the view op (``SliceBackward0``, ...), so
only the output's node name is compared.
"""
import numpy as np
import pytest

import tutorgrad

torch = pytest.importorskip("torch")


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


CASES = [add_to_first, mul_slice_by_tensor, view_of_view, base_changed_after_view, sibling_view_sees_change,
         transposed_and_unsqueezed, constant_base_gets_history]


@pytest.mark.parametrize("case", CASES, ids=lambda f: f.__name__)
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
