"""The backward engine and the ``.grad`` / hooks / grad-mode rules, checked against real PyTorch.

Most tests take ``lib`` and run twice: with ``torch`` (which proves the expectation is PyTorch's) and
with ``tutorgrad``. Error messages are compared with PyTorch's own text where tutorgrad promises it.
"""
import gc
import subprocess
import sys
import textwrap
import warnings
import weakref

import numpy as np
import pytest

import tutorgrad

torch = pytest.importorskip("torch")
torch.set_num_threads(1)  # tiny tensors: PyTorch's thread pool only adds waiting


@pytest.fixture(params=["torch", "tutorgrad"])
def lib(request):
    return torch if request.param == "torch" else tutorgrad


def raised(fn):
    """The exception ``fn()`` raises (the test fails if it raises none)."""
    with pytest.raises(Exception) as info:
        fn()
    return info.value


def same_error(fn):
    """Run ``fn(lib)`` with both libraries; both must raise the same class. Returns (ours, PyTorch's)."""
    ref, ours = raised(lambda: fn(torch)), raised(lambda: fn(tutorgrad))
    assert type(ours) is type(ref), f"tutorgrad raises {ours!r}, PyTorch {ref!r}"
    return str(ours), str(ref)


# ---------------------------------------------------------------------------------------- .grad
def test_leaf_gradients_accumulate_across_backward_calls(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    first = x.grad
    (x * x).sum().backward()
    assert x.grad.tolist() == [4.0, 8.0]
    assert x.grad is first  # accumulated in place, as PyTorch does


def test_zeroing_and_resetting_grad(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    x.grad.zero_()
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    x.grad = None
    (x * 5).sum().backward()
    assert x.grad.tolist() == [5.0, 5.0]


def test_retain_graph_allows_a_second_backward(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]


# Whether a second backward raises depends on whether the op saved tensors: x * 2 keeps x, x + 1 keeps nothing.
SECOND_BACKWARD = {
    "add": lambda L, x: x + 1, "add_t": lambda L, x: x + x, "sub": lambda L, x: x - 2, "neg": lambda L, x: -x,
    "mul_scalar": lambda L, x: x * 2, "mul": lambda L, x: x * x, "div": lambda L, x: x / 2, "rdiv": lambda L, x: 1 / x,
    "exp": lambda L, x: x.exp(), "log": lambda L, x: x.log(), "sum": lambda L, x: x.sum(), "mean": lambda L, x: x.mean(),
    "relu": lambda L, x: x.relu(), "sigmoid": lambda L, x: x.sigmoid(), "tanh": lambda L, x: x.tanh(),
    "pow": lambda L, x: x ** 2, "reshape": lambda L, x: x.reshape(-1), "t": lambda L, x: x.t(),
    "select": lambda L, x: x[0], "index_list": lambda L, x: x[[0, 0]], "mask": lambda L, x: x[x > 2],
    "matmul": lambda L, x: x @ x, "softmax": lambda L, x: x.softmax(-1), "clone": lambda L, x: x.clone(),
    "cat": lambda L, x: L.cat([x, x]), "stack": lambda L, x: L.stack([x, x]), "abs": lambda L, x: x.abs(),
    "max": lambda L, x: x.max(), "max_dim": lambda L, x: x.max(0)[0], "amax": lambda L, x: x.amax(0),
    "var": lambda L, x: x.var(), "expand": lambda L, x: x[0:1].expand(3, 2), "to": lambda L, x: x.double(),
    "clamp": lambda L, x: x.clamp(0, 1), "where": lambda L, x: L.where(x > 2, x, 0.0),
    "gather": lambda L, x: x.gather(0, L.tensor([[0, 1]])), "cumsum": lambda L, x: x.cumsum(0),
    "prod": lambda L, x: x.prod(), "norm": lambda L, x: x.norm(), "unbind": lambda L, x: x.unbind()[0],
    "flip": lambda L, x: x.flip(0), "permute": lambda L, x: x.permute(1, 0), "sqrt": lambda L, x: x.sqrt(),
}


@pytest.mark.parametrize("name", list(SECOND_BACKWARD))
def test_second_backward_raises_exactly_when_pytorch_does(name):
    outcomes = []
    for L in (torch, tutorgrad):
        x = L.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = SECOND_BACKWARD[name](L, x).sum()
        y.backward()
        try:
            y.backward()
            outcomes.append(None)
        except RuntimeError as e:
            outcomes.append(str(e))
    theirs, ours = outcomes
    assert (ours is None) == (theirs is None), f"PyTorch: {theirs}; tutorgrad: {ours}"
    assert ours == theirs  # the very same message


def test_saved_tensors_cannot_be_read_after_backward():
    for L in (torch, tutorgrad):
        x = L.tensor([1.0], requires_grad=True)
        y = x.exp()
        y.backward()
        with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
            y.backward()


# ---------------------------------------------------------------------------------------- non-leaf .grad
NON_LEAF_WARNING = ("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
                    "attribute won't be populated during autograd.backward().")


def test_non_leaf_grad_warns_like_pytorch(lib):
    x = lib.tensor([1.0], requires_grad=True)
    y = x * 2
    y.sum().backward()
    with pytest.warns(UserWarning) as record:
        assert y.grad is None
    assert str(record[0].message).startswith(NON_LEAF_WARNING)
    assert "retain_grad()" in str(record[0].message)


def test_retain_grad_keeps_a_non_leaf_gradient(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    assert y.retains_grad and not x.retains_grad
    z = (y * y).sum()
    z.backward(retain_graph=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning once retained
        assert y.grad.tolist() == [4.0, 8.0]
    z.backward()
    assert y.grad.tolist() == [8.0, 16.0]  # accumulates like a leaf's


def test_retain_grad_needs_requires_grad(lib):
    with pytest.raises(RuntimeError, match="can't retain_grad on Tensor that has requires_grad=False"):
        lib.tensor([1.0]).retain_grad()


# ---------------------------------------------------------------------------------------- hooks
def test_hooks_on_leaves_and_non_leaves_can_change_gradients(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    calls = []
    handle = x.register_hook(lambda g: calls.append(("x", g.tolist())) or g * 10)
    y = x * 3
    y.register_hook(lambda g: calls.append(("y", g.tolist())))  # returns None: gradient unchanged
    y.sum().backward()
    assert calls == [("y", [1.0, 1.0]), ("x", [3.0, 3.0])]
    assert x.grad.tolist() == [30.0, 30.0]
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]  # the removed hook no longer runs
    assert len(calls) == 2


def test_leaf_hook_runs_on_every_backward_before_accumulation(lib):
    x = lib.tensor([1.0], requires_grad=True)
    x.register_hook(lambda g: g + 1)
    (x * 2).backward()
    (x * 2).backward()
    assert x.grad.tolist() == [6.0]


def test_non_leaf_hook_changes_what_flows_on(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 100)
    (y * y).sum().backward()
    assert y.grad.tolist() == [400.0, 800.0]  # hooks run before retain_grad stores it
    assert x.grad.tolist() == [800.0, 1600.0]


def test_hook_needs_requires_grad(lib):
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"):
        lib.tensor([1.0]).register_hook(lambda g: g)


def test_node_hook_and_prehook(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    seen = []
    y.grad_fn.register_prehook(lambda go: (seen.append(("pre", [g.tolist() for g in go])), (go[0] * 2,))[1])
    h = y.grad_fn.register_hook(lambda gi, go: seen.append(("post", [g.tolist() for g in gi], [g.tolist() for g in go])))
    y.sum().backward(retain_graph=True)
    assert seen == [("pre", [[1.0, 1.0]]), ("post", [[2.0, 4.0], [2.0, 4.0]], [[2.0, 2.0]])]
    assert x.grad.tolist() == [4.0, 8.0]
    h.remove()
    y.sum().backward()
    assert len(seen) == 3  # only the prehook ran again


# ---------------------------------------------------------------------------------------- grad mode
def test_no_grad_and_enable_grad_as_context_managers(lib):
    x = lib.tensor([1.0], requires_grad=True)
    with lib.no_grad():
        y = x * 2
        with lib.enable_grad():
            z = x * 2
        assert not lib.is_grad_enabled()
    assert lib.is_grad_enabled()
    assert (y.requires_grad, y.grad_fn, z.requires_grad) == (False, None, True)


def test_grad_mode_decorators(lib):
    x = lib.tensor([1.0], requires_grad=True)

    @lib.no_grad()
    def f(a):
        return a * 2

    @lib.no_grad  # PyTorch also accepts the bare decorator
    def f2(a):
        return a * 2

    @lib.enable_grad()
    def g(a):
        return a * 2

    @lib.set_grad_enabled(False)
    def h(a):
        return a * 2

    assert not f(x).requires_grad and not f2(x).requires_grad and not h(x).requires_grad
    with lib.no_grad():
        assert g(x).requires_grad
    assert lib.is_grad_enabled()  # decorating with set_grad_enabled(False) leaves the mode as it was
    assert f.__name__ == "f"


def test_set_grad_enabled_as_function_and_context(lib):
    x = lib.tensor([1.0], requires_grad=True)
    lib.set_grad_enabled(False)
    try:
        assert not lib.is_grad_enabled() and not (x * 2).requires_grad
    finally:
        lib.set_grad_enabled(True)
    with lib.set_grad_enabled(False):
        assert not lib.is_grad_enabled()
    with lib.set_grad_enabled(True):
        assert (x * 2).requires_grad
    assert lib.is_grad_enabled()


def test_grad_mode_is_restored_after_an_exception(lib):
    with pytest.raises(ValueError):
        with lib.no_grad():
            raise ValueError
    assert lib.is_grad_enabled()


def test_inference_mode(lib):
    x = lib.tensor([1.0], requires_grad=True)
    with lib.inference_mode():
        assert not (x * 2).requires_grad
    assert lib.is_grad_enabled()


# ---------------------------------------------------------------------------------------- requires_grad rules
def test_requires_grad_propagation_and_is_leaf(lib):
    x = lib.tensor([1.0], requires_grad=True)
    c = lib.tensor([2.0])
    assert (x * c).requires_grad and not (c * 2).requires_grad
    assert x.is_leaf and c.is_leaf and not (x * 2).is_leaf and (c * 2).is_leaf
    assert not (x > 0).requires_grad and not x.argmax().requires_grad
    assert not x.max(0)[1].requires_grad and not x.long().requires_grad


def test_detach_shares_memory_and_leaves_the_graph(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    d = (x * 1).detach()
    assert (d.requires_grad, d.is_leaf, d.grad_fn) == (False, True, None)
    e = x.detach()
    e[0] = 5.0
    assert x.tolist() == [5.0, 2.0]


def test_requires_grad_and_detach_in_place(lib):
    x = lib.tensor([1.0], requires_grad=True)
    y = x * 2
    assert y.requires_grad_(True) is y
    msg = str(raised(lambda: y.requires_grad_(False)))
    assert msg.startswith("you can only change requires_grad flags of leaf variables.")
    z = x.detach().requires_grad_()
    assert z.requires_grad and z.is_leaf
    y.detach_()
    assert (y.requires_grad, y.is_leaf, y.grad_fn) == (False, True, None)


@pytest.mark.parametrize("make", [lambda L: L.tensor([1, 2], requires_grad=True),
                                  lambda L: L.tensor([1, 2]).requires_grad_(),
                                  lambda L: L.zeros(2, dtype=L.int64, requires_grad=True),
                                  lambda L: L.tensor([True]).requires_grad_(),
                                  lambda L: L.arange(3, requires_grad=True)])
def test_integer_tensors_cannot_require_grad(make):
    ours, theirs = same_error(make)
    assert "floating point" in ours and "gradients" in ours


def test_complex_leaves_record_and_a_complex_output_needs_a_gradient():
    # Complex autograd as PyTorch's (tests/ops/test_complex.py compares it op by op): a complex leaf records,
    # and backward() from a complex scalar needs an explicit gradient.
    z = tutorgrad.tensor([1 + 2j], requires_grad=True)
    with pytest.raises(RuntimeError, match="only for real scalar outputs"):
        (z * z).sum().backward()
    (z * z).abs().sum().backward()
    assert z.grad.dtype is tutorgrad.complex64


# ---------------------------------------------------------------------------------------- autograd.grad
def test_grad_does_not_touch_dot_grad(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    g, = lib.autograd.grad((x * x).sum(), x)
    assert g.tolist() == [2.0, 4.0] and x.grad is None and not g.requires_grad


def test_grad_allow_unused_and_materialize(lib):
    x, u = lib.tensor([1.0], requires_grad=True), lib.tensor([1.0], requires_grad=True)
    msg = str(raised(lambda: lib.autograd.grad((x * 2).sum(), [x, u])))
    assert msg == ("The differentiated Tensor at index 1 appears to not have been used in the graph. "
                   "Set allow_unused=True if this is the desired behavior.")
    assert lib.autograd.grad((x * 2).sum(), [x, u], allow_unused=True)[1] is None
    assert lib.autograd.grad((x * 2).sum(), [x, u], materialize_grads=True)[1].tolist() == [0.0]


def test_grad_outputs(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    g, = lib.autograd.grad(x * x, x, grad_outputs=lib.tensor([1.0, 10.0]))
    assert g.tolist() == [2.0, 40.0]
    a, b = lib.autograd.grad([x * x, x.sum()], [x, x], grad_outputs=[lib.ones(2), lib.tensor(3.0)])
    assert a.tolist() == b.tolist() == [5.0, 7.0]


@pytest.mark.parametrize("call", [lambda L, x: L.autograd.grad(x * x, x), lambda L, x: (x * x).backward()])
def test_implicit_gradient_needs_a_scalar(call):
    ours, theirs = same_error(lambda L: call(L, L.tensor([1.0, 2.0], requires_grad=True)))
    assert ours.startswith(theirs)


@pytest.mark.parametrize("call", [lambda L, x: L.autograd.grad((x.detach() * 2).sum(), x),
                                  lambda L, x: (x.detach() * 2).sum().backward(),
                                  lambda L, x: L.autograd.grad((x * 2).sum(), L.tensor([1.0])),
                                  lambda L, x: (x * x).backward(L.ones(3))])
def test_grad_misuse_errors(call):
    same_error(lambda L: call(L, L.tensor([1.0, 2.0], requires_grad=True)))


def test_higher_order_derivatives(lib):
    x = lib.tensor(2.0, requires_grad=True)
    d1, = lib.autograd.grad(x ** 3, x, create_graph=True)         # 3x^2
    d2, = lib.autograd.grad(d1, x, create_graph=True)             # 6x
    d3, = lib.autograd.grad(d2, x)                                # 6
    assert (d1.item(), d2.item(), d3.item()) == (12.0, 12.0, 6.0)
    assert d1.requires_grad and not d3.requires_grad
    t = lib.tensor([0.5, 1.0, 2.0], dtype=lib.float64, requires_grad=True)
    g, = lib.autograd.grad(t.sin().sum(), t, create_graph=True)   # cos t
    h, = lib.autograd.grad(g.sum(), t)                            # -sin t
    np.testing.assert_allclose(g.detach().numpy(), np.cos([0.5, 1.0, 2.0]), rtol=1e-15)
    np.testing.assert_allclose(h.numpy(), -np.sin([0.5, 1.0, 2.0]), rtol=1e-15)


def test_hessian_vector_product(lib):
    x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
    v = lib.tensor([1.0, 0.0, -1.0], dtype=lib.float64)
    f = (x ** 3).sum() + x[0] * x[1] * x[2]
    g, = lib.autograd.grad(f, x, create_graph=True)
    hv, = lib.autograd.grad(g, x, grad_outputs=v)
    # H = diag(6x) + [[0, x2, x1], [x2, 0, x0], [x1, x0, 0]]
    hessian = np.diag([6.0, 12.0, 18.0]) + np.array([[0, 3, 2], [3, 0, 1], [2, 1, 0]])
    np.testing.assert_allclose(hv.numpy(), hessian @ [1.0, 0.0, -1.0])


def test_backward_create_graph_then_grad_of_grad(lib):
    x = lib.tensor(3.0, requires_grad=True)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        (x ** 2).backward(create_graph=True)
    if lib is tutorgrad:  # (PyTorch warns once per process, so its side may already have warned)
        assert "create_graph=True will create a reference cycle" in str(record[0].message)
    assert x.grad.item() == 6.0 and x.grad.requires_grad
    g2, = lib.autograd.grad(x.grad, x)
    assert g2.item() == 2.0


def test_backward_inputs(lib):
    x, w = lib.tensor([1.0, 2.0], requires_grad=True), lib.tensor([3.0, 4.0], requires_grad=True)
    (x * w).sum().backward(inputs=[x])
    assert x.grad.tolist() == [3.0, 4.0] and w.grad is None
    y = x * 2
    (y * w).sum().backward(inputs=[y, w])
    assert y.grad.tolist() == [3.0, 4.0] and w.grad.tolist() == [2.0, 4.0]


def test_backward_of_a_leaf_itself(lib):
    x = lib.tensor(2.0, requires_grad=True)
    x.backward()
    assert x.grad.item() == 1.0


# ---------------------------------------------------------------------------------------- broadcasting
@pytest.mark.parametrize("sa,sb", [((3, 1), (1, 4)), ((2, 3), (3,)), ((), (2, 3)), ((2, 1, 3), (4, 1))])
def test_gradients_are_reduced_to_each_operand_shape(lib, sa, sb):
    a = lib.ones(sa, requires_grad=True)
    b = lib.full(sb, 2.0, requires_grad=True)
    (a * b + a).sum().backward()
    out = np.broadcast_shapes(sa, sb)
    assert tuple(a.grad.shape) == sa and tuple(b.grad.shape) == sb
    np.testing.assert_allclose(a.grad.numpy(), np.full(sa, 3.0 * np.prod(out) / max(np.prod(sa), 1)))
    np.testing.assert_allclose(b.grad.numpy(), np.full(sb, 1.0 * np.prod(out) / max(np.prod(sb), 1)))


# ---------------------------------------------------------------------------------------- in-place checks
def test_modifying_a_saved_tensor_in_place_is_pytorchs_error():
    cases = [  # (build, modify): the saved tensor is changed after use
        (lambda L, x: (lambda h: (h * h, h))(x * 2), lambda h: h.add_(1)),     # saved input of Mul
        (lambda L, x: (lambda y: (y, y))(x.exp()), lambda y: y.mul_(2)),       # saved output of Exp
        (lambda L, x: (lambda w: (x * w, w))(L.ones(2)), lambda w: w.add_(1)),  # a constant that was saved
    ]
    for build, modify in cases:
        messages = []
        for L in (torch, tutorgrad):
            x = L.tensor([1.0, 2.0], requires_grad=True)
            out, saved = build(L, x)
            modify(saved)
            with pytest.raises(RuntimeError) as info:
                out.sum().backward()
            messages.append(str(info.value))
        theirs, ours = messages
        # "...[torch.FloatTensor [2]], which is output 0 of Mul, is at version 1; expected version 0 instead."
        what, version = theirs.split("]]")[0], theirs.split(" is at version ")[1].split(" Hint:")[0]
        assert ours.startswith(what.replace("torch.", "tutorgrad.")), (ours, theirs)
        assert f" is at version {version}" in ours, (ours, theirs)


def test_in_place_on_a_leaf_that_requires_grad(lib):
    x = lib.tensor([1.0], requires_grad=True)
    for change in (lambda: x.add_(1), lambda: x.__imul__(2), lambda: x.zero_(), lambda: x.__setitem__(0, 2.0)):
        msg = str(raised(change))  # (PyTorch says "a view of a leaf Variable..." for x[0] = ...)
        assert "leaf Variable that requires grad is being used in an in-place operation." in msg
    with lib.no_grad():
        x.add_(1)  # allowed outside the graph (an optimizer step)
    assert x.tolist() == [2.0]


def test_in_place_ops_are_recorded(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x.clone()
    y.mul_(x)
    y.add_(1)
    assert type(y.grad_fn).__name__ == "AddBackward0" and y._version == 2
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]  # y = x * x + 1: the old y (a copy of x) was kept for mul_'s backward


def test_overwriting_in_place_cuts_the_gradient(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x.clone()
    y.zero_()
    assert type(y.grad_fn).__name__ == "ZeroBackward0"
    (y + x).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    z = x.clone()
    z.copy_(lib.tensor([5.0, 6.0]))
    assert type(z.grad_fn).__name__ == "CopyBackwards"
    x.grad = None
    (z * x).sum().backward()
    assert x.grad.tolist() == [5.0, 6.0]


# ---------------------------------------------------------------------------------------- deep graphs
DEEP_CHAIN = textwrap.dedent("""
    import sys, gc
    import tutorgrad
    limit = sys.getrecursionlimit()
    x = tutorgrad.tensor(1.0, dtype=tutorgrad.float64, requires_grad=True)
    y = x
    for _ in range(50_000):          # 100,000 ops: 50,000 multiplications and 50,000 additions
        y = y * 1.0001 + 0.0
    y.backward()
    assert sys.getrecursionlimit() == limit, "the recursion limit was changed"
    assert abs(x.grad.item() / 1.0001 ** 50_000 - 1) < 1e-9, x.grad
    del y                            # 100,000 nodes freed one after another: no RecursionError, no crash
    gc.collect()
    print("ok", limit)
""")


def test_a_100000_op_chain_backpropagates_and_is_freed_at_the_default_recursion_limit():
    # A subprocess: a crash while freeing a deep graph must fail this test, not take pytest down.
    done = subprocess.run([sys.executable, "-c", DEEP_CHAIN], capture_output=True, text=True, timeout=300,
                          cwd=str(__import__("pathlib").Path(__file__).resolve().parent.parent))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["ok", "1000"]


# ---------------------------------------------------------------------------------------- graph freeing
def test_saved_tensors_are_released_after_backward():
    x = tutorgrad.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()                  # saved by ExpBackward (its output) and by MulBackward (an input)
    ref = weakref.ref(h)
    z = (h * h).sum()
    del h
    gc.collect()
    assert ref() is not None     # only the graph holds it now
    z.backward()
    gc.collect()
    assert ref() is None         # backward freed the saved tensors...
    assert z.grad_fn is not None  # ...while the graph's nodes are still there


def test_retain_graph_keeps_saved_tensors():
    x = tutorgrad.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()
    ref = weakref.ref(h)
    z = (h * h).sum()
    del h
    z.backward(retain_graph=True)
    gc.collect()
    assert ref() is not None
    z.backward()
    gc.collect()
    assert ref() is None


def test_a_dropped_graph_is_freed():
    x = tutorgrad.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()
    ref, node = weakref.ref(h), weakref.ref(h.grad_fn)
    z = (h * h).sum()
    del h, z
    gc.collect()
    assert ref() is None and node() is None


def test_nothing_is_saved_when_no_graph_is_recorded():
    x = tutorgrad.tensor([1.0, 2.0])  # no requires_grad: Function.apply drops saved tensors at once
    h = x * 1
    ref = weakref.ref(h)
    z = h.exp() * h
    del h
    gc.collect()
    assert ref() is None and z.grad_fn is None


def _user_numpy_code():
    return np.log(np.zeros(1))  # the user's own NumPy code: NumPy warns "divide by zero encountered in log"


@pytest.mark.parametrize("where", ["tensor hook", "leaf hook", "node hook", "node pre-hook"])
def test_numpy_warnings_of_user_hooks_are_not_silenced_during_backward(lib, where):
    x = lib.tensor([1., 2.], requires_grad=True)
    y = x * 2
    if where == "tensor hook":
        y.register_hook(lambda g: _user_numpy_code() and None)
    elif where == "leaf hook":
        x.register_hook(lambda g: _user_numpy_code() and None)
    elif where == "node hook":
        y.grad_fn.register_hook(lambda gi, go: _user_numpy_code() and None)
    else:
        y.grad_fn.register_prehook(lambda go: _user_numpy_code() and None)
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        y.sum().backward()


# ---------------------------------------------------------------------------------------- the reference backward
# engine.reference_backward is the backward pass in a dozen lines (the lesson); run_backward adds PyTorch's
# bookkeeping. On random graphs (fan-out, fan-in, broadcasting, views, several outputs per node) both must
# give every leaf the same gradient.
def random_graph(seed):
    rng = np.random.default_rng(seed)
    leaves = [tutorgrad.tensor(rng.uniform(-1.5, 1.5, shape), dtype=tutorgrad.float64, requires_grad=True)
              for shape in ((), (3,), (2, 3), (1, 3), (3, 2))]
    pool = list(leaves)
    unary = [lambda t: t.sin(), lambda t: t.tanh(), lambda t: t * t, lambda t: t.exp() * 0.3, lambda t: -t,
             lambda t: t.relu(), lambda t: t.sigmoid(), lambda t: t.sum(0, keepdim=True) if t.ndim else t,
             lambda t: t.t() if t.ndim == 2 else t, lambda t: t.reshape(-1), lambda t: t.mean(),
             lambda t: t[0] if t.ndim else t, lambda t: t.clone().mul_(2), lambda t: t.unbind(0)[-1] if t.ndim else t,
             lambda t: t.split(1)[0] if t.ndim else t, lambda t: t.softmax(-1) if t.ndim else t]
    binary = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - 2 * b, lambda a, b: a / (b * b + 1),
              lambda a, b: a.maximum(b)]
    for _ in range(int(rng.integers(3, 14))):
        if rng.random() < 0.5:
            pool.append(unary[rng.integers(len(unary))](pool[rng.integers(len(pool))]))
            continue
        a, b = pool[rng.integers(len(pool))], pool[rng.integers(len(pool))]  # often the same: fan-out
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            if a.ndim == 2 and b.ndim == 2 and a.shape[1] == b.shape[0]:
                pool.append(a @ b)
            continue
        pool.append(binary[rng.integers(len(binary))](a, b))
    picked = [pool[i] for i in rng.choice(len(pool), size=min(3, len(pool)), replace=False)] + [pool[-1]]
    out = sum(((t * t).sum() for t in picked), start=tutorgrad.tensor(0.0, dtype=tutorgrad.float64))
    return leaves, out


@pytest.mark.parametrize("seed", range(60))
def test_the_engine_agrees_with_the_reference_backward(seed):
    from tutorgrad.autograd.engine import reference_backward
    leaves, out = random_graph(seed)
    out.backward(retain_graph=True)
    engine = [None if t.grad is None else t.grad.numpy().copy() for t in leaves]
    for t in leaves:
        t.grad = None
    reference_backward(out, tutorgrad.ones_like(out))
    for i, (t, g) in enumerate(zip(leaves, engine)):
        assert (t.grad is None) == (g is None), f"leaf {i}"
        if g is not None:
            np.testing.assert_allclose(t.grad.numpy(), g, rtol=1e-12, atol=1e-12, err_msg=f"leaf {i}")


def test_random_graphs_are_not_trivial():
    # The graphs above must exercise what the engine's extra steps are about.
    names, broadcast, fan_out = set(), 0, 0
    for seed in range(60):
        _, out = random_graph(seed)
        stack, seen, uses = [out.grad_fn], set(), {}
        while stack:
            node = stack.pop()
            for child, _ in node.next_functions:
                uses[child] = uses.get(child, 0) + 1
            if node not in seen:
                seen.add(node)
                names.add(node.name())
                stack.extend(n for n, _ in node.next_functions if n is not None)
                outs = [m[0] for m in node.output_metadata if m is not None]
                broadcast += any(m is not None and outs and tuple(m[0]) != tuple(outs[0])
                                 for m in node.input_metadata) and node.elementwise
        fan_out += any(n > 1 for c, n in uses.items() if c is not None)
    assert {"UnbindBackward0", "SplitBackward0", "MmBackward0", "SoftmaxBackward0", "MaximumBackward0",
            "SelectBackward0", "AccumulateGrad"} <= names
    assert broadcast > 20 and fan_out > 20


# ---------------------------------------------------------------------------------------- watching the engine
def test_watch_sees_every_node_the_engine_runs_in_its_order():
    from tutorgrad.autograd.engine import watch
    x = tutorgrad.tensor([1.0, 2.0], requires_grad=True)
    b = tutorgrad.tensor(3.0, requires_grad=True)
    y = (x * b).sum()
    steps = []
    with watch(steps.append):
        y.backward()
    assert [s.node.name() for s in steps] == ["SumBackward0", "MulBackward0", "AccumulateGrad", "AccumulateGrad"]
    mul = steps[1]
    assert mul.upstream[0].tolist() == [1.0, 1.0]
    assert [r.tolist() for r in mul.raw] == [[3.0, 3.0], [1.0, 2.0]]  # as backward returned them
    assert [g.tolist() for g in mul.grads] == [[3.0, 3.0], 3.0]       # b's broadcast gradient summed down
    assert steps[2].raw == () and steps[2].grads == ()
    steps.clear()
    (x * b).sum().backward()
    assert steps == []  # only inside the block


def test_trace_keeps_every_value_and_gradient_on_the_nodes():
    x = tutorgrad.tensor([1.0, 2.0], requires_grad=True)
    with tutorgrad.autograd.trace():
        h = x * 3
        y = h.sin().sum()
        y.backward()
    sin = y.grad_fn.next_functions[0][0]
    mul = sin.next_functions[0][0]
    assert mul.traced_values[0].tolist() == [3.0, 6.0]
    np.testing.assert_allclose(mul.traced_grads[0].numpy(), np.cos([3.0, 6.0]), rtol=1e-6)  # dy/dh
    assert y.grad_fn.traced_grads[0].item() == 1.0
    h.mul_(0)  # a later change of the tensor does not change what was recorded
    assert mul.traced_values[0].tolist() == [3.0, 6.0]
    z = (x * 3).sum()  # outside the block: nothing recorded
    z.backward()
    assert z.grad_fn.traced_values is None and z.grad_fn.traced_grads is None


# ---------------------------------------------------------------------------------------- the nodes' accessors
def test_node_accessors_are_read_only_views():
    x = tutorgrad.tensor([1.0, 2.0], requires_grad=True)
    w = tutorgrad.tensor([[1.0], [2.0]], requires_grad=True)
    y = x * w  # broadcast to (2, 2)
    node = y.grad_fn
    assert node.is_builtin and node.elementwise and node.rule.startswith("z = x * y.")
    assert node.input_metadata == ((tutorgrad.Size([2]), tutorgrad.float32), ((2, 1), tutorgrad.float32))
    assert node.output_metadata == (((2, 2), tutorgrad.float32),)
    assert [s.tensor is t and s.unchanged for s, t in zip(node.saved, (x, w))] == [True, True]
    assert not node.freed
    with tutorgrad.no_grad():
        w.add_(1)
    assert [s.unchanged for s in node.saved] == [True, False]
    y2 = (x * 2).sum()
    y2.backward()
    assert y2.grad_fn.freed is False and y2.grad_fn.next_functions[0][0].freed and \
        y2.grad_fn.next_functions[0][0].saved == ()
    with pytest.raises(AttributeError):
        node.rule = "anything"
    acc = node.next_functions[0][0]
    assert acc.output_metadata == ((tutorgrad.Size([2]), tutorgrad.float32),) and acc.is_builtin and acc.rule == ""


def test_get_gradient_edge_like_pytorch(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    a, b = x.unbind(0)
    g = lib.autograd.graph.get_gradient_edge
    assert type(g(x).node).__name__ == "AccumulateGrad" and g(x).output_nr == 0
    assert g(y).node is y.grad_fn and g(b).node is b.grad_fn and g(b).output_nr == 1
    with pytest.raises(RuntimeError, match="not possible to get the gradient edge for a Tensor that does not require"):
        g(lib.tensor(1.0))


def test_every_builtin_op_declares_its_rule():
    import inspect
    from tutorgrad import ops
    from tutorgrad.nn import functional
    modules = [m for m in vars(ops).values() if inspect.ismodule(m)] + [functional]
    classes = {c for m in modules for c in vars(m).values()
               if inspect.isclass(c) and issubclass(c, tutorgrad.autograd.Function) and c._builtin}
    assert len(classes) > 90
    assert not sorted(c.__name__ for c in classes if not c.rule and c is not ops.Op)


# ---------------------------------------------------------------------------------------- the engine's order
# engine.execution_order sorts the nodes by creation number (newest first, each AccumulateGrad right after its
# oldest consumer), relying on every node being newer than the nodes it takes input from; engine._ready_order
# finds the order as PyTorch's engine does (dependency counts, and its ready queue: a C++ max-heap in which all
# leaves are equal). Both are compared with real PyTorch, hook by hook, on random graphs.
def tricky_graph():
    """In-place ops on a result and on a view of it, a view remaking its node, a custom Function, fan-out."""
    x = tutorgrad.tensor([1.0, 2.0, 3.0], dtype=tutorgrad.float64, requires_grad=True)
    w = tutorgrad.tensor(0.5, dtype=tutorgrad.float64, requires_grad=True)
    y = x * w
    v = y[:2]                 # a view of y
    y.mul_(3)                 # y rewritten in place: v remakes its node when next used
    y[1] += w                 # an in-place change of a view: CopySlices on y
    u = v * x[:2]             # (v's node remade here, from y's latest)
    t = y.unsqueeze(0).t()

    class Square(tutorgrad.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, g):
            a, = ctx.saved_tensors
            return 2 * a * g

    return [x, w], (Square.apply(t).sum() + u.sum() + (y * y).sum()) * w


@pytest.mark.parametrize("seed", range(60))
def test_the_sorted_order_is_the_ready_queues_order(seed):
    from tutorgrad.autograd.engine import _by_sequence, _ready_order, execution_order
    _, out = random_graph(seed) if seed else tricky_graph()
    by_sequence = _by_sequence([out.grad_fn])
    assert by_sequence is not None  # every node newer than the nodes it takes input from
    assert by_sequence == _ready_order([out.grad_fn]) == execution_order([out.grad_fn])


def test_the_order_survives_a_retained_graph_run_twice():
    from tutorgrad.autograd.engine import _by_sequence, _ready_order
    leaves, out = tricky_graph()
    out.backward(retain_graph=True)
    first = [t.grad.numpy().copy() for t in leaves]
    out.backward()
    for t, g in zip(leaves, first):
        np.testing.assert_allclose(t.grad.numpy(), 2 * g)
    assert _by_sequence([out.grad_fn]) == _ready_order([out.grad_fn])


def test_a_graph_that_breaks_the_rule_still_runs_in_dependency_order():
    # A node made to feed a newer one (by hand: the library never does this) -> the general order.
    from tutorgrad.autograd.engine import _by_sequence, reference_backward
    a = tutorgrad.tensor([1.0, 2.0], dtype=tutorgrad.float64, requires_grad=True)
    b = a * 2                                   # older node
    c = a * 3                                   # newer node
    b.grad_fn.next_functions = ((c.grad_fn, 0), b.grad_fn.next_functions[1])   # b now feeds c
    out = b.sum()
    assert _by_sequence([out.grad_fn]) is None
    out.backward(retain_graph=True)
    engine = a.grad.numpy().copy()
    a.grad = None
    reference_backward(out, tutorgrad.ones_like(out))
    np.testing.assert_allclose(engine, a.grad.numpy())
    np.testing.assert_allclose(engine, [6.0, 6.0])    # d/da sum(2 * (3a)) through the rewired graph


def test_a_leafs_node_made_to_feed_another_leaves_the_order_to_the_queue():
    # The sort does not walk a leaf's AccumulateGrad (the library never gives it edges); one given an edge by hand
    # -> the general order, which runs what it feeds too.
    from tutorgrad.autograd.engine import _by_sequence, _ready_order
    a = tutorgrad.tensor([1.0, 2.0], dtype=tutorgrad.float64, requires_grad=True)
    b = tutorgrad.tensor([3.0, 4.0], dtype=tutorgrad.float64, requires_grad=True)
    c = b * 5
    out = (a * 2).sum()
    acc = out.grad_fn.next_functions[0][0].next_functions[0][0]
    assert type(acc).__name__ == "AccumulateGrad"
    acc.next_functions = ((c.grad_fn, 0),)
    assert _by_sequence([out.grad_fn]) is None
    assert c.grad_fn in _ready_order([out.grad_fn])
    assert _by_sequence([acc]) is None  # (the leaf's node as a root, too)
    assert c.grad_fn in _ready_order([acc])


def order_graph(lib, seed):
    """A random graph written once for both libraries: leaves fed by one node (two of them: a * b; three or more:
    stack, a custom Function), leaves fed by several nodes, fan-out, views, in-place ops, several outputs
    (leaves among them). Returns the leaves and the outputs."""
    rng = np.random.default_rng(seed)
    shapes = [(), (3,), (2, 3), (1, 3), (3, 2), (3,), (), (), ()]
    leaves = [lib.tensor(rng.uniform(-1.5, 1.5, s).tolist(), dtype=lib.float64, requires_grad=True) for s in shapes]

    class Mix(lib.autograd.Function):  # three inputs, one node: three leaves made ready at once
        @staticmethod
        def forward(ctx, a, b, c):
            return a * 2 + b * 3 + c

        @staticmethod
        def backward(ctx, g):
            return g * 2, g * 3, g

    pool = list(leaves)
    unary = [lambda t: t.sin(), lambda t: t * t, lambda t: t.exp() * 0.3, lambda t: -t,
             lambda t: t.sum(0, keepdim=True) if t.ndim else t, lambda t: t.t() if t.ndim == 2 else t,
             lambda t: t.reshape(-1), lambda t: t.mean(), lambda t: t[0] if t.ndim else t,
             lambda t: t.clone().mul_(2), lambda t: t.unbind(0)[-1] if t.ndim else t,
             lambda t: t.split(1)[0] if t.ndim else t]
    binary = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - 2 * b, lambda a, b: a / (b * b + 1)]
    for _ in range(int(rng.integers(3, 16))):
        r = rng.random()
        if r < 0.4:
            pool.append(unary[rng.integers(len(unary))](pool[rng.integers(len(pool))]))
        elif r < 0.55:
            picks = rng.choice(len(pool), size=int(rng.integers(3, 6)))
            ts = [pool[i] if pool[i].ndim == 0 else pool[i].sum() for i in picks]  # (0-d leaves: stacked as they are)
            pool.append(lib.stack(ts) if rng.random() < 0.5 else Mix.apply(*ts[:3]))
        else:
            a, b = pool[rng.integers(len(pool))], pool[rng.integers(len(pool))]
            if a.shape == b.shape or a.ndim == 0 or b.ndim == 0:
                pool.append(binary[rng.integers(len(binary))](a, b))
            elif a.ndim == 2 and b.ndim == 2 and a.shape[1] == b.shape[0]:
                pool.append(a @ b)
    picked = [pool[i] for i in rng.choice(len(pool), size=min(3, len(pool)), replace=False)] + [pool[-1]]
    outs = [sum(((t * t).sum() for t in picked), start=lib.tensor(0.0, dtype=lib.float64))]
    for i in rng.choice(len(leaves), size=int(rng.integers(0, 5))):  # more outputs: leaves and their sums
        t = leaves[i]
        outs.append(t if t.ndim == 0 and rng.random() < 0.5 else (t * 1).sum())
    rng.shuffle(outs)
    return leaves, outs[:int(rng.integers(1, len(outs) + 1))]


def hook_order(lib, leaves, outs, inputs=None, seed=0):
    """The names of the nodes in the order their pre-hooks run, a leaf's AccumulateGrad by the leaf's index.
    ``inputs``: ``autograd.grad`` with that many of the leaves (picked at random) instead of ``backward``."""
    names, stack, seen = [], [o.grad_fn for o in outs], set()
    for i, t in enumerate(leaves):
        t.register_hook(lambda g, i=i: names.append(f"leaf {i}"))
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        name = node.name().replace("torch::autograd::", "")
        if name != "AccumulateGrad":
            node.register_prehook(lambda g, name=name: names.append(name))
        stack.extend(n for n, _ in node.next_functions)
    if inputs is None:
        lib.autograd.backward(outs, [lib.ones_like(o) for o in outs])
    else:
        picked = [leaves[i] for i in np.random.default_rng(seed).choice(len(leaves), size=inputs, replace=False)]
        lib.autograd.grad(outs, picked, [lib.ones_like(o) for o in outs], allow_unused=True)
    return names


@pytest.mark.parametrize("seed", range(40))
def test_the_engine_runs_the_nodes_in_pytorchs_order_on_random_graphs(seed, monkeypatch):
    from tutorgrad.autograd import engine
    for inputs in (None, 1, 2, 3):  # backward(), and autograd.grad with some of the leaves as inputs
        expected = hook_order(torch, *order_graph(torch, seed), inputs=inputs, seed=seed)
        assert hook_order(tutorgrad, *order_graph(tutorgrad, seed), inputs=inputs, seed=seed) == expected
        with monkeypatch.context() as m:
            m.setattr(engine, "_by_sequence", lambda roots: None)  # the queue alone, too
            assert hook_order(tutorgrad, *order_graph(tutorgrad, seed), inputs=inputs, seed=seed) == expected


def test_autograd_grad_runs_only_the_nodes_leading_to_the_inputs(lib):
    # As PyTorch: an input's own node runs only if it leads to another input; nodes that lead to none are never
    # visited (their hooks do not run, what they saved is kept: a later backward can still go through them).
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    calls = []
    x.register_hook(lambda g: calls.append("x"))
    y = x.exp()
    y.register_hook(lambda g: calls.append("y"))
    z = y * y
    dy, = lib.autograd.grad(z.sum(), [y])
    assert calls == ["y"] and np.allclose(dy.tolist(), 2 * np.exp([1.0, 2.0]))
    y.sum().backward()                  # through ExpBackward, which the first pass did not run nor free
    assert calls == ["y", "y", "x"] and np.allclose(x.grad.tolist(), np.exp([1.0, 2.0]))
    w = x * 3
    u = (w * x).sum()
    dw, dx = lib.autograd.grad(u, [w, x])  # w's node leads to x: it runs
    assert np.allclose(dw.tolist(), [1.0, 2.0]) and np.allclose(dx.tolist(), [6.0, 12.0])
    assert calls[3:] == ["x"]


def test_leaves_made_ready_together_come_out_in_pytorchs_order():
    # Two leaves fed last by one node: in the order the node's edges reach them (its last edge into each);
    # three or more: the order of PyTorch's heap, which depends on how many nodes are waiting in it.
    from tutorgrad.autograd.engine import _by_sequence

    def program(lib, k, waiting, kind):
        leaves = [lib.tensor(float(i + 1), requires_grad=True) for i in range(k)]
        a, b = leaves[:2]
        parts = {"stack": [lib.stack(leaves)], "mul": [a * b, b],           # b: fed by two nodes, Mul the oldest
                 "a b a": [lib.stack([a, b, a])]}[kind]                     # b's last edge comes before a's
        others = [lib.tensor(2.0, requires_grad=True).exp() for _ in range(waiting)]  # wait in the queue
        return leaves + others, [sum(p.sum() for p in parts + others)]

    for k in (2, 3, 4, 5):
        for waiting in range(6):
            for kind in (("stack", "mul", "a b a") if k == 2 else ("stack",)):
                expected = hook_order(torch, *program(torch, k, waiting, kind))
                leaves, outs = program(tutorgrad, k, waiting, kind)
                assert (_by_sequence([outs[0].grad_fn]) is None) == (k > 2)
                assert hook_order(tutorgrad, leaves, outs) == expected, (k, waiting, kind)
    assert hook_order(torch, *program(torch, 2, 0, "a b a"))[-2:] == ["leaf 1", "leaf 0"]


def _order_programs(lib):
    """Programs whose backward order is compared with PyTorch's (node by node, leaves included)."""
    def mlp():
        g = torch.Generator().manual_seed(0)
        x = lib.tensor(torch.randn(4, 3, generator=g).tolist())
        w1, b1 = (lib.tensor(torch.randn(*s, generator=g).tolist(), requires_grad=True) for s in ((5, 3), (5,)))
        w2, b2 = (lib.tensor(torch.randn(*s, generator=g).tolist(), requires_grad=True) for s in ((2, 5), (2,)))
        h = lib.nn.functional.linear(x, w1, b1).relu()
        return lib.nn.functional.cross_entropy(lib.nn.functional.linear(h, w2, b2), lib.tensor([0, 1, 1, 0]))

    def fan():
        x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        w = lib.tensor(0.5, requires_grad=True)
        y = x * w
        z = y.exp() + y.sin() * x
        return (z * w).sum() + (y[0] * z[1])

    def in_place():
        x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        w = lib.tensor([0.5, 2.0, 1.0], requires_grad=True)
        y = x * w
        y.mul_(2)
        v = y[1:]             # a view, remade after its base changes in place
        y.add_(1)
        y[0] = w[2] * 3       # CopySlices
        return (v * x[1:]).sum() + (y * x).sum()
    return [mlp(), fan(), in_place()]


def _run_order(out, lib):
    names, stack, seen = [], [out.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        name = node.name().replace("torch::autograd::", "")
        name = "SliceBackward0" if name == "AsStridedBackward0" else name  # (a remade view: see test_inplace.py)
        if name == "AccumulateGrad":  # (which leaf: by its shape and values)
            name += f" {node.variable.detach().tolist()}"
        node.register_prehook(lambda grads, name=name: names.append(name))
        stack.extend(n for n, _ in node.next_functions)
    out.backward()
    return names


def test_the_engine_runs_the_nodes_in_pytorchs_order():
    for ours, theirs in zip(_order_programs(tutorgrad), _order_programs(torch)):
        assert _run_order(ours, tutorgrad) == _run_order(theirs, torch)


# ---------------------------------------------------------------------------------------- gradient layouts
def _layouts(lib):
    """Whether gradients come out row-major, as PyTorch's do for these (so g.view(-1) works on them)."""
    nn = lib.nn
    lib.manual_seed(0)
    m = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    loss = m(lib.ones(4, 2)).pow(2).mean()
    flat = lib.cat([g.view(-1) for g in lib.autograd.grad(loss, m.parameters())])  # a common idiom
    d = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.Flatten(), nn.Linear(32, 1))
    x = lib.ones(2, 1, 4, 4, requires_grad=True)
    out = d(x)
    gx, = lib.autograd.grad(out, x, lib.ones_like(out), create_graph=True)  # WGAN-GP's gradient penalty
    penalty = ((gx.view(gx.size(0), -1).norm(2, dim=1) - 1) ** 2).mean()
    conv1 = lib.ones(1, 1, 5, requires_grad=True)
    g1, = lib.autograd.grad(nn.functional.conv1d(conv1, lib.ones(1, 1, 3), padding=1).sum(), conv1)
    lin = nn.Linear(2, 3)
    lin(lib.ones(4, 2)).pow(2).sum().backward(create_graph=True)
    a, w = lib.ones(3, 4, requires_grad=True), lib.ones(3, 5)
    ga, = lib.autograd.grad(a.T.mm(w).sum(), a)
    return (flat.shape, gx.is_contiguous(), penalty.shape, g1.is_contiguous(), lin.weight.grad.is_contiguous(),
            lin.weight.grad.view(-1).shape, ga.is_contiguous())


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")  # (both libraries warn: meant here)
def test_gradients_come_out_row_major_as_pytorchs():
    import torch
    ours, ref = _layouts(tutorgrad), _layouts(torch)
    assert [tuple(v) if not isinstance(v, bool) else v for v in ours] == \
        [tuple(v) if not isinstance(v, bool) else v for v in ref]
