"""``autograd.functional`` (jacobian, hessian, vjp, jvp, hvp, vhp) against real PyTorch, and gradchecked.

Each function ``f(L)`` below is written once and built with ``L = torch`` and ``L = tutorgrad``.
Hypothesis draws the input shapes, the dtype (float32/float64), a seed for the values and for ``v``,
``create_graph``, ``strict``, ``vectorize``, whether a single input is wrapped in a tuple, whether the
caller's tensors require grad, and whether ``v`` is left out. Both libraries must then give the same
thing (``torchdiff.assert_same``): the same nesting of tuples, and for every tensor the same dtype, shape,
values, ``requires_grad`` and ``grad_fn`` name — or the same exception class with the same message.
"""
import ast
import inspect

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import tutorgrad
from tutorgrad.autograd import gradcheck, gradgradcheck
from tutorgrad.autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp

from torchdiff import as_tutorgrad_text, assert_same, call, torch

torch.set_num_threads(1)  # tiny tensors: PyTorch's thread pool only adds waiting
TF = torch.autograd.functional

SETTINGS = settings(max_examples=10, deadline=None)
TOL = {"float32": 5e-5, "float64": 1e-10}
shapes = hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3)
dtypes = st.sampled_from(["float32", "float64"])
seeds = st.integers(0, 2 ** 16)


# ---------------------------------------------------------------------------------------- running both
def values(seed, shape):
    return np.random.default_rng(seed).uniform(-1.5, 1.5, shape)


def make_inputs(L, arrays, dtype, requires_grad, wrap):
    xs = tuple(L.tensor(a, dtype=getattr(L, dtype), requires_grad=requires_grad) for a in arrays)
    return xs if wrap or len(xs) != 1 else xs[0]


def like(L, shapes_or_shape, dtype, seed, as_tuple):
    """A ``v``: random tensors of the given shapes, a tuple iff ``as_tuple``."""
    vs = tuple(L.tensor(values(seed + k, s), dtype=getattr(L, dtype)) for k, s in enumerate(shapes_or_shape))
    return vs if as_tuple else vs[0]


def assert_both(run, dtype, where):
    """``run(L)`` in both libraries: same structure, tensors, ``requires_grad``, ``grad_fn`` — or same error."""
    ref, ours = call(run, torch), call(run, tutorgrad)
    assert_same(ours, ref, check_repr=False, rtol=TOL[dtype], where=where)
    if isinstance(ref, BaseException):
        assert str(ours) == as_tutorgrad_text(str(ref)), f"{where}: message\n  {ours}\nvs PyTorch's\n  {ref}"
    return ours, ref


def unnamed(result):
    """A product's tensors as (values, requires_grad): the name of the node on top of a vjp/jvp/hvp/vhp comes
    from the ops' own backward formulas (PyTorch has fused nodes such as TanhBackwardBackward0, tutorgrad
    writes backward with ordinary ops), not from autograd.functional; whether it is recorded does."""
    if isinstance(result, tuple):
        return tuple(unnamed(r) for r in result)
    return result.detach(), result.requires_grad


def product(fn):
    """``fn(L)`` returns ``(outputs, product)``: compare the outputs fully, the product without node names."""
    def run(L):
        outputs, result = fn(L)
        return outputs, unnamed(result)
    return run


def output_shapes(build, arrays):
    """Shapes of what ``f`` returns (and whether it returns a tuple), read from PyTorch in float64."""
    out = build(torch)(*(torch.tensor(a) for a in arrays))
    outs = out if isinstance(out, tuple) else (out,)
    return [tuple(o.shape) for o in outs], isinstance(out, tuple)


# ---------------------------------------------------------------------------------------- vector functions
# name -> (f(L) -> the user's function, number of inputs)
VECTOR = {
    "sin_mul": (lambda L: lambda x: x.sin() * x, 1),
    "coupled": (lambda L: lambda x: (x * x.sum()).tanh(), 1),             # every output depends on every input
    "cubic_sum": (lambda L: lambda x: (x ** 3).sum(), 1),                 # one scalar output: v may be None
    "linear": (lambda L: lambda x: 3 * x, 1),                             # J constant: strict+create_graph fails
    "detached": (lambda L: lambda x: x.detach().exp(), 1),                # no graph: zeros, or strict's error
    "tuple_out": (lambda L: lambda x: (x.exp(), x.sum().tanh()), 1),
    "two_in_two_out": (lambda L: lambda x, y: (x * y.sum(), (x.exp() + y.mean()).sum()), 2),
    "unused_input": (lambda L: lambda x, y: x.sin() * 2, 2),              # zeros for y, or strict's error
    "closure": (lambda L: None, 1),                                       # see closure_fn
}


def closure_fn(L, inputs):
    """``f`` also reads the caller's tensor from outside: that use is a constant, not the input (pytorch#32576)."""
    x = inputs[0] if isinstance(inputs, tuple) else inputs
    return lambda a: a * x.exp()


def user_fn(name, L, inputs):
    return closure_fn(L, inputs) if name == "closure" else VECTOR[name][0](L)


@pytest.mark.parametrize("name", list(VECTOR))
@SETTINGS
@given(data=st.data(), dtype=dtypes, seed=seeds, create_graph=st.booleans(), strict=st.booleans(),
       vectorize=st.booleans(), wrap=st.booleans(), requires_grad=st.booleans(), v_none=st.booleans())
def test_jacobian_vjp_jvp(name, data, dtype, seed, create_graph, strict, vectorize, wrap, requires_grad, v_none):
    n = VECTOR[name][1]
    in_shapes = [data.draw(shapes, label=f"shape {k}") for k in range(n)]
    arrays = [values(seed + 10 * k, s) for k, s in enumerate(in_shapes)]
    build = VECTOR[name][0] if name != "closure" else (lambda L: closure_fn(L, L.tensor(arrays[0])))
    out_shapes, out_tuple = output_shapes(build, arrays)
    kw = dict(create_graph=create_graph, strict=strict)

    def inputs(L):
        return make_inputs(L, arrays, dtype, requires_grad, wrap)

    def run_jacobian(L):
        x = inputs(L)
        return L.autograd.functional.jacobian(user_fn(name, L, x), x, vectorize=vectorize, **kw)

    def run_vjp(L):
        x = inputs(L)
        v = None if v_none else like(L, out_shapes, dtype, seed + 100, out_tuple)
        return L.autograd.functional.vjp(user_fn(name, L, x), x, v, **kw)

    def run_jvp(L):
        x = inputs(L)
        v = None if v_none else like(L, in_shapes, dtype, seed + 200, wrap or n > 1)
        return L.autograd.functional.jvp(user_fn(name, L, x), x, v, **kw)

    assert_both(run_jacobian, dtype, "jacobian")
    assert_both(product(run_vjp), dtype, "vjp")
    assert_both(product(run_jvp), dtype, "jvp")


# ---------------------------------------------------------------------------------------- scalar functions
SCALAR = {
    "cubic": (lambda L: lambda x: (x ** 3).sum(), 1),
    "coupled": (lambda L: lambda x: (x.sin() * x.sum()).sum(), 1),
    "quadratic": (lambda L: lambda x: (x * x).sum() * 0.5, 1),             # H = I, constant
    "linear": (lambda L: lambda x: (2 * x).sum(), 1),                      # H = 0: strict's "jacobian" error
    "one_by_one": (lambda L: lambda x: (x.exp() * x).sum().reshape(1, 1), 1),  # a (1, 1) output is fine
    "cross": (lambda L: lambda x, y: (x.exp() * y.sum()).sum() + (y ** 2).sum(), 2),
    "unused_input": (lambda L: lambda x, y: (x ** 3).sum(), 2),
    "not_scalar": (lambda L: lambda x: x ** 3, 1),                         # error unless x has 1 element
    "tuple_out": (lambda L: lambda x: ((x ** 3).sum(),), 1),               # error: a single Tensor is needed
}


@pytest.mark.parametrize("name", list(SCALAR))
@SETTINGS
@given(data=st.data(), dtype=dtypes, seed=seeds, create_graph=st.booleans(), strict=st.booleans(),
       vectorize=st.booleans(), wrap=st.booleans(), requires_grad=st.booleans(), v_none=st.booleans())
def test_hessian_hvp_vhp(name, data, dtype, seed, create_graph, strict, vectorize, wrap, requires_grad, v_none):
    build, n = SCALAR[name]
    in_shapes = [data.draw(shapes, label=f"shape {k}") for k in range(n)]
    arrays = [values(seed + 10 * k, s) for k, s in enumerate(in_shapes)]
    kw = dict(create_graph=create_graph, strict=strict)

    def inputs(L):
        return make_inputs(L, arrays, dtype, requires_grad, wrap)

    def v(L):
        return None if v_none else like(L, in_shapes, dtype, seed + 300, wrap or n > 1)

    assert_both(lambda L: L.autograd.functional.hessian(build(L), inputs(L), vectorize=vectorize, **kw), dtype,
                "hessian")
    assert_both(product(lambda L: L.autograd.functional.hvp(build(L), inputs(L), v(L), **kw)), dtype, "hvp")
    assert_both(product(lambda L: L.autograd.functional.vhp(build(L), inputs(L), v(L), **kw)), dtype, "vhp")


# ---------------------------------------------------------------------------------------- differentiating results
@SETTINGS
@given(shape=shapes, dtype=dtypes, seed=seeds)
def test_create_graph_results_differentiate_back_to_the_callers_tensor(shape, dtype, seed):
    """With create_graph=True, what comes back is a function of the caller's tensor (not of a copy)."""
    a = values(seed, shape)

    def run(L):
        x = L.tensor(a, dtype=getattr(L, dtype), requires_grad=True)
        F = L.autograd.functional
        w = L.tensor(values(seed + 1, shape), dtype=x.dtype)
        total = (F.jacobian(lambda t: t.sin() * t, x, create_graph=True).sum()
                 + F.hessian(lambda t: (t.exp() * t).sum(), x, create_graph=True).sum()
                 + F.vjp(lambda t: t.tanh(), x, w, create_graph=True)[1].sum()
                 + F.jvp(lambda t: t.tanh(), x, w, create_graph=True)[1].sum()
                 + F.hvp(lambda t: (t ** 3).sum(), x, w, create_graph=True)[1].sum()
                 + F.vhp(lambda t: (t ** 3).sum(), x, w, create_graph=True)[1].sum())
        total.backward()
        return x.grad

    assert_both(run, dtype, "x.grad")


@pytest.mark.parametrize("vectorize", [False, True])
def test_jacobian_graph_is_pytorchs(vectorize):
    """What viz draws above a differentiable Jacobian: the rows stacked (StackBackward0), or with vectorize the
    one block per input split by output (SplitWithSizesBackward0), then viewed to out.shape + in.shape."""
    def graph(node, depth):
        kids = () if depth == 0 else tuple(graph(n, depth - 1) for n, _ in node.next_functions if n is not None)
        return (type(node).__name__ if isinstance(node, torch.autograd.graph.Node) else node.name(), kids)

    def run(L):
        x = L.tensor([0.5, -1.0], requires_grad=True)
        J = L.autograd.functional.jacobian(lambda t: (t.sin() * t, t.sum().exp()), x, create_graph=True,
                                           vectorize=vectorize)
        return str([graph(j.grad_fn, 1) for j in J])
    assert_both(run, "float32", "graph")


def test_inputs_are_left_alone():
    """No .grad is accumulated and requires_grad is not changed on what the caller passed."""
    x = tutorgrad.tensor([0.5, -1.0], requires_grad=True)
    c = tutorgrad.tensor([0.5, -1.0])
    for fn in (lambda t: jacobian(lambda a: a.exp(), t), lambda t: hessian(lambda a: (a ** 3).sum(), t),
               lambda t: vjp(lambda a: a.exp(), t, t), lambda t: jvp(lambda a: a.exp(), t, t),
               lambda t: hvp(lambda a: (a ** 3).sum(), t, t), lambda t: vhp(lambda a: (a ** 3).sum(), t, t)):
        for t in (x, c):
            fn(t)
            fn(t) if t is c else None
    assert x.grad is None and x.requires_grad and x.is_leaf
    assert c.grad is None and not c.requires_grad


def test_under_no_grad():
    """Inside no_grad, create_graph=True still records (func runs with grad enabled), as in PyTorch."""
    def run(L):
        x = L.tensor([0.3, -0.7])
        F = L.autograd.functional
        with L.no_grad():
            return (F.vjp(lambda t: t.exp(), x, x, create_graph=True), F.jvp(lambda t: t.exp(), x, x),
                    F.jacobian(lambda t: t.exp(), x, create_graph=True),
                    F.hvp(lambda t: (t ** 3).sum(), x, x, create_graph=True))
    assert_both(run, "float32", "under no_grad")


def test_docstring_examples_print_as_pytorch():
    """The examples in the docstrings, printed: the same text as PyTorch's."""
    examples = [
        lambda L, F: F.vjp(lambda x: x ** 2, L.tensor([1., 2.]), L.tensor([1., 10.])),
        lambda L, F: F.jvp(lambda x: x ** 2, L.tensor([1., 2.]), L.tensor([1., 10.])),
        lambda L, F: F.jacobian(lambda x: x ** 2, L.tensor([1., 2.])),
        lambda L, F: F.hessian(lambda x: (x ** 3).sum(), L.tensor([1., 2.])),
        lambda L, F: F.vhp(lambda x: (x ** 3).sum(), L.tensor([1., 2.]), L.tensor([1., 10.])),
        lambda L, F: F.hvp(lambda x: (x ** 3).sum(), L.tensor([1., 2.]), L.tensor([1., 10.])),
        lambda L, F: F.jacobian(lambda x: x.exp(), L.tensor([0., 1.]), create_graph=True),
        lambda L, F: F.jacobian(lambda x, y: (x * y, (x + y).sum()), (L.tensor([1., 2.]), L.tensor([3., 4.]))),
        lambda L, F: F.hessian(lambda x, y: (x * y).sum(), (L.tensor([1., 2.]), L.tensor([3., 4.]))),
    ]
    for i, ex in enumerate(examples):
        assert str(ex(tutorgrad, tutorgrad.autograd.functional)) == as_tutorgrad_text(str(ex(torch, TF))), i


@pytest.mark.parametrize("name", ["pow2", "pow3", "square", "cube_sum"])
def test_higher_derivatives_are_recorded_as_in_pytorch(name):
    """Found by the hessian comparison: the backward of x ** 2 is 2·x·grad, and PyTorch records it with
    create_graph as 2·x.pow(1)·grad, so even the third derivative of x ** 2 (zero) requires grad. That is
    what hessian(strict=True, create_graph=True) looks at, and what a printed Hessian shows (grad_fn=...)."""
    f = {"pow2": lambda x: x ** 2, "pow3": lambda x: x ** 3, "square": lambda x: x.square(),
         "cube_sum": lambda x: (x ** 3).sum() * x}[name]

    def run(L):
        x = L.tensor([0.7, -1.3], dtype=L.float64, requires_grad=True)
        y, found = f(x).sum(), []
        for _ in range(3):
            g, = L.autograd.grad(y, x, create_graph=True)
            found.append(unnamed(g))
            if not g.requires_grad:
                break
            y = (g * L.tensor([1.0, 2.0], dtype=L.float64)).sum()
        return tuple(found)
    assert_both(run, "float64", name)
    assert_both(lambda L: L.autograd.functional.hessian(lambda x: f(x).sum(), L.tensor([0.7, -1.3]), strict=True,
                                                         create_graph=True), "float32", f"hessian of {name}")


# ---------------------------------------------------------------------------------------- the API itself
def test_same_names_signatures_and_defaults():
    ours = tutorgrad.autograd.functional  # (reached as an attribute, as torch.autograd.functional is)
    assert ours.__all__ == TF.__all__
    for name in TF.__all__:
        mine, ref = inspect.signature(getattr(ours, name)), inspect.signature(getattr(TF, name))
        assert mine == ref, f"{name}{mine} vs PyTorch's {name}{ref}"
    assert ours.jacobian is jacobian and ours.hessian is hessian  # and imported by name (top of this file)


def test_imports_nothing_above_autograd():
    """The autograd core imports nothing from tensor, ops or creation (issue #13), not even inside a function:
    functional.py works with autograd's own grad and with the methods of the tensors it is given."""
    tree = ast.parse(inspect.getsource(tutorgrad.autograd.functional))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 1, f"line {node.lineno}: only imports from inside tutorgrad/autograd/"
        elif isinstance(node, ast.Import):
            assert not any(a.name.split(".")[0] == "tutorgrad" for a in node.names), f"line {node.lineno}"


# ---------------------------------------------------------------------------------------- bad arguments
def sq(x):
    return x ** 2


# id -> (run(L, F), how the message must compare: "same" as PyTorch's, or words tutorgrad's must contain)
ERRORS = {
    "inputs_list": (lambda L, F: F.jacobian(sq, [L.ones(2)]), "same"),
    "inputs_number": (lambda L, F: F.vjp(sq, 2.0, L.ones(())), "same"),
    "inputs_tuple_with_number": (lambda L, F: F.hessian(lambda x, y: (x * y).sum(), (L.ones(2), 3.0)), "same"),
    "inputs_int_dtype": (lambda L, F: F.jacobian(sq, L.tensor([1, 2])), ["floating point"]),
    "output_number": (lambda L, F: F.jacobian(lambda x: 3.0, L.ones(2)), "same"),
    "output_list": (lambda L, F: F.vjp(lambda x: [x], L.ones(2), L.ones(2)), "same"),
    "v_list": (lambda L, F: F.vjp(sq, L.ones(2), [L.ones(2)]), "same"),
    "v_number": (lambda L, F: F.jvp(sq, L.ones(()), 1.0), "same"),
    "v_wrong_shape": (lambda L, F: F.vjp(sq, L.ones(3), L.ones(2)), "same"),
    "v_wrong_shape_in_tuple": (lambda L, F: F.jvp(lambda x, y: x * y, (L.ones(3), L.ones(3)),
                                                  (L.ones(3), L.ones(2))), "same"),
    "v_tuple_too_short": (lambda L, F: F.vjp(lambda x: (x, x), L.ones(2), (L.ones(2),)), "same"),
    "v_tuple_for_one": (lambda L, F: F.hvp(lambda x: x.sum(), L.ones(2), (L.ones(2), L.ones(2))), "same"),
    "vjp_v_none_vector_out": (lambda L, F: F.vjp(sq, L.ones(2)), "same"),
    "jvp_v_none_vector_in": (lambda L, F: F.jvp(sq, L.ones(2)), "same"),
    "hvp_v_none_two_inputs": (lambda L, F: F.hvp(lambda x, y: (x * y).sum(), (L.ones(1), L.ones(1))), "same"),
    "vhp_not_scalar": (lambda L, F: F.vhp(sq, L.ones(2), L.ones(2)), "same"),
    "hessian_tuple_out": (lambda L, F: F.hessian(lambda x: (x.sum(),), L.ones(2)), "same"),
    "jacobian_bad_strategy": (lambda L, F: F.jacobian(sq, L.ones(2), strategy="forward"), "same"),
    "hessian_bad_strategy": (lambda L, F: F.hessian(sq, L.ones(2), outer_jacobian_strategy="fwd"), "same"),
    "forward_create_graph": (lambda L, F: F.jacobian(sq, L.ones(2), create_graph=True, strategy="forward-mode"),
                             "same"),
    "forward_strict": (lambda L, F: F.jacobian(sq, L.ones(2), strict=True, strategy="forward-mode",
                                               vectorize=True), "same"),
    "forward_not_vectorized": (lambda L, F: F.jacobian(sq, L.ones(2), strategy="forward-mode"),
                               ["forward-AD", "vectorize=True"]),
    "vectorize_strict": (lambda L, F: F.jacobian(sq, L.ones(2), strict=True, vectorize=True), "same"),
    "hessian_vectorize_strict": (lambda L, F: F.hessian(lambda x: (x ** 3).sum(), L.ones(2), strict=True,
                                                        vectorize=True), "same"),
    "strict_output_index": (lambda L, F: F.jacobian(lambda x: (x * 2, x.detach()), L.ones(2), strict=True),
                            "same"),
    "strict_unused_second_input": (lambda L, F: F.vjp(lambda x, y: x * 2, (L.ones(2), L.ones(2)), L.ones(2),
                                                      strict=True), "same"),
    "empty_inputs": (lambda L, F: F.jacobian(lambda: L.ones(2), ()), ["empty tuple"]),
    "empty_outputs": (lambda L, F: F.vjp(lambda x: (), L.ones(2), ()), ["empty tuple"]),
    "empty_outputs_vectorized": (lambda L, F: F.jacobian(lambda x: (), L.ones(2), vectorize=True),
                                 ["empty tuple"]),
    "zero_elements_output": (lambda L, F: F.jacobian(lambda x: x[:0], L.ones(2)), ["no elements"]),
    "zero_elements_output_vectorized": (lambda L, F: F.jacobian(lambda x: x[:0], L.ones(2), vectorize=True),
                                        ["no elements"]),
    "int_output_jvp": (lambda L, F: F.jvp(lambda x: (x > 0).long(), L.ones(2), L.ones(2)), ["floating point"]),
    "error_inside_func": (lambda L, F: F.jacobian(lambda x: x.not_a_method(), L.ones(2)), ["not_a_method"]),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors(name):
    run, message = ERRORS[name]
    ref, ours = call(lambda L: run(L, TF), torch), call(lambda L: run(L, tutorgrad.autograd.functional), tutorgrad)
    assert isinstance(ref, BaseException), f"PyTorch no longer raises: {ref!r}"
    assert_same(ours, ref, where=name)
    if message == "same":
        assert str(ours) == as_tutorgrad_text(str(ref)), f"{ours}\nvs PyTorch's\n{ref}"
    else:
        for word in message:
            assert word in str(ours), f"{word!r} not in {ours}"


def test_forward_mode_says_what_to_do():
    """PyTorch computes forward-mode Jacobians with forward AD and vmap; tutorgrad has neither, and says so."""
    for run in (lambda: jacobian(sq, tutorgrad.ones(2), vectorize=True, strategy="forward-mode"),
                lambda: hessian(lambda x: (x ** 3).sum(), tutorgrad.ones(2), vectorize=True,
                                outer_jacobian_strategy="forward-mode")):
        with pytest.raises(NotImplementedError, match="forward-mode AD, which tutorgrad does not have.*reverse-mode"):
            run()


def test_vectorize_computes_the_same_jacobian():
    x = tutorgrad.tensor([[0.2, -0.4], [1.0, 0.3]], dtype=tutorgrad.float64)
    f = lambda t: (t.sin() @ t, t.sum())  # noqa: E731
    a, b = jacobian(f, x), jacobian(f, x, vectorize=True)
    assert all(np.array_equal(p.numpy(), q.numpy()) for p, q in zip(a, b))


# ---------------------------------------------------------------------------------------- gradcheck
def leaves(*shapes, seed=0):
    return tuple(tutorgrad.tensor(values(seed + k, s), dtype=tutorgrad.float64, requires_grad=True)
                 for k, s in enumerate(shapes))


def f_vec(x, y):
    return (x.sin() * y.sum(), (x * x).exp().sum() + y.prod())


def f_scalar(x, y):
    return (x.exp() * y.sum()).sum() + (x ** 2 * y.mean()).sum()


# id -> (function of float64 leaves built from autograd.functional with create_graph=True, leaf shapes)
GRADCHECK = {
    "jacobian": (lambda x, y: jacobian(f_vec, (x, y), create_graph=True)[0][1], [(2,), (3,)]),
    "jacobian_vectorized": (lambda x: jacobian(lambda t: t.tanh() * t.sum(), x, create_graph=True,
                                               vectorize=True), [(2, 2)]),
    "hessian": (lambda x, y: hessian(f_scalar, (x, y), create_graph=True), [(2,), (2,)]),
    "vjp": (lambda x, y, v: vjp(lambda a, b: f_vec(a, b)[0], (x, y), v, create_graph=True)[1], [(2,), (3,), (2,)]),
    "jvp": (lambda x, v: jvp(lambda a: (a * a.sum()).sin(), x, v, create_graph=True), [(3,), (3,)]),
    "hvp": (lambda x, y, v, w: hvp(f_scalar, (x, y), (v, w), create_graph=True), [(2,), (2,), (2,), (2,)]),
    "vhp": (lambda x, v: vhp(lambda a: (a.sin() * a.sum()).sum(), x, v, create_graph=True), [(3,), (3,)]),
}


def flatten(x):
    return sum((flatten(e) for e in x), ()) if isinstance(x, tuple) else (x,)


def flat(fn):
    """``fn`` with its nested tuples flattened: gradcheck checks the Tensors of a flat tuple only."""
    return lambda *args: flatten(fn(*args))


@pytest.mark.parametrize("name", list(GRADCHECK))
def test_gradcheck(name):
    fn, shapes_ = GRADCHECK[name]
    assert len(flat(fn)(*leaves(*shapes_))) >= 1
    assert gradcheck(flat(fn), leaves(*shapes_))


@pytest.mark.parametrize("name", ["jacobian", "hessian", "jvp", "hvp"])
def test_gradgradcheck(name):
    fn, shapes_ = GRADCHECK[name]
    assert gradgradcheck(flat(fn), leaves(*shapes_, seed=5))
