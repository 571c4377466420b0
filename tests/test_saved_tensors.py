"""Saved tensors (``autograd/saved.py``): ``grad_fn._saved_*`` names, ``saved_tensors_hooks``, ``save_on_cpu``,
``disable_saved_tensors_hooks`` — one script run with PyTorch and with tutorgrad, what it prints compared."""
import contextlib
import io
import re

import pytest

import tutorgrad

torch = pytest.importorskip("torch")

SCRIPT = r'''
a = torch.randn(5, requires_grad=True)
b = torch.ones(5, requires_grad=True)
y = a * b
print(y.grad_fn._saved_self is a, y.grad_fn._saved_other is b)
y = torch.exp(a)
print(y.grad_fn._saved_result.equal(y), y.grad_fn._saved_result is y, y.grad_fn._saved_result.grad_fn.name())

def pack_hook(x):
    print("Packing", x)
    return x

def unpack_hook(x):
    print("Unpacking", x)
    return x

a = torch.ones(5, requires_grad=True)
b = torch.ones(5, requires_grad=True) * 2
with torch.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook):
    y = a * b
y.sum().backward()
x = torch.randn(5, requires_grad=True)
with torch.autograd.graph.saved_tensors_hooks(lambda x: x * 4, lambda x: x / 4):
    y = torch.pow(x, 2)
y.sum().backward()
print(x.grad.equal(2 * x), y.grad_fn._saved_exponent)
x = torch.ones(5, requires_grad=True)
y = x.pow(2)
y.grad_fn._raw_saved_self.register_hooks(pack_hook, unpack_hook)
print(y.grad_fn._saved_self)
try:
    y.grad_fn._raw_saved_self.register_hooks(pack_hook, unpack_hook)
except RuntimeError as e:
    print("RuntimeError", str(e)[:40])
y.sum().backward()
print(x.grad)
try:
    y.grad_fn._saved_self
except RuntimeError as e:
    print("RuntimeError", str(e)[:60])
m = torch.ones(2, 2, requires_grad=True)
print(m.mm(m).grad_fn._saved_mat2 is m, (m @ m).grad_fn._saved_self is m)
print(torch.ones(2, requires_grad=True).dot(torch.ones(2)).grad_fn._saved_tensor)
print(torch.ones(2, requires_grad=True).pow(torch.ones(2)).grad_fn._saved_exponent)
x = torch.randn(5, requires_grad=True)
with torch.autograd.graph.save_on_cpu(pin_memory=True):
    y = (x * x).sum()
y.backward()
print(torch.allclose(x.grad, 2 * x))
with torch.autograd.graph.disable_saved_tensors_hooks("no hooks here"):
    try:
        with torch.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook):
            pass
    except RuntimeError as e:
        print("RuntimeError", e)
storage = []

def pack(x):
    storage.append(x)
    return len(storage) - 1

def unpack(x):
    return storage[x]

x = torch.randn(5, requires_grad=True)
with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
    y = x * x
y.sum().backward()
print(x.grad.equal(2 * x))
with torch.autograd.graph.saved_tensors_hooks(lambda x: 1, lambda x: x):
    y = x * x
try:
    y.sum().backward()
except TypeError as e:
    print("TypeError", e)
y = x.sin()
print(hasattr(y.grad_fn, "_saved_self"), hasattr(y.grad_fn, "_saved_other"), "_saved_self" in dir(y.grad_fn))
y = x.tanh()
print(y.grad_fn._saved_result.grad_fn.name())
try:
    x.sin().grad_fn._saved_nothing
except AttributeError as e:
    print("AttributeError")

class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return 2 * x * g

x = torch.ones(3, requires_grad=True)
with torch.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook):
    y = Square.apply(x)
y.sum().backward()
print(x.grad)

# x * w with only w requiring grad keeps x alone (w's gradient needs x; x's gradient is not wanted): one pack,
# nothing for _saved_other, and w may change in place before backward
x = torch.arange(3.0)
w = torch.ones(3, requires_grad=True)
packed = []
with torch.autograd.graph.saved_tensors_hooks(lambda t: packed.append(t.shape) or t, lambda t: t):
    y = x * w
node = y.grad_fn
print(len(packed), node._saved_other, node._saved_self.equal(x))
try:
    node._raw_saved_other.register_hooks(lambda t: t, lambda t: t)
except RuntimeError as e:
    print(e)
with torch.no_grad():
    w -= 0.5
y.sum().backward()
print(w.grad)
'''


def _run(lib):
    out = io.StringIO()
    lib.manual_seed(0)
    with contextlib.redirect_stdout(out):
        exec(SCRIPT, {"torch": lib})
    return re.sub(r"0x[0-9a-f]+", "0x", out.getvalue())


def test_saved_tensors_and_their_hooks_as_pytorch():
    assert _run(tutorgrad) == _run(torch)


def test_hooks_are_released_with_the_graph():
    released = []

    class Packed:
        def __init__(self, t):
            self.t = t

        def __del__(self):
            released.append(1)

    x = tutorgrad.ones(3, requires_grad=True)
    with tutorgrad.autograd.graph.saved_tensors_hooks(Packed, lambda p: p.t):
        y = (x * x).sum()
    y.backward()  # the graph frees what forward saved: the packed objects go
    assert len(released) == 2 and x.grad.tolist() == [2.0, 2.0, 2.0]


NAMES = r'''
x = torch.randn(3, 4, requires_grad=True)
w = torch.randn(4, 2, requires_grad=True)
for name, f in [("sum(dim)", lambda: x.sum(1)), ("softmax", lambda: x.softmax(1)), ("relu", lambda: x.relu()),
                ("sigmoid", lambda: x.sigmoid()), ("tanh", lambda: x.tanh()), ("log", lambda: x.log()),
                ("mm", lambda: x.mm(w)), ("matmul", lambda: x @ w), ("div", lambda: x / 2), ("divt", lambda: x / x),
                ("mul scalar", lambda: x * 2), ("sqrt", lambda: x.sqrt()), ("pow", lambda: x ** 3),
                ("exp", lambda: x.exp()), ("cos", lambda: x.cos()), ("log_softmax", lambda: x.log_softmax(1)),
                ("abs", lambda: x.abs())]:
    node = f().grad_fn
    names = sorted(n for n in dir(node) if n.startswith(("_saved_", "_raw_saved_")) and "sym" not in n)
    print(name, node.name(), names, [getattr(node, n) is not None for n in names if n.startswith("_saved_")])
print(x.sum(1).grad_fn._saved_dim, x.sum(1).grad_fn._saved_keepdim, x.sum().grad_fn._saved_self_sym_sizes)
'''


def test_saved_names_in_dir_as_pytorch():
    def run(lib):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(NAMES, {"torch": lib})
        return out.getvalue()
    assert run(tutorgrad) == run(torch)
