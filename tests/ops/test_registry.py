"""One registration per op (``tutorgrad/ops/registry.py``): ``Tensor.x``, ``Tensor.x_`` and ``tutorgrad.x``."""
import pytest

import tutorgrad
from tutorgrad.ops import registry
from tutorgrad.ops.elementwise import Exp, Sin
from tutorgrad.ops.linalg import Matmul, Mm


@pytest.fixture
def registered():
    """Register a throw-away op, and take it off again afterwards."""
    names = []

    def register(name, **kwargs):
        names.append(name)
        return registry.register(name, **kwargs)
    yield register
    for name in names:
        for attr in (name, name + "_"):
            if attr in vars(tutorgrad.Tensor):
                delattr(tutorgrad.Tensor, attr)
        registry.functions.pop(name, None)


def test_one_registration_attaches_the_method_the_in_place_form_and_the_function(registered):
    @registered("twice_plus", inplace=True)
    def twice_plus(self, c=1.0):
        """2x + c."""
        return self * 2 + c

    x = tutorgrad.tensor([1.0, 2.0])
    assert x.twice_plus().tolist() == [3.0, 5.0]
    assert registry.functions["twice_plus"](x, 0.5).tolist() == [2.5, 4.5]
    assert x.twice_plus_() is x and x.tolist() == [3.0, 5.0]  # in place: the result written back
    with pytest.raises(TypeError, match=r"twice_plus\(\): argument 'input' \(position 1\) must be Tensor, not list"):
        registry.functions["twice_plus"]([1.0])
    assert tutorgrad.Tensor.twice_plus.__name__ == "twice_plus"
    assert registry.functions["twice_plus"].__doc__ == "2x + c."


def test_an_op_registers_its_apply_and_in_place_forms_record_as_pytorch():
    x = tutorgrad.tensor([0.5], requires_grad=True)
    y = x.clone()
    assert y.exp_() is y and y.grad_fn.name() == "ExpBackward0"  # the out-of-place node, as PyTorch records exp_
    assert tutorgrad.sin(x).grad_fn.name() == "SinBackward0" and tutorgrad.exp is registry.functions["exp"]


def test_functions_exist_only_where_pytorch_has_them():
    for name in ("view", "expand", "sum_to_size", "repeat", "to", "contiguous", "zero_", "__getitem__"):
        assert name not in registry.functions and not hasattr(tutorgrad, name)
    for name in ("exp", "sum", "cat", "stack", "where", "real", "detach", "broadcast_shapes", "unflatten"):
        assert callable(getattr(tutorgrad, name))


def test_a_variant_is_the_same_op_under_another_node_name():
    assert issubclass(Mm, Matmul) and Mm.forward is Matmul.forward and Mm.backward is Matmul.backward
    assert Mm._backward_cls.__name__ == "MmBackward0" and Mm.rule == Matmul.rule
    assert Mm.__module__ == "tutorgrad.ops.linalg"


def test_ops_declare_their_rule_and_elementwise_ops_say_so():
    assert Sin.rule == "y = sin(x).   dy/dx = cos(x)" and Sin.elementwise
    assert Exp.rule.startswith("y = exp(x).") and Exp.elementwise and not Matmul.elementwise
    assert Sin.__doc__ == Sin.rule  # no docstring of its own: help() shows the rule


# ---------------------------------------------------------------------------------------------- NumPy names, out=
torch = pytest.importorskip("torch")
import warnings  # noqa: E402

import numpy as np  # noqa: E402


def _both(call):
    """``call(module)`` with PyTorch and with tutorgrad: (result or exception, warnings) of each."""
    seen = []
    for lib in (torch, tutorgrad):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                r = call(lib)
            except Exception as e:  # noqa: BLE001 (the error is what is compared)
                r = e
        seen.append((r, [str(x.message).split(" (Triggered internally")[0] for x in w]))
    return seen


def _same(a, b):
    if isinstance(a, Exception):
        assert type(b) is type(a), (a, b)
        assert str(b).split("\n")[0] == str(a).split("\n")[0]
    elif isinstance(a, tuple):
        assert len(a) == len(b)  # (PyTorch names out='s pair max_out, not max: tutorgrad returns a tuple)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        assert str(b.dtype).split(".")[1] == str(a.dtype).split(".")[1] and tuple(b.shape) == tuple(a.shape)
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-6)


X = [[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]]
NUMPY_NAMES = {
    "sum(axis, keepdims)": lambda t: t.tensor(X).sum(axis=0, keepdims=True),
    "torch.sum(axis)": lambda t: t.sum(t.tensor(X), axis=1),
    "mean(axis)": lambda t: t.tensor(X).mean(axis=1),
    "max(axis)": lambda t: t.tensor(X).max(axis=1),
    "amax(axis, keepdims)": lambda t: t.amax(t.tensor(X), axis=1, keepdims=True),
    "argmax(axis)": lambda t: t.tensor(X).argmax(axis=1),
    "std(axis)": lambda t: t.tensor(X).std(axis=0),
    "softmax(axis)": lambda t: t.tensor(X).softmax(axis=1),
    "torch.softmax(axis)": lambda t: t.softmax(t.tensor(X), axis=0),
    "unsqueeze(axis)": lambda t: t.tensor(X).unsqueeze(axis=1),
    "squeeze(axis)": lambda t: t.tensor([X]).squeeze(axis=0),
    "cumsum(axis)": lambda t: t.tensor(X).cumsum(axis=0),
    "cat(axis)": lambda t: t.cat([t.tensor(X), t.tensor(X)], axis=1),
    "stack(axis)": lambda t: t.stack([t.tensor(X), t.tensor(X)], axis=2),
    "logsumexp(axis, keepdims)": lambda t: t.logsumexp(t.tensor(X), axis=1, keepdims=True),
    "all(axis)": lambda t: (t.tensor(X) > 0).all(axis=0),
    # refused as PyTorch refuses
    "both dim and axis": lambda t: t.tensor(X).sum(dim=0, axis=0),
    "both keepdim and keepdims": lambda t: t.sum(t.tensor(X), 0, keepdims=True, keepdim=True),
    "F.softmax(axis) (a Python function in PyTorch)": lambda t: t.nn.functional.softmax(t.tensor(X), axis=1),
    "axes": lambda t: t.tensor(X).sum(axes=0),
}


@pytest.mark.parametrize("call", NUMPY_NAMES.values(), ids=NUMPY_NAMES.keys())
def test_numpy_names_for_dim_and_keepdim_as_pytorch(call):
    (a, _), (b, _) = _both(call)
    if isinstance(a, TypeError):  # the overload lists of PyTorch's messages are not copied: the class is
        assert isinstance(b, TypeError), b
        return
    _same(a, b)


def _out(t, dtype="float32", shape=(0,), **kw):
    return t.empty(shape, dtype=getattr(t, dtype), **kw)


OUT = {
    "add": lambda t: t.add(t.tensor(X), 1, out=_out(t)),
    "add into float64": lambda t: t.add(t.tensor(X), 1, out=_out(t, "float64")),
    "add into int64: can't cast": lambda t: t.add(t.tensor(X), 1, out=_out(t, "int64")),
    "mul into right shape": lambda t: t.mul(t.tensor(X), 2, out=_out(t, shape=(2, 3))),
    "sub into a wrong shape: resized, warns": lambda t: t.sub(t.tensor(X), 1, out=_out(t, shape=(5,))),
    "div ints into float": lambda t: t.div(t.tensor([1, 2]), 2, out=_out(t)),
    "exp": lambda t: t.exp(t.tensor(X), out=_out(t)),
    "sqrt into int: can't cast": lambda t: t.sqrt(t.tensor(X), out=_out(t, "int64")),
    "sin float64": lambda t: t.sin(t.tensor(X), out=_out(t, "float64")),
    "matmul": lambda t: t.matmul(t.tensor(X), t.tensor(X).T, out=_out(t)),
    "matmul into float64: same dtype needed": lambda t: t.matmul(t.tensor(X), t.tensor(X).T, out=_out(t, "float64")),
    "mm": lambda t: t.mm(t.tensor(X), t.tensor(X).T, out=_out(t)),
    "cat": lambda t: t.cat([t.tensor(X), t.tensor(X)], out=_out(t)),
    "cat into float64": lambda t: t.cat([t.tensor(X), t.tensor(X)], 1, out=_out(t, "float64")),
    "stack": lambda t: t.stack([t.tensor(X), t.tensor(X)], out=_out(t)),
    "sum(dim)": lambda t: t.sum(t.tensor(X), 0, out=_out(t)),
    "mean(dim) into float64": lambda t: t.mean(t.tensor(X), 1, out=_out(t, "float64")),
    "max(dim) into a pair": lambda t: t.max(t.tensor(X), 1, out=(_out(t), _out(t, "int64"))),
    "argmax": lambda t: t.argmax(t.tensor(X), out=_out(t, "int64")),
    "eq into bool": lambda t: t.eq(t.tensor(X), 1.0, out=_out(t, "bool")),
    "clamp": lambda t: t.clamp(t.tensor(X), 0, 1, out=_out(t)),
    "pow": lambda t: t.pow(t.tensor(X), 2, out=_out(t)),
    "maximum": lambda t: t.maximum(t.tensor(X), t.tensor(0.0), out=_out(t)),
    "softmax into float64: same dtype needed": lambda t: t.softmax(t.tensor(X), 0, out=_out(t, "float64")),
    "input requires grad": lambda t: t.exp(t.tensor(X, requires_grad=True), out=_out(t)),
    "out requires grad": lambda t: t.exp(t.tensor(X), out=_out(t, requires_grad=True)),
    # functions PyTorch has no out= on
    "relu": lambda t: t.relu(t.tensor(X), out=_out(t)),
    "flip": lambda t: t.flip(t.tensor(X), [0], out=_out(t)),
    "clone": lambda t: t.clone(t.tensor(X), out=_out(t)),
    "isnan": lambda t: t.isnan(t.tensor(X), out=_out(t, "bool")),
    "reshape": lambda t: t.reshape(t.tensor(X), (3, 2), out=_out(t)),
    "method x.add(y, out=)": lambda t: t.tensor(X).add(1, out=_out(t)),
    # factories
    "zeros into int64": lambda t: t.zeros(2, 3, out=_out(t, "int64")),
    "ones(size=) into float64": lambda t: t.ones(size=(2,), out=_out(t, "float64")),
    "zeros into out that requires grad": lambda t: t.zeros(2, out=_out(t, requires_grad=True)),
}


@pytest.mark.parametrize("call", OUT.values(), ids=OUT.keys())
def test_out_as_pytorch(call):
    (a, wa), (b, wb) = _both(call)
    if isinstance(a, TypeError):
        assert isinstance(b, TypeError), b
        return
    _same(a, b)
    assert [w.split(" (Triggered")[0] for w in wb] == wa


def test_out_returns_out_itself_written_in_place():
    x = tutorgrad.tensor(X)
    o = tutorgrad.empty(2, 3)
    v = o._version
    assert tutorgrad.exp(x, out=o) is o and o._version == v + 1
    assert tutorgrad.equal(o, x.exp())
    with pytest.warns(UserWarning, match="resized") as w:
        tutorgrad.add(x, 1, out=tutorgrad.empty(4))
    with tutorgrad.no_grad():  # no graph is recorded: out= is fine under no_grad
        assert tutorgrad.exp(x.requires_grad_(), out=o) is o and not o.requires_grad
    assert w[0].filename == __file__  # the warning points at the student's line


SIZE = {
    "zeros(size=)": lambda t: t.zeros(size=(2, 3)),
    "ones(size=[])": lambda t: t.ones(size=[1]),
    "empty(size=)": lambda t: t.empty(size=(2,)).zero_(),
    "full(size=, fill_value=)": lambda t: t.full(size=(2,), fill_value=1.5),
    "rand(size=)": lambda t: (t.manual_seed(0), t.rand(size=(2, 3)))[1],
    "randn(size=, generator=)": lambda t: t.randn(size=(4,), generator=t.Generator().manual_seed(3)),
    "randint(high, size=)": lambda t: (t.manual_seed(1), t.randint(5, size=(3,)))[1],
    "randint(low, high, size=)": lambda t: (t.manual_seed(1), t.randint(2, 9, size=(3,)))[1],
    "size= an int": lambda t: t.zeros(size=2),
    "size twice": lambda t: t.zeros(2, size=(2, 3)),
}


@pytest.mark.parametrize("call", SIZE.values(), ids=SIZE.keys())
def test_size_keyword_as_pytorch(call):
    (a, _), (b, _) = _both(call)
    _same(a, b)
