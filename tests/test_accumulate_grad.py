"""``AccumulateGrad`` takes over a gradient's memory only when nothing else can reach it.

``.grad`` of a leaf becomes the first gradient that reaches it, without a copy, when that gradient is
unshared (``autograd/function.py``, ``_unshared``): the common case, a weight's gradient fresh from its
backward formula. Whenever anything the user can reach holds the gradient, its array, a view of it or
its memory, ``.grad`` must be a copy: writing into ``.grad`` (an optimizer's ``p.grad.zero_()``, the next
backward's in-place accumulation) must never change what the user holds, nor the other way round.

Each case below backpropagates while something keeps (or could later reach) the gradient, then checks
that ``.grad`` shares no memory with it and that writing into one leaves the other unchanged.
"""
import gc
import weakref

import numpy as np
import pytest

import tutorgrad


def leaf(values=(1.0, 2.0, 3.0)):
    return tutorgrad.tensor(list(values), requires_grad=True)


def pointer(t):
    return t.detach().numpy().__array_interface__["data"][0]


def assert_apart(grad, held):
    """``grad`` (a leaf's .grad) and ``held`` (whatever the user kept: tensor or array) are separate memory."""
    kept = held.detach().numpy() if isinstance(held, tutorgrad.Tensor) else held
    if isinstance(kept, np.ndarray):
        assert not np.shares_memory(grad.numpy(), kept)
        before = kept.copy()
        grad.numpy()[...] = -7.0             # write into .grad ...
        np.testing.assert_array_equal(kept, before)   # ... what the user kept does not change
        kept[...] = 5.0                      # and the other way round
        assert not (grad.numpy() == 5.0).any()


# ---------------------------------------------------------------------------------------------- taken over
def test_an_unshared_gradient_becomes_grad_without_a_copy():
    # A hook that only looks (it keeps no reference) sees the memory that .grad then has.
    x = leaf()
    seen = []
    x.register_hook(lambda g: seen.append(pointer(g)))
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0] and pointer(x.grad) == seen[0]


@pytest.mark.parametrize("sizes", [(128, 96), (4, 3)], ids=["large", "small"])
def test_a_linear_layers_weight_gradient_arrives_in_the_weights_layout_and_is_taken_over(sizes):
    # The weight enters the layer as weight.t(): a large one's gradient is computed as (G^T X)^T (PyTorch's
    # mm_mat2_backward), arrives row-major, as the weight is, and becomes .grad as it is. A small one's
    # arrives transposed and .grad is a row-major copy (cheaper than the extra transpose: LAYOUT_MIN_ELEMENTS).
    from tutorgrad.ops.linalg import LAYOUT_MIN_ELEMENTS
    tutorgrad.manual_seed(0)
    layer = tutorgrad.nn.Linear(*sizes)
    large = layer.weight.numel() >= LAYOUT_MIN_ELEMENTS
    seen = {}
    layer.weight.register_hook(lambda g: seen.update(w=(pointer(g), g.is_contiguous())))
    layer.bias.register_hook(lambda g: seen.update(b=pointer(g)))
    x = tutorgrad.randn(5, sizes[0])
    layer(x).sum().backward()
    assert seen["w"][1] == large and layer.weight.grad.is_contiguous()
    assert (pointer(layer.weight.grad) == seen["w"][0]) == large and pointer(layer.bias.grad) == seen["b"]
    np.testing.assert_allclose(layer.weight.grad.numpy(), np.ones((5, sizes[1])).T @ x.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer.bias.grad.numpy(), np.full(sizes[1], 5.0))


@pytest.mark.parametrize("op", ["linear", "matmul", "left"])
def test_the_layout_keeping_formulas_compute_the_same_gradients(op, monkeypatch):
    # Forced on at any size: (G^T X)^T and (Y G^T)^T against PyTorch, with double backward (still tensor ops).
    import torch
    from tutorgrad.ops import linalg
    monkeypatch.setattr(linalg, "LAYOUT_MIN_ELEMENTS", 0)
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in ((5, 4), (3, 4), (3,))]

    def f(lib, x, w, b):
        if op == "linear":
            return lib.nn.functional.linear(x, w, b)
        return x @ w.t() if op == "matmul" else w.t().t().mT.mT @ x.t()    # left: a transposed view on the left
    results = []
    for lib in (tutorgrad, torch):
        x, w, b = (lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in arrays)
        w = w.t().contiguous().t() if op == "left" else w                 # (stored column by column)
        out = f(lib, x, w, b)
        grads = lib.autograd.grad((out * out).sum(), [x, w, b] if op == "linear" else [x, w], create_graph=True)
        second = lib.autograd.grad(sum((g * g).sum() for g in grads), [x])
        results.append([g.detach().numpy() for g in grads + second])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
    assert tutorgrad.autograd.gradcheck(lambda x, w: f(tutorgrad, x, w, None), [
        tutorgrad.tensor(a, dtype=tutorgrad.float64, requires_grad=True) for a in arrays[:2]])


def test_later_gradients_are_added_in_place():
    x = leaf()
    (x * 2).sum().backward()
    first = pointer(x.grad)
    (x * 3).sum().backward()
    assert pointer(x.grad) == first and x.grad.tolist() == [5.0, 5.0, 5.0]


# ---------------------------------------------------------------------------------------------- kept by the user
KEEPERS = {
    "the gradient tensor": lambda g: g,
    "its ndarray": lambda g: g.numpy(),
    "a NumPy view of it": lambda g: g.numpy()[1:],
    "a tensor view (indexing)": lambda g: g[1:],
    "a tensor view (view)": lambda g: g.view(3, 1),
    "a detached alias": lambda g: g.detach(),
    "its .data": lambda g: g.data,
    "a memoryview": lambda g: memoryview(g.numpy()),
}


@pytest.mark.parametrize("keep", KEEPERS, ids=list(KEEPERS))
def test_a_gradient_a_leaf_hook_keeps_is_copied(keep):
    x = leaf()
    kept = []
    x.register_hook(lambda g: kept.append(KEEPERS[keep](g)))
    (x * 2).sum().backward()
    held = kept[0]
    if isinstance(held, memoryview):
        held = np.asarray(held)
    assert_apart(x.grad, held)


@pytest.mark.parametrize("keep", KEEPERS, ids=list(KEEPERS))
def test_a_gradient_a_node_hook_keeps_is_copied(keep):
    # The gradient x's node hands to x's AccumulateGrad is kept by a hook on that node.
    x = leaf()
    y = x * 2
    kept = []
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: kept.append(KEEPERS[keep](grad_inputs[0])))
    y.sum().backward()
    held = kept[0]
    assert_apart(x.grad, np.asarray(held) if isinstance(held, memoryview) else held)


def test_weak_references_count_too():
    x = leaf()
    refs = []
    x.register_hook(lambda g: refs.append((weakref.ref(g), weakref.ref(g.numpy()))))
    (x * 2).sum().backward()
    gc.collect()
    for ref in refs[0]:
        target = ref()
        if target is not None:
            assert_apart(x.grad, target)


def test_the_gradient_the_caller_passes_is_copied():
    x = leaf()
    g = tutorgrad.tensor([1.0, 2.0, 3.0])
    (x + 0).backward(g)                      # AddBackward0 hands g itself on to x
    assert_apart(x.grad, g)
    x2 = leaf()
    x2.backward(g)                           # a leaf as the root: g goes straight to its AccumulateGrad
    assert_apart(x2.grad, g)
    array = np.array([1.0, 2.0, 3.0], np.float32)
    x3 = leaf()
    (x3 + 0).backward(tutorgrad.from_numpy(array))   # a gradient on the memory of the caller's ndarray
    assert_apart(x3.grad, array)


def test_a_gradient_two_leaves_receive_is_not_shared_between_them():
    a, b = leaf(), leaf()
    ((a + b) * 2).sum().backward()           # AddBackward0 hands the same (writable) tensor to both
    assert_apart(a.grad, b.grad)
    c = leaf()
    (c + c).sum().backward()                 # (one leaf, twice: the two gradients are added first)
    assert c.grad.tolist() == [2.0, 2.0, 2.0]


def test_retain_grad_and_the_leafs_grad_are_separate():
    x = leaf()
    y = x.clone()                            # CloneBackward0 hands y's gradient on to x unchanged
    y.retain_grad()
    (y * 2).sum().backward()
    assert_apart(x.grad, y.grad)


def test_an_expanded_gradient_is_copied():
    # sum's backward expands a 0-d gradient: every element is the same memory (and it is read-only)
    x = leaf()
    x.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]
    x.grad.add_(1.0)                         # .grad is writable, element by element
    assert x.grad.tolist() == [2.0, 2.0, 2.0] and x.grad.numpy().flags.owndata


def test_a_gradient_that_views_another_tensors_memory_is_copied():
    # A custom backward returns a view of an array it keeps: .grad must not share it.
    store = {}

    class Keep(tutorgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            store["array"] = np.ones((2, 3), np.float32)
            return tutorgrad.from_numpy(store["array"][0])

    x = leaf()
    Keep.apply(x).sum().backward()
    assert_apart(x.grad, store["array"])


def test_create_graph_makes_grad_a_recorded_copy_as_pytorch():
    x = leaf()
    g = tutorgrad.tensor([1.0, 1.0, 1.0], requires_grad=True)
    with pytest.warns(UserWarning, match="reference cycle"):
        (x + 0).backward(g, create_graph=True)
    assert x.grad is not g and x.grad.grad_fn.name() == "CopyBackwards"   # (PyTorch: CopyBackwards too)
    assert_apart(x.grad.detach(), g)
    x2 = leaf()
    with pytest.warns(UserWarning, match="reference cycle"):
        (x2 ** 2).sum().backward(create_graph=True)
    second, = tutorgrad.autograd.grad(x2.grad.sum(), x2)   # the copy keeps the graph: d/dx sum(2x) = 2
    assert second.tolist() == [2.0, 2.0, 2.0]


def test_watching_and_tracing_keep_their_gradients_apart():
    x = leaf()
    steps = []
    with tutorgrad.autograd.watch(steps.append):
        (x * 2).sum().backward()
    assert_apart(x.grad, steps[-1].upstream[0])
    x2 = leaf()
    with tutorgrad.autograd.trace():
        y = x2 * 2
        y.sum().backward()
    accumulate = y.grad_fn.next_functions[0][0]             # x2's AccumulateGrad keeps what reached it
    assert accumulate.name() == "AccumulateGrad"
    assert_apart(x2.grad, accumulate.traced_grads[0])


def test_the_optimizer_and_zero_grad_see_a_grad_of_their_own():
    tutorgrad.manual_seed(0)
    model = tutorgrad.nn.Linear(3, 2)
    opt = tutorgrad.optim.SGD(model.parameters(), lr=0.1)
    x = tutorgrad.randn(4, 3)
    kept = []
    model.weight.register_hook(lambda g: kept.append(g))
    model(x).sum().backward()
    opt.step()
    opt.zero_grad(set_to_none=False)
    assert (model.weight.grad.numpy() == 0).all() and (kept[0].numpy() != 0).all()
