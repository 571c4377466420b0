"""Check analytical gradients against finite differences, as ``torch.autograd.gradcheck`` does.

For every input ``x`` that requires grad and every output ``y``:

* numerical Jacobian, column ``j``: ``(f(x + eps e_j) - f(x - eps e_j)) / (2 eps)``;
* analytical Jacobian, row ``i``: ``autograd.grad(y.flatten()[i], x)``.

They must agree within ``atol + rtol * |numerical|``. A failure names the output,
the input, the element and both numbers. Use float64 (or complex128) inputs: float32
round-off is larger than the default tolerances.

Complex numbers are checked as pairs of reals, as PyTorch's gradcheck does: each complex
input element is nudged along its real part and along its imaginary part (two columns),
each complex output element gives two rows (its real and its imaginary part). With PyTorch's
convention the backward pass with upstream gradient 1 at y_i returns d Re(y_i)/da + i d Re(y_i)/db
for an input z = a + ib, and with upstream gradient 1j the same for Im(y_i): so the analytical
rows are read off two backward passes, and the whole real Jacobian is compared (this checks the
conjugate Wirtinger derivative and its conjugate partner at once, holomorphic or not).

>>> z = tutorgrad.randn(3, dtype=tutorgrad.complex128, requires_grad=True)
>>> tutorgrad.autograd.gradcheck(lambda z: (z * z.conj()).real.sum(), (z,))   # |z|^2: dL/dz = 2z
True
"""
import warnings

import numpy as np

from .. import _registered
from . import grad_mode
from .api import grad as autograd_grad


class GradcheckError(RuntimeError):
    """Raised when gradcheck finds analytical and numerical gradients that differ."""


def _as_tuple(x):
    return x if isinstance(x, tuple) else tuple(x) if isinstance(x, list) else (x,)


def _outputs(func, inputs):
    Tensor = _registered.Tensor
    out = _as_tuple(func(*inputs))
    return tuple(o for o in out if isinstance(o, Tensor))


def _reals(a):
    """An array's numbers as float64 reals, flattened: a complex number becomes two, (real, imaginary)."""
    if a.dtype.kind == "c":
        return np.stack([a.real, a.imag], -1).astype(np.float64).reshape(-1)
    return a.astype(np.float64).reshape(-1).copy()


def _numerical(func, inputs, k, eps):
    """Jacobian of every output w.r.t. ``inputs[k]`` by central differences, shape (numel_out, numel_in)
    (complex numbers counted as two reals: see the module's doc)."""
    x = inputs[k]
    if not x._data.flags.c_contiguous:
        x._data = np.ascontiguousarray(x._data)
    flat = x._data.reshape(-1)  # a view: we perturb the input in place and put it back
    steps = (eps, eps * 1j) if flat.dtype.kind == "c" else (eps,)  # complex: along a, then along b
    cols = []
    # Grad mode stays on: ``func`` may itself differentiate (gradgradcheck checks a gradient function).
    for j in range(flat.size):
        orig = flat[j]
        for step in steps:
            flat[j] = orig + step
            plus = [_reals(o._data) for o in _outputs(func, inputs)]
            flat[j] = orig - step
            minus = [_reals(o._data) for o in _outputs(func, inputs)]
            flat[j] = orig
            cols.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    n_out = len(_outputs(func, inputs))
    return [np.stack([c[i] for c in cols], axis=1) if cols else np.zeros((0, 0)) for i in range(n_out)]


def _analytical(outputs, inputs, k):
    """The same Jacobian from backward passes: row i from the upstream gradient 1 at output element i
    (and, for a complex output, a second row from 1j: the imaginary part's)."""
    Tensor = _registered.Tensor
    x = inputs[k]
    width = x.numel() * (2 if x._data.dtype.kind == "c" else 1)
    jac = []
    for y in outputs:
        parts = (1, 1j) if y._data.dtype.kind == "c" else (1,)
        rows = np.zeros((y.numel() * len(parts), width))
        if y.requires_grad:
            for i in range(y.numel()):
                for p, part in enumerate(parts):
                    g = np.zeros(y.numel(), y._data.dtype)
                    g[i] = part
                    d, = autograd_grad(y, x, Tensor._wrap(g.reshape(y.shape)), retain_graph=True, allow_unused=True)
                    if d is not None:
                        rows[i * len(parts) + p] = _reals(d._data)
        jac.append(rows)
    return jac


def gradcheck(func, inputs, *, eps=1e-06, atol=1e-05, rtol=0.001, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    """True if ``func``'s gradients w.r.t. ``inputs`` match finite differences.

    >>> x = tutorgrad.randn(3, dtype=tutorgrad.float64, requires_grad=True)
    >>> tutorgrad.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
    True
    """
    Tensor = _registered.Tensor
    inputs = _as_tuple(inputs)
    diff = [k for k, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    for k in diff:
        if inputs[k].dtype.name not in ("float64", "complex128"):
            warnings.warn(f"Input #{k} requires gradient and is not a double precision floating point or complex. "
                          "This check will likely fail if all the inputs are not of double precision floating "
                          "point or complex. ", UserWarning, stacklevel=2)
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of them have "
                         "requires_grad=True.")
    with grad_mode.enable_grad():
        outputs = _outputs(func, inputs)
    for k in diff:
        numerical = _numerical(func, inputs, k, eps)
        analytical = _analytical(outputs, inputs, k)
        for o, (num, ana) in enumerate(zip(numerical, analytical)):
            bad = ~np.isclose(ana, num, rtol=rtol, atol=atol, equal_nan=True)
            if bad.any():
                i, j = np.unravel_index(np.argmax(np.abs(ana - num) * bad), bad.shape)
                shape_in = inputs[k].shape
                part = ""
                if inputs[k]._data.dtype.kind == "c":  # two columns per complex element
                    j, part = j // 2, (" (its real part)", " (its imaginary part)")[j % 2]
                if outputs[o]._data.dtype.kind == "c":
                    i, part = i // 2, part + (", output's real part", ", output's imaginary part")[i % 2]
                elem = tuple(int(v) for v in np.unravel_index(j, shape_in)) if shape_in else ()
                msg = (f"Jacobian mismatch for output {o} with respect to input {k},\n"
                       f"numerical:{Tensor._wrap(num)}\nanalytical:{Tensor._wrap(ana)}\n\n"
                       f"The largest difference is at output element {i} and input element {elem}{part}: "
                       f"numerical {num[i, j]:.6g} vs analytical {ana[i, j]:.6g}. "
                       "Check the backward of the op that produces this output.")
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def _random_like(rng, t):
    a = rng.standard_normal(t.shape)
    if t._data.dtype.kind == "c":
        a = a + 1j * rng.standard_normal(t.shape)
    return a.astype(t._data.dtype)


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-06, atol=1e-05, rtol=0.001, gen_non_contig_grad_outputs=False,
                  raise_exception=True, nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
                  check_batched_grad=False, check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """Check second derivatives: gradcheck applied to the function ``inputs -> grad(func(inputs))``."""
    Tensor = _registered.Tensor
    inputs = _as_tuple(inputs)
    with grad_mode.enable_grad():
        outputs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(Tensor._wrap(_random_like(rng, o), requires_grad=True) for o in outputs)
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)
    diff = [k for k, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    def first_derivative(*args):
        ins, gos = args[:n], args[n:]
        outs = _outputs(func, ins)
        grads = autograd_grad([o for o in outs if o.requires_grad], [ins[k] for k in diff],
                              [g for g, o in zip(gos, outs) if o.requires_grad], create_graph=True,
                              allow_unused=True, materialize_grads=True)
        return grads

    return gradcheck(first_derivative, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
