"""Nothing slips in untested: every op and every Tensor method appears in some gradcheck table.

The tables live with their area (``CASES`` and ``GRADGRAD`` in ``test_arithmetic.py``, ``test_elementwise.py``,
...). ``test_every_op_is_covered`` walks the graphs the cases build and fails when a ``Function`` of
``tutorgrad/ops/`` never appears in them; ``test_every_tensor_method_is_gradchecked`` fails when a public
``Tensor`` method is neither called by a case nor listed as having no gradient.
"""
import inspect


import test_arithmetic
import test_complex
import test_conv
import test_elementwise
import test_indexing
import test_inplace
import test_linalg
import test_losses
import test_normalization
import test_reductions
import test_shape
import tutorgrad
from gradcases import leaf
from tutorgrad import ops
from tutorgrad.autograd.function import Function

AREAS = (test_arithmetic, test_complex, test_elementwise, test_reductions, test_linalg, test_shape, test_indexing, test_inplace,
         test_conv, test_normalization, test_losses)
CASES = {f"{m.__name__}.{k}": v for m in AREAS for k, v in m.CASES.items()}
GRADGRAD = {f"{m.__name__}.{k}": v for m in AREAS for k, v in m.GRADGRAD.items()}


def _op_classes():
    modules = [m for m in vars(ops).values() if inspect.ismodule(m) and m.__name__.startswith(ops.__name__ + ".")]
    return {c for m in modules for c in vars(m).values()
            if inspect.isclass(c) and issubclass(c, Function) and c.__module__ == m.__name__ and c is not ops.Op}


def _nodes(outputs):
    """Every node reachable from ``outputs`` (an iterative walk over ``next_functions``)."""
    outputs = outputs if isinstance(outputs, (tuple, list)) else (outputs,)
    stack = [o.grad_fn for o in outputs if isinstance(o, tutorgrad.Tensor) and o.grad_fn is not None]
    seen = set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(n for n, _ in node.next_functions if n is not None)
    return seen


def _used_ops():
    used = set()
    for fn, make in CASES.values():
        used |= {type(n)._forward_cls for n in _nodes(fn(*make())) if hasattr(type(n), "_forward_cls")}
    for fn, make in GRADGRAD.values():  # backward-only ops (ScatterAdd, IndexScatter) live in these graphs
        inputs = make()
        outs = [o for o in _as_list(fn(*inputs)) if o.requires_grad]
        grad_outs = [tutorgrad.ones_like(o).requires_grad_() for o in outs]  # as gradgradcheck: they need grad
        grads = tutorgrad.autograd.grad(outs, inputs, grad_outs, create_graph=True, allow_unused=True)
        used |= {type(n)._forward_cls for n in _nodes([g for g in grads if g is not None])
                 if hasattr(type(n), "_forward_cls")}
    return used


def _as_list(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


# Ops PyTorch gives no derivative: their backward must raise (checked against PyTorch in test_arithmetic.py).
NOT_DIFFERENTIABLE = {ops.arithmetic.FloorDivide}


def test_every_op_is_covered():
    missing = sorted(c.__name__ for c in _op_classes() - _used_ops() - NOT_DIFFERENTIABLE)
    assert not missing, f"ops without a gradcheck case in CASES/GRADGRAD: {missing}"


def test_guard_sees_all_ops():
    # The guard itself must not pass vacuously: it finds the ops and the walk finds nodes.
    names = {c.__name__ for c in _op_classes()}
    assert {"Add", "Mul", "Matmul", "Index", "IndexPut", "ScatterAdd", "Softmax"} <= names
    x = leaf(1, 2)
    assert {type(n).__name__ for n in _nodes((x * 2).sum())} == {"SumBackward0", "MulBackward0", "AccumulateGrad"}


# Tensor methods that have no gradient to check: comparisons and logic, integer results, conversions out of
# tutorgrad, metadata, the autograd API itself, complex numbers (no complex autograd), and creation.
NOT_DIFFERENTIABLE_METHODS = set("""
    __and__ __rand__ __or__ __ror__ __xor__ __rxor__ __invert__ __eq__ __ne__ __lt__ __le__ __gt__ __ge__
    eq ne lt le gt ge equal allclose isclose isnan isinf isfinite logical_and logical_not logical_or logical_xor
    all any argmax argmin nonzero count_nonzero bincount unique
    __floordiv__ __rfloordiv__ floor_divide
    __bool__ __float__ __int__ __complex__ __index__ __len__ __contains__ __format__ __repr__ __str__ __hash__
    __array__ __array_ufunc__ __deepcopy__ __reduce_ex__ __init__ __new__
    item tolist numpy data_ptr size dim ndimension numel nelement element_size stride is_contiguous
    is_floating_point is_complex
    backward register_hook retain_grad requires_grad_ detach detach_
    long int short byte bool cfloat cuda is_conj resolve_conj
    new_empty new_full new_ones new_tensor new_zeros
""".split())


def _tensor_methods():
    T = tutorgrad.Tensor
    return {n for n, v in vars(T).items() if callable(v) and (not n.startswith("_") or n.startswith("__"))
            and n not in ("__getattribute__", "__setattr__", "__delattr__", "__init_subclass__", "__class__")}


def _called_methods():
    """Names of Tensor methods the CASES call directly (calls made from inside other methods don't count)."""
    T, called, depth = tutorgrad.Tensor, set(), [0]
    originals = {n: vars(T)[n] for n in _tensor_methods() - {"__array_ufunc__"}}  # (it only forwards: ndarray @ x)

    def recording(name, method):
        def wrapper(*args, **kwargs):
            if depth[0] == 0:
                called.add(name)
            depth[0] += 1
            try:
                return method(*args, **kwargs)
            finally:
                depth[0] -= 1
        return wrapper

    for fn, make in CASES.values():
        inputs = make()
        try:
            for n, m in originals.items():
                setattr(T, n, recording(n, m))
            fn(*inputs)
        finally:
            for n, m in originals.items():
                setattr(T, n, m)
    return called


def test_every_tensor_method_is_gradchecked():
    methods = _tensor_methods()
    assert not NOT_DIFFERENTIABLE_METHODS - methods, "names in NOT_DIFFERENTIABLE_METHODS that no longer exist"
    called = _called_methods()
    assert {"__add__", "__getitem__", "softmax", "matmul"} <= called  # the recording itself works
    missing = sorted(methods - called - NOT_DIFFERENTIABLE_METHODS)
    assert not missing, f"Tensor methods without a gradcheck case in CASES: {missing}"
