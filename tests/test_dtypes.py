"""Dtypes and PyTorch's type promotion: every binary op on every pair of dtypes, ``promote_types``,
``result_type`` and the default dtype (``tutorgrad/_dtypes.py``).
"""
import pytest

from torchdiff import dt, same

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # no NumPy warning may leak out of tutorgrad


# ---------------------------------------------------------------------------------------- type promotion
def _operand(lib, kind, dtype, zero=True):
    """One operand of a binary op: a tensor with dimensions, a 0-d tensor, or a Python number."""
    if kind == "scalar":
        return {"bool": True, "int64": 3, "float64": 2.5, "complex128": 1 + 2j}[dtype]
    values = [1, 0 if zero else 2, 3] if kind == "tensor" else 2
    if dtype == "bool":
        values = [True, not zero, True] if kind == "tensor" else True
    return lib.tensor(values, dtype=dt(lib, dtype))


def _complex_half(*dtypes):
    """float16 with complex gives complex32 in PyTorch; NumPy (so tutorgrad) has no complex32: left out."""
    return "float16" in dtypes and any(d.startswith("complex") for d in dtypes)


BINARY = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "truediv": lambda a, b: a / b, "pow": lambda a, b: a ** b, "eq": lambda a, b: a == b,
    "lt": lambda a, b: a < b,
}


PROMO_DTYPES = ["bool", "uint8", "int32", "int64", "float16", "float32", "float64", "complex64", "complex128"]


@pytest.mark.parametrize("op", BINARY)
@pytest.mark.parametrize("ka, kb", [("tensor", "tensor"), ("tensor", "zero_dim"), ("zero_dim", "zero_dim"),
                                    ("tensor", "scalar"), ("zero_dim", "scalar")])
def test_promotion_grid(op, ka, kb):
    """Every (dtype, dtype) pair for tensor/0-d/Python-number operands: same dtype and values (or same error)."""
    fn = BINARY[op]
    b_dtypes = ["bool", "int64", "float64", "complex128"] if kb == "scalar" else PROMO_DTYPES
    for da in PROMO_DTYPES:
        for db in b_dtypes:
            if _complex_half(da, db):
                continue
            # Complex 0 ** 0 and z / 0 are nan in PyTorch but 1 and inf in NumPy: not a student's case.
            zero = op != "pow" and not (op == "truediv" and "complex" in da + db)
            where = f"{op}: {ka} {da} with {kb} {db}"
            same(lambda lib: fn(_operand(lib, ka, da, zero), _operand(lib, kb, db, zero)), where=where,
                 check_repr=False)
            if ka != kb:
                same(lambda lib: fn(_operand(lib, kb, db, zero), _operand(lib, ka, da, zero)),
                     where="reflected " + where, check_repr=False)


@pytest.mark.parametrize("a", PROMO_DTYPES)
def test_promote_types_and_result_type(a):
    for b in PROMO_DTYPES:
        if _complex_half(a, b):
            continue
        same(lambda lib: lib.promote_types(dt(lib, a), dt(lib, b)))
        same(lambda lib: lib.result_type(lib.ones(2, dtype=dt(lib, a)), lib.ones((), dtype=dt(lib, b))))
    for scalar in [True, 2, 2.5] + ([] if a == "float16" else [1j]):
        same(lambda lib: lib.result_type(lib.ones(2, dtype=dt(lib, a)), scalar))


def test_default_dtype_switch():
    def run(lib):
        lib.set_default_dtype(lib.float64)
        try:
            return lib.tensor([1.5]), lib.ones(2), lib.tensor([1]) * 0.5, lib.tensor(1j), lib.get_default_dtype()
        finally:
            lib.set_default_dtype(lib.float32)
    same(run)
