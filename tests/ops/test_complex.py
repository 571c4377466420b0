"""Complex autograd (``tutorgrad/ops/complex.py`` and every op's complex branch) against real PyTorch: PyTorch's
convention, op by op and in random programs, gradcheck on complex inputs, and the errors.

PyTorch's convention (its note "Autograd for Complex Numbers"): for a real loss L of z = a + ib, ``z.grad`` is
dL/da + i dL/db (= 2 dL/dz*, the conjugate Wirtinger derivative); a backward formula turns the upstream gradient
g into ``g * conj(f'(z))`` for a holomorphic f, and non-holomorphic functions (abs, sgn, angle, real, imag, conj)
have their own. Every test here builds the same expression with ``torch`` and with ``tutorgrad`` on the same
numbers, backpropagates the same random upstream gradients (complex ones for complex outputs) and compares values,
every leaf's ``.grad`` and the graph's node names. The gradcheck tables below (and the complex rows of
``test_linalg.py``) check the same ops against finite differences of the real and imaginary parts.
"""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import tutorgrad
from gradcases import cleaf, gradcheck_tests, leaf
from torchdiff import raises_like_pytorch, same
from torchgrad import graph_names

torch = pytest.importorskip("torch")

SETTINGS = settings(max_examples=10, deadline=None)
TOL = {"complex64": dict(rtol=3e-4, atol=3e-4), "complex128": dict(rtol=1e-9, atol=1e-9),
       "float32": dict(rtol=3e-4, atol=3e-4), "float64": dict(rtol=1e-9, atol=1e-9)}
REAL_OF = {"complex64": "float32", "complex128": "float64"}

cdtypes = st.sampled_from(["complex64", "complex128"])
seeds = st.integers(0, 2 ** 16)
shapes = hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=4)


def cvalues(seed, shape, low=-2.0, high=2.0, away=0.2):
    """Complex numbers with parts in [low, high], |z| at least ``away`` (abs, sgn, angle and log kink at 0)."""
    rng = np.random.default_rng(seed)
    z = rng.uniform(low, high, shape) + 1j * rng.uniform(low, high, shape)
    return np.where(np.abs(z) < away, z + away * (1 + 1j), z)


def rvalues(seed, shape):
    return np.random.default_rng(seed).uniform(-2, 2, shape)


def run(lib, build, arrays, dtypes, seed):
    leaves = [lib.tensor(a, dtype=getattr(lib, d), requires_grad=True) for a, d in zip(arrays, dtypes)]
    out = build(lib, *leaves)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    rng = np.random.default_rng(seed + 1)
    diff = [o for o in outs if o.requires_grad]
    grads = []
    for o in diff:
        g = rng.standard_normal(tuple(o.shape))
        if o.is_complex():
            g = g + 1j * rng.standard_normal(tuple(o.shape))
        grads.append(lib.tensor(g, dtype=o.dtype))
    if diff:
        lib.autograd.backward(diff, grads)
    return {"values": [o.detach().resolve_conj().numpy().copy() for o in outs],
            "dtypes": [str(o.dtype).split(".")[-1] for o in outs],
            "grads": [None if t.grad is None else t.grad.resolve_conj().numpy().copy() for t in leaves],
            "grad_dtypes": [None if t.grad is None else str(t.grad.dtype).split(".")[-1] for t in leaves],
            "graphs": [graph_names(o) for o in outs]}


def compare(build, arrays, dtypes, seed=0, graph=True):
    """``build(lib, *leaves)`` in both libraries: values, dtypes, each leaf's .grad (and its dtype), node names."""
    ref = run(torch, build, arrays, dtypes, seed)
    ours = run(tutorgrad, build, arrays, dtypes, seed)
    tol = TOL[max(dtypes, key=lambda d: d.endswith("64") and not d.endswith("128"))]
    assert ours["dtypes"] == ref["dtypes"]
    for i, (a, b) in enumerate(zip(ours["values"], ref["values"])):
        assert a.shape == b.shape, f"output {i}: shape {a.shape} vs PyTorch {b.shape}"
        np.testing.assert_allclose(a, b, err_msg=f"output {i}", equal_nan=True, **tol)
    assert ours["grad_dtypes"] == ref["grad_dtypes"]
    for i, (a, b) in enumerate(zip(ours["grads"], ref["grads"])):
        assert (a is None) == (b is None), f"leaf {i}: grad {a} vs PyTorch {b}"
        if b is not None:
            np.testing.assert_allclose(a, b, err_msg=f"grad of leaf {i}", equal_nan=True, **tol)
    if graph == "top":  # an op tutorgrad records as one node where PyTorch's has several: the result's node
        assert [g and g[0] for g in ours["graphs"]] == [g and g[0] for g in ref["graphs"]]
    elif graph:
        assert ours["graphs"] == ref["graphs"], "graph (grad_fn names along next_functions) differs from PyTorch"


# ---------------------------------------------------------------------------------------------- one op at a time
UNARY = {
    "neg": lambda L, z: -z,
    "abs": lambda L, z: z.abs(),
    "exp": lambda L, z: z.exp(),
    "log": lambda L, z: z.log(),
    "log2": lambda L, z: L.log2(z),
    "log10": lambda L, z: z.log10(),
    "log1p": lambda L, z: z.log1p(),
    "expm1": lambda L, z: z.expm1(),
    "sqrt": lambda L, z: z.sqrt(),
    "rsqrt": lambda L, z: z.rsqrt(),
    "reciprocal": lambda L, z: z.reciprocal(),
    "sin": lambda L, z: z.sin(),
    "cos": lambda L, z: L.cos(z),
    "tan": lambda L, z: (z * 0.5).tan(),
    "tanh": lambda L, z: (z * 0.5).tanh(),
    "sinh": lambda L, z: z.sinh(),
    "cosh": lambda L, z: z.cosh(),
    "sigmoid": lambda L, z: (z * 0.5).sigmoid(),
    "sgn": lambda L, z: z.sgn(),
    "conj": lambda L, z: z.conj() * 1,
    "real": lambda L, z: z.real,
    "imag": lambda L, z: z.imag,
    "real_function": lambda L, z: L.real(z) * L.imag(z),
    "angle": lambda L, z: z.angle(),
    "square": lambda L, z: z.square(),
    "pow_2": lambda L, z: z ** 2,
    "pow_half": lambda L, z: z ** 0.5,
    "pow_3": lambda L, z: z.pow(3),
    "pow_neg": lambda L, z: z ** -1.5,
    "pow_complex": lambda L, z: z ** (0.5 + 1j),
    "rpow": lambda L, z: 2 ** z,
    "rpow_complex": lambda L, z: (1 - 0.5j) ** z,
    "mul_number": lambda L, z: z * (2 - 3j),
    "div_number": lambda L, z: z / (2 - 3j),
    "rdiv_number": lambda L, z: (2 - 3j) / z,
    "sub_number": lambda L, z: 1j - z,
    "add_alpha": lambda L, z: L.add(z, z * z, alpha=1 - 2j),
    "sub_alpha": lambda L, z: L.sub(z, z * z, alpha=0.5j),
    "lerp": lambda L, z: z.lerp(z * z, 0.3),
    "lerp_complex": lambda L, z: z.lerp(z.exp(), 0.3 + 0.2j),
    "sum": lambda L, z: z.sum(),
    "mean": lambda L, z: z.mean(),
    "prod": lambda L, z: z.prod(),
    "cumsum": lambda L, z: z.reshape(-1).cumsum(0),
    "logsumexp": lambda L, z: z.reshape(-1).logsumexp(0),
    "var": lambda L, z: z.reshape(-1).var() if z.numel() > 1 else z.abs(),
    "std": lambda L, z: z.reshape(-1).std() if z.numel() > 1 else z.abs(),
    "view_as_real": lambda L, z: L.view_as_real(z * 1),
    "clone_reshape_t": lambda L, z: z.clone().reshape(-1, 1).t() * 1,
    "index": lambda L, z: z.reshape(-1)[[0, -1]] * z.reshape(-1)[0],
    "cat_stack": lambda L, z: L.cat([z.reshape(-1), z.reshape(-1).conj()]) + L.stack([z, z]).sum(0).reshape(-1)[0],
    "unsqueeze_expand": lambda L, z: z.reshape(-1).unsqueeze(0).expand(3, -1) * 2,
    "flip_where": lambda L, z: L.where(z.abs() > 1, z, z.conj() * 2),
    "to_real": lambda L, z: z.abs().to(L.float64) * z,
    "abs_of_holomorphic": lambda L, z: (z.exp() * z).abs(),
}


@pytest.mark.parametrize("name", list(UNARY))
@SETTINGS
@given(shape=shapes, dtype=cdtypes, seed=seeds)
def test_unary_against_pytorch(name, shape, dtype, seed):
    compare(UNARY[name], [cvalues(seed, shape)], [dtype], seed)


BINARY = {
    "add": lambda L, a, b: a + b,
    "sub": lambda L, a, b: a - b,
    "mul": lambda L, a, b: a * b,
    "div": lambda L, a, b: a / b,
    "pow": lambda L, a, b: a ** (b * 0.5),
    "logaddexp": lambda L, a, b: L.logaddexp(a, b),
    "lerp_tensor": lambda L, a, b: a.lerp(b, b * 0.1),
    "maximum_of_abs": lambda L, a, b: L.maximum(a.abs(), b.abs()),
}


@pytest.mark.parametrize("name", list(BINARY))
@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=3), dtype=cdtypes,
       seed=seeds)
def test_binary_against_pytorch(name, shapes, dtype, seed):
    a, b = shapes.input_shapes
    # (lerp with a tensor weight is a composite of +, -, * in tutorgrad, for real tensors too: values only)
    compare(BINARY[name], [cvalues(seed, a), cvalues(seed + 7, b)], [dtype, dtype], seed, graph=name != "lerp_tensor")


@pytest.mark.parametrize("name", list(BINARY)[:5])
@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=3), dtype=cdtypes,
       seed=seeds)
def test_real_and_complex_mixed(name, shapes, dtype, seed):
    """A real leaf in a complex computation gets the real part of its gradient (a real .grad), as in PyTorch."""
    a, b = shapes.input_shapes
    compare(BINARY[name], [cvalues(seed, a), rvalues(seed + 7, b) + 3], [dtype, REAL_OF[dtype]], seed)
    compare(BINARY[name], [rvalues(seed, a) + 3, cvalues(seed + 7, b)], [REAL_OF[dtype], dtype], seed)


MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3, 4)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 2, 3), (3, 2)),
                 ((2, 1, 2, 3), (3, 3, 2))]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_matmul_against_pytorch(sa, sb, dtype):
    # (matmul is one node in tutorgrad, as in tests/ops/test_linalg.py; PyTorch's composite shapes add views)
    compare(lambda L, a, b: a @ b, [cvalues(1, sa), cvalues(2, sb)], [dtype, dtype], graph="top")


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_mm_dot_vdot_against_pytorch(dtype):
    """``dot`` conjugates neither vector; ``vdot`` conjugates the first: their gradients differ accordingly."""
    compare(lambda L, a, b: a.mm(b.t()), [cvalues(1, (2, 3)), cvalues(2, (4, 3))], [dtype, dtype])
    compare(lambda L, a, b: L.dot(a, b), [cvalues(1, 4), cvalues(2, 4)], [dtype, dtype])
    compare(lambda L, a, b: L.vdot(a, b), [cvalues(1, 4), cvalues(2, 4)], [dtype, dtype])
    compare(lambda L, a, b: a.vdot(b), [rvalues(1, 4), rvalues(2, 4)], [REAL_OF[dtype]] * 2)
    compare(lambda L, a, b: a.mv(b), [cvalues(1, (2, 4)), cvalues(2, 4)], [dtype, dtype])


LAYERS = {  # (build, input shapes, graph: True all nodes, "top" the result's, False values only)
    "linear": (lambda L, x, w, b: L.nn.functional.linear(x, w, b), [(2, 3), (4, 3), (4,)], True),
    "linear_3d": (lambda L, x, w: L.nn.functional.linear(x, w), [(2, 2, 3), (4, 3)], "top"),
    # PyTorch convolves complex numbers with three real convolutions (Gauss's trick); tutorgrad with one
    "conv1d": (lambda L, x, w: L.nn.functional.conv1d(x, w), [(1, 2, 5), (3, 2, 2)], False),
    "conv2d": (lambda L, x, w, b: L.nn.functional.conv2d(x, w, b, padding=1, stride=2), [(2, 1, 4, 4), (2, 1, 3, 3), (2,)],
               False),
    "pad": (lambda L, x: L.nn.functional.pad(x, (1, 2)), [(2, 3)], True),
    "l1_loss": (lambda L, a, b: L.nn.functional.l1_loss(a, b), [(3,), (3,)], True),
    "vector_norms": (lambda L, z: L.linalg.vector_norm(z) + L.linalg.vector_norm(z, 3) + z.norm(dim=0).sum()
                     + L.linalg.vector_norm(z, 1), [(4, 2)], "top"),
    "matrix_norms": (lambda L, z: L.linalg.matrix_norm(z) + L.linalg.matrix_norm(z, "nuc"), [(3, 3)], "top"),
    "inv_det": (lambda L, z: L.linalg.inv(z + 3 * L.eye(3)) * L.linalg.det(z + 3 * L.eye(3)), [(3, 3)], "top"),
    "solve": (lambda L, a, b: L.linalg.solve(a + 3 * L.eye(3), b), [(3, 3), (3, 2)], "top"),
    "svdvals": (lambda L, z: L.linalg.svdvals(z), [(3, 2)], True),
    "einsum": (lambda L, a, b: L.einsum("ij,jk->ik", a, b), [(2, 3), (3, 2)], False),  # (one node in tutorgrad)
    "outer_trace_diag": (lambda L, a, b: L.outer(a, b).trace() + L.diag(L.outer(a, b)).sum(), [(3,), (3,)], False),
    "tril_diagonal": (lambda L, a: a.tril().diagonal() * a.triu(1).sum(), [(3, 3)], True),
    "gather_scatter": (lambda L, a, b: a.scatter_add(0, L.tensor([0, 2]), b).gather(0, L.tensor([2, 0, 0])),
                       [(3,), (2,)], True),
    "index_add_masked_fill": (lambda L, a, b: a.index_add(0, L.tensor([1, 1]), b).masked_fill(L.tensor([1, 0, 0]) > 0, 0),
                              [(3,), (2,)], True),
    "in_place": (lambda L, a, b: (a * 1).mul_(b).div_(b + 3).pow_(2).add_(b, alpha=2j).exp_(), [(3,), (3,)], True),
    "setitem": (lambda L, a, b: (lambda y: (y.__setitem__(0, b[1]), y * 1)[1])(a * 1), [(3,), (3,)], True),
    # in-place ops on views: values and gradients as PyTorch's (the graph differs for real tensors too)
    "in_place_on_views": (lambda L, a, b: _views_in_place(a, b), [(3,), (3,)], False),
    "split_unbind_repeat": (lambda L, a: a.split(1)[1] * a.unbind(0)[0] + a.repeat(2, 1).sum(0), [(3, 2)], True),
}


def _views_in_place(a, b):
    y = a * 1
    y[1:].mul_(b[1:])
    y[0] += b[0] * b[1]
    y[1:].exp_()
    z = a.clone()
    z[1:] = b[:2] * 1j
    z.mul_(2 - 1j)
    return y * z.pow(2)


@pytest.mark.parametrize("name", list(LAYERS))
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_layers_and_linear_algebra_against_pytorch(name, dtype):
    build, shapes, graph = LAYERS[name]
    compare(build, [cvalues(i + 1, s) for i, s in enumerate(shapes)], [dtype] * len(shapes), graph=graph)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=3), seed=seeds)
def test_complex_and_polar_against_pytorch(dtype, shapes, seed):
    """torch.complex(real, imag) and torch.polar(abs, angle): complex numbers made from real tensors, differentiably."""
    a, b = shapes.input_shapes
    compare(lambda L, x, y: L.complex(x, y) * (1 - 2j), [rvalues(seed, a), rvalues(seed + 1, b)], [dtype, dtype], seed)
    compare(lambda L, x, y: L.polar(x, y).exp(), [rvalues(seed, a) + 2.5, rvalues(seed + 1, b)], [dtype, dtype], seed)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_casts_between_real_and_complex(dtype):
    """real -> complex: the cast's backward keeps the real part of the gradient; view_as_complex pairs (a, b)."""
    cd = {"float32": "complex64", "float64": "complex128"}[dtype]
    compare(lambda L, x: (x.to(getattr(L, cd)) * (1 + 2j)).exp(), [rvalues(1, 4)], [dtype])
    compare(lambda L, x: L.view_as_complex(x).sin(), [rvalues(1, (3, 2))], [dtype])
    compare(lambda L, x: (x * 1j).real * x, [rvalues(1, 3)], [dtype])
    compare(lambda L, x: x.angle() + x.abs(), [rvalues(1, 3)], [dtype])


def test_the_loss_of_complex_leaves_is_real():
    """The everyday case: a real loss (here |z w|^2 summed) of complex parameters; .grad is PyTorch's."""
    def build(L, z, w):
        return ((z * w).abs() ** 2).sum() + (z.conj() * w).real.mean()
    compare(build, [cvalues(1, 5), cvalues(2, 5)], ["complex64", "complex64"])
    compare(build, [cvalues(3, (2, 3)), cvalues(4, (2, 3))], ["complex128", "complex128"])


def test_double_backward_against_pytorch():
    """create_graph=True: the backward formulas (conj included) are recorded and differentiated again."""
    out = {}
    for L in (torch, tutorgrad):
        z = L.tensor(cvalues(5, 4), dtype=L.complex128, requires_grad=True)
        loss = (z.exp() * z.conj()).abs().sum() + (z * z).sin().real.sum()
        g, = L.autograd.grad(loss, z, create_graph=True)
        (g.abs() ** 2).sum().backward()
        out[L.__name__] = (g.detach().resolve_conj().numpy(), z.grad.resolve_conj().numpy())
    for a, b in zip(out["tutorgrad"], out["torch"]):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


# ---------------------------------------------------------------------------------------------- random programs
# Each step applies one op to the values made so far (complex, except where an op makes a real one); values are
# kept moderate (no exp of exp) so that float32 and float64 differences stay within the tolerance.
STEPS = [
    ("mul", 2, lambda L, a, b: a * b),
    ("add", 2, lambda L, a, b: a + b),
    ("sub", 2, lambda L, a, b: a - b),
    ("div", 2, lambda L, a, b: a / (b.abs() + 1)),
    ("conj", 1, lambda L, a: a.conj()),
    ("sin", 1, lambda L, a: (a * 0.3).sin()),
    ("exp", 1, lambda L, a: (a * 0.2).exp()),
    ("tanh", 1, lambda L, a: (a * 0.2).tanh()),
    ("sqrt", 1, lambda L, a: (a + 3).sqrt()),
    ("square", 1, lambda L, a: (a * 0.5) ** 2),
    ("abs", 1, lambda L, a: a.abs()),
    ("angle", 1, lambda L, a: (a + 0.5j).angle()),
    ("real", 1, lambda L, a: a.real if a.is_complex() else a),
    ("imag", 1, lambda L, a: a.imag if a.is_complex() else a * 0.5),
    ("sgn", 1, lambda L, a: (a + 0.1).sgn()),
    ("mul_j", 1, lambda L, a: a * (0.5 + 1j)),
    ("sum_keep", 1, lambda L, a: a.sum(-1, keepdim=True) * 0.3 + a),
    ("mean", 1, lambda L, a: a - a.mean()),
    ("flip_t", 1, lambda L, a: a.t() if a.ndim == 2 and a.shape[0] == a.shape[1] else a.flip(-1)),
    ("matmul", 2, lambda L, a, b: (a @ b.mT) if a.is_complex() == b.is_complex() else a * b),
]


@SETTINGS
@given(program=st.lists(st.tuples(st.integers(0, len(STEPS) - 1), st.integers(0, 99), st.integers(0, 99)),
                        min_size=2, max_size=8),
       dtype=cdtypes, seed=seeds)
def test_random_programs_against_pytorch(program, dtype, seed):
    def build(L, z, w, x):
        vals = [z, w, x]
        for k, i, j in program:
            _, arity, fn = STEPS[k]
            args = [vals[i % len(vals)], vals[j % len(vals)]][:arity]
            vals.append(fn(L, *args))
        return vals[-1] if vals[-1] is not x else x * 1
    shape = (3, 3)
    compare(build, [cvalues(seed, shape), cvalues(seed + 1, shape), rvalues(seed + 2, shape)],
            [dtype, dtype, REAL_OF[dtype]], seed)


# ---------------------------------------------------------------------------------------------- gradcheck
def test_gradcheck_perturbs_real_and_imaginary_parts():
    """Complex inputs and outputs are checked as pairs of reals; a wrong formula is caught (as PyTorch's)."""
    z = tutorgrad.tensor(cvalues(1, 3), dtype=tutorgrad.complex128, requires_grad=True)
    x = tutorgrad.tensor(rvalues(2, 3), dtype=tutorgrad.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # complex128 is double precision: no warning
        assert tutorgrad.autograd.gradcheck(lambda z, x: (z * x).exp() / z.conj(), (z, x))
        assert tutorgrad.autograd.gradgradcheck(lambda z, x: (z * x).exp().abs() * z.angle(), (z, x))

    for lib in (torch, tutorgrad):
        class Square(lib.autograd.Function):  # a backward that forgets the conjugate: g * 2z
            @staticmethod
            def forward(ctx, z):
                ctx.save_for_backward(z)
                return z * z

            @staticmethod
            def backward(ctx, g):
                z, = ctx.saved_tensors
                return g * 2 * z

        class Fixed(Square):
            @staticmethod
            def backward(ctx, g):
                z, = ctx.saved_tensors
                return g * (2 * z).conj()

        zz = lib.tensor(cvalues(3, 3), dtype=lib.complex128, requires_grad=True)
        assert lib.autograd.gradcheck(Square.apply, (zz,), raise_exception=False) is False
        assert lib.autograd.gradcheck(Fixed.apply, (zz,))
        with pytest.raises(RuntimeError, match="Jacobian mismatch"):  # (GradcheckError in both)
            lib.autograd.gradcheck(Square.apply, (zz,))


# ---------------------------------------------------------------------------------------------- errors and corners
def test_backward_of_a_complex_scalar_raises_like_pytorch():
    raises_like_pytorch("complex backward", lambda L: (L.tensor([1 + 2j], requires_grad=True) * 2).sum().backward(),
                        "grad can be implicitly created only for real scalar outputs")
    # with an explicit gradient it works, as in PyTorch
    compare(lambda L, z: z * z, [cvalues(1, 3)], ["complex128"])


def test_a_functions_complex_gradient_for_a_real_input_raises_like_pytorch():
    """Built-in ops hand a real input the real part of its gradient; a user's Function must do so itself."""
    def run(L):
        class Rotate(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * (1 + 2j)  # complex, for a real x
        x = L.tensor([1.0, 2.0], requires_grad=True)
        Rotate.apply(x).sum().backward()
    raises_like_pytorch("complex grad of a real input", run, "(input_is_complex == grad_is_complex)")


def test_complex_leaves_can_require_grad_and_integers_still_cannot():
    same(lambda L: L.tensor([1 + 2j, 3j], requires_grad=True))
    same(lambda L: L.randn(3, dtype=L.complex64, requires_grad=True).requires_grad)
    same(lambda L: L.zeros(2, dtype=L.cdouble).requires_grad_())
    raises_like_pytorch("int requires_grad", lambda L: L.tensor([1, 2]).requires_grad_(),
                        "only Tensors of floating point dtype can require gradients")


@pytest.mark.parametrize("what,fn,phrase", [
    ("relu", lambda L, z: z.relu(), "clamp is not supported for complex types"),
    ("F.relu", lambda L, z: L.nn.functional.relu(z), "clamp is not supported for complex types"),
    ("clamp", lambda L, z: z.clamp(0, 1), "clamp is not supported for complex types"),
    ("clamp_tensor", lambda L, z: z.clamp(z.real), "clamp is not supported for complex types"),
    ("max", lambda L, z: z.max(), "not implemented for 'Complex"),
    ("min", lambda L, z: z.min(), "not implemented for 'Complex"),
    ("amax", lambda L, z: z.amax(0), "not implemented for 'Complex"),
    ("max_dim", lambda L, z: z.max(0), "does not support complex input"),
    ("argmax", lambda L, z: z.argmax(), "does not support complex input"),
    ("maximum", lambda L, z: L.maximum(z, z), "maximum not implemented for complex tensors."),
    ("minimum", lambda L, z: L.minimum(z, z), "minimum not implemented for complex tensors."),
    ("gt", lambda L, z: z > 0, "not implemented for 'Complex"),
    ("sign", lambda L, z: z.sign(), "is not intended to support complex numbers"),
    ("floor", lambda L, z: z.floor(), "floor is not supported for complex inputs"),
    ("ceil", lambda L, z: z.ceil(), "ceil is not supported for complex inputs"),
    ("trunc", lambda L, z: z.trunc(), "trunc is not supported for complex inputs"),
    ("round", lambda L, z: z.round(), "not implemented for 'Complex"),
    ("floor_divide", lambda L, z: z // z, "not implemented for 'Complex"),
    ("remainder", lambda L, z: z % z, "not implemented for 'Complex"),
    ("fmod", lambda L, z: L.fmod(z, z), "not implemented for 'Complex"),
    ("div_floor", lambda L, z: z.div(z, rounding_mode="floor"), "not implemented for 'Complex"),
    ("softmax", lambda L, z: z.softmax(0), "not implemented for 'Complex"),
    ("log_softmax", lambda L, z: z.log_softmax(-1), "not implemented for 'Complex"),
    ("leaky_relu", lambda L, z: L.nn.functional.leaky_relu(z), "not implemented for 'Complex"),
    ("gelu", lambda L, z: L.nn.functional.gelu(z), "not implemented for 'Complex"),
    ("silu (no derivative)", lambda L, z: L.nn.functional.silu(z), "silu does not support automatic differentiation"),
    ("erf", lambda L, z: z.erf(), "not implemented for 'Complex"),
    ("view_as_real of real", lambda L, z: L.view_as_real(z.abs()), "view_as_real is only supported for complex"),
    ("view_as_complex size", lambda L, z: L.view_as_complex(z.real), "Tensor must have a last dimension of size 2"),
    ("imag of real", lambda L, z: z.abs().imag, "imag is not implemented for tensors with non-complex dtypes"),
    ("complex of complex", lambda L, z: L.complex(z, z), "Expected both inputs to be Half, Float or Double tensors"),
    ("polar of mixed", lambda L, z: L.polar(z.abs().float(), z.abs().double()), "Expected object of scalar type"),
    ("complex of ints", lambda L, z: L.complex(L.tensor([1]), L.tensor([2])), "Expected both inputs to be Half"),
    ("sort", lambda L, z: z.sort(), "Sort does not support complex dtypes"),
    ("topk", lambda L, z: z.topk(1), "topk does not support complex dtypes"),
    ("mse_loss", lambda L, z: L.nn.functional.mse_loss(z, z.detach()), "not implemented for 'Complex"),
    ("bce_with_logits", lambda L, z: L.nn.functional.binary_cross_entropy_with_logits(z, z.detach()),
     "not implemented for 'Complex"),
    ("huber_loss", lambda L, z: L.nn.functional.huber_loss(z, z.detach()), "not implemented for 'Complex"),
    ("smooth_l1_loss", lambda L, z: L.nn.functional.smooth_l1_loss(z, z.detach()), "not implemented for 'Complex"),
    ("cross_entropy", lambda L, z: L.nn.functional.cross_entropy(z.reshape(1, 3), L.tensor([0])),
     "not implemented for 'Complex"),
    ("max_pool1d", lambda L, z: L.nn.functional.max_pool1d(z.reshape(1, 1, 3), 2), "not implemented for 'Complex"),
    ("avg_pool1d", lambda L, z: L.nn.functional.avg_pool1d(z.reshape(1, 1, 3), 2), "not implemented for 'Complex"),
    ("batch_norm", lambda L, z: L.nn.functional.batch_norm(z.reshape(3, 1), None, None, training=True),
     "not implemented for 'Complex"),
    ("layer_norm", lambda L, z: L.nn.functional.layer_norm(z, (3,)), "not implemented for 'Complex"),
    ("dropout", lambda L, z: L.nn.functional.dropout(z), "not implemented for 'Complex"),
    ("embedding (no derivative)", lambda L, z: L.nn.functional.embedding(L.tensor([0, 2]), z.reshape(3, 1) * 1),
     "embedding does not support automatic differentiation"),
])
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_ops_pytorch_does_not_run_on_complex_raise_like_pytorch(what, fn, phrase, dtype):
    raises_like_pytorch(what, lambda L: fn(L, L.tensor([1 + 2j, -0.5j, 3], dtype=getattr(L, dtype),
                                                       requires_grad=True)), phrase)


def test_printed_like_pytorch():
    """Complex results print with PyTorch's grad_fn names (ConjBackward0, SelectBackward0 for .real, ...)."""
    def z(L):
        return L.tensor([1 + 2j, -0.5 + 0.25j], requires_grad=True)
    same(lambda L: z(L).conj())
    same(lambda L: z(L).real)
    same(lambda L: z(L).imag)
    same(lambda L: z(L).abs())
    same(lambda L: z(L).angle())
    same(lambda L: z(L) * 2j)
    same(lambda L: L.view_as_real(z(L)))
    same(lambda L: L.view_as_complex(L.tensor([[1.0, 2.0]], requires_grad=True)))
    same(lambda L: L.vdot(z(L), z(L)))
    same(lambda L: z(L).real.grad_fn.next_functions[0][0].name())


def test_complex_randn_draws_pytorchs_numbers():
    """randn(dtype=complex): real and imaginary parts N(0, 1/2) each, the same numbers as PyTorch for a seed."""
    from torchdiff import assert_same_draws
    for dtype in ("complex64", "complex128"):
        for shape in [(3,), (20,), (2, 5), (0,)]:
            torch.manual_seed(7)
            ref = torch.randn(*shape, dtype=getattr(torch, dtype)).numpy()
            tutorgrad.manual_seed(7)
            ours = tutorgrad.randn(*shape, dtype=getattr(tutorgrad, dtype)).numpy()
            assert_same_draws(ours, ref, f"{dtype} {shape}: ")


def test_the_primers_complex_function():
    """The primer's f(x) = x e^{2 pi i xi x} (notebooks/02-tensors), differentiated: with respect to the real x and
    frequency xi, through a complex intermediate, for a real loss (Re f summed, and |f|^2 summed)."""
    import math

    def build(L, x, xi):
        f = x * L.exp(2j * math.pi * xi * x)
        return f.real.sum() + (f.abs() ** 2).mean() + f.imag.sum() * 0.5
    compare(build, [np.array([0.0, 1.0, 2.0, 3.0]), np.array(0.25)], ["float32", "float32"])
    compare(build, [rvalues(1, 5), np.array(0.37)], ["float64", "float64"])


@pytest.mark.parametrize("name,kw", [("SGD", dict(momentum=0.9)), ("Adam", {}), ("AdamW", dict(amsgrad=True)),
                                     ("RMSprop", dict(centered=True)), ("Adagrad", {})])
def test_optimizers_on_complex_parameters(name, kw):
    """A real loss of complex parameters, optimised: the same steps as PyTorch (whose optimizers update a complex
    parameter as pairs of reals, view_as_real)."""
    out = {}
    for L in (torch, tutorgrad):
        z = L.tensor([0.5 + 0.5j, -1.0 + 0.3j], requires_grad=True)
        opt = getattr(L.optim, name)([z], lr=0.05, **kw)
        for _ in range(5):
            opt.zero_grad()
            loss = ((z * z - (1 + 1j)).abs() ** 2).sum()   # |z^2 - (1 + i)|^2: minimised at the roots of 1 + i
            loss.backward()
            opt.step()
        out[L.__name__] = (z.detach().resolve_conj().numpy().copy(), loss.item())
    np.testing.assert_allclose(out["tutorgrad"][0], out["torch"][0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out["tutorgrad"][1], out["torch"][1], rtol=1e-5)


# ---------------------------------------------------------------------------------------------- gradcheck tables
# (gradcheck nudges the real and the imaginary part of each complex input element: see autograd/gradcheck.py)
CASES = {
    "complex_holomorphic": (lambda z: (z.exp() * z.sin() / z.cosh() + z.sigmoid() * z.tanh()).log(), lambda: (cleaf(1, 4),)),
    "complex_abs_sgn": (lambda z: z.abs() * z.sgn() + (z * 1).sgn_(), lambda: (cleaf(1, 4),)),
    "complex_conj_real_imag": (lambda z: z.conj() * z.real + z.imag * z, lambda: (cleaf(1, 4),)),
    "complex_angle": (lambda z, x: z.angle() + x.angle() * 2, lambda: (cleaf(1, 4), leaf(2, 4))),
    "view_as_real_complex": (lambda z, x: tutorgrad.view_as_real(z * 2) * x + tutorgrad.view_as_real(tutorgrad.view_as_complex(x).exp()),
                             lambda: (cleaf(1, 3), leaf(2, 3, 2))),
    "complex_cast": (lambda x: (x.to(tutorgrad.complex128) * (1 + 2j)).exp() + x.cdouble().sin(), lambda: (leaf(1, 4),)),
    "complex_to_real_and_back": (lambda z: z.real.to(tutorgrad.complex128) * z + z.abs().to(tutorgrad.complex128),
                                 lambda: (cleaf(2, 3),)),
    "complex_reductions": (lambda z: z.prod() * z.sum() + z.mean() + z.var() + z.logsumexp(0) + z.cumsum(0)[-1],
                           lambda: (cleaf(3, 4),)),
    "complex_powers": (lambda z, w: z ** w + z ** (0.5 + 1j) + (1 - 0.5j) ** z + 2 ** w + z ** 2,
                       lambda: (cleaf(4, 3), cleaf(5, 3))),
    "complex_polar": (lambda x, y: tutorgrad.complex(x, y) * tutorgrad.polar(x.abs() + 0.5, y),
                      lambda: (leaf(7, 3), leaf(8, 2, 3))),
    "complex_shapes": (lambda z: tutorgrad.cat([z.t().reshape(-1), tutorgrad.stack([z[0], z[1]]).flip(0).reshape(-1)])
                       .unsqueeze(0).expand(2, -1) * 1j, lambda: (cleaf(6, 2, 2),)),
}


EPS = {}


GRADGRAD = {
    "complex_holomorphic": (lambda z: (z.exp() * z.sqrt()).tanh() / z, lambda: (cleaf(1, 3),)),
    "complex_abs_sgn_angle": (lambda z: z.abs() * z.sgn() + z.angle() * z.conj(), lambda: (cleaf(1, 3),)),
    "complex_real_imag": (lambda z: z.real * z.imag * z, lambda: (cleaf(1, 3),)),
    "complex_mul_div_pow": (lambda z, w: (z * w / (w + 3)) ** 2, lambda: (cleaf(1, 3), cleaf(2, 3))),
}


GRADGRAD_EPS = {}


test_gradcheck, test_gradgradcheck = gradcheck_tests(CASES, EPS, GRADGRAD, GRADGRAD_EPS)
