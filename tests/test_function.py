"""Custom gradients with ``autograd.Function``: the contract a student writes against, as in PyTorch.

Each Function below is defined for a library ``L`` and the tests run with ``torch`` and ``tutorgrad``,
so every expectation is PyTorch's own behaviour.
"""
import warnings

import numpy as np
import pytest

import tutorgrad

torch = pytest.importorskip("torch")
torch.set_num_threads(1)


@pytest.fixture(params=["torch", "tutorgrad"])
def lib(request):
    return torch if request.param == "torch" else tutorgrad


def exp_fn(L):
    class MyExp(L.autograd.Function):
        """y = e^x; dy/dx = y, so backward reuses the saved output."""

        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            y, = ctx.saved_tensors
            return grad * y
    return MyExp


# ---------------------------------------------------------------------------------------- the basics
def test_forward_backward_apply(lib):
    MyExp = exp_fn(lib)
    x = lib.tensor([0.0, 1.0], dtype=lib.float64, requires_grad=True)
    y = MyExp.apply(x)
    assert type(y.grad_fn).__name__ == "MyExpBackward" and y.grad_fn.name() == "MyExpBackward"
    assert type(y.grad_fn.next_functions[0][0]).__name__ == "AccumulateGrad"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.0, 1.0]))


def test_repr_shows_the_custom_node():
    reprs = [repr(exp_fn(L).apply(L.tensor([0.0], requires_grad=True))) for L in (torch, tutorgrad)]
    assert reprs[1] == reprs[0] == "tensor([1.], grad_fn=<MyExpBackward>)"


def test_no_graph_without_requires_grad_or_under_no_grad(lib):
    MyExp = exp_fn(lib)
    y = MyExp.apply(lib.tensor([1.0]))
    assert (y.requires_grad, y.grad_fn) == (False, None)
    with lib.no_grad():
        y = MyExp.apply(lib.tensor([1.0], requires_grad=True))
    assert (y.requires_grad, y.grad_fn) == (False, None)


def test_forward_runs_without_recording_and_backward_too(lib):
    modes = []

    class Probe(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            modes.append(("forward", lib.is_grad_enabled(), (x * 2).requires_grad))
            return x.clone()

        @staticmethod
        def backward(ctx, grad):
            modes.append(("backward", lib.is_grad_enabled()))
            return grad

    Probe.apply(lib.tensor([1.0], requires_grad=True)).sum().backward()
    assert modes == [("forward", False, False), ("backward", False)]


def test_needs_input_grad_and_non_tensor_arguments(lib):
    seen = []

    class Scale(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b, k):
            ctx.save_for_backward(a, b)
            ctx.k = k                      # a plain number: kept on ctx, not saved
            seen.append(ctx.needs_input_grad)
            return a * b * k

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            return (grad * b * ctx.k if ctx.needs_input_grad[0] else None,
                    grad * a * ctx.k if ctx.needs_input_grad[1] else None,
                    None)                  # no gradient for the number k

    a, b = lib.tensor([1.0, 2.0], requires_grad=True), lib.tensor([3.0, 4.0])
    Scale.apply(a, b, 2.0).sum().backward()
    assert seen == [(True, False, False)]
    assert a.grad.tolist() == [6.0, 8.0] and b.grad is None
    # one edge per tensor argument: the number k is not a graph input
    assert Scale.apply(a, b, 2.0).grad_fn.next_functions[1:] == ((None, 0),)


def test_returning_the_input_itself(lib):
    class Ident(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 5

    x = lib.tensor([1.0], requires_grad=True)
    y = Ident.apply(x)
    assert y is not x and x.grad_fn is None and type(y.grad_fn).__name__ == "IdentBackward"
    y.backward()
    assert x.grad.tolist() == [5.0]


def test_calling_backward_through_the_node(lib):
    y = exp_fn(lib).apply(lib.tensor([0.0, 1.0], dtype=lib.float64, requires_grad=True))
    np.testing.assert_allclose(y.grad_fn.apply(lib.ones(2, dtype=lib.float64)).detach().numpy(), np.exp([0.0, 1.0]))


# ---------------------------------------------------------------------------------------- ctx features
def test_mark_non_differentiable(lib):
    got = []

    class SortValues(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            values, idx = x.sort()
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(idx)
            return values, idx

        @staticmethod
        def backward(ctx, grad_values, grad_idx):
            idx, = ctx.saved_tensors
            got.append(grad_idx.tolist())   # materialized zeros
            g = lib.zeros_like(grad_values)
            g[idx] = grad_values
            return g

    x = lib.tensor([3.0, 1.0, 2.0], requires_grad=True)
    v, i = SortValues.apply(x)
    assert v.requires_grad and not i.requires_grad and i.grad_fn is None
    (v * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert x.grad.tolist() == [3.0, 1.0, 2.0] and got == [[0, 0, 0]]


def add_one_inplace(L):
    class AddOne_(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad
    return AddOne_


def test_mark_dirty(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x.clone()
    v0 = y._version
    z = add_one_inplace(lib).apply(y)
    assert z is y and y.tolist() == [2.0, 3.0]
    assert type(y.grad_fn).__name__ == "AddOne_Backward" and y._version == v0 + 2
    assert type(y.grad_fn.next_functions[0][0]).__name__ == "CloneBackward0"
    (z * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_mark_dirty_on_a_leaf_is_refused(lib):
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        add_one_inplace(lib).apply(lib.tensor([1.0], requires_grad=True))


def two_outputs(L, materialize):
    seen = []

    class Two(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(materialize)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            seen.append((None if g1 is None else g1.tolist(), None if g2 is None else g2.tolist()))
            out = 0
            if g1 is not None:
                out = out + g1 * 2
            if g2 is not None:
                out = out + g2 * 3
            return out
    return Two, seen


@pytest.mark.parametrize("materialize,expected", [(True, ([0.0], [1.0])), (False, (None, [1.0]))])
def test_set_materialize_grads(lib, materialize, expected):
    Two, seen = two_outputs(lib, materialize)
    x = lib.tensor([1.0], requires_grad=True)
    p, q = Two.apply(x)
    q.sum().backward()  # p is unused: its gradient is zeros, or None without materialization
    assert seen == [expected] and x.grad.tolist() == [3.0]


def square_once(L):
    class Sq(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @L.autograd.function.once_differentiable
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return grad * 2 * x
    return Sq


def test_once_differentiable(lib):
    Sq = square_once(lib)
    x = lib.tensor([3.0], requires_grad=True)
    g, = lib.autograd.grad(Sq.apply(x).sum(), x)
    assert g.tolist() == [6.0]
    # with grad_outputs that require grad, the gradient is linked to them through an "Error" node...
    go = lib.ones(1, requires_grad=True)
    g, = lib.autograd.grad(Sq.apply(x), x, grad_outputs=go, create_graph=True)
    assert g.requires_grad and type(g.grad_fn).__name__ == "Error"
    assert [type(n).__name__ for n, _ in g.grad_fn.next_functions] == ["AccumulateGrad"]
    # ...and nothing leads back to x: double backward cannot work
    with pytest.raises(RuntimeError):
        lib.autograd.grad(g.sum(), x)


def test_once_differentiable_double_backward_raises():
    Sq = square_once(tutorgrad)
    x = tutorgrad.tensor([3.0], requires_grad=True)
    go = tutorgrad.ones(1, requires_grad=True)
    g, = tutorgrad.autograd.grad(Sq.apply(x), x, grad_outputs=go, create_graph=True)
    with pytest.raises(RuntimeError, match="trying to differentiate twice a function that was marked with "
                                           "@once_differentiable"):
        tutorgrad.autograd.grad(g.sum(), go)


def test_setup_context_style(lib):
    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(x, k):
            return x ** 3 * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, k = inputs
            ctx.save_for_backward(x)
            ctx.k = k

        @staticmethod
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return grad * 3 * x ** 2 * ctx.k, None

    x = lib.tensor([2.0], requires_grad=True)
    y = Cube.apply(x, 2.0)
    assert type(y.grad_fn).__name__ == "CubeBackward"
    y.backward()
    assert x.grad.tolist() == [24.0]


def test_saved_tensors_version_check_in_a_custom_function(lib):
    MyExp = exp_fn(lib)
    x = lib.tensor([1.0], requires_grad=True)
    y = MyExp.apply(x)
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_saved_tensors_are_freed_after_backward(lib):
    seen = []

    class Keep(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            seen.append(ctx)
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    Keep.apply(lib.tensor([1.0], requires_grad=True)).backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        seen[0].saved_tensors


# ---------------------------------------------------------------------------------------- the primer's pattern
def primer_fn(L):
    class i_hate_threes_v2(L.autograd.Function):
        @staticmethod
        def forward(ctx, tensor):
            ctx.save_for_backward(tensor)
            if tensor == 3.0:
                tensor = L.tensor(0.0, requires_grad=True)
            return tensor

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            grad_input = grad_output.clone()
            if input == 3.0:
                return L.tensor(0.0, requires_grad=True)
            return grad_input

        def __call__(self, tensor):
            return self.apply(tensor)
    return i_hate_threes_v2


def run_primer(L):
    cls = primer_fn(L)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        func = cls()
    t_1 = L.tensor(2.0, requires_grad=True)
    x_1 = func(t_1)
    x_1.backward()
    t_2 = L.tensor(3.0, requires_grad=True)
    x_2 = func(t_2)
    x_2.backward()
    shown = [repr(x_1), str(t_1.grad), repr(x_2), str(t_2.grad)]
    return shown, [(w.category, str(w.message)) for w in record]


def test_primer_instance_call_pattern_prints_and_warns_like_pytorch():
    ours, theirs = run_primer(tutorgrad), run_primer(torch)
    assert ours[0] == [s.replace("torch.", "tutorgrad.") for s in theirs[0]]
    assert ours[0] == ["tensor(2., grad_fn=<i_hate_threes_v2Backward>)", "tensor(1.)",
                       "tensor(0., grad_fn=<i_hate_threes_v2Backward>)", "tensor(0.)"]
    assert ours[1] == theirs[1]  # the same DeprecationWarning, word for word
    assert ours[1][0][0] is DeprecationWarning and "should not be instantiated" in ours[1][0][1]


def test_calling_an_instance_without_a_user_call_is_pytorchs_error():
    messages = []
    for L in (torch, tutorgrad):
        MyExp = exp_fn(L)
        with pytest.warns(DeprecationWarning):
            f = MyExp()
        with pytest.raises(RuntimeError) as info:
            f(L.tensor([1.0], requires_grad=True))
        messages.append(str(info.value))
    head = "Legacy autograd function with non-static forward method is deprecated. Please use new-style autograd " \
           "function with static forward method"
    assert messages[0].startswith(head) and messages[1].startswith(head)


# ---------------------------------------------------------------------------------------- misuse
def bad_backward(L, n_inputs, result):
    class Bad(L.autograd.Function):
        @staticmethod
        def forward(ctx, *args):
            return args[0] * 2

        @staticmethod
        def backward(ctx, grad):
            return result(L, grad)
    return Bad


MISUSE = {  # (inputs, what backward returns)
    "too_many": (lambda L: (L.tensor([1.0], requires_grad=True),), lambda L, g: (g, g)),
    "too_few": (lambda L: (L.tensor([1.0], requires_grad=True), L.tensor([1.0], requires_grad=True)), lambda L, g: g),
    "grad_for_a_number": (lambda L: (L.tensor([1.0], requires_grad=True), 2.0), lambda L, g: (g, g)),
    "wrong_shape": (lambda L: (L.tensor([1.0, 2.0], requires_grad=True),), lambda L, g: L.ones(3)),
    "not_a_tensor": (lambda L: (L.tensor([1.0, 2.0], requires_grad=True),), lambda L, g: 1.0),
}


@pytest.mark.parametrize("name", list(MISUSE))
def test_a_wrong_backward_raises_pytorchs_error(name):
    make_inputs, result = MISUSE[name]
    messages = []
    for L in (torch, tutorgrad):
        Bad = bad_backward(L, None, result)
        with pytest.raises(RuntimeError) as info:
            Bad.apply(*make_inputs(L)).sum().backward()
        messages.append(str(info.value))
    theirs, ours = messages
    assert ours.startswith(theirs), f"\nPyTorch:   {theirs}\ntutorgrad: {ours}"


def test_extra_none_gradients_are_fine(lib):
    Bad = bad_backward(lib, None, lambda L, g: (g * 2, None, None))
    x = lib.tensor([1.0], requires_grad=True)
    Bad.apply(x).sum().backward()
    assert x.grad.tolist() == [2.0]


def test_a_broadcast_gradient_is_summed_to_the_input_shape(lib):
    Bad = bad_backward(lib, None, lambda L, g: L.ones(3, 2))
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    Bad.apply(x).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_a_gradient_of_another_dtype_is_converted(lib):
    Bad = bad_backward(lib, None, lambda L, g: g.double())
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    Bad.apply(x).sum().backward()
    assert x.grad.dtype == lib.float32


def test_missing_forward_or_backward(lib):
    class NoBackward(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    class NoForward(lib.autograd.Function):
        pass

    with pytest.raises(NotImplementedError, match="You must implement either the backward or vjp method"):
        NoBackward.apply(lib.tensor([1.0], requires_grad=True)).sum().backward()
    with pytest.raises(NotImplementedError, match="You must implement the forward function"):
        NoForward.apply(lib.tensor([1.0], requires_grad=True))


# ---------------------------------------------------------------------------------------- gradcheck
def test_gradcheck_and_gradgradcheck_of_a_custom_function(lib):
    MyExp = exp_fn(lib)
    x = lib.tensor([0.1, -0.5, 1.2], dtype=lib.float64, requires_grad=True)
    assert lib.autograd.gradcheck(MyExp.apply, (x,))
    assert lib.autograd.gradgradcheck(MyExp.apply, (x,))  # its backward is made of differentiable ops


def wrong_sin(L):
    class WrongSin(L.autograd.Function):
        """sin with a deliberately wrong derivative (sin instead of cos)."""

        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x)
            return x.sin() * y

        @staticmethod
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return grad * x.sin(), None   # y's gradient "forgotten" too
    return WrongSin


def test_gradcheck_reports_which_input_element_and_both_values():
    x = tutorgrad.tensor([0.5, 1.0], dtype=tutorgrad.float64, requires_grad=True)
    y = tutorgrad.tensor(2.0, dtype=tutorgrad.float64)
    with pytest.raises(tutorgrad.autograd.GradcheckError) as info:
        tutorgrad.autograd.gradcheck(wrong_sin(tutorgrad).apply, (x, y))
    msg = str(info.value)
    assert isinstance(info.value, RuntimeError)  # as PyTorch's GradcheckError
    assert msg.startswith("Jacobian mismatch for output 0 with respect to input 0,\nnumerical:")
    assert "analytical:" in msg
    # the worst element: d/dx_0 of 2 sin(x_0) is 2 cos(0.5) = 1.75517; the wrong backward says sin(0.5) = 0.479426
    assert "output element 0 and input element (0,)" in msg
    assert "numerical 1.75517 vs analytical 0.479426" in msg
    assert not tutorgrad.autograd.gradcheck(wrong_sin(tutorgrad).apply, (x, y), raise_exception=False)


def test_gradcheck_failure_like_pytorch():
    reports = []
    for L in (torch, tutorgrad):
        x = L.tensor([0.5, 1.0], dtype=L.float64, requires_grad=True)
        with pytest.raises(RuntimeError) as info:
            L.autograd.gradcheck(wrong_sin(L).apply, (x, L.tensor(2.0, dtype=L.float64)))
        reports.append(str(info.value))
    theirs, ours = reports
    assert theirs.split("numerical:")[0] == ours.split("numerical:")[0]
    # both print the same numerical and analytical Jacobians
    for part in ("numerical:", "analytical:"):
        t = theirs.split(part)[1].split("\n\n")[0].split("analytical:")[0]
        o = ours.split(part)[1].split("\n\n")[0].split("analytical:")[0]
        assert o.strip() == t.replace("torch.", "tutorgrad.").strip()


def test_gradcheck_warns_for_float32_inputs(lib):
    x = lib.tensor([0.5, 1.0], requires_grad=True)
    with pytest.warns(UserWarning) as record:
        lib.autograd.gradcheck(lambda t: t * 2, (x,), eps=1e-3, atol=1e-2)
    assert str(record[0].message) == ("Input #0 requires gradient and is not a double precision floating point or "
                                      "complex. This check will likely fail if all the inputs are not of double "
                                      "precision floating point or complex. ")


def test_gradcheck_needs_an_input_that_requires_grad():
    messages = []
    for L in (torch, tutorgrad):
        with pytest.raises(ValueError) as info:
            L.autograd.gradcheck(lambda t: t * 2, (L.tensor([1.0], dtype=L.float64),))
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_none_and_number_arguments_are_not_graph_inputs(lib):
    class F(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, nothing, k, c):
            assert ctx.needs_input_grad == (True, False, False, False)
            return a * k

        @staticmethod
        def backward(ctx, grad):
            return grad * 3, None, None, None

    a = lib.tensor([1.0], requires_grad=True)
    y = F.apply(a, None, 3.0, lib.tensor([1.0]))
    assert [type(n).__name__ if n else None for n, _ in y.grad_fn.next_functions] == ["AccumulateGrad", None]
    y.backward()
    assert a.grad.tolist() == [3.0]


def test_numpy_warnings_in_a_custom_backward_are_not_silenced(lib):
    class Noisy(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            np.log(np.zeros(1))  # the student's own NumPy code: NumPy warns as usual
            return grad * 2

    x = lib.tensor([1., 2.], requires_grad=True)
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        Noisy.apply(x).sum().backward()


def test_ctx_of_an_unrecorded_call_has_no_next_functions(lib):
    seen = []

    class Keep(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            seen.append(ctx)
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    x = lib.tensor([1., 2.], requires_grad=True)
    with lib.no_grad():
        Keep.apply(x)
    Keep.apply(lib.tensor([1., 2.]))  # nothing requires grad: not recorded either
    assert [ctx.next_functions for ctx in seen] == [(), ()]
    assert [ctx.needs_input_grad for ctx in seen] == [(True,), (False,)]
