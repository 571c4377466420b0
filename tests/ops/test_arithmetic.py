"""``+ - * / // % **``, ``maximum``, ``minimum``, ``lerp`` (``tutorgrad/ops/arithmetic.py``).

Forward and gradients against real PyTorch, and gradcheck in float64 (see ``tests/gradcases.py``).
"""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import tutorgrad
from gradcases import gradcheck_tests, leaf, pos
from torchdiff import FAST, VALUES, dt, same, torch
from torchgrad import SETTINGS, compare, dtypes, seeds, small_shapes, ties_and_kinks, values

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # no NumPy warning may leak out of tutorgrad


# ---------------------------------------------------------------------------------------- random values, broadcast
BINARY_FNS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
              "**": lambda a, b: a.abs() ** b, "==": lambda a, b: a == b, ">": lambda a, b: a > b,
              "<=": lambda a, b: a <= b, "maximum": lambda a, b: a.maximum(b), "minimum": lambda a, b: a.minimum(b),
              "logaddexp": lambda a, b: a.logaddexp(b)}


@FAST
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3),
       st.sampled_from(["float32", "float64", "int64", "int32", "bool"]),
       st.sampled_from(["float32", "float64", "int64", "scalar float", "scalar int"]), st.data())
def test_binary_broadcast_random(shapes, da, db, data):
    sa, sb = shapes.input_shapes
    a = data.draw(hnp.arrays(np.dtype(da if da != "bool" else "bool"), sa,
                             elements=VALUES if da.startswith("float") else None))
    b = data.draw(hnp.arrays(np.float64 if "float" in db else np.int64, sb, elements=st.integers(-5, 5)
                             if "int" in db else VALUES))

    def operand_b(lib):
        if db.startswith("scalar"):
            return b.reshape(-1)[0].item() if b.size else 2
        return lib.tensor(b, dtype=dt(lib, db))
    for name, fn in BINARY_FNS.items():
        if name == "**" and (da == "bool" or "int" in db and "float" not in da):
            continue  # integer powers of negative exponents raise in both (tested in test_errors.py)
        if name == "-" and da == "bool":
            continue
        same(lambda lib: fn(lib.tensor(a), operand_b(lib)), check_repr=False, rtol=1e-5, where=f"{da} {name} {db}")
        same(lambda lib: fn(operand_b(lib), lib.tensor(a)) if not db.startswith("scalar") or name in "+-*/==" else
             fn(lib.tensor(a), operand_b(lib)), check_repr=False, rtol=1e-5, where=f"{db} {name} {da}")


def test_logaddexp_at_the_extremes_like_pytorch():
    inf = float("inf")
    a, b = [-inf, inf, -inf, 0.0, 80.0, -80.0, 2.0], [-inf, inf, 1.0, 0.0, -80.0, 3.0, 2.0]

    def run(lib):
        x = lib.tensor(a, requires_grad=True)
        y = lib.tensor(b, dtype=lib.float64, requires_grad=True)  # promoted to float64, as in PyTorch
        z = lib.logaddexp(x, y)
        z.backward(lib.ones_like(z))
        return z, x.grad, y.grad
    same(run)
    same(lambda lib: lib.logaddexp(lib.tensor([1, 2]), lib.tensor([3, 4])))  # no integer kernel: an error in both
    same(lambda lib: lib.tensor([1.0]).logaddexp(2.0))  # the other operand must be a tensor


# ---------------------------------------------------------------------------------------- remainder and fmod
REMAINDERS = {
    "x % y": lambda lib, x, y: x % y, "x % 2": lambda lib, x, y: x % 2, "remainder": lambda lib, x, y: lib.remainder(x, y),
    "fmod": lambda lib, x, y: lib.fmod(x, y), "fmod 2.": lambda lib, x, y: lib.fmod(x, 2.0),
}


@pytest.mark.parametrize("op", REMAINDERS)
def test_remainder_and_fmod_while_nothing_is_recorded(op):
    def run(lib):
        x, y = lib.tensor([5., -3., 7.5]), lib.tensor([3., 2., -2.])
        with lib.no_grad():
            return REMAINDERS[op](lib, x, y)
    same(run)


# ---------------------------------------------------------------------------------------- numbers next to tensors
@pytest.mark.parametrize("dtype", ["float32", "complex64"])
@pytest.mark.parametrize("op", ["x * c", "c * x", "x + c", "x - c", "x / c", "mul(x, c)"])
def test_python_float_beyond_the_tensor_dtype_range_warns_nothing(op, dtype):
    # 1e300 does not fit in float32: PyTorch quietly gives inf (no NumPy "overflow encountered in cast")
    ops = {"x * c": lambda lib, x, c: x * c, "c * x": lambda lib, x, c: c * x, "x + c": lambda lib, x, c: x + c,
           "x - c": lambda lib, x, c: x - c, "x / c": lambda lib, x, c: x / c,
           "mul(x, c)": lambda lib, x, c: lib.mul(x, c)}
    if dtype == "complex64" and op in ("x + c", "x - c"):
        pytest.skip("complex64 + 1e300: PyTorch gives inf+nanj, tutorgrad inf+0j (an older, separate difference)")
    same(lambda lib: ops[op](lib, lib.tensor([1., 0., -2.], dtype=dt(lib, dtype)), 1e300))


@pytest.mark.parametrize("number", [2 ** 64, -2 ** 64, 2 ** 200, -2 ** 63 - 1], ids=["2**64", "-2**64", "2**200", "-2**63-1"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex128", "int64"])
def test_python_int_beyond_64_bits_next_to_a_tensor(number, dtype):
    # PyTorch raises OverflowError for ints outside [-2**63, 2**64). (Between 2**63 and 2**64 - 1 it
    # accepts them, wrapping around for integer tensors; tutorgrad raises OverflowError there too.)
    same(lambda lib: lib.tensor([1, 2], dtype=dt(lib, dtype)) * number)


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int32", "int64", "bool"])
@pytest.mark.parametrize("other", [-3, 3, 2.5])
def test_true_division_of_integers_divides_the_values_as_given(dtype, other):
    same(lambda lib: (lib.tensor([1, 2, 100], dtype=dt(lib, dtype)) / other,
                      other / lib.tensor([1, 2, 100], dtype=dt(lib, dtype))))


# ---------------------------------------------------------------------------------------- gradients against PyTorch
GRAD_BINARY = {
    "add": (lambda L, a, b: a + b, "any", "any"),
    "add_alpha": (lambda L, a, b: a.add(b, alpha=2.5), "any", "any"),
    "sub": (lambda L, a, b: a - b, "any", "any"),
    "sub_alpha": (lambda L, a, b: L.sub(a, b, alpha=-3), "any", "any"),
    "mul": (lambda L, a, b: a * b, "any", "any"),
    "div": (lambda L, a, b: a / b, "any", "pos"),
    "pow": (lambda L, a, b: a ** b, "pos", "any"),
    "maximum": (lambda L, a, b: L.maximum(a, b), "any", "any"),
    "minimum": (lambda L, a, b: L.minimum(a, b), "any", "any"),
    "logaddexp": (lambda L, a, b: L.logaddexp(a, b * 3), "any", "any"),
    "remainder": (lambda L, a, b: a % b, "any", "pos"),
    "fmod": (lambda L, a, b: L.fmod(a, b), "any", "pos"),
    "lerp": (lambda L, a, b: a.lerp(b, 0.3), "any", "any"),
    "div_floor": (lambda L, a, b: a.div(b, rounding_mode="floor"), "any", "pos"),
    "div_trunc": (lambda L, a, b: L.div(a, b, rounding_mode="trunc"), "any", "pos"),
    "where": (lambda L, a, b: L.where(a > b, a, b * 2), "any", "any"),
    "where_sign": (lambda L, a, b: L.where(b > 0, a.exp(), -a), "any", "any"),
    "clamp_tensors": (lambda L, a, b: a.clamp(min=b, max=b + 1), "any", "any"),
    "clamp_min_tensor": (lambda L, a, b: a.clamp(min=b), "any", "any"),
    "chain": (lambda L, a, b: ((a * b + a) / (b * b + 1)).tanh() * a - b.sigmoid(), "any", "any"),
}


@pytest.mark.parametrize("name", list(GRAD_BINARY))
@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4),
       dtype=dtypes, seed=seeds)
def test_binary_broadcast_gradients(name, shapes, dtype, seed):
    fn, da, db = GRAD_BINARY[name]
    sa, sb = shapes.input_shapes
    compare(fn, [values(seed, sa, da), values(seed + 7, sb, db)], dtype, seed)


SCALAR_FORMS = {
    "x_plus_s": (lambda L, a: a + 1.5, "any"), "s_plus_x": (lambda L, a: 1.5 + a, "any"),
    "x_minus_s": (lambda L, a: a - 2, "any"), "s_minus_x": (lambda L, a: 2 - a, "any"),
    "x_times_s": (lambda L, a: a * 3, "any"), "s_times_x": (lambda L, a: 3 * a, "any"),
    "x_div_s": (lambda L, a: a / 4, "any"), "s_div_x": (lambda L, a: 4 / a, "pos"),
    "x_pow_s": (lambda L, a: a ** 3, "any"), "x_pow_half": (lambda L, a: a ** 0.5, "pos"),
    "x_pow_neg": (lambda L, a: a ** -2, "pos"), "x_pow_0": (lambda L, a: a ** 0, "any"),
    "s_pow_x": (lambda L, a: 2.5 ** a, "any"), "x_mod_s": (lambda L, a: a % 0.7, "any"),
    "neg": (lambda L, a: -a, "any"), "x_add_0d": (lambda L, a: a + L.tensor(2.0, dtype=a.dtype), "any"),
    "iadd_clone": (lambda L, a: a.clone().add_(a * a, alpha=2), "any"),
    "imul_clone": (lambda L, a: a.clone().mul_(a), "any"),
    "idiv_clone": (lambda L, a: a.clone().div_(a.exp()), "any"),
    "ipow_clone": (lambda L, a: a.clone().pow_(2), "any"),
    "isub_scalar": (lambda L, a: (lambda c: (c.__isub__(1.0), c)[1])(a * 2), "any"),
}


@pytest.mark.parametrize("name", list(SCALAR_FORMS))
@SETTINGS
@given(shape=small_shapes, dtype=dtypes, seed=seeds)
def test_scalar_and_reflected_forms(name, shape, dtype, seed):
    fn, domain = SCALAR_FORMS[name]
    compare(fn, [values(seed, shape, domain)], dtype, seed)


@pytest.mark.parametrize("build", [lambda L, a: (a // 2).sum(), lambda L, a: (a // a.exp()).sum()])
def test_floor_divide_has_no_derivative_as_in_pytorch(build):
    errors = []
    for L in (torch, tutorgrad):
        a = L.tensor([1.5, 2.5], requires_grad=True)
        y = build(L, a)
        assert type(y.grad_fn.next_functions[0][0]).__name__ == "NotImplemented"
        with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not implemented") as e:
            y.backward()
        errors.append(e)
    assert len(errors) == 2


# ------------------------------------------------------------------------- ties and kinks (values from {-1, 0, 1, 2})
KINKS = {
    "maximum": lambda L, a: L.maximum(a, a.flip(0)),
    "minimum": lambda L, a: L.minimum(a, 0 * a),
    "pow_zero_base": lambda L, a: (a * 0) ** a.abs(),
}


test_ties_and_kinks = ties_and_kinks(KINKS)


# ------------------------------------------------------------------------- gradcheck in float64 (and double backward)
# id -> (function, fresh float64 inputs)
CASES = {
    "add": (lambda a, b: a + b, lambda: (leaf(1, 3, 4), leaf(2, 3, 4))),
    "add_bcast_col_row": (lambda a, b: a + b, lambda: (leaf(1, 3, 1), leaf(2, 1, 4))),
    "add_bcast_vec": (lambda a, b: a + b, lambda: (leaf(1, 2, 3), leaf(2, 3))),
    "add_0d": (lambda a, b: a + b, lambda: (leaf(1), leaf(2, 3))),
    "add_scalar": (lambda a: a + 2.5, lambda: (leaf(1, 3),)),
    "radd_scalar": (lambda a: 2.5 + a, lambda: (leaf(1, 3),)),
    "radd_ndarray": (lambda a: np.arange(3.0) + a, lambda: (leaf(1, 2, 3),)),
    "add_alpha": (lambda a, b: a.add(b, alpha=3), lambda: (leaf(1, 2, 3), leaf(2, 3))),
    "sub": (lambda a, b: a - b, lambda: (leaf(1, 3, 1), leaf(2, 1, 4))),
    "sub_alpha": (lambda a, b: a.sub(b, alpha=0.5), lambda: (leaf(1, 2, 3), leaf(2, 2, 1))),
    "rsub_scalar": (lambda a: 1.5 - a, lambda: (leaf(1, 3),)),
    "rsub_ndarray": (lambda a: np.ones(3) - a, lambda: (leaf(1, 2, 3),)),
    "rdiv_ndarray": (lambda a: np.full(3, 2.0) / a, lambda: (pos(1, 2, 3),)),
    "mul": (lambda a, b: a * b, lambda: (leaf(1, 3, 1), leaf(2, 1, 4))),
    "mul_vec": (lambda a, b: a * b, lambda: (leaf(1, 2, 3), leaf(2, 3))),
    "mul_self": (lambda a: a * a, lambda: (leaf(1, 4),)),
    "rmul_scalar": (lambda a: 3 * a, lambda: (leaf(1, 3),)),
    "div": (lambda a, b: a / b, lambda: (leaf(1, 3, 1), pos(2, 1, 4))),
    "div_0d": (lambda a, b: a / b, lambda: (leaf(1, 3), pos(2))),
    "rdiv_scalar": (lambda a: 2.0 / a, lambda: (pos(1, 3),)),
    "pos": (lambda a: +a * 1.0, lambda: (leaf(1, 3),)),
    "method_aliases": (lambda a, b: a.add(b).sub(b).subtract(a).mul(b).multiply(a).div(b).divide(b).true_divide(b),
                       lambda: (leaf(1, 3), pos(2, 3))),
    "div_floor": (lambda a, b: a.div(b, rounding_mode="floor"), lambda: (leaf(1, 2, 3), pos(2, 3))),
    "div_trunc": (lambda a, b: a.div(b, rounding_mode="trunc"), lambda: (leaf(1, 2, 3), pos(2, 3))),
    "remainder": (lambda a, b: a % b, lambda: (leaf(1, 2, 3), leaf(2, 3, low=0.7, high=1.3, away=0))),
    "remainder_scalar": (lambda a: a % 0.75, lambda: (leaf(1, 5),)),
    "remainder_method": (lambda a, b: a.remainder(b), lambda: (leaf(1, 2, 3), pos(2, 3))),
    "fmod": (lambda a, b: a.fmod(b), lambda: (leaf(1, 2, 3), leaf(2, 3, low=0.7, high=1.3, away=0))),
    "fmod_scalar": (lambda a: tutorgrad.fmod(a, -0.75), lambda: (leaf(1, 5),)),
    "rmod_scalar": (lambda a: 2.5 % a, lambda: (pos(1, 5),)),
    "pow_scalar_2": (lambda a: a ** 2, lambda: (leaf(1, 3),)),
    "pow_scalar_3": (lambda a: a ** 3, lambda: (leaf(1, 3),)),
    "pow_scalar_half": (lambda a: a ** 0.5, lambda: (pos(1, 3),)),
    "pow_scalar_neg": (lambda a: a.pow(-1.5), lambda: (pos(1, 3),)),
    "pow_scalar_0": (lambda a: a ** 0, lambda: (leaf(1, 3),)),
    "pow_tensor": (lambda a, b: a ** b, lambda: (pos(1, 3, 1), leaf(2, 1, 4))),
    "pow_tensor_0d_exp": (lambda a, b: a.pow(b), lambda: (pos(1, 3), leaf(2))),
    "rpow_scalar": (lambda a: 2.0 ** a, lambda: (leaf(1, 3),)),
    "rpow_zero_base": (lambda a: 0.0 ** a, lambda: (pos(1, 3),)),
    "rpow_ndarray": (lambda a: np.array([0.5, 2.0, 3.0]) ** a, lambda: (leaf(1, 2, 3),)),
    "square": (lambda a: a.square(), lambda: (leaf(1, 3),)),
    "maximum": (lambda a, b: a.maximum(b), lambda: (leaf(1, 3, 1), leaf(2, 1, 4))),
    "max_binary": (lambda a, b: a.max(b), lambda: (leaf(1, 3), leaf(2, 3))),
    "minimum": (lambda a, b: a.minimum(b), lambda: (leaf(1, 2, 3), leaf(2, 3))),
    "minimum_function": (lambda a, b: tutorgrad.minimum(a, b), lambda: (leaf(1, 2, 3), leaf(2, 3))),
    "logaddexp": (lambda a, b: a.logaddexp(b), lambda: (leaf(1, 3, 1), leaf(2, 1, 4))),
    "logaddexp_function": (lambda a, b: tutorgrad.logaddexp(a * 20, b), lambda: (leaf(1, 2, 3), leaf(2, 3))),
    "min_binary": (lambda a, b: a.min(b), lambda: (leaf(1, 3), leaf(2, 3))),
    "lerp": (lambda a, b: a.lerp(b, 0.3), lambda: (leaf(1, 3), leaf(2, 3))),
}


EPS = {}


# double backward: gradcheck of the gradient
GRADGRAD = {
    "mul": (lambda a, b: a * b, lambda: (leaf(1, 3, 1), leaf(2, 1, 4))),
    "div": (lambda a, b: a / b, lambda: (leaf(1, 3), pos(2, 3))),
    "pow_scalar": (lambda a: a ** 3, lambda: (leaf(1, 3),)),
    "pow_tensor": (lambda a, b: a ** b, lambda: (pos(1, 3), leaf(2, 3))),
    "rpow": (lambda a: 1.5 ** a, lambda: (leaf(1, 3),)),
    "maximum": (lambda a, b: a.maximum(b) * a, lambda: (leaf(1, 4), leaf(2, 4))),
    "logaddexp": (lambda a, b: a.logaddexp(b), lambda: (leaf(1, 4), leaf(2, 4))),
    "reflected": (lambda a: (1 - a) * (2 / a) + 2 ** a, lambda: (pos(1, 3),)),
}


GRADGRAD_EPS = {}


test_gradcheck, test_gradgradcheck = gradcheck_tests(CASES, EPS, GRADGRAD, GRADGRAD_EPS)
