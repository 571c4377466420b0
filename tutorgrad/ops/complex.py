"""Complex numbers: ``conj``, ``real``, ``imag``, ``angle``, ``view_as_real``, ``view_as_complex``, ``complex``,
``polar``.

PyTorch's convention for complex autograd (its note "Autograd for Complex Numbers"): for a real loss L of
z = a + ib, the gradient is dL/da + i dL/db (= 2 dL/dz*, the conjugate Wirtinger derivative). Holomorphic
ops (exp, sin, *, @, ...) need nothing of their own: their backward is the real formula with the local
derivative conjugated, done once for every built-in op (``_conjugated`` in ``autograd/function.py``).
The functions here are not holomorphic, so each carries its own formula, as in PyTorch's derivatives.yaml:

    conj:  dL/dz = conj(g)           real:  dL/dz = g        imag:  dL/dz = i g
    angle: dL/dz = i g z / |z|^2     view_as_real / view_as_complex: the gradient re-paired
    complex(a, b): dL/da = Re g, dL/db = Im g     polar(r, t): dL/dr = Re(conj(g) z/|z|), dL/dt = Re(conj(g) i z)

``real`` and ``imag`` are PyTorch's ``view_as_real(z)[..., 0]`` and ``[..., 1]``: views of z's memory, with the
same two nodes (SelectBackward0 after ViewAsRealBackward0).
"""
import numpy as np

from ..tensor import Tensor
from .elementwise import where_
from .registry import Op, T, float_array, register


class Conj(Op):
    """y = conj(z) = a - ib.   dL/dz = conj(g): conjugation is its own adjoint.

    >>> z = tutorgrad.tensor(1 + 2j, requires_grad=True)
    >>> (z * z.conj()).real.backward(); z.grad      # |z|^2 = a^2 + b^2: dL/da + i dL/db = 2a + 2bi = 2z
    tensor(2.+4.j)
    """
    rule = "y = conj(z).   dL/dz = conj(g)."
    elementwise = True
    holomorphic = False  # (conj is not: its backward above is the complex formula)

    @staticmethod
    def forward(ctx, x):
        return np.conj(x._data)

    @staticmethod
    def backward(ctx, grad):
        return grad.conj()


@register("conj")
def conj(self):
    """The complex conjugate (a real tensor is returned as it is, as PyTorch's)."""
    return Conj.apply(self) if self._data.dtype.kind == "c" else self


@register("resolve_conj")
def resolve_conj(self):
    """The tensor itself: tutorgrad's ``conj`` computes the conjugate at once, where PyTorch's sets a lazy
    "conjugate bit" that ``resolve_conj`` materialises (``.numpy()`` asks for it there)."""
    return self


@register("is_conj", function=True)
def is_conj(self):
    """False: tutorgrad has no lazy conjugate bit (see ``resolve_conj``)."""
    return False


class ViewAsReal(Op):
    """y = z as pairs (a, b): a last dimension of size 2.   dL/dz = complex(g[..., 0], g[..., 1])."""
    rule = "y[..., 0] = Re z, y[..., 1] = Im z.   dL/dz = g[..., 0] + i g[..., 1]."

    @staticmethod
    def forward(ctx, x):
        a = x._data
        if a.dtype.kind != "c":
            raise RuntimeError("view_as_real is only supported for complex tensors")
        a = np.ascontiguousarray(a) if a.ndim and a.strides[-1] != a.itemsize else a
        return a[..., None].view(a.real.dtype)  # shares x's memory, as PyTorch's view

    @staticmethod
    def backward(ctx, grad):
        return view_as_complex(grad.contiguous())


class ViewAsComplex(Op):
    """z = y[..., 0] + i y[..., 1].   dL/dy = view_as_real(g)."""
    rule = "z = y[..., 0] + i y[..., 1].   dL/dy = (Re g, Im g)."
    holomorphic = False  # (a real input: its backward re-pairs g as it is)

    @staticmethod
    def forward(ctx, x):
        a = x._data
        if a.dtype.kind != "f" or a.dtype == np.float16:
            raise RuntimeError(f"view_as_complex is only supported for float and double tensors, but got a tensor "
                               f"of scalar type: {x.dtype._legacy}")
        if not a.ndim or a.shape[-1] != 2:
            raise RuntimeError("Tensor must have a last dimension of size 2")
        if a.strides[-1] != a.itemsize:
            raise RuntimeError("Tensor must have a last dimension with stride 1")
        return a.view(np.result_type(a.dtype, np.complex64))[..., 0]

    @staticmethod
    def backward(ctx, grad):
        return view_as_real(grad)


def view_as_real(input):
    """A complex tensor as a real one with a last dimension of size 2 (real, imaginary)."""
    return ViewAsReal.apply(input)


def view_as_complex(input):
    """A real tensor whose last dimension has size 2 (real, imaginary) as a complex one."""
    return ViewAsComplex.apply(input)


register("view_as_real", method=False)(view_as_real)
register("view_as_complex", method=False)(view_as_complex)


def _real(self):
    """The real part, a view (a real tensor is its own real part).   As PyTorch: ``view_as_real(z)[..., 0]``,
    so dL/dz = g + 0i."""
    return view_as_real(self)[..., 0] if self._data.dtype.kind == "c" else self


def _imag(self):
    """The imaginary part, a view: ``view_as_real(z)[..., 1]``, so dL/dz = i g."""
    if self._data.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return view_as_real(self)[..., 1]


Tensor.real, Tensor.imag = property(_real), property(_imag)
register("real", method=False)(_real)
register("imag", method=False)(_imag)


class Angle(Op):
    """y = angle(z) = atan2(b, a).   dL/dz = i g z / |z|^2 (0 at z = 0); for real x the slope is 0."""
    rule = "y = angle(z).   dL/dz = i g z / |z|^2 (real x: 0)."
    elementwise = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = float_array(x)
        return np.angle(a).astype(a.real.dtype)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        if x._data.dtype.kind != "c":
            return grad * 0
        slope = grad * x / (x.abs() ** 2) * 1j
        return where_(x == 0, T(np.zeros((), slope._data.dtype)), slope)


register("angle")(Angle)


def _check_parts(a, b):
    """PyTorch's checks of complex(real, imag) and polar(abs, angle): two float32 or two float64 tensors."""
    x, y = a._data.dtype, b._data.dtype
    if x.kind != "f" or y.kind != "f" or x == np.float16:
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got {a.dtype._legacy} and "
                           f"{b.dtype._legacy}" + ("" if x.kind != "f" or y.kind != "f" else
                                                    " (tutorgrad has no complex32: use float32 parts)"))
    if x != y:
        raise RuntimeError(f"Expected object of scalar type {a.dtype._legacy} but got scalar type {b.dtype._legacy} "
                           "for second argument")


class Complex(Op):
    """z = a + ib from two real tensors.   dL/da = Re g, dL/db = Im g."""
    rule = "z = a + ib.   dL/da = Re g, dL/db = Im g."
    elementwise = True
    holomorphic = False  # (real inputs: the formula above is the complex one)

    @staticmethod
    def forward(ctx, real, imag):
        _check_parts(real, imag)
        a, b = np.broadcast_arrays(real._data, imag._data)
        out = np.empty(a.shape, np.result_type(a.dtype, np.complex64))
        out.real, out.imag = a, b
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.real, grad.imag


class Polar(Op):
    """z = r e^{i theta} = r cos(theta) + i r sin(theta).   dL/dr = Re(conj(g) z/|z|), dL/dtheta = Re(conj(g) i z)."""
    rule = "z = r e^(i theta).   dL/dr = Re(conj(g) e^(i theta)), dL/dtheta = Re(conj(g) i z)."
    elementwise = True
    holomorphic = False

    @staticmethod
    def forward(ctx, abs, angle):
        _check_parts(abs, angle)
        r, t = abs._data, angle._data
        out = Complex.forward(ctx, T(r * np.cos(t)), T(r * np.sin(t)))
        ctx.save_for_backward(T(out))
        return out

    @staticmethod
    def backward(ctx, grad):
        z, = ctx.saved_tensors
        g = grad.conj()
        return (g * z.sgn()).real, (g * z * 1j).real  # (PyTorch's polar_backward)


def complex(real, imag):
    """A complex tensor from its real and imaginary parts (two float32 or two float64 tensors, broadcast).

    >>> tutorgrad.complex(tutorgrad.tensor([1.0, 2.0]), tutorgrad.tensor([0.5, -1.0]))
    tensor([1.+0.5000j, 2.-1.0000j])
    """
    return Complex.apply(real, imag)


def polar(abs, angle):
    """The complex numbers with absolute values ``abs`` and angles ``angle``: abs * (cos(angle) + i sin(angle))."""
    return Polar.apply(abs, angle)


register("complex", method=False)(complex)
register("polar", method=False)(polar)
